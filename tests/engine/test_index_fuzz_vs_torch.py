"""Differential fuzzing of indexing: random ``x[key]`` and ``x[key] = value`` programs (see
``test_index_programs.py``) run in the engine and in PyTorch must agree on everything a user can
see: values, shape, dtype, grad_fn name, requires_grad, is_leaf, whether the result is a view
(and so follows a later change of x), version counters, the repr, ``.grad`` after one backward
and after a second, and the error type and message whenever PyTorch raises. The gradients are
also checked by finite differences (float64 programs, engine alone).

400 seeded programs per run. For a long local run:
``python -m tests.engine.test_index_fuzz_vs_torch 20000`` lists every program that differs.
"""

from __future__ import annotations

import os
import random
import sys
import warnings

import numpy as np
import pytest

import engine
from tests.engine.test_index_programs import IndexProgram, build_part, draw_program, run_key

PROGRAMS = int(os.environ.get("INDEX_FUZZ_PROGRAMS", "400"))
FAILED = object()


def _text(value) -> str:
    return str(value).replace("torch.", "engine.").replace("torch::", "engine::")


def _array(tensor) -> np.ndarray:
    if isinstance(tensor, engine.Tensor):
        return np.array(tensor._data, copy=True)
    return tensor.detach().numpy().copy()


def describe(tensor, is_grad=False):
    """What a user sees of a tensor (None stays None). A .grad's version counter is left out:
    PyTorch's depends on how the backward formula built the array."""
    if tensor is None:
        return None
    seen = {
        "values": _array(tensor), "grad_fn": None if tensor.grad_fn is None else _text(
            tensor.grad_fn.name()),
        "requires_grad": tensor.requires_grad, "is_leaf": tensor.is_leaf,
        "is_view": tensor._base is not None, "version": tensor._version,
        "repr": _text(repr(tensor)),
    }
    if is_grad:
        del seen["version"]
    return seen


def seed_for(T, like):
    """The same backward seed in both libraries: small distinct numbers of ``like``'s shape."""
    count = int(np.prod(tuple(like.shape), dtype=np.int64))
    if count == 0:  # (a nested empty list would lose the dims after the first 0)
        return T.zeros(tuple(like.shape), dtype=like.dtype)
    values = (np.arange(count) % 7 - 2.5).reshape(tuple(like.shape))
    return T.tensor(values.tolist(), dtype=like.dtype)


def make_leaf(T, program: IndexProgram, values=None, grad=None):
    requires_grad = program.role != "plain" if grad is None else grad
    leaf = T.tensor(program.values if values is None else values,
                    dtype=getattr(T, program.dtype))
    if program.role == "viewleaf":  # a leaf that is a view of another tensor
        leaf = leaf.view(-1).view(tuple(program.shape))
    return leaf.requires_grad_(requires_grad)


def make_x(program: IndexProgram, leaf):
    if program.role == "nonleaf":
        return leaf * 1
    return (leaf * 1)[...] if program.role == "view" else leaf  # a view: writes go through


def make_value(T, program: IndexProgram, values=None):
    write = program.write
    if write[0] == "number":
        return write[1]
    return T.tensor(write[1] if values is None else values, dtype=getattr(T, write[2]),
                    requires_grad=write[3])


def observe(T, program: IndexProgram) -> list:
    """Run ``program`` with ``T`` (engine or torch); what was seen at each step, in order, then
    the warnings given."""
    with warnings.catch_warnings(record=True) as given:
        warnings.simplefilter("always")
        seen = _observe(T, program)
    return seen + [("warnings", [_text(w.message).split(" (Triggered internally")[0]
                                 for w in given])]


