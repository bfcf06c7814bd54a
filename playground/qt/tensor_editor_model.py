"""The tensor editor's table: a 2-D picture of a tensor (a slice, for more dimensions) as a
``QAbstractTableModel``. Editing a cell never changes the array here: a good value is handed to
the editor as ``edit_requested`` (which pushes a session command); a bad one is refused at the
cell, which turns red and says why in its tooltip."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from .tensor_editor_parse import parse_cell
from .theme import colors

EDITABLE_HINT = "double-click or type to edit; paste a block with Ctrl+V"


def element_text(value, dtype: str) -> str:
    """The shortest text that reads back as exactly this element."""
    if dtype == "bool":
        return "True" if value else "False"
    if dtype == "int64":
        return str(int(value))
    text = str(np.float32(value)) if dtype == "float32" else repr(float(value))
    return text


class TensorTableModel(QAbstractTableModel):
    """Rows and columns of a 2-D array; ``editable`` decides whether cells can be edited.

    Signals
    -------
    edit_requested(row, column, value) : a cell was given a valid new value.
    refused(row, column, reason) : a cell was given text that is not a valid element.
    """

    edit_requested = Signal(int, int, object)
    refused = Signal(int, int, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.array = np.zeros((0, 0))
        self.dtype = "float32"
        self.editable = False
        self.refusals: dict[tuple[int, int], tuple[str, str]] = {}  # cell -> (text, reason)
        self.changed: np.ndarray | None = None  # cells to tint (changed by the last action)

    def set_array(self, array: np.ndarray, editable: bool, changed: np.ndarray | None = None):
        """Show ``array`` (2-D); keeps the view's current cell when the shape is unchanged, and
        then repaints only the cells whose text or tint changed."""
        same_shape = array.shape == self.array.shape and editable == self.editable
        changed = changed if changed is not None and changed.shape == array.shape else None
        if not same_shape:
            self.beginResetModel()
        else:
            redraw = _cells_to_redraw(self.array, array, self.changed, changed)
            if self.refusals:
                redraw = True  # their tint and tooltip go
        self.array, self.editable = array, editable
        self.dtype = str(array.dtype) if array.dtype.kind != "O" else "float64"
        self.changed = changed
        self.refusals = {}
        if not same_shape:
            self.endResetModel()
        elif redraw is True:
            last = self.index(array.shape[0] - 1, array.shape[1] - 1)
            self.dataChanged.emit(self.index(0, 0), last)
        elif redraw is not False:
            (top, left), (bottom, right) = redraw
            self.dataChanged.emit(self.index(top, left), self.index(bottom, right))

    # -- Qt model --
    # An empty tensor has no cells: a (0, 10^12) one as 10^12 header sections crashed Qt.
    def rowCount(self, parent=None) -> int:
        empty = self.array.size == 0 or (parent is not None and parent.isValid())
        return 0 if empty else self.array.shape[0]

    def columnCount(self, parent=None) -> int:
        empty = self.array.size == 0 or (parent is not None and parent.isValid())
        return 0 if empty else self.array.shape[1]

    def flags(self, index):
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsEditable if self.editable else flags

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{'row' if orientation == Qt.Orientation.Vertical else 'column'} {section}"
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        cell = (index.row(), index.column())
        refusal = self.refusals.get(cell)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return element_text(self.array[cell], self.dtype)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            # The theme's tints: fixed pastel ones left light text unreadable in the dark theme.
            if refusal:
                return QBrush(QColor(colors().error_background))
            if self.changed is not None and self.changed[cell]:
                return QBrush(QColor(colors().changed_background))
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if refusal:
                return f"'{refusal[0]}' was refused: {refusal[1]}. The value is unchanged."
            return EDITABLE_HINT if self.editable else "read-only"
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self.editable:
            return False
        row, column = index.row(), index.column()
        try:
            number = parse_cell(value, self.dtype)
        except ValueError as error:
            self.refusals[(row, column)] = (str(value)[:40], str(error))
            self.dataChanged.emit(index, index)
            self.refused.emit(row, column, str(error))
            return False
        if self.refusals.pop((row, column), None) is not None:
            self.dataChanged.emit(index, index)
        current = self.array[row, column]
        if _same_element(current, number):
            return False
        self.edit_requested.emit(row, column, number)
        return True

    def refusal_at(self, row: int, column: int) -> str | None:
        refusal = self.refusals.get((row, column))
        return None if refusal is None else refusal[1]


def _cells_to_redraw(old, new, old_tint, new_tint):
    """False when nothing shown differs, True for every cell, else the corners of the block of
    cells whose element or tint changed (typing one cell repaints one cell)."""
    if not new.size:
        return False
    if old.dtype != new.dtype or (old_tint is None) != (new_tint is None):
        return True
    differs = old != new
    if new.dtype.kind == "f":
        differs &= ~(np.isnan(old) & np.isnan(new))
    if new_tint is not None:
        differs |= old_tint != new_tint
    # The rows first, then the columns of those rows only: np.nonzero over a 2048² table
    # listed every changed cell, ~2.5x longer, on the GUI thread as a big edit landed.
    rows = np.flatnonzero(differs.any(axis=1))
    if not rows.size:
        return False
    top, bottom = int(rows[0]), int(rows[-1])
    cols = np.flatnonzero(differs[top:bottom + 1].any(axis=0))
    return (top, int(cols[0])), (bottom, int(cols[-1]))


def _same_element(current, number) -> bool:
    """Whether ``number`` stored in ``current``'s dtype is what is already there."""
    stored = np.array(number).astype(np.asarray(current).dtype)
    return bool(np.array_equal(stored, current, equal_nan=stored.dtype.kind == "f"))
