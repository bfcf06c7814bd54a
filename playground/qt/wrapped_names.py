"""Long CamelCase names (``BinaryCrossEntropyBackward0``) wrapped onto lines instead of cut.

A column too narrow for a ``grad_fn`` name shows it broken before its capitals, on as many lines
as it needs; the item's text stays the exact name (for copying, tests and tooltips).
"""

from __future__ import annotations

import re

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QTreeView

LINE_SEPARATOR = "\u2028"
_WORDS = re.compile(r"[A-Z][a-z]*[0-9]*|[^A-Z]+")


def wrap_camel_case(text: str, metrics: QFontMetrics, width: int) -> str:
    """``text`` with line breaks before capitals where it is wider than ``width`` pixels."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    lines: list[str] = []
    for word in _WORDS.findall(text):
        if lines and metrics.horizontalAdvance(lines[-1] + word) <= width:
            lines[-1] += word
        else:
            lines.append(word)
    return "\n".join(lines)


class WrappedNameDelegate(QStyledItemDelegate):
    """Draws a column's names wrapped to the column's width; rows grow to fit them."""

    def __init__(self, view: QTreeView):
        super().__init__(view)
        self._view = view
        # Re-measure the rows when the column changes width (the dock is resized).
        view.header().sectionResized.connect(self._on_section_resized)

    def initStyleOption(self, option, index):
        super().initStyleOption(option, index)
        style = self._view.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self._view)
        width = self._view.header().sectionSize(index.column()) - 2 * (margin + 1)
        # The style breaks lines at U+2028 only (a delegate's own text turns "\n" into it),
        # and measures the row's height from the same option, so the row grows to fit.
        option.text = wrap_camel_case(option.text, option.fontMetrics, width).replace(
            "\n", LINE_SEPARATOR)

    def _on_section_resized(self, *_):
        self._view.doItemsLayout()
