"""A list that says what will fill it while it is empty: a blank white box next to a pane of
explanations reads as something that failed to load."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QListWidget, QWidget


class PlaceholderList(QListWidget):
    """A ``QListWidget`` that paints ``placeholder`` (greyed, wrapped) while it has no rows."""

    def __init__(self, placeholder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.placeholder = placeholder

    def paintEvent(self, event):  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if self.count():
            return
        painter = QPainter(self.viewport())
        colour = self.palette().placeholderText().color()
        painter.setPen(colour)
        box = self.viewport().rect().adjusted(8, 8, -8, -8)
        painter.drawText(box, Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                         self.placeholder)
        painter.end()
