"""Work the window does while it opens is done once: the stray-tab-bar tidy runs once per
turn of the event loop however many docks moved, and still hides the strays."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QTabBar

import playground.qt.main_window as main_window


def test_tab_bars_are_tidied_once_per_turn_of_the_event_loop(make_window, monkeypatch):
    runs = []
    tidy = main_window.hide_stray_tab_bars
    monkeypatch.setattr(main_window, "hide_stray_tab_bars",
                        lambda window: runs.append(window) or tidy(window))
    window = make_window()
    window.resize(1280, 800)
    window.show()
    for _ in range(3):
        QApplication.processEvents()
    assert 1 <= len(runs) <= 3  # 21 before: one per dock signal while the window was built
    shown = [bar for bar in window.findChildren(QTabBar) if bar.isVisible()]
    groups = [tuple(bar.tabText(i) for i in range(bar.count())) for bar in shown]
    assert len(groups) == len(set(groups)), f"a tab group is painted twice: {groups}"
    runs.clear()
    window.docks["console"].raise_()
    window.resize(1200, 780)
    QApplication.processEvents()
    assert len(runs) == 1
