"""The "Step backward pass" panel: the backward walk one node per click.

Each step shows the gradient arriving at the node, the gradient it sends to each input (and, for
a broadcast input, how it is summed back to the input's shape), the node's derivative formula in
PyTorch's vocabulary with one element's numbers put in, and for ``AccumulateGrad`` the leaf's
``.grad`` before + incoming = after. It runs on a private replay of the session, so stepping
never changes the session. When the timeline cursor is on a backward action, that very backward
is stepped, from the state just before it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

import engine
from playground.session.runner import Replay

from ..session.model import Session
from .engine_state import ReplayCache, replay_at
from .mini_heatmap import symmetric_levels
from .placeholder_list import PlaceholderList
from .selection import Selection
from .steady_label import SteadyLabel
from .step_detail import StepDetail
from .stepper_model import BackwardRun, StepRecord
from .view_updates import connect_coalesced, guarded

TIMELINE = "timeline"  # the seed box's item for a timeline backward's own seed
SEEDS = (("ones_like", "torch.ones_like(t)"), ("implicit", "none (scalar output)"),
         ("randn", "torch.randn_like(t), seed 0"))


class BackwardStepper(QWidget):
    """Steps ``target.backward(seed)`` of ``session`` node by node.

    Parameters
    ----------
    session : the session; only read (stepping works on a private replay).
    selection : selecting a tensor with a ``grad_fn`` makes it the target.

    Signals
    -------
    node_changed(str) : the graph key (``GraphView`` keys) of the node just processed, "" when
        none; connect it to ``GraphView.highlight``.
    processed_changed(list) : keys of every node processed so far; connect it to
        ``GraphView.mark_done``.
    """

    node_changed = Signal(str)
    processed_changed = Signal(list)

    def __init__(self, session: Session, selection: Selection, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.selection = selection
        self.run: BackwardRun | None = None
        self.levels = (-1.0, 1.0)
        self.reference: dict[str, np.ndarray | None] = {}
        self._reference_from = None  # what levels and reference are made from, until made
        # The replay a run starts from, kept while no step has changed it: a Backward in the
        # session continues it by one action instead of replaying the whole timeline.
        self._replays = ReplayCache()

        self.target_box = QComboBox()
        self.seed_box = QComboBox()
        for key, text in SEEDS:
            self.seed_box.addItem(text, key)
        self.retain_box = QCheckBox("retain_graph")
        self.step_button = QPushButton("Step ▶")
        self.step_button.setToolTip("Process the next node of the backward pass")
        self.end_button = QPushButton("Run to end")
        self.restart_button = QPushButton("Restart ⟲")
        self.element_box = QSpinBox()
        self.element_box.setToolTip("Which element of the incoming gradient the formulas show")
        self.element_label = QLabel()
        self.call_label = SteadyLabel()  # changes on every Backward: see steady_label.py
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.steps_list = PlaceholderList("The nodes backward visits are listed here, one "
                                          "per Step.")
        self.steps_list.setMaximumWidth(240)
        self.detail = StepDetail()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.detail)

        bar = QHBoxLayout()
        for widget in (QLabel("Backward of"), self.target_box, QLabel("seed"), self.seed_box,
                       self.retain_box):
            bar.addWidget(widget)
        bar.addStretch(1)
        buttons = QHBoxLayout()
        for widget in (self.step_button, self.end_button, self.restart_button):
            buttons.addWidget(widget)
        buttons.addSpacing(16)
        buttons.addWidget(QLabel("element"))
        buttons.addWidget(self.element_box)
        buttons.addWidget(self.element_label)
        buttons.addStretch(1)
        split = QSplitter()
        split.addWidget(self.steps_list)
        split.addWidget(scroll)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([210, 790])  # the node list needs little; the heatmaps need the room
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.call_label)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)

        self.step_button.clicked.connect(self.step)
        self.end_button.clicked.connect(self.run_to_end)
        self.restart_button.clicked.connect(self.restart)
        self.target_box.activated.connect(self._on_target_changed)
        self.seed_box.activated.connect(self._on_seed_changed)
        self.retain_box.toggled.connect(self._on_retain_changed)
        self.element_box.valueChanged.connect(self._on_element_changed)
        self.steps_list.currentRowChanged.connect(self._on_step_row_changed)
        self._updates = connect_coalesced(self, session, self.restart)
        selection.changed.connect(self._on_selection_changed)
        self.restart()

    def connect_graph(self, graph_view) -> None:
        """Light up the nodes of ``graph_view`` as they are processed."""
        self.node_changed.connect(graph_view.highlight)
        self.processed_changed.connect(graph_view.mark_done)
        self._after_change()  # a run already under way shows at once

    # -- session and controls --
    @guarded
    def _on_selection_changed(self, name: str):
        if self.target_box.isEnabled() and self.target_box.findData(name) >= 0:
            self.target_box.setCurrentIndex(self.target_box.findData(name))
            self._default_seed()
            self._updates.request()

    @guarded
    def _on_target_changed(self, *_):
        self._default_seed()
        self.restart()

    @guarded
    def _on_seed_changed(self, *_):
        self.restart()

    @guarded
    def _on_retain_changed(self, *_):
        self.restart()

    @guarded
    def _on_element_changed(self, *_):
        self._show_current()

    @guarded
    def _on_step_row_changed(self, row: int):
        if self.run is not None and 0 <= row < len(self.run.records):
            self._show(self.run.records[row])

    # -- what to step --
    def _timeline_backward(self):
        """The backward action at the cursor, if the cursor is on one."""
        action = self.session.current.action
        return action if action is not None and action.kind == "backward" else None

    def _fill_targets(self):
        names = [n for n in self.session.tensor_names() if self.session.state(n).requires_grad]
        current = [self.target_box.itemData(i) for i in range(self.target_box.count())]
        if names != current:
            chosen = self.target_box.currentData()
            self.target_box.clear()
            for name in names:
                self.target_box.addItem(name, name)
            with_fn = [n for n in names if self.session.state(n).grad_fn]
            if chosen not in names:
                chosen = with_fn[-1] if with_fn else (names[-1] if names else None)
            self.target_box.setCurrentIndex(max(0, self.target_box.findData(chosen)))
            self._default_seed()

    def _default_seed(self):
        name = self.target_box.currentData()
        scalar = bool(name) and self.session.state(name).value is not None and (
            self.session.state(name).value.size == 1)
        self.seed_box.setCurrentIndex(self.seed_box.findData("implicit" if scalar else
                                                             "ones_like"))

    def _plan(self):
        """(timeline point, its replay, target, seed array or None, retain_graph,
        description)."""
        action = self._timeline_backward()
        if action is not None:
            point = self.session.cursor - 1
            replay = self._replays.get(_Frozen(self.session.document, point))
            target = replay.namespace.get(action.target) if replay else None
            seed = None
            if target is not None:
                seed = Replay.seed_tensor(action, target)
                seed = None if seed is None else seed.detach().numpy().copy()
            count = sum(a.kind == "backward"
                        for a in self.session.document.actions[:self.session.cursor])
            if self.target_box.findData(action.target) >= 0:
                self.target_box.setCurrentIndex(self.target_box.findData(action.target))
            self._show_timeline_choices(action)
            text = (f"Stepping <b>backward #{count}</b> of the timeline: "
                    f"<code>{action.target}.backward(…, retain_graph={action.retain_graph})"
                    "</code>, from the state just before it.")
            return point, replay, action.target, seed, action.retain_graph, text
        if self.seed_box.findData(TIMELINE) >= 0:  # back from a timeline backward
            self.seed_box.removeItem(self.seed_box.findData(TIMELINE))
            self._default_seed()
        point = self.session.cursor
        replay = self._replays.get(_Frozen(self.session.document, point))
        name = self.target_box.currentData() or ""
        tensor = replay.namespace.get(name) if replay else None
        kind = self.seed_box.currentData()
        seed = None
        if tensor is not None and kind == "ones_like":
            seed = np.ones(tuple(tensor.shape), dtype=tensor.detach().numpy().dtype)
        elif tensor is not None and kind == "randn":
            engine.manual_seed(0)
            seed = engine.randn_like(tensor).detach().numpy().copy()
        text = ("A new backward from the current timeline point; the session is not changed. "
                "Put the timeline cursor on a backward action to step that one.")
        return point, replay, name, seed, self.retain_box.isChecked(), text

    def _show_timeline_choices(self, action):
        """The (disabled) seed and retain_graph boxes show what the timeline's backward used,
        not what was last chosen for a new one."""
        seed = action.seed
        kind = {"implicit": "implicit", "ones": "ones_like"}.get(seed.kind)
        if seed.kind == "randn" and seed.seed == 0:
            kind = "randn"
        if kind is None:
            text = (f"torch.randn_like(t), seed {seed.seed}" if seed.kind == "randn"
                    else "the values typed for this backward")
            if self.seed_box.findData(TIMELINE) < 0:
                self.seed_box.addItem(text, TIMELINE)
            self.seed_box.setItemText(self.seed_box.findData(TIMELINE), text)
            kind = TIMELINE
        self.seed_box.setCurrentIndex(self.seed_box.findData(kind))
        self.retain_box.blockSignals(True)  # toggled restarts: this is that restart
        self.retain_box.setChecked(action.retain_graph)
        self.retain_box.blockSignals(False)

    # -- stepping --
    def restart(self) -> None:
        """Start the backward pass again from its first node."""
        self._updates.cancel()
        self._fill_targets()
        timeline = self._timeline_backward() is not None
        for widget in (self.target_box, self.seed_box, self.retain_box):
            widget.setEnabled(not timeline)
        point, replay, target, seed, retain, text = self._plan()
        self.call_label.setText(text)
        self.steps_list.clear()
        self.reference, self.levels = {}, (-1.0, 1.0)
        self._reference_from = None
        if replay is None or not target:
            self.detail.clear()
            self.run = None
            self._set_status("Nothing to step: add a tensor that requires grad and a step.")
            self._after_change()
            return
        self.run = BackwardRun(replay, target, seed, retain)
        if not self.run.error:
            # Needed only once a step is shown (levels) or the pass is over (reference): a
            # Backward with this tab in front does not pay two more replays for them.
            self._reference_from = (self.session.document, point, target, seed, retain)
        if self.run.error:
            self.detail.clear()
            self._set_status(f"backward cannot start: {self.run.error}", error=True)
        else:
            self._set_status(f"Ready: {len(self.run.graph.nodes)} nodes to visit, starting at "
                             f"<b>{target}</b>. Press Step.")
            self.detail.show_intro(target, len(self.run.graph.nodes))
        self._after_change()

    def step(self) -> StepRecord | None:
        """Process one node (a click on Step)."""
        if self.run is None:
            return None
        self._prepare_reference()
        self._replays.clear()  # the step changes the run's replay: never continue it
        record = self.run.step()
        if record is None:
            self._finished()
        else:
            self.steps_list.addItem(f"{record.number}. {record.name}"
                                    + (f"  ({record.tensor})" if record.tensor else ""))
            self.steps_list.setCurrentRow(self.steps_list.count() - 1)
            self._set_status(f"Step {record.number}: <b>{record.name}</b>"
                             + (f" of <b>{record.tensor}</b>" if record.tensor else ""))
        self._after_change()
        return record

    def run_to_end(self) -> None:
        while self.run is not None and not self.run.finished:
            self.step()

    def _finished(self):
        run = self.run
        if run.error:
            self._set_status(f"RuntimeError: {run.error}", error=True)
            return
        checks = []
        for name, expected in self.reference.items():
            got = run.leaf_grad(name)
            same = (got is None and expected is None) or (
                got is not None and expected is not None and np.allclose(got, expected))
            checks.append(f"{name}.grad {'✓' if same else '✗'}")
        self._set_status(f"Done in {len(run.records)} steps. Same as <code>{run.target}"
                         f".backward()</code>: " + (", ".join(checks) or "no leaf"))

    def _prepare_reference(self):
        """Colour levels for the whole pass, and the .grad a plain backward() gives, from
        replays of the session as it was at the restart (once per restart)."""
        if self._reference_from is None:
            return
        document, point, target, seed, retain = self._reference_from
        self._reference_from = None

        def replay():
            return replay_at(_Frozen(document, point), point)

        dry = BackwardRun(replay(), target, seed, retain)
        dry.run_to_end()
        arrays = [r.grad_output for r in dry.records]
        arrays += [s.grad for r in dry.records for s in r.sent] + [r.after for r in dry.records]
        self.levels = symmetric_levels(*arrays)
        plain = replay()
        try:
            gradient = None if seed is None else engine.tensor(seed)
            plain.namespace[target].backward(gradient, retain_graph=retain)
        except Exception:
            return
        for node in self.run.graph.nodes.values():
            if node.kind == "leaf" and node.tensor:
                tensor = plain.namespace[node.tensor]
                self.reference[node.tensor] = None if tensor.grad is None else (
                    tensor.grad.detach().numpy().copy())

    def _after_change(self):
        records = self.run.records if self.run is not None else []
        current = records[-1].key if records and not self.run.finished else ""
        can_step = self.run is not None and not self.run.finished
        self.step_button.setEnabled(can_step)
        self.end_button.setEnabled(can_step)
        self.node_changed.emit(current)
        self.processed_changed.emit([r.key for r in records])

    def _set_status(self, text: str, error: bool = False):
        self.status.setText(text)
        sheet = "color: #c62828" if error else ""
        if self.status.styleSheet() != sheet:  # a new style sheet restyles and repaints
            self.status.setStyleSheet(sheet)

    # -- showing a step --
    def _show_current(self):
        row = self.steps_list.currentRow()
        if self.run is not None and 0 <= row < len(self.run.records):
            self._show(self.run.records[row])

    def _element(self, record: StepRecord) -> tuple:
        shape = record.grad_output.shape
        size = max(1, int(np.prod(shape)))
        self.element_box.blockSignals(True)
        self.element_box.setRange(0, size - 1)
        self.element_box.blockSignals(False)
        element = tuple(int(i) for i in np.unravel_index(min(self.element_box.value(),
                                                             size - 1), shape)) if shape else ()
        self.element_label.setText(f"[{', '.join(str(i) for i in element)}]")
        return element

    def _show(self, record: StepRecord):
        self.detail.show_record(record, self._element(record), self.levels)


class _Frozen:
    """What ``replay_at`` reads of a session, as it was at a restart."""

    def __init__(self, document, cursor: int):
        self.document, self.cursor = document, cursor
