"""Reading what a learner typed as a prediction, with ``ast`` and never ``eval``.

``8``, ``tensor(8.)``, ``[[1, 2], [3, 4]]``, ``None``/``none``, ``True``, ``(5, 4)``, ``5x4`` and
``torch.Size([5, 4])`` become Python data; anything else is a ``PredictError`` naming what could
not be read.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any


class PredictError(ValueError):
    """A question's expression outside the grammar, or typed text that cannot be read."""


_HELP = ("type a number, a list like [[1, 2], [3, 4]], True/False, None or a shape like (5, 4)")


@dataclass(frozen=True)
class TypedShape:
    """A shape as typed: ``5x4`` or ``torch.Size([5, 4])``."""

    sizes: tuple


@dataclass(frozen=True)
class TypedTensor:
    """``tensor(...)`` as typed; ``data`` is what was inside."""

    data: Any


# A tensor copied from PyTorch's output ends with ", grad_fn=<SelectBackward0>", which is not
# Python; it says nothing about the values, so it is dropped before parsing.
_PRINTED_GRAPH = re.compile(r",\s*grad_fn=<\w+>")


def read_literal(text: str):
    """Typed text as Python data: numbers, bools, None, nested lists, ``TypedShape``, tensors."""
    compact = text.replace(" ", "").replace("×", "x").lower()
    parts = compact.split("x")
    if len(parts) > 1 and all(p.isdigit() for p in parts):  # 5x4
        return TypedShape(tuple(int(p) for p in parts))
    try:
        tree = ast.parse(_PRINTED_GRAPH.sub("", text), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise PredictError(f"could not read {text!r}: {_HELP}") from None
    try:
        return _literal(tree.body)
    except RecursionError:
        raise PredictError(f"could not read {text!r}: it is nested too deeply") from None


_NAMES = {"true": True, "false": False, "none": None, "nan": float("nan"), "inf": float("inf")}


def _literal(node):
    if isinstance(node, ast.Constant) and (node.value is None or
                                           type(node.value) in (bool, int, float)):
        return node.value
    if isinstance(node, ast.Name) and node.id.lower() in _NAMES:
        return _NAMES[node.id.lower()]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _literal(node.operand)
        if type(operand) in (int, float):
            return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_literal(element) for element in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Call) and len(node.args) == 1:
        function = _source(node.func)
        if function in ("tensor", "torch.tensor"):  # keywords such as dtype= are ignored
            return TypedTensor(_literal(node.args[0]))
        if function in ("Size", "torch.Size") and not node.keywords:
            sizes = _literal(node.args[0])
            if isinstance(sizes, (list, tuple)):
                return TypedShape(tuple(sizes))
    raise PredictError(f"could not read {_source(node)!r}: {_HELP}")


_NUMBER = re.compile(r"(?<![\w.])\d*\.?\d+(?:e[+-]?\d+)?", re.IGNORECASE)


def printed_tolerance(text: str) -> float:
    """Extra absolute tolerance for numbers typed as PyTorch prints them: ``-0.1060`` (4
    decimals) is right for -0.10595, which rel 1e-4 alone would refuse. Only numbers with at
    least 4 decimals earn it, so ``0`` is never right for 0.4."""
    numbers = _NUMBER.findall(text)
    if not numbers or any("e" in n.lower() or "." not in n for n in numbers):
        return 0.0
    decimals = min(len(n.split(".")[1]) for n in numbers)
    return 0.5 * 10.0 ** -decimals * (1 + 1e-6) if decimals >= 4 else 0.0


def _source(node) -> str:
    return ast.unparse(node)
