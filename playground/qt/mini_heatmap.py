"""Small heatmaps for the learning views: thumbnails inside graph nodes, and ``MatrixPlot``, a
labelled pyqtgraph heatmap with the numbers written in the cells.

``MatrixPlot`` follows pyqtgraph's MatrixDisplay recipe: an ``ImageItem`` in row-major order,
shifted by half a cell, Y inverted so row 0 is on top, one tick per index, a diverging colormap
centred on zero for signed data (``levels`` can be fixed so colours compare between steps).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QLabel, QSizePolicy, QVBoxLayout, QWidget

# isort: split
import pyqtgraph as pg  # after PySide6, so that it picks this binding

DIVERGING = pg.colormap.get("CET-D1")
SEQUENTIAL = pg.colormap.get("viridis")
TEXT_LIMIT = 12  # numbers are written while both sides have at most this many cells
DISPLAY_LIMIT = 200  # a picture is drawn at most this many cells a side; bigger is downsampled
THUMBNAIL_LIMIT = 64  # the same for the thumbnails inside graph nodes


def to_2d(array) -> np.ndarray:
    """The 2-D float picture of a tensor: 0-d → 1×1, 1-d → one row, n-d → rows of the last dim."""
    array = np.asarray(array)
    if array.ndim == 0:
        array = array.reshape(1, 1)
    elif array.ndim == 1:
        array = array.reshape(1, -1)
    elif array.ndim > 2:
        array = array.reshape(-1, array.shape[-1])
    return array.astype(np.float64, copy=False)


def symmetric_levels(*arrays) -> tuple[float, float]:
    """Levels centred on zero that fit every finite value of ``arrays``."""
    top = 0.0
    for array in arrays:
        if array is None:
            continue
        finite = np.asarray(array, dtype=float)
        finite = finite[np.isfinite(finite)]
        if finite.size:
            top = max(top, float(np.abs(finite).max()))
    top = top or 1.0
    return -top, top


def downsample(matrix: np.ndarray, limit: int = DISPLAY_LIMIT):
    """A picture of ``matrix`` at most ``limit`` cells a side: each cell is the entry of largest
    magnitude (sign kept) in its block, so a thin diagonal or a lone non-zero stays visible where
    an average would fade it. Returns the picture, the first row and first column of each
    block, and the block's (rows, columns); (1, 1) when nothing was merged."""
    rows, cols = matrix.shape
    tall, wide = max(1, -(-rows // limit)), max(1, -(-cols // limit))
    if tall == wide == 1:
        return matrix, list(range(rows)), list(range(cols)), (1, 1)
    out_rows, out_cols = -(-rows // tall), -(-cols // wide)
    padded = np.zeros((out_rows * tall, out_cols * wide), dtype=np.float64)
    padded[:rows, :cols] = matrix
    blocks = padded.reshape(out_rows, tall, out_cols, wide).transpose(0, 2, 1, 3)
    blocks = blocks.reshape(out_rows, out_cols, tall * wide)
    magnitude = np.where(np.isfinite(blocks), np.abs(blocks), np.inf)  # nan stays visible
    picked = np.take_along_axis(blocks, magnitude.argmax(axis=2)[..., None], axis=2)[..., 0]
    return picked, list(range(0, rows, tall)), list(range(0, cols, wide)), (tall, wide)


def colours(picture: np.ndarray, diverging: bool, levels=None) -> np.ndarray:
    """RGBA bytes (h, w, 4) of a 2-D picture; nan/inf are drawn grey."""
    if levels is None:
        levels = symmetric_levels(picture) if diverging else _span(picture)
    low, high = levels
    scaled = (picture - low) / ((high - low) or 1.0)
    bad = ~np.isfinite(scaled)
    scaled = np.clip(np.where(bad, 0.5, scaled), 0.0, 1.0)
    cmap = DIVERGING if diverging else SEQUENTIAL
    rgba = cmap.map(scaled.ravel(), mode="byte").reshape(picture.shape + (4,))
    rgba[bad] = (160, 160, 160, 255)
    return np.ascontiguousarray(rgba, dtype=np.uint8)


def _span(picture):
    finite = picture[np.isfinite(picture)]
    if not finite.size:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    return (low - 0.5, high + 0.5) if low == high else (low, high)


def thumbnail(array, diverging: bool) -> QImage:
    """A tensor as a small image, one pixel per element up to ``THUMBNAIL_LIMIT`` a side and
    downsampled beyond (it is drawn some 60 pixels wide; colouring the million elements of a
    1000 x 1000 tensor took ~350 ms for each node of the graph)."""
    rgba = colours(downsample(to_2d(array), THUMBNAIL_LIMIT)[0], diverging)
    height, width = rgba.shape[:2]
    image = QImage(rgba.data, width, height, width * 4, QImage.Format.Format_RGBA8888)
    return image.copy()  # own the pixels: rgba goes away


def format_number(value: float) -> str:
    if not np.isfinite(value):
        return "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    if value == round(value) and abs(value) < 1e6:
        return f"{value:.0f}."
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.1e}"
    return f"{value:.3f}".rstrip("0")


def plot_width(cols: int, longest_label: int, cell: int, max_side: int) -> int:
    """The width of a ``MatrixPlot``'s picture of ``cols`` columns at ``cell`` pixels a cell, its
    row labels ``longest_label`` characters long, at most ``max_side``."""
    return min(40 + 7 * longest_label + cols * cell, max_side)


class _CellTexts(QGraphicsItem):
    """The numbers of a small matrix, painted in device pixels so they stay crisp."""

    def __init__(self):
        super().__init__()
        self.picture = np.zeros((1, 1))
        self.dark: np.ndarray | None = None
        self.marked: tuple[int, int] | None = None
        self.text_limit = TEXT_LIMIT
        self.hide_zeros = False
        self.setZValue(10)

    def set_picture(self, picture, rgba, marked=None):
        self.prepareGeometryChange()
        self.picture = picture
        luminance = rgba[..., :3].astype(float) @ np.array([0.299, 0.587, 0.114]) / 255.0
        self.dark = luminance > 0.55
        self.marked = marked
        self.update()

    def boundingRect(self) -> QRectF:
        rows, cols = self.picture.shape
        return QRectF(-0.5, -0.5, cols, rows)

    def paint(self, painter: QPainter, option, widget=None):
        rows, cols = self.picture.shape
        to_device = painter.transform()
        cell = to_device.mapRect(QRectF(0, 0, 1, 1))
        painter.save()
        painter.resetTransform()
        if self.marked is not None:
            r, c = self.marked
            box = QRectF(0, 0, cell.width(), cell.height())
            box.moveCenter(to_device.map(QPointF(c, r)))
            painter.setPen(pg.mkPen("#ff8c00", width=3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(box.adjusted(1.5, 1.5, -1.5, -1.5))
        if rows <= self.text_limit and cols <= self.text_limit:
            texts = [("" if self.hide_zeros and v == 0 else format_number(v))
                     for v in self.picture.ravel().tolist()]
            longest = max((len(t) for t in texts), default=1)
            size = min(cell.height() * 0.42, cell.width() * 0.9 / (0.6 * max(longest, 2)), 16.0)
            if size >= 7:
                font = QFont()
                font.setPixelSize(int(size))
                painter.setFont(font)
                box = QRectF(0, 0, cell.width(), cell.height())
                for i, text in enumerate(texts):
                    r, c = divmod(i, cols)
                    box.moveCenter(to_device.map(QPointF(c, r)))
                    dark = self.dark is None or bool(self.dark[r, c])
                    painter.setPen(QColor(25, 25, 25) if dark else QColor(255, 255, 255))
                    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


class MatrixPlot(QWidget):
    """A titled heatmap of a tensor (or of a ``None`` gradient), with index ticks.

    ``set_array(array, levels=None, marked=None)`` shows ``array`` (None draws a hatched
    "None"); ``row_labels``/``col_labels`` override the index ticks (the Jacobian's
    ``(i, j)`` labels); ``marked`` outlines one cell (row, col) of the 2-D picture.
    ``texts.text_limit`` and ``texts.hide_zeros`` say when numbers are written in the cells.
    A picture over ``DISPLAY_LIMIT`` cells a side is drawn downsampled (``downsample``), and
    the title says so; ``block`` is then the (rows, columns) each cell stands for.
    """

    def __init__(self, title: str = "", diverging: bool = True, parent: QWidget | None = None,
                 cell: int = 26):
        super().__init__(parent)
        self.diverging = diverging
        self.cell = cell
        self.max_side = 640
        self.array = None
        self.block = (1, 1)
        self._title = title
        self.title = QLabel(title)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setBackground(None)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setTransform(self.image.transform().translate(-0.5, -0.5))
        self.plot.addItem(self.image)
        self.texts = _CellTexts()
        self.plot.addItem(self.texts)
        self.none_label = pg.TextItem("None", color=(90, 90, 90), anchor=(0.5, 0.5))
        self.plot.addItem(self.none_label)
        for side in ("left", "top"):
            self.plot.showAxis(side)
            self.plot.getAxis(side).setStyle(tickLength=0)
        for side in ("bottom", "right"):
            self.plot.hideAxis(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.plot_widget)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.set_array(None)

    def set_title(self, text: str) -> None:
        self._title = text
        self._show_title()

    def _show_title(self) -> None:
        tall, wide = self.block
        note = (f"<br><i>downsampled: a cell is the largest-magnitude entry of {tall} × {wide}"
                "</i>" if self.block != (1, 1) else "")
        self.title.setText(self._title + note)

    def set_array(self, array, levels=None, marked=None, row_labels=None, col_labels=None,
                  none_shape=None):
        """Show ``array``; None draws a hatched "None" the size of ``none_shape``."""
        self.array = None if array is None else np.asarray(array)
        self.block = (1, 1)
        if self.array is None:
            picture = np.zeros(to_2d(np.zeros(none_shape or ())).shape)
            rgba = np.full(picture.shape + (4,), 235, dtype=np.uint8)
            self.image.setImage(rgba, autoLevels=False)
            self.texts.set_picture(np.zeros((0, 0)), np.zeros((0, 0, 4)))
            self.none_label.setPos((picture.shape[1] - 1) / 2, (picture.shape[0] - 1) / 2)
            self.none_label.show()
            self.plot_widget.setBackgroundBrush(QBrush(QColor(200, 200, 200),
                                                       Qt.BrushStyle.BDiagPattern))
        else:
            picture = to_2d(self.array)
            picture, row_labels, col_labels, marked = self._fitted(picture, row_labels,
                                                                   col_labels, marked)
            rgba = colours(picture, self.diverging, levels)
            self.image.setImage(rgba, autoLevels=False)
            self.texts.set_picture(picture, rgba, marked)
            self.none_label.hide()
            self.plot_widget.setBackgroundBrush(QBrush(Qt.BrushStyle.NoBrush))
        rows, cols = picture.shape
        longest = max((len(t) for t in row_labels or [str(rows)]), default=1)
        self.plot.getAxis("left").setWidth(int(10 + 7 * longest))
        self.plot.setRange(xRange=(-0.5, cols - 0.5), yRange=(-0.5, rows - 0.5), padding=0.02)
        width = plot_width(cols, longest, self.cell, self.max_side)
        height = min(24 + rows * self.cell, self.max_side)
        # Aspect is locked: a cell is as many pixels as the tighter side allows.
        cell = min((width - 40 - 7 * longest) / max(cols, 1), (height - 24) / max(rows, 1))
        self._set_ticks("left", rows, row_labels, 14 / max(cell, 0.1))
        top_chars = max((len(t) for t in col_labels or [str(cols)]), default=1)
        self._set_ticks("top", cols, col_labels, (6.5 * top_chars + 4) / max(cell, 0.1))
        self.plot_widget.setFixedSize(max(width, 90), max(height, 50))
        self.title.setMaximumWidth(max(width, 160))
        self._show_title()

    def _fitted(self, picture, row_labels, col_labels, marked):
        """``picture`` small enough to draw (its labels and marked cell to match); a million
        cells would cost 70 ms to colour for a 640-pixel plot."""
        small, rows, cols, self.block = downsample(picture)
        if self.block == (1, 1):
            return picture, row_labels, col_labels, marked
        tall, wide = self.block
        row_labels = [row_labels[i] if row_labels else str(i) for i in rows]
        col_labels = [col_labels[i] if col_labels else str(i) for i in cols]
        return small, row_labels, col_labels, None if marked is None else (
            marked[0] // tall, marked[1] // wide)

    def _set_ticks(self, side, count, labels, cells_per_label=1.0):
        """A tick every few cells: as many as fit without overlapping, at most 24."""
        if labels is None:
            labels = [str(i) for i in range(count)]
        step = max(1, count // 24, int(np.ceil(cells_per_label)))
        ticks = [(i, labels[i]) for i in range(0, count, step)]
        self.plot.getAxis(side).setTicks([ticks, []])
