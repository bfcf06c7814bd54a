"""Programs for differential fuzzing: a small data structure, run step by step by one interpreter
with ``T`` = ``engine`` or ``torch`` (compared in ``fuzz_compare.py``).

A program is a tuple of steps; step ``i`` leaves its result (a tensor, or None) in slot ``i`` of the
environment, which later steps name with ``V(i)``. Nothing is ever executed from text.
"""

from __future__ import annotations

import operator
import os
import warnings
from dataclasses import dataclass

import engine
from engine import op_table as _op_table

OPERATORS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    ">": operator.gt, "<": operator.lt, "@": operator.matmul,
}
# Engine bugs outside the op files, each pinned by a strict xfail in test_fuzz_known_issues.py,
# are left out of the programs (fuzz_writes.py, fuzz_strategies.py) or, for two error messages,
# read loosely (fuzz_compare.py). FUZZ_KNOWN_ISSUES=1 draws and compares them too, to check a fix.
INCLUDE_KNOWN_ISSUES = os.environ.get("FUZZ_KNOWN_ISSUES") == "1"
INPLACE_METHODS = (
    "add_", "sub_", "mul_", "div_", "pow_", "clamp_", "exp_", "neg_", "relu_", "fill_",
    "zero_", "__iadd__", "__isub__", "__imul__", "__itruediv__",
)


def available_ops() -> dict:
    """The op table, without the ops whose engine function does not exist yet.

    While ``engine.nn.functional`` is being written, ``op_table()`` cannot be built; the table
    is then built with stand-ins (removed again at once) and the missing ops are left out.
    """
    try:
        return dict(_op_table.op_table())
    except AttributeError:
        pass
    functional = engine.nn.functional
    added = []
    for name in ("softmax", "log_softmax", "linear", "mse_loss", "binary_cross_entropy",
                 "binary_cross_entropy_with_logits", "cross_entropy"):
        if not hasattr(functional, name):
            setattr(functional, name, None)
            added.append(name)
    try:
        table = _op_table._build_table()
    finally:
        for name in added:
            delattr(functional, name)
    return {name: spec for name, spec in table.items() if spec.func is not None}


def _engine_has(spec) -> bool:
    if spec.style != "function":
        return True
    try:
        func = _resolve(engine, spec.path)
    except AttributeError:
        return False
    return "_missing_function" not in getattr(func, "__qualname__", "")


def missing_ops() -> list[str]:
    """Ops of the table that the engine does not offer yet (left out of the programs)."""
    return sorted(name for name, spec in available_ops().items() if not _engine_has(spec))


# -- the steps ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class V:
    """The value left by step ``index``."""

    index: int

    def __repr__(self):
        return f"v{self.index}"


@dataclass(frozen=True)
class Leaf:
    values: object  # nested lists of Python numbers (a number for 0-d)
    dtype: str
    requires_grad: bool = False
    empty_shape: tuple | None = None  # the shape of a leaf with no elements (lists lose it)


@dataclass(frozen=True)
class Op:
    """An op of the op table; ``operands`` are V, numbers, or a tuple of V (cat, stack)."""

    name: str
    operands: tuple
    params: tuple = ()
    no_grad: bool = False


@dataclass(frozen=True)
class GetItem:
    source: V
    key: object  # an index part, or a tuple of them; V stands for a tensor index
    no_grad: bool = False


@dataclass(frozen=True)
class InPlace:
    method: str
    target: V
    args: tuple = ()
    no_grad: bool = False


@dataclass(frozen=True)
class SetItem:
    target: V
    key: object
    value: object  # V or a number
    no_grad: bool = False


@dataclass(frozen=True)
class Detach:
    source: V
    how: str = "detach"  # or "detach_" or "data"


@dataclass(frozen=True)
class RetainGrad:
    source: V


@dataclass(frozen=True)
class Backward:
    target: V
    seed: object = None  # nested lists, or None for the implicit seed of a one-element output
    retain_graph: bool | None = None
    empty_shape: tuple | None = None  # the seed's shape when it has no elements


@dataclass(frozen=True)
class ZeroGrads:
    """``t.grad.zero_()`` (or ``t.grad = None``) for every leaf and retaining tensor."""

    set_none: bool = False


@dataclass(frozen=True)
class Program:
    steps: tuple

    def __repr__(self):
        lines = [f"    v{i} = {render(step)}" for i, step in enumerate(self.steps)]
        return "Program(\n" + "\n".join(lines) + "\n)"

    def _repr_pretty_(self, printer, cycle):  # how Hypothesis prints a failing example
        printer.text(repr(self))


def _render_key(key):
    parts = key if isinstance(key, tuple) else (key,)
    text = []
    for part in parts:
        if isinstance(part, slice):
            step = "" if part.step is None else f":{part.step}"
            text.append(f"{'' if part.start is None else part.start}:"
                        f"{'' if part.stop is None else part.stop}{step}")
        else:
            text.append("..." if part is Ellipsis else repr(part))
    if isinstance(key, tuple) and len(key) < 2:
        return "(" + "".join(t + "," for t in text) + ")"
    return ", ".join(text)


