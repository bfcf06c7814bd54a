"""Plain words for PyTorch's errors and warnings: what went wrong, in one line, and the fix.

The console shows PyTorch's own message first (that is what a learner meets in a notebook), then
this explanation and fix; lessons and the command line use the same catalogue. Matching keys on
PyTorch's wording (``error_catalogue*.py``), so a message from real PyTorch gets the same help.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from .error_catalogue import AUTOGRAD, SHAPES, Entry
from .error_catalogue_values import DTYPES, INDEXING, LOSSES, MAKING, SESSION

GENERIC = "generic"


class ErrorHelp(NamedTuple):
    """``key`` names the kind of error (``"second-backward"``; ``GENERIC`` when unknown)."""

    explanation: str
    fix: str
    key: str = GENERIC


def entries() -> list[Entry]:
    """The whole catalogue in matching order."""
    return AUTOGRAD + SHAPES + INDEXING + DTYPES + LOSSES + MAKING + SESSION


@cache
def _compiled() -> list[tuple[re.Pattern, Entry]]:
    return [(re.compile(entry.pattern), entry) for entry in entries()]


def explain(message: str) -> ErrorHelp:
    """The explanation and fix for one message: ``"RuntimeError: ..."`` or a warning's text."""
    for pattern, entry in _compiled():
        match = pattern.search(message)
        if match is not None:
            found = {k: v for k, v in match.groupdict().items() if v is not None}
            return ErrorHelp(_fill(entry.explanation, found), _fill(entry.fix, found), entry.key)
    return ErrorHelp(
        "PyTorch refused this action; its message above says why.",
        "Undo it (Ctrl+Z), or change what it uses and try again.",
    )


def help_text(message: str, sep: str = "\n") -> str:
    """``"<explanation><sep>Fix: <fix>"`` for a tooltip under an error, or "" when the catalogue
    has nothing specific to say (the message itself is then the best help)."""
    help_ = explain(message)
    return "" if help_.key == GENERIC else f"{help_.explanation}{sep}Fix: {help_.fix}"


def _fill(template: str, found: dict[str, str]) -> str:
    # An alternative of a pattern may leave a group unset; the template is then shown as is
    # rather than failing (the catalogue test checks every entry fills with its own groups).
    try:
        return template.format_map(found)
    except KeyError:
        return template
