"""The colour bar's pieces: the ramp shows the colormap from its lowest colour (bottom) to its
highest (top); the quiet axis still shows a label whose text changes."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from playground.qt.heatmap_bar import Ramp, styled_axis
from playground.qt.heatmap_view import COLORMAP


def _painted(ramp: Ramp, width: int, height: int) -> QImage:
    ramp.resize(width, height)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    ramp.paint(painter, QStyleOptionGraphicsItem())
    painter.end()
    return image


def test_ramp_runs_from_the_lowest_colour_at_the_bottom_to_the_highest_on_top(qapp):
    colormap = pg.colormap.get(COLORMAP)
    table = colormap.getLookupTable(nPts=256)
    ramp = Ramp(colormap, 11)
    assert ramp.minimumWidth() == ramp.maximumWidth() == 11
    image = _painted(ramp, 11, 256)
    for row, entry in ((0, table[255]), (255, table[0]), (128, table[127])):
        colour = image.pixelColor(5, row)
        assert (colour.red(), colour.green(), colour.blue()) == tuple(int(v) for v in entry[:3])


def test_quiet_axis_shows_a_changed_label(qapp):
    axis = styled_axis("left", QColor("#123456"))
    axis.setLabel("rows")
    assert "rows" in axis.label.toHtml()
    axis.setLabel("columns")
    assert "columns" in axis.label.toHtml() and "rows" not in axis.label.toHtml()
    assert axis.pen().color().name() == "#123456" and axis.style["tickLength"] == -4
    assert not axis.autoSIPrefix


def test_a_narrow_card_puts_the_grad_under_the_value_and_a_wide_one_beside_it(qtbot):
    from playground.qt.heatmap import HeatmapPanel
    from playground.qt.selection import Selection
    from playground.session import Document, Leaf, Session

    wide = Leaf(name="w", factory="ones", shape=(2, 12))
    panel = HeatmapPanel(Session(Document(leaves=(wide,))), Selection())
    qtbot.addWidget(panel)
    for width, stacked in ((1200, False), (420, True)):
        panel.resize(width, 700)
        panel.show()
        qtbot.waitUntil(lambda: panel.cards["w"].built)
        card = panel.cards["w"]
        qtbot.waitUntil(lambda card=card, stacked=stacked: card.stacked == stacked)
        value = card.value_view.frame.layout.geometry()
        grad = card.grad_view.frame.layout.geometry()
        if stacked:
            assert grad.top() >= value.bottom() - 1
        else:
            assert grad.left() >= value.right() - 1 and abs(grad.top() - value.top()) < 1


def test_the_colour_bar_ramp_sits_its_margin_right_of_the_picture(qapp):
    from playground.qt.heatmap_bar import ColourBar

    bar = ColourBar(pg.colormap.get(COLORMAP), QColor("black"))
    bar.resize(60, 200)
    bar.setOpacity(1.0)  # shown: ramp and axis are made
    bar.layout.activate()
    assert bar.ramp.geometry().left() == 6 and bar.ramp.geometry().width() == 11
    assert bar.axis.geometry().left() == 17 and bar.ramp.geometry().height() == 200


def test_a_hidden_colour_bar_keeps_its_room_and_is_made_when_first_shown(qapp):
    from playground.qt.heatmap_bar import ColourBar

    bar = ColourBar(pg.colormap.get(COLORMAP), QColor("black"))
    bar.setOpacity(0.0)  # a None gradient: nothing to scale
    bar.setLevels((-4.0, 4.0))
    bar.set_foreground(QColor("#abcdef"))  # a theme change while hidden
    assert bar.ramp is None and bar.axis is None
    bar.resize(60, 200)
    bar.layout.activate()
    assert bar.layout.itemAt(0).graphicsItem().geometry().right() == 51  # 6 + 11 + 34
    bar.setOpacity(1.0)
    bar.layout.activate()
    assert bar.axis.range == [-4.0, 4.0] and bar.axis.pen().color().name() == "#abcdef"
    assert bar.axis.geometry().right() == 51 and bar.layout.count() == 2