def _observe(T, program: IndexProgram) -> list:
    seen = []

    def attempt(label, call):
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - every error is compared with PyTorch's
            seen.append((label, "raised", type(error).__name__, _text(error)))
            return FAILED

    leaf = make_leaf(T, program)
    x = make_x(program, leaf)
    if program.write is None:
        y = attempt("y = x[key]", lambda: run_key(T, program, x))
        if y is FAILED:
            return seen
        seen.append(("y = x[key]", describe(y)))
        if y.requires_grad:
            seed = seed_for(T, y)
            for label in ("y.backward(seed)", "y.backward(seed) again"):
                if attempt(label, lambda: y.backward(seed)) is not FAILED:
                    seen.append((label, describe(leaf.grad, is_grad=True)))
        with T.no_grad():
            x.add_(1)  # a view of x sees it and counts it; a copy does not
        # (PyTorch then names y's grad_fn AsStridedBackward0 if it is a view: not compared)
        seen.append(("after x.add_(1), y", _array(y), y._version, x._version))
        return seen
    value = make_value(T, program)
    if attempt("x[key] = value", lambda: _setitem(T, program, x, value)) is FAILED:
        return seen
    seen.append(("x[key] = value", describe(x)))
    if x.requires_grad and not x.is_floating_point():  # PyTorch refuses any op on it: see
        return seen  # test_an_int_tensor_put_in_a_graph_by_a_write_refuses_further_ops (xfail)
    if x.requires_grad:
        if attempt("backward", lambda: (x * seed_for(T, x)).sum().backward()) is FAILED:
            return seen
        # (a leaf that did not require grad is no leaf once a value that does is written in)
        grads = [leaf.grad if leaf.is_leaf else "no leaf",
                 value.grad if getattr(value, "is_leaf", False) else None]
        seen.append(("backward", [g if isinstance(g, str) else describe(g, is_grad=True)
                                  for g in grads]))
    return seen


def _setitem(T, program, x, value):
    parts = [build_part(T, p) for p in program.parts]
    x[parts[0] if program.bare else tuple(parts)] = value


def differences(ours: list, theirs: list) -> str:
    """'' when the two runs agree, else the first difference."""
    from tests.engine.fuzz_compare import same_arrays

    def walk(a, b, where):
        if isinstance(b, np.ndarray):
            problem = same_arrays(a, b) if isinstance(a, np.ndarray) else f"{a!r} is no array"
            return f"{where}: {problem}" if problem else ""
        if isinstance(b, dict) and isinstance(a, dict):
            return next((p for k in b if (p := walk(a.get(k), b[k], f"{where}.{k}"))), "")
        if isinstance(b, (list, tuple)) and isinstance(a, (list, tuple)) and len(a) == len(b):
            return next((p for i, (u, v) in enumerate(zip(a, b)) if (p := walk(u, v, where))), "")
        return "" if a == b else f"{where}: engine {a!r}\n   torch  {b!r}"

    for mine, its in zip(ours, theirs):
        problem = walk(mine, its, its[0])
        if problem:
            return problem
    if len(ours) != len(theirs):
        return f"engine saw {[s[0] for s in ours]}, torch {[s[0] for s in theirs]}"
    return ""


def check_program(seed: int) -> str:
    """'' when the program drawn from ``seed`` runs alike in both libraries."""
    import torch

    program = draw_program(random.Random(seed))
    problem = differences(observe(engine, program), observe(torch, program))
    return f"seed {seed}:\n{program}\n-> {problem}" if problem else ""


# -- finite differences --------------------------------------------------------------------------
def _loss(program: IndexProgram, values, value_values):
    """sum(seed * result) with the engine and no autograd: the function backward differentiates."""
    x = make_leaf(engine, program, values, grad=False)
    if program.write is None:
        out = run_key(engine, program, x)
    else:
        value = make_value(engine, program, value_values)
        if not isinstance(value, (int, float, bool)):
            value = value.detach()
        _setitem(engine, program, x, value)
        out = x
    return float((out._data * _seed(out)).sum())


def _seed(out):
    return seed_for(engine, out)._data


