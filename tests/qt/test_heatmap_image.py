"""The heatmap's own render of a float picture gives exactly the image pyqtgraph makes (it only
keeps the colour table between renders), and hands nan, big and integer pictures to pyqtgraph."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QImage

from playground.qt.heatmap_view import COLORMAP, HeatmapImage, load_colormap


def rendered(item: pg.ImageItem, array: np.ndarray, levels) -> QImage:
    item.setLookupTable(pg.colormap.get(COLORMAP).getLookupTable(nPts=256))
    item.setImage(array, autoLevels=False, levels=levels)
    item.render()
    return item.qimage.convertToFormat(QImage.Format.Format_ARGB32)


def pictures():
    rng = np.random.default_rng(7)
    edges = np.array([[-4.0, 4.0, 0.0, -4.0 + 1 / 32, 4.0 - 1e-7, 3.99, -3.99, 1e-30]])
    return [
        ("randn float32", rng.standard_normal((64, 64)).astype(np.float32), (-3.0, 3.0)),
        ("float64 beyond the levels", rng.standard_normal((5, 9)) * 10, (-4.0, 4.0)),
        ("level edges", edges.astype(np.float32), (-4.0, 4.0)),
        ("infinities", np.array([[np.inf, -np.inf, 1.0]], np.float32), (-1.0, 1.0)),
        ("flat levels", np.ones((3, 3), np.float32), (1.0, 1.0)),
    ]


@pytest.mark.parametrize("label, array, levels", pictures(), ids=[p[0] for p in pictures()])
def test_renders_what_pyqtgraph_renders(qtbot, label, array, levels):
    ours, theirs = HeatmapImage(axisOrder="row-major"), pg.ImageItem(axisOrder="row-major")
    mine = rendered(ours, array, levels)
    assert ours.qimage.format() == QImage.Format.Format_Indexed8  # our path, not pyqtgraph's
    assert mine == rendered(theirs, array, levels), label


def test_nan_pictures_go_to_pyqtgraph(qtbot):
    array = np.array([[np.nan, 1.0], [0.0, -1.0]], np.float32)
    ours, theirs = HeatmapImage(axisOrder="row-major"), pg.ImageItem(axisOrder="row-major")
    assert rendered(ours, array, (-1.0, 1.0)) == rendered(theirs, array, (-1.0, 1.0))
    assert ours.qimage.pixelColor(0, 0).alpha() == 0  # a nan cell stays see-through


@pytest.mark.parametrize("name", [COLORMAP, "CET-L1", "viridis"])
def test_the_colormap_loaded_quickly_is_pyqtgraphs(name):
    ours, theirs = load_colormap(name), pg.colormap.get(name, skipCache=True)
    assert ours.name == theirs.name and ours.mapping_mode == theirs.mapping_mode
    assert np.array_equal(ours.pos, theirs.pos) and ours.color.dtype == theirs.color.dtype
    assert np.array_equal(ours.color, theirs.color)  # bit for bit: the same colours drawn
    for alpha in (False, True):
        assert np.array_equal(ours.getLookupTable(nPts=256, alpha=alpha),
                              theirs.getLookupTable(nPts=256, alpha=alpha))
