"""SteadyLabel: a new text of the same height does not lay the window out again."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from playground.qt.steady_label import SteadyLabel


class _LayoutRequests(QObject):
    count = 0

    def eventFilter(self, _watched, event):  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def _shown_in_a_layout(qtbot, label: QWidget) -> tuple[QWidget, _LayoutRequests]:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.addWidget(label)
    layout.addStretch(1)
    holder.resize(320, 300)
    qtbot.addWidget(holder)
    holder.show()
    qtbot.waitExposed(holder)
    requests = _LayoutRequests(holder)
    holder.installEventFilter(requests)
    QApplication.processEvents()
    requests.count = 0
    return holder, requests


def test_a_new_number_is_drawn_without_a_layout_request_and_more_lines_make_room(qtbot):
    label = SteadyLabel("Stepping <b>backward #1</b> of the timeline")
    _, requests = _shown_in_a_layout(qtbot, label)
    height = label.height()
    label.setText("Stepping <b>backward #2</b> of the timeline")
    QApplication.processEvents()
    assert requests.count == 0 and label.text().endswith("#2</b> of the timeline")
    assert label.label.geometry() == label.rect() and label.height() == height
    label.setText("Stepping <b>backward #3</b>, " + "a much longer line " * 12)
    qtbot.waitUntil(lambda: label.height() > 2 * height)  # wrapped: the layout made room
    assert label.label.geometry() == label.rect()
    assert label.height() == label.label.heightForWidth(label.width())


def test_a_plain_qlabel_would_ask_for_a_layout(qtbot):
    """Why SteadyLabel exists: the same change on a QLabel asks its parent to lay out again."""
    label = QLabel("Stepping <b>backward #1</b> of the timeline")
    label.setWordWrap(True)
    _, requests = _shown_in_a_layout(qtbot, label)
    label.setText("Stepping <b>backward #2</b> of the timeline")
    QApplication.processEvents()
    assert requests.count > 0
