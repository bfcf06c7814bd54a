"""The window's undo stack: session commands on a ``QUndoStack``, so Edit ▸ Undo shows labels.

Panels call ``push(build)``: ``build()`` reads the session and returns the
``playground.session.commands.Command`` to push (or None: nothing to do). The stack first lands
what is still computing on a worker thread (a big edit's replay, a big action), so what
``build`` reads (names, rows, shapes) is the state the command will change, not the state
before an edit that the window still shows; no panel has to remember to land it. A refused edit
(``SessionError``, ``ValueError``), from ``build`` or from the command, raises from ``push``
before anything is recorded, so the panel that pushed can show the reason where the mistake was
made, and the session is unchanged. A command built beforehand may be pushed too.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from playground.session.commands import Command, built
from playground.session.pending import PendingEdit


class SessionCommand(QUndoCommand):
    """Adapter: one session command as a ``QUndoCommand`` with the command's label.

    The command has already run once when it is pushed (that is how a refusal is caught before
    the stack records it), so the first ``redo`` that ``QUndoStack.push`` makes is skipped.

    An edit it starts may replay on a worker thread (``PendingEdit``); ``origin`` tells the
    window which command and which way, should that replay fail (``replay_failed``).
    """

    def __init__(self, command: Command, stack: UndoStack | None = None):
        super().__init__(command.label)
        self.command = command
        self._stack = stack
        self._already_done = True
        self.inert = False  # set by UndoStack.forget: undo and redo do nothing

    def redo(self):
        if not self._already_done and not self.inert:
            self._land_first()  # its own failed undo, if any, comes back as already done
        if self._already_done or self.inert:
            self._already_done = False
            return
        elsewhere = None if self._stack is None else self._stack.redo_elsewhere
        if elsewhere is not None and elsewhere(self):
            return  # started on a worker thread: it lands before any other edit or undo
        self.command.redo()
        self._mark_origin("redo")

    def undo(self):
        if not self.inert:
            self._land_first()  # its own failed redo, if any, makes it inert
        if not self.inert:
            self.command.undo()
            self._mark_origin("undo")

    def replay_failed(self, way: str) -> None:
        """Its ``way`` ("redo" or "undo") replayed on a worker thread and failed: the session
        is as before that. A failed redo (or first push) is dropped from the stack; after a
        failed undo the command is still done, and the stack says so again."""
        if way == "redo":
            self.inert = True
            self.setObsolete(True)  # QUndoStack deletes it as it next passes over it
            self.setText(f"{self.text()} (failed)")
        else:
            self._already_done = True  # its next redo only moves the stack's index
        if self._stack is not None:  # not from inside the stack's own undo or redo
            QTimer.singleShot(0, self._stack, functools.partial(self._stack.resync, self, way))

    def _land_first(self) -> None:
        session = getattr(self.command, "session", None)  # Qt-only commands have none
        if session is not None:
            session.land_pending()

    def _mark_origin(self, way: str) -> None:
        session = getattr(self.command, "session", None)
        pending = None if session is None else session.pending
        if isinstance(pending, PendingEdit) and pending.origin is None:
            pending.origin = (self, way)


class UndoStack(QUndoStack):
    """A ``QUndoStack`` whose ``push`` takes session commands (and still takes Qt ones).

    ``cleared`` is emitted by ``clear()``: another session replaced the history (New, Open,
    a lesson), so step actions still queued for the old one are dropped.
    """

    cleared = Signal()

    def __init__(self, parent=None, session=None):
        super().__init__(parent)
        self.session = session  # whose pending work ``push(build)`` lands first

    # Given a command being redone, starts it on a worker thread and returns True, or returns
    # False to have it redone here (``BackgroundActions`` sets it: a big Backward redone).
    redo_elsewhere = None

    def clear(self) -> None:  # noqa: D401 - same meaning as QUndoStack.clear
        super().clear()
        self.cleared.emit()

    def push(self, command) -> bool:  # noqa: D401 - same meaning as QUndoStack.push
        """Push a command, or the one ``command()`` builds once the session has landed its
        pending work; False when it built None."""
        if isinstance(command, QUndoCommand):
            super().push(command)
            return True
        command = built(command, self.session)
        if command is None:
            return False
        command.redo()  # raises when the session refuses: nothing is recorded
        recorded = SessionCommand(command, self)
        super().push(recorded)
        recorded._mark_origin("redo")
        return True

    def record(self, command: Command) -> SessionCommand:
        """Put a command on the stack that the session has already done (or, for an action
        computed on a worker thread, has begun: it lands before any other edit or undo)."""
        recorded = SessionCommand(command, self)
        super().push(recorded)
        return recorded

    def forget(self, recorded: SessionCommand) -> None:
        """Take ``recorded``, the newest command, off the stack without undoing its command:
        what it stood for never happened (its computation failed)."""
        if self.count() and self.command(self.index() - 1) is recorded:
            recorded.inert = True
            recorded.setObsolete(True)  # QUndoStack.undo deletes an obsolete command
            self.undo()

    def resync(self, recorded: SessionCommand, way: str) -> None:
        """After ``recorded.replay_failed(way)``: failed pushes or redos on top go (an edit
        pushed after one may have failed too); a failed undo still next to redo is redone,
        only moving the index. Obsolete commands are deleted by ``undo`` without undoing."""
        if way == "redo":
            while self.index() and self.command(self.index() - 1).isObsolete():
                self.undo()
        elif self.index() < self.count() and self.command(self.index()) is recorded:
            self.redo()

    def command_labels(self) -> list[str]:
        """Every label on the stack, oldest first (for tests and the history view)."""
        return [self.command(i).text() for i in range(self.count())]
