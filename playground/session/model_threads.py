"""The half of ``Session`` that deals with work computed on another thread.

A big action is handed out by ``begin_action`` (a ``PendingAction``, or a ``PendingReplay``
when the engine state cannot go on), and a big edit's replay by ``Session._commit`` to
``replay_elsewhere`` (a ``PendingEdit``). Either is computed on any thread and landed here,
on the session's thread, by ``land_pending``: only then do the session's signals fire. Every
edit lands what is pending first (``after_pending``), so edits never interleave with it.
"""

from __future__ import annotations

import functools

from .document import Action, Document
from .outcome import Outcome
from .pending import PendingAction, PendingEdit, PendingReplay


def after_pending(edit):
    """An edit first lands the action computed on another thread, then happens after it."""

    @functools.wraps(edit)
    def edit_after_pending(self, *args, **kwargs):
        self.land_pending()
        return edit(self, *args, **kwargs)

    return edit_after_pending


class OffThreadWork:
    """Mixed into ``Session``; uses its state (``_pending``, ``_replay``, ``_live``, ``_ahead``,
    ``_document``, the grad-change cache) and its ``_commit`` and ``_after_change``."""

    @property
    def busy(self) -> bool:
        """An action handed out by ``begin_action``, or an edit's replay, has not landed yet."""
        return self._pending is not None

    @property
    def pending(self) -> PendingAction | None:
        """What is computing on another thread (an action or an edit's replay), if anything."""
        return self._pending

    @property
    def planned_document(self) -> Document:
        """The document once the action computing on another thread has landed (``document``
        when none is): what saving now must write, so that no action asked for is lost."""
        if self._pending is None:
            return self._document
        if isinstance(self._pending, PendingEdit):
            return self._pending.document
        actions = (*self._document.actions, self._pending.action)
        return self._document.model_copy(update={"actions": actions})

    # -- an action computed on another thread --
    def begin_action(self, action: Action) -> PendingAction | None:
        """Start appending ``action``, whose ``compute()`` the caller runs on any thread, then
        calls ``land_pending`` on this one. None when it costs nothing to append it with
        ``insert_action`` instead (a redo of the action an undo at the end took back).
        Refused names raise ``SessionError`` here, as ``insert_action`` would."""
        self.land_pending()
        if self._is_ahead_by(action):
            return None
        if action.kind == "detach":
            self._check_new_name(action.new_name)
        if self._live:
            self._pending = PendingAction(self._replay, action)
        else:  # the engine state is ahead of the timeline: everything is replayed, with it
            actions = (*self._document.actions, action)
            document = self._document.model_copy(update={"actions": actions})
            self._pending = PendingReplay(document, self.outcomes)
        return self._pending

    def land_pending(self) -> Outcome | None:
        """Wait for the action ``begin_action`` handed out, append it and select its outcome;
        None when none is pending. A bug while computing it is raised here, with the engine
        state rebuilt without the action; an edit's replay that failed leaves the session as
        before the edit, and goes to ``replay_failed`` when that is set."""
        pending, self._pending = self._pending, None
        if pending is None:
            return None
        if not pending.finished.is_set():
            self.landing_waits.emit(pending.action)
            pending.finished.wait()
        if isinstance(pending, PendingEdit):
            return self._land_edit(pending)
        if pending.exception is not None:
            self._commit(self._document, definitions=False)
            raise pending.exception
        actions = (*self._document.actions, pending.action)
        self._document = self._document.model_copy(update={"actions": actions})
        if isinstance(pending, PendingReplay):  # a whole new replay, live at its end
            self._replay, self._live = pending.replay, True
        else:
            self._replay.record(pending.outcome)
        self._replay.document = self._document
        self._ahead = None
        self._deltas_of, self._deltas = pending.outcome, dict(pending.grad_changes)
        self._after_change(definitions=False, cursor=len(actions))
        return pending.outcome

    def land_edit(self) -> None:
        """Land an edit still replaying on another thread (waiting for it, if need be): what a
        new command reads (the document, the values at point 0) must include it."""
        if isinstance(self._pending, PendingEdit):
            self.land_pending()

    def _land_edit(self, pending: PendingEdit) -> Outcome | None:
        if pending.exception is not None:  # a bug: the session stays as before the edit
            if self.replay_failed is None:
                raise pending.exception
            # Not raised into whatever landed it (a later, innocent edit goes on, on the
            # state before the failed one): the window takes the failed edit back.
            self.replay_failed(pending)
            return None
        self._document = pending.document
        self._replay, self._live, self._ahead = pending.replay, True, None
        self._deltas_of, self._deltas = pending.outcome, dict(pending.grad_changes)
        self._after_change(pending.definitions,
                           self._cursor if pending.cursor is None else pending.cursor)
        return pending.outcome

    def _is_ahead_by(self, action: Action) -> bool:
        """The engine state is the one after ``action``, appended now (an undo took it back)."""
        return not self._live and self._ahead is not None and self._ahead[0] == action
