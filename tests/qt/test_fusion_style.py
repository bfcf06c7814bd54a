"""The window's style is Fusion, with the dock title buttons' icons made once instead of on
every layout pass: the same pictures, one icon object."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QStyle, QStyleFactory

from playground.qt import theme
from playground.qt.theme import FusionStyle

KEPT = (QStyle.StandardPixmap.SP_TitleBarCloseButton,
        QStyle.StandardPixmap.SP_TitleBarNormalButton)


def test_the_window_uses_fusion_with_kept_dock_icons(window):
    style = QApplication.style()  # the application style sheet's, over ours
    assert isinstance(theme._style, FusionStyle)
    assert theme._style.baseStyle().name().lower() == "fusion"
    for which in KEPT:  # Fusion alone makes a new icon (six PNG sizes read) on every call
        assert style.standardIcon(which).cacheKey() == style.standardIcon(which).cacheKey()


def test_kept_icons_draw_as_fusion_draws_them(qtbot):
    ours, fusion = FusionStyle(), QStyleFactory.create("Fusion")
    for which in (*KEPT, QStyle.StandardPixmap.SP_ArrowUp):
        mine, theirs = ours.standardIcon(which), fusion.standardIcon(which)
        assert mine.availableSizes() == theirs.availableSizes()
        for size in (QSize(10, 10), QSize(16, 16), QSize(32, 32)):
            assert mine.pixmap(size).toImage() == theirs.pixmap(size).toImage()
