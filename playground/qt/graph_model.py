"""The autograd graph as plain data: nodes and edges read from ``grad_fn.next_functions``.

``autograd_graph(outputs, names)`` walks the engine's graph from some output tensors, as torchviz
does, and is all a test needs to compare against ``next_functions``. ``session_graph(replay)``
adds what a learner also needs to see in a session: inputs that do not require grad (greyed),
tensors cut off by ``detach`` (drawn with a cut edge), and names on every node. No Qt here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import engine
from engine.function import AccumulateGrad


@dataclass
class GraphNode:
    """One box of the picture.

    ``kind`` is ``op`` (a ``grad_fn`` such as ``PowBackward0``), ``leaf`` (a leaf that requires
    grad: its ``AccumulateGrad``), ``constant`` (a tensor that does not require grad) or
    ``detached`` (made by ``.detach()``). ``tensor`` is the session name of the tensor the node
    stands for ("" for unnamed intermediates); ``fn`` the engine node, for highlighting.
    """

    key: str
    kind: str
    name: str
    tensor: str = ""
    shape: tuple = ()
    is_output: bool = False
    retains_grad: bool = False
    saved: tuple[tuple[str, tuple], ...] = ()
    released: bool = False
    formulas: dict = field(default_factory=dict)
    fn: object = None


@dataclass(frozen=True)
class GraphEdge:
    """Data flows from ``source`` into input ``index`` of ``target`` (the forward direction, as
    torchviz draws it; gradients travel the other way). ``cut`` marks a ``detach``."""

    source: str
    target: str
    index: int
    shape: tuple = ()
    cut: bool = False
    grad: bool = True  # False for an input that does not require grad: nothing flows back


@dataclass
class AutogradGraph:
    nodes: dict[str, GraphNode] = field(default_factory=dict)
    edges: list[GraphEdge] = field(default_factory=list)

    def key_of(self, fn) -> str | None:
        """The node drawn for engine node ``fn`` (an AccumulateGrad maps to its leaf's node)."""
        for key, node in self.nodes.items():
            if node.fn is fn:
                return key
        if isinstance(fn, AccumulateGrad):
            variable = fn.variable
            return next((k for k, n in self.nodes.items()
                         if isinstance(n.fn, AccumulateGrad) and n.fn.variable is variable), None)
        return None

    def key_of_tensor(self, name: str) -> str | None:
        return next((k for k, node in self.nodes.items() if node.tensor == name), None)

    def inputs_of(self, key: str) -> list[GraphEdge]:
        return sorted((e for e in self.edges if e.target == key), key=lambda e: e.index)


def shape_text(shape) -> str:
    """``(4, 5)``, ``(6,)`` or ``()``, as ``tuple(t.shape)`` prints."""
    return str(tuple(int(n) for n in shape))


def _named_key(name: str) -> str:
    return f"t:{name}"


def _saved_of(fn) -> tuple[tuple[tuple[str, tuple], ...], bool]:
    if fn.is_released:
        return (), True
    saved = []
    for name in fn.saved_names:
        try:
            saved.append((name, tuple(getattr(fn, f"_saved_{name}").shape)))
        except Exception:  # modified in place since: still worth listing by name
            saved.append((name, ()))
    return tuple(saved), False


def _input_shape(fn, index, child, tensor_of) -> tuple:
    meta = getattr(fn, "_input_meta", None)
    if meta is not None and index < len(meta) and meta[index] is not None:
        return tuple(meta[index][0])
    if isinstance(child, AccumulateGrad):
        return tuple(child.variable.shape)
    tensor = tensor_of.get(id(child))
    return tuple(tensor.shape) if tensor is not None else ()


def autograd_graph(outputs: Sequence, names: Mapping[str, object] | None = None) -> AutogradGraph:
    """Nodes and edges of the graph behind ``outputs`` (engine tensors), walked iteratively.

    Each ``grad_fn`` is one ``op`` node; each leaf that requires grad one ``leaf`` node (its
    ``AccumulateGrad``); an edge goes from every entry of ``next_functions`` that is not None to
    the node that lists it, with ``index`` its position there. ``names`` (name -> tensor) labels
    nodes with the tensors they produce.

    Keys are structural, so two replays of one session give the same keys: ``t:<name>`` for a
    named tensor, else ``<key of the first node that uses it>/<input index>``.
    """
    names = names or {}
    name_of, tensor_of = {}, {}
    for name, tensor in names.items():
        if tensor is None:
            continue
        owner = tensor.grad_fn if tensor.grad_fn is not None else tensor
        name_of.setdefault(id(owner), name)
        tensor_of.setdefault(id(owner), tensor)
    graph = AutogradGraph()
    retained = {id(t.grad_fn) for t in names.values() if t is not None and t.retains_grad}
    keys: dict[int, str] = {}

    def key_for(owner, fallback):
        if id(owner) not in keys:
            name = name_of.get(id(owner))
            keys[id(owner)] = _named_key(name) if name else fallback
        return keys[id(owner)]

    stack = []
    for number, out in enumerate(outputs):
        if out.grad_fn is not None:
            tensor_of.setdefault(id(out.grad_fn), out)
            stack.append((out.grad_fn, key_for(out.grad_fn, f"out{number}")))
        elif out.requires_grad:
            _add_leaf(graph, out, key_for(out, f"out{number}"), name_of.get(id(out), ""))
    stack.reverse()  # the first output is walked first
    while stack:
        fn, key = stack.pop()
        if key in graph.nodes:
            continue
        tensor = tensor_of.get(id(fn))
        saved, released = _saved_of(fn)
        graph.nodes[key] = GraphNode(
            key, "op", fn.name(), name_of.get(id(fn), ""),
            tuple(tensor.shape) if tensor is not None else (), retains_grad=id(fn) in retained,
            saved=saved, released=released, formulas=dict(fn.formulas), fn=fn,
        )
        children = []
        for index, (child, _) in enumerate(fn.next_functions):
            if child is None:
                continue
            if isinstance(child, AccumulateGrad):
                leaf = child.variable
                source = key_for(leaf, f"{key}/{index}")
                _add_leaf(graph, leaf, source, name_of.get(id(leaf), ""), child)
            else:
                source = key_for(child, f"{key}/{index}")
                children.append((child, source))
            shape = _input_shape(fn, index, child, tensor_of)
            graph.edges.append(GraphEdge(source, key, index, shape))
        stack.extend(reversed(children))
    used = {edge.source for edge in graph.edges}
    for key, node in graph.nodes.items():
        node.is_output = node.kind == "op" and key not in used
    return graph


def _add_leaf(graph, tensor, key, name, accumulator=None) -> str:
    node = graph.nodes.get(key)
    if node is None:
        node = GraphNode(key, "leaf", "AccumulateGrad", name, tuple(tensor.shape),
                         formulas=dict(AccumulateGrad.formulas))
        graph.nodes[key] = node
    if accumulator is not None:
        node.fn = accumulator
    return key


def session_graph(replay, only: str = "") -> AutogradGraph:
    """The graph of every tensor of a replayed session (or only of tensor ``only``).

    Beyond ``autograd_graph``: a step's tensor operands that do not require grad are drawn as
    greyed ``constant`` nodes, and a tensor made by a ``detach`` action is drawn next to the
    tensor it was cut from, joined by a ``cut`` edge.
    """
    namespace = {n: t for n, t in replay.namespace.items() if isinstance(t, engine.Tensor)}
    if only and only in namespace:
        outputs = [namespace[only]]
    else:
        outputs = [t for t in namespace.values() if t.requires_grad]
    graph = autograd_graph(outputs, namespace)
    steps = {step.name: step for step in replay.document.steps}
    for key, node in list(graph.nodes.items()):
        step = steps.get(node.tensor)
        if node.kind != "op" or step is None or namespace.get(node.tensor) is None:
            continue
        for index, operand in enumerate(step.operands):
            tensor = namespace.get(operand) if isinstance(operand, str) else None
            if tensor is None or tensor.requires_grad:
                continue
            source = _add_plain(graph, operand, tensor, replay)
            graph.edges.append(GraphEdge(source, key, index, tuple(tensor.shape), grad=False))
    for action in replay.document.actions:
        if action.kind != "detach" or action.new_name not in namespace:
            continue
        origin = graph.key_of_tensor(action.target)
        if origin is None and not (only and only in (action.target, action.new_name)):
            continue
        if origin is None and action.target in namespace:
            origin = _add_plain(graph, action.target, namespace[action.target], replay)
        cut = _add_plain(graph, action.new_name, namespace[action.new_name], replay)
        if origin is not None:
            graph.edges.append(GraphEdge(origin, cut, 0, tuple(namespace[action.new_name].shape),
                                         cut=True, grad=False))
    if not only:
        for name, tensor in namespace.items():
            if graph.key_of_tensor(name) is None and replay.origins.get(name) == "leaf":
                _add_plain(graph, name, tensor, replay)
    return graph


def _add_plain(graph, name, tensor, replay) -> str:
    """A node for a tensor outside the autograd graph (or a leaf that requires grad)."""
    existing = graph.key_of_tensor(name)
    if existing is not None:
        return existing
    key = _named_key(name)
    if tensor.requires_grad and tensor.grad_fn is None:
        return _add_leaf(graph, tensor, key, name)
    kind = "detached" if replay.origins.get(name) == "detached" else "constant"
    graph.nodes[key] = GraphNode(key, kind, "", name, tuple(tensor.shape))
    return key
