"""The tensor table repaints only what changed: one cell for one edited element, nothing when
the same numbers come back (a replay makes new arrays), everything when refusals are cleared."""

import numpy as np

from playground.qt.tensor_editor_model import TensorTableModel


def _record(model):
    ranges = []
    model.dataChanged.connect(lambda top, bottom, *_: ranges.append(
        ((top.row(), top.column()), (bottom.row(), bottom.column()))))
    return ranges


def test_one_changed_element_repaints_one_cell(qtbot):
    model = TensorTableModel()
    array = np.zeros((64, 64), dtype=np.float32)
    array[3, 3] = np.nan
    model.set_array(array, editable=True)
    ranges = _record(model)
    model.set_array(array.copy(), editable=True)  # same numbers, nan included
    assert ranges == []
    edited = array.copy()
    edited[5, 7] = 2.5
    model.set_array(edited, editable=True)
    assert ranges == [((5, 7), (5, 7))]
    assert model.data(model.index(5, 7)) == "2.5"


def test_refusals_and_tints_repaint(qtbot):
    model = TensorTableModel()
    array = np.ones((2, 3))
    model.set_array(array, editable=True)
    ranges = _record(model)
    assert not model.setData(model.index(0, 1), "abc")  # refused: that cell turns red
    model.set_array(array.copy(), editable=True)
    assert ranges[-1] == ((0, 0), (1, 2)) and model.refusal_at(0, 1) is None
    tint = np.zeros((2, 3), dtype=bool)
    tint[1, 0] = True
    model.set_array(array.copy(), editable=True, changed=tint)
    assert ranges[-1] == ((0, 0), (1, 2))  # tinting starts: every cell
    tint2 = tint.copy()
    tint2[1, 2] = True
    model.set_array(array.copy(), editable=True, changed=tint2)
    assert ranges[-1] == ((1, 2), (1, 2))


def test_changes_in_several_cells_repaint_the_block_around_them(qtbot):
    model = TensorTableModel()
    array = np.zeros((8, 9), dtype=np.float32)
    model.set_array(array, editable=True)
    ranges = _record(model)
    edited = array.copy()
    edited[2, 6], edited[5, 1], edited[4, 4] = 1, 2, 3  # rows 2-5, columns 1-6
    model.set_array(edited, editable=True)
    assert ranges == [((2, 1), (5, 6))]
