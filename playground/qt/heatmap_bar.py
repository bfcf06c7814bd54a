"""Light pieces for the heatmap cards: a colour bar and a titled picture frame.

pyqtgraph's ``ColorBarItem`` and ``PlotItem`` are full plots with menus and control panels;
building them cost ~30 ms each, and a card needs four (1.2 s for the seed lesson's 24 cards).
These draw the same thing — a ``ViewBox`` with axes, a gradient beside an ``AxisItem`` — in a
few ms, without the menus a heatmap does not use.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPen
from PySide6.QtWidgets import QGraphicsGridLayout, QSizePolicy


class QuietAxis(pg.AxisItem):
    """An ``AxisItem`` that gives its label text to Qt only when the text changes, and lays
    its label out once when made.

    pyqtgraph sets the (here never shown) label's HTML again on every pen, style and range
    change: ~10 times an axis while a card is built, a quarter of the axis's cost; and its
    ``__init__`` alone relabels and resizes the axis 8 times, for the pens and range it sets
    one after the other. Everything else ``_updateLabel`` does (resizing, repainting) still
    happens on each change after that.
    """

    _label_html = ""  # a new axis's label item holds no text
    _making = False

    def __init__(self, *args, **options):
        self._making = True
        super().__init__(*args, **options)
        self._making = False
        self._updateLabel()  # once, for everything __init__ set

    def _updateLabel(self):  # noqa: N802 - pyqtgraph's name
        if self._making:
            return
        html = self.labelString()
        if html != self._label_html:
            self._label_html = html
            self.label.setHtml(html)
        self._adjustSize()
        self.picture = None
        self.update()


def styled_axis(orientation: str, foreground, **options) -> QuietAxis:
    """An axis drawn in ``foreground``, ticks pointing out, numbers never rescaled (1e-3, not
    "×0.001")."""
    pen = pg.mkPen(foreground, width=1)
    axis = QuietAxis(orientation, pen=pen, textPen=pg.mkPen(foreground), maxTickLength=-4,
                     **options)
    axis.enableAutoSIPrefix(False)
    return axis


def _style_axis(axis: pg.AxisItem, foreground) -> pg.AxisItem:
    axis.setPen(pg.mkPen(foreground, width=1))
    axis.setTextPen(pg.mkPen(foreground))
    axis.setStyle(tickLength=-4)
    axis.enableAutoSIPrefix(False)
    return axis


_RAMPS: dict[int, tuple[pg.ColorMap, QImage]] = {}


def _ramp_image(colormap: pg.ColorMap) -> QImage:
    """The colormap as a 1×256 image, top row its highest colour; made once per colormap."""
    known = _RAMPS.get(id(colormap))
    if known is None or known[0] is not colormap:
        table = colormap.getLookupTable(nPts=256, alpha=True)[::-1]
        image = QImage(np.ascontiguousarray(table).tobytes(), 1, 256, 4,
                       QImage.Format.Format_RGBA8888).copy()
        known = _RAMPS[id(colormap)] = (colormap, image)
    return known[1]


class Ramp(pg.GraphicsWidget):
    """The colormap as a vertical strip, its lowest colour at the bottom: one image stretched
    over the widget (it used to be an ``ImageItem`` in its own ``ViewBox``, ~3 ms a bar)."""

    def __init__(self, colormap: pg.ColorMap, width: int):
        super().__init__()
        self._image = _ramp_image(colormap)
        self.setFixedWidth(width)

    def paint(self, painter, *_args):
        painter.drawImage(QRectF(self.rect()), self._image)


class Title(pg.GraphicsWidget):
    """A line of text centred in its cell, as ``pg.LabelItem`` draws it (the same size: the
    text's width and line height with 4 px around), painted directly: the label's
    ``QGraphicsTextItem`` laid its HTML out in a text document, ~2M instructions a title.
    """

    MARGIN = 4  # a text document's margin, which LabelItem's size includes

    def __init__(self, text: str, color, point_size: float = 10.0):
        super().__init__()
        self.font = QFont()
        self.font.setPointSizeF(point_size)
        metrics = QFontMetricsF(self.font)
        width = metrics.horizontalAdvance(text) + 2 * self.MARGIN
        height = math.ceil(metrics.height()) + 2 * self.MARGIN
        self.setMinimumSize(width, height)
        self.setPreferredSize(width, height)
        self.text, self.color = text, QColor(color)

    def setText(self, text: str, color=None) -> None:  # noqa: N802 - LabelItem's name
        """The same text in another colour (after a theme change)."""
        if color is not None:
            self.color = QColor(color)
        self.text = text
        self.update()

    def paint(self, painter, *_args):
        painter.setFont(self.font)
        painter.setPen(QPen(self.color))
        box = self.rect()
        width, height = self.minimumWidth(), self.minimumHeight()
        text_box = QRectF(box.center().x() - width / 2, box.center().y() - height / 2,
                          width, height).adjusted(self.MARGIN, self.MARGIN, -self.MARGIN, 0)
        painter.drawText(text_box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                         self.text)


class Grid(pg.GraphicsWidget):
    """Graphics widgets in a grid: pyqtgraph's ``GraphicsLayout`` without what a card does not
    use (a border item per cell, and a layout pass after every item added, ~0.2 ms each)."""

    def __init__(self):
        super().__init__()
        self.layout = QGraphicsGridLayout()
        self.setLayout(self.layout)
        self.setSizePolicy(QSizePolicy(QSizePolicy.Policy.Expanding,
                                       QSizePolicy.Policy.Expanding))

    def setContentsMargins(self, *margins) -> None:  # noqa: N802 - Qt's name
        self.layout.setContentsMargins(*margins)  # the grid's margins, as GraphicsLayout's

    def setSpacing(self, spacing: float) -> None:  # noqa: N802 - Qt's name
        self.layout.setSpacing(spacing)

    def addItem(self, item, row: int, col: int) -> None:  # noqa: N802 - pyqtgraph's name
        self.layout.addItem(item, row, col)


class ColourBar(Grid):
    """A vertical colour scale: the colormap from ``levels[0]`` (bottom) to ``levels[1]``.

    The ramp always fills its box; only the axis beside it is relabelled when the levels
    change, so a new step repaints the numbers and not the ramp. Ramp and axis are made the
    first time the bar is shown (``setOpacity`` above 0): a ``None`` gradient or a strip of
    numbers keeps only the bar's room, so its picture lines up with the others.
    """

    AXIS_WIDTH = 34

    def __init__(self, colormap: pg.ColorMap, foreground, width: int = 11):
        super().__init__()
        self.setContentsMargins(6, 0, 0, 0)
        self.setSpacing(0)
        self._colormap, self._foreground, self._width = colormap, foreground, width
        self.ramp: Ramp | None = None
        self.axis: QuietAxis | None = None
        self._room = pg.GraphicsWidget()
        self._room.setFixedWidth(width + self.AXIS_WIDTH)
        self.addItem(self._room, row=0, col=0)
        self.levels: tuple[float, float] = (-1.0, 1.0)

    def setOpacity(self, opacity: float) -> None:  # noqa: N802 - Qt's name
        if opacity > 0 and self.axis is None:
            self._make_parts()
        super().setOpacity(opacity)

    def _make_parts(self) -> None:
        room, self._room = self._room, None
        self.layout.removeItem(room)
        room.setParentItem(None)
        if room.scene() is not None:
            room.scene().removeItem(room)
        self.ramp = Ramp(self._colormap, self._width)
        self.axis = styled_axis("right", self._foreground)
        self.axis.setWidth(self.AXIS_WIDTH)
        self.addItem(self.ramp, row=0, col=0)
        self.addItem(self.axis, row=0, col=1)
        self.axis.setRange(*self.levels)

    def set_foreground(self, foreground) -> None:
        self._foreground = foreground
        if self.axis is not None:
            _style_axis(self.axis, foreground)

    def setLevels(self, levels) -> None:  # noqa: N802 - the name ColorBarItem uses
        lo, hi = float(levels[0]), float(levels[1])
        if (lo, hi) == self.levels and self.axis is not None:
            return  # relabelling the axis costs ~2 ms for nothing
        self.levels = (lo, hi)
        if self.axis is not None:
            self.axis.setRange(lo, hi)


class PictureFrame:
    """A title above a ``ViewBox`` (Y inverted: row 0 on top) with left and bottom axes,
    in its own cell of a ``GraphicsLayout``, and a colour bar to the right."""

    def __init__(self, layout: pg.GraphicsLayout, title: str, column: int, foreground,
                 colormap: pg.ColorMap):
        self.layout = Grid()
        self.layout.setContentsMargins(0, 0, 0, 0)
        self.layout.setSpacing(2)
        self.title = Title(title, foreground)
        self.box = pg.ViewBox(enableMenu=False, enableMouse=False, invertY=True,
                              defaultPadding=0.0)
        self.left = styled_axis("left", foreground, linkView=self.box)
        self.bottom = styled_axis("bottom", foreground, linkView=self.box)
        self.bar = ColourBar(colormap, foreground)
        self.layout.addItem(self.title, row=0, col=1)
        self.layout.addItem(self.left, row=1, col=0)
        self.layout.addItem(self.box, row=1, col=1)
        self.layout.addItem(self.bar, row=1, col=2)
        self.layout.addItem(self.bottom, row=2, col=1)
        layout.addItem(self.layout, row=0, col=column)

    def set_foreground(self, foreground) -> None:
        """Redraw title and axes in ``foreground`` (after a theme change)."""
        self.title.setText(self.title.text, color=foreground)
        for axis in (self.left, self.bottom):
            _style_axis(axis, foreground)
        self.bar.set_foreground(foreground)

    def show_axes(self, left: bool, bottom: bool) -> None:
        """Hidden axes give their room back (a scalar needs none, a strip no row index)."""
        self.left.setVisible(left)
        self.left.setWidth(None if left else 0)
        self.bottom.setVisible(bottom)
        self.bottom.setHeight(None if bottom else 0)
