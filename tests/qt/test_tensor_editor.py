"""The tensor editor: cell edits (good and bad text), pastes, reshapes, read-only views of
computed tensors and gradients; every change is one undoable command."""

from __future__ import annotations

import numpy as np
import pytest

from playground.qt.selection import Selection
from playground.qt.tensor_editor import TensorEditor
from playground.qt.tensor_editor_parse import parse_block, parse_cell, parse_shape
from playground.session import AddAction, Document, Leaf, Session, TensorData, UndoStack
from tests.session.builders import backward, jvp_document


@pytest.fixture
def editor(qtbot):
    session, stack, selection = Session(jvp_document()), UndoStack(), Selection()
    widget = TensorEditor(session, stack, selection)
    qtbot.addWidget(widget)
    selection.select("inp")
    return session, stack, selection, widget


def value(session, name="inp"):
    return session.state(name).value


def test_edit_a_cell_then_undo(editor, qtbot):
    session, stack, _, widget = editor
    widget.show()
    assert widget.model.editable and widget.model.rowCount() == 4
    assert widget.edit_cell_text(0, 1, " 2.5 ")
    assert value(session)[0, 1] == 2.5
    assert stack.undo_text() == "Edit inp[0, 1]"
    assert widget.model.data(widget.model.index(0, 1)) == "2.5"
    assert session.state("out").value[1, 0] == 3.5**2  # downstream follows
    stack.undo()
    assert value(session)[0, 1] == 0.0
    assert widget._updates.stale  # an undo (Ctrl+Z anywhere) refreshes it once, a pass later
    qtbot.waitUntil(lambda: widget.model.data(widget.model.index(0, 1)) == "0.0")


@pytest.mark.parametrize("text, reason", [
    ("abc", "'abc' is not a number"),
    ("", "empty"),
    ("1e999", "out of range for float32"),
    ("1e39", "out of range for float32"),
    ("2+3", "not a number"),
    ("__import__('os')", "not a number"),
    ("x" * 10_000_000, "is not a number"),
])
def test_bad_text_is_refused_at_the_cell(editor, text, reason):
    session, stack, _, widget = editor
    before = value(session).copy()
    assert not widget.edit_cell_text(1, 2, text)
    np.testing.assert_array_equal(value(session), before)
    assert len(stack) == 0
    assert reason in widget.model.refusal_at(1, 2)
    assert reason in widget.model.data(widget.model.index(1, 2), _tooltip_role())
    assert widget.message_label.text().startswith("inp[1, 2] unchanged:")
    assert widget.edit_cell_text(1, 2, "7")  # a good value clears the mark
    assert widget.model.refusal_at(1, 2) is None
    assert value(session)[1, 2] == 7


def _tooltip_role():
    from PySide6.QtCore import Qt
    return Qt.ItemDataRole.ToolTipRole


def test_non_finite_values_are_allowed_when_typed_as_such(editor):
    session, _, _, widget = editor
    assert widget.edit_cell_text(0, 0, "nan")
    assert widget.edit_cell_text(0, 1, "-inf")
    assert np.isnan(value(session)[0, 0]) and value(session)[0, 1] == -np.inf


@pytest.mark.parametrize("text", [
    "[[1, 2], [3, 4]]",
    "1\t2\n3\t4\n",
    "1, 2\n3, 4",
    "tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)",
])
def test_paste_a_block_then_undo(editor, text):
    session, stack, _, widget = editor
    widget.table.setCurrentIndex(widget.model.index(1, 2))
    assert widget.paste_text(text)
    np.testing.assert_array_equal(value(session)[1:3, 2:4], [[1, 2], [3, 4]])
    assert value(session)[0, 0] == 1.0  # the rest is kept
    assert stack.undo_text() == "Paste 2×2 into inp"
    stack.undo()
    np.testing.assert_array_equal(value(session), np.eye(4, 5))


