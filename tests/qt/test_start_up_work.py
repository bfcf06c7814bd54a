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


def test_cards_below_the_panel_wait_for_their_labels_until_built(qtbot):
    from playground.qt.heatmap import HeatmapPanel
    from playground.qt.selection import Selection
    from playground.session import Document, Leaf, Session

    leaves = tuple(Leaf(name=f"t{i}", factory="ones", shape=(3, 3)) for i in range(12))
    panel = HeatmapPanel(Session(Document(leaves=leaves)), Selection())
    qtbot.addWidget(panel)
    panel.resize(600, 500)
    panel.show()
    qtbot.waitUntil(lambda: panel.cards["t0"].built)
    panel._idle.stop()  # the cards below are otherwise built one per idle moment
    last = panel.cards["t11"]
    assert not last.built and last._header is None  # a frame of about its height, no more
    assert last.height() > 100
    panel.scroll.ensureWidgetVisible(last)
    qtbot.waitUntil(lambda: last.built)
    assert last.name_label.text() == "t11" and last.name_label.isVisible()
    assert "float32" in last.info_label.text() and "[3, 3]" in last.info_label.text()
    assert last.note_label.text() == "requires_grad=False, so no .grad"


def test_an_unbuilt_card_holds_the_room_its_pictures_widget_will_take(qtbot):
    from PySide6.QtWidgets import QWidget

    from playground.qt.heatmap_card import HeatmapCard
    from playground.session import Document, Leaf, Session

    session = Session(Document(leaves=(Leaf(name="t", factory="ones", shape=(3, 3)),)))
    card = HeatmapCard("t")
    qtbot.addWidget(card)
    card.show_state(session.current.states["t"], None)
    assert not card.findChildren(QWidget)  # no widget of its own yet: nothing to polish
    assert "[3, 3]" in card.info_label.text()  # the header may come before the pictures
    room = (card.graphics.height(), card.sizeHint().height())
    card.graphics.hide()  # as for a tensor that could not be computed
    hidden = card.sizeHint().height()
    card.graphics.setVisible(True)
    widget = QWidget()  # what a card had before: a widget that tall
    widget.setFixedHeight(room[0])
    card.graphics.replace_with(widget)
    assert card.sizeHint().height() == room[1]
    widget.hide()
    assert card.sizeHint().height() == hidden


def test_docks_take_the_widths_the_window_asks_for_in_either_theme(make_window):
    # The docks are arranged with the window's layout off, then laid out once: the widths
    # resizeDocks asks for hold whichever theme (and so style sheet) the window starts in.
    for theme in ("light", "dark"):
        window = make_window()
        window.set_theme(theme, remember=False)
        window.resize(1280, 800)
        window.show()
        for _ in range(3):
            QApplication.processEvents()
        widths = {key: window.docks[key].width() for key in ("tensors", "heatmaps", "timeline")}
        assert abs(widths["tensors"] - 330) <= 6 and abs(widths["heatmaps"] - 600) <= 6, widths
        assert abs(widths["timeline"] - 350) <= 10, widths
    window.set_theme("light", remember=False)
