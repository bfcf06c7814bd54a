"""Follows a learner through a lesson's timeline, so the window can show what comes next.

A lesson opens with its tensors and pipeline but an empty timeline: the learner takes the
lesson's actions themselves (with the step buttons, or "Next lesson step"). The guide matches
what they did against the lesson's plan in order; prints are skipped over when the learner
moves on without them, and anything else they try on the way simply does not advance it.
"""

from __future__ import annotations

from playground.session import Action


def _same(a: Action, b: Action) -> bool:
    # Notes are the lesson's commentary, not part of what the action does.
    return a.model_copy(update={"note": ""}) == b.model_copy(update={"note": ""})


class LessonGuide:
    """``plan`` is the lesson's actions; ``name`` its lesson name ("" when no lesson)."""

    def __init__(self, name: str = "", plan: tuple[Action, ...] = ()):
        self.name = name
        self.plan = tuple(plan)

    def __bool__(self) -> bool:
        return bool(self.plan)

    def position(self, done: tuple[Action, ...]) -> int:
        """How many of the plan's actions the timeline ``done`` has covered."""
        position = 0
        for action in done:
            probe = position
            while probe < len(self.plan) and self.plan[probe].kind == "print" and not _same(
                    self.plan[probe], action):
                probe += 1
            if probe < len(self.plan) and _same(self.plan[probe], action):
                position = probe + 1
        return position

    def upcoming(self, done: tuple[Action, ...]) -> tuple[Action, ...]:
        return self.plan[self.position(done):]

    def next_action(self, done: tuple[Action, ...]) -> Action | None:
        upcoming = self.upcoming(done)
        return upcoming[0] if upcoming else None
