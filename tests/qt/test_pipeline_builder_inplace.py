"""In-place ops and no_grad steps through the pipeline builder: the palette's "in place" group
with its formulas, the "run under torch.no_grad()" box, rows written as the export writes them,
and the in-place lesson's version-counter error built by hand in the window."""

from __future__ import annotations

import pytest

from engine.op_table import INPLACE_GROUP, inplace_table
from playground.qt.pipeline_builder import PipelineBuilder
from playground.qt.selection import Selection
from playground.session import Document, Leaf, Session, TensorData, UndoStack
from playground.session.export import script
from tests.qt.helpers import last_console_block, trigger

X = Leaf(name="x", values=TensorData(shape=(2, 3), data=(1.0, 2.0, 3.0, 0.0, -1.0, -2.0)),
         requires_grad=True)


@pytest.fixture
def builder(qtbot):
    session, stack = Session(Document(leaves=(X,))), UndoStack()
    widget = PipelineBuilder(session, stack, Selection())
    qtbot.addWidget(widget)
    return session, stack, widget


def add_step(widget, op, operands, name=None, no_grad=False):
    """Fill the Add step form as a learner would and press Add step."""
    dialog = widget.open_add_dialog()
    dialog.choose_op(op)
    if name:
        dialog.name_edit.setText(name)
    for field, operand in zip(dialog.operand_fields, operands):
        field.set_value(operand)
    dialog.no_grad_box.setChecked(no_grad)
    assert dialog.submit(), dialog.error_label.text()
    return dialog


def _palette_group(dialog, title):
    tree = dialog.palette_tree
    for i in range(tree.topLevelItemCount()):
        if tree.topLevelItem(i).text(0) == title:
            return tree.topLevelItem(i)
    raise AssertionError(f"no palette group {title!r}")


def test_the_palette_has_an_in_place_group_with_every_in_place_op(builder):
    _, _, widget = builder
    dialog = widget.open_add_dialog()
    group = _palette_group(dialog, INPLACE_GROUP)
    names = [group.child(i).text(0) for i in range(group.childCount())]
    assert names == list(inplace_table())
    assert {"add_", "mul_", "relu_", "zero_"} <= set(names)
    assert "version counter" in group.toolTip(0)
    dialog.filter_edit.setText("in place")  # the group's title filters too
    assert not group.isHidden() and not group.child(names.index("mul_")).isHidden()


@pytest.mark.parametrize("op, args, node, formula", [
    ("mul_", (2.0,), "MulBackward0", "self: grad * other"),
    ("relu_", (), "ReluBackward0", "self: threshold_backward(grad, result, 0)"),
    ("add_", (1,), "AddBackward0", "self: grad"),
    ("fill_", (3.0,), "FillBackward2", "self: zeros_like(grad)"),
])
def test_hovering_an_in_place_op_shows_the_node_torch_records(builder, op, args, node, formula):
    _, _, widget = builder
    dialog = widget.open_add_dialog()
    group = _palette_group(dialog, INPLACE_GROUP)
    item = next(group.child(i) for i in range(group.childCount()) if group.child(i).text(0) == op)
    tip = item.toolTip(0)
    assert f"input.{op}(" in tip and f"<i>{node}</i>" in tip and formula in tip
    torch = pytest.importorskip("torch")
    y = torch.ones(2, 2, requires_grad=True) * 1
    assert getattr(y, op)(*args).grad_fn.name() == node


def test_a_no_grad_step_is_written_as_the_export_writes_it(builder):
    session, stack, widget = builder
    dialog = add_step(widget, "mul", ("x", 3), name="y", no_grad=True)
    assert dialog.preview.text() == "with torch.no_grad():\n    y = x * 3   → [2, 3]"
    assert widget.row_texts() == ["with torch.no_grad(): y = x * 3"]
    assert session.step("y").no_grad and stack.undo_text() == "Add step mul"
    state = session.state("y")
    assert (state.requires_grad, state.grad_fn) == (False, None)
    assert "with torch.no_grad():\n    y = x * 3" in script(session)
    # Editing: the box shows the step's flag, and unticking it records the graph again.
    edit = widget.open_edit_dialog("y")
    assert edit.no_grad_box.isChecked()
    edit.no_grad_box.setChecked(False)
    assert edit.submit()
    assert widget.row_texts() == ["y = x * 3"] and session.state("y").grad_fn == "MulBackward0"
    stack.undo()
    assert widget.row_texts() == ["with torch.no_grad(): y = x * 3"]


def test_an_in_place_change_of_a_leaf_is_refused_unless_under_no_grad(builder):
    session, _, widget = builder
    dialog = widget.open_add_dialog()
    dialog.choose_op("sub_")
    dialog.operand_fields[0].set_value("x")
    dialog.operand_fields[1].set_value(0.5)
    # The preview already says what the session will: x is a leaf that requires grad.
    leaf_error = "a leaf Variable that requires grad is being used in an in-place operation."
    assert leaf_error in dialog.error_label.text() and "no_grad" in dialog.error_label.text()
    dialog.no_grad_box.setChecked(True)
    assert dialog.error_label.text() == ""
    dialog.no_grad_box.setChecked(False)
    assert dialog.submit()  # a failing step is kept, marked ✗, as any other
    assert session.state("sub1").error == f"RuntimeError: {leaf_error}"
    assert widget.tree.topLevelItem(0).text(0) == "✗"
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        torch.ones(2, requires_grad=True).sub_(0.5)


def test_an_in_place_op_on_a_number_is_refused_in_the_preview(builder):
    _, _, widget = builder
    dialog = widget.open_add_dialog()
    dialog.choose_op("mul_")
    dialog.operand_fields[0].set_value(2)
    assert "its first operand must be one" in dialog.error_label.text()


def test_the_version_counter_error_built_by_hand_in_the_window(make_window):
    """Lesson 10 by hand: y = x * 2; z = y ** 2 saves y; y.add_(1) changes it; loss.backward()
    then fails with PyTorch's own message, and the console explains it."""
    window = make_window(None)
    window.session.set_document(Document(leaves=(X,)), saved=True)
    widget = window.pipeline
    add_step(widget, "mul", ("x", 2), name="y")
    add_step(widget, "pow", ("y", 2), name="z")
    add_step(widget, "add_", ("y", 1), name="y2")
    add_step(widget, "sum", ("z",), name="loss")
    assert widget.row_texts() == ["y = x * 2", "z = y.pow(2)", "y2 = y.add_(1)",
                                  "loss = z.sum()"]
    session = window.session
    assert session.state("y").value[0, 0] == 3.0 and session.state("z").value[0, 0] == 4.0
    assert session.state("y").grad_fn == "AddBackward0"  # the in-place add joined y's history
    trigger(window, "actionBackward")
    error = session.outcomes[-1].error
    assert error.startswith("RuntimeError: one of the variables needed for gradient "
                            "computation has been modified by an inplace operation")
    block = last_console_block(window)
    assert "modified by an inplace operation" in block and "Fix:" in block
    torch = pytest.importorskip("torch")
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, -2.0]], requires_grad=True)
    y = x * 2
    z = y.pow(2)
    y.add_(1)
    with pytest.raises(RuntimeError) as raised:
        z.sum().backward(torch.ones_like(z.sum()), retain_graph=True)
    assert error == f"RuntimeError: {raised.value}"
