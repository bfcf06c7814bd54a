"""``WrapLabel``: a word-wrapped ``QLabel`` that lays its text out once per width.

Qt's layouts ask a word-wrapped label for its height at a given width many times while a
window is laid out (the Lesson panel's rows were asked ~13 times each when the window opened,
at two widths), and ``QLabel`` lays its whole text out again on every call: for the seed
lesson's 22 rows that was most of the cost of showing them. The label keeps the answer for each
width it was asked about until its text, font or style changes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QWidget

# A panel being dragged wider asks at a new width each time: keep only a few answers.
MAX_WIDTHS_KEPT = 8
# What changes the height a text takes at a width (a new style sheet can change the font).
_RELAYOUT_EVENTS = (QEvent.Type.FontChange, QEvent.Type.StyleChange)


class WrapLabel(QLabel):
    """A ``QLabel`` with word wrap on whose ``heightForWidth`` is remembered per width."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._heights: dict[int, int] = {}
        self.setWordWrap(True)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        if text != self.text():
            self._heights.clear()
            super().setText(text)

    def setMargin(self, margin: int) -> None:  # noqa: N802 - Qt's name
        self._heights.clear()
        super().setMargin(margin)

    def setTextFormat(self, text_format) -> None:  # noqa: N802 - Qt's name
        self._heights.clear()
        super().setTextFormat(text_format)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        height = self._heights.get(width)
        if height is None:
            if len(self._heights) >= MAX_WIDTHS_KEPT:
                self._heights.clear()
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.type() in _RELAYOUT_EVENTS:
            self._heights.clear()
        super().changeEvent(event)
