"""The tensor editor stays readable in both themes (tinted cells keep their numbers legible)
and shows only the controls that apply to what it shows."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from playground.qt.selection import Selection
from playground.qt.tensor_editor import TensorEditor
from playground.session import AddAction, Document, Leaf, Session, TensorData, UndoStack
from tests.qt.contrast import contrast
from tests.session.builders import backward, jvp_document


def _text_on_background(widget, row: int, column: int) -> float:
    model = widget.model
    background = model.data(model.index(row, column), Qt.ItemDataRole.BackgroundRole)
    assert background is not None, "the cell is not tinted"
    text = widget.table.palette().color(QPalette.ColorRole.Text)
    return contrast(QColor(background.color()), text)


def test_tinted_cells_keep_their_numbers_readable(qtbot, each_theme):
    session, stack, selection = Session(jvp_document()), UndoStack(), Selection()
    widget = TensorEditor(session, stack, selection)
    qtbot.addWidget(widget)
    selection.select("inp")
    assert not widget.edit_cell_text(0, 1, "abc")  # refused: the cell turns red
    assert _text_on_background(widget, 0, 1) >= 4.5
    stack.push(AddAction(session, backward()))
    widget.show_grad(True)  # every cell of inp.grad changed: tinted
    assert _text_on_background(widget, 0, 0) >= 4.5


def test_the_slice_boxes_go_with_the_tensor_that_needs_them(qtbot):
    cube = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    session = Session(Document(leaves=(
        Leaf(name="cube", values=TensorData.of(cube), requires_grad=True),
        Leaf(name="s", factory="full", shape=(), fill=1.5),
    )))
    selection = Selection()
    widget = TensorEditor(session, UndoStack(), selection)
    qtbot.addWidget(widget)
    selection.select("cube")
    assert len(widget.slice_boxes) == 1
    widget.show()
    boxes = list(widget.slice_boxes)
    widget.show_grad(True)  # cube.grad is None: no slice to pick
    assert widget.stack.currentWidget() is widget.empty_label and not widget.slice_boxes
    assert not any(box.isVisible() for box in boxes)
    widget.show_grad(False)
    assert len(widget.slice_boxes) == 1
    selection.select("s")
    assert not widget.slice_boxes
