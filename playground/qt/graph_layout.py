"""Where each node of the autograd graph goes: a layered (Sugiyama) layout from ``grandalf``.

The layers are ranked from the outputs (as the backward pass walks), so a leaf sits one layer
above the op that uses it rather than far up with the other inputs; the picture is then flipped
so that, as in torchviz, inputs are on top and the output at the bottom. Each connected part of
the graph is laid out on its own and the parts are placed side by side. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass

from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout

X_SPACE = 36
Y_SPACE = 56
PART_GAP = 70


class _View:
    """What grandalf reads (``w``, ``h``) and writes (``xy``) for a vertex."""

    def __init__(self, w: float, h: float):
        self.w, self.h = w, h
        self.xy = (0.0, 0.0)


class _EdgeView:
    def __init__(self):
        self.points: list[tuple[float, float]] = []

    def setpath(self, points):
        self.points = [tuple(p) for p in points]


@dataclass
class Layout:
    """Centres of nodes (by key) and the polyline of each edge (by its position in the edge
    list, from source to target), in a frame whose top-left corner is (0, 0)."""

    positions: dict[str, tuple[float, float]]
    paths: dict[int, list[tuple[float, float]]]
    width: float
    height: float


def layered_layout(keys, edges, sizes, aspect: float = 1.6) -> Layout:
    """Lay out nodes ``keys`` joined by ``edges`` ((source, target) pairs, in the forward
    direction), each node of size ``sizes[key] = (w, h)``; separate parts are wrapped in rows
    to make the picture about ``aspect`` times as wide as it is high."""
    keys = list(keys)
    vertices = {}
    for key in keys:
        vertex = Vertex(key)
        vertex.view = _View(*sizes[key])
        vertices[key] = vertex
    grandalf_edges = []
    for index, (source, target) in enumerate(edges):
        if source == target or source not in vertices or target not in vertices:
            continue
        # Backward direction: the output is a root, ranked first.
        edge = Edge(vertices[target], vertices[source], data=index)
        edge.view = _EdgeView()
        grandalf_edges.append(edge)
    graph = Graph(list(vertices.values()), grandalf_edges)
    parts = [_lay_out_part(part) for part in sorted(graph.C, key=_part_order(keys))]
    positions, paths = {}, {}
    width = height = 0.0
    for (placed, routed, _, _), (dx, dy) in zip(parts, _shelves(parts, aspect)):
        for key, (x, y) in placed.items():
            positions[key] = (x + dx, y + dy)
        for index, points in routed.items():
            paths[index] = [(x + dx, y + dy) for x, y in points]
    if positions:
        width = max(x + sizes[k][0] / 2 for k, (x, _) in positions.items())
        height = max(y + sizes[k][1] / 2 for k, (_, y) in positions.items())
    return Layout(positions, paths, width, height)


def _shelves(parts, aspect):
    """Top-left offset of each part: parts go left to right in rows (bottoms aligned, as the
    outputs are at the bottom) wrapped to make the whole picture about ``aspect`` wide:high."""
    if not parts:
        return []
    area = sum((w + PART_GAP) * (h + PART_GAP) for _, _, w, h in parts)
    row_width = max(max(w for _, _, w, _ in parts), (area * aspect) ** 0.5)
    rows, row = [], []
    x = 0.0
    for index, (_, _, w, _) in enumerate(parts):
        if row and x + w > row_width:
            rows.append(row)
            row, x = [], 0.0
        row.append((index, x))
        x += w + PART_GAP
    rows.append(row)
    offsets = [None] * len(parts)
    top = 0.0
    for row in rows:
        row_height = max(parts[i][3] for i, _ in row)
        for index, x in row:
            offsets[index] = (x, top + row_height - parts[index][3])
        top += row_height + PART_GAP
    return offsets


def _part_order(keys):
    order = {key: i for i, key in enumerate(keys)}

    def first_key(part):
        return min(order[v.data] for v in part.sV)

    return first_key


def _lay_out_part(part):
    """Positions (top-left at 0, 0), edge paths (source to target), width and height of one
    connected part."""
    vertices = list(part.sV)
    if len(vertices) == 1:
        view = vertices[0].view
        return {vertices[0].data: (view.w / 2, view.h / 2)}, {}, view.w, view.h
    sugiyama = SugiyamaLayout(part)
    sugiyama.xspace = X_SPACE
    sugiyama.yspace = Y_SPACE
    roots = [v for v in vertices if not v.e_in()]
    sugiyama.init_all(roots=roots)
    sugiyama.draw(3)
    left = min(v.view.xy[0] - v.view.w / 2 for v in vertices)
    top = min(v.view.xy[1] - v.view.h / 2 for v in vertices)
    right = max(v.view.xy[0] + v.view.w / 2 for v in vertices)
    bottom = max(v.view.xy[1] + v.view.h / 2 for v in vertices)
    # Flip: grandalf put the output on top; inputs go on top, as in torchviz.
    placed = {v.data: (v.view.xy[0] - left, bottom - v.view.xy[1]) for v in vertices}
    routed = {
        e.data: [(x - left, bottom - y) for x, y in reversed(e.view.points)] for e in part.sE
    }
    return placed, routed, right - left, bottom - top
