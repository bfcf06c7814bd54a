"""The Jacobian panel: J, the seed v, and vᵀJ equal to the ``.grad`` backward produced; beside
it forward mode's J·u; below, how a broadcast input's gradient is summed back to its shape.

``out.backward(v)`` never builds J: it computes the vector–Jacobian product vᵀJ in one walk.
This panel builds J anyway so a learner can see which row and column each number of ``.grad``
comes from: at once when that is quick, else on a worker thread with a progress bar and Cancel
(a session change meanwhile discards the stale J); above ``MAX_ENTRIES`` it says why not.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..session.model import Session
from ..session.text import torch_text
from .engine_state import replay_at
from .graph_model import shape_text
from .jacobian_job import JacobianJob
from .jacobian_model import JacobianLesson, depends_on, index_labels_at, jacobian_lesson
from .jacobian_progress import JobProgress
from .mini_heatmap import MatrixPlot, downsample, symmetric_levels
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
        self._j_plot: MatrixPlot | None = None
        self._plots: list[MatrixPlot] = []  # the other plots, in drawing order
        self._plots_used = 0
        self._job_backward = None  # the backward the J being built is drawn beside

        self.output_box = QComboBox()
        self.input_box = QComboBox()
        self.tangent_box = QComboBox()
        self.tangent_box.addItem("one-hot at input element", "one_hot")
        self.tangent_box.addItem("ones_like(input)", "ones")
        self.element_box = QSpinBox()
        self.element_box.setToolTip("Which input element the one-hot tangent u moves")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.check = QLabel()
        self.progress = JobProgress()  # while J is built off the GUI thread
        self.progress.finished.connect(self._on_job_finished)
        self.progress.cancelled.connect(self._on_job_cancelled)
        self.progress.build_requested.connect(self.refresh)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
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
        self._clear()
        self.lesson = None
        output, name = self.output_box.currentData(), self.input_box.currentData()
        if not output or not name:
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
            self._say(str(error), error=True)
            return
        if self.lesson.jacobian is None:
            self._start_job(self.lesson, backward)
            return
        self._say("")
        self._draw(self.lesson, backward)

    def _compute(self, output, name, seed):
        state = self.session.state(name)
        size = int(np.prod(state.value.shape)) if state.value is not None else 1
        self.element_box.blockSignals(True)
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
        lesson = jacobian_lesson(document, replay_at(self.session), output, name, seed, tangent)
        if lesson.backward_grad is None:  # the graph at the cursor was freed: rebuild it
            fresh = jacobian_lesson(document, replay_at(self.session, 0), output, name, seed,
                                    tangent, build=False)
            lesson.backward_grad, lesson.broadcasts = fresh.backward_grad, fresh.broadcasts
            lesson.backward_error = fresh.backward_error
        return lesson

    def _say(self, text: str, error: bool = False):
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message.setStyleSheet("color: #c62828" if error else NOTE)

    def _clear(self):
        # The plots are kept for the next drawing: a pyqtgraph plot costs ~50 ms to create.
        kept = set(self._plots)
        if self._j_plot is not None:
            kept.add(self._j_plot)
        while self.body_layout.count():
            _drop(self.body_layout.takeAt(0), kept)
        self._plots_used = 0

    def _draw(self, lesson: JacobianLesson, backward):
        out, inp = lesson.output, lesson.input
        rows, cols = lesson.jacobian.shape
        picture, row_starts, col_starts, block = downsample(lesson.jacobian)
        cell = max(3, min(28, 600 // max(*picture.shape, 1)))
        if self._j_plot is None:
            self._j_plot = MatrixPlot()
            self._j_plot.max_side = 660
            self._j_plot.texts.text_limit = 24  # a 20 x 20 J still shows its numbers
            self._j_plot.texts.hide_zeros = True  # so that the structure stands out
            self._j_plot.title.setMinimumWidth(320)
        j_plot = self._j_plot
        shrunk = (f"<br><i>shown downsampled: each cell is the largest-magnitude entry of a "
                  f"{block[0]} × {block[1]} block, labelled with its first index</i>"
                  if block != (1, 1) else "")
        j_plot.set_title(f"<b>J</b> = ∂{out}/∂{inp}: {rows:,} × {cols:,} (rows: {out} "
                         f"{shape_text(lesson.output_shape)} flattened, columns: {inp} "
                         f"{shape_text(lesson.input_shape)} flattened){shrunk}")
        j_plot.cell = cell
        j_plot.show()
        j_plot.set_array(picture, row_labels=index_labels_at(lesson.output_shape, row_starts),
                         col_labels=index_labels_at(lesson.input_shape, col_starts))
        grad = lesson.backward_grad
        levels = symmetric_levels(lesson.vjp, grad)
        seed_from = ("the seed of backward #" + str(self._backward_number(backward[1]))
                     if backward else f"ones_like({out})")
        side = QGridLayout()
        side.addWidget(self._plot(f"<b>v</b> ({seed_from})", lesson.seed), 0, 0)
        side.addWidget(self._plot("<b>vᵀJ</b>, reshaped to " + shape_text(lesson.input_shape),
                                  lesson.vjp, levels), 1, 0)
        where = (f"added to {inp}.grad by backward #{self._backward_number(backward[1])}"
                 if backward else f"what {out}.backward(v) sends to {inp}.grad")
        side.addWidget(self._plot(f"<b>.grad</b>: {where}", grad, levels), 2, 0)
        same = grad is not None and np.allclose(lesson.vjp, grad, rtol=1e-5, atol=1e-6)
        failed = torch_text(lesson.backward_error or "")
        self.check = _html_label(
            f"<b style='color:#2e7d32'>vᵀJ = {inp}.grad ✓</b>" if same else
            f"<b style='color:#c62828'>{out}.backward(v) fails here, so there is no .grad to "
            f"compare:</b> {html.escape(failed)}" if failed else
            f"<b style='color:#c62828'>vᵀJ differs from {inp}.grad</b>")
        side.addWidget(self.check, 3, 0)
        top = QHBoxLayout()
        top.addWidget(j_plot)
        top.addLayout(side)
        top.addStretch(1)
        self.body_layout.addLayout(top)
        self._draw_forward(lesson)
        for sent in lesson.broadcasts:
            self._draw_broadcast(sent)

    def _draw_forward(self, lesson: JacobianLesson):
        one_hot = self.tangent_box.currentData() == "one_hot"
        note = (f"a one-hot u picks <b>column {self.element_box.value()}</b> of J"
                if one_hot else "u = ones: J·u sums every column of J")
        self.body_layout.addWidget(_html_label(
            f"<b>Forward mode</b>: <code>jvp(f, {lesson.input}, u)</code> pushes a tangent u "
            f"through the ops from input to output in one forward walk; {note}."))
        row = QHBoxLayout()
        row.addWidget(self._plot(f"<b>u</b> (shape of {lesson.input})", lesson.tangent))
        row.addWidget(_html_label("<span style='font-size:20px'>→ J·u →</span>"))
        row.addWidget(self._plot(f"<b>J·u</b> (shape of {lesson.output})", lesson.jvp))
        row.addStretch(1)
        self.body_layout.addLayout(row)

    def _draw_broadcast(self, sent):
        wide, narrow = sent.broadcast.shape, sent.grad.shape
        target = sent.key.removeprefix("t:")
        self.body_layout.addWidget(_html_label(
            f"<b>Broadcasting</b>: {target} {shape_text(narrow)} was broadcast to "
            f"{shape_text(wide)} in the forward pass, so its gradient arrives at "
            f"{shape_text(wide)} and is summed back to {shape_text(narrow)}."))
        levels = symmetric_levels(sent.broadcast, sent.grad)
        row = QHBoxLayout()
        row.addWidget(self._plot(f"gradient at the broadcast shape {shape_text(wide)}",
                                 sent.broadcast, levels))
        row.addWidget(_html_label("<span style='font-size:20px'>→ sum →</span>"))
        row.addWidget(self._plot(f"{target}'s gradient {shape_text(narrow)}", sent.grad, levels))
        row.addStretch(1)
        self.body_layout.addLayout(row)

    def _backward_number(self, index: int) -> int:
        return sum(a.kind == "backward" for a in self.session.document.actions[:index])

    def _plot(self, title, array, levels=None) -> MatrixPlot:
        """The next plot of this drawing, reused from the last one when there is one."""
        if self._plots_used == len(self._plots):
            self._plots.append(MatrixPlot(cell=24))
        plot = self._plots[self._plots_used]
        self._plots_used += 1
        plot.set_title(title)
        plot.set_array(array, levels=levels)
        plot.show()
        return plot


def _html_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _drop(item, kept):
    """Take ``item`` out of its layout: widgets in ``kept`` are only hidden, others deleted."""
    widget, layout = item.widget(), item.layout()
    if widget is not None:
        widget.hide()
        if widget not in kept:
            widget.setParent(None)
            widget.deleteLater()
    elif layout is not None:
        while layout.count():
            _drop(layout.takeAt(0), kept)
