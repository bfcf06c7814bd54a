"""Big edits replayed on a worker thread, so the window keeps answering.

An edit (a typed cell, a step changed, an undo or redo of either) replaces the session's
document, and the session replays the whole timeline for it: ~0.85 s for the 10-step 2048²
pipeline with a forward and a backward, which froze the window for that long. The session hands
such a replay to ``BackgroundEdits.start`` (``Session.replay_elsewhere``); a worker thread runs
``PendingEdit.compute`` (the engine and the snapshots, no Qt), and a 2 ms timer on the GUI
thread lands it (``Session.land_pending``), so the session's signals and every view's redraw
happen on the GUI thread. Until then the views show the state before the edit; the undo stack
already has it, and a further edit or undo lands it first (``Session.land_pending``). A panel
builds its next command inside ``UndoStack.push``, after that landing, so what it reads (names,
rows, shapes) is never the state the window still shows.

The thread and the poll are ``PolledWorker``'s, as for ``BackgroundActions``.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from playground.session import Session
from playground.session.pending import PendingEdit

from .polled_worker import PolledWorker


class BackgroundEdits(PolledWorker):
    """Runs the session's big edit replays off the GUI thread, one at a time.

    Signals
    -------
    started() : an edit is replaying; the views show the state before it.
    landed() : it is on screen (or, if its replay failed unexpectedly, the session is as before
        the edit, the error went to the excepthook and the edit left the undo stack); emitted
        on the GUI thread.
    """

    started = Signal()
    landed = Signal()

    def __init__(self, session: Session, parent: QObject):
        super().__init__(parent)
        self.session = session
        session.replay_elsewhere = self.start
        session.replay_failed = self._on_failed
        self.destroyed.connect(session_forgetter(session))

    def start(self, pending: PendingEdit) -> None:
        """Replay on a worker thread (the session calls this from inside the edit)."""
        self._start(pending, "session edit")
        self.started.emit()

    def _on_computed(self, pending: PendingEdit) -> None:
        try:
            if self.session.pending is pending:  # an edit or undo since may have landed it
                self.session.land_pending()
        finally:
            self.landed.emit()

    @staticmethod
    def _on_failed(pending: PendingEdit) -> None:
        """A bug in an edit's replay (the session is as before the edit; called wherever it
        lands): reported to the excepthook, which tells the learner, and taken off the undo
        stack (or, for an undo, put back as done) by the command that started it."""
        error = pending.exception
        sys.excepthook(type(error), error, error.__traceback__)
        if pending.origin is not None:
            recorded, way = pending.origin
            recorded.replay_failed(way)


def session_forgetter(session: Session):
    """A slot (no Qt object of its own) that stops ``session`` handing replays to a deleted
    ``BackgroundEdits``: it replays its edits itself again."""

    def forget(_object=None) -> None:
        session.replay_elsewhere = session.replay_failed = None

    return forget
