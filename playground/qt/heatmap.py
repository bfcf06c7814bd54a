"""The heatmaps panel: a scrollable column of cards, one per tensor, each showing the value and
the ``.grad`` side by side at the session's current timeline point.

Cards are created once per tensor and reused; after an action only the pictures whose arrays
changed are repainted (the session shares unchanged arrays between timeline points, so an
identity check finds them).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from ..session.model import Session
from .heatmap_card import HeatmapCard
from .selection import Selection
from .view_updates import guarded

LEGEND = ("<span style='color:#3a62c9'>■</span> negative &nbsp; □ zero &nbsp; "
          "<span style='color:#c63a32'>■</span> positive &nbsp; ▣ changed by the last action")


class HeatmapPanel(QWidget):
    """Value and ``.grad`` heatmaps of every tensor of ``session``.

    Parameters
    ----------
    session : the session to show (at its timeline cursor).
    selection : the shared selection; clicking a card selects its tensor.

    Attributes
    ----------
    cards : the card of each tensor, by name, in the session's order.
    """

    def __init__(self, session: Session, selection: Selection, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.selection = selection
        self.cards: dict[str, HeatmapCard] = {}
        self.hold = False
        self._outcome = None
        self.hold_check = QCheckBox("Hold colour scale")
        self.hold_check.setToolTip("Keep each picture's colour range while stepping, so a second "
                                   "backward shows its doubled gradients as stronger colours")
        self.hold_check.toggled.connect(self.set_hold_colour_scale)
        legend = QLabel(LEGEND)
        legend.setTextFormat(Qt.TextFormat.RichText)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 4, 8, 0)
        bar.addWidget(self.hold_check)
        bar.addStretch(1)
        bar.addWidget(legend)
        self._column = QVBoxLayout()
        self._column.setContentsMargins(8, 6, 8, 8)
        self._column.setSpacing(10)
        self._empty = QLabel("No tensors yet: add a leaf in the Tensors panel.")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._column.addWidget(self._empty)
        self._column.addStretch(1)
        inner = QWidget()
        # The cards' look is in the application style sheet (theme.py): a sheet here, or on
        # each card, was parsed and polished for these widgets alone.
        inner.setLayout(self._column)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(inner)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.scroll)
        self.scroll.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self._idle = QTimer(self)
        # Not 0: Qt paints a window a few ms after an update (5 ms, or the next frame), and a
        # 0 ms timer built an off-screen card (~20 ms) before the cards on screen were painted.
        self._idle.setInterval(20)
        self._idle.timeout.connect(self._build_one_more)
        session.definitions_changed.connect(self._on_definitions_changed)
        session.timeline_changed.connect(self._on_timeline_changed)
        session.cursor_changed.connect(self._on_cursor_changed)
        selection.changed.connect(self._on_selection_changed)
        self.refresh()

    # -- public --
    def set_hold_colour_scale(self, hold: bool) -> None:
        """Keep every picture's current colour levels (True) or fit them to each step (False)."""
        hold = bool(hold)
        if hold != self.hold_check.isChecked():
            self.hold_check.setChecked(hold)  # comes back here through toggled
            return
        self.hold = hold
        for card in self.cards.values():
            card.set_hold(hold)

    def refresh(self, force: bool = False) -> None:
        """Show the session's current timeline point, repainting only what changed."""
        session = self.session
        outcome = session.current
        names = session.tensor_names()
        if not force and outcome is self._outcome and names == list(self.cards):
            return
        self._outcome = outcome
        self._sync_cards(names)
        previous = session.outcomes[session.cursor - 1].states if session.cursor else {}
        for name, card in self.cards.items():
            state = session.state(name)
            before = previous.get(name)
            key = (state.grad, None if before is None else before.grad)
            if force or card.delta_key is None or any(a is not b for a, b in
                                                      zip(key, card.delta_key)):
                has_delta = state.value is not None and session.cursor > 0
                card.delta = session.grad_delta(name) if has_delta else None
                card.delta_key = key
            card.show_state(state, card.delta, force=force)
        self._build_visible()

    # -- session signals --
    @guarded
    def _on_definitions_changed(self) -> None:
        self.refresh()

    @guarded
    def _on_timeline_changed(self) -> None:
        self.refresh()

    @guarded
    def _on_cursor_changed(self, _index: int) -> None:
        self.refresh()

    @guarded
    def _on_selection_changed(self, name: str) -> None:
        for card_name, card in self.cards.items():
            card.set_selected(card_name == name)
        if name in self.cards:
            self.scroll.ensureWidgetVisible(self.cards[name], 0, 40)

    # -- cards are built when first seen, the rest one per idle moment --
    def _build_visible(self) -> None:
        if not self.isVisible():
            return
        bar = self.scroll.verticalScrollBar()
        seen = self.scroll.viewport().rect().translated(0, bar.value())
        for card in self.cards.values():
            if not card.built and card.geometry().intersects(seen):
                card.ensure_built()
        if any(not card.built for card in self.cards.values()):
            self._idle.start()

    @guarded
    def _build_one_more(self) -> None:
        card = next((card for card in self.cards.values() if not card.built), None)
        if card is None:
            self._idle.stop()
        else:
            card.ensure_built()

    @guarded
    def _on_scrolled(self, _value: int) -> None:
        self._build_visible()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._build_visible)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._build_visible()

    def _on_card_clicked(self, name: str) -> None:
        self.selection.select(name)

    # -- cards --
    def _sync_cards(self, names: list[str]) -> None:
        if names == list(self.cards):
            return
        for name in [n for n in self.cards if n not in names]:
            card = self.cards.pop(name)
            # Hidden now: deleteLater waits for the event loop, and until then the old card
            # stayed drawn at its old place, over the new lesson's cards.
            card.hide()
            self._column.removeWidget(card)
            card.deleteLater()
        for name in names:
            if name not in self.cards:
                card = HeatmapCard(name)
                card.set_hold(self.hold)
                card.clicked.connect(self._on_card_clicked)
                card.set_selected(name == self.selection.name)
                self.cards[name] = card
        self.cards = {name: self.cards[name] for name in names}
        for card in self.cards.values():
            self._column.removeWidget(card)
        for position, card in enumerate(self.cards.values()):
            self._column.insertWidget(position, card)
        self._empty.setVisible(not names)


def levels_of(card: HeatmapCard) -> tuple[float, float] | None:
    """The colour levels of a card's gradient picture (for tests and the status bar)."""
    levels = card.grad_view.levels
    return None if levels is None else (float(levels[0]), float(levels[1]))


__all__ = ["HeatmapPanel", "HeatmapCard", "levels_of"]
