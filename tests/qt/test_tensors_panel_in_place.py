"""The Tensors panel and the pipeline builder keep their rows between actions and set again only
the cells that changed (rebuilding a whole tree on every action cost ~9 ms a Backward), while
showing exactly what a fresh panel would show."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from playground.qt.pipeline_builder import PipelineBuilder
from playground.qt.selection import Selection
from playground.qt.tensors_panel import GRAD, NAME, TensorsPanel
from playground.qt.theme import colors
from playground.session import (
    AddAction,
    EditStep,
    RemoveStep,
    Rename,
    Step,
    UndoStack,
)
from tests.qt.helpers import panel_over, trigger
from tests.session.builders import backward, jvp_document

ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
         Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.CheckStateRole,
         Qt.ItemDataRole.UserRole)


def items(tree) -> list:
    return [tree.topLevelItem(row) for row in range(tree.topLevelItemCount())]


def changed_cells(tree) -> set[tuple[int, int]]:
    """Records the (row, column) of every cell the model reports changed."""
    cells: set[tuple[int, int]] = set()

    def record(top_left, bottom_right, _roles=()):
        for row in range(top_left.row(), bottom_right.row() + 1):
            for column in range(top_left.column(), bottom_right.column() + 1):
                cells.add((row, column))

    tree.model().dataChanged.connect(record)
    return cells


def contents(tree) -> list:
    """Everything each cell shows (texts, tooltips, colours, ticks, names) and its flags."""
    rows = []
    for item in items(tree):
        cells = []
        for column in range(tree.columnCount()):
            data = [item.data(column, role) for role in ROLES]
            brush = data[2]
            data[2] = None if brush is None else brush.color().name()
            cells.append(tuple(data))
        rows.append((tuple(cells), bool(item.flags() & Qt.ItemFlag.ItemIsUserCheckable)))
    return rows


@pytest.fixture
def panel(qtbot):
    return panel_over(TensorsPanel, qtbot, jvp_document())


def fresh_contents(session, qtbot) -> list:
    other = TensorsPanel(session, UndoStack(), Selection())
    qtbot.addWidget(other)
    return contents(other.tree)


def test_a_backward_keeps_the_rows_and_sets_only_grad_cells(window):
    tree = window.tensors.tree
    before = items(tree)
    grads_before = [item.text(GRAD) for item in before]
    cells = changed_cells(tree)
    trigger(window, "actionBackward")
    assert all(a is b for a, b in zip(items(tree), before)) and len(items(tree)) == len(before)
    gained = {row for row, item in enumerate(before) if item.text(GRAD) != grads_before[row]}
    assert gained  # a real check: the leaves got a .grad
    assert cells and {column for _, column in cells} == {GRAD}
    assert {row for row, _ in cells} == gained
    assert all(before[row].foreground(GRAD).style() == Qt.BrushStyle.NoBrush for row in gained)


def test_a_rename_changes_only_its_row(panel, qtbot):
    session, stack, _, widget = panel
    before = items(widget.tree)
    row = session.tensor_names().index("sq")
    cells = changed_cells(widget.tree)
    stack.push(Rename(session, "sq", "squared"))
    assert items(widget.tree) == before and all(a is b for a, b in zip(items(widget.tree), before))
    assert before[row].text(NAME) == "squared"
    assert before[row].data(NAME, Qt.ItemDataRole.UserRole) == "squared"
    assert cells and {r for r, _ in cells} == {row}
    assert contents(widget.tree) == fresh_contents(session, qtbot)


def test_rows_updated_in_place_show_what_a_fresh_panel_shows(panel, qtbot):
    session, stack, _, widget = panel
    checks = []
    # a failing step (4x5 @ 4x5) blocks out: no box, red name; undo brings both back
    stack.push(EditStep(session, "sq", Step(name="sq", op="matmul", operands=("h", "h"))))
    checks.append(contents(widget.tree))
    row = session.tensor_names().index("sq")
    assert widget.tree.topLevelItem(row).data(NAME, Qt.ItemDataRole.CheckStateRole) is None
    assert widget.tree.topLevelItem(row).foreground(NAME).color() == QColor(colors().error)
    assert checks[-1] == fresh_contents(session, qtbot)
    stack.undo()
    checks.append(contents(widget.tree))
    assert widget.tree.topLevelItem(row).checkState(NAME) == Qt.CheckState.Checked
    assert widget.tree.topLevelItem(row).foreground(NAME).style() == Qt.BrushStyle.NoBrush
    assert checks[-1] == fresh_contents(session, qtbot)
    stack.push(AddAction(session, backward()))
    assert contents(widget.tree) == fresh_contents(session, qtbot)
    # a leaf that stops requiring grad unticks every row that follows it
    assert widget.toggle_requires_grad("inp", False)
    ticks = [item.checkState(NAME) for item in items(widget.tree)]
    assert ticks == [Qt.CheckState.Unchecked] * len(session.tensor_names())
    assert contents(widget.tree) == fresh_contents(session, qtbot)


def test_a_removed_tensor_takes_its_row_away_and_the_selection_follows_names(panel, qtbot):
    session, stack, selection, widget = panel
    selection.select("out")
    stack.push(RemoveStep(session, "out"))
    assert widget.tree.topLevelItemCount() == len(session.tensor_names()) == 3
    assert contents(widget.tree) == fresh_contents(session, qtbot)
    stack.undo()
    assert widget.tree.topLevelItemCount() == 4
    assert widget.tree.currentItem().text(NAME) == "out"
    assert contents(widget.tree) == fresh_contents(session, qtbot)


def test_the_pipeline_keeps_its_rows_through_a_backward_and_an_edit(qtbot):
    session, stack, _, widget = panel_over(PipelineBuilder, qtbot, jvp_document())
    before = items(widget.tree)
    cells = changed_cells(widget.tree)
    stack.push(AddAction(session, backward()))
    assert all(a is b for a, b in zip(items(widget.tree), before))
    assert not cells  # a backward changes no step's line, shape or mark
    stack.push(EditStep(session, "sq", Step(name="sq", op="pow", operands=("h", 3))))
    assert all(a is b for a, b in zip(items(widget.tree), before))
    assert widget.row_texts() == ["h = inp + 1", "sq = h.pow(3)", "out = sq.t()"]
    assert {row for row, _ in cells} == {1}
    # a failing edit marks it and the step after it, like a fresh builder
    stack.push(EditStep(session, "sq", Step(name="sq", op="matmul", operands=("h", "h"))))
    other = PipelineBuilder(session, UndoStack(), Selection())
    qtbot.addWidget(other)
    assert contents(widget.tree) == contents(other.tree)
    assert [item.text(0) for item in items(widget.tree)] == ["✓", "✗", "✗"]


def test_a_renamed_or_shifted_row_stays_selected(panel):
    session, stack, selection, widget = panel
    selection.select("sq")
    assert widget.rename("sq", "squared")
    current = widget.tree.currentItem()
    assert current.text(NAME) == "squared" and current.isSelected()
    assert selection.name == "squared"
    stack.push(RemoveStep(session, "out"))
    selection.select("h")
    stack.undo()  # out comes back at the end; h keeps its row and its highlight
    current = widget.tree.currentItem()
    assert current.text(NAME) == "h" and current.isSelected() and selection.name == "h"
