"""What a timeline point records (``TensorState``, ``Outcome``) and how two points compare.

The replay (``runner.py``) makes these; views, exports and the session read them. Arrays are
numpy copies, shared between points while they are equal, so comparing is mostly ``is``.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from .document import Action


@dataclass(frozen=True)
class TensorState:
    """One tensor at one timeline point. ``value`` is None when it could not be computed:
    ``error`` is then the engine's message, or ``blocked_by`` names the tensor it depends on."""

    name: str
    origin: str  # "leaf", "step" or "detached"
    value: np.ndarray | None
    grad: np.ndarray | None
    requires_grad: bool = False
    is_leaf: bool = True
    grad_fn: str | None = None
    retains_grad: bool = False
    error: str | None = None
    blocked_by: str | None = None


@dataclass(frozen=True)
class Outcome:
    """A timeline point: the action (None for the definitions), its error, every tensor's state,
    what it reported (``(name, "value" | "grad")`` pairs) and the text it printed."""

    index: int
    action: Action | None
    error: str | None
    states: dict[str, TensorState]
    reported: tuple[tuple[str, str], ...]
    output: str
    seed_used: np.ndarray | None = None
    reported_text: tuple[str, ...] = ()  # how each reported tensor printed
    result_text: str | None = None  # what a notebook shows for the action's last expression
    # Point 0 only: each leaf as it was made, before an in-place step changed it (the exports
    # write random leaves as these literal values, and then run the steps again).
    made: dict[str, np.ndarray] | None = None


# Pairs of arrays found different on a worker thread (``note_different``), by id, with weak
# references that tell whether those ids still name the same arrays; the newest pairs only.
_DIFFERENT: dict[tuple[int, int], tuple[weakref.ref, weakref.ref]] = {}
_DIFFERENT_KEPT = 512


def note_different(a: np.ndarray, b: np.ndarray) -> None:
    """Remember that ``same_array(a, b)`` is False (timeline arrays are never written to), so
    a view comparing the same two arrays on the GUI thread need not read them again: after an
    edit replayed on a worker, one cell of 2048² changed made the heatmaps compare a dozen
    arrays in full (~150 ms) as they landed."""
    _DIFFERENT[(id(a), id(b))] = (weakref.ref(a), weakref.ref(b))
    while len(_DIFFERENT) > _DIFFERENT_KEPT:
        _DIFFERENT.pop(next(iter(_DIFFERENT)), None)


def _known_different(a: np.ndarray, b: np.ndarray) -> bool:
    for first, second in ((a, b), (b, a)):
        refs = _DIFFERENT.get((id(first), id(second)))
        if refs is not None and refs[0]() is first and refs[1]() is second:
            return True
    return False


def same_array(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Same dtype, shape and elements (nan equal to nan); None is only the same as None."""
    if a is None or b is None or a is b:  # shared arrays: no need to read them
        return a is b
    if a.dtype != b.dtype or a.shape != b.shape or _known_different(a, b):
        return False
    nan = a.dtype.kind == "f"
    # A few hundred elements first: arrays that differ (a gradient after a backward) nearly
    # always differ there, and comparing all of a 2048x2048 array costs ~50 ms.
    flat_a, flat_b = a.reshape(-1), b.reshape(-1)
    step = max(1, flat_a.size // 256)
    if not np.array_equal(flat_a[::step], flat_b[::step], equal_nan=nan):
        return False
    return np.array_equal(a, b, equal_nan=nan)


def grad_change(now: TensorState | None, before: TensorState | None) -> np.ndarray | None:
    """How a tensor's ``.grad`` changed between two timeline points (no grad counts as zeros;
    None when there is nothing to compare). Read-only: the session shares it between views."""
    if now is None or now.value is None:
        return None
    old = before.grad if before is not None else None
    if now.grad is None and old is None:
        return None
    new = now.grad if now.grad is not None else np.zeros_like(old)
    old = old if old is not None and old.shape == new.shape else np.zeros_like(new)
    change = np.asarray(new - old)  # 0-d arrays subtract to a numpy scalar
    change.flags.writeable = False
    return change


def copy_or_none(array):
    return None if array is None else array.copy()


def changes_between(before: dict[str, TensorState], after: dict[str, TensorState]):
    """What an action visibly changed, in tensor order: new or changed values, changed grads."""
    changed = []
    for name, state in after.items():
        old = before.get(name)
        if state.value is None:
            continue
        if old is None or old.value is None or not same_array(old.value, state.value) or (
            old.requires_grad != state.requires_grad or old.grad_fn != state.grad_fn
        ):
            changed.append((name, "value"))
        if old is not None and not same_array(old.grad, state.grad):
            changed.append((name, "grad"))
    return tuple(changed)
