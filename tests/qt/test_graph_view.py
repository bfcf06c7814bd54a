"""The graph view draws exactly what ``grad_fn.next_functions`` says, and stays a view."""

from __future__ import annotations

import numpy as np
import pytest

import engine as torch
from engine.function import AccumulateGrad
from playground.qt.engine_state import ReplayCache, replay_at
from playground.qt.graph_layout import layered_layout
from playground.qt.graph_model import autograd_graph, session_graph
from playground.qt.graph_view import GraphView
from playground.qt.selection import Selection
from playground.session import Action, Document, Leaf, Seed, Session, Step
from playground.session.lessons import lesson_names, load_lesson


def linear_document(actions=()) -> Document:
    """``z = x @ w + b`` with b broadcast, then ``loss = z.mean()``."""
    return Document(
        leaves=(
            Leaf(name="x", factory="ones", shape=(5, 5)),
            Leaf(name="w", factory="rand", shape=(5, 6), requires_grad=True),
            Leaf(name="b", factory="zeros", shape=(6,), requires_grad=True),
        ),
        steps=(
            Step(name="xw", op="matmul", operands=("x", "w")),
            Step(name="z", op="add", operands=("xw", "b")),
            Step(name="loss", op="mean", operands=("z",)),
        ),
        actions=tuple(actions),
    )


def seed_document(actions=()) -> Document:
    return Document(
        leaves=(Leaf(name="inp", factory="eye", shape=(4, 5), requires_grad=True),),
        steps=(
            Step(name="h", op="add", operands=("inp", 1)),
            Step(name="sq", op="pow", operands=("h", 2)),
            Step(name="out", op="t", operands=("sq",)),
        ),
        actions=tuple(actions),
    )


def documents():
    yield "seed", seed_document()
    yield "linear", linear_document()
    yield "detached", linear_document([Action(kind="detach", target="z", new_name="z_cut")])
    for name in lesson_names():
        yield name, load_lesson(name)


def check_matches_next_functions(graph, outputs):
    """Every engine node reachable from ``outputs`` is one graph node, and the graph's edges
    into it are its ``next_functions`` that are not None, in order."""
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
    seen = set()
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        key = graph.key_of(fn)
        assert key is not None, fn.name()
        node = graph.nodes[key]
        assert node.name == fn.name()
        expected = [(i, child) for i, (child, _) in enumerate(fn.next_functions)
                    if child is not None]
        edges = [e for e in graph.inputs_of(key) if e.grad]
        assert [e.index for e in edges] == [i for i, _ in expected]
        for edge, (_, child) in zip(edges, expected):
            assert edge.source == graph.key_of(child)
            if isinstance(child, AccumulateGrad):
                assert graph.nodes[edge.source].kind == "leaf"
            else:
                stack.append(child)
    op_nodes = [n for n in graph.nodes.values() if n.kind == "op"]
    assert len(op_nodes) == len(seen)


@pytest.mark.parametrize("name,document", list(documents()), ids=[n for n, _ in documents()])
def test_session_graph_equals_next_functions(name, document):
    session = Session(document)
    replay = replay_at(session)
    graph = session_graph(replay)
    outputs = [t for t in replay.namespace.values() if t.requires_grad]
    check_matches_next_functions(graph, outputs)
    for node in graph.nodes.values():  # every named node stands for its tensor
        if node.tensor and node.kind == "op":
            assert replay.namespace[node.tensor].grad_fn is node.fn


def test_pure_graph_of_the_seed_lesson_names_nodes_as_pytorch():
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    graph = autograd_graph([out], {"inp": inp, "out": out})
    names = [graph.nodes[k].name for k in graph.nodes]
    assert names == ["TBackward0", "PowBackward0", "AddBackward0", "AccumulateGrad"]
    assert graph.nodes["t:out"].is_output
    assert graph.nodes["t:inp"].kind == "leaf" and graph.nodes["t:inp"].tensor == "inp"
    assert [e.shape for e in graph.edges] == [(4, 5)] * 3
    pow_node = graph.nodes["t:out/0"]
    assert pow_node.saved == (("self", (4, 5)),) and not pow_node.released
    check_matches_next_functions(graph, [out])


def test_released_graph_and_retain_grad_are_read():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.pow(2)
    y.retain_grad()
    loss = y.mean()
    loss.backward()
    graph = autograd_graph([loss], {"x": x, "y": y, "loss": loss})
    assert graph.nodes["t:y"].retains_grad
    assert graph.nodes["t:y"].released  # backward without retain_graph freed what it saved


