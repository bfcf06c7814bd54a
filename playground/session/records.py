"""Immutable records for the session document, checked in plain Python on the common path.

Importing pydantic and building the document's models cost ~110 ms of every start-up, for
checks that almost never fail: the shipped lessons and the values the app itself builds are
already right. A ``Record`` takes its fields through small converters that accept only values
already in their final form (an ``int`` for an int, a ``list``/``tuple`` of them for a tuple, a
``dict`` for a nested record); anything else — a wrong type, a value to coerce, a failing check —
is handed to the pydantic models of ``document_schema`` (imported then, the first time), which
coerce it or raise the same ``ValidationError`` as ever. So a record is exactly what pydantic
would have made from the same input, and every error message stays pydantic's.

Records offer the part of pydantic's API the app uses: ``model_copy``, ``model_dump``,
``model_validate``, ``model_validate_json``, ``model_construct`` and ``model_dump_json``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar


class Unsure(Exception):
    """A value the plain-Python path does not decide: pydantic does."""


class Field:
    """One field: its name, the converter that checks it, and its default (``REQUIRED`` if none;
    ``factory`` makes a fresh default each time). ``number`` fields are written as pydantic's
    ``PlainSerializer`` writes them: nan and infinities as strings."""

    __slots__ = ("name", "convert", "default", "factory", "number")

    def __init__(self, name: str, convert: Callable[[Any], Any], default: Any = ...,
                 factory: Callable[[], Any] | None = None, number: bool = False):
        self.name, self.convert, self.default = name, convert, default
        self.factory, self.number = factory, number

    def default_value(self):
        if self.factory is not None:
            return self.factory()
        if self.default is REQUIRED:
            raise Unsure(self.name)
        return self.default


REQUIRED = ...


def schema():
    """The pydantic models (imported on first use: only unusual input needs them)."""
    from . import document_schema

    return document_schema


class Record:
    """Base of the document's records; subclasses list ``fields`` and optional ``checks``
    (functions of the record that raise ``ValueError``, shared with the pydantic models)."""

    __slots__ = ()
    fields: ClassVar[tuple[Field, ...]] = ()
    checks: ClassVar[tuple[Callable[[Any], Any], ...]] = ()

    def __init__(self, **data):
        try:
            self._fill(data)
            for check in self.checks:
                check(self)
        except (Unsure, ValueError):
            _fill_from_schema(self, data)

    def _fill(self, data: dict) -> None:
        if not data.keys() <= self._names():
            raise Unsure("extra fields")
        for field in self.fields:
            name = field.name
            value = field.convert(data[name]) if name in data else field.default_value()
            object.__setattr__(self, name, value)

    @classmethod
    def taken_as_is(cls, data: dict):
        """The record of ``data`` if every value is already in its final form and every check
        passes (as in the shipped lessons), else None; pydantic is never asked."""
        made = object.__new__(cls)
        try:
            made._fill(data)
            for check in cls.checks:
                check(made)
        except (Unsure, ValueError):
            return None
        return made

    @classmethod
    def _names(cls) -> frozenset[str]:
        names = cls.__dict__.get("_name_set")
        if names is None:
            names = frozenset(field.name for field in cls.fields)
            cls._name_set = names
        return names

    # -- immutability, equality and printing, as pydantic's frozen models --
    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable: use model_copy(update=...)")

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _values(self) -> tuple:
        return tuple(getattr(self, field.name) for field in self.fields)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self):
        return hash((type(self).__name__, self._values()))

    def __repr__(self):
        shown = ", ".join(f"{field.name}={getattr(self, field.name)!r}" for field in self.fields)
        return f"{type(self).__name__}({shown})"

    # -- pydantic's API, the parts the app uses --
    @classmethod
    def model_construct(cls, **values):
        """A record of ``values`` (defaults for the rest), unchecked: for values known good."""
        record = object.__new__(cls)
        for field in cls.fields:
            value = values[field.name] if field.name in values else field.default_value()
            object.__setattr__(record, field.name, value)
        return record

    def model_copy(self, update: dict | None = None):
        """A copy with ``update``'s fields replaced, unchecked (as pydantic's)."""
        record = object.__new__(type(self))
        for field in self.fields:
            value = getattr(self, field.name)
            if update and field.name in update:
                value = update[field.name]
            object.__setattr__(record, field.name, value)
        return record

    @classmethod
    def model_validate(cls, data):
        if isinstance(data, cls):
            return data
        if not isinstance(data, dict):
            return _from_schema(getattr(schema(), cls.__name__).model_validate(data))
        return cls(**data)

    @classmethod
    def model_validate_json(cls, text: str, strict: bool | None = None):
        return _from_schema(getattr(schema(), cls.__name__).model_validate_json(
            text, strict=strict))

    def model_dump(self, mode: str = "python", exclude_defaults: bool = False,
                   exclude: set[str] | frozenset[str] = frozenset()) -> dict:
        """The fields as a dict, written as pydantic writes them: nan and infinities of number
        fields as strings; ``mode="json"`` gives lists for tuples."""
        json = mode == "json"
        dumped = {}
        for field in self.fields:
            if field.name in exclude:
                continue
            value = getattr(self, field.name)
            if exclude_defaults and (field.factory or field.default is not REQUIRED) and (
                    value == field.default_value()):
                continue
            dumped[field.name] = _dump(value, json, field.number, exclude_defaults)
        return dumped

    def model_dump_json(self, **options) -> str:
        return _to_schema(self).model_dump_json(**options)


def _dump(value, json: bool, number: bool, exclude_defaults: bool):
    if isinstance(value, Record):
        return value.model_dump("json" if json else "python", exclude_defaults)
    if isinstance(value, tuple):
        items = [_dump(item, json, number, exclude_defaults) for item in value]
        return items if json else tuple(items)
    if isinstance(value, dict):
        return {key: _dump(item, json, False, exclude_defaults) for key, item in value.items()}
    if number and type(value) is float and not math.isfinite(value):
        return str(value)
    return value


# -- to and from the pydantic models --
def _to_schema(value):
    """Records (and tuples or lists of them) as pydantic model instances, unchecked."""
    if isinstance(value, Record):
        model = getattr(schema(), type(value).__name__)
        return model.model_construct(**{field.name: _to_schema(getattr(value, field.name))
                                        for field in value.fields})
    if isinstance(value, (tuple, list)) and any(isinstance(item, Record) for item in value):
        return type(value)(_to_schema(item) for item in value)
    return value


def _from_schema(model):
    record_type = getattr(_record_types(), type(model).__name__)
    record = object.__new__(record_type)
    for field in record_type.fields:
        object.__setattr__(record, field.name, _plain(getattr(model, field.name)))
    return record


def _plain(value):
    if hasattr(value, "__pydantic_fields__"):
        return _from_schema(value)
    if isinstance(value, tuple) and any(hasattr(item, "__pydantic_fields__") for item in value):
        return tuple(_plain(item) for item in value)
    return value


def _record_types():
    from . import document

    return document


def _fill_from_schema(record: Record, data: dict) -> None:
    """Let pydantic check ``data`` (it raises its ``ValidationError``) and take its values."""
    model = getattr(schema(), type(record).__name__)
    checked = model(**{name: _to_schema(value) for name, value in data.items()})
    for field in record.fields:
        object.__setattr__(record, field.name, _plain(getattr(checked, field.name)))


# -- converters: the value itself when it is already what pydantic would make, else Unsure --
def text(value):
    if type(value) is str:
        return value
    raise Unsure


def boolean(value):
    if type(value) is bool:
        return value
    raise Unsure


def non_negative(value):
    if type(value) is int and value >= 0:
        return value
    raise Unsure


NUMBER_TYPES = frozenset({bool, int, float})


def number(value):
    """pydantic's ``StrictBool | StrictInt | StrictFloat``: each keeps its type."""
    if type(value) in NUMBER_TYPES:
        return value
    raise Unsure


def literal(*allowed):
    choices = frozenset(allowed)

    def convert(value):
        if type(value) is type(allowed[0]) and value in choices:
            return value
        raise Unsure
    return convert


def optional(convert):
    def convert_or_none(value):
        return None if value is None else convert(value)
    return convert_or_none


def tuple_of(convert):
    def convert_items(value):
        if type(value) is tuple or type(value) is list:
            return tuple(convert(item) for item in value)
        raise Unsure
    return convert_items


def numbers(value):
    """A tuple of numbers, checked in one pass over their types (tensors can be big)."""
    if (type(value) is tuple or type(value) is list) and set(map(type, value)) <= NUMBER_TYPES:
        return tuple(value)
    raise Unsure


def record(record_type):
    def convert(value):
        if type(value) is record_type:
            return value
        if type(value) is dict:
            made = object.__new__(record_type)
            made._fill(value)
            for check in record_type.checks:
                check(made)
            return made
        raise Unsure
    return convert
