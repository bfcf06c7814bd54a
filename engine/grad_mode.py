"""Whether operations record the graph: ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""

from __future__ import annotations

import functools
import threading


class _GradState(threading.local):
    """Per thread, as in PyTorch: a worker thread's ``no_grad`` (or the backward walk, which
    records nothing while it runs) must not switch recording off for the GUI thread."""

    enabled = True
    forward_ad = False
    in_place = False  # an in-place op is running: it may record a result of an integer dtype


STATE = _GradState()
STATE.enabled = True  # on the instance: read by every op, and an instance attribute reads fast


def run_in_place(op, *args):
    """``op(*args)`` as an in-place op: PyTorch lets those record on an int tensor that a write
    put in the graph, unless they keep a copy of it, and refuses every other op that would
    (``function.record`` says so)."""
    outer, STATE.in_place = STATE.in_place, True
    try:
        return op(*args)
    finally:
        STATE.in_place = outer


def is_grad_enabled() -> bool:
    return STATE.enabled


class _GradModeContext:
    """Base of the context managers; each also works as a decorator, as in PyTorch."""

    mode = True

    def __enter__(self):
        self._previous = STATE.enabled
        STATE.enabled = self.mode

    def __exit__(self, *exc_info):
        STATE.enabled = self._previous
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Operations inside do not record the graph: results have ``requires_grad=False``."""

    mode = False


class enable_grad(_GradModeContext):  # noqa: N801
    """Record the graph again inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradModeContext):  # noqa: N801
    """Switch recording on or off: at once when called, and back when used with ``with``."""

    def __init__(self, mode: bool):
        self._previous = STATE.enabled
        self.mode = bool(mode)
        STATE.enabled = self.mode

    def __enter__(self):
        pass

    def __call__(self, func):
        STATE.enabled = self._previous  # as a decorator it applies per call, not at creation
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper


# Forward mode (``autograd.functional.jvp``) asks each recorded op to keep its inputs and result.
STATE.forward_ad = False
