"""Panels built in parallel by other modules: the real one when its module is there, else a
clearly labelled placeholder, so the window always opens (and a broken panel cannot stop it);
and panels built only when first seen (``LazyPanel``)."""

from __future__ import annotations

import importlib
import traceback

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .dock_tabs import is_on_screen


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


class LazyPanel(QWidget):
    """Stands in a dock for a panel that is built the first time its dock is on screen.

    The learning views are tabs behind the heatmaps when the window opens; building them (and
    importing their modules) costs start-up time for panels the learner may never raise.
    ``panel()`` builds it at once (for tests and for code that needs it); ``panel_built``
    is emitted with it then.
    """

    panel_built = Signal(QWidget)

    def __init__(self, module: str, class_name: str, title: str, *args,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._recipe = (module, class_name, title, *args)
        self._panel: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._timer = QTimer(self)  # the tab raised: build once the layout has settled
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)

    @property
    def built(self) -> bool:
        return self._panel is not None

    def panel(self) -> QWidget:
        """The real panel (or its placeholder), built now if it was not yet."""
        if self._panel is None:
            self._panel = optional_panel(*self._recipe)
            self._layout.addWidget(self._panel)
            self.panel_built.emit(self._panel)
        return self._panel

    def on_dock_shown(self, shown: bool) -> None:
        """Connected to the dock's ``visibilityChanged``: a tab behind another gets no Show
        event when it is raised, and every tab gets one when the window first shows."""
        if shown and self._panel is None:
            self._timer.start(0)

    def showEvent(self, event):  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.on_dock_shown(True)

    def _on_timer(self) -> None:
        if self._panel is None and is_on_screen(self):
            self.panel()
