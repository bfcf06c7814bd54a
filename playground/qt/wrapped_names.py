"""Long CamelCase names (``BinaryCrossEntropyBackward0``) wrapped onto lines instead of cut.

The last column of a tree fills the width its neighbours leave; a name too long for it shows
broken before its capitals, on as many lines as it needs (the row grows). The column is never
narrower than its longest single word: below that the tree scrolls sideways. The item's text
stays the exact name (for copying, tests and tooltips).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QStyle, QStyledItemDelegate, QTreeWidget

LINE_SEPARATOR = "\u2028"
_WORDS = re.compile(r"[A-Z][a-z]*[0-9]*|[^A-Z]+")


def camel_case_words(text: str) -> list[str]:
    """``"MmBackward0"`` → ``["Mm", "Backward0"]``: where a name may break."""
    return _WORDS.findall(text)


def wrap_camel_case(text: str, metrics: QFontMetrics, width: int) -> str:
    """``text`` with line breaks before capitals where it is wider than ``width`` pixels."""
    if metrics.horizontalAdvance(text) < width:
        return text
    lines: list[str] = []
    for word in camel_case_words(text):
        if lines and metrics.horizontalAdvance(lines[-1] + word) < width:
            lines[-1] += word
        else:
            lines.append(word)
    return "\n".join(lines)


class WrappedNameDelegate(QStyledItemDelegate):
    """Draws the last column of ``view`` wrapped to its width, and keeps it filling the view.

    Call ``fit()`` after the items change; resizes of the view and its columns refit by
    themselves.
    """

    def __init__(self, view: QTreeWidget):
        super().__init__(view)
        self._view = view
        self._relayout_pending = False
        header = view.header()
        header.setStretchLastSection(False)  # a stretched section would not keep a minimum
        header.setSectionResizeMode(self.column, QHeaderView.ResizeMode.Fixed)
        view.setItemDelegateForColumn(self.column, self)
        view.viewport().installEventFilter(self)
        header.sectionResized.connect(self._on_section_resized)

    @property
    def column(self) -> int:
        return self._view.columnCount() - 1

    def _text_margin(self) -> int:
        # The style draws a cell's text inside (focus-frame margin + 1) on each side.
        style = self._view.style()
        return style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self._view) + 1

    def initStyleOption(self, option, index):
        super().initStyleOption(option, index)
        # The style elides a line whose fractional width passes the room by a hair: keep a
        # pixel spare. It breaks lines at U+2028 only (a delegate turns "\n" into it), and
        # measures the row's height from this same option, so the row grows to fit.
        width = self._view.header().sectionSize(index.column()) - 2 * self._text_margin() - 1
        option.text = wrap_camel_case(option.text, option.fontMetrics, width).replace(
            "\n", LINE_SEPARATOR)

    def minimum_width(self) -> int:
        """The longest word of the column's names (or its header), with the text margins."""
        metrics = self._view.fontMetrics()
        texts = [self._view.headerItem().text(self.column)]
        texts += [self._view.topLevelItem(row).text(self.column)
                  for row in range(self._view.topLevelItemCount())]
        widest = max(metrics.horizontalAdvance(word) for text in texts
                     for word in camel_case_words(text) or [""])
        return widest + 2 * self._text_margin() + 2

    def fit(self) -> None:
        """Give the column the width the other columns leave, but at least its minimum."""
        header = self._view.header()
        others = sum(header.sectionSize(column) for column in range(self.column)
                     if not header.isSectionHidden(column))
        width = max(self._view.viewport().width() - others, self.minimum_width())
        if header.sectionSize(self.column) != width:
            header.resizeSection(self.column, width)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _on_section_resized(self, column: int, *_):
        if column != self.column:
            self.fit()
        # Measure the rows again after the header has settled every section, once.
        if not self._relayout_pending:
            self._relayout_pending = True
            QTimer.singleShot(0, self, self._relayout)

    def _relayout(self):
        self._relayout_pending = False
        self._view.doItemsLayout()
