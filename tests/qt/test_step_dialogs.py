"""The Backward and Zero grad option dialogs, the custom seed grid, and the lesson guide."""

import numpy as np
from PySide6.QtWidgets import QDialog

from playground.qt.lesson_guide import LessonGuide
from playground.qt.seed_editor import SeedGridEditor
from playground.qt.step_dialogs import (
    BackwardDialog,
    BackwardSettings,
    ZeroGradDialog,
    ZeroGradSettings,
)
from playground.qt.undo import UndoStack
from playground.session import Action, AddStep, Seed, Step
from playground.session.lessons import load_lesson
from tests.qt.helpers import last_console_block, trigger


def test_seed_grid_refuses_text_at_the_cell(qtbot):
    grid = SeedGridEditor((2, 3))
    qtbot.addWidget(grid)
    assert grid.values().tolist() == [[1, 1, 1], [1, 1, 1]]
    grid.table.item(1, 2).setText("abc")
    assert grid.values() is None
    assert grid.error == "Row 1, column 2: 'abc' is not a number"
    grid.table.item(1, 2).setText("-2.5")
    assert grid.values()[1, 2] == -2.5


def test_seed_grid_refuses_a_value_float32_cannot_hold(qtbot):
    grid = SeedGridEditor((2,))
    qtbot.addWidget(grid)
    grid.table.item(0, 1).setText("1e39")
    assert grid.values() is None and "out of range for float32" in grid.error
    grid = SeedGridEditor((1, 1, 2))
    qtbot.addWidget(grid)
    grid.text.setPlainText("[[[1, 1e39]]]")
    assert grid.values() is None and "float32" in grid.error


def test_backward_dialog_on_a_big_target_opens_at_once(window, qtbot):
    from playground.session import Leaf
    from playground.session.commands import AddLeaf

    window.undo_stack.push(AddLeaf(window.session, Leaf(name="big", factory="ones",
                                                        shape=(1000, 1000))))
    settings = BackwardSettings(target="big")
    dialog = BackwardDialog(window.session, settings, window)
    qtbot.addWidget(dialog)
    assert dialog.grid.table.rowCount() == 0
    dialog.findChild(type(dialog.kinds.button(0)), "seed_literal").setChecked(True)
    assert not dialog.ok.isEnabled()
    assert "up to 4,096 elements; this one has 1,000,000" in dialog.grid.message.text()
    dialog.findChild(type(dialog.kinds.button(0)), "seed_ones").setChecked(True)
    assert dialog.ok.isEnabled()


def test_seed_grid_for_three_dimensions_reads_a_nested_list(qtbot):
    grid = SeedGridEditor((2, 1, 2))
    qtbot.addWidget(grid)
    grid.text.setPlainText("[[[1, 2]], [[3, 4]]]")
    assert grid.values().shape == (2, 1, 2)
    grid.text.setPlainText("[[1, 2]]")
    assert grid.values() is None and "shape [2, 1, 2]" in grid.error
    grid.text.setPlainText("__import__('os')")
    assert grid.values() is None


