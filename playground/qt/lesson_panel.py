"""The Lesson panel: the open lesson's title, intro and steps, with Next, Restart and questions.

Next takes the lesson's next action through the step controls (so it is one undoable command,
exactly like "Next lesson step"). When that action carries a question, the panel asks it first:
Reveal (or Enter) checks the guess can be read, takes the step, and shows the guess beside the
true value with ✓/✗ and the reason. Everything shown follows the timeline point selected, so
time travel and undo show the lesson as it was there.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from playground.session import Action, RemoveAction, Session
from playground.session.action_warnings import action_warnings
from playground.session.lessons import lesson_names, lesson_title
from playground.session.predict import PredictError, answer, judge

from .action_text import action_line, upcoming_code
from .icons import set_icon
from .lesson_guide import LessonGuide
from .lesson_question import EMPTY_GUESS, QuestionBox, Reveal, RevealBox, check_guess
from .lesson_steps import StepList

NO_LESSON = ("Pick a lesson from the Lessons menu: each takes a few steps, asks you to predict "
             "a value, then shows it.")
# Ctrl+Enter: "run this and go on", as in notebooks; free among the window's shortcuts.
NEXT_SHORTCUT = "Ctrl+Return"


class LessonPanel(QWidget):
    """The open lesson, step by step.

    Parameters
    ----------
    session : the window's session (read, and followed through its signals).
    controls : the window's ``StepControls``; every step is taken with its ``push_action``.
    undo_stack : the window's undo stack (Restart is one undoable command).

    Signals
    -------
    lesson_requested(str) : Next at the end of a lesson: open the course's next lesson.
    """

    lesson_requested = Signal(str)

    def __init__(self, session: Session, controls, undo_stack, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lessonPanel")
        self.session, self.controls, self.undo_stack = session, controls, undo_stack
        self.guide = LessonGuide()
        self.reveals: dict[int, Reveal] = {}  # timeline point → the reveal made there
        self._asked: tuple[int, Action] | None = None  # the question in the box, and where
        self.next_action = QAction("Next lesson step", self)
        self.next_action.setObjectName("actionNextLessonStep")
        # The keypad's Enter too: "Ctrl+Enter" is what learners read and press.
        self.next_action.setShortcuts([QKeySequence(NEXT_SHORTCUT), QKeySequence("Ctrl+Enter")])
        set_icon(self.next_action, "forward")
        self.next_action.triggered.connect(self.advance)
        self.restart_action = QAction("Restart lesson", self)
        self.restart_action.setObjectName("actionRestartLesson")
        set_icon(self.restart_action, "rotate-left")
        self.restart_action.triggered.connect(self.restart)
        self._build()
        self._drawn_for: tuple | None = None  # what the panel was last drawn from
        session.timeline_changed.connect(self._on_session_changed)
        session.cursor_changed.connect(self._on_session_changed)
        self.set_guide(self.guide)
        self.refresh()

    def _build(self):
        self.steps = StepList(self)
        self.steps.setMinimumHeight(90)  # a reveal and a question below never squeeze it away
        self.steps.step_clicked.connect(self._on_step_clicked)
        self.reveal_box = RevealBox(self)
        self.question = QuestionBox(self)
        self.question.reveal_requested.connect(self.reveal)
        self.question.show_me_requested.connect(self.show_me)
        self.progress = QLabel(self)
        self.progress.setObjectName("panelHint")
        self.progress.setWordWrap(True)
        self.restart_button = QPushButton("Restart", self)
        self.restart_button.setObjectName("lessonRestart")
        set_icon(self.restart_button, "rotate-left")
        self.restart_button.setToolTip("Take the lesson from the start: clears the timeline "
                                       "(Ctrl+Z brings it back)")
        self.restart_button.clicked.connect(self.restart)
        self.present_button = QPushButton("Back to the present", self)
        self.present_button.setObjectName("lessonPresent")
        set_icon(self.present_button, "forward-fast")
        self.present_button.clicked.connect(self.advance)
        self.next_button = QPushButton("Next", self)
        self.next_button.setObjectName("lessonNext")
        set_icon(self.next_button, "forward")
        self.next_button.clicked.connect(self.advance)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.restart_button)
        buttons.addWidget(self.present_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.reveal_box)
        layout.addWidget(self.question)
        layout.addLayout(buttons)

    # -- the lesson --
    def set_guide(self, guide: LessonGuide) -> None:
        """Show ``guide``'s lesson (an empty guide: no lesson open)."""
        self.guide = guide
        self.reveals.clear()
        self._asked = None
        if guide:
            self.steps.set_lesson(guide.title, guide.intro, guide.plan)
        else:
            self.steps.set_lesson("No lesson open", NO_LESSON, ())
        self._on_timeline_changed()

    # -- what the selected timeline point shows --
    def _state(self):
        """(point shown, whether it is the present, the plan steps done there, next index)."""
        point = self.session.cursor
        live = point == len(self.session.outcomes) - 1
        matches = self.guide.matches(self.session.document.actions[:point])
        position = max(matches) + 1 if matches else 0
        return point, live, matches, position

    def pending(self) -> Action | None:
        """The lesson's next action at the point shown (None when the lesson is done)."""
        position = self._state()[3]
        return self.guide.plan[position] if position < len(self.guide.plan) else None

    def _on_session_changed(self, *_):
        # One action emits timeline_changed then cursor_changed: draw once for both.
        session = self.session
        drawn_for = (session.cursor, len(session.outcomes), session.current,
                     session.document.actions)
        if self._drawn_for is not None and all(
                a is b for a, b in zip(drawn_for, self._drawn_for)):
            return
        self._on_timeline_changed()

    def _on_timeline_changed(self, *_):
        session = self.session
        self._drawn_for = (session.cursor, len(session.outcomes), session.current,
                           session.document.actions)
        point, live, matches, position = self._state()
        plan = self.guide.plan
        failed = {index for index, at in matches.items() if self.session.outcomes[at].error}
        self.steps.show_progress(set(matches), position, failed)
        pending = plan[position] if position < len(plan) else None
        self._show_reveal(point)
        self._show_output(point, matches)
        asking = live and pending is not None and pending.question is not None
        if asking and self._asked != (position, pending):
            self._asked = (position, pending)
            self.question.ask(pending.question, upcoming_code(pending))
        self.question.setVisible(asking)
        self.next_button.setVisible(not asking and live and bool(self.guide))
        following = self.following_lesson() if pending is None else None
        self.next_button.setEnabled(pending is not None or following is not None)
        if pending is not None or following is None:
            self.next_button.setText("Next")
            self.next_button.setToolTip(f"{action_line(pending)}  (Ctrl+Enter)" if pending
                                        else "The lesson is done")
        else:
            title = lesson_title(following)
            self.next_button.setText(f"Next lesson: {title.split(':')[0]}")
            self.next_button.setToolTip(f"Open the next lesson: {title}  (Ctrl+Enter)")
        self.next_action.setEnabled(self.next_button.isEnabled() or not live)
        self.present_button.setVisible(not live)
        self.restart_button.setEnabled(bool(self.guide) and bool(self.session.document.actions))
        self.restart_action.setEnabled(self.restart_button.isEnabled())
        self.restart_button.setVisible(bool(self.guide))
        self.progress.setText(self._progress_text(live, position))

    def following_lesson(self) -> str | None:
        """The lesson after this one in the course (None after the last, or no lesson)."""
        if not self.guide:
            return None
        names = lesson_names()
        if self.guide.name not in names:
            return None
        index = names.index(self.guide.name) + 1
        return names[index] if index < len(names) else None

    def _show_output(self, point: int, matches: dict[int, int]) -> None:
        """Under the step taken at the point shown: what it printed, or PyTorch's error (the
        Console, tabbed behind this panel, has the whole story)."""
        taken = next((index for index, at in matches.items() if at == point), None)
        outcome = self.session.outcomes[point]
        shown = self.reveal_box.shown if self.reveal_box.isVisibleTo(self) else None
        if shown is not None and shown.action.question.expression == "outcome":
            self.steps.show_output(None, "")  # the reveal shows the error already
        elif outcome.error:
            self.steps.show_output(taken, outcome.error.splitlines()[0], is_error=True)
        else:
            # What PyTorch would warn about (reading a non-leaf's .grad) belongs with it.
            warned = action_warnings(self.session, outcome)
            parts = [outcome.output.rstrip("\n"), *warned]
            self.steps.show_output(taken, "\n".join(part for part in parts if part))

    def _progress_text(self, live: bool, position: int) -> str:
        total = len(self.guide.plan)
        if not self.guide:
            return ""
        if not live:
            return "Showing the past: steps run at the present"
        if position >= total:
            return f"Lesson complete: all {total} steps taken"
        return f"Step {position + 1} of {total}"

    def _show_reveal(self, point: int) -> None:
        reveal = self.reveals.get(point)
        actions = self.session.document.actions
        # Undo, or a different action at that point, makes the record stale.
        if reveal is None or point == 0 or actions[point - 1] != reveal.action:
            self.reveal_box.hide()
            self.reveal_box.shown = None
            return
        self.reveal_box.show_reveal(reveal, reveal.action.question)
        self.reveal_box.show()

    # -- Next, Reveal, Restart --
    def advance(self) -> None:
        """Next: back to the present if showing the past; else ask or take the next step."""
        end = len(self.session.outcomes) - 1
        if self.session.cursor != end:
            self.session.select(end)
            return
        action = self.pending()
        if action is None:
            following = self.following_lesson()
            if following is not None:
                self.lesson_requested.emit(following)
            return
        if action.question is not None:
            self.question.guess.setFocus()
            self.reveal(self.question.guess.text())
            return
        self.controls.push_action(action)
        self._focus_what_comes_next()

    def take_next_step(self) -> None:
        """The lesson's next step, its question (if any) revealed without a guess: what
        ``--do next`` runs, where nobody is there to type one."""
        action = self.pending()
        if action is not None and action.question is not None and self.session.cursor == len(
                self.session.outcomes) - 1:
            self.show_me()
        else:
            self.advance()

    def reveal(self, typed: str) -> None:
        """Judge ``typed`` against the next step's question, after taking the step."""
        action = self.pending()
        if action is None or action.question is None:
            return
        try:
            check_guess(typed, action.question)
        except PredictError as error:
            self.question.say(_sentence(str(error)) if typed.strip() else EMPTY_GUESS)
            self.question.guess.setFocus()
            return
        self._take_and_reveal(action, typed.strip())

    def show_me(self) -> None:
        """Reveal without judging: for a learner who has no guess."""
        action = self.pending()
        if action is not None and action.question is not None:
            self._take_and_reveal(action, None)

    def _take_and_reveal(self, action: Action, guess: str | None) -> None:
        if not self.controls.push_action(action):
            self.question.say("This step could not be taken: see the status bar")
            return
        point = len(self.session.outcomes) - 1
        correct, message = None, ""
        try:
            found = answer(self.session, action.question, point)
        except PredictError as error:  # e.g. the tensor asked about could not be computed
            truth, message = "(no value)", _sentence(str(error))
        else:
            truth = found.text
            if guess is not None:
                try:
                    verdict = judge(guess, found)
                    correct, message = verdict.correct, verdict.message
                except PredictError:  # a guess of another kind ("PowBackward0" for None)
                    correct = False
                    message = f"Not quite: {found.expression} is {truth}, not {guess}"
        self.reveals[point] = Reveal(action, guess, truth, correct, message)
        self._on_timeline_changed()
        self._focus_what_comes_next()

    def _focus_what_comes_next(self) -> None:
        """After the panel's own Next or Reveal (never on other changes: that would pull the
        keyboard away from whatever the learner is typing elsewhere)."""
        if self.question.isVisibleTo(self):
            self.question.guess.setFocus()
        elif self.next_button.isVisibleTo(self) and self.next_button.isEnabled():
            self.next_button.setFocus()

    def restart(self) -> None:
        """Clear the timeline, as one undoable command, so the lesson starts again."""
        if not self.session.planned_document.actions:
            return
        self.reveals.clear()  # a fresh start: no old answer shows up when a step is retaken
        self.undo_stack.beginMacro("Restart the lesson")
        try:
            # Each removal is built once the stack has landed an action still computing, so
            # the last index is the timeline's, not the one shown before it landed.
            while self.undo_stack.push(self._remove_last_action):
                pass
        finally:
            self.undo_stack.endMacro()

    def _remove_last_action(self) -> RemoveAction | None:
        actions = self.session.document.actions
        return RemoveAction(self.session, len(actions) - 1) if actions else None

    def _on_step_clicked(self, number: int) -> None:
        point = self.guide.matches(self.session.document.actions).get(number - 1)
        if point is not None:
            self.session.select(point)

    def refresh(self) -> None:
        """Redraw with the current theme's colours."""
        self.question.refresh()
        self.steps.refresh()
        self._on_timeline_changed()  # the reveal box, in the new colours


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
