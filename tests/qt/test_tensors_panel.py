"""The Tensors panel: every tensor listed, selection shared, refusals shown where they happen,
and every edit undoable from the Edit menu."""

import pytest
from PySide6.QtCore import Qt

from playground.qt.leaf_dialog import AddLeafDialog, parse_shape
from playground.qt.tensors_panel import GRAD, GRAD_FN, NAME, SHAPE
from playground.session import AddLeaf
from tests.qt.helpers import trigger


def _row(panel, name):
    tree = panel.tree
    for index in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(index)
        if item.text(NAME) == name:
            return item
    raise AssertionError(f"{name} is not listed")


def test_lists_every_tensor_with_its_autograd_facts(window):
    panel = window.tensors
    assert panel.tree.topLevelItemCount() == len(window.session.tensor_names())
    inp, out = _row(panel, "inp"), _row(panel, "out")
    assert inp.text(SHAPE) == "[4, 5]" and inp.text(GRAD_FN) == "leaf"
    assert inp.checkState(NAME) == Qt.CheckState.Checked and inp.text(GRAD) == "None"
    assert out.text(SHAPE) == "[5, 4]" and out.text(GRAD_FN) == "TBackward0"
    trigger(window, "actionBackward")
    assert _row(panel, "inp").text(GRAD) == "tensor"


def test_clicking_a_row_selects_the_tensor_everywhere(window):
    window.tensors.tree.setCurrentItem(_row(window.tensors, "out"))
    assert window.selection.name == "out"
    assert window.controls.retain_grad.isEnabled()  # out is not a leaf
    window.selection.select("x")
    assert window.tensors.tree.currentItem().text(NAME) == "x"


def test_deleting_a_used_leaf_is_refused_with_the_reason(window):
    window.selection.select("inp")
    before = window.session.document
    assert not window.tensors.delete_selected()
    assert "inp is used by out_add" in window.tensors.message.text()
    assert window.session.document == before


def test_deleting_a_tensor_the_timeline_uses_is_refused(window):
    trigger(window, "actionBackward")
    window.selection.select("out")
    assert not window.tensors.delete_selected()
    assert "used on the timeline" in window.tensors.message.text()


def test_rename_to_a_taken_name_is_refused_then_a_good_one_undoes(window):
    assert not window.tensors.rename("inp", "out")
    assert "already used" in window.tensors.message.text()
    assert window.tensors.rename("inp", "matrix")
    assert "matrix" in window.session.tensor_names()
    assert window.selection.name == "matrix"
    assert window.action_undo.text() == "&Undo Rename inp to matrix"
    trigger(window, "actionUndo")
    assert "inp" in window.session.tensor_names()


def test_unticking_requires_grad_is_an_undoable_edit(window, qtbot):
    item = _row(window.tensors, "w")
    item.setCheckState(NAME, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: not window.session.leaf("w").requires_grad)
    assert window.action_undo.text() == "&Undo Set w.requires_grad = False"
    trigger(window, "actionUndo")
    assert window.session.leaf("w").requires_grad
    assert _row(window.tensors, "w").checkState(NAME) == Qt.CheckState.Checked


def test_add_leaf_dialog_refuses_bad_input_at_the_field(window, qtbot):
    dialog = AddLeafDialog(window.session)
    qtbot.addWidget(dialog)
    dialog.shape.setText("3, x")
    assert not dialog.ok.isEnabled() and "shape" in dialog.message.text()
    dialog.shape.setText("2, 3")
    dialog.name.setText("inp")
    assert not dialog.ok.isEnabled() and "already used" in dialog.message.text()
    dialog.name.setText("ones_23")
    dialog.factory.setCurrentText("full")
    dialog.fill.setText("nan")
    assert not dialog.ok.isEnabled() and "finite" in dialog.message.text()
    dialog.fill.setText("2.5")
    assert dialog.ok.isEnabled()
    assert dialog.preview.text() == "ones_23 = torch.full((2, 3), 2.5, requires_grad=True)"
    window.undo_stack.push(AddLeaf(window.session, dialog.leaf()))
    assert window.session.state("ones_23").value.tolist() == [[2.5] * 3] * 2
    assert _row(window.tensors, "ones_23").text(SHAPE) == "[2, 3]"


