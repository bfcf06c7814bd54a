"""The Console's text document, written one action at a time.

The document is a header line (a link to earlier actions), the actions, and a footer line
(later actions not shown, or nothing run yet), each separated from the one before by a line
break. Appending an action, or dropping the last ones, edits only the end of the document, so
Qt lays out only those lines (``setHtml`` of the whole transcript laid out all of it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from PySide6.QtGui import (
    QColor,
    QFont,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)

EARLIER_LINK = "console:earlier"  # the href of the "show earlier actions" link
MARGIN = 4  # each line's left and right margin, as the old ``<pre style='margin:4px'>``


class Run(NamedTuple):
    """Text in one colour; ``link`` makes it a clickable anchor with that href."""

    text: str
    color: str
    bold: bool = False
    link: str | None = None


def span(color: str, text: str, bold: bool = False) -> Run:
    return Run(text, color, bold)


class TranscriptWriter:
    """Appends and removes whole pieces (header, actions, footer) of ``document``.

    Attributes
    ----------
    entries : how many actions the document holds.
    """

    def __init__(self, document: QTextDocument):
        self.document = document
        document.setUndoRedoEnabled(False)  # read-only text: no history to keep
        self._ends: list[int] = []  # where each action's text ends
        self._body = 0  # where the first action starts (after the header)
        self._footer_at: int | None = None
        self._header: list[Run] | None = None
        self.clear()

    @property
    def entries(self) -> int:
        return len(self._ends)

    def clear(self) -> None:
        self.document.clear()
        cursor = QTextCursor(self.document)
        block = QTextBlockFormat()
        block.setLeftMargin(MARGIN)
        block.setRightMargin(MARGIN)
        cursor.setBlockFormat(block)
        self._ends, self._body, self._footer_at, self._header = [], 0, None, None

    @contextmanager
    def editing(self) -> Iterator[None]:
        """Every change inside is laid out once, at the end."""
        cursor = QTextCursor(self.document)
        cursor.beginEditBlock()
        try:
            yield
        finally:
            cursor.endEditBlock()

    def set_header(self, runs: list[Run] | None) -> None:
        """The first line (only on an empty document; a changed header starts again)."""
        if runs == self._header:
            return
        if self._ends or self._footer_at is not None or self._header is not None:
            self.clear()
        if runs:
            self._body = self._write([runs])
        self._header = runs

    def remove_footer(self) -> None:
        if self._footer_at is not None:
            self._remove_from(self._footer_at)
            self._footer_at = None

    def truncate(self, count: int) -> None:
        """Keep the first ``count`` actions (the footer must be removed first)."""
        if count < len(self._ends):
            self._remove_from(self._ends[count - 1] if count else self._body)
            del self._ends[count:]

    def append(self, lines: list[list[Run]]) -> None:
        """One action: ``lines`` of runs, each line on its own."""
        self._ends.append(self._write(lines))

    def set_footer(self, runs: list[Run] | None) -> None:
        self.remove_footer()
        if runs:
            self._footer_at = self._end()
            self._write([runs])

    # -- the document --
    def _end(self) -> int:
        return self.document.characterCount() - 1

    def _remove_from(self, position: int) -> None:
        cursor = QTextCursor(self.document)
        cursor.setPosition(position)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()

    def _write(self, lines: list[list[Run]]) -> int:
        """Write ``lines`` at the end, after a line break unless the document is empty;
        returns where they end."""
        cursor = QTextCursor(self.document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        first = self._end() == 0
        for line in lines:
            if not first:
                cursor.insertText("\n", QTextCharFormat())
            first = False
            for run in line:
                cursor.insertText(run.text, _format(run))
        return self._end()


def _format(run: Run) -> QTextCharFormat:
    form = QTextCharFormat()
    form.setForeground(QColor(run.color))
    if run.bold:
        form.setFontWeight(QFont.Weight.DemiBold)
    if run.link:
        form.setAnchor(True)
        form.setAnchorHref(run.link)
        form.setFontUnderline(True)
    return form
