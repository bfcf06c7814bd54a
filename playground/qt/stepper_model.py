"""The backward pass one node at a time, on a private replay of the session (no Qt here).

``BackwardRun`` wraps ``engine.autograd.backward_steps``: each ``step()`` processes one node and
returns a ``StepRecord`` with what the node received, what it sent to each input (and, for an
input that was broadcast, the gradient before it was summed back to the input's shape), and for
an ``AccumulateGrad`` the leaf's ``.grad`` before and after. ``substituted`` writes a node's
derivative formula with the numbers of one element put in.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np

import engine
from engine.function import AccumulateGrad
from playground.session.runner import Replay

from .graph_model import AutogradGraph, autograd_graph


@dataclass
class SentGrad:
    """The gradient a node sent to one input: ``grad`` in the input's shape, ``broadcast`` the
    same before ``sum_to`` undid broadcasting (None when no broadcasting happened)."""

    index: int
    input_name: str
    formula: str
    key: str
    grad: np.ndarray | None
    broadcast: np.ndarray | None = None


@dataclass
class StepRecord:
    number: int
    key: str
    name: str
    tensor: str
    grad_output: np.ndarray
    sent: list[SentGrad] = field(default_factory=list)
    before: np.ndarray | None = None  # AccumulateGrad: the leaf's .grad before this step
    after: np.ndarray | None = None
    values: dict = field(default_factory=dict)  # vocabulary -> array or number, for formulas

    @property
    def is_accumulate(self) -> bool:
        return self.name == "AccumulateGrad"


class BackwardRun:
    """``target.backward(seed, retain_graph)`` of a replayed session, node by node.

    Parameters
    ----------
    replay : a private ``Replay`` (it is changed: leaves' ``.grad`` accumulate).
    target : the name of the tensor to call backward on.
    seed : the array v (None for an implicit scalar seed).
    retain_graph : whether saved tensors are kept after each node, as in ``backward``.

    ``error`` holds PyTorch's message when backward refuses to start (freed graph, missing
    seed, ...).
    """

    def __init__(self, replay: Replay, target: str, seed=None, retain_graph: bool = False):
        self.replay = replay
        self.target = target
        self.retain_graph = retain_graph
        self.records: list[StepRecord] = []
        self.finished = False
        self.error: str | None = None
        namespace = {n: t for n, t in replay.namespace.items() if isinstance(t, engine.Tensor)}
        self.graph: AutogradGraph = AutogradGraph()
        self._steps = None
        tensor = namespace.get(target)
        if tensor is None:
            self.error = f"name '{target}' is not defined"
            self.finished = True
            return
        self.graph = autograd_graph([tensor], namespace)
        gradient = None if seed is None else engine.tensor(np.asarray(seed))
        try:
            # retain_graph=True: this run frees each node itself, after it has also read the
            # gradient at the broadcast shape (see ``step``).
            self._steps = engine.autograd.backward_steps(tensor, gradient, retain_graph=True)
        except Exception as error:
            self.error = str(error)
            self.finished = True

    def step(self) -> StepRecord | None:
        """Process one node; None when the pass is over (or could not start)."""
        if self.finished:
            return None
        leaves = self._leaf_grads()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                step = next(self._steps)
        except StopIteration:
            self.finished = True
            return None
        except Exception as error:  # a freed graph, an in-place change: what torch says
            self.error = str(error)
            self.finished = True
            return None
        record = self._record(step, leaves)
        if not self.retain_graph and not isinstance(step.node, AccumulateGrad):
            step.node.release()
        self.records.append(record)
        return record

    def run_to_end(self) -> None:
        while self.step() is not None:
            pass

    def leaf_grad(self, name: str):
        tensor = self.replay.namespace.get(name)
        grad = None if tensor is None else tensor.grad
        return None if grad is None else np.array(grad.detach().numpy(), copy=True)

    def _leaf_grads(self) -> dict:
        grads = {}
        for key, node in self.graph.nodes.items():
            if node.kind == "leaf" and node.fn is not None:
                grad = node.fn.variable.grad
                grads[key] = None if grad is None else np.array(grad.numpy(), copy=True)
        return grads

    def _record(self, step, leaves) -> StepRecord:
        node = step.node
        key = self.graph.key_of(node) or ""
        graph_node = self.graph.nodes.get(key)
        name = "AccumulateGrad" if isinstance(node, AccumulateGrad) else node.name()
        record = StepRecord(len(self.records) + 1, key, name,
                            graph_node.tensor if graph_node else "", np.asarray(step.grad_output))
        if isinstance(node, AccumulateGrad):
            record.before = leaves.get(key)
            grad = node.variable.grad
            record.after = None if grad is None else np.array(grad.numpy(), copy=True)
            return record
        record.values = _vocabulary(node)
        raw = _raw_backward(node, step.grad_output)
        names = list(node.formulas)
        for index, ((child, _), sent) in enumerate(zip(node.next_functions, step.grad_inputs)):
            if child is None:
                continue
            input_name = names[index] if index < len(names) else f"input {index}"
            formula = node.formulas.get(input_name, "")
            wide = raw[index] if raw is not None and index < len(raw) else None
            broadcast = None
            if sent is not None and wide is not None and np.shape(wide) != np.shape(sent):
                broadcast = np.asarray(wide)
            record.sent.append(SentGrad(index, input_name, formula, self.graph.key_of(child) or "",
                                        None if sent is None else np.asarray(sent), broadcast))
        return record


def summed_dims(wide: tuple, narrow: tuple) -> str:
    """The dimensions of ``wide`` that ``sum_to`` sums to reach ``narrow``: ``0`` or ``0, 2``."""
    lead = len(wide) - len(narrow)
    dims = list(range(lead)) + [lead + i for i, n in enumerate(narrow)
                                if n == 1 and wide[lead + i] != 1]
    return ", ".join(str(d) for d in dims)


def _raw_backward(node, grad):
    """What the node's formula gives, before the walk sums it to the inputs' shapes."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = node.backward(grad)
    except Exception:
        return None
    return result if isinstance(result, tuple) else (result,)