def render(step) -> str:
    """The step written as PyTorch code (``v3 = ...``), for reading a failing program."""
    prefix = "[no_grad] " if getattr(step, "no_grad", False) else ""
    if isinstance(step, Op):
        args = ", ".join(repr(v) for v in step.operands)
        return f"{prefix}{step.name}({args}{''.join(', ' + repr(p) for p in step.params)})"
    if isinstance(step, GetItem):
        return f"{prefix}{step.source!r}[{_render_key(step.key)}]"
    if isinstance(step, InPlace):
        return f"{prefix}{step.target!r}.{step.method}({', '.join(map(repr, step.args))})"
    if isinstance(step, SetItem):
        return f"{prefix}{step.target!r}[{_render_key(step.key)}] = {step.value!r}"
    if isinstance(step, Detach):
        return f"{step.source!r}.{step.how}{'' if step.how == 'data' else '()'}"
    if isinstance(step, RetainGrad):
        return f"{step.source!r}.retain_grad()"
    if isinstance(step, Backward):
        return f"{step.target!r}.backward({step.seed!r}, retain_graph={step.retain_graph})"
    if isinstance(step, ZeroGrads):
        return "grads = None" if step.set_none else "grads.zero_()"
    spec = step
    if spec.empty_shape is not None:
        return f"zeros({spec.empty_shape}, dtype={spec.dtype}, requires_grad={spec.requires_grad})"
    return f"tensor({spec.values!r}, dtype={spec.dtype}, requires_grad={spec.requires_grad})"


# -- the interpreter ---------------------------------------------------------------------------
def _resolve(T, path: str):
    target = T
    for part in path.split(".")[1:]:
        target = getattr(target, part)
    return target


OPS = {name: spec for name, spec in available_ops().items() if _engine_has(spec)}


def call_op(T, spec, operands, params):
    """Call an op the way PyTorch code spells it: operator, method (positional parameters,
    trailing Nones and defaults left out) or function (keyword parameters)."""
    if spec.style == "operator":
        return OPERATORS[spec.symbol](*operands)
    if spec.style == "function":
        func = _resolve(T, spec.path)
        keywords = {p.name: value for p, value in zip(spec.params, params)}
        if spec.variadic:
            return func(list(operands[0]), **keywords)
        return func(*operands, **keywords)
    params = list(params)  # trailing None, False, 'mean' left out, as the playground writes
    while params and any(params[-1] is v for v in (None, False, "mean")) and (
            params[-1] is None or params[-1] is spec.params[len(params) - 1].default):
        params.pop()
    if spec.suffix and (not params or params[0] is None):
        params = []  # x.max() has no keepdim
    result = getattr(operands[0], spec.name)(*operands[1:], *params)
    if spec.suffix and params:
        result = getattr(result, spec.suffix.lstrip("."))
    return result


class Runner:
    """Runs steps with ``T`` (``engine`` or ``torch``), keeping each result in ``env``."""

    def __init__(self, T):
        self.T = T
        self.env: list = []

    def value(self, item):
        if isinstance(item, V):
            return self.env[item.index]
        if isinstance(item, tuple):
            return tuple(self.value(i) for i in item)
        if isinstance(item, list):
            return list(item)
        return item

    def key(self, key):
        if isinstance(key, tuple):
            return tuple(self.value(part) for part in key)
        return self.value(key)

    def apply(self, step):
        """Run ``step``; its result (or None when it raised) is kept in the next slot."""
        self.env.append(None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if getattr(step, "no_grad", False):
                with self.T.no_grad():
                    result = self._run(step)
            else:
                result = self._run(step)
        self.env[-1] = result
        return result

    def _run(self, step):
        T = self.T
        if isinstance(step, Leaf):
            dtype = getattr(T, step.dtype)
            if step.empty_shape is not None:
                return T.zeros(step.empty_shape, dtype=dtype, requires_grad=step.requires_grad)
            return T.tensor(step.values, dtype=dtype, requires_grad=step.requires_grad)
        if isinstance(step, Op):
            operands = [self.value(v) for v in step.operands]
            return call_op(T, OPS[step.name], operands, step.params)
        if isinstance(step, GetItem):
            return self.value(step.source)[self.key(step.key)]
        if isinstance(step, InPlace):
            target = self.value(step.target)
            return getattr(target, step.method)(*(self.value(a) for a in step.args))
        if isinstance(step, SetItem):
            target = self.value(step.target)
            target[self.key(step.key)] = self.value(step.value)
            return None
        if isinstance(step, Detach):
            source = self.value(step.source)
            return source.data if step.how == "data" else getattr(source, step.how)()
        if isinstance(step, RetainGrad):
            return self.value(step.source).retain_grad()
        if isinstance(step, Backward):
            target = self.value(step.target)
            seed = None if step.seed is None else T.tensor(step.seed, dtype=target.dtype)
            if step.empty_shape is not None:
                seed = T.zeros(step.empty_shape, dtype=target.dtype)
            return target.backward(seed, retain_graph=step.retain_graph)
        if isinstance(step, ZeroGrads):
            for tensor in self.grad_holders():
                if step.set_none:
                    tensor.grad = None
                elif tensor.grad is not None:
                    tensor.grad.zero_()
            return None
        raise TypeError(f"unknown step {step!r}")

    def grad_holders(self):
        """Each distinct tensor in ``env`` whose ``.grad`` may be read without a warning."""
        seen = set()
        for value in self.env:
            if is_tensor(value) and id(value) not in seen and (value.is_leaf or value.retains_grad):
                seen.add(id(value))
                yield value


def is_tensor(value) -> bool:
    return isinstance(value, engine.Tensor) or type(value).__name__ in ("Tensor", "Parameter")
