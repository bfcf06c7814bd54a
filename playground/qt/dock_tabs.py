"""A workaround for stray dock tab bars: with more than one group of tabbed docks, Qt 6.11's
``QMainWindow`` leaves duplicate tab bars painted where a group was while the layout was being
built. The real bar of a group sits right under the dock it shows; any other is hidden."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar, QWidget

SLACK = 4  # pixels between a dock's bottom edge and its tab bar


def _is_real(bar: QTabBar, docks: dict[str, QDockWidget]) -> bool:
    for index in range(bar.count()):
        dock = docks.get(bar.tabText(index))
        if dock is None or dock.isFloating() or not dock.isVisible():
            continue
        if dock.visibleRegion().isEmpty() and bar.currentIndex() != index:
            continue  # a dock hidden behind another tab
        shown = dock.geometry()
        under = abs(bar.geometry().top() - shown.bottom() - 1) <= SLACK
        over = abs(bar.geometry().bottom() + 1 - shown.top()) <= SLACK
        aligned = abs(bar.geometry().left() - shown.left()) <= SLACK
        return (under or over) and aligned
    return False


def hide_stray_tab_bars(window: QMainWindow) -> int:
    """Hide the tab bars no dock group uses; returns how many were hidden."""
    docks = {dock.windowTitle(): dock for dock in window.findChildren(QDockWidget)}
    hidden = 0
    for bar in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if bar.isVisible() and not _is_real(bar, docks):
            bar.hide()
            hidden += 1
    return hidden


def is_on_screen(widget: QWidget) -> bool:
    """Whether ``widget`` can be seen: a dock tabbed behind another is "visible" to Qt but
    moved off screen, with nothing of it showing."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()
