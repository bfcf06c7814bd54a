"""The heatmap pictures' titles are painted directly, at the size pyqtgraph's LabelItem gave
them (so the cards lay out as before), in the theme's text colour; their axes, laid out once
when made, end up as pyqtgraph's own."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QImage, QPainter

from playground.qt.heatmap_bar import QuietAxis, Title


def _drawn(title: Title) -> QImage:
    image = QImage(200, 40, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    title.resize(200, 40)
    painter = QPainter(image)
    title.paint(painter)
    painter.end()
    return image


def test_a_title_takes_the_room_a_label_item_took(qapp):
    for text in ("value", "inp.grad", "out_pow.grad", "y"):
        label = pg.LabelItem(text, color="#1f2328", size="10pt")
        title = Title(text, QColor("#1f2328"))
        rect = label.itemRect()
        assert (title.minimumWidth(), title.minimumHeight()) == (rect.width(), rect.height())


def test_a_title_is_drawn_centred_in_its_colour_and_recoloured(qapp):
    title = Title("inp.grad", QColor("#c62828"))
    image = _drawn(title)
    reds = [x for x in range(200) for y in range(40)
            if QColor(image.pixel(x, y)).red() > 150 > QColor(image.pixel(x, y)).green()]
    assert reds and abs((min(reds) + max(reds)) / 2 - 100) <= 2
    title.setText(title.text, color=QColor("#2563eb"))
    image = _drawn(title)
    colours = [QColor(image.pixel(x, y)) for x in range(200) for y in range(40)]
    assert any(c.blue() > 150 > c.red() for c in colours)
    assert not any(c.red() > 150 > c.green() for c in colours)


def test_an_axis_laid_out_once_when_made_is_sized_as_pyqtgraphs(qapp):
    for side in ("left", "bottom", "right"):
        options = {"pen": pg.mkPen("#1f2328"), "textPen": pg.mkPen("#1f2328"),
                   "maxTickLength": -4}
        ours, theirs = QuietAxis(side, **options), pg.AxisItem(side, **options)
        for axis in (ours, theirs):
            axis.setRange(0, 4)
        assert (ours.minimumWidth(), ours.maximumWidth(), ours.minimumHeight(),
                ours.maximumHeight()) == (theirs.minimumWidth(), theirs.maximumWidth(),
                                          theirs.minimumHeight(), theirs.maximumHeight())
        assert ours.label.toHtml() == theirs.label.toHtml() and ours.picture is None
