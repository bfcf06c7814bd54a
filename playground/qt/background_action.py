"""Big timeline actions computed on a worker thread, so the window keeps answering.

A Backward through ten 2048×2048 steps costs the engine ~70 ms and its snapshot more; on the
GUI thread the window would freeze for that long. ``BackgroundActions.start`` hands such an
action to a worker thread (``Session.begin_action``): the worker runs only the engine and the
snapshot (``PendingAction.compute``) and sets an event; a 2 ms timer on the GUI thread sees it
and lands the action (``Session.land_pending``), so the session's signals and every view's
redraw happen on the GUI thread, as for a small action. Until then the views show the state
before it.

Why a plain ``threading.Thread`` and a polled event rather than a Qt signal emitted by the
worker: no Qt object is touched off the GUI thread (as ``jacobian_job.py``). A signal emitted
by the worker on an object the window was deleting at that moment crashed the process (a
test closes the window mid-backward); a timer that is deleted with the window cannot. The work
is one call and at most one runs at a time, so a thread per action (~0.1 ms to start) needs
no pool to keep alive and shut down. The thread is a daemon: closing the window while it
computes loses nothing that was saved, and nobody polls its result any more.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from playground.session import Action, AddAction, Session
from playground.session.pending import PendingAction, worth_a_thread

from .polled_worker import PolledWorker
from .undo import SessionCommand, UndoStack


class BackgroundActions(PolledWorker):
    """Runs one big action at a time off the GUI thread.

    Signals
    -------
    started(Action) : it is computing (a redo started here rather than by ``start``).
    landed(Action) : its outcome is on the timeline (or, if it failed unexpectedly, it is not,
        and the error was raised to the excepthook); emitted on the GUI thread.
    """

    started = Signal(object)
    landed = Signal(object)

    def __init__(self, session: Session, undo_stack: UndoStack, parent: QObject):
        super().__init__(parent)
        self.session, self.undo_stack = session, undo_stack
        self._recorded = None
        undo_stack.redo_elsewhere = self.redo

    @property
    def running(self) -> Action | None:
        """The action being computed, if any."""
        return None if self._pending is None else self._pending.action

    def start(self, action: Action) -> bool:
        """Compute ``action`` on a worker thread; False when it must run synchronously (the
        engine state is not at the end of the timeline). ``SessionError`` when refused."""
        index = len(self.session.document.actions)
        pending = self.session.begin_action(action)
        if pending is None:
            return False
        # On the stack at once: an undo before it lands lands it first, then undoes it.
        self._run(pending, self.undo_stack.record(AddAction(self.session, action, index)))
        return True

    def redo(self, recorded: SessionCommand) -> bool:
        """Redo ``recorded`` (Edit ▸ Redo) on a worker thread when it is a big forward or
        backward at the end of the timeline; False when it is to be redone synchronously."""
        command = recorded.command
        if self.busy or not isinstance(command, AddAction):
            return False  # while one computes, the session lands it before the redo
        if command.index != len(self.session.document.actions) or \
                not worth_a_thread(command.action, self.session.outcomes[-1]):
            return False
        pending = self.session.begin_action(command.action)
        if pending is None:  # the action an undo just took back: its outcome is kept
            return False
        self._run(pending, recorded)
        self.started.emit(command.action)
        return True

    def _run(self, pending: PendingAction, recorded: SessionCommand) -> None:
        self._recorded = recorded
        self._start(pending, "session action")

    def _on_computed(self, pending: PendingAction) -> None:
        recorded = self._recorded
        try:
            # An edit may have landed it already (and be replaying now: not waited for here).
            if self.session.pending is pending:
                self.session.land_pending()
        finally:  # a bug while computing it: raised above, to the excepthook, as when in sync
            if pending.exception is not None:
                self.undo_stack.forget(recorded)
            self.landed.emit(pending.action)
