"""A tensor's numbers as JSON text, one row (last dimension) at a time, for ``file_text``.

Writing a float is the cost of saving a big tensor (~1 µs each: 4 s for 2048², holding the GIL,
so an autosave on a worker thread slowed the window down all that time). Typing a cell changes
one row of it: the rows of the last big arrays written are kept, and a row whose bits are
unchanged is written again from them, not formatted again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

# What the C encoder writes for non-finite floats, and what the file format has for them.
_NON_FINITE = (("-Infinity", '"-inf"'), ("Infinity", '"inf"'), ("NaN", '"nan"'))
REMEMBER_FROM = 65_536  # elements: smaller arrays are written in well under 100 ms
# Arrays whose rows are kept: the one last written (~100 MB for 2048², text and array).
REMEMBERED = 1

_remembered: list[tuple[object, list[str]]] = []  # (array as rows, their text), newest last
_lock = threading.Lock()  # the autosave's worker and the GUI thread both write files


def row_text(numbers: list) -> str:
    """``numbers`` as ``json.dumps`` writes a list, without the brackets; non-finite floats as
    the strings the file format has for them."""
    text = json.dumps(numbers)[1:-1]
    if "N" in text or "I" in text:  # only non-finite floats spell a capital letter
        for written, wanted in _NON_FINITE:
            text = text.replace(written, wanted)
    return text


def array_rows(array, width: int) -> Iterator[str]:
    """The rows of ``array`` (never written to: a kept array), ``width`` numbers each."""
    rows = array.reshape(-1, width)
    if array.size < REMEMBER_FROM:
        yield from (row_text(row.tolist()) for row in rows)
        return
    earlier, unchanged = _earlier_rows(rows)
    made = []
    for index, row in enumerate(rows):
        made.append(earlier[index] if unchanged[index] else row_text(row.tolist()))
        yield made[-1]
    with _lock:
        _remembered.append((rows, made))
        del _remembered[:-REMEMBERED]


def _earlier_rows(rows) -> tuple[list[str], list[bool]]:
    """The rows of the newest remembered array of the same dtype and shape, and which rows
    have the same bits here (-0.0 is not 0.0; nan payloads count: their text is the same
    anyway)."""
    with _lock:
        found = [(before, made) for before, made in _remembered
                 if before.dtype == rows.dtype and before.shape == rows.shape]
    if not found:
        return [], [False] * len(rows)
    before, made = found[-1]
    bits = f"u{rows.dtype.itemsize}"
    same = (_contiguous(rows).view(bits) == _contiguous(before).view(bits)).all(axis=1)
    return made, same.tolist()


def _contiguous(array):
    import numpy  # only ever called with numpy arrays; the document module does without it

    return numpy.ascontiguousarray(array)
