"""The graph view: the session's autograd graph drawn live, like torchviz but interactive.

Leaves (``AccumulateGrad``) on top, op nodes named as PyTorch names them (``PowBackward0``), the
output at the bottom; edges labelled with shapes. Click a node to select its tensor everywhere,
wheel to zoom, drag to pan; zoomed in, nodes show their value and ``.grad``. The backward stepper
lights up the node it is processing through ``highlight``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..session.model import Session
from .engine_state import ReplayCache
from .graph_items import EdgeItem, NodeItem, node_size
from .graph_layout import layered_layout
from .graph_model import AutogradGraph, session_graph
from .selection import Selection
from .view_updates import connect_coalesced, guarded

ALL = ""
LEGEND = (
    "<span style='color:#3b78c4'>■</span> leaf (AccumulateGrad) &nbsp; "
    "<span style='color:#9a9a9a'>■</span> op (grad_fn) &nbsp; "
    "<span style='color:#3d9a3d'>■</span> output &nbsp; "
    "<span style='color:#b8b8b8'>▢</span> requires_grad=False &nbsp; "
    "<span style='color:#c0392b'>✂</span> detach &nbsp; "
    "<span style='color:#7b3fb3'>●</span> retain_grad &nbsp; — arrows: forward; "
    "gradients flow back up"
)


class GraphScene(QGraphicsScene):
    def __init__(self, view: GraphView):
        super().__init__()
        self._view = view

    def node_clicked(self, node) -> None:
        self._view._on_node_clicked(node)


class GraphCanvas(QGraphicsView):
    """Zoom with the wheel (around the mouse), pan by dragging. Until the learner zooms, the
    graph stays fitted when the viewport changes size (a scroll bar coming or going too)."""

    fitted = False

    def __init__(self, scene: QGraphicsScene):
        super().__init__(scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)

    def zoom(self, factor: float) -> None:
        self.fitted = False
        scale = self.transform().m11() * factor
        if 0.1 <= scale <= 6:
            self.scale(factor, factor)

    def wheelEvent(self, event):
        self.zoom(1.2 if event.angleDelta().y() > 0 else 1 / 1.2)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self.fitted and event.size() != event.oldSize():
            self.fit()

    def fit(self) -> None:
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        self.fitted = True
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > 1.25:  # a tiny graph is not blown up
            self.resetTransform()
            self.scale(1.25, 1.25)
            self.centerOn(rect.center())


class GraphView(QWidget):
    """The autograd graph of ``session`` at its timeline cursor.

    Parameters
    ----------
    session : the session to draw; the view follows its signals and never changes it.
    selection : the shared selection; clicking a node selects its tensor.

    Signals
    -------
    node_clicked(str) : the graph key of a node the user clicked (``t:<tensor name>``).

    ``highlight(key)`` outlines a node and the edges into it (the backward stepper's current
    node; None clears), ``mark_done(keys)`` ticks nodes already processed, ``export_image(path)``
    writes a ``.png`` or ``.svg``.
    """

    node_clicked = Signal(str)

    def __init__(self, session: Session, selection: Selection, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.selection = selection
        self.graph = AutogradGraph()
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: list[EdgeItem] = []
        self._cache = ReplayCache()
        self._highlighted: str | None = None
        self._done: set[str] = set()
        self._aspect = 1.6
        self._drawn: tuple | None = None  # what the items were laid out for

        self.scene = GraphScene(self)
        self.canvas = GraphCanvas(self.scene)
        self.target_box = QComboBox()
        self.target_box.setToolTip("Draw the graph of every tensor, or of one tensor only")
        self.saved_box = QCheckBox("Saved tensors")
        self.saved_box.setToolTip("Show what each node saved for backward (grad_fn._saved_*)")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: palette(placeholder-text); padding: 2px 4px")
        legend = QLabel(LEGEND)
        legend.setStyleSheet("color: palette(placeholder-text); font-size: 11px")
        legend.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Graph of"))
        bar.addWidget(self.target_box, 1)
        bar.addWidget(self.saved_box)
        for text, tip, slot in (("−", "Zoom out", self._on_zoom_out_clicked),
                                ("+", "Zoom in (nodes show value and grad)",
                                 self._on_zoom_in_clicked),
                                ("Fit", "Fit the graph in the view", self.canvas.fit),
                                ("Export…", "Save the picture as PNG or SVG",
                                 self._on_export_clicked)):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.message)
        layout.addWidget(legend)

        self.target_box.currentIndexChanged.connect(self._on_target_changed)
        self.saved_box.toggled.connect(self._on_show_saved_changed)
        self._updates = connect_coalesced(self, session, self.refresh)
        selection.changed.connect(self._on_selection_changed)
        self.refresh()

    # -- session and selection --
    @guarded
    def _on_selection_changed(self, name: str):
        for item in self.node_items.values():
            item.set_state(selected=bool(name) and item.node.tensor == name)

    @guarded
    def _on_target_changed(self, *_):
        self.refresh()

    @guarded
    def _on_show_saved_changed(self, *_):
        self.refresh()

    def _on_node_clicked(self, node) -> None:
        self.node_clicked.emit(node.key)
        if node.tensor:
            self.selection.select(node.tensor)

    # -- drawing --
    def refresh(self) -> None:
        """Rebuild the picture from the session now (signals schedule this for the next idle)."""
        self._updates.cancel()
        self._fill_targets()
        replay = self._cache.get(self.session)
        if replay is None:
            self.graph = AutogradGraph()
            self._draw("The session could not be replayed, so there is no graph to draw.")
            return
        try:
            self.graph = session_graph(replay, self.target_box.currentData() or ALL)
        except Exception as error:  # never crash on a strange session: say so instead
            self.graph = AutogradGraph()
            self._draw(f"The graph could not be read: {error}")
            return
        self._draw("" if self.graph.nodes else
                   "No tensors yet. Add a leaf with requires_grad=True and a step that uses it "
                   "to see the graph autograd records.")

    def _fill_targets(self):
        wanted = [ALL] + [name for name in self.session.tensor_names()
                          if self.session.state(name).grad_fn]
        current = [self.target_box.itemData(i) for i in range(self.target_box.count())]
        if wanted == current:
            return
        chosen = self.target_box.currentData()
        self.target_box.blockSignals(True)
        self.target_box.clear()
        for name in wanted:
            self.target_box.addItem(name or "every tensor", name)
        self.target_box.setCurrentIndex(max(0, wanted.index(chosen) if chosen in wanted else 0))
        self.target_box.blockSignals(False)

    def _draw(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))
        graph = self.graph
        show_saved = self.saved_box.isChecked()
        sizes = {key: node_size(node, show_saved) for key, node in graph.nodes.items()}
        # The boxes and arrows: a Backward, a zero_grad or a step back in the timeline changes
        # values and .grads, not these, so the items are kept and updated (and the zoom kept)
        # while the canvas keeps about the shape they were laid out for (see resizeEvent).
        drawn = (tuple(sizes.items()), tuple(graph.edges), show_saved)
        if graph.nodes and drawn == self._drawn and not self._reshaped():
            for key, node in graph.nodes.items():
                self.node_items[key].set_node(node, *self._arrays(node.tensor))
            return
        self._drawn = drawn
        self.scene.clear()
        self.node_items, self.edge_items = {}, []
        if not graph.nodes:
            return
        self._aspect = self._canvas_aspect()
        layout = layered_layout(graph.nodes, [(e.source, e.target) for e in graph.edges], sizes,
                                self._aspect * 1.2)
        for key, node in graph.nodes.items():
            value, grad = self._arrays(node.tensor)
            item = NodeItem(node, show_saved, value, grad)
            item.setPos(*layout.positions[key])
            item.set_state(selected=bool(node.tensor) and node.tensor == self.selection.name,
                           highlighted=key == self._highlighted, done=key in self._done)
            self.scene.addItem(item)
            self.node_items[key] = item
        slots = _input_slots(graph, layout.positions)
        for index, edge in enumerate(graph.edges):
            source, target = self.node_items[edge.source], self.node_items[edge.target]
            points = layout.paths.get(index) or [(0, 0), (0, 0)]
            item = EdgeItem(edge, points, source, target, slots[index])
            item.set_highlighted(edge.target == self._highlighted and edge.grad)
            self.scene.addItem(item)
            self.edge_items.append(item)
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-16, -16, 16, 16))
        self.canvas.fit()

    def _canvas_aspect(self) -> float:
        viewport = self.canvas.viewport().size()
        return max(0.5, min(4.0, viewport.width() / max(1, viewport.height())))

    def _reshaped(self) -> bool:
        """The canvas is far from the shape the graph's parts were wrapped for."""
        return abs(self._canvas_aspect() - self._aspect) > 0.25 * self._aspect

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self._reshaped():
            self._updates.request()  # the parts are wrapped to the new shape
        else:
            self.canvas.fit()

    def _arrays(self, name: str):
        if not name or name not in self.session.tensor_names():
            return None, None
        state = self.session.state(name)
        return state.value, state.grad

    # -- for the backward stepper --
    def highlight(self, key: str | None) -> None:
        """Outline node ``key`` and the edges into it (whose inputs it sends gradients to)."""
        self._highlighted = key or None
        for node_key, item in self.node_items.items():
            item.set_state(highlighted=node_key == self._highlighted)
        for item in self.edge_items:
            item.set_highlighted(item.edge.target == self._highlighted and item.edge.grad)
        if self._highlighted in self.node_items:
            self.canvas.ensureVisible(self.node_items[self._highlighted], 40, 40)

    def mark_done(self, keys) -> None:
        """Tick the nodes the stepped backward pass has already processed."""
        self._done = set(keys)
        for key, item in self.node_items.items():
            item.set_state(done=key in self._done)

    # -- zoom and export --
    def _on_zoom_in_clicked(self):
        self.canvas.zoom(1.25)

    def _on_zoom_out_clicked(self):
        self.canvas.zoom(1 / 1.25)

    def _on_export_clicked(self):
        path, _ = QFileDialog.getSaveFileName(self, "Export the graph", "autograd-graph.png",
                                              "PNG image (*.png);;SVG drawing (*.svg)")
        if path:
            self.export_image(path)

    def export_image(self, path: str | Path, scale: float = 2.0) -> bool:
        """Write the whole graph to ``path``: SVG when it ends in ``.svg``, else PNG."""
        path = Path(path)
        source = self.scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
        if source.isEmpty():
            source = QRectF(0, 0, 200, 100)
        size = QSize(int(source.width() * scale), int(source.height() * scale))
        if path.suffix.lower() == ".svg":
            generator = QSvgGenerator()
            generator.setFileName(str(path))
            generator.setSize(size)
            generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
            generator.setTitle("Autograd graph")
            painter = QPainter(generator)
            self._render(painter, size, source)
            return painter.end()
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(self.canvas.palette().base().color())  # the theme's canvas colour
        painter = QPainter(image)
        self._render(painter, size, source)
        painter.end()
        return image.save(str(path))

    def _render(self, painter: QPainter, size: QSize, source: QRectF):
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)


def _input_slots(graph: AutogradGraph, positions) -> list[float]:
    """Horizontal offset at which each edge reaches its target: side by side, left to right as
    their sources are placed, so they do not cross."""
    by_target: dict[str, list[int]] = {}
    for index, edge in enumerate(graph.edges):
        by_target.setdefault(edge.target, []).append(index)
    slots = [0.0] * len(graph.edges)
    for indices in by_target.values():
        indices.sort(key=lambda i: positions[graph.edges[i].source][0])
        for position, index in enumerate(indices):
            slots[index] = (position - (len(indices) - 1) / 2) * 26
    return slots
