"""Reading what people type or paste into the tensor editor, without ever evaluating it.

A cell is one number for the tensor's dtype; a pasted block is rows of tab-, comma-, semicolon-
or space-separated numbers, or a nested list as Python or torch prints it (``[[1, 2], [3, 4]]``,
``tensor([[4., 2.], [2., 4.]])``), read by a small tokenizer; a shape is a list of sizes.
Every refusal is a ``ValueError`` whose message says what is wrong in the learner's terms.
"""

from __future__ import annotations

import math
import re

import numpy as np

MAX_TEXT = 1_000_000  # characters of pasted text
MAX_CELL_TEXT = 64
FLOAT_MAX = {"float32": float(np.finfo(np.float32).max), "float64": float(np.finfo(np.float64).max)}
INT_RANGE = (-(2**63), 2**63 - 1)
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "+inf": math.inf, "-inf": -math.inf,
               "infinity": math.inf, "-infinity": -math.inf}
_TOKEN = re.compile(r"\s*(?:(\[)|(\])|(,)|([^\s\[\],]+))")


def parse_cell(text: str, dtype: str):
    """One element for a tensor of ``dtype``: a Python number, or ``ValueError`` saying why not."""
    raw = text if isinstance(text, str) else str(text)
    if len(raw) > MAX_CELL_TEXT:
        raise ValueError(f"{len(raw)} characters is not a number")
    word = raw.strip().replace("\u2212", "-").replace("_", "")
    if not word:
        raise ValueError("empty: type a number")
    if dtype == "bool":
        return _parse_bool(word)
    if dtype == "int64":
        return _parse_int(word)
    return _parse_float(word, dtype)


def _parse_bool(word: str) -> bool:
    lowered = word.lower()
    if lowered in ("true", "1", "1.", "1.0"):
        return True
    if lowered in ("false", "0", "0.", "0.0"):
        return False
    raise ValueError(f"'{word}' is not True or False (this tensor is bool)")


def _parse_int(word: str) -> int:
    try:
        number = float(word) if not re.fullmatch(r"[+-]?\d+", word) else int(word)
    except ValueError:
        raise ValueError(f"'{word}' is not a whole number (this tensor is int64)") from None
    if isinstance(number, float):
        if not math.isfinite(number) or number != int(number):
            raise ValueError(f"'{word}' is not a whole number (this tensor is int64)")
        number = int(number)
    if not INT_RANGE[0] <= number <= INT_RANGE[1]:
        raise ValueError(f"{word} is out of range for int64 (±9.2e18)")
    return number


def _parse_float(word: str, dtype: str) -> float:
    lowered = word.lower()
    if lowered in _NON_FINITE:
        return _NON_FINITE[lowered]
    if lowered.startswith("float(") and lowered.endswith(")"):  # float('nan') as torch code has
        inner = lowered[6:-1].strip("'\"")
        if inner in _NON_FINITE:
            return _NON_FINITE[inner]
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", lowered):
        raise ValueError(f"'{word}' is not a number")
    number = float(lowered)
    limit = FLOAT_MAX.get(dtype, FLOAT_MAX["float64"])
    if not math.isfinite(number) or abs(number) > limit:
        raise ValueError(f"{word} is out of range for {dtype} (largest ±{limit:.3g}); "
                         f"type inf if you mean infinity")
    return number


def parse_block(text: str, dtype: str) -> np.ndarray:
    """A pasted block as a 2-D object array of parsed numbers (a single row for a flat list)."""
    if len(text) > MAX_TEXT:
        raise ValueError(f"{len(text):,} characters is too much to paste (at most {MAX_TEXT:,})")
    body = _strip_tensor_call(text.strip())
    if not body:
        raise ValueError("nothing to paste")
    rows = _nested_rows(body) if body.startswith("[") else _table_rows(body)
    widths = {len(row) for row in rows}
    if len(widths) != 1:
        raise ValueError("rows have different lengths: "
                         + ", ".join(str(len(row)) for row in rows[:6]))
    parsed = np.empty((len(rows), widths.pop()), dtype=object)
    for r, row in enumerate(rows):
        for c, word in enumerate(row):
            try:
                parsed[r, c] = parse_cell(word, dtype)
            except ValueError as error:
                raise ValueError(f"row {r + 1}, column {c + 1}: {error}") from None
    return parsed


def _strip_tensor_call(text: str) -> str:
    """``tensor([[1., 2.]], requires_grad=True)`` → ``[[1., 2.]]`` (what torch prints)."""
    match = re.match(r"^(?:torch\.)?tensor\(\s*", text)
    if not match:
        return text
    body = text[match.end():]
    depth = 0
    for i, char in enumerate(body):
        depth += (char == "[") - (char == "]")
        if depth == 0:
            return body[: i + 1] if body.startswith("[") else body.split(",")[0].rstrip(")")
    raise ValueError("unbalanced brackets")


def _nested_rows(text: str) -> list[list[str]]:
    """Tokenize a nested list; at most 2 levels of nesting make rows."""
    stack: list[list] = []
    root = None
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            break
        position = match.end()
        opening, closing, _comma, word = match.groups()
        if opening:
            if len(stack) >= 2:
                raise ValueError("more than 2 levels of brackets: paste one 2-D slice at a time")
            stack.append([])
        elif closing:
            if not stack:
                raise ValueError("unbalanced brackets")
            done = stack.pop()
            if stack:
                stack[-1].append(done)
            else:
                root = done
        elif word:
            if not stack:
                raise ValueError(f"'{word}' is outside the brackets")
            stack[-1].append(word)
    if stack or root is None or text[position:].strip():
        raise ValueError("unbalanced brackets")
    if all(isinstance(item, list) for item in root) and root:
        return root
    if any(isinstance(item, list) for item in root):
        raise ValueError("mix of numbers and lists")
    return [root]


def _table_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        separator = "\t" if "\t" in line else "," if "," in line else ";" if ";" in line else None
        cells = [cell.strip() for cell in line.split(separator)]
        rows.append(cells)
    return rows


def parse_shape(text: str) -> tuple[int, ...]:
    """``4, 5`` / ``(4, 5)`` / ``[4, 5]`` / ``4x5`` / ``()`` → sizes."""
    body = re.sub(r"(?<=\d)\s*[x×]\s*(?=\d)", ",", text.strip().strip("()[]")).strip()
    parts = re.split(r"\s*,\s*|\s+", body.removesuffix(",")) if body else []  # (3,) is 1-d
    if "" in parts:
        raise ValueError(f"'{text.strip()}' has an empty size between commas")
    sizes = []
    for part in parts:
        if not re.fullmatch(r"\d+", part):
            raise ValueError(f"'{part}' is not a size (sizes are whole numbers ≥ 0)")
        sizes.append(int(part))
    if len(sizes) > 6:
        raise ValueError("at most 6 dimensions")
    return tuple(sizes)
