"""Panels built in parallel by other modules: the real one when its module is there, else a
clearly labelled placeholder, so the window always opens (and a broken panel cannot stop it)."""

from __future__ import annotations

import importlib
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PlaceholderPanel(QWidget):
    """Says which panel belongs here and why it is not shown."""

    def __init__(self, title: str, reason: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("placeholderPanel")
        self.reason = reason
        label = QLabel(f"<b>{title}</b><br><br>{reason}", self)
        label.setObjectName("panelHint")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(label)


def optional_panel(module: str, class_name: str, title: str, *args) -> QWidget:
    """``playground.qt.<module>.<class_name>(*args)``, or a placeholder saying what is missing."""
    try:
        found = importlib.import_module(f"playground.qt.{module}")
    except ModuleNotFoundError as error:
        if error.name != f"playground.qt.{module}":
            return PlaceholderPanel(title, f"This panel needs {error.name}, which is missing.")
        return PlaceholderPanel(title, f"Coming soon: playground/qt/{module}.py is being built.")
    try:
        return getattr(found, class_name)(*args)
    except Exception as error:  # show the failure in the panel, keep the window usable
        traceback.print_exc()
        return PlaceholderPanel(title, f"This panel failed to start: {type(error).__name__}: "
                                       f"{error}")