@pytest.mark.parametrize("text, reason", [
    ("[[1, 2], [3]]", "different lengths"),
    ("[[1, 2], [3, x]]", "row 2, column 2: 'x' is not a number"),
    ("[[1, 2]", "unbalanced"),
    ("1 2 3 4 5 6", "only 4×5 fits"),
    ("", "nothing to paste"),
    ("a" * 2_000_000, "too much to paste"),
])
def test_bad_paste_changes_nothing(editor, text, reason):
    session, stack, _, widget = editor
    widget.table.setCurrentIndex(widget.model.index(0, 0))
    widget.table.setCurrentIndex(widget.model.index(0, 0))
    assert not widget.paste_text(text)
    assert len(stack) == 0
    assert reason in widget.message_label.text()
    np.testing.assert_array_equal(value(session), np.eye(4, 5))


def test_reshape_a_leaf(editor):
    session, stack, _, widget = editor
    assert widget.set_shape_text("5, 4")
    assert value(session).shape == (5, 4)
    assert session.leaf("inp").factory == "eye"  # still eye(5, 4)
    assert widget.model.rowCount() == 5
    assert not widget.set_shape_text("2, x")
    assert "'x' is not a size" in widget.message_label.text()
    stack.undo()
    assert value(session).shape == (4, 5)


def test_reshape_refuses_an_empty_size_through_the_shape_box(editor, qtbot):
    from PySide6.QtCore import Qt

    session, stack, _, widget = editor
    widget.show()
    widget.shape_edit.setText("4,,5")
    qtbot.keyClick(widget.shape_edit, Qt.Key.Key_Return)
    assert "empty size" in widget.message_label.text()
    assert value(session).shape == (4, 5) and len(stack) == 0
    widget.shape_edit.setText("20,")
    qtbot.keyClick(widget.shape_edit, Qt.Key.Key_Return)
    assert value(session).shape == (20,)


def test_reshape_typed_values_keeps_the_overlap(editor):
    session, stack, _, widget = editor
    widget.edit_cell_text(0, 1, "3")  # now typed-in values
    assert widget.set_shape_text("2x2")
    np.testing.assert_array_equal(value(session), [[1, 3], [0, 1]])
    assert widget.set_shape_text("4")
    np.testing.assert_array_equal(value(session), [1, 3, 0, 1])


def test_computed_tensors_and_grads_are_read_only(editor):
    session, stack, selection, widget = editor
    selection.select("sq")
    assert not widget.model.editable
    assert widget.shape_edit.isHidden()
    assert not widget.edit_cell_text(0, 0, "5")
    assert not widget.paste_text("1")
    stack.push(AddAction(session, backward()))
    selection.select("inp")
    widget.show_grad(True)
    assert not widget.model.editable
    assert widget.model.data(widget.model.index(0, 0)) == "4.0"
    assert widget.model.changed is not None and widget.model.changed.all()
    selection.select("h")
    assert widget.stack.currentWidget() is widget.empty_label
    assert "retain_grad" in widget.empty_label.text()


def test_no_selection_and_slices(qtbot):
    cube = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    session = Session(Document(leaves=(
        Leaf(name="cube", values=TensorData.of(cube)),
        Leaf(name="s", factory="full", shape=(), fill=1.5),
        Leaf(name="n", factory="tensor", dtype="int64",
             values=TensorData(dtype="int64", shape=(3,), data=(1, 2, 3))),
    )))
    stack, selection = UndoStack(), Selection()
    widget = TensorEditor(session, stack, selection)
    qtbot.addWidget(widget)
    assert widget.stack.currentWidget() is widget.empty_label
    selection.select("cube")
    assert len(widget.slice_boxes) == 1 and widget.model.rowCount() == 3
    widget.slice_boxes[0].setValue(1)
    assert widget.model.data(widget.model.index(0, 0)) == "12.0"
    assert widget.edit_cell_text(0, 0, "-1")
    assert session.state("cube").value[1, 0, 0] == -1
    selection.select("s")
    assert widget.edit_cell_text(0, 0, "2")
    assert session.state("s").value == 2
    selection.select("n")
    assert not widget.edit_cell_text(0, 2, "2.5")
    assert "whole number" in widget.model.refusal_at(0, 2)
    assert widget.edit_cell_text(0, 2, "9")
    assert session.state("n").value.tolist() == [1, 2, 9]
    selection.select("gone")
    assert "does not exist" in widget.empty_label.text()


