"""Live engine tensors for the learning views, rebuilt from the session's document.

The session keeps numpy snapshots of every timeline point, not the engine's graph objects; the
graph view, the backward stepper and the Jacobian panel need the real ``grad_fn`` nodes. They get
them by replaying the session's document up to a timeline point with the session's own public
runner (``playground.session.runner.Replay``): a private copy, so nothing a view does to it (a
stepped backward, released saved tensors) can reach the session.
"""

from __future__ import annotations

import warnings

from playground.session.document import Document
from playground.session.runner import Replay


def document_at(document: Document, index: int) -> Document:
    """The document whose replay ends at timeline point ``index`` (0 = after the definitions)."""
    return document.model_copy(update={"actions": document.actions[:max(0, index)]})


def replay_at(session, index: int | None = None) -> Replay | None:
    """A fresh engine replay of ``session`` as it is after timeline point ``index`` (the cursor by
    default), or None when it cannot be rebuilt."""
    index = session.cursor if index is None else index
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Replay(document_at(session.document, index))
    except Exception:  # a view must never crash on a session it cannot rebuild
        return None


class ReplayCache:
    """Keeps the last replay a read-only view built, keyed by (document, timeline point).

    Only for views that never change the engine state (the graph view, the Jacobian panel):
    whoever runs a backward must take its own ``replay_at``.
    """

    def __init__(self):
        self._key = None
        self._replay = None

    def get(self, session) -> Replay | None:
        key = (id(session.document), session.cursor)
        if key != self._key or self._replay is None:
            self._document = session.document  # keeps the id above from being reused
            self._replay = replay_at(session)
            self._key = key
        return self._replay

    def clear(self) -> None:
        self._key = self._replay = None
