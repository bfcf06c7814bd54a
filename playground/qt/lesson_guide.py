"""Follows a learner through a lesson's timeline, so the window can show what comes next.

A lesson opens with its tensors and pipeline but an empty timeline: the learner takes the
lesson's actions themselves (with the step buttons, "Next lesson step" or the Lesson panel).
The guide matches what they did against the lesson's plan in order; prints are skipped over
when the learner moves on without them, and anything else they try on the way simply does not
advance it.
"""

from __future__ import annotations

from playground.session import Action

# The lesson's commentary, not part of what an action does: a Backward pressed by hand has
# neither, and is still the lesson's backward.
_COMMENTARY = {"note": "", "question": None}


def _same(a: Action, b: Action) -> bool:
    return a.model_copy(update=_COMMENTARY) == b.model_copy(update=_COMMENTARY)


class LessonGuide:
    """``plan`` is the lesson's actions; ``name`` its lesson name ("" when no lesson);
    ``title`` and ``intro`` the lesson document's title and note."""

    def __init__(self, name: str = "", plan: tuple[Action, ...] = (), title: str = "",
                 intro: str = ""):
        self.name = name
        self.plan = tuple(plan)
        self.title = title or name
        self.intro = intro

    def __bool__(self) -> bool:
        return bool(self.plan)

    def matches(self, done: tuple[Action, ...]) -> dict[int, int]:
        """``{plan index: timeline point}`` for each plan action the timeline ``done`` took
        (point ``i + 1`` is the state after ``done[i]``); skipped prints are not in it."""
        found: dict[int, int] = {}
        position = 0
        for index, action in enumerate(done):
            probe = position
            while probe < len(self.plan) and self.plan[probe].kind == "print" and not _same(
                    self.plan[probe], action):
                probe += 1
            if probe < len(self.plan) and _same(self.plan[probe], action):
                found[probe] = index + 1
                position = probe + 1
        return found

    def position(self, done: tuple[Action, ...]) -> int:
        """How many of the plan's actions the timeline ``done`` has covered."""
        found = self.matches(done)
        return max(found) + 1 if found else 0

    def upcoming(self, done: tuple[Action, ...]) -> tuple[Action, ...]:
        return self.plan[self.position(done):]

    def next_action(self, done: tuple[Action, ...]) -> Action | None:
        upcoming = self.upcoming(done)
        return upcoming[0] if upcoming else None