def test_parse_shape_reads_what_people_type():
    assert parse_shape("4, 5") == (4, 5)
    assert parse_shape("(4, 5)") == (4, 5)
    assert parse_shape("4x5") == (4, 5)
    assert parse_shape("") == ()
    for bad in ("-1", "a", "1e9, 1e9", "100000, 100000"):
        try:
            parse_shape(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_double_click_opens_the_editor_on_that_tensor(window):
    item = _row(window.tensors, "w")
    window.tensors.tree.itemDoubleClicked.emit(item, 0)
    assert window.selection.name == "w"
    editor = window.docks["editor"]
    assert editor.isVisible() and not editor.visibleRegion().isEmpty() or not window.isVisible()


def test_add_leaf_dialog_refuses_empty_sizes_and_a_huge_arange(window, qtbot):
    dialog = AddLeafDialog(window.session)
    qtbot.addWidget(dialog)
    for bad in ("3,,4", ",", "3, ,4"):
        dialog.shape.setText(bad)
        assert not dialog.ok.isEnabled() and "empty size" in dialog.message.text(), bad
    dialog.shape.setText("3,")
    assert dialog.ok.isEnabled() and dialog.leaf().shape == (3,)
    dialog.factory.setCurrentText("arange")
    for end, step in (("1e12", "1"), ("5", "1e-9"), ("1e308", "1e-308")):
        dialog.end.setText(end)
        dialog.step.setText(step)
        assert not dialog.ok.isEnabled() and "limit" in dialog.message.text(), (end, step)
    dialog.end.setText("5")
    dialog.step.setText("1")
    assert dialog.ok.isEnabled()


def test_rename_refusals_keep_the_quotes_around_the_name(window, qtbot):
    window.selection.select("inp")
    assert not window.tensors.rename("inp", "2x")
    assert window.tensors.message.text() == "'2x' is not a valid Python name"
    assert not window.tensors.rename("inp", "torch")
    assert window.tensors.message.text().startswith("'torch' is reserved")
    assert window.session.leaf("inp") is not None


def test_rename_to_a_builtin_the_script_calls_is_refused(window):
    for name in ("print", "float", "RuntimeError"):
        assert not window.tensors.rename("inp", name)
        assert window.tensors.message.text() == f"'{name}' is reserved for the exported script"
    assert window.tensors.rename("inp", "input_2")


def test_add_leaf_dialog_refuses_dtypes_pytorch_refuses_for_the_factory(window, qtbot):
    dialog = AddLeafDialog(window.session)
    qtbot.addWidget(dialog)
    dialog.requires_grad.setChecked(False)
    for factory, dtype in (("rand", "int64"), ("randn", "bool"), ("arange", "bool"),
                           ("linspace", "bool")):
        dialog.factory.setCurrentText(factory)
        dialog.dtype.setCurrentText(dtype)
        assert not dialog.ok.isEnabled() and dialog.message.text().startswith("dtype:")
    dialog.factory.setCurrentText("arange")
    dialog.dtype.setCurrentText("int64")
    assert dialog.ok.isEnabled()  # torch.arange(5, dtype=torch.int64) is fine
    dialog.step.setText("0.5")
    assert not dialog.ok.isEnabled() and "whole step" in dialog.message.text()


def test_ticking_requires_grad_on_an_int_leaf_is_refused_at_the_tick(window, qtbot):
    from playground.session import Leaf

    window.undo_stack.push(AddLeaf(window.session, Leaf(name="k", factory="arange", end=5,
                                                        dtype="int64", requires_grad=False)))
    before = window.undo_stack.count()
    _row(window.tensors, "k").setCheckState(NAME, Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: "only floating-point" in window.tensors.message.text())
    assert not window.session.leaf("k").requires_grad
    assert window.session.state("k").value is not None
    assert window.undo_stack.count() == before
    assert _row(window.tensors, "k").checkState(NAME) == Qt.CheckState.Unchecked


def test_paste_on_the_grad_tab_says_where_to_paste(window):
    editor = window.editor  # built on first use (a tab behind the pipeline at start)
    window.selection.select("inp")
    editor.show_grad(True)
    assert not editor.paste_text("1")
    assert "paste on the value tab" in editor.message_label.text()


def _shown_lines(tree, item, column) -> list[str]:
    """The lines a cell draws: its text, as the column's delegate wraps it."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    from playground.qt.wrapped_names import LINE_SEPARATOR

    option = QStyleOptionViewItem()
    option.initFrom(tree)
    index = tree.indexFromItem(item, column)
    tree.itemDelegateForIndex(index).initStyleOption(option, index)
    return option.text.split(LINE_SEPARATOR)


def _check_every_cell_fits(tree) -> None:
    from PySide6.QtWidgets import QApplication, QStyle

    QApplication.processEvents()  # the rows are measured again once the columns settle
    header, metrics = tree.header(), tree.fontMetrics()
    if header.length() > tree.viewport().width():  # then the table scrolls sideways to it
        assert tree.horizontalScrollBar().maximum() >= header.length() - tree.viewport().width()
    # The style draws a cell's text inside (focus-frame margin + 1) on each side.
    margin = tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, tree) + 1
    for row in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(row)
        for column in (SHAPE, GRAD, GRAD_FN):
            lines = _shown_lines(tree, item, column)
            widest = max(metrics.horizontalAdvance(line) for line in lines)
            room = header.sectionSize(column) - 2 * margin
            assert widest <= room, (item.text(NAME), lines, room)
            assert tree.visualItemRect(item).height() >= len(lines) * metrics.height()


def test_the_name_column_follows_the_longest_name(window):
    from playground.session import Leaf

    tree, header = window.tensors.tree, window.tensors.tree.header()
    before = header.sectionSize(NAME)
    window.undo_stack.push(AddLeaf(window.session, Leaf(name="a_much_longer_leaf_name",
                                                        factory="zeros", shape=(2,))))
    assert header.sectionSize(NAME) == tree.sizeHintForColumn(NAME) > before
    trigger(window, "actionUndo")
    assert header.sectionSize(NAME) == before


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_column_is_readable_at_the_default_dock_width(make_window, qtbot, theme):
    from playground.session import Leaf

    window = make_window()
    window.set_theme(theme)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    tree = window.tensors.tree
    _check_every_cell_fits(tree)
    assert tree.header().length() == tree.viewport().width()  # nothing off the right edge
    assert _shown_lines(tree, _row(window.tensors, "out_pow"), GRAD_FN) == ["PowBackward0"]
    names = {tree.topLevelItem(row).text(GRAD_FN) for row in range(tree.topLevelItemCount())}
    assert {"PowBackward0", "BinaryCrossEntropyWithLogitsBackward0"} <= names
    window.undo_stack.push(AddLeaf(window.session, Leaf(name="k", factory="arange", end=5,
                                                        dtype="int64", requires_grad=False)))
    assert _row(window.tensors, "k").text(SHAPE) == "[5] int64"  # float32 goes unsaid
    _check_every_cell_fits(tree)
    assert tree.header().length() == tree.viewport().width()
    # A narrower table wraps the names (before their capitals) rather than cutting them.
    default_width = tree.viewport().width()
    tree.setMaximumWidth(tree.width() - 60)
    qtbot.waitUntil(lambda: tree.viewport().width() < default_width - 50)
    _check_every_cell_fits(tree)
    assert _shown_lines(tree, _row(window.tensors, "out_pow"), GRAD_FN) == ["Pow", "Backward0"]


def test_the_buttons_say_what_they_do_and_why_they_are_off(window):
    panel = window.tensors
    window.selection.select(None)
    assert not panel.rename_button.isEnabled()
    assert panel.rename_button.toolTip() == "Select a tensor first"
    window.selection.select("out")
    assert panel.delete_button.isEnabled() and "Delete out" in panel.delete_button.toolTip()
    trigger(window, "actionForward")
    trigger(window, "actionDetach")
    detached = window.selection.name if window.selection.name != "out" else next(
        a.new_name for a in window.session.document.actions if a.kind == "detach")
    window.selection.select(detached)
    assert not panel.delete_button.isEnabled()
    assert "undo that action" in panel.delete_button.toolTip()
    assert "randn" in panel.add_button.toolTip()


def test_a_non_leaf_box_says_why_it_cannot_be_ticked(window):
    out, inp = _row(window.tensors, "out"), _row(window.tensors, "inp")
    assert not out.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert "only a leaf's box can be ticked" in out.toolTip(NAME)
    assert inp.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert "only a leaf" not in inp.toolTip(NAME)
