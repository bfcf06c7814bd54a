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
    """Keeps the last replay a read-only view built, for the session's document and cursor.

    A later timeline point of the same document continues that replay with the actions in
    between (what the session itself does when an action is appended), so stepping forward
    through a long timeline does not replay it from the start each time. A new document whose
    definitions and timeline up to the replayed point are those of the last one (an action
    appended, or changed after that point) counts as the same document. An earlier point, or
    another document, replays from the start. Only for views that never change the engine
    state (the graph view): whoever runs a backward must take its own ``replay_at``.
    """

    def __init__(self):
        self._document = None
        self._cursor = 0
        self._replay: Replay | None = None

    def get(self, session) -> Replay | None:
        document, cursor = session.document, session.cursor
        replay = self._replay
        if replay is None or cursor < self._cursor or not _same_up_to(
                self._document, document, self._cursor):
            replay = replay_at(session)
        elif cursor > self._cursor:
            replay = _continued(replay, document, self._cursor, cursor) or replay_at(session)
        self._document, self._cursor, self._replay = document, cursor, replay
        return replay

    def clear(self) -> None:
        self._document = self._replay = None


def _same_up_to(old: Document | None, new: Document, cursor: int) -> bool:
    """Whether ``new`` replays like ``old`` up to timeline point ``cursor``: the same records
    (the session's edits copy the unchanged ones, so identity is usually enough)."""
    if old is None:
        return False
    if old is new:
        return True
    return all(getattr(old, name) == getattr(new, name) for name in
               ("leaves", "steps")) and new.actions[:cursor] == old.actions[:cursor]


def _continued(replay: Replay, document: Document, start: int, end: int) -> Replay | None:
    """``replay`` (at timeline point ``start``) run on to point ``end``; None if that fails."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for action in document.actions[start:end]:
                replay.run(action)
        replay.document = document_at(document, end)
        return replay
    except Exception:  # a view must never crash: the caller replays from the start instead
        return None