def test_constants_and_detach_are_drawn_apart():
    session = Session(linear_document([Action(kind="detach", target="z", new_name="z_cut")]))
    graph = session_graph(replay_at(session))
    assert graph.nodes["t:x"].kind == "constant"
    assert any(e.source == "t:x" and e.target == "t:xw" and not e.grad for e in graph.edges)
    cut = [e for e in graph.edges if e.cut]
    assert [(e.source, e.target) for e in cut] == [("t:z", "t:z_cut")]
    assert graph.nodes["t:z_cut"].kind == "detached"
    assert graph.edges[[e.target for e in graph.edges].index("t:z")].shape in ((5, 6), (6,))


def test_keys_agree_between_two_replays():
    session = Session(load_lesson("seed-notebook") if "seed-notebook" in lesson_names()
                      else seed_document())
    first, second = session_graph(replay_at(session)), session_graph(replay_at(session))
    assert list(first.nodes) == list(second.nodes)


def test_layout_is_layered_top_down_for_thirty_nodes():
    keys = [f"n{i}" for i in range(30)]
    edges = [(f"n{i + 1}", f"n{i}") for i in range(0, 29, 2)]  # chains of inputs
    edges += [(f"n{i}", f"n{i - 1}") for i in range(2, 30, 2)]
    layout = layered_layout(keys, edges, {k: (120, 40) for k in keys})
    assert set(layout.positions) == set(keys)
    for source, target in edges:  # data flows downwards
        assert layout.positions[source][1] < layout.positions[target][1]
    boxes = [(x - 60, y - 20, x + 60, y + 20) for x, y in layout.positions.values()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], "overlap"


def test_view_draws_selects_highlights_and_exports(qtbot, tmp_path):
    session = Session(seed_document([Action(kind="backward", target="out", retain_graph=True,
                                            seed=Seed(kind="ones"))]))
    selection = Selection()
    view = GraphView(session, selection)
    qtbot.addWidget(view)
    view.resize(900, 600)
    assert set(view.node_items) == {"t:inp", "t:h", "t:sq", "t:out"}
    assert len(view.edge_items) == 3
    view.node_items["t:sq"].mousePressEvent(_LeftClick())
    assert selection.name == "sq" and view.node_items["t:sq"].selected
    view.highlight("t:h")
    assert view.node_items["t:h"].highlighted
    assert [e.highlighted for e in view.edge_items if e.edge.target == "t:h"] == [True]
    view.mark_done(["t:out"])
    assert view.node_items["t:out"].done
    assert view.export_image(tmp_path / "graph.png")
    assert view.export_image(tmp_path / "graph.svg")
    assert (tmp_path / "graph.png").stat().st_size > 1000
    assert "<svg" in (tmp_path / "graph.svg").read_text()
    assert not view.grab().toImage().isNull()


def test_view_follows_the_session(qtbot):
    session = Session(seed_document())
    view = GraphView(session, Selection())
    qtbot.addWidget(view)
    view.show()  # a hidden view only remembers that it must redraw
    session.insert_step(3, Step(name="total", op="sum", operands=("out",)))
    qtbot.waitUntil(lambda: "t:total" in view.node_items)
    assert view.node_items["t:total"].node.name == "SumBackward0"
    session.set_document(Document())
    qtbot.waitUntil(lambda: not view.node_items)
    assert "No tensors yet" in view.message.text()


class _LeftClick:
    def button(self):
        from PySide6.QtCore import Qt

        return Qt.MouseButton.LeftButton

    def accept(self):
        pass


def test_replay_cache_continues_forward_and_replays_backward():
    backward = Action(kind="backward", target="loss", seed=Seed(kind="implicit"),
                      retain_graph=True)
    session = Session(linear_document([backward, backward, Action(kind="forward"), backward]))
    cache = ReplayCache()
    session.select(1)
    first = cache.get(session)
    session.select(4)
    later = cache.get(session)
    assert later is first  # continued, not rebuilt
    fresh = replay_at(session)
    for name in ("w", "b"):
        np.testing.assert_array_equal(later.namespace[name].grad.numpy(),
                                      fresh.namespace[name].grad.numpy())
    session.select(2)
    earlier = cache.get(session)
    assert earlier is not later
    np.testing.assert_array_equal(earlier.namespace["b"].grad.numpy(), session.state("b").grad)


