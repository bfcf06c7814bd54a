"""Predict, then reveal, in the Lesson panel: the question box and the box showing a reveal.

The question box asks the learner to type what they expect *before* the step runs; the reveal
box shows their guess next to what PyTorch prints, ✓ or ✗, and the lesson's reason. Judging is
``playground.session.predict``'s; nothing typed is ever evaluated by Python.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from playground.session import Action
from playground.session.document import Question
from playground.session.predict import PredictError, parse, read_literal

from .icons import set_icon
from .lesson_steps import rich
from .theme import colors

EMPTY_GUESS = "Type what you expect first, then Reveal"
MAX_CODE_LINES = 8  # a big literal seed is cut: the question is about its idea, not every number
# Answers whose kind is a word (an error name, a grad_fn, a dtype): any text can be judged.
_WORD_ANSWERS = (("attr", "grad_fn"), ("attr", "dtype"))


def check_guess(typed: str, question: Question) -> None:
    """Raise ``PredictError`` when ``typed`` cannot be judged, before the step runs: a guess
    that cannot be read must leave the timeline as it was."""
    if not typed.strip():
        raise PredictError(EMPTY_GUESS)
    expression = parse(question.expression)
    if expression.is_outcome or (expression.chain and expression.chain[-1] in _WORD_ANSWERS):
        return
    read_literal(typed.strip())


class Reveal(NamedTuple):  # read-only fields; a dataclass compiles its methods at start-up
    """What one reveal showed. ``correct`` is None when it was not judged ("Just show me", or an
    answer that could not be computed); ``truth`` is the value as PyTorch prints it."""

    action: Action
    guess: str | None
    truth: str
    correct: bool | None
    message: str


class QuestionBox(QFrame):
    """The question of the next step: ``reveal_requested(typed)`` on Reveal or Enter,
    ``show_me_requested()`` on "Just show me"."""

    reveal_requested = Signal(str)
    show_me_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lessonQuestion")
        self.prompt = QLabel(self)
        self.prompt.setObjectName("questionPrompt")
        self.prompt.setWordWrap(True)
        self.code = QLabel(self)  # the step the question is about, as it will run
        self.code.setObjectName("questionCode")
        self.code.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.guess = QLineEdit(self)
        self.guess.setObjectName("questionGuess")
        self.guess.setPlaceholderText("Your prediction, e.g. 8 or [[1, 2], [3, 4]]")
        self.guess.setToolTip("A number, a list, True/False, None, a shape like (5, 4), a grad_fn "
                              "name, or ok / error for whether the step fails")
        self.guess.setClearButtonEnabled(True)
        self.guess.setAccessibleName("Your prediction")
        self.reveal = QPushButton("Reveal", self)
        self.reveal.setObjectName("questionReveal")
        set_icon(self.reveal, "eye")
        self.reveal.setToolTip("Take the step and compare (Enter)")
        self.message = QLabel(self)
        self.message.setObjectName("panelError")
        self.message.setWordWrap(True)
        self.message.hide()
        self.show_me = QLabel(self)
        self.show_me.setObjectName("questionShowMe")
        self.show_me.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                             | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.guess, 1)
        row.addWidget(self.reveal)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.prompt)
        layout.addWidget(self.code)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.show_me, 0, Qt.AlignmentFlag.AlignRight)
        self.guess.returnPressed.connect(self._on_reveal_clicked)
        self.reveal.clicked.connect(self._on_reveal_clicked)
        self.guess.textEdited.connect(self._on_guess_edited)
        self.show_me.linkActivated.connect(self._on_show_me)
        self.refresh()

    def ask(self, question: Question, code: list[str] = ()) -> None:
        """Ask ``question`` about the step whose ``code`` lines are shown under it."""
        self.prompt.setText(f"<b>Predict:</b> {rich(question.prompt)}")
        # A literal's continuation lines are indented to its bracket: too wide for the panel.
        lines = [part if i == 0 else "    " + part.lstrip()
                 for line in code for i, part in enumerate(line.split("\n"))]
        shown = lines[:MAX_CODE_LINES]
        if len(lines) > MAX_CODE_LINES:
            shown.append("...")
        self.code.setText("\n".join(f"{'>>>' if i == 0 else '...'} {line}"
                                     for i, line in enumerate(shown)))
        self.code.setVisible(bool(shown))
        self.guess.clear()
        self.say("")

    def say(self, message: str) -> None:
        """A message at the line edit (an empty one hides it)."""
        self.message.setText(message)
        self.message.setVisible(bool(message))

    def refresh(self) -> None:
        c = colors()  # the box's frame is in the application style sheet (theme.py)
        self.show_me.setText(f'<a href="show" style="color: {c.muted}">Just show me</a>')

    def _on_reveal_clicked(self):
        self.reveal_requested.emit(self.guess.text())

    def _on_guess_edited(self, _text: str):
        self.say("")

    def _on_show_me(self, _link: str):
        self.show_me_requested.emit()


class RevealBox(QFrame):
    """The learner's guess, the true value, ✓/✗ and why: the last reveal at the point shown."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lessonReveal")
        self.verdict = QLabel(self)
        self.verdict.setObjectName("revealVerdict")
        self.guess_label, self.guess = self._value_row("You said")
        self.truth_label, self.truth = self._value_row("")
        self.reason = QLabel(self)
        self.reason.setObjectName("revealReason")
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        values = QGridLayout()
        values.setHorizontalSpacing(10)
        values.setVerticalSpacing(2)
        values.setColumnStretch(1, 1)
        for row, (label, value) in enumerate(((self.guess_label, self.guess),
                                              (self.truth_label, self.truth))):
            values.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            values.addWidget(value, row, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addWidget(self.verdict)
        layout.addLayout(values)
        layout.addWidget(self.reason)
        self.shown: Reveal | None = None

    def _value_row(self, text: str) -> tuple[QLabel, QLabel]:
        label = QLabel(text, self)
        value = QLabel(self)
        # Plain text keeps a printed tensor's line breaks and indents; long error lines wrap.
        value.setTextFormat(Qt.TextFormat.PlainText)
        value.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label, value

    def show_reveal(self, reveal: Reveal, question: Question) -> None:
        self.shown = reveal
        c = colors()
        mark, colour = {True: ("✓ Right", c.success), False: ("✗ Not quite", c.error),
                        None: ("Revealed", c.accent)}[reveal.correct]
        self.verdict.setText(f'<b style="color: {colour}">{mark}</b>')
        for widget in (self.guess_label, self.guess):
            widget.setVisible(reveal.guess is not None)
        self.guess.setText(reveal.guess or "")
        self.truth_label.setText(question.expression)
        self.truth.setText(reveal.truth)
        for label in (self.guess_label, self.truth_label):
            label.setStyleSheet(f"color: {c.muted};")
        reason = question.reason
        if reveal.correct is None and reveal.message:
            reason = f"{reveal.message}. {reason}"
        self.reason.setText(reason)
        self.setStyleSheet(f"QFrame#lessonReveal {{ background: {c.base}; "
                           f"border-left: 4px solid {colour}; border-radius: 3px; }}")

    def text(self) -> str:
        """Everything the box says, as plain text (for tests and accessibility)."""
        parts = [self.verdict.text()]
        if self.guess.isVisibleTo(self):
            parts += [self.guess_label.text(), self.guess.text()]
        return " ".join(parts + [self.truth_label.text(), self.truth.text(), self.reason.text()])
