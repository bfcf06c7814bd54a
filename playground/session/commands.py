"""Undoable edits of a session: one small class per kind of edit, each with a human label.

``redo`` and ``undo`` each call one ``Session`` method; removals remember where the item was.
The window wraps these in a ``QUndoStack``; ``UndoStack`` here does the same without Qt, for
tests and the command line.
"""

from __future__ import annotations

from .document import Action, Leaf, Step, TensorData
from .model import Session


class Command:
    """Base: ``label`` is what Edit ▸ Undo shows.

    A command is built from the session as it will be: an edit still replaying on another
    thread lands first (``Session.land_edit``), so a second edit made quickly builds on it.
    """

    label = ""

    def __init__(self, session: Session):
        session.land_edit()
        self.session = session

    def redo(self) -> None:
        raise NotImplementedError

    def undo(self) -> None:
        raise NotImplementedError


class AddLeaf(Command):
    def __init__(self, session: Session, leaf: Leaf, index: int | None = None):
        super().__init__(session)
        self.leaf, self.label = leaf, f"Add tensor {leaf.name}"
        self.index = len(session.document.leaves) if index is None else index

    def redo(self):
        self.session.insert_leaf(self.index, self.leaf)

    def undo(self):
        # Even if a step names it: that step named a missing tensor before the leaf came.
        self.session.remove_leaf(self.leaf.name, unused_only=False)


class RemoveLeaf(Command):
    def __init__(self, session: Session, name: str):
        super().__init__(session)
        self.name, self.label = name, f"Delete tensor {name}"

    def redo(self):
        self.index, self.leaf = self.session.remove_leaf(self.name)

    def undo(self):
        self.session.insert_leaf(self.index, self.leaf)


class ReplaceLeaf(Command):
    """Any change of a leaf's definition (factory, shape, dtype, requires_grad, values)."""

    def __init__(self, session: Session, leaf: Leaf, label: str | None = None):
        super().__init__(session)
        self.leaf, self.label = leaf, label or f"Edit tensor {leaf.name}"

    def redo(self):
        self.old = self.session.replace_leaf(self.leaf.name, self.leaf)

    def undo(self):
        self.session.replace_leaf(self.leaf.name, self.old)


def edit_cell(session: Session, name: str, index: tuple[int, ...], value) -> ReplaceLeaf:
    """Editing one element by hand turns the leaf into literal values (random ones included,
    which keeps the numbers the learner was looking at)."""
    session.land_edit()  # the values to change include any edit still replaying
    leaf = session.leaf(name)
    current = session.state(name, 0).value
    if current is None:
        raise ValueError(f"{name} has no values to edit: {session.state(name, 0).error}")
    array = current.copy()
    array[index] = value
    # Kept as the array, not converted to 4M Python floats for a 2048² leaf (see ``kept``).
    values = TensorData.kept(array)
    literal = leaf.model_copy(update={"factory": "tensor", "values": values, "dtype": values.dtype})
    where = ", ".join(str(i) for i in index)
    return ReplaceLeaf(session, literal, f"Edit {name}[{where}]")


def set_requires_grad(session: Session, name: str, flag: bool) -> ReplaceLeaf:
    session.land_edit()
    leaf = session.leaf(name).model_copy(update={"requires_grad": flag})
    return ReplaceLeaf(session, leaf, f"Set {name}.requires_grad = {flag}")


class AddStep(Command):
    def __init__(self, session: Session, step: Step, index: int | None = None):
        super().__init__(session)
        self.step, self.label = step, f"Add step {step.op}"
        self.index = len(session.document.steps) if index is None else index

    def redo(self):
        self.session.insert_step(self.index, self.step)

    def undo(self):
        self.session.remove_step(self.step.name)


class RemoveStep(Command):
    def __init__(self, session: Session, name: str):
        super().__init__(session)
        self.name, self.label = name, f"Delete step {name}"

    def redo(self):
        self.index, self.step = self.session.remove_step(self.name)

    def undo(self):
        self.session.insert_step(self.index, self.step)


class EditStep(Command):
    def __init__(self, session: Session, name: str, step: Step):
        super().__init__(session)
        self.name, self.step, self.label = name, step, f"Edit step {name}"

    def redo(self):
        self.old = self.session.replace_step(self.name, self.step)

    def undo(self):
        self.session.replace_step(self.step.name, self.old)