def _numeric_grad(program, which: str):
    leaf_values = np.array(program.values, dtype=np.float64)
    value_values = np.array(program.write[1], dtype=np.float64) if which == "value" else None
    point = leaf_values if which == "leaf" else value_values
    grad, eps = np.zeros_like(point), 1e-4
    for i in np.ndindex(point.shape):
        shifted = []
        for step in (eps, -eps):
            moved = point.copy()
            moved[i] += step
            args = (moved.tolist(), None) if which == "leaf" else (
                leaf_values.tolist(), moved.tolist())
            shifted.append(_loss(program, *args))
        grad[i] = (shifted[0] - shifted[1]) / (2 * eps)
    return grad


def finite_difference_problem(program: IndexProgram) -> str:
    """'' unless the engine's .grad differs from central differences (float64 only)."""
    write = program.write
    if program.dtype != "float64" or program.role == "plain" or (
            write is not None and write[0] == "tensor" and write[2] != "float64"):
        return ""
    leaf = make_leaf(engine, program)
    x = make_x(program, leaf)
    try:
        if write is None:
            out = run_key(engine, program, x)
        else:
            value = make_value(engine, program)
            _setitem(engine, program, x, value)
            out = x
    except Exception:  # noqa: BLE001 - errors are compared with PyTorch's elsewhere
        return ""
    (out * seed_for(engine, out)).sum().backward()
    checks = [("leaf", leaf.grad)]
    if write is not None and write[0] == "tensor" and write[3] and _writes_each_place_once(
            program, x.shape):
        # A place written twice (x[[0, 0]] = v) keeps the last write, but backward, as in
        # PyTorch, sends v the gradient of both: not the derivative, so not checked here.
        checks.append(("value", value.grad))
    for which, grad in checks:
        expected = _numeric_grad(program, which)
        got = np.zeros_like(expected) if grad is None else grad._data
        if not np.allclose(got, expected, atol=1e-6):
            return f"{which}.grad {got} != finite differences {expected}\n{program}"
    return ""


def _writes_each_place_once(program: IndexProgram, shape) -> bool:
    """Whether the program's key names each place of a tensor of ``shape`` at most once: read
    with the same key, a tensor of place numbers gives the places the write goes to."""
    places = engine.arange(float(np.prod(shape)), dtype=engine.float64).reshape(shape)
    parts = [build_part(engine, p) for p in program.parts]
    written = places[parts[0] if program.bare else tuple(parts)]._data.reshape(-1)
    return np.unique(written).size == written.size


# -- tests ---------------------------------------------------------------------------------------
def test_random_index_programs_match_torch():
    pytest.importorskip("torch")
    problems = [p for p in map(check_program, range(PROGRAMS)) if p]
    assert not problems, f"{len(problems)} of {PROGRAMS} differ; the first:\n{problems[0]}"


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")  # compared with torch's above
def test_random_index_programs_grads_match_finite_differences():
    problems = []
    for seed in range(PROGRAMS):
        problem = finite_difference_problem(draw_program(random.Random(seed)))
        if problem:
            problems.append(f"seed {seed}: {problem}")
    assert not problems, f"{len(problems)} differ; the first:\n{problems[0]}"


def test_the_programs_cover_every_kind_of_index():
    """The fuzzer draws what it promises: each index form, reads and writes, and errors."""
    kinds = set()
    for seed in range(PROGRAMS):
        program = draw_program(random.Random(seed))
        for part in program.parts:
            kinds.add(part[0] if part[0] != "tensor" else (
                "tensor", np.ndim(part[1]) if part[2] != "bool" else "mask", part[2]))
        kinds.add("write" if program.write else "read")
    for kind in ("int", "slice", "none", "ellipsis", "bool", "list", ("tensor", 0, "int64"),
                 ("tensor", 1, "int64"), ("tensor", 2, "int64"), ("tensor", "mask", "bool"),
                 ("tensor", 0, "float32"), "write", "read"):
        assert kind in kinds, kind


if __name__ == "__main__":  # python -m tests.engine.test_index_fuzz_vs_torch COUNT [FIRST_SEED]
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    found = [p for p in map(check_program, range(first, first + count)) if p]
    for problem in found:
        print(problem, end="\n\n")
    print(f"{len(found)} of {count} programs differ")
