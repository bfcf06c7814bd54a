"""Autosave: unsaved work goes to the recovery file every 30 s and after every few edits, so a
crash or a killed process loses at most that; the next start offers to bring it back.

The session is taken on the GUI thread (cheap: immutable records and arrays) and written on a
worker thread: writing a 2048² literal leaf takes seconds, which froze the window after every
few cells typed into it. One worker at a time writes the latest snapshot; snapshots taken while
it writes wait, and only the newest of them is written next. When the application quits, the
last state is written before it exits. A clean close (saved, or the learner chose to discard)
waits for any write in progress and removes the recovery file.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QMessageBox
from shiboken6 import isValid

from playground.session import persist

from .crash_guard import Snapshot, recovery_path, snapshot, write_recovery

INTERVAL_MS = 30_000
EVERY_EDITS = 5


class Autosave(QObject):
    """Keeps ``window``'s recovery file up to date while it has unsaved changes."""

    def __init__(self, window, interval_ms: int = INTERVAL_MS, every: int = EVERY_EDITS):
        super().__init__(window)
        self.window, self.every = window, every
        self._edits = 0
        self._lock = threading.Lock()  # guards _next and _worker, shared with the worker
        self._next: Snapshot | None = None  # taken, not yet being written
        self._worker: threading.Thread | None = None
        self._stopped = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.save_now)
        self.timer.start(interval_ms)
        window.undo_stack.indexChanged.connect(self._on_edit)
        QCoreApplication.instance().aboutToQuit.connect(self._on_quit)

    def _on_edit(self, _index: int):
        self._edits += 1
        if self._edits >= self.every:
            self.save_now()

    def save_now(self) -> None:
        """Take the session now and have it written off the GUI thread (``finish`` waits)."""
        self._edits = 0
        if not self._stopped and self._modified():
            self._write_in_background(snapshot(self.window))

    def _write_in_background(self, taken: Snapshot) -> None:
        with self._lock:
            self._next = taken
            if self._worker is None:
                self._worker = threading.Thread(target=self._write_latest,
                                                name="autosave", daemon=True)
                self._worker.start()

    def _modified(self) -> bool:
        # The window's flag follows the session's own comparison made at each edit; comparing
        # again here cost ~1 s on the GUI thread after each cell typed into a 2048² leaf. An
        # action or edit computing off the GUI thread counts, as ``is_modified`` counts it.
        return isValid(self.window) and (
            self.window.isWindowModified() or self.window.controls.busy)

    def _write_latest(self) -> None:
        """The worker: write the newest snapshot until none is waiting."""
        while True:
            with self._lock:
                taken, self._next = self._next, None
                if taken is None:
                    self._worker = None
                    return
            write_recovery(taken)  # never raises; a failed write is tried again next time

    def finish(self) -> None:
        """Wait until every snapshot taken so far is written."""
        with self._lock:
            worker = self._worker
        if worker is not None:
            worker.join()

    def _on_quit(self) -> None:
        # The worker is a daemon (a stuck disk must not hang the exit): write the last state
        # and wait for it here. The window may be gone by now: only its Python side is read.
        if not self._stopped and self.window.session.is_modified:
            self._write_in_background(snapshot(self.window))
        self.finish()

    def discard(self) -> None:
        """Nothing unsaved is left: stop autosaving, let a write in progress end, remove the
        file (a write ending after the removal would bring it back)."""
        self._stopped = True
        self.timer.stop()
        with self._lock:
            self._next = None
        self.finish()
        forget_recovery()


def forget_recovery() -> None:
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
        forget_recovery()
        return False
    try:
        document = persist.load(path)
    except persist.SessionFileError as error:
        QMessageBox.warning(window, "Tensor Playground", f"The recovery file is damaged:\n{error}")
        forget_recovery()
        return False
    window.restore_unsaved(document)
    return True
