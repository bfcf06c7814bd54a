"""The graph view reads its colours from the theme: in the dark theme nodes, labels and edges
change (and are drawn so), and switching back restores the light colours."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from playground.qt.graph_view import GraphView
from playground.qt.selection import Selection
from playground.qt.theme import apply_theme, graph_colors
from playground.session import Action, Session
from tests.qt.test_graph_view import linear_document


@pytest.fixture
def view(qtbot):
    session = Session(linear_document([Action(kind="detach", target="z", new_name="z_cut")]))
    widget = GraphView(session, Selection())
    qtbot.addWidget(widget)
    widget.resize(900, 650)
    yield widget
    apply_theme("light")


def _centre_pixel(item) -> QColor:
    """The colour drawn at the left edge of a node's box, inside its border (no text there)."""
    box = item.box()
    image = QImage(int(item.width) + 20, int(item.height) + 20, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.translate(item.width / 2 + 10, item.height / 2 + 10)
    item.paint(painter, QStyleOptionGraphicsItem())
    painter.end()
    return image.pixelColor(int(box.width() * 0.02) + 14, int(item.height / 2) + 10)


def test_switching_theme_changes_node_brush_label_and_edge_colours(view):
    apply_theme("light")
    leaf, cut = view.node_items["t:w"], view.node_items["t:z_cut"]
    light = (leaf.fill_color().name(), leaf.label_color().name(), cut.label_color().name())
    light_pixel = _centre_pixel(leaf).name()
    apply_theme("dark")
    dark = (leaf.fill_color().name(), leaf.label_color().name(), cut.label_color().name())
    assert all(a != b for a, b in zip(light, dark))
    assert dark[0] == graph_colors().fill["leaf"] and dark[1] == graph_colors().title
    assert _centre_pixel(leaf).name() == dark[0] != light_pixel
    # Dark fills under light labels, and the other way round in the light theme.
    assert QColor(dark[0]).lightness() < 100 < QColor(dark[1]).lightness()
    assert QColor(light[0]).lightness() > 150 > QColor(light[1]).lightness()
    edge = next(e for e in view.edge_items if e.edge.grad and not e.edge.cut)
    canvas = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(canvas)
    edge.paint(painter, QStyleOptionGraphicsItem())
    painter.end()
    assert edge.pen().color().name() == graph_colors().edge
    apply_theme("light")
    assert view.node_items["t:w"].fill_color().name() == light[0]


def test_every_state_has_a_colour_in_both_themes():
    for theme in ("light", "dark"):
        apply_theme(theme)
        g = graph_colors()
        for kind in ("leaf", "op", "output", "constant", "detached"):
            assert QColor(g.fill[kind]).isValid() and QColor(g.border[kind]).isValid()
        for name in ("highlight", "selected", "cut", "edge_no_grad", "label_background"):
            assert QColor(getattr(g, name)).isValid(), name
    apply_theme("light")


def test_png_export_has_the_themes_background(view, tmp_path):
    for theme in ("light", "dark"):
        apply_theme(theme)
        assert view.export_image(tmp_path / f"{theme}.png")
    light, dark = (QImage(str(tmp_path / f"{t}.png")).pixelColor(2, 2) for t in ("light", "dark"))
    assert light.lightness() > 200 and dark.lightness() < 60
