"""Save and load sessions as versioned ``.tpg.json`` files.

The file is the ``Document`` model as JSON, defaults left out so it stays readable by hand
(``file_text`` writes it: indented, each tensor's numbers one row a line).
Loading validates with the same pydantic models and turns any problem into one
``SessionFileError`` line naming the field; nothing from a file is ever executed.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .document import FORMAT, FORMAT_VERSION, Document
from .file_text import file_chunks

if TYPE_CHECKING:
    from pydantic import ValidationError

SUFFIX = ".tpg.json"
MAX_TEXT = 100_000  # characters in any one name, note or text: a 50 MB label would freeze a view


class SessionFileError(ValueError):
    """A session file that cannot be loaded; the message is one line meant for the user."""


def dumps(document: Document) -> str:
    """The file text: ``format`` and ``version`` first, then only what differs from defaults."""
    return "".join(file_chunks(document))


def loads(text: str, shipped: bool = False) -> Document:
    """The document in ``text``, or ``SessionFileError`` saying what is wrong and where.

    ``shipped``: a lesson of the app's own (all tested); when every value in it is already in
    its final form it is taken without pydantic, which start-up would wait ~110 ms to import.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SessionFileError(
            f"not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from None
    except RecursionError:
        raise SessionFileError("not a session file: the JSON is nested too deeply") from None
    if not isinstance(data, dict):
        raise SessionFileError("not a session file: expected a JSON object at the top")
    _check_text_lengths(data)
    if data.get("format") != FORMAT:
        raise SessionFileError(f"format: not a Tensor Playground session (expected {FORMAT!r})")
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise SessionFileError(
            f"version: the file has format version {version}, from a newer Tensor Playground; "
            f"this one reads version {FORMAT_VERSION}"
        )
    if shipped:
        document = Document.taken_as_is(data)
        if document is not None:
            return document
    from pydantic import ValidationError  # noqa: F811 - here: importing it takes ~90 ms

    try:
        # Strict: a hand-edited "retain_graph": "yes" is an error, not quietly True.
        return Document.model_validate_json(text, strict=True)
    except ValidationError as error:
        raise SessionFileError(_first_problem(error)) from None
    except RecursionError:
        raise SessionFileError("not a session file: the JSON is nested too deeply") from None


def _check_text_lengths(data: dict) -> None:
    """Refuse any string over ``MAX_TEXT`` characters, naming where it is (an iterative walk:
    the JSON may be as deep as ``json`` allows)."""
    pending = [((), data)]
    while pending:
        where, node = pending.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, str) and len(value) > MAX_TEXT:
                place = ".".join(str(part) for part in (*where, key))
                raise SessionFileError(f"{place}: a text of {len(value):,} characters; the "
                                       f"playground reads at most {MAX_TEXT:,}")
            if isinstance(value, (dict, list)):
                pending.append(((*where, key), value))


def _first_problem(error: ValidationError) -> str:
    problems = error.errors(include_url=False)
    first = problems[0]
    # pydantic adds the tried union member ("bool", "function-after[...]") to the location.
    parts = [str(p) for p in first["loc"] if not _is_type_tag(p)]
    where = ".".join(parts)
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    message = first["msg"].removeprefix("Value error, ")
    # A whole-file check names its field in the message itself.
    return f"{where}: {message}{more}" if where else f"{message}{more}"


def _is_type_tag(part) -> bool:
    return isinstance(part, str) and (
        "[" in part or part in ("bool", "int", "float", "str", "none", "tuple")
    )


def save(document: Document, path: str | os.PathLike) -> None:
    """Write the session file atomically, a big tensor's rows as they are made (never the
    whole text at once)."""
    write_atomically(path, file_chunks(document))


def write_atomically(path: str | os.PathLike, text: str | Iterable[str]) -> None:
    """Write ``text`` (or its pieces, one after the other) through a temporary file and
    ``os.replace``: a crash mid-write never leaves a half-written file behind (sessions,
    scripts and notebooks alike)."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.writelines([text] if isinstance(text, str) else text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(path: str | os.PathLike, shipped: bool = False) -> Document:
    """Read and validate a session file; every failure is a one-line ``SessionFileError``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionFileError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise SessionFileError(f"{path}: not a text file") from None
    except OSError as error:
        raise SessionFileError(f"{path}: {error.strerror}") from None
    try:
        return loads(text, shipped)
    except SessionFileError as error:
        raise SessionFileError(f"{path}: {error}") from None
