"""Step controls: Forward, Backward, Backward again, Zero grad, Detach and retain_grad.

Each control is a ``QAction`` (toolbar, menu, shortcut) that builds a timeline ``Action`` and
pushes an ``AddAction`` command; the outcome, error or not, is what the session records. A
PyTorch error (a second backward without retain_graph, ...) is part of the lesson: it shows
in the console and timeline, and here only as a status message.

A forward or backward over big tensors is computed on a worker thread (``BackgroundActions``),
and so is the replay of a big edit (``BackgroundEdits``); actions asked for meanwhile wait in a
queue and run after it, in order.
"""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QWidget

from playground.session import Action, AddAction, Document, Session, SessionError, action_label
from playground.session.pending import worth_a_thread
from playground.session.text import counted

from .action_text import action_line, grad_changes
from .background_action import BackgroundActions
from .background_edit import BackgroundEdits
from .icons import set_icon
from .selection import Selection
from .step_dialogs import BackwardDialog, BackwardSettings, ZeroGradDialog, ZeroGradSettings
from .timeline_panel import short_error
from .view_updates import guarded


class StepControls(QObject):
    """The step actions of the window; ``status(message, is_error)`` reports what happened.

    Actions always go at the end of the timeline (the present), whatever point is shown.
    """

    status = Signal(str, bool)

    def __init__(self, session: Session, undo_stack, selection: Selection, parent: QWidget):
        super().__init__(parent)
        self.session, self.undo_stack, self.selection = session, undo_stack, selection
        self.window = parent
        self._backward_settings = BackwardSettings()
        self._zero_grad_settings = ZeroGradSettings()
        self.background = BackgroundActions(session, undo_stack, self)
        self.background.landed.connect(self._on_landed)
        self.background.started.connect(self._on_started)
        session.landing_waits.connect(self._on_landing_waits)
        self.edits = BackgroundEdits(session, self)
        self.edits.started.connect(self._on_edit_started)
        self.edits.landed.connect(self._take_queued)
        self._queued: deque[Action] = deque()
        undo_stack.cleared.connect(self._on_history_cleared)
        add = self._action
        self.forward = add("actionForward", "Forward", "play", "Ctrl+F", self.do_forward,
                           "Run the pipeline again: fresh values and a fresh graph")
        self.backward = add("actionBackward", "Backward", "backward", "Ctrl+B", self.do_backward,
                            "target.backward(seed): send gradients back to the leaves")
        self.backward_options = add("actionBackwardOptions", "Backward options…", "sliders",
                                    "Ctrl+Alt+B", self.do_backward_with_options,
                                    "Choose the target, the seed and retain_graph, then backward")
        self.backward_again = add("actionBackwardAgain", "Backward again", "backward-fast",
                                  "Ctrl+Shift+B", self.do_backward_again,
                                  "Repeat the last backward: watch the gradients accumulate")
        self.zero_grad = add("actionZeroGrad", "Zero grad", "eraser", "Ctrl+G",
                             self.do_zero_grad, ".grad.zero_() on every leaf that has a grad")
        self.zero_grad_options = add("actionZeroGradOptions", "Zero grad options…", "sliders",
                                     "Ctrl+Alt+G", self.do_zero_grad_with_options,
                                     "Zero the selected tensor only, or set .grad to None")
        self.detach = add("actionDetach", "Detach", "scissors", "Ctrl+D", self.do_detach,
                          "x.detach(): the same numbers, cut from the graph")
        self.retain_grad = add("actionRetainGrad", "retain_grad", "thumbtack", "Ctrl+R",
                               self.do_retain_grad,
                               "Keep the .grad of the selected non-leaf tensor at the next "
                               "backward")
        session.timeline_changed.connect(self._on_session_changed)
        selection.changed.connect(self._on_session_changed)
        self._on_session_changed()

    def _action(self, name, text, icon_name, shortcut, slot, tip) -> QAction:
        action = QAction(text, self.window)
        set_icon(action, icon_name)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{text} ({shortcut})\n{tip}")
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    # Settings are properties so that the tooltips always describe the current ones.
    @property
    def backward_settings(self) -> BackwardSettings:
        return self._backward_settings

    @backward_settings.setter
    def backward_settings(self, settings: BackwardSettings) -> None:
        self._backward_settings = settings
        self._describe_defaults()

    @property
    def zero_grad_settings(self) -> ZeroGradSettings:
        return self._zero_grad_settings

    @zero_grad_settings.setter
    def zero_grad_settings(self, settings: ZeroGradSettings) -> None:
        self._zero_grad_settings = settings
        self._describe_defaults()

    @property
    def all_actions(self) -> list[QAction]:
        return [self.forward, self.backward, self.backward_options, self.backward_again,
                self.zero_grad, self.zero_grad_options, self.detach, self.retain_grad]

    # -- state of the present (the end of the timeline, where actions go) --
    def _end_state(self, name: str):
        end = len(self.session.outcomes) - 1
        states = self.session.outcomes[end].states
        return states.get(name)

    def leaves_with_grad(self) -> list[str]:
        return self.session.leaves_with_grad(len(self.session.outcomes) - 1)

    def last_backward(self) -> Action | None:
        return self.session.last_action("backward")

    def _on_session_changed(self, *_):
        has_steps = bool(self.session.document.steps)
        self.forward.setEnabled(has_steps)
        self.backward.setEnabled(has_steps)
        self.backward_options.setEnabled(has_steps)
        self.backward_again.setEnabled(self.last_backward() is not None)
        selected = self._end_state(self.selection.name)
        computed = selected is not None and selected.value is not None
        self.detach.setEnabled(computed)
        self.retain_grad.setEnabled(computed and not selected.is_leaf)
        self._explain_selection_actions(self.selection.name, computed, selected)
        self.backward_again.setToolTip(self._again_tip())
        self._describe_defaults()

    def _explain_selection_actions(self, name: str, computed: bool, selected) -> None:
        """Detach and retain_grad say in their tooltips why they are off, not only grey."""
        detach = f"{name}.detach(): the same numbers, cut from the graph" if computed else (
            "Select a tensor in the Tensors panel to detach it" if not name
            else f"{name} has no value at the end of the timeline")
        self.detach.setToolTip(f"Detach (Ctrl+D)\n{detach}")
        if not computed:
            why = "Select a step's result (a non-leaf tensor) in the Tensors panel"
        elif selected.is_leaf:
            why = (f"{name} is a leaf: a leaf that requires grad keeps its .grad anyway; "
                   "select a step's result")
        else:
            why = f"{name}.retain_grad(): keep {name}.grad at the next backward"
        self.retain_grad.setToolTip(f"retain_grad (Ctrl+R)\n{why}")

    def _describe_defaults(self):
        """Tooltips say exactly what a click runs: the learner sees the call before making it."""
        action = self._backward_action()
        call = action_line(action) if action else "add a pipeline step first"
        self.backward.setToolTip(f"Backward (Ctrl+B)\n{call}\nTarget, seed and retain_graph: "
                                 "the arrow beside it")
        targets = self._zero_grad_targets()
        how = "{}.grad = None" if self.zero_grad_settings.set_to_none else "{}.grad.zero_()"
        lines = "\n".join(how.format(name) for name in targets) or "no leaf has a .grad yet"
        self.zero_grad.setToolTip(f"Zero grad (Ctrl+G)\n{lines}")

    def _again_tip(self) -> str:
        last = self.last_backward()
        if last is None:
            return "Backward again (Ctrl+Shift+B)\nRun Backward first"
        return f"Backward again (Ctrl+Shift+B)\nRepeat {last.target}.backward(…): " \
               "gradients accumulate"

    # -- lessons set the defaults --
    def use_lesson_defaults(self, plan: tuple[Action, ...]) -> None:
        """Backward defaults come from the lesson's first backward (target, seed, retain)."""
        first = next((a for a in plan if a.kind == "backward"), None)
        if first is None:
            self.backward_settings = BackwardSettings()
        else:
            self.backward_settings = BackwardSettings(first.target, first.seed,
                                                      first.retain_graph)
        self.zero_grad_settings = ZeroGradSettings()

    # -- the actions --
    @property
    def busy(self) -> bool:
        """An action or an edit's replay is being computed off the GUI thread, or an action
        waits in the queue after one."""
        return self.background.busy or self.edits.busy or bool(self._queued)

    @property
    def planned_document(self) -> Document:
        """The session once what computes off the GUI thread has landed and the actions
        queued behind it have run: what a recovery file must hold, so none is lost."""
        planned = self.session.planned_document
        if not self._queued:
            return planned
        return planned.model_copy(update={"actions": (*planned.actions, *self._queued)})

    def push_action(self, action: Action) -> bool:
        """Add ``action`` to the timeline; reports the outcome. False when refused.

        A big forward or backward is only started here (its outcome is reported when it
        lands); while one runs, further actions are queued behind it. An action with a
        question runs at once: the lesson reads its outcome right after.
        """
        if action.question is not None:
            self.finish()
        elif self.busy:
            self._queued.append(action)
            running = self.background.running
            after = f"after {action_label(running)} (computing)" if running else "next"
            waiting = f"; {len(self._queued)} waiting" if len(self._queued) > 1 else ""
            self.status.emit(f"{action_label(action)}: queued, runs {after}{waiting}", False)
            return True
        return self._push_now(action)

    def _push_now(self, action: Action) -> bool:
        try:
            if worth_a_thread(action, self.session.outcomes[-1]) and \
                    self.background.start(action):
                self._on_started(action)
                return True
            self.undo_stack.push(AddAction(self.session, action))
        except (SessionError, ValueError) as error:
            self.status.emit(str(error), True)
            return False
        if self.edits.busy:  # inserted where the timeline is replayed, on a worker thread
            if action.question is None:
                return True  # the status line says it is replaying
            self.edits.finish()  # the lesson reads its outcome right after
        self._report(self.session.outcomes[-1], action)
        return True

    def finish(self) -> None:
        """Land the action running off the GUI thread and every queued one, now (a lesson's
        question, a screenshot, a test)."""
        while self.busy:
            if self.background.busy:
                self.background.finish()
            elif self.edits.busy:
                self.edits.finish()
            else:  # _on_landed started the next; a synchronous one leaves the queue shorter
                self._take_queued()

    def _on_started(self, action: Action) -> None:
        self.status.emit(f"{action_label(action)}: computing… (big tensors: the window shows "
                         "the state before it until it is done)", False)

    @guarded  # called from inside the session's edit: never raise into it
    def _on_edit_started(self) -> None:
        self.status.emit("Replaying the timeline for the edit… (big tensors: the window shows "
                         "the state before it until it is done)", False)

    @guarded  # called from inside the session's edit: never raise into it
    def _on_landing_waits(self, action: Action) -> None:
        """An edit waits for the action computing off the GUI thread: the window cannot
        answer meanwhile (up to the rest of its ~100 ms), so the status line says why now."""
        what = "the last edit" if action is None else action_label(action)
        self.status.emit(f"Finishing {what} first…", False)
        label = getattr(self.window, "status_label", None)
        if label is not None:
            label.repaint()  # painted now: the event loop does not run before the wait

    def _on_landed(self, action: Action) -> None:
        outcomes = self.session.outcomes
        if outcomes[-1].action is action:  # not when it failed, or was undone on landing
            self._report(outcomes[-1], action)
        self._take_queued()

    def _on_history_cleared(self) -> None:
        if self._queued:
            self.status.emit(f"{counted(len(self._queued), 'queued action')} dropped: another "
                             "session was opened", False)
            self._queued.clear()

    def _take_queued(self) -> None:
        while self._queued and not self.background.busy and not self.edits.busy:
            self._push_now(self._queued.popleft())

    def _report(self, outcome, action: Action) -> None:
        if outcome.error:
            self.status.emit(f"PyTorch raised {short_error(outcome.error)} — see the Console",
                             True)
        else:
            changes = grad_changes(self.session, outcome.index) or ["no .grad changed"]
            self.status.emit(f"{action_label(action)}: {', '.join(changes)}", False)
        return True

    def do_forward(self):
        self.push_action(Action(kind="forward"))

    def _backward_action(self) -> Action | None:
        settings = self.backward_settings
        target = settings.resolved_target(self.session)
        if not target:
            return None
        return Action(kind="backward", target=target, seed=settings.seed,
                      retain_graph=settings.retain_graph)

    def do_backward(self):
        action = self._backward_action()
        if action is None:
            self.status.emit("Nothing to backward from: add a pipeline step first", True)
            return
        self.push_action(action)

    def do_backward_with_options(self):
        dialog = BackwardDialog(self.session, self.backward_settings, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.backward_settings = dialog.settings()
            self.do_backward()

    def do_backward_again(self):
        last = self.last_backward()
        if last is None:
            self.do_backward()
            return
        self.push_action(last.model_copy(update={"note": ""}))

    def _zero_grad_targets(self) -> list[str]:
        if self.zero_grad_settings.selected_only and self.selection.name:
            return [self.selection.name]
        return self.leaves_with_grad()

    def do_zero_grad(self):
        settings = self.zero_grad_settings
        targets = self._zero_grad_targets()
        if not targets:
            self.status.emit("No leaf has a .grad yet: run Backward first", True)
            return
        self.push_action(Action(kind="zero_grad", targets=tuple(targets),
                                set_to_none=settings.set_to_none))

    def do_zero_grad_with_options(self):
        dialog = ZeroGradDialog(self.zero_grad_settings, self.selection.name, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.zero_grad_settings = dialog.settings()
            self.do_zero_grad()

    def do_detach(self):
        name = self.selection.name
        if not name or self._end_state(name) is None:
            self.status.emit("Select a tensor to detach first", True)
            return
        self.push_action(Action(kind="detach", target=name, new_name=self._free_name(name)))

    def do_retain_grad(self):
        name = self.selection.name
        if not name:
            self.status.emit("Select a non-leaf tensor first", True)
            return
        self.push_action(Action(kind="retain_grad", target=name))

    def _free_name(self, name: str) -> str:
        taken = set(self.session.document.tensor_names())
        taken.update(a.new_name for a in self.session.document.actions if a.new_name)
        base = f"{name}_detached"
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}{number}"
        return candidate
