"""The document's records are what pydantic makes of the same input, without importing it on
the common path: the same fields and defaults, the same values (types included), the same
dumps and the same errors; the shipped lessons load without pydantic."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from playground.session import document as plain
from playground.session import document_schema as schema
from playground.session.lessons import lesson_names, lesson_path
from playground.session.persist import dumps, loads
from playground.session.records import REQUIRED, _to_schema
from tests.session.builders import backward, jvp_document, zero_grad

RECORDS = ["TensorData", "Leaf", "Step", "Seed", "PrintItem", "Question", "Action", "Document"]


def _typed(value):
    """A value with every number's type spelt out (1 == 1.0 == True would hide a difference)."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, [_typed(item) for item in value])
    return (type(value).__name__, repr(value))


def _same(record, model) -> None:
    assert type(record).__name__ == type(model).__name__
    assert _typed(record.model_dump()) == _typed(model.model_dump())


@pytest.mark.parametrize("name", RECORDS)
def test_each_record_has_the_fields_and_defaults_of_its_model(name):
    record, model = getattr(plain, name), getattr(schema, name)
    assert [field.name for field in record.fields] == list(model.model_fields)
    for field in record.fields:
        info = model.model_fields[field.name]
        if info.is_required():
            assert field.default is REQUIRED and field.factory is None
            continue
        expected = info.get_default(call_default_factory=True)
        mine = _to_schema(field.default_value())
        assert mine == expected and type(mine) is type(expected)


@pytest.mark.parametrize("name", lesson_names())
def test_every_shipped_lesson_is_taken_as_is_and_equals_pydantics_reading(name):
    text = lesson_path(name).read_text(encoding="utf-8")
    taken = plain.Document.taken_as_is(json.loads(text))
    assert taken is not None, "a shipped lesson should need no coercion"
    checked = schema.Document.model_validate_json(text, strict=True)
    _same(taken, checked)
    assert loads(text, shipped=True) == loads(text)
    assert dumps(taken) == dumps(loads(text))


def _documents():
    odd = plain.Leaf(name="odd", factory="tensor", values=plain.TensorData(
        shape=(2, 2), data=(float("nan"), float("inf"), -0.0, 1)), fill=float("-inf"))
    steps = (plain.Step(name="s", op="sum", operands=("odd",), params={"dim": (0, 1),
                                                                        "keepdim": True}),)
    yield jvp_document([backward(), zero_grad("inp"), backward(retain_graph=False)])
    yield plain.Document(title="odd values", leaves=(odd,), steps=steps, actions=(
        plain.Action(kind="print", items=(plain.PrintItem(kind="value", text="odd"),)),))
    for name in lesson_names():
        yield loads(lesson_path(name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("mode", ["python", "json"])
@pytest.mark.parametrize("exclude_defaults", [False, True])
def test_dumps_are_pydantics(mode, exclude_defaults):
    for document in _documents():
        mine = document.model_dump(mode=mode, exclude_defaults=exclude_defaults)
        theirs = _to_schema(document).model_dump(mode=mode, exclude_defaults=exclude_defaults)
        assert _typed(mine) == _typed(theirs)
        assert document.model_dump_json() == _to_schema(document).model_dump_json()


@pytest.mark.parametrize("data", [
    {"name": "a", "factory": "zeros", "shape": [2, 3]},  # a list for a tuple
    {"name": "a", "factory": "full", "fill": "nan", "shape": (2,)},  # nan written as text
    {"name": "a", "factory": "zeros", "requires_grad": 1},  # lax bool
    {"name": "a", "factory": "tensor", "values": {"shape": [2], "data": [1, 2.5]}},
    {"name": "a", "factory": "arange", "end": 5, "start": 1.0, "step": True},
])
def test_values_to_coerce_come_out_as_pydantic_makes_them(data):
    _same(plain.Leaf(**data), schema.Leaf(**data))
    _same(plain.Leaf.model_validate(data), schema.Leaf.model_validate(data))


def _problems(error) -> list:
    return [(p["type"], p["loc"], p["msg"], repr(p["input"]))
            for p in error.errors(include_url=False)]


@pytest.mark.parametrize("record, data", [
    ("Leaf", {"name": "print", "factory": "zeros"}),  # reserved name
    ("Leaf", {"name": "a b", "factory": "zeros"}),
    ("Leaf", {"name": "a", "factory": "full"}),  # needs fill
    ("Leaf", {"name": "a", "shape": (-1,), "factory": "zeros"}),
    ("Leaf", {"name": "a", "factory": "zeros", "colour": "red"}),  # extra field
    ("TensorData", {"shape": (2, 2), "data": (1.0,)}),
    ("Seed", {"kind": "literal"}),
    ("Action", {"kind": "backward"}),
    ("Action", {"kind": "print", "question": {"prompt": "?", "expression": "((", "reason": ""}}),
    ("Step", {"name": "s", "op": "add", "operands": (object(),)}),
    ("Document", {"leaves": ({"name": "a", "factory": "zeros"},) * 2}),
])
def test_errors_are_pydantics_word_for_word(record, data):
    with pytest.raises(ValueError) as mine:
        getattr(plain, record)(**data)
    with pytest.raises(ValueError) as theirs:
        getattr(schema, record)(**data)
    assert type(mine.value) is type(theirs.value)
    assert _problems(mine.value) == _problems(theirs.value)
    assert str(mine.value) == str(theirs.value)


def test_records_are_immutable_and_compare_by_value():
    leaf = plain.Leaf(name="a", factory="zeros", shape=(2,))
    with pytest.raises(AttributeError):
        leaf.name = "b"
    assert leaf == plain.Leaf(name="a", factory="zeros", shape=[2])
    assert leaf != leaf.model_copy(update={"shape": (3,)})
    assert hash(leaf) == hash(plain.Leaf(name="a", factory="zeros", shape=(2,)))
    assert repr(leaf) == repr(schema.Leaf(name="a", factory="zeros", shape=(2,)))


def test_opening_the_seed_lesson_does_not_import_pydantic():
    code = ("import sys; from playground.session import Session; "
            "from playground.session.lessons import load_lesson; "
            "Session(load_lesson('seed-notebook')); print('pydantic' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
