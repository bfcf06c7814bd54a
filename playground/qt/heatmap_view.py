"""One heatmap of a card: a tensor's value or its ``.grad`` as a pyqtgraph image.

The recipe of pyqtgraph's MatrixDisplayExample: a row-major ``ImageItem`` shifted by half a
cell, Y inverted so row 0 is on top, one tick per index, a diverging colormap (CET-D1) centred
on zero, and a ``ColorBarItem`` whose levels are set explicitly so colours stay comparable while
stepping. Items are created once and reused; ``show`` returns early when nothing changed.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from pyqtgraph import functions as fn
from PySide6 import QtGui

from ..session.outcome import same_array
from .heatmap_bar import PictureFrame
from .heatmap_cells import (
    OUTLINE_LIMIT,
    CellOverlay,
    cell_strings,
    display_array,
    text_colours,
)

TICK_LIMIT = 32  # one tick per index up to this many cells along an axis
COLORMAP = "CET-D1"
DOWNSAMPLE_ABOVE = 256  # pictures with more cells along a side may be averaged down to the screen


@functools.lru_cache(maxsize=8)
def _colour_table(entries: bytes, channels: int) -> list[int]:
    """Qt's colour table for a 256-entry uint8 lookup table (the same one for every picture)."""
    make = QtGui.qRgb if channels == 3 else QtGui.qRgba
    values = list(entries)
    return [make(*values[i:i + channels]) for i in range(0, len(values), channels)]


class HeatmapImage(pg.ImageItem):
    """An ``ImageItem`` that keeps its Qt colour table between renders.

    pyqtgraph makes the 256-entry table again from the lookup table on every render: that was
    half of the ~0.4 ms each changed 64×64 picture cost. A float picture without nan that is not
    downsampled is rendered here, into the same indexed image pyqtgraph would make (the same
    scaling, clipping and truncation); anything else goes to pyqtgraph.
    """

    def __init__(self, *args, **kwargs):
        self._table: list[int] | None = None
        super().__init__(*args, **kwargs)

    def setLookupTable(self, lut, update=True):  # noqa: N802 - pyqtgraph's name
        table = np.asarray(lut) if not callable(lut) else None
        if table is not None and table.ndim == 2 and len(table) == 256 and table.shape[1] in (
                3, 4) and table.dtype == np.uint8:
            self._table = _colour_table(table.tobytes(), table.shape[1])
        else:
            self._table = None
        super().setLookupTable(lut, update)

    def render(self):
        image, levels = self.image, self.levels
        if (self._table is None or self.autoDownsample or image is None or image.ndim != 2
                or image.dtype.kind != "f" or not image.size or levels is None
                or np.ndim(levels) != 1 or self.axisOrder != "row-major"
                or np.isnan(image.min())):
            super().render()
            return
        low, high = float(levels[0]), float(levels[1])
        scale = 256 / ((high - low) or 1)
        index = np.clip((image - low) * scale, 0, 255).astype(np.uint8)
        qimage = fn.ndarray_to_qimage(np.ascontiguousarray(index),
                                      QtGui.QImage.Format.Format_Indexed8)
        qimage.setColorTable(self._table)
        self._processingBuffer = self._displayBuffer = None
        self.qimage = qimage
        self._renderRequired = False
        self._unrenderable = False


def load_colormap(name: str = COLORMAP) -> pg.ColorMap:
    """``pg.colormap.get(name)`` for one of pyqtgraph's CSV colour maps, the same stops and
    colours, in ~1/10 of the time: pyqtgraph turns each of the 256 stops into a ``QColor`` and
    back (~12M instructions, while the window first shows); here the same arithmetic is done
    on arrays. A colour ``c`` of the file is ``int(255 * c + 0.5)``, then ``QColor.getRgbF``'s
    single-precision ``value * 257 / 65535``."""
    path = Path(pg.__file__).parent / "colors" / "maps" / f"{name}.csv"
    rows = []
    for line in path.read_text().splitlines():
        line = line.split(";", 1)[0].strip()  # a ";" starts a comment or a colour's name
        parts = line.split(",")
        if len(parts) >= 3:
            rows.append([float(part) for part in parts])
    values = (255 * np.array(rows) + 0.5).astype(np.int64)  # int(): all are positive
    if values.shape[1] == 3:
        values = np.column_stack([values, np.full(len(values), 255)])
    colormap = pg.ColorMap(pos=None, color=[])
    colormap.pos = np.linspace(0.0, 1.0, len(values))
    scaled = (values * 257).astype(np.float32) / np.float32(65535)
    colormap.color = scaled.astype(np.float64)
    colormap.name = name
    return colormap


