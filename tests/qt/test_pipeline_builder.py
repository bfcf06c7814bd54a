"""The pipeline builder: steps as PyTorch lines; add, edit, rename, reorder (by drag too) and
delete through the builder, each one undoable; bad operands and parameters are refused."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDropEvent

from playground.qt.pipeline_builder import PipelineBuilder
from playground.qt.pipeline_builder_fields import IntField, TensorListField, TextField
from playground.qt.selection import Selection
from playground.session import Session, UndoStack
from tests.qt.helpers import panel_over
from tests.session.builders import jvp_document


@pytest.fixture
def builder(qtbot):
    return panel_over(PipelineBuilder, qtbot, jvp_document())


def marks(widget):
    return [widget.tree.topLevelItem(i).text(0) for i in range(widget.tree.topLevelItemCount())]


def test_steps_read_as_pytorch_lines(builder):
    _, _, _, widget = builder
    assert widget.row_texts() == ["h = inp + 1", "sq = h.pow(2)", "out = sq.t()"]
    assert [widget.tree.topLevelItem(i).text(2) for i in range(3)] == ["[4, 5]", "[4, 5]",
                                                                      "[5, 4]"]
    assert marks(widget) == ["✓"] * 3
    assert "grad_fn=TBackward0" in widget.tree.topLevelItem(2).toolTip(1)


def test_add_a_step_from_the_palette_then_undo(builder):
    session, stack, selection, widget = builder
    dialog = widget.open_add_dialog()
    dialog.choose_op("sum")
    assert dialog.doc_label.text() == "Sum of all elements, or along dim."
    assert isinstance(dialog.param_fields["dim"], IntField)
    assert dialog.param_fields["dim"].widget.text() == "None"  # optional dim starts at None
    dialog.operand_fields[0].set_value("out")
    dialog.param_fields["dim"].set_value(1)
    dialog.param_fields["keepdim"].widget.setChecked(True)
    assert dialog.preview.text() == "sum1 = out.sum(dim=1, keepdim=True)   → [5, 1]"
    assert dialog.submit()
    assert widget.row_texts()[-1] == "sum1 = out.sum(dim=1, keepdim=True)"
    assert session.state("sum1").value.shape == (5, 1)
    assert stack.undo_text() == "Add step sum" and selection.name == "sum1"
    stack.undo()
    assert len(widget.row_texts()) == 3


def test_edit_a_step_and_downstream_follows(builder):
    session, stack, _, widget = builder
    dialog = widget.open_edit_dialog("sq")
    assert dialog.operand_fields[1].widget.currentText() == "2"
    dialog.operand_fields[1].set_value(3)
    assert dialog.submit()
    assert widget.row_texts()[1] == "sq = h.pow(3)"
    assert session.state("out").value[0, 0] == 8.0  # (1 + 1) ** 3
    stack.undo()
    assert widget.row_texts()[1] == "sq = h.pow(2)"
    assert session.state("out").value[0, 0] == 4.0


def test_change_the_op_of_a_step(builder):
    session, stack, _, widget = builder
    dialog = widget.open_edit_dialog("h")
    dialog.choose_op("mul")
    assert [f.widget.currentText() for f in dialog.operand_fields] == ["inp", "1"]
    dialog.operand_fields[1].set_value(3)
    assert dialog.submit()
    assert widget.row_texts()[0] == "h = inp * 3"
    assert stack.undo_text() == "Edit step h"


def test_editing_a_step_deleted_meanwhile_is_refused(builder):
    _, stack, _, widget = builder
    dialog = widget.open_edit_dialog("out")
    assert widget.delete_step("out")
    assert not dialog.submit()
    assert "no longer a step" in dialog.error_label.text()
    assert len(stack) == 1


def test_rename_through_the_form_then_undo(builder):
    session, stack, _, widget = builder
    dialog = widget.open_edit_dialog("sq")
    dialog.name_edit.setText("squared")
    assert dialog.submit()
    assert widget.row_texts() == ["h = inp + 1", "squared = h.pow(2)", "out = squared.t()"]
    assert stack.undo_text() == "Rename sq to squared"
    stack.undo()
    assert widget.row_texts()[2] == "out = sq.t()"
    assert widget.rename_step("h", "shifted")
    assert widget.row_texts()[1] == "sq = shifted.pow(2)"


def test_reorder_with_buttons_and_by_drag(builder):
    session, stack, _, widget = builder
    widget.tree.setCurrentItem(widget.tree.topLevelItem(2))
    widget.buttons["up"].click()
    assert widget.row_texts() == ["h = inp + 1", "out = sq.t()", "sq = h.pow(2)"]
    assert marks(widget) == ["✓", "✗", "✓"]  # out now comes before the sq it uses
    assert "needs sq" in widget.tree.topLevelItem(1).toolTip(1)
    assert stack.undo_text() == "Move step out"
    stack.undo()
    assert widget.row_texts()[2] == "out = sq.t()"
    widget.tree.setCurrentItem(widget.tree.topLevelItem(0))  # drag h below out
    last = widget.tree.visualItemRect(widget.tree.topLevelItem(2))
    drop = QDropEvent(QPointF(last.center().x(), last.bottom() - 1), Qt.DropAction.MoveAction,
                      QMimeData(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    widget.tree.dropEvent(drop)
    assert [s.name for s in session.document.steps] == ["sq", "out", "h"]
    assert marks(widget) == ["✗", "✗", "✓"]
    stack.undo()
    assert [s.name for s in session.document.steps] == ["h", "sq", "out"]


def test_delete_then_undo(builder):
    session, stack, _, widget = builder
    widget.tree.setCurrentItem(widget.tree.topLevelItem(0))
    widget.buttons["delete"].click()
    assert widget.row_texts() == ["sq = h.pow(2)", "out = sq.t()"]
    assert marks(widget) == ["✗", "✗"]
    assert stack.undo_text() == "Delete step h"
    stack.undo()
    assert widget.row_texts()[0] == "h = inp + 1"
    assert marks(widget) == ["✓"] * 3


@pytest.mark.parametrize("field, text, reason", [
    (0, "nosuch", "there is no tensor 'nosuch' before this step"),
    (0, "2 +", "'2 +' is not a tensor or a number"),
    (0, "", "pick a tensor"),
])
def test_bad_operands_are_refused(builder, field, text, reason):
    _, stack, _, widget = builder
    dialog = widget.open_add_dialog()
    dialog.operand_fields[field].widget.setCurrentText(text)
    assert reason in dialog.error_label.text()
    assert not dialog.submit()
    assert len(stack) == 0 and dialog.isVisible()


def test_names_and_parameters_are_checked(builder):
    _, stack, _, widget = builder
    dialog = widget.open_add_dialog()
    dialog.name_edit.setText("out")
    assert not dialog.submit() and "'out' is already used" in dialog.error_label.text()
    dialog.name_edit.setText("for")
    assert not dialog.submit() and "not a valid Python name" in dialog.error_label.text()
    dialog.name_edit.setText("flat")
    dialog.choose_op("reshape")
    shape = dialog.param_fields["shape"]
    assert isinstance(shape, TextField)
    shape.widget.setText("2, x")
    assert not dialog.submit() and "'x' is not a whole number" in dialog.error_label.text()
    shape.widget.setText("2, -1")
    dialog.operand_fields[0].set_value("inp")
    assert dialog.submit()
    assert widget.row_texts()[-1] == "flat = inp.reshape((2, -1))"
    assert marks(widget)[-1] == "✓" and widget.tree.topLevelItem(3).text(2) == "[2, 10]"
    assert len(stack) == 1


def test_engine_errors_show_in_the_form_and_the_list(builder):
    session, _, _, widget = builder
    dialog = widget.open_add_dialog()
    dialog.choose_op("mm")
    dialog.operand_fields[0].set_value("inp")
    dialog.operand_fields[1].set_value("inp")
    assert "fails" in dialog.error_label.text() and "RuntimeError" in dialog.error_label.text()
    assert dialog.submit()  # a failing step may be added: the list marks it
    assert marks(widget)[-1] == "✗"
    assert "RuntimeError" in widget.tree.topLevelItem(3).toolTip(1)


def test_engine_errors_come_with_their_plain_explanation(builder):
    _, _, _, widget = builder
    dialog = widget.open_add_dialog()
    dialog.choose_op("matmul")
    dialog.operand_fields[0].set_value("inp")
    dialog.operand_fields[1].set_value("inp")  # 4x5 @ 4x5
    plain = "here a is 4x5 (5 columns) and b is 4x5 (4 rows)"
    assert plain in dialog.error_label.text() and "Fix: Transpose" in dialog.error_label.text()
    assert dialog.submit()
    assert plain in widget.tree.topLevelItem(3).toolTip(1)
    dialog = widget.open_add_dialog()
    dialog.choose_op("view")
    dialog.operand_fields[0].set_value("out")  # out = sq.t() is not contiguous
    dialog.param_fields["shape"].set_value((20,))
    assert dialog.submit()
    assert marks(widget)[-1] == "✗"
    assert "Use .reshape(...)" in widget.tree.topLevelItem(4).toolTip(1)


def test_palette_filter_and_choice_and_variadic(builder):
    _, _, _, widget = builder
    dialog = widget.open_add_dialog()
    dialog.filter_edit.setText("squared")
    visible = [dialog.palette_tree.topLevelItem(g).child(i).text(0)
               for g in range(dialog.palette_tree.topLevelItemCount())
               for i in range(dialog.palette_tree.topLevelItem(g).childCount())
               if not dialog.palette_tree.topLevelItem(g).child(i).isHidden()]
    assert visible == ["mse_loss"]
    dialog.choose_op("mse_loss")
    dialog.param_fields["reduction"].widget.setCurrentText("sum")
    dialog.operand_fields[0].set_value("h")
    dialog.operand_fields[1].set_value("sq")
    assert dialog.preview.text().startswith(
        "mse_loss1 = torch.nn.functional.mse_loss(h, sq, reduction='sum')")
    dialog.choose_op("cat")
    tensors = dialog.operand_fields[0]
    assert isinstance(tensors, TensorListField)
    tensors.set_value(("sq", "inp"))
    assert dialog.step().operands == ("sq", "inp")  # joined in the order they were ticked
    assert dialog.preview.text().endswith("→ [8, 5]")


def test_random_edits_never_escape(qtbot, caplog):
    """A small monkey: random (often wrong) edits through all three widgets log no error."""
    import random

    from playground.qt.heatmap import HeatmapPanel
    from playground.qt.tensor_editor import TensorEditor
    from playground.session import AddAction
    from tests.session.builders import backward

    session, stack, selection = Session(jvp_document()), UndoStack(), Selection()
    widgets = [HeatmapPanel(session, selection), TensorEditor(session, stack, selection),
               PipelineBuilder(session, stack, selection)]
    for widget in widgets:
        qtbot.addWidget(widget)
    _, editor, builder = widgets
    rng = random.Random(7)
    texts = ["1", "-2.5", "abc", "", "nan", "1e999", "[[1, 2], [3, 4]]", "[1,", "0", "2, 3",
             "1\t2\n3\t4", "-1", "()"]
    for _ in range(150):
        names = session.tensor_names() + ["nope"]
        choice = rng.randrange(6)
        if choice == 0:
            selection.select(rng.choice(names))
        elif choice == 1:
            editor.edit_cell_text(rng.randrange(5), rng.randrange(5), rng.choice(texts))
        elif choice == 2:
            (editor.paste_text if rng.random() < 0.5 else editor.set_shape_text)(
                rng.choice(texts))
        elif choice == 3:
            dialog = builder.open_add_dialog()
            dialog.choose_op(rng.choice(["add", "sum", "reshape", "mm", "softmax", "cat"]))
            for field in dialog.operand_fields:
                if not isinstance(field, TensorListField):
                    field.widget.setCurrentText(rng.choice(names + texts))
            for field in dialog.param_fields.values():
                if isinstance(field, TextField):
                    field.widget.setText(rng.choice(texts))
            dialog.submit()
            dialog.close()
        elif choice == 4:
            stack.push(AddAction(session, backward(rng.choice(names))))
        else:
            stack.undo()
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def _palette_item(dialog, name):
    tree = dialog.palette_tree
    return next(tree.topLevelItem(g).child(i) for g in range(tree.topLevelItemCount())
                for i in range(tree.topLevelItem(g).childCount())
                if tree.topLevelItem(g).child(i).text(0) == name)


def _hover_tooltip(qtbot, dialog, name) -> str:
    """What a hover over op ``name`` in the palette pops up (a real tooltip event)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    tree = dialog.palette_tree
    item = _palette_item(dialog, name)
    tree.scrollToItem(item)
    point = tree.visualItemRect(item).center()
    event = QHelpEvent(QEvent.Type.ToolTip, point, tree.viewport().mapToGlobal(point))
    QApplication.sendEvent(tree.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    text = QToolTip.text()
    QToolTip.hideText()
    return text


@pytest.mark.parametrize("op, expected", [
    ("pow", ["input.pow(exponent)", "PowBackward0",
             "self: pow_backward(grad, self, exponent)", "PowBackward1"]),
    ("mul", ["input * other", "MulBackward0", "self: grad * other", "other: grad * self"]),
    ("sum", ["input.sum(dim=None, keepdim=False)", "SumBackward0",
             "self: grad.expand_symint(self.sym_sizes())", "SumBackward1"]),
    ("matmul", ["input @ other", "MmBackward0", "self: mm_mat1_backward"]),
    ("relu", ["input.relu()", "ReluBackward0", "self: threshold_backward(grad, result, 0)"]),
    ("cross_entropy", ["torch.nn.functional.cross_entropy(input, target, reduction=",
                       "NllLossBackward0", "LogSoftmaxBackward0"]),
])
def test_hovering_an_op_shows_signature_doc_and_formulas(builder, qtbot, op, expected):
    _, _, _, widget = builder
    dialog = widget.open_add_dialog()
    dialog.show()
    text = _hover_tooltip(qtbot, dialog, op)
    for fragment in expected:
        assert fragment in text
    assert _palette_item(dialog, op).text(1) in text  # the one-line doc


def test_ops_without_a_grad_fn_say_so(builder):
    _, _, _, widget = builder
    dialog = widget.open_add_dialog()
    assert "records no grad_fn" in _palette_item(dialog, "gt").toolTip(0)
    assert "grad_fn" not in _palette_item(dialog, "exp").toolTip(0).split("<br>")[1]


def test_the_form_shows_the_chosen_ops_formulas(builder):
    _, _, _, widget = builder
    dialog = widget.open_add_dialog()
    dialog.choose_op("relu")
    assert "ReluBackward0" in dialog.formula_label.text()
    assert "self: threshold_backward(grad, result, 0)" in dialog.formula_label.text()
    dialog.choose_op("lt")
    assert "records no grad_fn" in dialog.formula_label.text()


def test_a_long_step_line_keeps_both_ends_and_is_whole_in_its_tooltip(window):
    window.resize(1280, 800)
    window.show()
    tree = window.pipeline.tree
    rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    loss = next(item for item in rows if item.text(1).startswith("loss = "))
    assert tree.textElideMode() == Qt.TextElideMode.ElideMiddle
    assert loss.toolTip(1).splitlines()[0] == loss.text(1)
    assert "binary_cross_entropy" in loss.text(1)


def test_the_mark_and_shape_columns_follow_their_widest_text(builder):
    from playground.session import Leaf, ReplaceLeaf

    session, stack, _, widget = builder
    tree, header = widget.tree, widget.tree.header()

    def fitted(column):
        return max(tree.sizeHintForColumn(column), header.sectionSizeHint(column))

    before = header.sectionSize(2)
    assert before == fitted(2)
    stack.push(ReplaceLeaf(session, Leaf(name="inp", factory="eye", shape=(1000, 2000),
                                         requires_grad=True)))
    assert tree.topLevelItem(0).text(2) == "[1000, 2000]"
    assert header.sectionSize(2) == fitted(2) > before  # grown, not cut
    stack.undo()
    assert header.sectionSize(2) == before
    assert header.sectionSize(0) == fitted(0)
