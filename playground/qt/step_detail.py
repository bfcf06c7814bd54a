"""One step of the stepped backward pass, drawn: the gradient arriving, the gradients sent with
the node's formulas (numbers put in for one element), broadcasting undone, and ``AccumulateGrad``'s
before + incoming = after."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .graph_model import shape_text
from .mini_heatmap import MatrixPlot, format_number
from .stepper_model import StepRecord, readable, substituted, summed_dims

NOTE = "color: #6b7280"


INTRO = (
    "<h3 style='margin:2px'>What a step shows</h3>"
    "<p><code>{target}.backward()</code> walks the graph from <b>{target}</b> back to its "
    "leaves, one node at a time ({nodes} nodes here). Each <b>Step</b> processes the next "
    "node and shows it here:</p><ul>"
    "<li>the gradient <b>arriving</b> at the node, shaped like the tensor it made;</li>"
    "<li>the <b>formula</b> its backward applies, with the numbers of one element put in "
    "(choose which with <i>element</i>);</li>"
    "<li>the gradient it <b>sends</b> to each input, summed back to the input's shape where "
    "the forward pass broadcast it;</li>"
    "<li>at a leaf, <b>AccumulateGrad</b>: <code>.grad</code> before + incoming = after.</li>"
    "</ul><p style='{note}'>The list on the left fills in the order backward visits the "
    "nodes; click a row to see that step again. The Graph tab outlines the node being "
    "processed and ticks those done. Stepping never changes the session: it runs on a copy, "
    "and the last step checks its <code>.grad</code> against a plain "
    "<code>backward()</code>.</p>"
)


class StepDetail(QWidget):
    """The detail pane of ``BackwardStepper``."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.levels = (-1.0, 1.0)
        self.detail_layout = QVBoxLayout(self)
        self.detail_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._intro: QLabel | None = None  # the words shown before the first step

    def clear(self) -> None:
        self._intro = None
        while self.detail_layout.count():
            item = self.detail_layout.takeAt(0)
            if item.widget() is not None:
                _drop(item.widget())
            elif item.layout() is not None:
                _delete_layout(item.layout())

    def show_intro(self, target: str, nodes: int) -> None:
        """Before the first step: what each step will show (an empty pane reads as broken)."""
        text = INTRO.format(target=target, nodes=nodes, note=NOTE)
        if self._intro is not None and self._intro.text() == text:
            return  # a Backward with this tab in front: the same words, nothing to lay out
        self.clear()
        self._intro = _label(text)
        self.detail_layout.addWidget(self._intro)
        self.detail_layout.addStretch(1)  # as under a step: the label gets its full height

    def show_record(self, record: StepRecord, element: tuple, levels) -> None:
        """Show ``record``, with the formulas at ``element`` of its incoming gradient and
        colours on the fixed ``levels``."""
        self.clear()
        self.levels = levels
        mark = _cell(element)
        title = f"<h3 style='margin:2px'>{record.number}. {record.name}</h3>"
        if record.tensor:
            kind = "leaf" if record.is_accumulate else "grad_fn of"
            title += f"<span style='{NOTE}'>{kind} <b>{record.tensor}</b></span>"
        self.detail_layout.addWidget(_label(title))
        if record.is_accumulate:
            self._show_accumulate(record, element, mark)
        else:
            self._show_op(record, element, mark)
        self.detail_layout.addStretch(1)

    def _show_op(self, record: StepRecord, element, mark):
        grid = QGridLayout()
        arriving = self._plot(f"grad arriving {shape_text(record.grad_output.shape)}",
                              record.grad_output, mark)
        grid.addWidget(arriving, 0, 0)
        for column, sent in enumerate(record.sent, start=1):
            target = sent.key.removeprefix("t:")
            title = f"sent to <b>{target}</b> ({sent.input_name})"
            grid.addWidget(self._plot(title, sent.grad, mark if sent.broadcast is None else None),
                           0, column)
        grid.setColumnStretch(len(record.sent) + 1, 1)
        self.detail_layout.addLayout(grid)
        for sent in record.sent:
            text = f"<code><b>{sent.input_name}:</b> {_html(sent.formula)}</code>"
            line = substituted(record, sent, element)
            if line is not None:
                text += f"<br><code style='color:#b35900'>{_html(line)}</code>"
            elif readable(sent.formula):
                text += (f"<br><span style='{NOTE}'>not elementwise: compare the heatmaps "
                         "above</span>")
            self.detail_layout.addWidget(_label(text))
            if sent.broadcast is not None:
                self._show_broadcast(sent, mark)

    def _show_broadcast(self, sent, mark):
        wide, narrow = sent.broadcast.shape, sent.grad.shape
        target = sent.key.removeprefix("t:")
        self.detail_layout.addWidget(_label(
            f"<b>Broadcasting:</b> the formula gives a {shape_text(wide)} gradient, but "
            f"<b>{target}</b> has shape {shape_text(narrow)}; it was broadcast in the forward "
            f"pass, so backward sums the gradient over dim {summed_dims(wide, narrow)} "
            f"(<code>sum_to(grad, {shape_text(narrow)})</code>), once per use of each "
            "element."))
        row = QHBoxLayout()
        row.addWidget(self._plot(f"at the broadcast shape {shape_text(wide)}", sent.broadcast,
                                 mark))
        row.addWidget(_label("<span style='font-size:20px'>→ sum →</span>"))
        row.addWidget(self._plot(f"{target}'s shape {shape_text(narrow)}", sent.grad))
        row.addStretch(1)
        self.detail_layout.addLayout(row)

    def _show_accumulate(self, record: StepRecord, element, mark):
        row = QHBoxLayout()
        name = record.tensor or "leaf"
        row.addWidget(self._plot(f"{name}.grad before", record.before, mark,
                                 record.grad_output.shape))
        row.addWidget(_label("<span style='font-size:22px'>+</span>"))
        row.addWidget(self._plot("incoming grad", record.grad_output, mark))
        row.addWidget(_label("<span style='font-size:22px'>=</span>"))
        row.addWidget(self._plot(f"{name}.grad after", record.after, mark))
        row.addStretch(1)
        self.detail_layout.addLayout(row)
        incoming = record.grad_output[element] if element else record.grad_output.reshape(-1)[0]
        after = record.after[element] if element else record.after.reshape(-1)[0]
        if record.before is None:
            text = (f"<code>{name}.grad += grad</code>: .grad was <b>None</b>, so it becomes "
                    f"the incoming gradient (at {_cell_text(element)}: {format_number(after)}).")
        else:
            before = record.before[element] if element else record.before.reshape(-1)[0]
            text = (f"<code>{name}.grad += grad</code>, at {_cell_text(element)}: "
                    f"<b>{format_number(before)} + {format_number(incoming)} = "
                    f"{format_number(after)}</b>. Gradients accumulate: a second backward adds "
                    "to what is there.")
        self.detail_layout.addWidget(_label(text))

    def _plot(self, title, array, mark=None, none_shape=None) -> MatrixPlot:
        plot = MatrixPlot(title, diverging=True, cell=30)
        plot.set_array(array, levels=self.levels, marked=mark, none_shape=none_shape)
        return plot


def _cell(element: tuple):
    if len(element) == 0:
        return (0, 0)
    if len(element) == 1:
        return (0, element[0])
    return element[-2:] if len(element) == 2 else None


def _cell_text(element) -> str:
    return f"[{', '.join(str(i) for i in element)}]"


def _label(html: str) -> QLabel:
    label = QLabel(html)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _drop(widget):
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()


def _delete_layout(layout):
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            _drop(item.widget())
        elif item.layout() is not None:
            _delete_layout(item.layout())
