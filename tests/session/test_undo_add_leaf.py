"""Regression (threaded GUI monkey, seed 4 of 20): undoing "Add tensor" must always work.

A step may name a tensor that does not exist (the step it used was deleted; on a big session,
a step dialog opened on the state before an undo). Adding a leaf of that name gives the step
its operand; undoing the add must take the leaf back and leave the step naming nothing, as
before, rather than refuse because the step "uses" it: the undo stack would stop there.
"""

import pytest

from playground.session import (
    AddLeaf,
    AddStep,
    Document,
    Leaf,
    RemoveLeaf,
    RemoveStep,
    Session,
    SessionError,
    Step,
    UndoStack,
)
from tests.session.builders import jvp_document


def test_undo_add_leaf_named_like_a_deleted_step_that_a_step_still_uses():
    start = jvp_document()
    session, stack = Session(start), UndoStack()
    stack.push(RemoveStep(session, "sq"))  # out still names sq: not computable
    stack.push(AddLeaf(session, Leaf(name="sq", factory="ones", shape=(4, 5))))
    assert session.state("out").value is not None  # out now reads the leaf
    stack.undo()
    assert "sq" not in session.document.tensor_names()
    assert session.step("out").operands == ("sq",) and session.state("out").value is None
    stack.undo()
    assert session.document == start
    stack.redo()
    stack.redo()
    assert session.leaf("sq") and session.state("out").value is not None


def test_deleting_a_used_leaf_is_still_refused():
    session, stack = Session(jvp_document()), UndoStack()
    with pytest.raises(SessionError, match="inp is used by h"):
        stack.push(RemoveLeaf(session, "inp"))
    assert len(stack) == 0


def test_undo_add_leaf_after_a_step_was_pointed_at_a_missing_name():
    document = Document(leaves=(Leaf(name="a", factory="ones", shape=(2,)),))
    session, stack = Session(document), UndoStack()
    stack.push(AddStep(session, Step(name="y", op="neg", operands=("m14",))))
    stack.push(AddLeaf(session, Leaf(name="m14", factory="zeros", shape=(2,))))
    while stack.can_undo():
        stack.undo()
    assert session.document == document
