"""The console transcript: each timeline action as its PyTorch line and what it printed.

The window's console shows this; the exported script prints exactly the ``output`` parts.
"""

from __future__ import annotations

from dataclasses import dataclass

from .export import action_body, kept_names
from .model import Session


@dataclass(frozen=True)
class ConsoleEntry:
    """One action: its torch ``code`` (``>>>`` lines), the ``output`` it printed, and
    ``error`` (the exception line, also the last line of ``output``) when it raised."""

    index: int
    code: str
    output: str
    error: str | None


def transcript(session: Session, start: int = 0, stop: int | None = None,
               kept: set[str] | None = None) -> list[ConsoleEntry]:
    """The entries of the timeline's actions ``start`` to ``stop - 1`` (all by default; action
    ``i`` is timeline point ``i + 1``). A part costs what its actions cost: the console draws
    the last few of a long timeline. ``kept`` is ``kept_names(session)`` if already known."""
    taken = set(session.tensor_names(len(session.outcomes) - 1))
    # What every forward's code needs, read from the whole timeline: once, and only if needed.
    entries = []
    for outcome in session.outcomes[1:][start:stop]:
        if kept is None and outcome.action.kind == "forward":
            kept = kept_names(session)
        code = "\n".join(action_body(session, outcome, taken, kept))
        entries.append(ConsoleEntry(outcome.index, code, outcome.output, outcome.error))
    return entries


def transcript_text(session: Session) -> str:
    """The transcript as notebook-style text: ``>>> code`` then what it printed."""
    parts = []
    for entry in transcript(session):
        parts += [f">>> {line}" if i == 0 else f"... {line}"
                  for i, line in enumerate(entry.code.splitlines())]
        if entry.output:
            parts.append(entry.output)
    return "\n".join(parts) + ("\n" if parts else "")
