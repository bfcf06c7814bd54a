"""A small grid for typing a custom backward seed of the target's shape.

Matrices and vectors are typed cell by cell; tensors of other ranks as a nested Python list
(read with ``ast.literal_eval``, never run). A cell that is not a number is marked where it is,
with the reason underneath, and ``values()`` stays None until every cell reads.
"""

from __future__ import annotations

import ast
import math

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .theme import colors

FLOAT32_MAX = float(np.finfo(np.float32).max)
MAX_SEED_ELEMENTS = 4096  # a grid (or list) a learner can type; bigger would freeze the dialog
MAX_GRID_HEIGHT = 240  # about eight rows; a taller grid scrolls
NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def parse_number(text: str) -> float:
    """A finite float from what a learner types (``2``, ``-0.5``, ``1e-3``); ValueError else."""
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()} is not a finite number")
    if abs(value) > FLOAT32_MAX:  # the seed is float32: 1e39 would become inf
        raise ValueError(f"{text.strip()} is out of range for float32 (largest ±3.4e38)")
    return value


class SeedGridEditor(QWidget):
    """Edits an array of ``shape``; ``changed`` fires after every edit."""

    changed = Signal()

    def __init__(self, shape: tuple[int, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.shape = tuple(shape)
        self._error = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(self)
        self.text = QPlainTextEdit(self)
        self.message = QLabel(self)
        self.message.setObjectName("panelError")
        self.message.setWordWrap(True)
        layout.addWidget(self.table)
        layout.addWidget(self.text)
        layout.addWidget(self.message)
        self.message.hide()  # takes no room (a blank gap above retain_graph) until it speaks
        count = math.prod(self.shape)
        if count > MAX_SEED_ELEMENTS:
            self.table.hide()
            self.text.hide()
            self._error = (f"A custom seed is typed for targets of up to {MAX_SEED_ELEMENTS:,} "
                           f"elements; this one has {count:,}. Use ones_like or random.")
            self._show_error()
        elif len(self.shape) <= 2:
            self._build_grid()
            self.text.hide()
        else:
            self.table.hide()
            self.text.setPlainText(repr(np.ones(self.shape).tolist()))
            self.text.textChanged.connect(self._on_text_changed)
            self._on_text_changed()

    def _build_grid(self):
        rows, columns = (1, 1) if not self.shape else (
            (1, self.shape[0]) if len(self.shape) == 1 else self.shape)
        self.table.setRowCount(rows)
        self.table.setColumnCount(columns)
        # Indices as PyTorch counts them (from 0), the same as the messages below.
        self.table.setVerticalHeaderLabels([str(i) for i in range(rows)])
        self.table.setHorizontalHeaderLabels([str(i) for i in range(columns)])
        # A vector has no row index and a 0-d tensor no index at all: no "0" to mislead.
        self.table.verticalHeader().setVisible(len(self.shape) == 2)
        self.table.horizontalHeader().setVisible(len(self.shape) >= 1)
        for row in range(rows):
            for column in range(columns):
                item = QTableWidgetItem("1")
                item.setTextAlignment(NUMBER_ALIGNMENT)  # as the tensor editor shows numbers
                self.table.setItem(row, column, item)
        self.table.horizontalHeader().setDefaultSectionSize(56)
        # As big as the grid, up to a few rows: a small seed had a blank area beside and below.
        self.table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.table.setMaximumHeight(MAX_GRID_HEIGHT)
        self.table.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        self.table.itemChanged.connect(self._on_cell_changed)

    def _on_cell_changed(self, item: QTableWidgetItem):
        try:
            parse_number(item.text())
            item.setBackground(QBrush())
            item.setToolTip("")
        except ValueError as error:
            item.setBackground(QBrush(QColor(colors().error_background)))
            item.setToolTip(str(error))
        self._error = self._grid_error()
        self._show_error()
        self.changed.emit()

    def _grid_error(self) -> str:
        for row in range(self.table.rowCount()):
            for column in range(self.table.columnCount()):
                try:
                    parse_number(self.table.item(row, column).text())
                except ValueError as error:
                    return f"Row {row}, column {column}: {error}"
        return ""

    def _on_text_changed(self):
        try:
            self._from_text()
            self._error = ""
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as error:
            self._error = str(error) or "not a nested list of numbers"
        self._show_error()
        self.changed.emit()

    def _show_error(self):
        self.message.setText(self._error)
        self.message.setVisible(bool(self._error))

    def _from_text(self) -> np.ndarray:
        data = ast.literal_eval(self.text.toPlainText())
        array = np.array(data, dtype=np.float64)
        if array.shape != self.shape:
            raise ValueError(f"the seed must have shape {list(self.shape)}, "
                             f"this has {list(array.shape)}")
        if not np.isfinite(array).all() or (np.abs(array) > FLOAT32_MAX).any():
            raise ValueError("every element must be a finite float32 number (up to ±3.4e38)")
        return array

    @property
    def error(self) -> str:
        return self._error

    def set_values(self, array: np.ndarray) -> None:
        """Show ``array`` (of this editor's shape), e.g. the seed used last time."""
        if array.shape != self.shape or math.prod(self.shape) > MAX_SEED_ELEMENTS:
            return
        if self.text.isVisible() or len(self.shape) > 2:
            self.text.setPlainText(repr(array.tolist()))
            return
        flat = array.reshape(self.table.rowCount(), self.table.columnCount())
        for (row, column), value in np.ndenumerate(flat):
            self.table.item(row, column).setText(f"{value:g}")

    def values(self) -> np.ndarray | None:
        """The typed seed as float32 of the target's shape, or None while a cell is wrong."""
        if self._error:
            return None
        if len(self.shape) > 2:
            return self._from_text().astype(np.float32)
        cells = [[parse_number(self.table.item(r, c).text())
                  for c in range(self.table.columnCount())] for r in range(self.table.rowCount())]
        return np.array(cells, dtype=np.float32).reshape(self.shape)
