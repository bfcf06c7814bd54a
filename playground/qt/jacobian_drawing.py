"""The pictures of the Jacobian panel: J beside v, vᵀJ, ``.grad`` and the check that vᵀJ is
``.grad``; forward mode's u → J·u; each broadcast gradient → its sum.

The widgets are laid out once for a drawing with a given number of broadcast sections and kept:
drawing a new ``JacobianLesson`` sets again only the titles and pictures that changed. After a
Backward most of the panel is the same (J, vᵀJ and J·u do not depend on ``.grad``), so it is
neither laid out nor repainted again. Plots are never deleted, only hidden: a pyqtgraph plot
costs ~50 ms to create.

The drawing fits the width it is given (``fit_width``, the scroll area's): v, vᵀJ and ``.grad``
stand beside J when both fit, else in a row below it, and J shrinks to the width, so the check
"vᵀJ = .grad" is never off to the side of a narrow panel where a learner would not look.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..session.text import torch_text
from .graph_model import shape_text
from .jacobian_model import JacobianLesson, index_labels_at
from .mini_heatmap import MatrixPlot, downsample, plot_width, symmetric_levels

J_SIDE = 660  # J's largest side when there is room
MARGIN = 36  # the drawing's margins, the spacing and a vertical scroll bar


class JacobianDrawing(QWidget):
    """The body of ``JacobianPanel``; ``show_lesson`` draws, ``clear`` empties it.

    Attributes
    ----------
    j_plot : the plot of J (made at the first drawing).
    check : the line that says whether vᵀJ equals ``.grad``.
    plots, plots_used : the other plots, in drawing order, and how many the drawing shows.
    beside : whether v, vᵀJ and ``.grad`` stand beside J (else below it).
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.body_layout = QVBoxLayout(self)
        self.body_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.j_plot: MatrixPlot | None = None
        self.check = QLabel()
        self.plots: list[MatrixPlot] = []
        self.plots_used = 0
        # The drawing laid out: its number of broadcast sections (None: nothing laid out),
        # its plots and labels, and what each plot shows (by id).
        self._drawn_broadcasts: int | None = None
        self._side: list[MatrixPlot] = []
        self._forward: tuple[MatrixPlot, MatrixPlot] | None = None
        self._forward_note: QLabel | None = None
        self._broadcasts: list[tuple[QLabel, MatrixPlot, MatrixPlot]] = []
        self._shown: dict[int, tuple] = {}
        self._top: QBoxLayout | None = None  # J, then the side grid: v, vᵀJ, .grad, the check
        self._side_grid: QGridLayout | None = None
        self.beside = True
        self._room: int | None = None  # the width to fit (None: not shown yet, no limit)
        self._drawn: tuple | None = None  # show_lesson's arguments, to draw again on a resize

    def clear(self) -> None:
        """Show nothing (while J is built, or when there is nothing to show)."""
        kept = set(self.plots)
        if self.j_plot is not None:
            kept.add(self.j_plot)
        while self.body_layout.count():
            _drop(self.body_layout.takeAt(0), kept)
        self.plots_used = 0
        self._drawn_broadcasts = None
        self._shown.clear()
        self._drawn = None
        self._top = self._side_grid = None

    def fit_width(self, width: int) -> None:
        """Fit the drawing to ``width`` pixels (the viewport of the scroll area it is in)."""
        if self._room is not None and abs(width - self._room) < 8:
            return  # a scroll bar shown or hidden: not worth drawing again
        self._room = width
        if self._drawn is not None:
            self.show_lesson(*self._drawn)

    def show_lesson(self, lesson: JacobianLesson, seed_from: str, grad_from: str,
                    tangent_note: str) -> None:
        """Draw ``lesson``; ``seed_from`` and ``grad_from`` say where v and ``.grad`` come from,
        ``tangent_note`` what the tangent u picks."""
        if self._drawn_broadcasts != len(lesson.broadcasts):
            self._build(len(lesson.broadcasts))
        self._drawn = (lesson, seed_from, grad_from, tangent_note)
        out, inp = lesson.output, lesson.input
        grad = lesson.backward_grad
        levels = symmetric_levels(lesson.vjp, grad)
        v_plot, vjp_plot, grad_plot = self._side
        self._show(v_plot, f"<b>v</b> ({seed_from})", lesson.seed)
        self._show(vjp_plot, "<b>vᵀJ</b>, reshaped to " + shape_text(lesson.input_shape),
                   lesson.vjp, levels)
        self._show(grad_plot, f"<b>.grad</b>: {grad_from}", grad, levels)
        same = grad is not None and np.allclose(lesson.vjp, grad, rtol=1e-5, atol=1e-6)
        failed = torch_text(lesson.backward_error or "")
        self.check.setText(
            f"<b style='color:#2e7d32'>vᵀJ = {inp}.grad ✓</b>" if same else
            f"<b style='color:#c62828'>{out}.backward(v) fails here, so there is no .grad to "
            f"compare:</b> {html.escape(failed)}" if failed else
            f"<b style='color:#c62828'>vᵀJ differs from {inp}.grad</b>")
        rows, cols = lesson.jacobian.shape
        picture, row_starts, col_starts, block = downsample(lesson.jacobian)
        row_labels = index_labels_at(lesson.output_shape, row_starts)
        self.j_plot.cell = max(3, min(28, 600 // max(*picture.shape, 1)))
        self._fit(picture.shape[1], max(map(len, row_labels), default=1))
        shrunk = (f"<br><i>shown downsampled: each cell is the largest-magnitude entry of a "
                  f"{block[0]} × {block[1]} block, labelled with its first index</i>"
                  if block != (1, 1) else "")
        self._show(self.j_plot, f"<b>J</b> = ∂{out}/∂{inp}: {rows:,} × {cols:,} (rows: {out} "
                                f"{shape_text(lesson.output_shape)} flattened, columns: {inp} "
                                f"{shape_text(lesson.input_shape)} flattened){shrunk}", picture,
                   row_labels=row_labels,
                   col_labels=index_labels_at(lesson.input_shape, col_starts))
        self._forward_note.setText(
            f"<b>Forward mode</b>: <code>jvp(f, {inp}, u)</code> pushes a tangent u "
            f"through the ops from input to output in one forward walk; {tangent_note}.")
        u_plot, jvp_plot = self._forward
        self._show(u_plot, f"<b>u</b> (shape of {inp})", lesson.tangent)
        self._show(jvp_plot, f"<b>J·u</b> (shape of {out})", lesson.jvp)
        for (note, wide_plot, narrow_plot), sent in zip(self._broadcasts, lesson.broadcasts):
            self._show_broadcast(note, wide_plot, narrow_plot, sent)

    def _fit(self, columns: int, longest_label: int) -> None:
        """Put v, vᵀJ and ``.grad`` beside J when both fit the room, else below it, and give J
        at most the room's width."""
        natural = plot_width(columns, longest_label, self.j_plot.cell, J_SIDE)
        side = max(plot.plot_widget.maximumWidth() for plot in self._side)
        room = self._room
        beside = room is None or natural + side + MARGIN <= room
        self.j_plot.max_side = J_SIDE if beside else max(200, min(J_SIDE, room - MARGIN))
        if beside != self.beside:
            self.beside = beside
            self._arrange()

    def _arrange(self) -> None:
        """Lay the side grid out as a column beside J, or as a row below it."""
        grid = self._side_grid
        for widget in (*self._side, self.check):
            grid.removeWidget(widget)
        for place, plot in enumerate(self._side):
            grid.addWidget(plot, *((place, 0) if self.beside else (0, place)))
        if self.beside:
            grid.addWidget(self.check, 3, 0)
        else:
            grid.addWidget(self.check, 1, 0, 1, 3)
        self._top.setDirection(QBoxLayout.Direction.LeftToRight if self.beside else
                               QBoxLayout.Direction.TopToBottom)

    def _show_broadcast(self, note: QLabel, wide_plot, narrow_plot, sent):
        wide, narrow = sent.broadcast.shape, sent.grad.shape
        target = sent.key.removeprefix("t:")
        note.setText(
            f"<b>Broadcasting</b>: {target} {shape_text(narrow)} was broadcast to "
            f"{shape_text(wide)} in the forward pass, so its gradient arrives at "
            f"{shape_text(wide)} and is summed back to {shape_text(narrow)}.")
        levels = symmetric_levels(sent.broadcast, sent.grad)
        self._show(wide_plot, f"gradient at the broadcast shape {shape_text(wide)}",
                   sent.broadcast, levels)
        self._show(narrow_plot, f"{target}'s gradient {shape_text(narrow)}", sent.grad, levels)

    def _build(self, broadcasts: int):
        """Lay out an empty drawing with ``broadcasts`` broadcast sections."""
        self.clear()
        if self.j_plot is None:
            self.j_plot = MatrixPlot()
            self.j_plot.max_side = J_SIDE
            self.j_plot.texts.text_limit = 24  # a 20 x 20 J still shows its numbers
            self.j_plot.texts.hide_zeros = True  # so that the structure stands out
            self.j_plot.title.setMinimumWidth(320)
        self.j_plot.show()
        self._side_grid = QGridLayout()
        self._side_grid.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._side = [self._plot() for _ in range(3)]
        self.check = _html_label("")
        self._top = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._top.addWidget(self.j_plot, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._top.addLayout(self._side_grid)
        self._top.addStretch(1)
        self._arrange()
        self.body_layout.addLayout(self._top)
        self._forward_note = _html_label("")
        self.body_layout.addWidget(self._forward_note)
        self._forward = self._pair("→ J·u →")
        self._broadcasts = []
        for _ in range(broadcasts):
            note = _html_label("")
            self.body_layout.addWidget(note)
            self._broadcasts.append((note, *self._pair("→ sum →")))
        self._drawn_broadcasts = broadcasts

    def _pair(self, arrow: str) -> tuple[MatrixPlot, MatrixPlot]:
        """A row of two plots with ``arrow`` between them."""
        row = QHBoxLayout()
        first, second = self._plot(), self._plot()
        row.addWidget(first)
        row.addWidget(_html_label(f"<span style='font-size:20px'>{arrow}</span>"))
        row.addWidget(second)
        row.addStretch(1)
        self.body_layout.addLayout(row)
        return first, second

    def _plot(self) -> MatrixPlot:
        """The next plot of this drawing, reused from the last one when there is one."""
        if self.plots_used == len(self.plots):
            self.plots.append(MatrixPlot(cell=24))
        plot = self.plots[self.plots_used]
        self.plots_used += 1
        plot.show()
        return plot

    def _show(self, plot: MatrixPlot, title: str, array, levels=None, **labels):
        """Give ``plot`` this title and picture, unless it shows them already."""
        key = (levels, plot.cell, plot.max_side, labels)
        shown = self._shown.get(id(plot))
        self._shown[id(plot)] = (title, key, array)
        if shown is not None and shown[1] == key and _same(shown[2], array):
            if shown[0] != title:  # the same picture under a new title ("backward #3")
                plot.set_title(title)
            return
        plot.set_title(title)
        plot.set_array(array, levels=levels, **labels)


def _same(a, b) -> bool:
    """The same picture: both None, or arrays of one dtype, shape and values (nan = nan)."""
    if a is None or b is None:
        return a is b
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(
        a, b, equal_nan=a.dtype.kind in "fc")


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
