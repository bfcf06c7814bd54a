"""Comparing a fuzz program's run in the engine with its run in PyTorch, step by step.

After each step its result (values with nan and inf exactly where PyTorch has them, dtype,
grad_fn name, requires_grad, is_leaf, retains_grad) or its error (type and message, "torch." read
as "engine.") must match; after each backward or in-place change, every value made so far and
every ``.grad`` that can be read.
"""

from __future__ import annotations

import re

import numpy as np

import engine
from tests.engine.fuzz_programs import (
    INCLUDE_KNOWN_ISSUES,
    Backward,
    InPlace,
    Op,
    Program,
    Runner,
    SetItem,
    ZeroGrads,
    is_tensor,
    render,
)


class Mismatch(AssertionError):
    """The engine and PyTorch disagree."""


# (rtol, atol): the same for float64, whose values often come through float32 ones (a sin near
# a multiple of pi, 1 ulp apart in numpy and torch, then divided by: relative errors of 1e-5)
TOLERANCE = {"float32": (2e-4, 1e-5), "float64": (2e-4, 1e-5)}


def _name(text) -> str:
    return str(text).replace("torch.", "engine.").replace("torch::", "engine::")


def _loosely(message: str) -> str:
    """Known issues: the in-place error names the saved tensor's type and node loosely
    (test_modified_saved_output_names_its_node_as_pytorch_does,
    test_modified_bool_condition_is_named_as_pytorch_names_it; a temporary view that died
    is named engine.Tensor)."""
    message = re.sub(r"\[(engine\.\w*Tensor|CPUBoolType) \[", "[engine.Tensor [", message)
    return re.sub(r", which is output \d+ of [^,]+,", "", message)


def outcome(runner: Runner, step):
    """``("ok", result)`` or ``("error", type name, message)`` of running ``step``."""
    try:
        return ("ok", runner.apply(step))
    except Exception as error:  # noqa: BLE001 - every error is compared with PyTorch's
        return ("error", type(error).__name__, _name(error))


def same_arrays(a: np.ndarray, b: np.ndarray) -> str:
    """'' when equal (floats: allclose, with nan and inf exactly where PyTorch has them)."""
    if a.shape != b.shape:
        return f"shape {a.shape} != {b.shape}"
    if a.dtype != b.dtype:
        return f"dtype {a.dtype} != {b.dtype}"
    if a.dtype.kind != "f":
        return "" if np.array_equal(a, b) else f"values\n{a}\n!= torch's\n{b}"
    if np.array_equal(a, b, equal_nan=True):  # the usual case, and fast
        return ""
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return f"nan positions differ:\n{a}\n!= torch's\n{b}"
    infinite = np.isinf(a) | np.isinf(b)
    if not np.array_equal(a[infinite], b[infinite]):
        return f"inf positions differ:\n{a}\n!= torch's\n{b}"
    finite = ~(np.isnan(a) | infinite)
    rtol, atol = TOLERANCE[str(a.dtype)]
    if not np.allclose(a[finite], b[finite], rtol=rtol, atol=atol):
        return f"values\n{a}\n!= torch's\n{b}"
    return ""


def _array(tensor) -> np.ndarray:
    if isinstance(tensor, engine.Tensor):
        return tensor._data
    return tensor.detach().numpy()


def describe(tensor) -> dict:
    """What a tensor shows a user, apart from its values and grad."""
    grad_fn = tensor.grad_fn
    return {
        "requires_grad": tensor.requires_grad,
        "is_leaf": tensor.is_leaf,
        "grad_fn": None if grad_fn is None else _name(grad_fn.name()),
        "retains_grad": tensor.retains_grad,
    }


def compare_values(ours, theirs, where: str):
    """Raise Mismatch unless two step results (tensors, None or other values) agree."""
    if is_tensor(ours) != is_tensor(theirs):
        raise Mismatch(f"{where}: engine gave {ours!r}, torch gave {theirs!r}")
    if not is_tensor(ours):
        if (ours is None) != (theirs is None):
            raise Mismatch(f"{where}: engine gave {ours!r}, torch gave {theirs!r}")
        return
    problem = same_arrays(_array(ours), _array(theirs))
    if problem:
        raise Mismatch(f"{where}: {problem}")
    mine, torchs = describe(ours), describe(theirs)
    if mine != torchs:
        raise Mismatch(f"{where}: engine {mine} != torch {torchs}")


def compare_outcomes(ours, theirs, where: str):
    if ours[0] != theirs[0]:
        raise Mismatch(f"{where}: engine {ours[1:]!r} but torch {theirs[1:]!r}")
    if ours[0] == "error":
        loose = not INCLUDE_KNOWN_ISSUES and ours[1:2] == theirs[1:2] and (
            _loosely(ours[2]) == _loosely(theirs[2]))
        if ours[1:] != theirs[1:] and not loose:
            raise Mismatch(f"{where}: engine raised {ours[1:]!r}\ntorch raised {theirs[1:]!r}")
        return
    compare_values(ours[1], theirs[1], where)


def compare_envs(mine: Runner, theirs: Runner, where: str):
    """Every value made so far, and every readable ``.grad``, agree."""
    for index, (ours, its) in enumerate(zip(mine.env, theirs.env, strict=True)):
        compare_values(ours, its, f"{where}, v{index}")
        if is_tensor(ours) and (ours.is_leaf or ours.retains_grad):
            compare_values(ours.grad, its.grad, f"{where}, v{index}.grad")


def run_and_compare(program: Program) -> list[str]:
    """Run ``program`` in the engine and in PyTorch side by side; raise Mismatch at the first
    difference. Results are compared after each step, everything after each backward. Returns
    the names of the ops that ran without error."""
    import torch

    mine, theirs = Runner(engine), Runner(torch)
    ran = []
    for index, step in enumerate(program.steps):
        where = f"v{index} = {render(step)}"
        theirs_outcome = outcome(theirs, step)
        compare_outcomes(outcome(mine, step), theirs_outcome, where)
        if isinstance(step, (Backward, ZeroGrads, InPlace, SetItem)):
            compare_envs(mine, theirs, where)
        if isinstance(step, Op) and theirs_outcome[0] == "ok":
            ran.append(step.name)
    compare_envs(mine, theirs, "at the end")
    return ran