@functools.cache
def _colormap_and_table() -> tuple[pg.ColorMap, np.ndarray]:
    """The colormap and its 256-entry lookup table, made once for every picture."""
    colormap = load_colormap(COLORMAP)
    table = colormap.getLookupTable(nPts=256)
    table.flags.writeable = False  # shared by every picture
    return colormap, table


def symmetric_levels(shown: np.ndarray) -> tuple[float, float]:
    """(-m, m) for the largest finite magnitude m, so zero is the colormap's neutral middle."""
    m = max(-float(shown.min()), float(shown.max())) if shown.size else 0.0
    if not np.isfinite(m):  # nan or inf somewhere: leave them out of the scale
        finite = shown[np.isfinite(shown)]
        m = float(np.abs(finite).max()) if finite.size else 0.0
    return (-m, m) if m > 0 else (-1.0, 1.0)


def odd_counts(array: np.ndarray) -> tuple[int, int]:
    """How many nan and how many ±inf elements ``array`` has (one pass when there are none)."""
    if array.dtype.kind != "f" or np.isfinite(array.sum()):
        return 0, 0
    return int(np.isnan(array).sum()), int(np.isinf(array).sum())


def cell_aspect(texts: list[str]) -> float:
    """How much wider than tall a cell must be for its longest number to be read."""
    longest = max((len(t) for t in texts), default=1)
    return max(1.0, min(2.6, 0.27 * longest + 0.4))


def _ticks(count: int):
    if count > TICK_LIMIT:
        return None  # let the axis choose
    return [[(i, str(i)) for i in range(count)], []]


