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


def _without_commentary(action: Action, cache: dict[int, tuple[Action, Action]]) -> Action:
    # Actions are immutable and the timeline keeps the same objects from one call to the next:
    # strip each once (a pydantic copy per comparison cost ~1 ms an action in a long lesson).
    known = cache.get(id(action))
    if known is None or known[0] is not action:
        known = cache[id(action)] = (action, action.model_copy(update=_COMMENTARY))
    return known[1]


class LessonGuide:
    """``plan`` is the lesson's actions; ``name`` its lesson name ("" when no lesson);
    ``title`` and ``intro`` the lesson document's title and note."""

    def __init__(self, name: str = "", plan: tuple[Action, ...] = (), title: str = "",
                 intro: str = ""):
        self.name = name
        self.plan = tuple(plan)
        self.title = title or name
        self.intro = intro
        self._stripped: dict[int, tuple[Action, Action]] = {}

    def _same(self, a: Action, b: Action) -> bool:
        if len(self._stripped) > 10_000:  # a very long session: start the cache again
            self._stripped.clear()
        return (_without_commentary(a, self._stripped)
                == _without_commentary(b, self._stripped))

    def __bool__(self) -> bool:
        return bool(self.plan)

    def matches(self, done: tuple[Action, ...]) -> dict[int, int]:
        """``{plan index: timeline point}`` for each plan action the timeline ``done`` took
        (point ``i + 1`` is the state after ``done[i]``); skipped prints are not in it."""
        found: dict[int, int] = {}
        position = 0
        for index, action in enumerate(done):
            probe = position
            while probe < len(self.plan) and self.plan[probe].kind == "print" and not self._same(
                    self.plan[probe], action):
                probe += 1
            if probe < len(self.plan) and self._same(self.plan[probe], action):
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
