"""``edit_cell`` builds the edited leaf without re-validating every element: the result must be
exactly the leaf that full validation gives, for every dtype, nan included, and undo exact."""

import math

import numpy as np
import pytest

from playground.session import Document, Leaf, Session, TensorData, UndoStack
from playground.session.commands import edit_cell


@pytest.mark.parametrize("dtype, value", [("float32", 2.5), ("float64", math.nan),
                                          ("int64", -7), ("bool", True)])
def test_edited_leaf_is_what_validation_gives(dtype, value):
    array = np.arange(6).reshape(2, 3).astype(dtype)
    leaf = Leaf(name="w", values=TensorData.of(array), dtype=dtype)
    session = Session(Document(leaves=(leaf,)))
    command = edit_cell(session, "w", (1, 2), value)
    validated = Leaf.model_validate(command.leaf.model_dump())
    assert validated.model_dump_json() == command.leaf.model_dump_json()
    if not math.isnan(value):  # nan != nan, in a tuple of numbers as anywhere
        assert validated == command.leaf
    stack = UndoStack()
    stack.push(command)
    shown = session.state("w").value
    assert shown.dtype == np.dtype(dtype)
    assert (math.isnan(shown[1, 2]) if dtype == "float64" else shown[1, 2] == value)
    stack.undo()
    assert session.document.leaves[0] is leaf


def test_a_random_leaf_becomes_the_numbers_it_showed():
    leaf = Leaf(name="r", factory="randn", shape=(3, 4), seed=5)
    session = Session(Document(leaves=(leaf,)))
    before = session.state("r").value.copy()
    UndoStack().push(edit_cell(session, "r", (0, 0), 1.0))
    after = session.state("r").value
    assert after[0, 0] == 1.0 and (after.ravel()[1:] == before.ravel()[1:]).all()
    assert session.leaf("r").factory == "tensor"


def _unconverted(values: TensorData) -> bool:
    """``data`` not made yet: the values are still only the kept array."""
    try:
        object.__getattribute__(values, "data")
    except AttributeError:
        return True
    return False


def test_typing_a_cell_never_converts_the_values_until_they_are_saved(tmp_path):
    # A 2048² leaf's first typed cell spent 200-350 ms of the GUI thread making 4M floats.
    from playground.session import persist

    leaf = Leaf(name="r", factory="randn", shape=(64, 64), seed=5, requires_grad=True)
    session = Session(Document(leaves=(leaf,)))
    stack = UndoStack()
    stack.push(edit_cell(session, "r", (3, 4), 0.25))
    stack.push(edit_cell(session, "r", (5, 6), -1.5))
    values = session.leaf("r").values
    assert _unconverted(values) and session.is_modified
    shown = session.state("r").value
    assert shown[3, 4] == 0.25 and shown[5, 6] == -1.5
    persist.save(session.document, tmp_path / "typed.tpg.json")
    assert persist.load(tmp_path / "typed.tpg.json") == session.document
    assert values.data == tuple(shown.ravel().tolist())  # made when saved, the same numbers
    stack.undo()
    stack.undo()
    assert session.document.leaves == (leaf,)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_kept_values_are_the_values_of_every_element(dtype):
    array = np.array([[0.5, -0.0, np.nan], [np.inf, 1e-40, 3.0]]).astype(dtype)
    kept, made = TensorData.kept(array.copy()), TensorData.of(array)
    assert [type(x) for x in kept.data] == [type(x) for x in made.data]
    assert kept.model_dump_json() == made.model_dump_json()
    finite = np.nan_to_num(array)
    assert TensorData.kept(finite.copy()) == TensorData.of(finite)  # kept against converted
    assert TensorData.kept(finite.copy()) == TensorData.kept(finite.copy())  # against kept
    assert hash(TensorData.kept(finite.copy())) == hash(TensorData.of(finite))
    changed = finite.copy()
    changed[1, 2] = 0
    assert TensorData.kept(changed) != TensorData.kept(finite.copy())


def test_the_engine_never_writes_into_the_kept_values():
    from playground.session import Step

    array = np.ones((2, 3), np.float32)
    leaf = Leaf(name="w", values=TensorData.kept(array), dtype="float32")
    document = Document(leaves=(leaf,), steps=(Step(name="w3", op="mul_", operands=("w", 3)),))
    session = Session(document)
    assert (session.state("w3").value == 3).all()
    assert (array == 1).all()