class HeatmapView:
    """A picture with a colour bar and the cell overlay, in a graphics layout.

    Parameters
    ----------
    layout : the ``GraphicsLayout`` to add the picture to.
    title : shown above the picture ("value", "inp.grad").
    """

    def __init__(self, layout, title: str, column: int, foreground):
        self.colormap, table = _colormap_and_table()
        self.frame = PictureFrame(layout, title, column, foreground, self.colormap)
        self.box, self.bar = self.frame.box, self.frame.bar
        self.image = HeatmapImage(axisOrder="row-major")
        self.image.setTransform(self.image.transform().translate(-0.5, -0.5))
        self.image.setLookupTable(table)
        self.box.addItem(self.image)
        self.overlay = CellOverlay()
        self.box.addItem(self.overlay)
        self.hold = False
        self.levels: tuple[float, float] | None = None
        self.texts: list[str] | None = None
        self.odd = (0, 0)  # nan and inf counts of the whole tensor
        self.is_none = True
        self.shown: np.ndarray | None = None
        self._source = self._delta = None
        self._key = None
        self._shape = None
        self.aspect: float | None = None  # cell width / height; None: fill the plot

    # -- content --
    def show(self, array: np.ndarray | None, index=(), delta=None, none_text="None",
             force=False) -> bool:
        """Draw ``array`` (None → the hatched ``none_text``); returns whether anything changed.

        Arrays are compared by identity first (the session hands over the same array objects
        while a tensor does not change), then by value (a replay makes new arrays).
        """
        key = (index, self.hold, none_text)
        if not force and array is self._source and key == self._key and delta is self._delta:
            return False
        if array is None:
            self._source, self._delta, self._key = array, delta, key
            return self._show_none(none_text)
        if array.size == 0:
            self._source, self._delta, self._key = array, delta, key
            self._show_none("empty")
            self.is_none, self.texts, self.odd = False, [], (0, 0)
            return True
        if not force and key == self._key and self._source is not None and same_array(
                array, self._source):
            self._source = array  # a replay made a new array with the same numbers
        if not force and array is self._source and key == self._key:
            if delta is self._delta:
                return False
            self._delta = delta  # only the outlines differ
            self.overlay.set_outlines(self._changed_cells(delta, index, self.shown.shape))
            return True
        self._source, self._delta, self._key = array, delta, key
        shown = display_array(array, index)
        self.is_none, self.shown = False, shown
        self.odd = odd_counts(array)
        if not self.hold or self.levels is None:
            self.levels = symmetric_levels(shown)
        self._set_shape(shown.shape)
        self.image.setVisible(True)
        # a big picture is averaged down to the screen's pixels; a small one need not be
        if self.image.autoDownsample != (max(shown.shape) > DOWNSAMPLE_ABOVE):
            self.image.setAutoDownsample(max(shown.shape) > DOWNSAMPLE_ABOVE)
        self.bar.setLevels(self.levels)
        self.image.setImage(shown, autoLevels=False, levels=self.levels)
        self.texts = cell_strings(array, shown)
        strip = shown.shape[0] == 1 and self.texts is not None  # numbers say it; no room for a bar
        self.bar.setOpacity(0.0 if strip else 1.0)
        self._set_aspect(cell_aspect(self.texts) if self.texts is not None else None)
        self.overlay.set_content(
            shown.shape, self.texts, self._dark_cells(shown) if self.texts else (),
            self._changed_cells(delta, index, shown.shape),
            self._marks(shown) if any(self.odd) else None,
        )
        return True

    def _show_none(self, none_text: str) -> bool:
        self.is_none, self.texts, self.shown = True, None, None
        self.image.setVisible(False)
        self.bar.setOpacity(0.0)  # keeps its place, so the grid lines up with the value's
        shape = self._shape if self._shape and all(self._shape) else (1, 1)
        self._set_shape(shape)
        self.overlay.set_content(shape, none_text=none_text)
        return True

    def set_hold(self, hold: bool) -> None:
        self.hold = hold
        if not hold and self._source is not None:
            self.show(self._source, self._key[0], self._delta, self._key[2], force=True)

    def saturated(self) -> bool:
        """Whether some finite value lies outside the (held) colour levels."""
        if self.shown is None or self.is_none or self.levels is None or not self.shown.size:
            return False
        low, high = symmetric_levels(self.shown)
        return low < self.levels[0] or high > self.levels[1]

    def set_frame(self, shape, aspect: float | None) -> None:
        """The grid a None gradient is drawn over: that of the tensor's value picture."""
        if self.is_none and (shape != self._shape or aspect != self.aspect):
            self._set_shape(shape)
            self._set_aspect(aspect)
            self.overlay.set_content(shape, none_text=self.overlay.none_text)

    def _set_shape(self, shape) -> None:
        if shape == self._shape:
            return
        self._shape = shape
        rows, cols = shape
        self.frame.show_axes(left=rows > 1, bottom=shape != (1, 1))
        self.frame.left.setTicks(_ticks(rows))
        self.frame.bottom.setTicks(_ticks(cols))
        self.box.setRange(xRange=(-0.5, cols - 0.5), yRange=(-0.5, rows - 0.5), padding=0)

    def _set_aspect(self, aspect: float | None) -> None:
        if aspect != self.aspect:
            self.aspect = aspect
            box = self.box
            box.setAspectLocked(aspect is not None, ratio=aspect or 1.0)
            rows, cols = self._shape
            box.setRange(xRange=(-0.5, cols - 0.5), yRange=(-0.5, rows - 0.5), padding=0)

    # -- what the overlay draws --
    def _dark_cells(self, shown: np.ndarray) -> list[bool]:
        lo, hi = self.levels
        scaled = np.clip((np.nan_to_num(shown.ravel(), nan=0.0) - lo) / (hi - lo), 0, 1)
        return text_colours(self.colormap.map(scaled, mode="byte"))

    @staticmethod
    def _changed_cells(delta, index, shape):
        """Row/column pairs of the changed cells, True when too many to outline one by one."""
        if delta is None:
            return None
        changed = display_array(delta, index)
        if changed.shape != shape:
            return None
        count = np.count_nonzero(changed)  # nan != 0 too: a cell that became nan changed
        if count > OUTLINE_LIMIT:
            return True
        return np.argwhere(changed != 0) if count else None

    @staticmethod
    def _marks(shown: np.ndarray):
        odd = ~np.isfinite(shown)
        return np.argwhere(odd) if odd.any() else None

    # -- hover --
    def cell_at(self, scene_pos) -> tuple[int, int] | None:
        if self._shape is None or not self.box.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.box.mapSceneToView(scene_pos)
        r, c = int(np.floor(point.y() + 0.5)), int(np.floor(point.x() + 0.5))
        rows, cols = self._shape
        return (r, c) if 0 <= r < rows and 0 <= c < cols else None
