"""The Console panel: the session as a notebook would show it, up to the shown timeline point.

Each action as its PyTorch line (``>>> out.backward(...)``) followed by what torch prints for the
tensors it changed. An error is shown in red as PyTorch words it, then one plain line saying
what it means and how to fix it; a warning PyTorch would print (reading a non-leaf's ``.grad``)
is shown the same way in amber.

The transcript is kept in the text document one action at a time: a new action appends its
lines, a step back in time removes the lines after the point, so neither lays out the whole
transcript again. Only the last ``SHOWN`` (up to twice that, kept from before) actions before
the point are drawn, and only their code is made (a 1,000-action timeline took ~100 ms a jump
and ~350 ms an action); a link at the top draws earlier ones on demand.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from playground.session import Session
from playground.session.action_warnings import action_warnings
from playground.session.console import ConsoleEntry, transcript
from playground.session.export import kept_names
from playground.session.text import counted

from .console_text import EARLIER_LINK, Run, TranscriptWriter, span
from .error_help import explain
from .theme import colors
from .view_updates import connect_coalesced

SHOWN = 30  # actions drawn before the point shown, at least (up to twice as many are kept)
MORE = 200  # how many earlier actions one click on the link adds


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
        self.view.anchorClicked.connect(self._on_link_clicked)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.view.setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.shown = SHOWN  # grows when the learner asks for earlier actions
        self._writer = TranscriptWriter(self.view.document())
        self._entries: dict[int, ConsoleEntry] = {}  # by action index, made when first drawn
        self._kept: set[str] | None = None  # the names the timeline's forwards keep
        self._drawn: list[tuple] = []  # (entry, outcome) of each action in the document
        self._first = 0  # the transcript index of the first action in the document
        self._footer: list[Run] | None = None
        session.timeline_changed.connect(self._on_timeline_changed)
        self._updates = connect_coalesced(self, session, self._draw)
        self._draw()

    def refresh(self) -> None:
        """Draw again even if nothing changed (after a theme change)."""
        self._entries, self._kept = {}, None
        self._drawn = []
        self._writer.clear()
        self._draw()

    def plain_text(self) -> str:
        if self._updates.stale:  # hidden since the session changed: bring it up to date
            self._draw()
        return self.view.toPlainText()

    def show_earlier(self) -> None:
        """Draw ``MORE`` more of the actions before the first one shown."""
        self.shown += MORE
        self._draw()

    def _on_link_clicked(self, url) -> None:
        if url.toString() == EARLIER_LINK:
            bar = self.view.verticalScrollBar()
            below = bar.maximum() - bar.value()
            self.show_earlier()
            bar.setValue(bar.maximum() - below)  # keep the lines that were in view

    def _on_timeline_changed(self, *_):
        self._entries = {}  # an action's code depends on the names the whole timeline uses
        self._kept = None

    def _entries_between(self, start: int, stop: int) -> list[ConsoleEntry]:
        missing = [i for i in range(start, stop) if i not in self._entries]
        if missing:  # the same code the exported script has
            if self._kept is None:
                self._kept = kept_names(self.session)
            made = transcript(self.session, missing[0], missing[-1] + 1, self._kept)
            self._entries.update((entry.index - 1, entry) for entry in made)
        return [self._entries[i] for i in range(start, stop)]

    # -- drawing --
    def _draw(self) -> None:
        self._updates.cancel()
        outcomes = self.session.outcomes
        cursor = self.session.cursor
        first = self._first
        # Keep the actions drawn when the point is at most twice ``shown`` after the first.
        if not (first <= max(0, cursor - self.shown) and cursor - first <= 2 * self.shown):
            first = max(0, cursor - self.shown)
        wanted = [(entry, outcomes[entry.index])
                  for entry in self._entries_between(first, cursor)]
        kept = 0
        if first == self._first:
            drawn = self._drawn
            limit = min(len(drawn), len(wanted))
            while kept < limit and _same(drawn[kept], wanted[kept]):
                kept += 1
        footer = self._footer_runs(cursor)
        if first == self._first and kept == len(self._drawn) == len(wanted) and (
                footer == self._footer and self._writer.entries == kept):
            return
        writer = self._writer
        with writer.editing():
            if first != self._first:
                writer.clear()
                kept = 0
            writer.remove_footer()
            writer.truncate(kept)
            writer.set_header(_earlier_runs(first))
            for entry, outcome in wanted[kept:]:
                writer.append(self._entry_runs(entry, outcome))
            writer.set_footer(footer)
        self._first, self._footer = first, footer
        self._drawn = wanted
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _footer_runs(self, cursor: int) -> list[Run] | None:
        c = colors()
        later = len(self.session.outcomes) - 1 - cursor
        if later:
            return [span(c.muted, f"({counted(later, 'later action')} not shown: "
                                  f"you are looking at step {cursor})")]
        if cursor == 0:
            return [span(c.muted, "Nothing run yet. Press Forward, then Backward, and what "
                                  "PyTorch prints appears here.")]
        return None

    def _entry_runs(self, entry: ConsoleEntry, outcome) -> list[list[Run]]:
        """The lines of one action, each a list of runs: note, code, output, warnings."""
        c = colors()
        parts: list[list[Run]] = []
        if outcome.action.note:
            parts.append([span(c.muted, f"# {outcome.action.note}")])
        code = entry.code.splitlines() or [f"# {outcome.action.kind}"]
        prompts = [(">>> " if i == 0 else "... ") + line for i, line in enumerate(code)]
        parts.append([span(c.accent, "\n".join(prompts), bold=True)])
        parts.append(_output(outcome))
        parts.extend(_warning(text) for text in action_warnings(self.session, outcome))
        return parts


def _same(drawn: tuple, wanted: tuple) -> bool:
    return drawn[1] is wanted[1] and drawn[0] == wanted[0]


def _earlier_runs(first: int) -> list[Run] | None:
    if not first:
        return None
    c = colors()
    return [span(c.muted, f"({counted(first, 'earlier action')} not shown: "),
            Run(f"show {min(first, MORE)} more", c.accent, False, EARLIER_LINK),
            span(c.muted, ")")]


def _output(outcome) -> list[Run]:
    c = colors()
    if not outcome.error:
        return [span(c.text, outcome.output)]
    lines = outcome.output.splitlines()
    first = outcome.error.splitlines()[0]
    error_at = next((i for i, line in enumerate(lines) if line == first), None)
    help_ = explain(outcome.error)
    shown = [span(c.error if i == error_at else c.text, line) for i, line in enumerate(lines)]
    if error_at is None:
        shown.append(span(c.error, outcome.error))
    shown.append(span(c.error, f"  ↳ {help_.explanation}"))
    shown.append(span(c.error, f"  ↳ Fix: {help_.fix}", bold=True))
    return _lines(shown)


def _warning(text: str) -> list[Run]:
    c = colors()
    help_ = explain(text)
    return _lines([span(c.warning, text), span(c.warning, f"  ↳ {help_.explanation}"),
                   span(c.warning, f"  ↳ Fix: {help_.fix}", bold=True)])


def _lines(runs: list[Run]) -> list[Run]:
    """``runs`` one per line: a line break between each."""
    joined: list[Run] = []
    for run in runs:
        if joined:
            joined.append(span(colors().text, "\n"))
        joined.append(run)
    return joined
