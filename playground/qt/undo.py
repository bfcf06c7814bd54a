"""The window's undo stack: session commands on a ``QUndoStack``, so Edit ▸ Undo shows labels.

Panels call ``push(command)`` with a ``playground.session.commands.Command``. A refused edit
(``SessionError``, ``ValueError``) raises from ``push`` before anything is recorded, so the
panel that pushed can show the reason where the mistake was made, and the session is unchanged.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack

from playground.session.commands import Command


class SessionCommand(QUndoCommand):
    """Adapter: one session command as a ``QUndoCommand`` with the command's label.

    The command has already run once when it is pushed (that is how a refusal is caught before
    the stack records it), so the first ``redo`` that ``QUndoStack.push`` makes is skipped.
    """

    def __init__(self, command: Command):
        super().__init__(command.label)
        self.command = command
        self._already_done = True

    def redo(self):
        if self._already_done:
            self._already_done = False
            return
        self.command.redo()

    def undo(self):
        self.command.undo()


class UndoStack(QUndoStack):
    """A ``QUndoStack`` whose ``push`` takes session commands (and still takes Qt ones)."""

    def push(self, command) -> None:  # noqa: D401 - same meaning as QUndoStack.push
        if isinstance(command, QUndoCommand):
            super().push(command)
            return
        command.redo()  # raises when the session refuses: nothing is recorded
        super().push(SessionCommand(command))

    def command_labels(self) -> list[str]:
        """Every label on the stack, oldest first (for tests and the history view)."""
        return [self.command(i).text() for i in range(self.count())]
