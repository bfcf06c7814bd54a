"""Switching lessons replaces the heatmap cards: no card of the old lesson stays drawn over the
new ones (they did, at their old places, until Qt got round to deleting them)."""

from __future__ import annotations

import itertools

from playground.qt.heatmap_card import HeatmapCard


def shown_cards(window) -> list[HeatmapCard]:
    inner = window.heatmaps.scroll.widget()
    return [card for card in inner.findChildren(HeatmapCard) if card.isVisibleTo(inner)]


def assert_apart(cards: list[HeatmapCard]) -> None:
    for a, b in itertools.combinations(cards, 2):
        assert not a.geometry().intersects(b.geometry()), f"{a.name} overlaps {b.name}"


def test_cards_never_overlap_after_lesson_switches(window, qtbot):
    window.resize(1280, 800)
    window.show()
    window.docks["heatmaps"].raise_()
    qtbot.waitUntil(lambda: len(shown_cards(window)) == len(window.heatmaps.cards))
    for lesson in ("linear-bce", "seed-notebook", "linear-bce"):
        window.load_lesson(lesson)
        current = list(window.heatmaps.cards.values())
        assert [card.name for card in current] == window.session.tensor_names()
        # At once, before any event is processed: only this lesson's cards are drawn.
        stale = [card.name for card in shown_cards(window) if card not in current]
        assert stale == []
        qtbot.waitUntil(lambda: len(shown_cards(window)) == len(window.heatmaps.cards))
        assert_apart(shown_cards(window))
    window.heatmaps.scroll.verticalScrollBar().setValue(700)
    qtbot.wait(10)
    assert_apart(shown_cards(window))
