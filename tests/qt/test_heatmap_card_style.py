"""The cards' look comes from one style sheet on the panel (not one per card): the selected
card is framed in the highlight colour, the others in a thin neutral line."""

from __future__ import annotations

from PySide6.QtGui import QColor

from playground.qt.heatmap import HeatmapPanel
from playground.qt.selection import Selection
from playground.qt.theme import apply_theme, current_theme
from playground.session import Session
from tests.session.builders import jvp_document


def _edge_colour(card) -> QColor:
    image = card.grab().toImage()
    return image.pixelColor(1, image.height() // 2)  # on the card's left border


def test_selected_card_is_framed_in_the_highlight_colour(qtbot):
    # The frames come from the application's style sheet, which the app sets at start; an
    # earlier test's window may have set it already, but this test must not depend on that.
    apply_theme(current_theme())
    selection = Selection()
    panel = HeatmapPanel(Session(jvp_document()), selection)
    qtbot.addWidget(panel)
    panel.resize(600, 700)
    panel.show()
    qtbot.waitExposed(panel)
    selection.select("inp")
    qtbot.wait(10)
    highlight = panel.palette().highlight().color()
    assert _edge_colour(panel.cards["inp"]) == highlight
    assert _edge_colour(panel.cards["h"]) != highlight
    selection.select("h")
    qtbot.wait(10)
    assert _edge_colour(panel.cards["h"]) == highlight
    assert _edge_colour(panel.cards["inp"]) != highlight
