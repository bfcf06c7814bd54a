"""The pictures of the graph view: a box per autograd node and an arrow per edge.

Colours follow torchviz: leaves that require grad light blue, ops grey, outputs green, saved
tensors orange; inputs that do not require grad are greyed, and a ``detach`` is a red cut edge.
They come from the theme (``graph_colors()``) each time an item paints, so a theme switch only
needs a repaint.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem

from .graph_model import GraphEdge, GraphNode, shape_text
from .mini_heatmap import thumbnail
from .theme import graph_colors

NODE_WIDTH = 204
NODE_HEIGHT = 50
SAVED_LINE = 15
HEATMAP_LOD = 1.5  # zoom from which nodes show their value and grad



def node_size(node: GraphNode, show_saved: bool) -> tuple[float, float]:
    lines = 0
    if show_saved and node.kind == "op":
        lines = 1 if node.released else max(1, len(node.saved))
    width = max(NODE_WIDTH, 8.2 * len(node.name) + 84)  # room for the longest PyTorch names
    return width, NODE_HEIGHT + lines * SAVED_LINE


class NodeItem(QGraphicsItem):
    """One node. ``value``/``grad`` (numpy or None) are drawn as thumbnails when zoomed in."""

    def __init__(self, node: GraphNode, show_saved: bool, value=None, grad=None):
        super().__init__()
        self.node = node
        self.show_saved = show_saved
        self.width, self.height = node_size(node, show_saved)
        self.selected = False
        self.highlighted = False
        self.done = False
        self._arrays = (value, grad)
        self._images: dict[str, QImage | None] = {}  # made when first drawn zoomed in
        self.has_grad_slot = node.kind == "leaf" or node.retains_grad
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor if node.tensor else
                       Qt.CursorShape.ArrowCursor)
        self.setToolTip(self._tooltip())
        self.setZValue(2)

    def set_node(self, node: GraphNode, value=None, grad=None) -> None:
        """Show ``node`` (the same box, read from a newer replay) with these arrays; repaints
        only when what is drawn changed. The session shares an unchanged array between
        timeline points, so a changed ``.grad`` is a different array."""
        changed = _drawn(node) != _drawn(self.node)
        self.node = node
        if changed:
            self.has_grad_slot = node.kind == "leaf" or node.retains_grad
            self.setToolTip(self._tooltip())
        if value is not self._arrays[0] or grad is not self._arrays[1]:
            self._arrays = (value, grad)
            self._images.clear()
            changed = True
        if changed:
            self.update()

    # -- thumbnails (coloured only when the view is zoomed in enough to show them) --
    @property
    def value_image(self) -> QImage | None:
        return self._image("value", self._arrays[0], diverging=False)

    @property
    def grad_image(self) -> QImage | None:
        return self._image("grad", self._arrays[1], diverging=True)

    def _image(self, which: str, array, diverging: bool) -> QImage | None:
        if which not in self._images:
            self._images[which] = None if array is None else thumbnail(array, diverging)
        return self._images[which]

    # -- geometry --
    def boundingRect(self) -> QRectF:
        return QRectF(-self.width / 2 - 6, -self.height / 2 - 10, self.width + 12,
                      self.height + 16)

    def box(self) -> QRectF:
        return QRectF(-self.width / 2, -self.height / 2, self.width, self.height)

    def set_state(self, selected=None, highlighted=None, done=None) -> None:
        before = (self.selected, self.highlighted, self.done)
        if selected is not None:
            self.selected = selected
        if highlighted is not None:
            self.highlighted = highlighted
        if done is not None:
            self.done = done
        if (self.selected, self.highlighted, self.done) != before:
            self.update()

    # -- colours (read from the theme at paint time) --
    def kind(self) -> str:
        return "output" if self.node.is_output else self.node.kind

    def fill_color(self) -> QColor:
        return QColor(graph_colors().fill[self.kind()])

    def label_color(self) -> QColor:
        g = graph_colors()
        return QColor(g.muted_title if self.node.kind in ("constant", "detached") else g.title)

    # -- text --
    def lines(self) -> tuple[str, str]:
        node = self.node
        if node.kind == "op":
            return node.name, node.tensor or "(intermediate)"
        if node.kind == "leaf":
            return node.tensor or "leaf", "AccumulateGrad"
        if node.kind == "detached":
            return node.tensor, "detached: no grad_fn"
        return node.tensor, "requires_grad=False"

    def _tooltip(self) -> str:
        node = self.node
        title, subtitle = self.lines()
        parts = [f"<b>{title}</b> — {subtitle}"]
        if node.shape or node.kind != "op":
            parts.append(f"shape {shape_text(node.shape)}")
        for name, formula in node.formulas.items():
            parts.append(f"<code>{name}: {formula}</code>")
        if node.saved:
            parts.append("saved: " + ", ".join(f"{n} {shape_text(s)}" for n, s in node.saved))
        if node.released:
            parts.append(f"<span style='color:{graph_colors().freed}'>saved tensors freed by "
                         "backward (retain_graph=False)</span>")
        if node.retains_grad:
            parts.append("retain_grad(): its .grad is kept")
        if node.tensor:
            parts.append("<i>click to select it everywhere</i>")
        return "<br>".join(parts)

    # -- painting --
    def paint(self, painter, option: QStyleOptionGraphicsItem, widget=None):
        node, g = self.node, graph_colors()
        box = self.box()
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        if self.highlighted:
            glow = QColor(g.highlight)
            glow.setAlpha(90)
            painter.setPen(QPen(glow, 10))
            painter.drawRoundedRect(box, 9, 9)
        pen = QPen(QColor(g.border[self.kind()]), 1.4)
        if node.kind in ("constant", "detached"):
            pen.setStyle(Qt.PenStyle.DashLine)
        if self.selected:
            pen = QPen(QColor(g.selected), 3)
        if self.highlighted:
            pen = QPen(QColor(g.highlight), 3.2)
        painter.setPen(pen)
        painter.setBrush(self.fill_color())
        painter.drawRoundedRect(box, 8, 8)
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        text_box = QRectF(box.left() + 8, box.top() + 3, box.width() - 16, NODE_HEIGHT - 6)
        if lod >= HEATMAP_LOD and (self._arrays[0] is not None or self.has_grad_slot):
            text_box.setRight(box.right() - 72)
            self._paint_heatmaps(painter, box)
        self._paint_text(painter, text_box)
        if self.show_saved and node.kind == "op":
            self._paint_saved(painter, box)
        if node.retains_grad:
            self._paint_badge(painter, box, "retain_grad", QColor(g.retain))
        if self.done:
            self._paint_badge(painter, box, "✓ done", QColor(g.done), left=True)

    def _paint_text(self, painter, text_box: QRectF):
        title, subtitle = self.lines()
        g = graph_colors()
        muted = self.node.kind in ("constant", "detached")
        font = QFont()
        font.setPixelSize(13)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(self.label_color())
        while font.pixelSize() > 9 and (
                QFontMetricsF(font).horizontalAdvance(title) > text_box.width()):
            font.setPixelSize(font.pixelSize() - 1)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        title = metrics.elidedText(title, Qt.TextElideMode.ElideRight, text_box.width())
        top = QRectF(text_box.left(), text_box.top() + 2, text_box.width(), 20)
        painter.drawText(top, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, title)
        font.setBold(False)
        font.setPixelSize(11)
        painter.setFont(font)
        painter.setPen(QColor(g.muted_subtitle if muted else g.subtitle))
        subtitle = QFontMetricsF(font).elidedText(subtitle, Qt.TextElideMode.ElideRight,
                                                  text_box.width())
        bottom = QRectF(text_box.left(), text_box.top() + 22, text_box.width(), 18)
        painter.drawText(bottom, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
                         subtitle)

    def _paint_heatmaps(self, painter, box: QRectF):
        g = graph_colors()
        font = QFont()
        font.setPixelSize(7)
        painter.setFont(font)
        size = 28
        for i, (label, image) in enumerate((("value", self.value_image),
                                            ("grad", self.grad_image))):
            if label == "grad" and not self.has_grad_slot:
                continue
            cell = QRectF(box.right() - 70 + i * 34, box.top() + 6, size, size)
            if image is None:
                painter.setPen(QPen(QColor(g.frame), 0.6, Qt.PenStyle.DashLine))
                painter.setBrush(QColor(g.empty_cell))
                painter.drawRect(cell)
                painter.setPen(QColor(g.subtitle))
                painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, "None")
            else:
                painter.setRenderHint(painter.RenderHint.SmoothPixmapTransform, False)
                painter.drawImage(_fit(cell, image.width(), image.height()), image)
                painter.setPen(QPen(QColor(g.frame), 0.5))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(cell)
            painter.setPen(QColor(g.subtitle))
            painter.drawText(QRectF(cell.left() - 4, cell.bottom(), size + 8, 10),
                             Qt.AlignmentFlag.AlignCenter, label)

    def _paint_saved(self, painter, box: QRectF):
        g = graph_colors()
        font = QFont()
        font.setPixelSize(11)
        painter.setFont(font)
        top = box.top() + NODE_HEIGHT - 2
        painter.setPen(QPen(QColor(g.saved_rule), 0.8))
        painter.drawLine(QPointF(box.left() + 6, top), QPointF(box.right() - 6, top))
        if self.node.released:
            lines = [("saved tensors freed", QColor(g.freed))]
        elif not self.node.saved:
            lines = [("saves no tensor", QColor(g.muted_subtitle))]
        else:
            lines = [(f"saved {n}: {shape_text(s)}", QColor(g.saved)) for n, s in self.node.saved]
        for i, (text, colour) in enumerate(lines):
            painter.setPen(colour)
            rect = QRectF(box.left() + 8, top + i * SAVED_LINE, box.width() - 16, SAVED_LINE)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_badge(self, painter, box: QRectF, text: str, colour: QColor, left=False):
        font = QFont()
        font.setPixelSize(9)
        font.setBold(True)
        painter.setFont(font)
        width = QFontMetricsF(font).horizontalAdvance(text) + 10
        x = box.left() + 8 if left else box.right() - width - 8
        badge = QRectF(x, box.top() - 8, width, 14)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(badge, 7, 7)
        painter.setPen(QColor(graph_colors().badge_text))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton and self.node.tensor:
            scene = self.scene()
            if scene is not None and hasattr(scene, "node_clicked"):
                scene.node_clicked(self.node)
            event.accept()
            return
        super().mousePressEvent(event)


def _drawn(node: GraphNode) -> tuple:
    """What a node's box and tooltip show of ``node`` (its engine ``fn`` is not drawn)."""
    return (node.kind, node.name, node.tensor, node.shape, node.is_output, node.retains_grad,
            node.saved, node.released, node.formulas)


