"""A word-wrapped label whose new text is laid out again only when it needs another height.

A ``QLabel`` asks its layout to recompute on every ``setText``, and a Qt layout then asks its
parent's, up to the main window, which lays out every dock again (~7 ms with the seed lesson's
Lesson steps, each a wrapped label). The backward stepper's line "Stepping backward #3 of the
timeline ..." changes on every Backward, only by a number. Here the ``QLabel`` is a child
outside any layout: its requests stop at this widget, which places it itself and asks its own
layout for a new size only when the text's height at the current width changes.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class SteadyLabel(QWidget):
    """A rich-text, word-wrapped ``QLabel`` (``label``) that fills this widget."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def text(self) -> str:
        return self.label.text()

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name
        if text == self.label.text():
            return
        height = self.heightForWidth(self.width())
        self.label.setText(text)
        if self.heightForWidth(self.width()) != height:
            self.updateGeometry()  # another line: the layout must make room

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self.label.heightForWidth(width)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.label.sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.label.minimumSizeHint()

    def resizeEvent(self, event):  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.label.setGeometry(self.rect())
