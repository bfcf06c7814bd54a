"""Autosave: unsaved work goes to the recovery file every 30 s and after every few edits, so a
crash or a killed process loses at most that; the next start offers to bring it back.

A clean close (saved, or the learner chose to discard) removes the recovery file.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from playground.session import persist

from .crash_guard import recovery_path, save_recovery

INTERVAL_MS = 30_000
EVERY_EDITS = 5


class Autosave(QObject):
    """Keeps ``window``'s recovery file up to date while it has unsaved changes."""

    def __init__(self, window, interval_ms: int = INTERVAL_MS, every: int = EVERY_EDITS):
        super().__init__(window)
        self.window, self.every = window, every
        self._edits = 0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.save_now)
        self.timer.start(interval_ms)
        window.undo_stack.indexChanged.connect(self._on_edit)

    def _on_edit(self, _index: int):
        self._edits += 1
        if self._edits >= self.every:
            self.save_now()

    def save_now(self) -> None:
        self._edits = 0
        if self.window.session.is_modified:
            save_recovery(self.window)

    @staticmethod
    def discard() -> None:
        recovery_path().unlink(missing_ok=True)


def offer_recovery(window) -> bool:
    """If a recovery file is there, ask to restore it; True when it was restored."""
    path = recovery_path()
    if not path.is_file():
        return False
    answer = QMessageBox.question(
        window, "Tensor Playground",
        "The playground did not close cleanly last time. Restore the session you were working on?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes)
    if answer != QMessageBox.StandardButton.Yes:
        Autosave.discard()
        return False
    try:
        document = persist.load(path)
    except persist.SessionFileError as error:
        QMessageBox.warning(window, "Tensor Playground", f"The recovery file is damaged:\n{error}")
        Autosave.discard()
        return False
    window.restore_unsaved(document)
    return True