class MoveStep(Command):
    def __init__(self, session: Session, old_index: int, new_index: int):
        super().__init__(session)
        self.old_index, self.new_index = old_index, new_index
        self.label = f"Move step {session.document.steps[old_index].name}"

    def redo(self):
        self.session.move_step(self.old_index, self.new_index)

    def undo(self):
        self.session.move_step(self.new_index, self.old_index)


class Rename(Command):
    def __init__(self, session: Session, old: str, new: str):
        super().__init__(session)
        self.old, self.new, self.label = old, new, f"Rename {old} to {new}"

    def redo(self):
        self.session.land_edit()  # ``before`` includes an edit still replaying
        self.before = self.session.document
        self.session.rename(self.old, self.new)

    def undo(self):
        # The document as it was, not a rename back: a step still naming a deleted ``new``
        # would be renamed to ``old`` too (found by the GUI monkey).
        self.session.restore(self.before, self.session.cursor)


def action_label(action: Action) -> str:
    """``Backward from out``, ``Zero grad of inp``, ``Detach x as z``, ..."""
    kind = action.kind
    if kind == "backward":
        return f"Backward from {action.target}"
    if kind == "zero_grad":
        how = "Set grad to None" if action.set_to_none else "Zero grad"
        return f"{how} of {', '.join(action.targets)}"
    if kind == "detach":
        return f"Detach {action.target} as {action.new_name}"
    if kind == "retain_grad":
        return f"Retain grad of {action.target}"
    if kind == "requires_grad":
        return f"Set {action.target}.requires_grad_({action.flag})"
    return "Forward" if kind == "forward" else "Print"


class AddAction(Command):
    """A timeline action (forward, backward, zero_grad, ...), appended unless ``index`` says."""

    def __init__(self, session: Session, action: Action, index: int | None = None):
        super().__init__(session)
        self.action, self.label = action, action_label(action)
        self.index = len(session.document.actions) if index is None else index

    def redo(self):
        self.session.insert_action(self.index, self.action)

    def undo(self):
        self.session.remove_action(self.index)


class RemoveAction(Command):
    def __init__(self, session: Session, index: int):
        super().__init__(session)
        self.index = index
        self.label = f"Remove {action_label(session.document.actions[index]).lower()}"

    def redo(self):
        self.action = self.session.remove_action(self.index)

    def undo(self):
        self.session.insert_action(self.index, self.action)


def built(command, session: Session | None) -> Command | None:
    """``command``, or the command that the function ``command`` builds once ``session`` has
    landed what it computes on another thread: what the function reads (names, rows, shapes)
    is then the state the command changes, not the state before an edit that a window still
    shows. None when it built None (nothing to do)."""
    if isinstance(command, Command):
        return command
    if session is not None:
        session.land_pending()
    return command()


class UndoStack:
    """A minimal ``QUndoStack``: ``push`` runs a command's ``redo`` and records it if it worked.

    ``push`` also takes a function that builds the command, called once ``session`` (if given)
    has landed what it computes on another thread, as the window's stack does
    (``playground.qt.undo``); it returns False when that built None (nothing to do).
    """

    def __init__(self, session: Session | None = None):
        self.session = session
        self._commands: list[Command] = []
        self._index = 0

    def push(self, command) -> bool:
        command = built(command, self.session)
        if command is None:
            return False
        command.redo()  # a refused edit raises here and leaves no trace on the stack
        del self._commands[self._index:]
        self._commands.append(command)
        self._index += 1
        return True

    def can_undo(self) -> bool:
        return self._index > 0

    def can_redo(self) -> bool:
        return self._index < len(self._commands)

    def undo_text(self) -> str:
        return self._commands[self._index - 1].label if self.can_undo() else ""

    def redo_text(self) -> str:
        return self._commands[self._index].label if self.can_redo() else ""

    def undo(self) -> None:
        if self.can_undo():
            self._index -= 1
            self._commands[self._index].undo()

    def redo(self) -> None:
        if self.can_redo():
            self._commands[self._index].redo()
            self._index += 1

    def __len__(self) -> int:
        return len(self._commands)
