"""What a heatmap draws over its image: the numbers in the cells, outlines of changed cells,
marks on nan/inf cells, and the hatched ``None`` of a gradient that does not exist.

One ``CellOverlay`` item paints all of it in a single ``paint`` call (in device pixels, so the
text stays crisp and upright at any zoom), instead of one ``TextItem`` per cell.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QGraphicsItem

from .theme import colors, graph_colors

TEXT_LIMIT = 16  # numbers are written while both sides are at most this many cells
OUTLINE_LIMIT = 1024  # changed cells outlined one by one; more (or all) outline the picture
NONE_PIXELS = 15  # the "None" label's size, the same in every card (smaller only if it must)
OUTLINE = QColor(20, 20, 20)


def display_array(array: np.ndarray, index: tuple[int, ...] = ()) -> np.ndarray:
    """The 2-D float picture of a tensor: 0-d → 1×1, 1-d → a 1×n strip, n-d → the slice
    ``array[index]`` of its last two dimensions."""
    if array.ndim > 2:
        array = array[tuple(index)] if len(index) == array.ndim - 2 else array.reshape(
            (-1,) + array.shape[-2:])[0]
    array = array.reshape(1, -1) if array.ndim == 1 else array.reshape(array.shape[-2:] or (1, 1))
    if array.dtype.kind == "f":
        return array
    return array.astype(np.float32)


def number_format(array: np.ndarray):
    """How the cells print numbers, close to ``print(tensor)``: ``4.`` when every float is a whole
    number, else 4 decimals (scientific when they would not fit)."""
    kind = array.dtype.kind
    if kind == "b":
        return lambda v: "True" if v else "False"
    if kind in "iu":
        return lambda v: str(int(v))
    finite = array[np.isfinite(array)]
    if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
        return _whole
    big = np.abs(finite).max() if finite.size else 0.0
    small = np.abs(finite[finite != 0]).min() if np.any(finite != 0) else 1.0
    if big >= 1e4 or small < 1e-3:
        return _scientific
    return _decimals


def _special(v) -> str | None:
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return None


def _whole(v) -> str:
    return _special(v) or f"{v:.0f}."


def _decimals(v) -> str:
    return _special(v) or f"{v:.4f}"


def _scientific(v) -> str:
    return _special(v) or f"{v:.2e}"


def cell_strings(array: np.ndarray, shown: np.ndarray) -> list[str] | None:
    """Row-major texts of the 2-D picture ``shown`` (formatted by the tensor's dtype), or None
    when the picture is too big for numbers."""
    if shown.shape[0] > TEXT_LIMIT or shown.shape[1] > TEXT_LIMIT:
        return None
    form = number_format(array)
    return [form(v) for v in shown.ravel().tolist()]


def text_colours(rgba: np.ndarray) -> list[bool]:
    """For each cell colour (N×4, 0–255), whether dark text reads best on it."""
    luminance = rgba[:, :3].astype(float) @ np.array([0.299, 0.587, 0.114]) / 255.0
    return (luminance > 0.55).tolist()


class CellOverlay(QGraphicsItem):
    """Texts, outlines and marks for an image whose cell (r, c) spans c±0.5, r±0.5."""

    def __init__(self, parent: QGraphicsItem | None = None):
        super().__init__(parent)
        self.shape = (1, 1)
        self.texts: list[str] | None = None
        self.dark: list[bool] = []
        self.outlined: np.ndarray | None = None  # (k, 2) row/col pairs
        self.whole_outline = False  # too many changed cells: outline the picture
        self.marks: np.ndarray | None = None  # (k, 2) nan/inf cells
        self.none_text = ""  # "None" when the gradient is None
        self.setZValue(10)

    def set_content(self, shape, texts=None, dark=(), outlined=None, marks=None, none_text=""):
        """``outlined``: (k, 2) changed cells, or True to outline the whole picture."""
        self.prepareGeometryChange()
        self.shape, self.texts, self.dark = shape, texts, list(dark)
        self.marks = marks if marks is not None and len(marks) <= OUTLINE_LIMIT else None
        self.none_text = none_text
        self.set_outlines(outlined)

    def set_outlines(self, outlined) -> None:
        self.whole_outline = outlined is True
        self.outlined = None if outlined is True else outlined
        self.update()

    def boundingRect(self) -> QRectF:
        rows, cols = self.shape
        return QRectF(-0.5, -0.5, cols, rows).adjusted(-0.1, -0.1, 0.1, 0.1)

    def paint(self, painter, option, widget=None):
        rows, cols = self.shape
        to_device = painter.transform()
        cell = to_device.mapRect(QRectF(0, 0, 1, 1))
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        whole = to_device.mapRect(QRectF(-0.5, -0.5, cols, rows))
        if self.none_text:
            self._paint_none(painter, whole)
        else:
            if self.marks is not None:
                self._paint_marks(painter, to_device, cell)
            if self.texts is not None:
                self._paint_texts(painter, to_device, cell)
            self._paint_outlines(painter, to_device, cell, whole)
        painter.restore()

    def _paint_none(self, painter, whole: QRectF):
        # The theme's colours (a white box glared in the dark theme) and one label size for
        # every card: it once followed the picture, 28 px on a matrix and 10 px on a vector.
        c, graph = colors(), graph_colors()
        painter.fillRect(whole, QColor(graph.empty_cell))
        painter.fillRect(whole, QBrush(QColor(graph.frame), Qt.BrushStyle.BDiagPattern))
        font = QFont()
        font.setPixelSize(int(min(NONE_PIXELS, max(9.0, whole.height() * 0.7))))
        font.setBold(True)
        painter.setFont(font)
        box = QFontMetricsF(font).boundingRect(self.none_text).adjusted(-8, -3, 8, 3)
        box.moveCenter(whole.center())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(c.base))
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(QColor(c.muted))
        painter.drawText(whole, Qt.AlignmentFlag.AlignCenter, self.none_text)

    def _paint_marks(self, painter, to_device, cell: QRectF):
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(120, 120, 120), Qt.BrushStyle.DiagCrossPattern))
        for r, c in self.marks.tolist():
            rect = QRectF(0, 0, cell.width(), cell.height())
            rect.moveCenter(to_device.map(QPointF(c, r)))
            painter.drawRect(rect)

    def _paint_texts(self, painter, to_device, cell: QRectF):
        longest = max((len(t) for t in self.texts), default=1)
        size = min(cell.height() * 0.42, cell.width() * 0.88 / (0.58 * max(longest, 2)), 44.0)
        if size < 7:
            return  # too small to read; hover still tells the value
        font = QFont()
        font.setPixelSize(int(size))
        painter.setFont(font)
        rows, cols = self.shape
        dark_pen, light_pen = QColor(25, 25, 25), QColor(255, 255, 255)
        rect = QRectF(0, 0, cell.width(), cell.height())
        for i, text in enumerate(self.texts):
            r, c = divmod(i, cols)
            rect.moveCenter(to_device.map(QPointF(c, r)))
            dark = self.dark[i] if i < len(self.dark) else True
            painter.setPen(dark_pen if dark else light_pen)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_outlines(self, painter, to_device, cell: QRectF, whole: QRectF):
        pen = QPen(OUTLINE, 2.0)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self.whole_outline:
            painter.drawRect(whole.adjusted(1, 1, -1, -1))
            return
        if self.outlined is None:
            return
        if cell.width() < 5 or cell.height() < 5:  # too small to see one: outline the picture
            painter.drawRect(whole.adjusted(1, 1, -1, -1))
            return
        inset = min(2.0, cell.width() / 6)
        rects = []
        for r, c in self.outlined.tolist():
            rect = QRectF(0, 0, cell.width(), cell.height())
            rect.moveCenter(to_device.map(QPointF(c, r)))
            rects.append(rect.adjusted(inset, inset, -inset, -inset))
        painter.drawRects(rects)
