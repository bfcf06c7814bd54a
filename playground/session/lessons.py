"""The lessons shipped in ``resources/lessons``: ordinary session files with notes.

``index.json`` there lists the lessons in course order; a lesson file it does not list still
appears, after the listed ones, alphabetically, so adding a lesson never hides it.
"""

from __future__ import annotations

import json
from pathlib import Path

from .document import Document
from .persist import SUFFIX, load

LESSONS_DIR = Path(__file__).resolve().parents[2] / "resources" / "lessons"
INDEX = "index.json"


class LessonError(LookupError):
    """No lesson of that name; the message lists the ones there are."""


def _course_order() -> list[str]:
    """The names ``index.json`` lists; none when it is missing or not a list of names (the
    lessons then come alphabetically rather than not at all)."""
    try:
        listed = json.loads((LESSONS_DIR / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(listed, list):
        return []
    return [name for name in listed if isinstance(name, str)]


def lesson_names() -> list[str]:
    """Every shipped lesson, in course order."""
    present = sorted(p.name.removesuffix(SUFFIX) for p in LESSONS_DIR.glob("*" + SUFFIX))
    ordered = [name for name in dict.fromkeys(_course_order()) if name in present]
    return ordered + [name for name in present if name not in ordered]


def lesson_path(name: str) -> Path:
    path = LESSONS_DIR / f"{name}{SUFFIX}"
    if "/" in name or "\\" in name or not path.is_file():
        available = ", ".join(lesson_names()) or "none"
        raise LessonError(f"unknown lesson {name!r} (available: {available})")
    return path


def load_lesson(name: str) -> Document:
    return load(lesson_path(name), shipped=True)


def lesson_title(name: str) -> str:
    """The lesson's title, for menus; its name when it has none or cannot be read (reading only
    the title, so a menu of lessons does not validate and replay every one)."""
    path = lesson_path(name)
    try:
        title = json.loads(path.read_text(encoding="utf-8")).get("title")
    except (OSError, ValueError, AttributeError):
        return name
    return title.strip() if isinstance(title, str) and title.strip() else name
