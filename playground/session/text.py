"""Text as PyTorch prints it: the engine's reprs and errors with ``torch.`` for ``engine.``."""

from __future__ import annotations

import re

_ENGINE_PREFIX = re.compile(r"\bengine\.")


def torch_text(text: str) -> str:
    """``dtype=engine.float64`` and the like, spelt as torch spells them."""
    return _ENGINE_PREFIX.sub("torch.", text)


def error_text(error: BaseException) -> str:
    """What a script prints for an exception: ``RuntimeError: Trying to backward ...``."""
    return torch_text(f"{type(error).__name__}: {error}")


def shown(value) -> str:
    """What ``print(value)`` shows for a tensor, a ``.grad`` (maybe None) or text."""
    return torch_text(str(value))


def formatted(value) -> str:
    """What ``f"{value}"`` shows: PyTorch formats a 0-d tensor as its Python number there."""
    if hasattr(value, "dim") and value.dim() == 0:
        return format(value.item(), "")
    return shown(value)


def counted(number: int, noun: str) -> str:
    """``1 step``, ``2 steps``, ``0 steps``."""
    return f"{number} {noun}" + ("" if number == 1 else "s")
