"""Commands: labels, refusal leaves no trace, and undo restores the exact previous state."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.session import (
    AddAction,
    AddLeaf,
    AddStep,
    EditStep,
    Leaf,
    MoveStep,
    RemoveAction,
    RemoveLeaf,
    RemoveStep,
    Rename,
    Session,
    SessionError,
    Step,
    UndoStack,
    edit_cell,
    set_requires_grad,
)
from playground.session.document import Action, Seed
from tests.session.builders import backward, jvp_document, zero_grad


def fingerprint(session: Session):
    """Everything a view can see: the document and every value and grad at every point."""
    points = []
    for outcome in session.outcomes:
        tensors = []
        for state in outcome.states.values():
            arrays = [None if a is None else (a.dtype.str, a.shape, a.tobytes())
                      for a in (state.value, state.grad)]
            tensors.append((state.name, state.requires_grad, state.grad_fn, state.error,
                            state.blocked_by, *arrays))
        points.append((outcome.error, outcome.output, tuple(tensors)))
    return session.document, tuple(points)


def test_labels_read_like_the_edit():
    session = Session(jvp_document())
    assert AddStep(session, Step(name="p", op="pow", operands=("out", 2))).label == "Add step pow"
    assert edit_cell(session, "inp", (1, 2), 5.0).label == "Edit inp[1, 2]"
    assert AddAction(session, backward()).label == "Backward from out"
    assert AddAction(session, zero_grad("inp")).label == "Zero grad of inp"
    assert set_requires_grad(session, "inp", False).label == "Set inp.requires_grad = False"


def test_editing_a_cell_makes_the_leaf_literal_and_undo_restores_the_factory():
    session, stack = Session(jvp_document([backward()])), UndoStack()
    before = fingerprint(session)
    stack.push(edit_cell(session, "inp", (1, 2), 5.0))
    leaf = session.leaf("inp")
    assert leaf.factory == "tensor" and leaf.values.data[7] == 5.0
    assert session.state("out").value[2, 1] == 36.0
    stack.undo()
    assert fingerprint(session) == before and session.leaf("inp").factory == "eye"
    assert stack.redo_text() == "Edit inp[1, 2]"


def test_a_refused_command_is_not_recorded():
    session, stack = Session(jvp_document()), UndoStack()
    with pytest.raises(SessionError):
        stack.push(RemoveLeaf(session, "inp"))
    with pytest.raises(SessionError):
        stack.push(AddStep(session, Step(name="h", op="exp", operands=("inp",))))
    assert len(stack) == 0 and not stack.can_undo()


def test_undo_of_a_backward_restores_the_grads_and_the_graph():
    session, stack = Session(jvp_document()), UndoStack()
    stack.push(AddAction(session, backward(retain_graph=False)))
    after_one = fingerprint(session)
    stack.push(AddAction(session, backward(retain_graph=False)))
    assert session.outcomes[2].error is not None
    stack.undo()
    assert fingerprint(session) == after_one
    stack.push(AddAction(session, backward(retain_graph=False)))  # still a second backward
    assert session.outcomes[2].error is not None


def _commands(session: Session, data):
    """One random edit that makes sense for the session as it is now."""
    doc = session.document
    names = doc.tensor_names()
    kind = data.draw(st.sampled_from(
        ["leaf", "rm_leaf", "step", "rm_step", "edit_step", "move", "rename", "cell", "grad_flag",
         "backward", "zero", "detach", "forward", "rm_action"]))
    fresh = f"t{len(names)}_{data.draw(st.integers(0, 99))}"
    if kind == "leaf":
        shape = data.draw(st.sampled_from([(2, 3), (3,), ()]))
        return AddLeaf(session, Leaf(name=fresh, factory="randn", shape=shape, requires_grad=True,
                                     seed=data.draw(st.integers(0, 9))))
    if kind == "rm_leaf" and doc.leaves:
        return RemoveLeaf(session, data.draw(st.sampled_from([leaf.name for leaf in doc.leaves])))
    if kind in ("step", "edit_step") and names:
        op = data.draw(st.sampled_from(["add", "mul", "exp", "sum", "t", "matmul", "relu"]))
        arity = 2 if op in ("add", "mul", "matmul") else 1
        operands = tuple(data.draw(st.sampled_from(names + [2.0])) for _ in range(arity))
        if kind == "step":
            return AddStep(session, Step(name=fresh, op=op, operands=operands))
        if doc.steps:
            name = data.draw(st.sampled_from([s.name for s in doc.steps]))
            return EditStep(session, name, Step(name=name, op=op, operands=operands))
    if kind == "rm_step" and doc.steps:
        return RemoveStep(session, data.draw(st.sampled_from([s.name for s in doc.steps])))
    if kind == "move" and len(doc.steps) > 1:
        indexes = st.integers(0, len(doc.steps) - 1)
        return MoveStep(session, data.draw(indexes), data.draw(indexes))
    if kind == "rename" and names:
        return Rename(session, data.draw(st.sampled_from(names)), fresh)
    leaves = [leaf.name for leaf in doc.leaves if session.state(leaf.name, 0).value is not None]
    if kind == "cell" and leaves:
        name = data.draw(st.sampled_from(leaves))
        shape = session.state(name, 0).value.shape
        index = tuple(data.draw(st.integers(0, n - 1)) for n in shape)
        if all(n > 0 for n in shape):
            return edit_cell(session, name, index, data.draw(st.floats(-3, 3, width=32)))
    if kind == "grad_flag" and leaves:
        return set_requires_grad(session, data.draw(st.sampled_from(leaves)),
                                 data.draw(st.booleans()))
    if kind == "backward" and names:
        seed = data.draw(st.sampled_from([Seed(), Seed(kind="implicit"), Seed(kind="randn")]))
        return AddAction(session, backward(data.draw(st.sampled_from(names)),
                                           data.draw(st.booleans()), seed))
    if kind == "zero" and leaves:
        return AddAction(session, zero_grad(data.draw(st.sampled_from(leaves)),
                                            set_to_none=data.draw(st.booleans())))
    if kind == "detach" and names:
        return AddAction(session, Action(kind="detach", target=data.draw(st.sampled_from(names)),
                                         new_name=fresh))
    if kind == "forward":
        return AddAction(session, Action(kind="forward"))
    if kind == "rm_action" and doc.actions:
        return RemoveAction(session, data.draw(st.integers(0, len(doc.actions) - 1)))
    return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_command_sequences_undo_exactly(data):
    session, stack = Session(jvp_document([backward()])), UndoStack()
    history = [fingerprint(session)]
    for _ in range(data.draw(st.integers(1, 12))):
        command = _commands(session, data)
        if command is None:
            continue
        try:
            stack.push(command)
        except SessionError:
            assert fingerprint(session) == history[-1]  # refused: nothing changed
            continue
        history.append(fingerprint(session))
    while stack.can_undo():
        stack.undo()
        history.pop()
        assert fingerprint(session) == history[-1]
    while stack.can_redo():
        stack.redo()
    np.testing.assert_equal(len(session.outcomes), len(Session(session.document).outcomes))
    assert fingerprint(session) == fingerprint(Session(session.document))