def _fit(cell: QRectF, width: int, height: int) -> QRectF:
    """The largest rectangle of aspect width:height centred in ``cell``."""
    scale = min(cell.width() / max(width, 1), cell.height() / max(height, 1))
    rect = QRectF(0, 0, width * scale, height * scale)
    rect.moveCenter(cell.center())
    return rect


class EdgeItem(QGraphicsPathItem):
    """An arrow from an input's box down to the node that uses it, labelled with its shape."""

    def __init__(self, edge: GraphEdge, points: list[tuple[float, float]], source: NodeItem,
                 target: NodeItem, slot: float = 0.0):
        super().__init__()
        self.edge = edge
        self.source_item, self.target_item = source, target
        self.highlighted = False
        sx, sy = source.pos().x(), source.pos().y() + source.height / 2
        # ``slot`` spreads the inputs of one node along its top edge, in input order.
        tx, ty = target.pos().x() + slot, target.pos().y() - target.height / 2 - 2
        middle = [QPointF(x, y) for x, y in points[1:-1]]
        nodes = [QPointF(sx, sy)] + middle + [QPointF(tx, ty)]
        path = QPainterPath(nodes[0])
        for a, b in zip(nodes, nodes[1:]):
            bend = (b.y() - a.y()) * 0.5
            path.cubicTo(QPointF(a.x(), a.y() + bend), QPointF(b.x(), b.y() - bend), b)
        self.setPath(path)
        self.end = nodes[-1]
        self.label = shape_text(edge.shape)
        if edge.cut:
            self.label = "✂ detach()"
        self.setZValue(1)
        self._style()

    def set_highlighted(self, on: bool) -> None:
        if bool(on) != self.highlighted:
            self.highlighted = bool(on)
            self._style()

    def _style(self):
        edge, g = self.edge, graph_colors()
        self._themed = g
        if self.highlighted:
            pen = QPen(QColor(g.highlight), 3)
        elif edge.cut:
            pen = QPen(QColor(g.cut), 1.6, Qt.PenStyle.DashLine)
        elif not edge.grad:
            pen = QPen(QColor(g.edge_no_grad), 1.2, Qt.PenStyle.DashLine)
        else:
            pen = QPen(QColor(g.edge), 1.4)
        self.setPen(pen)
        self.update()

    def boundingRect(self) -> QRectF:
        return super().boundingRect().adjusted(-60, -12, 60, 12)

    def paint(self, painter, option, widget=None):
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        if self._themed is not graph_colors():  # the theme changed since the pen was chosen
            self._style()
        super().paint(painter, option, widget)
        colour = self.pen().color()
        tip = self.end
        before = self.path().pointAtPercent(0.97)
        direction = tip - before
        length = max((direction.x() ** 2 + direction.y() ** 2) ** 0.5, 1e-6)
        ux, uy = direction.x() / length, direction.y() / length
        head = QPolygonF([tip, QPointF(tip.x() - 9 * ux + 4.5 * uy, tip.y() - 9 * uy - 4.5 * ux),
                          QPointF(tip.x() - 9 * ux - 4.5 * uy, tip.y() - 9 * uy + 4.5 * ux)])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawPolygon(head)
        self._paint_label(painter, colour)

    def _paint_label(self, painter, colour: QColor):
        font = QFont()
        font.setPixelSize(10)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        width = metrics.horizontalAdvance(self.label) + 8
        centre = self.path().pointAtPercent(0.5)
        rect = QRectF(centre.x() - width / 2, centre.y() - 7, width, 14)
        painter.setPen(Qt.PenStyle.NoPen)
        g = graph_colors()
        painter.setBrush(QColor(g.label_background))
        painter.drawRoundedRect(rect, 4, 4)
        # Labels a shade towards the theme's text so they stay legible on either background.
        light_theme = QColor(g.title).lightness() < 128
        text = colour.darker(120) if light_theme else colour.lighter(125)
        painter.setPen(QColor(g.cut) if self.edge.cut else text)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.label)

