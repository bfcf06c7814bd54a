"""The Lesson panel's list of steps: each plan action as its PyTorch line and its note.

A row is ticked when the timeline (up to the point shown) has taken it, marked ▶ when it is the
next one, and numbered otherwise; a step that asks a question first says so. Clicking a ticked
row shows the timeline point right after it (time travel), as clicking the Timeline does.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPainter, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from playground.session import Action

from .action_text import action_line
from .theme import colors
from .wrap_label import WrapLabel

DONE, FAILED, CURRENT, SKIPPED, TODO = "done", "failed", "current", "skipped", "todo"
MARKERS = {DONE: "✓", FAILED: "✗", CURRENT: "▶", SKIPPED: "–"}
TAKEN = (DONE, FAILED)  # rows a click travels back to
# A row, left to right: the current step's accent edge, padding, the marker, a gap, the text.
EDGE_WIDTH, ROW_PADDING, MARKER_WIDTH, MARKER_GAP = 3, 6, 22, 8
TEXT_LEFT = EDGE_WIDTH + ROW_PADDING + MARKER_WIDTH + MARKER_GAP
ROW_TOP, ROW_RIGHT, ROW_BOTTOM = 5, 8, 5  # the text's margins in the row
ESTIMATE_WIDTH = 300  # the width a row not laid out yet is estimated at


def rich(text: str) -> str:
    """``text`` safe inside Qt rich text (which knows ``&quot;`` but not ``&#x27;``): what
    ``html.escape(text, quote=False)`` gives, without importing ``html`` and its entity table
    while the window starts."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class StepRow(QWidget):
    """One step of the lesson; ``clicked(number)`` when a ticked row is clicked.

    Light on purpose (a lesson has up to ~25 rows, all made when it opens): the row paints its
    marker, highlight and left edge itself, and holds one label for its text; the label for
    what the step printed is made the first time it prints. No row has a style sheet of its
    own (each one made Qt polish the row again: ~40 ms of opening the seed lesson). The text
    label itself is made when the row first comes near the visible part of the list
    (``ensure_built``, called by ``StepList``): until then the row takes the height its text
    is estimated to need, so rows below the fold cost no text layout while the window opens.
    """

    clicked = Signal(int)

    def __init__(self, number: int, action: Action, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lessonStep")
        self.number, self.action, self.state = number, action, TODO
        self.marker = ""  # ✓ ✗ ▶ – or the step's number, painted left of the text
        self._marker_colour = QColor()
        self._html = ""  # the text label's rich text, kept until the label is made
        self._text_lengths: tuple[int, ...] = ()  # characters of each line of it (estimates)
        self._text: WrapLabel | None = None
        self._column: QVBoxLayout | None = None  # made with the text label
        self._output: QLabel | None = None  # made when the step first prints
        self._output_is_error = False
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)  # the estimate's, until the label's layout answers
        self.setSizePolicy(policy)
        self.render()

    @property
    def built(self) -> bool:
        return self._text is not None

    def ensure_built(self) -> None:
        """Make the text label (and lay it out in the row), if not done yet."""
        if self._text is not None:
            return
        text = self._text = WrapLabel(self)
        text.setObjectName("stepText")
        text.setTextFormat(Qt.TextFormat.RichText)
        # Clicks go to the row (time travel), not to text selection.
        text.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        text.setText(self._html)
        column = self._column = QVBoxLayout(self)
        column.setContentsMargins(TEXT_LEFT, ROW_TOP, ROW_RIGHT, ROW_BOTTOM)
        column.setSpacing(3)
        column.addWidget(text)
        if self.isVisible():
            text.show()  # a child made after its parent was shown is hidden until told
        column.activate()  # placed in the row now, not a frame later
        self.updateGeometry()

    @property
    def text(self) -> WrapLabel:
        """The label with the step's code, question and note (made now if not yet)."""
        self.ensure_built()
        return self._text

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        if self._text is None:
            return self._estimated_height(width)
        return super().heightForWidth(width)

    def sizeHint(self):  # noqa: N802 - Qt's name
        if self._text is None:
            return QSize(ESTIMATE_WIDTH, self._estimated_height(ESTIMATE_WIDTH))
        return super().sizeHint()

    def _estimated_height(self, width: int) -> int:
        """The height the text will take at ``width``: each line's characters over the line's
        room at the font's average character width, rounded up to whole lines (words wrap
        early: a line holds ~9 in 10 of what fits)."""
        metrics = self.fontMetrics()
        room = max(1, width - TEXT_LEFT - ROW_RIGHT)
        per_line = max(1, int(0.9 * room / max(1, metrics.averageCharWidth())))
        lines = sum(max(1, -(-length // per_line)) for length in self._text_lengths)
        return ROW_TOP + ROW_BOTTOM + max(1, lines) * metrics.lineSpacing()

    @property
    def output(self) -> QLabel:
        """What the step printed, or its error, right after it ran (hidden when empty)."""
        if self._output is None:
            self.ensure_built()
            output = self._output = WrapLabel(self)
            output.setObjectName("stepOutput")
            output.setTextFormat(Qt.TextFormat.PlainText)  # keeps a tensor's line breaks
            output.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            output.setMargin(3)
            output.setAutoFillBackground(True)
            output.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            output.hide()
            self._column.addWidget(output)
            self._colour_output()
        return self._output

    def shows_output(self) -> bool:
        """Whether the row shows what its step printed (asking makes no label)."""
        return self._output is not None and self._output.isVisibleTo(self)

    def set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.render()

    def set_output(self, text: str, is_error: bool = False) -> None:
        """Show ``text`` under the step (an empty one hides it)."""
        if self._output is None and not text:
            return  # never printed: nothing to hide
        output = self.output
        if text == output.text() and is_error == self._output_is_error and (
                bool(text) == output.isVisibleTo(self)):
            return  # unchanged: no new layout
        output.setText(text)
        output.setVisible(bool(text))
        self._output_is_error = is_error
        self.render()

    def render(self) -> None:
        c = colors()
        self._colour_output()
        past = self.state in (DONE, FAILED, SKIPPED)
        code_colour = c.muted if past else c.text
        code = action_line(self.action)
        parts = [f'<span style="font-family: monospace; color: {code_colour}">{rich(code)}</span>']
        lengths = [len(code)]
        if self.action.question is not None and self.state == TODO:  # the current: in its box
            prompt = self.action.question.prompt
            parts.append(f'<span style="color: {c.accent}">Predict first: {rich(prompt)}</span>')
            lengths.append(len(prompt) + 15)
        if self.action.note and not past:
            parts.append(f'<span style="color: {c.muted}">{rich(self.action.note)}</span>')
            lengths.append(len(self.action.note))
        self._html = "<br>".join(parts)
        if self._text is not None:
            self._text.setText(self._html)
        elif tuple(lengths) != self._text_lengths:
            self.updateGeometry()  # another estimate
        self._text_lengths = tuple(lengths)
        self.marker = MARKERS.get(self.state, "?" if self.action.question else str(self.number))
        colour = {DONE: c.success, FAILED: c.error, CURRENT: c.accent}.get(self.state, c.muted)
        self._marker_colour = QColor(colour)
        self.setCursor(Qt.CursorShape.PointingHandCursor if self.state in TAKEN
                       else Qt.CursorShape.ArrowCursor)
        tip = {DONE: "Show the timeline right after this step",
               FAILED: "This step raised an error (its message is under it and in the "
                       "Console). Click to show the timeline right after it"}
        self.setToolTip(tip.get(self.state, ""))
        self.update()

    def _colour_output(self) -> None:
        if self._output is None:
            return
        c = colors()
        palette = self._output.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(
            c.error if self._output_is_error else c.text))
        palette.setColor(QPalette.ColorRole.Window, QColor(c.base))
        self._output.setPalette(palette)

    def paintEvent(self, event):  # noqa: N802 - Qt's name
        painter = QPainter(self)
        if self.state == CURRENT:  # the next step: on the base colour, an accent edge left
            c = colors()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(c.base))
            painter.drawRoundedRect(QRectF(self.rect()), 3, 3)
            painter.setBrush(QColor(c.accent))
            painter.drawRect(QRectF(0, 0, EDGE_WIDTH, self.height()))
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(self._marker_colour)
        box = QRect(EDGE_WIDTH + ROW_PADDING, ROW_TOP, MARKER_WIDTH, self.height())
        painter.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
                         self.marker)

    def mousePressEvent(self, event):  # noqa: N802 - Qt's name
        if self.state in TAKEN and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.number)
        super().mousePressEvent(event)


