"""Edits of a ``Document`` as plain functions: each returns the new document (and what it took
out, for undo) or raises ``SessionError``. ``Session`` replays what they return; nothing here
runs the engine.

Leaves and steps are edited alike: ``field`` names the tuple (``"leaves"`` or ``"steps"``).
"""

from __future__ import annotations

from .document import Document, Step, check_name
from .predict import renamed_expression

# What a missing item is called in a refusal: "there is no tensor named 'w'".
_WHAT = {"leaves": "tensor", "steps": "step"}


class SessionError(ValueError):
    """An edit the session refuses (duplicate name, a leaf still used by a step, ...)."""


def index_of(items, name: str, what: str) -> int:
    for index, item in enumerate(items):
        if item.name == name:
            return index
    raise SessionError(f"there is no {what} named {name!r}")


def find(document: Document, field: str, name: str):
    """The leaf or step ``name`` of ``document``."""
    items = getattr(document, field)
    return items[index_of(items, name, _WHAT[field])]


def refs(step: Step) -> list[str]:
    """The tensors a step reads (its operands that are names)."""
    return [o for o in step.operands if isinstance(o, str)]


def users_of(document: Document, name: str) -> list[str]:
    """Steps and leaves (``*_like``) that refer to ``name``."""
    users = [leaf.name for leaf in document.leaves if leaf.like == name]
    return users + [s.name for s in document.steps if name in refs(s)]


def check_new_name(document: Document, name: str) -> None:
    """Refuse a name that is not an identifier the script can use, or that a leaf, a step or a
    detached tensor already has."""
    try:
        check_name(name)
    except ValueError as error:
        raise SessionError(str(error)) from None
    taken = set(document.tensor_names())
    taken.update(a.new_name for a in document.actions if a.kind == "detach")
    if name in taken:
        raise SessionError(f"the name {name!r} is already used")


def inserted(document: Document, field: str, index: int, item) -> Document:
    items = list(getattr(document, field))
    items.insert(index, item)
    return document.model_copy(update={field: tuple(items)})


def removed(document: Document, field: str, name: str) -> tuple[Document, int, object]:
    """The document without ``name``, where it was, and what it was."""
    items = list(getattr(document, field))
    index = index_of(items, name, _WHAT[field])
    item = items.pop(index)
    return document.model_copy(update={field: tuple(items)}), index, item


def replaced(document: Document, field: str, name: str, item) -> tuple[Document, object]:
    """The document with ``item`` where ``name`` was, and what was there."""
    items = list(getattr(document, field))
    index = index_of(items, name, _WHAT[field])
    old, items[index] = items[index], item
    return document.model_copy(update={field: tuple(items)}), old


def moved_step(document: Document, old_index: int, new_index: int) -> Document:
    steps = list(document.steps)
    steps.insert(new_index, steps.pop(old_index))
    return document.model_copy(update={"steps": tuple(steps)})


def renamed(document: Document, old: str, new: str) -> Document:
    """``old`` called ``new`` everywhere it is mentioned: steps, ``*_like`` leaves, actions."""
    return Document.model_validate(_renamed(document.model_dump(), old, new))


def _renamed(data: dict, old: str, new: str) -> dict:
    for leaf in data["leaves"]:
        leaf["name"] = new if leaf["name"] == old else leaf["name"]
        leaf["like"] = new if leaf["like"] == old else leaf["like"]
    for step in data["steps"]:
        step["name"] = new if step["name"] == old else step["name"]
        step["operands"] = [new if o == old and isinstance(o, str) else o for o in step["operands"]]
    for action in data["actions"]:
        for key in ("target", "new_name"):
            action[key] = new if action[key] == old else action[key]
        action["targets"] = [new if t == old else t for t in action["targets"]]
        for item in action["items"]:
            if item["kind"] != "text" and item["text"] == old:
                item["text"] = new
        if action.get("question"):
            question = action["question"]
            question["expression"] = renamed_expression(question["expression"], old, new)
    return data
