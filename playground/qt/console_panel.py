"""The Console panel: the session as a notebook would show it, up to the shown timeline point.

Each action as its PyTorch line (``>>> out.backward(...)``) followed by what torch prints for the
tensors it changed. An error is shown in red as PyTorch words it, then one plain line saying
what it means and how to fix it; a warning PyTorch would print (reading a non-leaf's ``.grad``)
is shown the same way in amber.
"""

from __future__ import annotations

import html

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from playground.session import Session
from playground.session.action_warnings import action_warnings
from playground.session.console import ConsoleEntry, transcript

from .error_help import explain
from .theme import colors
from .view_updates import connect_coalesced


class ConsolePanel(QWidget):
    """Read-only; follows the session's timeline and cursor, redrawing only while it can be
    seen (it is tabbed behind the Lesson panel during lessons); ``plain_text`` is always current.
    """

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.view = QTextBrowser(self)
        self.view.setObjectName("consoleText")
        self.view.setOpenLinks(False)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.view.setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._entries: list[ConsoleEntry] | None = None  # None: to be made again
        self._shown = None
        session.timeline_changed.connect(self._on_timeline_changed)
        self._updates = connect_coalesced(self, session, self._draw)
        self._draw()

    def refresh(self) -> None:
        """Draw again even if nothing changed (after a theme change)."""
        self._shown = self._entries = None
        self._draw()

    def plain_text(self) -> str:
        if self._updates.stale:  # hidden since the session changed: bring it up to date
            self._draw()
        return self.view.toPlainText()

    def _on_timeline_changed(self, *_):
        self._entries = None

    def _draw(self) -> None:
        self._updates.cancel()
        if self._entries is None:
            self._entries = transcript(self.session)  # the same code the exported script has
        # A timeline jump changes only the cursor: the transcript is kept, the point redrawn.
        shown = (self.session.cursor, self._entries)
        if self._shown is not None and shown[0] == self._shown[0] and shown[1] is self._shown[1]:
            return
        self._shown = shown
        c = colors()
        parts = []
        cursor = self.session.cursor
        for entry in self._entries[:cursor]:
            outcome = self.session.outcomes[entry.index]
            if outcome.action.note:
                parts.append(_span(c.muted, f"# {outcome.action.note}"))
            code = entry.code.splitlines() or [f"# {outcome.action.kind}"]
            prompts = [(">>> " if i == 0 else "... ") + line for i, line in enumerate(code)]
            parts.append(_span(c.accent, "\n".join(prompts), bold=True))
            parts.append(self._output(outcome))
            parts.extend(_warning(text) for text in action_warnings(self.session, outcome))
        later = len(self.session.outcomes) - 1 - cursor
        if later:
            parts.append(_span(c.muted, f"({later} later action{'s' * (later > 1)} not shown: "
                                        f"you are looking at step {cursor})"))
        if not parts:
            parts.append(_span(c.muted, "Nothing run yet. Press Forward, then Backward, and "
                                        "what PyTorch prints appears here."))
        # pre-wrap: long code lines wrap to the panel; printed matrices keep their columns.
        style = f"color:{c.text}; margin:4px; white-space:pre-wrap"
        self.view.setHtml(f"<pre style='{style}'>" + "\n".join(parts) + "</pre>")
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())

    @staticmethod
    def _output(outcome) -> str:
        c = colors()
        if not outcome.error:
            return html.escape(outcome.output)
        lines = outcome.output.splitlines()
        first = outcome.error.splitlines()[0]
        error_at = next((i for i, line in enumerate(lines) if line == first), None)
        help_ = explain(outcome.error)
        shown = []
        for i, line in enumerate(lines):
            shown.append(_span(c.error, line) if i == error_at else html.escape(line))
        if error_at is None:
            shown.append(_span(c.error, outcome.error))
        shown.append(_span(c.error, f"  ↳ {help_.explanation}"))
        shown.append(_span(c.error, f"  ↳ Fix: {help_.fix}", bold=True))
        return "\n".join(shown)


def _warning(text: str) -> str:
    c = colors()
    help_ = explain(text)
    return "\n".join([_span(c.warning, text), _span(c.warning, f"  ↳ {help_.explanation}"),
                      _span(c.warning, f"  ↳ Fix: {help_.fix}", bold=True)])


def _span(color: str, text: str, bold: bool = False) -> str:
    weight = "; font-weight:600" if bold else ""
    return f"<span style='color:{color}{weight}'>{html.escape(text)}</span>"
