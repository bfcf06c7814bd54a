"""One computation at a time on a worker thread, whose end the GUI thread polls for.

Shared by ``BackgroundActions`` (a big forward or backward) and ``BackgroundEdits`` (a big
edit's replay). Why a plain daemon ``threading.Thread`` and a polled event rather than a Qt
signal emitted by the worker: see ``background_action.py``.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, QTimer

from playground.session.pending import PendingAction

POLL_MS = 2  # how often the GUI thread looks whether the worker has finished


class PolledWorker(QObject):
    """Runs ``pending.compute`` on a daemon thread and calls ``_on_computed(pending)`` on the
    GUI thread once it has finished (or at once, from ``finish``)."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self._pending: PendingAction | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.setTimerType(Qt.TimerType.PreciseTimer)
        self._poll.timeout.connect(self._on_poll)

    @property
    def busy(self) -> bool:
        """Something was started and has not been reported as landed yet."""
        return self._pending is not None

    def _start(self, pending: PendingAction, name: str) -> None:
        self._pending = pending
        threading.Thread(target=pending.compute, name=name, daemon=True).start()
        self._poll.start()

    def finish(self) -> None:
        """Wait for the computation and land it now (a screenshot, a lesson question, a test)."""
        if self._pending is not None:
            self._pending.finished.wait()
            self._land(self._pending)

    def _on_poll(self) -> None:
        if self._pending is None:
            self._poll.stop()
        elif self._pending.finished.is_set():
            self._land(self._pending)

    def _land(self, pending: PendingAction) -> None:
        self._poll.stop()
        self._pending = None
        self._on_computed(pending)

    def _on_computed(self, pending: PendingAction) -> None:
        raise NotImplementedError