class StepList(QScrollArea):
    """The lesson's title and intro, then every step of its plan, numbered from 1;
    ``step_clicked(number)`` for a ticked one. The intro scrolls away with the steps, so a
    long one never leaves the steps without room."""

    step_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lessonSteps")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.rows: list[StepRow] = []
        self._current = 0  # the row show_progress highlighted
        self._scroll_wanted: list[int] = []
        self._scroll_timer = QTimer(self)
        self._scroll_timer.setSingleShot(True)
        self._scroll_timer.setInterval(0)
        self._scroll_timer.timeout.connect(self._on_scroll_timer)
        self._body = QWidget(self)
        self._layout = QVBoxLayout(self._body)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.title = WrapLabel(self._body)
        self.title.setObjectName("lessonTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.intro = WrapLabel(self._body)
        self.intro.setObjectName("lessonIntro")
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.intro)
        self._layout.addSpacing(6)
        self._layout.addStretch(1)
        self.setWidget(self._body)
        self.verticalScrollBar().valueChanged.connect(self._build_seen)
        self.verticalScrollBar().rangeChanged.connect(self._on_range_changed)
        self._keep_at_end = False  # rows made at the end of the list: stay at its end

    def set_lesson(self, title: str, intro: str, plan: tuple[Action, ...]) -> None:
        self.title.setText(title)
        self.intro.setText(intro)
        self.intro.setVisible(bool(intro))
        for row in self.rows:
            row.hide()  # now: deleteLater waits for the event loop
            self._layout.removeWidget(row)
            row.deleteLater()
        self.rows = []
        first = self._layout.count() - 1  # rows go before the closing stretch
        for number, action in enumerate(plan, start=1):
            row = StepRow(number, action, self._body)
            row.clicked.connect(self.step_clicked)
            self._layout.insertWidget(first + number - 1, row)
            self.rows.append(row)
        if self.isVisible():
            self._build_seen()

    def _build_seen(self, *_) -> None:
        """Make the text of the rows in view and of half a screen below it (so scrolling finds
        them made); the others keep their estimated heights. Places are added up from the
        rows' heights: until the list is laid out at its new size, the layout's are stale."""
        if all(row.built for row in self.rows):
            return
        width, spacing = self.viewport().width(), self._layout.spacing()
        bar = self.verticalScrollBar()
        top = bar.value()
        bottom = top + self.viewport().height() * 3 // 2
        at_end = top > 0 and top == bar.maximum()
        y = self.title.heightForWidth(width) + 6 + 2 * spacing  # 6: the gap after the intro
        if not self.intro.isHidden():
            y += self.intro.heightForWidth(width) + spacing
        for row in self.rows:
            height = row.heightForWidth(width)
            if not row.built and y < bottom and y + height > top:
                row.ensure_built()
                self._keep_at_end = at_end  # their real heights change the list's length
            y += height + spacing

    def _on_range_changed(self, _low: int, high: int) -> None:
        if self._keep_at_end:
            self._keep_at_end = False
            self.verticalScrollBar().setValue(high)

    def resizeEvent(self, event):  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._build_seen()

    def show_progress(self, done: set[int], current: int, failed: set[int] = frozenset()
                      ) -> None:
        """Tick the plan indexes in ``done`` (✗ those in ``failed``, which raised), highlight
        ``current`` (the next step) and scroll it into view; steps before it that were not taken
        (skipped prints) are dashed."""
        for index, row in enumerate(self.rows):
            if index == current:
                row.set_state(CURRENT)
            elif index in done:
                row.set_state(FAILED if index in failed else DONE)
            else:
                row.set_state(SKIPPED if index < current else TODO)
        self._current = current
        self._scroll_to(current)

    def _scroll_to(self, *indexes: int | None) -> None:
        """Scroll to the rows once the layout has placed them: a row whose state or output
        just changed has its old place and height until then (the list stayed at its top)."""
        wanted = [i for i in indexes if i is not None]
        if len(self.rows) and self._current >= len(self.rows):  # done: show the last steps
            wanted.append(len(self.rows) - 1)
        self._scroll_wanted = wanted
        if not self._scroll_timer.isActive():
            self._scroll_timer.start()

    def showEvent(self, event):  # noqa: N802 - Qt's name
        # Steps taken while the panel was a tab behind the Console: scroll now it can be seen.
        super().showEvent(event)
        self._scroll_to(*self._scroll_wanted, self._current)

    def _on_scroll_timer(self) -> None:
        # A row's place depends on the heights of those above it: real ones, not estimates.
        for row in self.rows[:max(self._scroll_wanted, default=-1) + 1]:
            row.ensure_built()
        self.widget().layout().activate()
        # One after the other: the last one wins when they do not all fit.
        for index in self._scroll_wanted:
            if 0 <= index < len(self.rows):
                self.ensureWidgetVisible(self.rows[index], 0, 40)

    def show_output(self, index: int | None, text: str, is_error: bool = False) -> None:
        """What step ``index`` printed (or its error), under it; every other row's goes."""
        for number, row in enumerate(self.rows):
            wanted = text if number == index else ""
            if wanted or row.shows_output():
                row.set_output(wanted, is_error)
        if text:
            self._scroll_to(index, self._current)

    def states(self) -> list[str]:
        return [row.state for row in self.rows]

    def refresh(self) -> None:
        """Theme colours are read when a row renders: render them all again (title and intro
        are styled by the application style sheet, theme.py)."""
        for row in self.rows:
            row.render()
