"""What the op palette says about an op: its PyTorch signature, its one-line doc and its
derivative formulas in PyTorch's vocabulary (``self: grad * other``).

The op table says how an op is called, not which autograd node it records (that depends on the
arguments: ``pow`` by a number is ``PowBackward0``, by a tensor ``PowBackward1``; ``sum`` with a
``dim`` is ``SumBackward1``). So the nodes are found the honest way: the op is run on tiny sample
tensors in each of its usual forms, and the ``grad_fn`` nodes it records are read, formulas and
all. A new op in the table gets its formulas here with no list to keep in step.
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import NamedTuple

import numpy as np

import engine
from engine.op_table import REQUIRED, OpSpec

from .ops import apply_op, op_spec

_VECTORS = ("vec", "vec2", "bias")  # operands that are 1-d even beside matrices
_NO_GRAD = ("target", "condition")
_SIZES = ((1, 0), (4,), (2, 2))  # tried in turn for a required shape-like parameter


class NodeFormulas(NamedTuple):
    """One autograd node an op records: ``MulBackward0`` and ``{"self": "grad * other", ...}``."""

    node: str
    formulas: dict[str, str]


def signature(spec: OpSpec) -> str:
    """``input + other``, ``input.sum(dim=None, keepdim=False)``, ``input.reshape(*shape)``,
    ``torch.cat(tensors, dim=0)``."""
    params = [_param_text(p) for p in spec.params]
    if spec.style == "operator":
        return f"{spec.operands[0]} {spec.symbol} {spec.operands[1]}"
    if spec.style == "function":
        return f"{spec.path}({', '.join([*spec.operands, *params])})"
    return f"{spec.operands[0]}.{spec.name}({', '.join([*spec.operands[1:], *params])})"


def _param_text(param) -> str:
    if param.default is not REQUIRED:
        return f"{param.name}={param.default!r}"
    # Sizes go positionally, as PyTorch writes them: x.reshape(*shape), x.permute(*dims).
    return f"*{param.name}" if param.kind == "ints" else param.name


@cache
def node_formulas(name: str) -> tuple[NodeFormulas, ...]:
    """The nodes op ``name`` records in its usual forms, each once, with their formulas.

    The first form that runs gives every node it records (``linear``: ``AddmmBackward0`` and the
    ``TBackward0`` of its weight); the other forms add the node they end in, when it differs
    (``pow`` by a number, then by a tensor). Empty for ops that record no node (comparisons give
    bool tensors, which need no grad).
    """
    spec = op_spec(name)  # in-place ops too: ``mul_`` records a MulBackward0 like ``mul``
    found: dict[str, NodeFormulas] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. mse_loss's size warning for a sample target
        for layout in _LAYOUTS:
            _run_forms(spec, layout, found)
            if found:
                break
    return tuple(found.values())


def _run_forms(spec: OpSpec, layout: str, found: dict[str, NodeFormulas]) -> None:
    if layout == "classes" and "target" not in spec.operands:
        return
    for operands, params in _forms(spec, layout):
        # Taken before the op runs: an in-place op gives its operand a new grad_fn.
        stop = {id(t.grad_fn) for t in _flat(operands) if getattr(t, "grad_fn", None)}
        try:
            result = apply_op(spec, operands, params)
        except Exception:  # noqa: BLE001 - a form this op does not take; try the next
            continue
        nodes = _nodes(getattr(result, "grad_fn", None), stop)
        for node in nodes if not found else nodes[:1]:
            found.setdefault(node.name(), NodeFormulas(node.name(), dict(node.formulas)))


# Class-index targets first (cross_entropy's usual form), then matrices, then vectors (dot).
_LAYOUTS = ("classes", "matrix", "vector")


def _forms(spec: OpSpec, layout: str):
    """Operands and parameters to run ``spec`` with: sample tensors, a number in place of a
    later operand that may be one (``x ** 2``), and each optional ``dim`` left out and given."""
    tensors = [_operand(name, layout) for name in spec.operands]
    if spec.variadic:
        tensors = [_operand("tensors", layout), _operand("tensors", layout)]
    for params in _param_forms(spec):
        for i, name in enumerate(spec.operands):
            if i > 0 and name in spec.numbers_ok:
                yield [*tensors[:i], 2.0, *tensors[i + 1:]], params
        yield tensors, params


def _param_forms(spec: OpSpec):
    required = [p for p in spec.params if p.default is REQUIRED]
    sized = [p for p in required if p.kind == "ints"]
    numbers = {p.name: 2.0 for p in required if p.kind in ("number", "float")}  # fill_(value)
    if len(required) != len(sized) + len(numbers):
        return  # an op needing a value we cannot guess
    bounds = {p.name: 0.5 for p in spec.params if p.optional and p.kind == "float"}
    for size in (_SIZES if sized else [None]):
        base = {**numbers, **{p.name: size for p in sized}}
        yield base
        if bounds:  # clamp: with no bound it refuses to run
            yield {**base, **bounds}
        for p in spec.params:
            if p.optional and p.default is None and p.kind == "int":
                yield {**base, p.name: 0}


def _operand(name: str, layout: str):
    if name == "target" and layout == "classes":
        return engine.tensor([0, 1])
    shape = (2,) if layout == "vector" or name in _VECTORS else (2, 2)
    if name == "condition":
        return engine.tensor(np.array([True, False][: shape[-1]] * (len(shape))).reshape(shape))
    values = np.linspace(0.2, 0.8, int(np.prod(shape)), dtype=np.float32).reshape(shape)
    if name in _NO_GRAD:
        return engine.tensor(values)
    # Not a leaf (x * 1), so in-place ops may run on it too; its MulBackward0 is not shown.
    return engine.tensor(values, requires_grad=True) * 1


def _flat(operands):
    for operand in operands:
        yield from (operand if isinstance(operand, list) else [operand])


def _nodes(root, stop: set[int]):
    """Every op node from ``root`` down to the operands (``stop``), breadth first; leaves'
    AccumulateGrad left out."""
    seen, queue, order = set(stop), [root] if root is not None else [], []
    while queue:
        node = queue.pop(0)
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if node.torch_name != "AccumulateGrad":
            order.append(node)
        queue.extend(child for child, _ in node.next_functions)
    return order
