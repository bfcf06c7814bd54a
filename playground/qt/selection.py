"""Which tensor the user has selected: shared by every panel so a click anywhere selects it
everywhere (tensors list, editor, heatmaps, graph)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Selection(QObject):
    """The selected tensor's name, or "" for none; ``changed`` fires only on a real change."""

    changed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._name = ""

    @property
    def name(self) -> str:
        return self._name

    def select(self, name: str | None) -> None:
        name = name or ""
        if name != self._name:
            self._name = name
            self.changed.emit(name)
