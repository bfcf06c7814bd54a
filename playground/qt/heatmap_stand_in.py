"""What holds an unbuilt heatmap card's room: a spacer, not a widget.

Most cards of a lesson start below the panel; a widget per card would be created, styled and
polished before the first paint for nothing. ``StandIn`` answers the few calls a card makes on
its pictures' widget before they exist (height, hide, show) and hands its place to that widget.
"""

from __future__ import annotations

from PySide6.QtWidgets import QSizePolicy, QSpacerItem, QVBoxLayout, QWidget


class StandIn:
    """The room an unbuilt card's pictures will take: a spacer in ``layout``, sized and hidden
    as the pictures' widget would be."""

    def __init__(self, layout: QVBoxLayout, height: int):
        self._layout, self._height, self._hidden = layout, height, False
        self._spacer = QSpacerItem(0, height, QSizePolicy.Policy.Minimum,
                                   QSizePolicy.Policy.Fixed)
        layout.addItem(self._spacer)

    def height(self) -> int:
        return self._height

    def setFixedHeight(self, height: int) -> None:  # noqa: N802 - the widget's name
        self._height = height
        self._resize()

    def isHidden(self) -> bool:  # noqa: N802
        return self._hidden

    def hide(self) -> None:
        self.setVisible(False)

    def setVisible(self, visible: bool) -> None:  # noqa: N802
        self._hidden = not visible
        self._resize()

    def _resize(self) -> None:
        # A box layout puts no spacing before a spacer, as it does before a widget under the
        # header: the spacer holds that room too.
        under_header = self._layout.indexOf(self._spacer) > 0
        height = self._height + (self._layout.spacing() if under_header else 0)
        self._spacer.changeSize(0, 0 if self._hidden else height,
                                QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self._layout.invalidate()

    def replace_with(self, widget: QWidget) -> None:
        index = self._layout.indexOf(self._spacer)
        self._layout.takeAt(index)
        self._layout.insertWidget(index, widget)
