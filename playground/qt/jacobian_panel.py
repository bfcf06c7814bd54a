"""The Jacobian panel: J, the seed v, and vᵀJ equal to the ``.grad`` backward produced; beside
it forward mode's J·u; below, how a broadcast input's gradient is summed back to its shape.

``out.backward(v)`` never builds J: it computes the vector–Jacobian product vᵀJ in one walk.
This panel builds J anyway so a learner can see which row and column each number of ``.grad``
comes from: at once when that is quick, else on a worker thread with a progress bar and Cancel
(a session change meanwhile discards the stale J); above ``MAX_ENTRIES`` it says why not.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..session.model import Session
from .engine_state import ReplayCache, replay_at
from .jacobian_drawing import JacobianDrawing
from .jacobian_job import JacobianJob
from .jacobian_model import JacobianLesson, depends_on, jacobian_lesson
from .jacobian_progress import JobProgress
from .selection import Selection
from .view_updates import connect_coalesced, guarded

NOTE = "color: #6b7280"
EXPLAIN = (
    "<b>J</b>: row r is the gradient of output element r, column c how every output moves when "
    "input element c moves. <code>out.backward(v)</code> never builds J: it computes the "
    "<b>vector–Jacobian product vᵀJ</b> in one backward walk, and that is what lands in "
    "<code>.grad</code>. Forward mode (<code>jvp</code>) computes <b>J·u</b> instead."
)


class JacobianPanel(QWidget):
    """J, v, vᵀJ and ``.grad`` for a chosen output and input of ``session``; J·u beside.

    Parameters
    ----------
    session : the session (only read; everything is computed on a private replay).
    selection : selecting a tensor that is computed from an input makes it the output.
    """

    def __init__(self, session: Session, selection: Selection, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.selection = selection
        self.lesson: JacobianLesson | None = None
        self._job_backward = None  # the backward the J being built is drawn beside
        # The replay J is read from, continued by the actions a Backward appends instead of
        # replaying the timeline. Reading J adds to its leaves' .grad (the walk that finds
        # what backward sends to the input accumulates), which nothing here reads: values,
        # the graph and its saved tensors (what J, vᵀJ and the walk are made of) stay as the
        # session's.
        self._replays = ReplayCache()

        self.output_box = QComboBox()
        self.input_box = QComboBox()
        self.tangent_box = QComboBox()
        self.tangent_box.addItem("one-hot at input element", "one_hot")
        self.tangent_box.addItem("ones_like(input)", "ones")
        self.element_box = QSpinBox()
        self.element_box.setToolTip("Which input element the one-hot tangent u moves")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.progress = JobProgress()  # while J is built off the GUI thread
        self.progress.finished.connect(self._on_job_finished)
        self.progress.cancelled.connect(self._on_job_cancelled)
        self.progress.build_requested.connect(self.refresh)
        self.drawing = JacobianDrawing()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.drawing)
        self._viewport = scroll.viewport()
        self._viewport.installEventFilter(self)  # its resizes refit the drawing
        bar = QHBoxLayout()
        for widget in (QLabel("Output"), self.output_box, QLabel("Input"), self.input_box,
                       QLabel("   tangent u"), self.tangent_box, self.element_box):
            bar.addWidget(widget)
        bar.addStretch(1)
        explain = QLabel(EXPLAIN)
        explain.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(explain)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addWidget(scroll, 1)

        self.output_box.activated.connect(self._on_output_changed)
        self.input_box.activated.connect(self._on_input_changed)
        self.tangent_box.activated.connect(self._on_tangent_changed)
        self.element_box.valueChanged.connect(self._on_tangent_changed)
        self._updates = connect_coalesced(self, session, self.refresh)
        # At once, even while the panel is hidden (its refresh waits until it shows): a J being
        # built is of the session as it was, so it is dropped, never drawn.
        for signal in (session.definitions_changed, session.timeline_changed,
                       session.cursor_changed):
            signal.connect(self._on_session_changed)
        selection.changed.connect(self._on_selection_changed)
        self.refresh()

    def eventFilter(self, watched, event) -> bool:
        if watched is self._viewport and event.type() == QEvent.Type.Resize:
            self.drawing.fit_width(self._viewport.width())
        return False

    # -- signals --
    @guarded
    def _on_selection_changed(self, name: str):
        if self.output_box.findData(name) >= 0 and name != self.output_box.currentData():
            self.output_box.setCurrentIndex(self.output_box.findData(name))
            self._updates.request()

    @guarded
    def _on_output_changed(self, *_):
        self.refresh()

    @guarded
    def _on_input_changed(self, *_):
        self.refresh()

    @guarded
    def _on_tangent_changed(self, *_):
        self.refresh()

    @guarded
    def _on_session_changed(self, *_):
        if self.job is not None:
            self.progress.stop()
            self._say("The session changed while J was being built: it is built again for the "
                      "session as it is now.")

    @guarded
    def _on_job_cancelled(self, job):
        walks = self.progress.bar.maximum()  # job.total is 0 until its first walk is done
        self._say(f"Cancelled after {job.done:,} of {walks:,} walks: J was not built, and "
                  "nothing else changed. Build J starts again.", error=True)

    @guarded
    def _on_job_finished(self, job):
        if job.error is not None:
            self._say(f"J could not be built: {job.error}", error=True)
            return
        self.lesson.set_jacobian(job.matrix)
        self._say("")
        self._draw(self.lesson, self._job_backward)

    @property
    def job(self) -> JacobianJob | None:
        """The J being built off the GUI thread, if any."""
        return self.progress.job

    def _start_job(self, lesson: JacobianLesson, backward):
        rows, cols = lesson.shape
        self._job_backward = backward
        walks = "row by row, one backward walk per output element" if rows <= cols else \
            "column by column, one forward walk per input element"
        self._say(f"Building J ({rows:,} × {cols:,} = {rows * cols:,} entries) {walks}, on a "
                  "worker thread: the window stays usable meanwhile.")
        self.progress.start(JacobianJob(lesson.walks()), min(rows, cols))

    # -- choices --
    def _fill(self, box: QComboBox, names: list[str], preferred: str | None):
        chosen = box.currentData()
        if chosen in names and names == [box.itemData(i) for i in range(box.count())]:
            return  # the same choices: refilling would repaint and lay out the bar again
        box.blockSignals(True)
        box.clear()
        for name in names:
            box.addItem(name, name)
        if chosen not in names:
            chosen = preferred if preferred in names else (names[0] if names else None)
        box.setCurrentIndex(max(0, box.findData(chosen)))
        box.blockSignals(False)

    def _fill_choices(self):
        session, document = self.session, self.session.document
        steps = [s.name for s in document.steps if session.state(s.name).grad_fn]
        backward = self._timeline_backward()
        preferred = backward[0].target if backward else (steps[-1] if steps else None)
        self._fill(self.output_box, steps, preferred)
        output = self.output_box.currentData() or ""
        inputs = [leaf.name for leaf in document.leaves
                  if session.state(leaf.name).requires_grad
                  and depends_on(document, output, leaf.name)]
        self._fill(self.input_box, inputs, None)

    def _timeline_backward(self):
        """(action, outcome index) of the last backward of the output at or before the cursor."""
        output = self.output_box.currentData()
        for index in range(self.session.cursor, 0, -1):
            outcome = self.session.outcomes[index]
            action = outcome.action
            if action.kind == "backward" and outcome.error is None and (
                    output is None or action.target == output):
                return action, index
        return None

    # -- computing and drawing --
    def refresh(self) -> None:
        """Recompute for the session as it is now; a J still being built for what was there
        before is cancelled and its result never shown."""
        self._updates.cancel()
        self.progress.stop()
        self._fill_choices()
        self.lesson = None
        output, name = self.output_box.currentData(), self.input_box.currentData()
        if not output or not name:
            self.drawing.clear()
            self._say("Choose an output computed from a leaf that requires grad (add a step "
                      "that uses one) to see its Jacobian.")
            return
        backward = self._timeline_backward()
        seed = None
        if backward is not None:
            used = self.session.outcomes[backward[1]].seed_used
            seed = None if used is None else np.asarray(used)
        try:
            self.lesson = self._compute(output, name, seed)
        except Exception as error:  # too big, not differentiable, ...: say so, never crash
            self.drawing.clear()
            self._say(str(error), error=True)
            return
        if self.lesson.jacobian is None:  # nothing stale is shown while it is built
            self.drawing.clear()
            self._start_job(self.lesson, backward)
            return
        self._say("")
        self._draw(self.lesson, backward)

    def _compute(self, output, name, seed):
        state = self.session.state(name)
        size = int(np.prod(state.value.shape)) if state.value is not None else 1
        self.element_box.blockSignals(True)
        if self.element_box.maximum() != max(0, size - 1):
            self.element_box.setRange(0, max(0, size - 1))
        self.element_box.setEnabled(self.tangent_box.currentData() == "one_hot")
        self.element_box.blockSignals(False)
        tangent = None
        if state.value is not None:
            tangent = np.zeros(state.value.shape, dtype=state.value.dtype)
            if self.tangent_box.currentData() == "ones":
                tangent[...] = 1
            else:
                tangent.reshape(-1)[self.element_box.value()] = 1
        document = self.session.document
        lesson = jacobian_lesson(document, self._replays.get(self.session), output, name, seed,
                                 tangent)
        if lesson.backward_grad is None:  # the graph at the cursor was freed: rebuild it
            fresh = jacobian_lesson(document, replay_at(self.session, 0), output, name, seed,
                                    tangent, build=False)
            lesson.backward_grad, lesson.broadcasts = fresh.backward_grad, fresh.broadcasts
            lesson.backward_error = fresh.backward_error
        return lesson

    def _say(self, text: str, error: bool = False):
        self.message.setText(text)
        self.message.setVisible(bool(text))
        sheet = "color: #c62828" if error else NOTE
        if self.message.styleSheet() != sheet:  # a new style sheet restyles and repaints
            self.message.setStyleSheet(sheet)

    @property
    def check(self) -> QLabel:
        """The line that says whether vᵀJ equals ``.grad``."""
        return self.drawing.check

    def _draw(self, lesson: JacobianLesson, backward):
        out, inp = lesson.output, lesson.input
        seed_from = ("the seed of backward #" + str(self._backward_number(backward[1]))
                     if backward else f"ones_like({out})")
        grad_from = (f"added to {inp}.grad by backward #{self._backward_number(backward[1])}"
                     if backward else f"what {out}.backward(v) sends to {inp}.grad")
        tangent_note = (f"a one-hot u picks <b>column {self.element_box.value()}</b> of J"
                        if self.tangent_box.currentData() == "one_hot" else
                        "u = ones: J·u sums every column of J")
        self.drawing.show_lesson(lesson, seed_from, grad_from, tangent_note)

    def _backward_number(self, index: int) -> int:
        return sum(a.kind == "backward" for a in self.session.document.actions[:index])