def test_the_graph_stays_fitted_when_the_viewport_changes_until_the_learner_zooms(qtbot):
    from playground.session.lessons import load_lesson

    view = GraphView(Session(load_lesson("seed-notebook")), Selection())
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitUntil(lambda: len(view.node_items) > 10)

    def whole_graph_visible():
        canvas = view.canvas
        shown = canvas.mapFromScene(canvas.scene().sceneRect()).boundingRect()
        return canvas.viewport().rect().adjusted(-1, -1, 1, 1).contains(shown)

    for width, height in ((600, 700), (420, 900), (1000, 500)):
        view.resize(width, height)
        qtbot.waitUntil(whole_graph_visible)
    # Only the viewport shrinks (a scroll bar appears, as in a dock that settles after a fit).
    from PySide6.QtCore import Qt

    for bar in (view.canvas.setHorizontalScrollBarPolicy, view.canvas.setVerticalScrollBarPolicy):
        bar(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
    assert whole_graph_visible()
    view.canvas.zoom(1.25)
    view.canvas.zoom(1.25)
    view.canvas.resize(view.canvas.width() - 50, view.canvas.height())
    assert not view.canvas.fitted and not whole_graph_visible()  # the learner's zoom is kept


def test_a_big_tensors_thumbnail_is_downsampled_and_keeps_a_lone_spike(qtbot):
    import numpy as np

    from playground.qt.mini_heatmap import THUMBNAIL_LIMIT, thumbnail

    grad = np.zeros((1000, 1000), dtype=np.float32)
    grad[500, 500] = -5.0
    image = thumbnail(grad, diverging=True)
    assert max(image.width(), image.height()) <= THUMBNAIL_LIMIT
    zero, spike = image.pixelColor(0, 0), image.pixelColor(500 // 16, 500 // 16)
    assert spike != zero and spike.blue() > spike.red()  # CET-D1: negative is blue
    assert thumbnail(np.ones((4, 5)), diverging=False).width() == 5  # small: one pixel each


def test_replay_cache_continues_when_an_action_is_appended():
    backward = Action(kind="backward", target="loss", seed=Seed(kind="implicit"),
                      retain_graph=True)
    session = Session(linear_document([backward]))
    cache = ReplayCache()
    first = cache.get(session)
    session.insert_action(-1, backward)  # a new document: the old one and one action more
    later = cache.get(session)
    assert later is first
    np.testing.assert_array_equal(later.namespace["w"].grad.numpy(), session.state("w").grad)
    session.remove_action(1)
    session.insert_action(-1, Action(kind="zero_grad", targets=("w",)))  # not the same past
    assert cache.get(session) is not later
    session.set_document(linear_document([backward]))  # same definitions, rebuilt: continued
    session.select(0)
    at_start = cache.get(session)
    assert at_start.namespace["w"].grad is None


def test_a_backward_updates_the_drawn_nodes_in_place_and_keeps_the_zoom(qtbot):
    backward = Action(kind="backward", target="out", retain_graph=True, seed=Seed(kind="ones"))
    session = Session(seed_document([backward]))
    view = GraphView(session, Selection())
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: not view._updates.stale)  # laid out again for the shown shape
    items, edges = dict(view.node_items), list(view.edge_items)
    leaf = items["t:inp"]
    view.canvas.zoom(2.0)  # thumbnails of value and .grad show from 1.5
    zoom = view.canvas.transform().m11()
    before = leaf.grad_image.pixelColor(0, 0)
    session.insert_action(-1, backward)  # inp.grad doubles: the same graph
    qtbot.waitUntil(lambda: not view._updates.stale)
    assert view.node_items == items and view.edge_items == edges
    assert leaf.node is view.graph.nodes["t:inp"]
    assert view.canvas.transform().m11() == zoom
    assert leaf.grad_image.pixelColor(0, 0) == before  # levels follow the array: same picture
    grad = view.session.state("inp").grad
    np.testing.assert_array_equal(grad, 2 * session.outcomes[1].states["inp"].grad)
    session.insert_action(-1, Action(kind="zero_grad", targets=("inp",)))
    qtbot.waitUntil(lambda: not view._updates.stale)
    assert view.node_items["t:inp"] is leaf
    zeros = leaf.grad_image.pixelColor(0, 0)
    assert zeros != before  # the zeroed .grad is drawn (mid colour), not the stale one
    session.insert_step(3, Step(name="total", op="sum", operands=("out",)))
    qtbot.waitUntil(lambda: "t:total" in view.node_items)
    assert view.node_items["t:inp"] is not leaf  # a new shape is laid out again
