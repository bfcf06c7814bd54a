"""Warnings silenced for one thread only: what the replay does on a worker thread.

On the GUI thread the replay silences warnings with ``warnings.catch_warnings()``, as PyTorch's
messages for an action are worked out from the timeline instead (``action_warnings.py``). That
block swaps the process-wide filter list in and out, so two threads using it at once can leave
the wrong list in place for good (one thread restores the list the other had just replaced).
Python 3.11 has no per-thread filters, so a worker thread sets a thread-local flag instead, and
one filter, kept first in the list, ignores every warning raised while that thread's flag is
set: the worker's actions then print and raise exactly what they do on the GUI thread, and the
worker never changes the filter list. Only ``ensure_filter`` changes it, on the session's
thread (``begin_action``), so no other thread's ``catch_warnings`` can be interleaved with it.
"""

from __future__ import annotations

import contextlib
import threading
import warnings

_state = threading.local()


class _InAQuietThread:
    """Stands where a filter has its message pattern: the warnings machinery calls
    ``match(text)`` and applies the filter (``ignore``) when it is true."""

    def match(self, _text: str) -> bool:
        return getattr(_state, "quiet", False)

    def __repr__(self) -> str:  # how warnings.filters prints it
        return "<warnings raised in a quiet thread>"


QUIET_FILTER = ("ignore", _InAQuietThread(), Warning, None, 0)


def ensure_filter() -> None:
    """Put the quiet-thread filter first in ``warnings.filters`` (call it on the session's
    thread before a worker starts: a filter added before it, ``-W error`` say, would else be
    applied to the worker's warnings first)."""
    filters = warnings.filters
    if filters and filters[0] is QUIET_FILTER:
        return
    with contextlib.suppress(ValueError):
        filters.remove(QUIET_FILTER)
    filters.insert(0, QUIET_FILTER)
    warnings._filters_mutated()  # the documented filter functions do this after a change


def in_a_quiet_thread() -> bool:
    """Whether warnings raised on this thread are being ignored by ``QUIET_FILTER``."""
    return getattr(_state, "quiet", False)


@contextlib.contextmanager
def quiet_thread():
    """Ignore every warning raised on this thread inside the block; other threads' are not
    touched, and neither is the filter list."""
    was = in_a_quiet_thread()
    _state.quiet = True
    try:
        yield
    finally:
        _state.quiet = was



@contextlib.contextmanager
def silenced():
    """Ignore every warning raised inside the block: the replay's one way to silence them. A
    quiet thread already ignores them (and must not touch the filter list); any other thread
    swaps in a list that ignores them (``warnings.catch_warnings``)."""
    if in_a_quiet_thread():
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


ensure_filter()  # at import, on the importing thread: most processes need nothing more
