"""Regression (file fuzzing): a tensor of shape (0, 10^12) in the editor's table crashed Qt
(10^12 header sections); an empty tensor now has no rows and no columns."""

import numpy as np
from PySide6.QtWidgets import QTableView

from playground.qt.tensor_editor_model import TensorTableModel


def test_an_empty_tensor_with_a_huge_dimension_has_no_cells(qtbot):
    model = TensorTableModel()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    for shape in [(0, 10**12), (10**12, 0), (0, 0)]:
        model.set_array(np.zeros(shape, dtype=np.float32), editable=True)
        assert (model.rowCount(), model.columnCount()) == (0, 0)
        view.show()
        qtbot.wait(1)
    model.set_array(np.ones((2, 3), dtype=np.float32), editable=True)
    assert (model.rowCount(), model.columnCount()) == (2, 3)
