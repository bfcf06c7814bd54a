"""The text of a ``.tpg.json`` file: the document indented, each tensor's numbers a row a line.

``json.dumps(..., indent=1)`` put every number of a tensor on a line of its own and, being
indented, ran Python's pure-Python encoder: a 2048² literal leaf took ~8 s (21 s on a loaded
machine) to write, on the GUI thread when autosaving. Here the document's structure (small)
is still written by ``json.dumps(indent=1)``, and each tensor's ``data`` is written one row
(last dimension) per line by the C encoder, row by row (``row_text``, which writes the rows a
cell edit left unchanged from the text of the last big array written). Numbers are written
exactly as before (``float.__repr__``: the shortest text that reads back to the same float;
nan and infinities as the strings ``"nan"``, ``"inf"``, ``"-inf"``), so a file loads back bit
for bit, and files of either layout load.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator

from .document import FORMAT, FORMAT_VERSION, Document, TensorData
from .row_text import array_rows, row_text


def file_chunks(document: Document) -> Iterator[str]:
    """The file's text in pieces (a big tensor's rows one by one): ``"".join`` them, or write
    them one after the other."""
    tensors: list[TensorData] = []
    marker = f"\x00tensor {secrets.token_hex(16)} "  # no text in a document can hold it

    def stand_in(values: TensorData) -> str:
        tensors.append(values)
        return f"{marker}{len(tensors) - 1}"

    skeleton = json.dumps(_body(document, stand_in), indent=1, ensure_ascii=False) + "\n"
    # json writes the marker's NUL as \u0000; split the text around each stand-in.
    pattern = '"' + re.escape(json.dumps(marker)[1:-1]) + r'(\d+)"'
    parts = re.split(pattern, skeleton)
    yield parts[0]
    for index in range(1, len(parts), 2):
        line_start = parts[index - 1].rfind("\n") + 1
        line = parts[index - 1][line_start:]
        yield from _tensor_chunks(tensors[int(parts[index])], len(line) - len(line.lstrip(" ")))
        yield parts[index + 1]


def _body(document: Document, stand_in) -> dict:
    """The document as ``model_dump`` writes it (defaults left out), with each tensor's values
    a stand-in string (dumping 4M numbers through ``model_dump`` alone took seconds)."""
    empty = TensorData.model_construct()
    leaves = tuple(leaf if leaf.values is None else leaf.model_copy(update={"values": empty})
                   for leaf in document.leaves)
    actions = tuple(
        action if action.seed.values is None else action.model_copy(
            update={"seed": action.seed.model_copy(update={"values": empty})})
        for action in document.actions)
    body = document.model_copy(update={"leaves": leaves, "actions": actions}).model_dump(
        mode="json", exclude_defaults=True)
    body.pop("format", None)
    body.pop("version", None)
    for leaf, dumped in zip(document.leaves, body.get("leaves", ()), strict=True):
        if leaf.values is not None:
            dumped["values"] = stand_in(leaf.values)
    for action, dumped in zip(document.actions, body.get("actions", ()), strict=True):
        if action.seed.values is not None:
            dumped["seed"]["values"] = stand_in(action.seed.values)
    return {"format": FORMAT, "version": FORMAT_VERSION, **body}


def _tensor_chunks(values: TensorData, indent: int) -> Iterator[str]:
    """``values`` as a JSON object whose ``{`` sits at the end of a line indented ``indent``:
    the fields ``model_dump`` would write, ``data`` one row a line (inline if one row)."""
    inner, rows = " " * (indent + 1), _rows(values)
    fields = []
    if values.dtype != "float32":
        fields.append(f'"dtype": {json.dumps(values.dtype)}')
    if values.shape != ():
        fields.append(f'"shape": {json.dumps(list(values.shape))}')
    if not fields and rows is None:
        yield "{}"
        return
    yield "{\n" + ",\n".join(inner + field for field in fields)
    if rows is None:
        yield "\n" + " " * indent + "}"
        return
    yield (",\n" if fields else "") + inner + '"data": ['
    first = next(rows)
    second = next(rows, None)
    if second is None:
        yield first + "]\n" + " " * indent + "}"
        return
    row_indent = "\n" + inner + " "
    yield row_indent + first
    yield "," + row_indent + second
    for row in rows:
        yield "," + row_indent + row
    yield "\n" + inner + "]\n" + " " * indent + "}"


def _rows(values: TensorData) -> Iterator[str] | None:
    """Each row of ``values``' numbers as JSON text without brackets; None when it has none.
    A kept array is read row by row (never as one 4M-element list)."""
    width = values.shape[-1] if values.shape else 1
    array = values.kept_array()
    if array is not None:
        return array_rows(array, width) if array.size else None
    data = values.data
    if not data:
        return None
    width = max(width, 1)
    return (row_text(list(data[start:start + width])) for start in range(0, len(data), width))
