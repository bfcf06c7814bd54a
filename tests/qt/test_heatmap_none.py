"""The hatched ``None`` of a gradient that does not exist: its label is one size in every card
(a matrix's was three times a vector's) and it takes the theme's colours (a bright white box
glared in the dark theme)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage, QPainter, QTransform

from playground.qt.heatmap_cells import CellOverlay
from playground.qt.theme import apply_theme, colors, graph_colors


def paint_none(shape: tuple[int, int], cell: tuple[float, float]) -> QImage:
    """The overlay of a None gradient of ``shape``, cells ``cell`` pixels wide and tall."""
    rows, cols = shape
    image = QImage(int(cols * cell[0]) + 20, int(rows * cell[1]) + 20,
                   QImage.Format.Format_ARGB32)
    image.fill(QColor("#ff00ff"))
    overlay = CellOverlay()
    overlay.set_content(shape, none_text="None")
    painter = QPainter(image)
    painter.setTransform(QTransform().translate(10 + cell[0] / 2, 10 + cell[1] / 2)
                         .scale(*cell))
    overlay.paint(painter, None)
    painter.end()
    return image


def label_box(image: QImage, colour: QColor) -> tuple[int, int]:
    """Width and height of the pixels painted in ``colour`` (the label's box)."""
    xs, ys = [], []
    for y in range(image.height()):
        for x in range(image.width()):
            if image.pixelColor(x, y) == colour:
                xs.append(x)
                ys.append(y)
    assert xs, "no label box painted"
    return max(xs) - min(xs), max(ys) - min(ys)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_none_label_is_one_size_and_in_the_theme_colours(qtbot, theme):
    try:
        apply_theme(theme)
        base = QColor(colors().base)
        matrix = paint_none((3, 4), (38.0, 30.0))
        vector = paint_none((1, 4), (70.0, 26.0))
        assert label_box(matrix, base) == label_box(vector, base)
        # the hatch's background is the empty-cell colour of the theme, not a light grey
        corner = matrix.pixelColor(12, 12)
        empty, frame = QColor(graph_colors().empty_cell), QColor(graph_colors().frame)
        assert corner in (empty, frame)
        if theme == "dark":
            brightest = max(matrix.pixelColor(x, y).lightness()
                            for y in range(10, matrix.height() - 10, 3)
                            for x in range(10, matrix.width() - 10, 3))
            assert brightest < 200  # nothing glares
    finally:
        apply_theme("light")
