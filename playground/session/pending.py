"""An action whose engine work runs on another thread, and which actions are worth it.

A Backward through ten steps of 2048×2048 tensors keeps the engine busy for ~70 ms, and
snapshotting the states for the timeline adds more: done on the GUI thread, the window would
not answer for that long. ``Session.begin_action`` hands such an action out as a
``PendingAction``; its ``compute`` (the engine work and the snapshot) may run on any thread,
and ``Session.land_pending`` records the outcome and emits the session's signals on the
session's own thread. Small actions are not worth the hop between threads: they stay
synchronous. No Qt here.
"""

from __future__ import annotations

import dataclasses
import os
import threading

import numpy as np

from .document import Action, Document
from .outcome import Outcome, grad_change, note_different, same_array
from .quiet_warnings import ensure_filter, quiet_thread
from .runner import Replay


def _configured_threshold(default: int = 20_000_000) -> int:
    text = os.environ.get("TENSOR_PLAYGROUND_BACKGROUND_ELEMENTS", "")
    return int(text) if text.isdigit() else default


# Elements (values and grads of every tensor) above which a forward or backward runs off the
# session's thread. Measured on the 2-core CI machine, click to repainted, medians: the 10-step
# 2048² pipeline (~46M elements with its grads) blocked the GUI thread 92–103 ms when in sync,
# ~19 ms with the thread, for the same total (~120 ms); the 1024² one (~12M) blocks ~14 ms in
# sync, and the hop would add ~7 ms to its 29 ms. Blocks grow 1–2 ms per million elements, so
# from ~20M (30–40 ms, two frames) the thread is worth it.
BACKGROUND_ELEMENTS = _configured_threshold()

# The same measure for an edit's replay (``worth_replaying_elsewhere``), kept apart so that
# either may be changed (or, in tests, forced) alone.
REPLAY_ELEMENTS = _configured_threshold()

# Forward recomputes every step and backward walks the graph: their work grows with the
# tensors. The other actions touch one tensor or none (and zero_grad reads .grad of non-leaf
# tensors under a warning filter that is not thread-safe), so they stay on the session's thread.
HEAVY_KINDS = ("forward", "backward")


def worth_a_thread(action: Action, outcome: Outcome) -> bool:
    """Whether ``action``, done after ``outcome``, is big enough to compute off the GUI thread:
    the elements of every value and ``.grad`` at that point estimate the engine work and the
    snapshot's copies."""
    return action.kind in HEAVY_KINDS and _elements(outcome) > BACKGROUND_ELEMENTS


def worth_replaying_elsewhere(document: Document, outcome: Outcome) -> bool:
    """Whether an edit's replay of ``document`` is big enough to compute off the GUI thread:
    the elements at ``outcome`` (the end of the timeline before the edit) are made once for
    the definitions and again for each forward or backward of the timeline. The 10-step 2048²
    pipeline with a forward and a backward replayed in ~0.85 s on the GUI thread."""
    heavy = sum(action.kind in HEAVY_KINDS for action in document.actions)
    return _elements(outcome) * (1 + heavy) > REPLAY_ELEMENTS


def _elements(outcome: Outcome) -> int:
    elements = 0
    for state in outcome.states.values():
        elements += 0 if state.value is None else state.value.size
        elements += 0 if state.grad is None else state.grad.size
    return elements


class PendingAction:
    """One action being appended: ``compute`` runs it on the live replay (any thread, once);
    ``finished`` is set when it has, with ``outcome`` or the unexpected ``exception``.

    Engine errors (a second backward, a wrong seed) are part of the outcome, as when the
    action runs synchronously; ``exception`` is only for a bug in the recording itself.
    """

    def __init__(self, replay: Replay, action: Action):
        self.action = action
        self.outcome: Outcome | None = None
        self.exception: BaseException | None = None
        self.grad_changes: dict[str, np.ndarray | None] = {}  # of the grads it changed
        self.finished = threading.Event()
        self.replay = replay
        # On the session's thread: the worker's warnings are ignored by a filter that must
        # come before any the process added (``-W error``), as ``Replay.run``'s block does.
        ensure_filter()

    def compute(self) -> None:
        """The engine work and the snapshot; touches only the replay, never the session."""
        try:
            # errstate is per thread (numpy keeps it in a context variable), unlike the
            # warnings filters the synchronous path silences warnings with.
            with np.errstate(all="ignore"), quiet_thread():
                outcome = self._compute()
                # What the status line and the timeline show, computed here rather than on
                # the GUI thread (``Session.grad_delta`` keeps them).
                before = self.replay.outcomes[outcome.index - 1].states
                self.grad_changes = {name: grad_change(outcome.states[name], before.get(name))
                                     for name, what in outcome.reported if what == "grad"}
                self.outcome = outcome
        except BaseException as error:  # noqa: BLE001 - handed to the session's thread
            self.exception = error
        finally:
            self.finished.set()

    def _compute(self) -> Outcome:
        return self.replay.compute(self.action)


class PendingReplay(PendingAction):
    """An action appended where the live engine state cannot go on (an undo at the end left
    it ahead of the timeline): ``compute`` replays ``document``, which ends with the action,
    into a new ``replay`` (any thread), as ``Session`` does synchronously then.

    ``shown`` are the outcomes the session has now: values and grads the new replay finds
    equal to theirs are theirs again (compared on the worker), so views that compare what they
    show with the new outcome find the same arrays at once. Without it, landing a redo of the
    2048² pipeline blocked the GUI thread ~0.5 s while the heatmaps compared 22 arrays.
    """

    def __init__(self, document: Document, shown: list[Outcome]):
        super().__init__(None, document.actions[-1])
        self.document, self._shown = document, list(shown)

    def _compute(self) -> Outcome:
        self.replay = Replay(self.document)
        _share_equal_arrays(self.replay.outcomes, self._shown)
        return self.replay.outcomes[-1]


class PendingEdit(PendingReplay):
    """An edit (a leaf, a step, a rename, an action inserted or removed before the end) whose
    replay of the edited ``document`` runs on another thread; ``action`` is None. Until it
    lands the session shows the state before the edit, as for an action.

    ``definitions`` and ``cursor`` are what the session emits and selects when it lands
    (``cursor`` None: the point selected then).
    """

    def __init__(self, document: Document, shown: list[Outcome], definitions: bool,
                 cursor: int | None):
        PendingAction.__init__(self, None, None)
        self.document, self._shown = document, list(shown)
        self.definitions, self.cursor = definitions, cursor
        self.origin = None  # what started it, for a window's undo stack to take it back


def _share_equal_arrays(outcomes: list[Outcome], shown: list[Outcome]) -> None:
    """Put ``shown``'s arrays in ``outcomes`` wherever they are equal (``same_array``), point
    by point; an array the replay shared between points stays shared."""
    swapped: dict[int, np.ndarray] = {}  # id of an array of ``outcomes`` -> the one shown
    for index, outcome in enumerate(outcomes):
        before = shown[index].states if index < len(shown) else {}
        for name, state in outcome.states.items():
            old = before.get(name)
            value = _swap(state.value, None if old is None else old.value, swapped)
            grad = _swap(state.grad, None if old is None else old.grad, swapped)
            if value is not state.value or grad is not state.grad:
                outcome.states[name] = dataclasses.replace(state, value=value, grad=grad)


def _swap(array, old, swapped: dict[int, np.ndarray]):
    if array is None:
        return None
    if id(array) not in swapped:
        if old is None:
            return array
        if not same_array(old, array):
            note_different(old, array)  # views comparing them as it lands need not read them
            return array
        swapped[id(array)] = old
    return swapped[id(array)]
