"""Reading what a learner typed as a prediction, with ``ast`` and never ``eval``.

``8``, ``tensor(8.)``, ``[[1, 2], [3, 4]]``, ``None``/``none``, ``True``, ``(5, 4)``, ``5x4``,
``torch.Size([5, 4])`` and plain arithmetic on numbers (``2/3``, ``4 * 3``) become Python data;
anything else is a ``PredictError`` naming what could not be read. A decimal typed with two or
more significant digits (``0.33``, ``-0.1060``) is a ``Rounded``: it remembers how precisely it
was typed, so the judge can accept it as a rounding of the answer.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any


class PredictError(ValueError):
    """A question's expression outside the grammar, or typed text that cannot be read."""


_HELP = ("type a number, a list like [[1, 2], [3, 4]], True/False, None or a shape like (5, 4)")
_MAX_NUMBER = 1e300  # arithmetic beyond this is no answer anyone means; refuse, not overflow


class Rounded(float):
    """A number typed as a decimal, e.g. ``0.106``: ``tolerance`` is half a unit in its last
    typed place (0.0005), the error of rounding the true value to what was typed."""

    tolerance: float

    def __new__(cls, value: float, tolerance: float):
        number = super().__new__(cls, value)
        number.tolerance = tolerance
        return number

    def __neg__(self):
        return Rounded(-float(self), self.tolerance)

    def __pos__(self):
        return self


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
    source = _PRINTED_GRAPH.sub("", text)
    if "[" in source:  # "[-1 -2]" is numpy's [-1, -2], not the arithmetic [-3]
        source = _NUMPY_SIGNED_GAP.sub(", ", source)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        source = _NUMPY_GAP.sub(", ", source)  # [1 2 0] as numpy prints it: [1, 2, 0]
        tree = _parsed(source, text)
    except (ValueError, RecursionError, MemoryError):
        raise PredictError(f"could not read {text!r}: {_HELP}") from None
    try:
        return _literal(tree.body, source)
    except RecursionError:
        raise PredictError(f"could not read {text!r}: it is nested too deeply") from None


# The blank between two numbers (or rows) of a list printed by numpy: "[1. 2.]", "[[1 2] [3 4]]".
_NUMPY_GAP = re.compile(r"(?<=[\d.\]])\s+(?=[-+\d.\[])")
_NUMPY_SIGNED_GAP = re.compile(r"(?<=[\d.\]])\s+(?=[-+][\d.])")


def _parsed(source: str, text: str) -> ast.Expression:
    try:
        return ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise PredictError(f"could not read {text!r}: {_HELP}") from None


_NAMES = {"true": True, "false": False, "none": None, "nan": float("nan"), "inf": float("inf")}


_ARITHMETIC = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
               ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}


def is_number(value) -> bool:
    """An int or float as typed (a ``Rounded`` too), not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _literal(node, source: str):
    if isinstance(node, ast.Constant) and (node.value is None or
                                           type(node.value) in (bool, int, float)):
        return _rounded(node.value, ast.get_source_segment(source, node) or "")
    if isinstance(node, ast.Name) and node.id.lower() in _NAMES:
        return _NAMES[node.id.lower()]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _literal(node.operand, source)
        if is_number(operand):
            return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        return _arithmetic(node, source)
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_literal(element, source) for element in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Call) and len(node.args) == 1:
        function = _source(node.func)
        if function in ("tensor", "torch.tensor"):  # keywords such as dtype= are ignored
            return TypedTensor(_literal(node.args[0], source))
        if function in ("Size", "torch.Size") and not node.keywords:
            sizes = _literal(node.args[0], source)
            if isinstance(sizes, (list, tuple)):
                return TypedShape(tuple(sizes))
    raise PredictError(f"could not read {_source(node)!r}: {_HELP}")


def _arithmetic(node: ast.BinOp, source: str) -> float:
    """``2/3`` or ``4 * 3``: numbers only, computed exactly (no rounding tolerance)."""
    left, right = _literal(node.left, source), _literal(node.right, source)
    if not (is_number(left) and is_number(right)):
        raise PredictError(f"could not read {_source(node)!r}: arithmetic works on numbers only")
    try:
        result = _ARITHMETIC[type(node.op)](float(left), float(right))
    except ZeroDivisionError:
        raise PredictError(f"could not read {_source(node)!r}: it divides by zero") from None
    if not abs(result) <= _MAX_NUMBER:
        raise PredictError(f"could not read {_source(node)!r}: the number is too large")
    return result


_DECIMAL = re.compile(r"\d*\.(\d+)")


def _rounded(value, typed: str):
    """``value`` as a ``Rounded`` when typed as a decimal with 2+ significant digits (``0.33``,
    ``2.0``): fewer (``0.5``, ``2.``) could round too much to be an answer, and whole numbers and
    exponents (``12``, ``1e-3``) are taken as exact."""
    match = _DECIMAL.fullmatch(typed)
    if type(value) is not float or match is None:
        return value
    significant = typed.replace(".", "").lstrip("0")
    if len(significant) < 2:
        return value
    return Rounded(value, 0.5 * 10.0 ** -len(match.group(1)) * (1 + 1e-6))


def tolerances(typed):
    """The rounding tolerance of each number in ``typed`` (0 where it was typed exactly), in
    the same nesting, so ``numpy.array`` of it lines up with ``numpy.array(typed)``."""
    if isinstance(typed, TypedTensor):
        return tolerances(typed.data)
    if isinstance(typed, (list, tuple)):
        return [tolerances(item) for item in typed]
    return getattr(typed, "tolerance", 0.0)


def _source(node) -> str:
    return ast.unparse(node)