def _vocabulary(node) -> dict:
    """The names a formula may use: saved tensors (``self``, ``result``, ...) and numbers the op
    keeps (``exponent``, ``alpha``)."""
    values = {}
    for name, value in vars(node).items():
        if not name.startswith("_") and isinstance(value, (int, float)) and not isinstance(
                value, bool):
            values[name] = value
    if not node.is_released:
        for name in node.saved_names:
            try:
                values[name] = np.asarray(node.saved(name))
            except Exception:
                pass
    return values


_NAME = re.compile(r"[A-Za-z_]\w*")
_FUNCTIONS = {"exp", "log", "sqrt", "sigmoid", "tanh", "sin", "cos", "abs", "sign", "conj"}


def readable(formula: str) -> str:
    """The formula as a learner reads it: the comment after ``#`` when there is one."""
    return formula.split("#", 1)[1].strip() if "#" in formula else formula.strip()


def substituted(record: StepRecord, sent: SentGrad, element: tuple) -> str | None:
    """``grad * exponent * self^(exponent-1) = 1 * 2 * 2^(2-1) = 4`` at ``element`` (an index
    of ``grad_output``), or None when the formula is not elementwise (``grad.t()``, ``mean``)."""
    text = readable(sent.formula)
    shape = record.grad_output.shape
    wide = sent.broadcast if sent.broadcast is not None else sent.grad
    if wide is None or np.shape(wide) != shape or len(element) != len(shape):
        return None
    numbers = {"grad": record.grad_output}
    numbers.update(record.values)
    pieces = []
    position = 0
    for match in _NAME.finditer(text):
        word = match.group(0)
        called = text[match.end():].lstrip().startswith("(")
        if word in _FUNCTIONS or called or text[match.start() - 1:match.start()] == ".":
            continue
        if word not in numbers:
            return None
        value = _at(numbers[word], shape, element)
        if value is None:
            return None
        pieces.append(text[position:match.start()])
        pieces.append(_short(value))
        position = match.end()
    if not pieces:
        return None
    pieces.append(text[position:])
    where = ", ".join(str(i) for i in element)
    numbers_in = "".join(pieces)
    result = _short(wide[element])
    if numbers_in.strip() == result:
        return f"at [{where}]:  {text}  =  {result}"
    return f"at [{where}]:  {text}  =  {numbers_in}  =  {result}"


def _at(value, shape, element):
    if isinstance(value, (int, float)):
        return value
    value = np.asarray(value)
    try:
        return np.broadcast_to(value, shape)[element].item()
    except ValueError:
        return None


def _short(value) -> str:
    value = float(value)
    if value == round(value) and abs(value) < 1e6:
        return f"{value:.0f}"
    return f"{value:.4g}"
