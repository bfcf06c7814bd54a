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