def test_parsers_never_evaluate():
    assert parse_cell("1_000", "float32") == 1000.0
    assert parse_cell("true", "bool") is True
    with pytest.raises(ValueError):
        parse_cell("1j", "float64")
    assert parse_block("[1, 2, 3]", "float32").shape == (1, 3)
    assert parse_block("[[True, False]]", "bool").tolist() == [[True, False]]
    with pytest.raises(ValueError, match="more than 2 levels"):
        parse_block("[[[1]]]", "float32")
    assert parse_shape("(2, 3)") == (2, 3) and parse_shape("()") == ()


def test_typing_in_the_table(editor, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLineEdit

    session, stack, _, widget = editor
    widget.show()
    for text, expected in (("abc", 0.0), ("-3.25", -3.25)):
        index = widget.model.index(2, 3)
        widget.table.setCurrentIndex(index)
        widget.table.edit(index)
        line = [e for e in widget.table.findChildren(QLineEdit) if e.isVisible()][-1]
        line.selectAll()
        qtbot.keyClicks(line, text)
        qtbot.keyClick(line, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: widget.table.state() != widget.table.State.EditingState)
        assert value(session)[2, 3] == expected
    assert len(stack) == 1
    assert widget.model.refusal_at(2, 3) is None


def test_info_line_is_never_cut_in_a_narrow_dock(editor, qtbot):
    from PySide6.QtCore import QRect, Qt

    session, _, selection, widget = editor
    widget.resize(312, 260)
    widget.show()
    selection.select("out")
    qtbot.waitUntil(lambda: "grad_fn" in widget.info_label.text())
    label = widget.info_label

    def fits():
        needed = label.fontMetrics().boundingRect(
            QRect(0, 0, label.width(), 10_000), Qt.TextFlag.TextWordWrap, label.text())
        return needed.height() <= label.height() and label.width() > 250

    qtbot.waitUntil(fits, timeout=2000)


def test_columns_fit_the_numbers_of_the_next_tensor_and_the_shape_box_its_shape(editor, qtbot):
    from playground.session import Leaf
    from playground.session.commands import AddLeaf

    session, stack, selection, widget = editor
    widget.resize(312, 300)
    widget.show()
    stack.push(AddLeaf(session, Leaf(name="cube", factory="randn", shape=(2, 3, 4, 5))))
    selection.select("cube")  # its slices are 4x5 like inp: same shape, longer numbers
    text = widget.model.data(widget.model.index(0, 0))
    needed = widget.table.fontMetrics().horizontalAdvance(text)
    assert widget.table.columnWidth(0) >= needed
    qtbot.waitUntil(lambda: widget.shape_edit.width() > 0)
    edit = widget.shape_edit
    assert edit.text() == "2, 3, 4, 5"
    assert edit.width() > edit.fontMetrics().horizontalAdvance(edit.text())


def test_a_hidden_editor_catches_up_when_shown_and_refreshes_once_per_change(editor, qtbot):
    session, stack, _, widget = editor
    refreshes = []
    refresh = widget.refresh
    widget.refresh = lambda: (refreshes.append(1), refresh())[1]
    widget._updates._refresh = widget.refresh
    assert widget.edit_cell_text(0, 1, "2.5")  # its own edit: shown at once, once
    assert refreshes == [1] and widget.model.data(widget.model.index(0, 1)) == "2.5"
    stack.undo()
    stack.redo()
    stack.undo()  # hidden (a tab behind the pipeline): nothing done yet
    qtbot.wait(20)
    assert refreshes == [1] and widget._updates.stale
    widget.show()
    qtbot.waitUntil(lambda: not widget._updates.stale)
    assert refreshes == [1, 1] and widget.model.data(widget.model.index(0, 1)) == "0.0"
