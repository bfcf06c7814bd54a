"""WrapLabel remembers its height per width but never a stale one; the Lesson panel's rows are
light (no style sheet of their own, no output label until a step prints) and still paint their
marker, the current step's accent edge and its highlight."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication, QLabel

from playground.qt.lesson_steps import CURRENT, EDGE_WIDTH
from playground.qt.theme import colors
from playground.qt.wrap_label import WrapLabel

TEXT = "Every backward adds its gradient to whatever .grad already holds. " * 4


def _plain(text: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setText(text)
    return label


def test_heights_match_a_plain_label_and_follow_text_and_font(qtbot):
    label = WrapLabel()
    qtbot.addWidget(label)
    label.setText(TEXT)
    plain = _plain(TEXT)
    for width in (120, 260, 433, 260, 120):
        assert label.heightForWidth(width) == plain.heightForWidth(width)
    short = label.heightForWidth(260)
    label.setText(TEXT * 2)
    assert label.heightForWidth(260) == _plain(TEXT * 2).heightForWidth(260) > short
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    before = label.heightForWidth(260)
    label.setFont(font)
    assert label.heightForWidth(260) > before
    label.setMargin(20)
    plain = _plain(TEXT * 2)
    plain.setFont(font)
    plain.setMargin(20)
    assert label.heightForWidth(260) == plain.heightForWidth(260)


def test_a_style_sheet_that_changes_the_font_changes_the_height(qtbot):
    label = WrapLabel()
    qtbot.addWidget(label)
    label.setText(TEXT)
    before = label.heightForWidth(200)
    label.setStyleSheet("font-size: 30px;")
    label.ensurePolished()
    assert label.heightForWidth(200) > before


def test_rows_make_no_output_label_until_a_step_prints(window):
    rows = window.lesson_panel.steps.rows
    assert len(rows) > 10
    assert all(row._output is None for row in rows)
    assert all(not row.styleSheet() for row in rows)
    window.lesson_panel.advance()  # print(inp): the first row shows what it printed
    QApplication.processEvents()
    assert rows[0].shows_output() and "tensor(" in rows[0].output.text()
    assert all(row._output is None for row in rows[2:])


def test_the_current_row_paints_its_edge_highlight_and_marker(window):
    window.resize(1280, 800)
    window.show()
    for _ in range(3):
        QApplication.processEvents()
    rows = window.lesson_panel.steps.rows
    current, todo = rows[0], rows[1]
    assert current.state == CURRENT and current.marker == "▶" and todo.marker == "2"
    c = colors()
    image = current.grab().toImage()
    middle = image.height() // 2
    assert image.pixelColor(1, middle).name() == QColor(c.accent).name()
    assert image.pixelColor(EDGE_WIDTH + 2, middle).name() == QColor(c.base).name()
    # The marker is drawn in the accent colour inside its column left of the text.
    marker_colours = {image.pixelColor(x, y).name() for x in range(EDGE_WIDTH + 6, 37)
                      for y in range(4, 22)}
    assert QColor(c.accent).name() in marker_colours
    # A row still to come has no highlight: the panel shows through.
    todo_image = todo.grab().toImage()
    assert todo_image.pixelColor(1, todo_image.height() // 2).name() != QColor(c.accent).name()
