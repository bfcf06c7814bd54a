"""The lessons shipped in ``resources/lessons``: ordinary session files with notes."""

from __future__ import annotations

from pathlib import Path

from .document import Document
from .persist import SUFFIX, load

LESSONS_DIR = Path(__file__).resolve().parents[2] / "resources" / "lessons"


class LessonError(LookupError):
    """No lesson of that name; the message lists the ones there are."""


def lesson_names() -> list[str]:
    return sorted(p.name.removesuffix(SUFFIX) for p in LESSONS_DIR.glob("*" + SUFFIX))


def lesson_path(name: str) -> Path:
    path = LESSONS_DIR / f"{name}{SUFFIX}"
    if "/" in name or "\\" in name or not path.is_file():
        available = ", ".join(lesson_names()) or "none"
        raise LessonError(f"unknown lesson {name!r} (available: {available})")
    return path


def load_lesson(name: str) -> Document:
    return load(lesson_path(name))
