"""``Session``: the evented, Qt-free model every view of the playground observes.

Every edit replaces the immutable ``Document`` and replays it (appending an action continues the
live replay instead). Views subscribe to the psygnal signals and change the session only through
commands (``commands.py``), whose ``redo``/``undo`` each call one method here.

A big action may be computed on another thread (``begin_action``, ``pending.py``); until it
lands the session shows the state before it, and every edit first waits for it and records it
(``land_pending``), so edits never interleave with it and signals are only emitted here. An
edit's replay goes the same way when the window offers a thread (``replay_elsewhere``). That
half of the session is ``model_threads.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from psygnal import Signal

from .document import Action, Document, Leaf, Step
from .document_edits import (
    SessionError,
    check_new_name,
    find,
    inserted,
    moved_step,
    removed,
    renamed,
    replaced,
    users_of,
)
from .model_threads import OffThreadWork, after_pending
from .outcome import Outcome, TensorState, grad_change
from .pending import PendingAction, PendingEdit, worth_replaying_elsewhere
from .runner import Replay


class Session(OffThreadWork):
    """Tensors, pipeline and timeline of one playground session.

    Parameters
    ----------
    document : what to start from (an empty session by default).

    Signals
    -------
    definitions_changed : leaves or steps were added, removed or edited.
    timeline_changed : actions were added or removed (or everything was replayed).
    cursor_changed(int) : another timeline point is selected (0 = after the definitions).
    modified_changed(bool) : the session now differs (or no longer differs) from the saved one.
    landing_waits(Action | None) : an edit waits for this action (None: an earlier edit),
        still computing on another thread, to land it first (emitted before the wait, so a
        window can say why it does not answer).

    Attributes
    ----------
    replay_elsewhere : None (every edit replays here, before it returns), or a callable that
        starts a big edit's ``PendingEdit.compute`` on another thread and calls
        ``land_pending`` on this one once it has finished (a window sets it).
    replay_failed : None (an edit whose replay elsewhere failed raises ``exception`` where it
        lands), or a callable given that ``PendingEdit`` instead (the session is as before
        the edit); a window sets it to report the bug and take the edit off its undo stack.
    """

    definitions_changed = Signal()
    timeline_changed = Signal()
    cursor_changed = Signal(int)
    modified_changed = Signal(bool)
    landing_waits = Signal(object)

    def __init__(self, document: Document | None = None):
        self._document = document or Document()
        self._saved = self._document
        self._modified = False
        self._replay = Replay(self._document)
        self._live = True  # whether the replay's engine state is at the end of the timeline
        self._cursor = len(self._replay.outcomes) - 1
        self._pending: PendingAction | None = None
        # After an undo at the end: the action undone and its outcome, which the engine state
        # still is. Redoing it records that outcome again instead of replaying everything.
        self._ahead: tuple[Action, Outcome] | None = None
        self._deltas_of: Outcome | None = None  # the point whose grad changes are kept
        self._deltas: dict[str, np.ndarray | None] = {}
        self.replay_elsewhere: Callable[[PendingEdit], None] | None = None
        self.replay_failed: Callable[[PendingEdit], None] | None = None

    # -- reading --
    @property
    def document(self) -> Document:
        return self._document

    @property
    def outcomes(self) -> list[Outcome]:
        """One outcome per timeline point; ``outcomes[0]`` is the state after the definitions."""
        return self._replay.outcomes

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def current(self) -> Outcome:
        return self.outcomes[self._cursor]

    @property
    def is_modified(self) -> bool:
        """The planned document differs from the one saved: an action still computing counts,
        so closing the window asks about it."""
        return self.planned_document != self._saved

    def tensor_names(self, index: int | None = None) -> list[str]:
        """Every tensor at a timeline point (the cursor by default), detached ones included."""
        return list(self._outcome(index).states)

    def state(self, name: str, index: int | None = None) -> TensorState:
        return self._outcome(index).states[name]

    def grad_delta(self, name: str, index: int | None = None) -> np.ndarray | None:
        """How ``name.grad`` changed from the previous timeline point (None when unchanged shape
        cannot be compared: no grad before or after counts as zeros)."""
        index = self._cursor if index is None else index
        if index == 0:
            return None
        outcome = self.outcomes[index]
        # The timeline row, the status line and the heatmap card each ask for the same change
        # (~2 ms apiece on 2048²): one timeline point's changes are kept, read-only.
        if outcome is not self._deltas_of:
            self._deltas_of, self._deltas = outcome, {}
        if name not in self._deltas:
            before = self.outcomes[index - 1].states.get(name)
            self._deltas[name] = grad_change(outcome.states.get(name), before)
        return self._deltas[name]

    def console_text(self) -> str:
        """Everything the timeline printed, as the exported script prints it."""
        return "".join(o.output + "\n" for o in self.outcomes[1:] if o.output)

    def leaf(self, name: str) -> Leaf:
        return find(self._document, "leaves", name)

    def step(self, name: str) -> Step:
        return find(self._document, "steps", name)

    def users_of(self, name: str) -> list[str]:
        """Steps and leaves (``*_like``) that refer to ``name``."""
        return users_of(self._document, name)

    def leaves_with_grad(self, index: int | None = None) -> list[str]:
        """Leaves whose ``.grad`` is not None: what "zero_grad" clears by default."""
        states = self._outcome(index).states
        return [leaf.name for leaf in self._document.leaves if states[leaf.name].grad is not None]

    def last_action(self, kind: str) -> Action | None:
        """The latest action of a kind (``Backward again`` repeats the last backward)."""
        return next((a for a in reversed(self._document.actions) if a.kind == kind), None)

    def _outcome(self, index):
        return self.outcomes[self._cursor if index is None else index]

    # -- time travel --
    def select(self, index: int) -> None:
        """Show the state after timeline point ``index`` (0 = after the definitions)."""
        if not 0 <= index < len(self.outcomes):
            raise IndexError(f"timeline point {index} does not exist")
        if index != self._cursor:
            self._cursor = index
            self.cursor_changed.emit(index)

    # -- whole document --
    @after_pending
    def set_document(self, document: Document, saved: bool = False) -> Document:
        """Replace everything (New, Open, lesson); returns the previous document."""
        previous = self._document
        self._commit(document, definitions=True, cursor=len(document.actions))
        if saved:
            self.mark_saved()
        return previous

    @after_pending
    def restore(self, document: Document, cursor: int) -> None:
        """Go back to ``document`` as an edit does (a rename undone), showing point ``cursor``."""
        self._commit(document, definitions=True, cursor=cursor, elsewhere=True)

    def mark_saved(self) -> None:
        self._saved = self._document
        if self._modified:
            self._modified = False
            self.modified_changed.emit(False)

    # -- leaves --
    @after_pending
    def insert_leaf(self, index: int, leaf: Leaf) -> None:
        self._check_new_name(leaf.name)
        self._edit_definitions(inserted(self._document, "leaves", index, leaf))

    @after_pending
    def remove_leaf(self, name: str, unused_only: bool = True) -> tuple[int, Leaf]:
        """Remove a leaf nobody uses; returns where it was and what it was, for undo.

        ``unused_only=False`` is for undoing its addition: a step that named it then named
        nothing before (the step it used was deleted), and goes back to that."""
        users = self.users_of(name)
        if users and unused_only:
            raise SessionError(f"{name} is used by {users[0]}; remove or change {users[0]} first")
        document, index, leaf = removed(self._document, "leaves", name)
        self._edit_definitions(document)
        return index, leaf

    @after_pending
    def replace_leaf(self, name: str, leaf: Leaf) -> Leaf:
        """Put ``leaf`` where the leaf ``name`` is (same name); returns the old one."""
        document, old = replaced(self._document, "leaves", name, leaf)
        if leaf.name != name:
            raise SessionError(f"replacing {name} keeps its name; rename it instead")
        self._edit_definitions(document)
        return old

    # -- steps --
    @after_pending
    def insert_step(self, index: int, step: Step) -> None:
        self._check_new_name(step.name)
        self._edit_definitions(inserted(self._document, "steps", index, step))

    @after_pending
    def remove_step(self, name: str) -> tuple[int, Step]:
        document, index, step = removed(self._document, "steps", name)
        self._edit_definitions(document)
        return index, step

    @after_pending
    def replace_step(self, name: str, step: Step) -> Step:
        document, old = replaced(self._document, "steps", name, step)
        if step.name != name:
            self._check_new_name(step.name)
        self._edit_definitions(document)
        return old

    @after_pending
    def move_step(self, old_index: int, new_index: int) -> None:
        """Reorder; a step moved above what it uses stays, marked as not computable."""
        self._edit_definitions(moved_step(self._document, old_index, new_index))

    @after_pending
    def rename(self, old: str, new: str) -> None:
        """Rename a tensor everywhere it is mentioned: steps, ``*_like`` leaves and actions."""
        self._check_new_name(new)
        self._commit(renamed(self._document, old, new), definitions=True, elsewhere=True)

    # -- timeline --
    @after_pending
    def insert_action(self, index: int, action: Action) -> None:
        """Add an action at ``index`` of the timeline and select its outcome."""
        if action.kind == "detach":
            self._check_new_name(action.new_name)
        actions = list(self._document.actions)
        index = len(actions) if index < 0 else index
        actions.insert(index, action)
        document = self._document.model_copy(update={"actions": tuple(actions)})
        if index == len(self._document.actions) and self._is_ahead_by(action):
            self._document = document  # a redo: the engine state is already after it
            self._replay.document = document
            self._replay.record(self._ahead[1])
            self._live, self._ahead = True, None
            self._after_change(definitions=False, cursor=index + 1)
        elif index == len(self._document.actions) and self._live:
            self._document = document  # appending: continue the live replay
            self._replay.document = document
            self._replay.run(action)
            self._ahead = None
            self._after_change(definitions=False, cursor=index + 1)
        else:
            self._commit(document, definitions=False, cursor=index + 1, elsewhere=True)

    @after_pending
    def remove_action(self, index: int) -> Action:
        actions = list(self._document.actions)
        removed = actions.pop(index)
        document = self._document.model_copy(update={"actions": tuple(actions)})
        if index == len(actions):
            # The outcomes before it stay valid; only the engine state is now ahead of them.
            self._document = document
            self._replay.document = document
            undone = self._replay.outcomes.pop()
            # Only one action ahead can be redone from the engine state as it is.
            self._ahead = (removed, undone) if self._live else None
            self._live = False
            self._after_change(definitions=False, cursor=min(self._cursor, index))
        else:
            self._commit(document, definitions=False, cursor=min(self._cursor, index),
                         elsewhere=True)
        return removed

    # -- plumbing --
    def _check_new_name(self, name: str) -> None:
        check_new_name(self._document, name)

    def _edit_definitions(self, document: Document) -> None:
        self._commit(document, definitions=True, elsewhere=True)

    def _commit(self, document: Document, definitions: bool, cursor: int | None = None,
                elsewhere: bool = False) -> None:
        """Replay ``document`` and show it. An edit (``elsewhere``) whose replay is big is
        handed to ``replay_elsewhere`` instead, and shown when it lands."""
        if elsewhere and self.replay_elsewhere is not None and \
                worth_replaying_elsewhere(document, self.outcomes[-1]):
            self._pending = PendingEdit(document, self.outcomes, definitions, cursor)
            self.replay_elsewhere(self._pending)
            return
        self._document = document
        self._replay = Replay(document)
        self._live, self._ahead = True, None
        self._deltas_of, self._deltas = None, {}  # its outcomes are gone
        self._after_change(definitions, self._cursor if cursor is None else cursor)

    def _after_change(self, definitions: bool, cursor: int) -> None:
        was_modified, modified = self._modified, self._document != self._saved
        self._modified = modified
        self._cursor = max(0, min(cursor, len(self.outcomes) - 1))
        if definitions:
            self.definitions_changed.emit()
        self.timeline_changed.emit()
        self.cursor_changed.emit(self._cursor)
        if modified != was_modified:
            self.modified_changed.emit(modified)

