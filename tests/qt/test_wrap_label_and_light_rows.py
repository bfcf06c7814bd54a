"""WrapLabel remembers its height per width but never a stale one; the Lesson panel's rows are
light (no style sheet of their own, no output label until a step prints, no text label until
scrolled near) and still paint their marker, the current step's accent edge and its highlight."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication, QLabel

from playground.qt.action_text import action_line
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


def _shown(window):
    window.resize(1280, 800)
    window.show()
    for _ in range(3):
        QApplication.processEvents()


def test_rows_below_the_fold_get_their_text_when_scrolled_near(window):
    """Rows nobody sees yet take an estimated height and make no label; scrolling makes them,
    and the list then has the height (and the rows the text) it would have had anyway."""
    _shown(window)
    steps = window.lesson_panel.steps
    rows, bar = steps.rows, steps.verticalScrollBar()
    assert rows[0].built and not rows[-1].built
    estimated = bar.maximum()
    bar.setValue(bar.maximum())  # dragged straight to the end: the rows between stay estimated
    QApplication.processEvents()
    last = rows[-1]
    assert last.built and action_line(last.action) in last.text.text()
    viewport = steps.viewport()
    assert last.mapTo(viewport, last.rect().bottomLeft()).y() <= viewport.height()
    for row in rows:
        row.ensure_built()
    QApplication.processEvents()
    assert abs(bar.maximum() - estimated) <= 0.1 * bar.maximum()


def test_the_next_step_scrolls_into_view_past_rows_not_made_yet(window):
    _shown(window)
    panel = window.lesson_panel
    for _ in range(15):
        panel.take_next_step()
    for _ in range(3):
        QApplication.processEvents()
    rows, viewport = panel.steps.rows, panel.steps.viewport()
    current = next(row for row in rows if row.state == CURRENT)
    assert all(row.built for row in rows[:current.number])
    top = current.mapTo(viewport, current.rect().topLeft()).y()
    assert 0 <= top and top + current.height() <= viewport.height()