def test_backward_with_a_custom_seed_from_the_dialog(window, qtbot, monkeypatch):
    dialog = BackwardDialog(window.session, window.controls.backward_settings, window)
    qtbot.addWidget(dialog)
    assert dialog.target.currentText() == "out"
    dialog.findChild(type(dialog.kinds.button(0)), "seed_literal").setChecked(True)
    dialog.grid.table.item(0, 0).setText("oops")
    assert not dialog.ok.isEnabled()
    for row in range(5):
        for column in range(4):
            dialog.grid.table.item(row, column).setText("0")
    dialog.grid.table.item(0, 0).setText("1")
    assert dialog.ok.isEnabled()
    settings = dialog.settings()
    monkeypatch.setattr(BackwardDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(BackwardDialog, "settings", lambda self: settings)
    trigger(window, "actionBackwardOptions")
    # v picks out[0, 0] = (inp[0, 0] + 1)^2, so only inp.grad[0, 0] = 2 * (1 + 1) = 4.
    grad = window.session.state("inp").grad
    assert grad[0, 0] == 4 and np.count_nonzero(grad) == 1
    assert "out.backward(v, retain_graph=True)" in last_console_block(window)


def test_non_scalar_backward_without_seed_explains_the_fix(window):
    window.controls.backward_settings = BackwardSettings("out", Seed(kind="implicit"), False)
    trigger(window, "actionBackward")
    block = last_console_block(window)
    assert "RuntimeError: grad can be implicitly created only for scalar outputs" in block
    assert "Fix: Pick a seed in Backward options" in block


def test_zero_grad_of_the_selection_can_set_none(window):
    trigger(window, "actionBackward")
    window.selection.select("inp")
    window.controls.zero_grad_settings = ZeroGradSettings(selected_only=True, set_to_none=True)
    trigger(window, "actionZeroGrad")
    assert window.session.state("inp").grad is None
    assert ">>> inp.grad = None" in last_console_block(window)


def test_undo_stack_records_nothing_when_the_session_refuses(window):
    stack = UndoStack()
    taken = Step(name="out", op="neg", operands=("inp",))
    try:
        stack.push(AddStep(window.session, taken))
    except ValueError as error:
        assert "already used" in str(error)
    else:
        raise AssertionError("a duplicate name was accepted")
    assert stack.count() == 0


def test_lesson_guide_skips_prints_and_ignores_detours():
    plan = load_lesson("seed-notebook").actions
    guide = LessonGuide("seed-notebook", plan)
    first_backward = next(a for a in plan if a.kind == "backward")
    done = (Action(kind="forward"), first_backward.model_copy(update={"note": ""}))
    assert guide.position(done) == plan.index(first_backward) + 1
    assert guide.next_action(()) == plan[0]
    assert guide.upcoming(plan) == ()


def test_zero_grad_dialog_opens_with_one_choice_checked_in_each_row(qtbot):
    for settings, selected, on, how in (
            (ZeroGradSettings(), "inp", "every", "zero"),
            (ZeroGradSettings(selected_only=True, set_to_none=True), "inp", "selected", "none"),
            (ZeroGradSettings(selected_only=True), "", "every", "zero")):
        dialog = ZeroGradDialog(settings, selected)
        qtbot.addWidget(dialog)
        assert getattr(dialog, on).isChecked() and getattr(dialog, how).isChecked()
        dialog.none.setChecked(True)
        assert getattr(dialog, on).isChecked()
        assert dialog.settings().set_to_none


def test_seed_grid_shows_only_the_indices_the_target_has(qtbot):
    for shape, rows, columns in (((), False, False), ((3,), False, True), ((2, 3), True, True)):
        grid = SeedGridEditor(shape)
        qtbot.addWidget(grid)
        assert grid.table.verticalHeader().isVisibleTo(grid) == rows, shape
        assert grid.table.horizontalHeader().isVisibleTo(grid) == columns, shape
    assert grid.values().shape == (2, 3)


def test_seed_grid_is_as_big_as_its_cells_and_numbers_read_as_in_the_editor(qtbot):
    from PySide6.QtCore import Qt

    grid = SeedGridEditor((3, 2))
    qtbot.addWidget(grid)
    grid.show()
    assert not grid.message.isVisible()  # no blank line above retain_graph
    table = grid.table
    cells_width = table.verticalHeader().width() + sum(
        table.columnWidth(column) for column in range(table.columnCount()))
    cells_height = table.horizontalHeader().height() + sum(
        table.rowHeight(row) for row in range(table.rowCount()))
    frame = 2 * table.frameWidth()
    assert table.width() <= cells_width + frame + 2  # no blank area beside the cells
    assert table.height() <= cells_height + frame + 2  # nor below them
    alignment = Qt.AlignmentFlag(table.item(0, 0).textAlignment())
    assert alignment & Qt.AlignmentFlag.AlignRight
    table.item(2, 1).setText("x")
    assert grid.message.isVisible() and "Row 2, column 1" in grid.message.text()
    table.item(2, 1).setText("3")
    assert not grid.message.isVisible()
