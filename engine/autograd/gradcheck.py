"""``engine.autograd.gradcheck``: check gradients against central finite differences.

``gradcheck(func, inputs)`` builds, for every input that requires grad and every output that
does, the analytical Jacobian (one backward walk per output element; with
``check_forward_ad=True`` also one forward walk per input element) and the numerical one
(``(f(x + eps) - f(x - eps)) / 2eps``, one input element at a time), and compares them with
``allclose(analytical, numerical, rtol, atol)``. Jacobians are laid out as PyTorch prints them:
one row per input element, one column per output element. Failures raise ``GradcheckError``
with PyTorch's message (or return False with ``raise_exception=False``).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np

from ..forward_ad import recording
from ..size import Size
from ..tensor import Tensor
from .functional import forward_columns

__all__ = ["GradcheckError", "gradcheck"]

FAST_FAIL_SLOW_OK_MSG = """
Fast gradcheck failed but element-wise differences are small. This means that the
test might've passed in slow_mode!

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck:

If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `fast_mode=False` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_fast_mode=False`
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_fast_mode=False`
""".strip()


class GradcheckError(RuntimeError):
    """Error raised by :func:`gradcheck`."""


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """Whether the gradients of ``func`` at ``inputs`` match finite differences.

    Parameters follow ``torch.autograd.gradcheck``. Use float64 inputs: float32 central
    differences are too coarse for the default tolerances (a warning says so).
    ``check_undefined_grad``, ``check_batched_grad``, ``check_batched_forward_grad`` and
    ``masked`` are accepted so that PyTorch code runs unchanged; the engine has no undefined
    gradients, vmap or sparse tensors, so there is nothing more for them to check.

    Returns
    -------
    bool
        True; False instead of raising ``GradcheckError`` when ``raise_exception=False``.
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True"
        )
    if check_batched_grad and not check_backward_ad:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_backward_ad to be True"
        )
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError(
            "Setting check_batched_forward_grad=True requires check_forward_ad to be True"
        )
    check = _Check(func, inputs, eps, atol, rtol, nondet_tol, check_grad_dtypes)
    try:
        check.run(check_backward_ad, check_forward_ad, fast_mode)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _as_tuple(value):
    if isinstance(value, tuple):
        return value
    if isinstance(value, list):
        return tuple(value)
    return (value,)


def _check_inputs(inputs):
    """PyTorch's warning for single precision, and its errors for unusable inputs."""
    any_requires_grad = False
    for index, inp in enumerate(inputs):
        if not (isinstance(inp, Tensor) and inp.requires_grad):
            continue
        if inp._data.dtype != np.float64:
            warnings.warn(
                f"Input #{index} requires gradient and is not a double precision floating point "
                "or complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                stacklevel=4,
            )
        if not all(st != 0 or n <= 1 for st, n in zip(inp._data.strides, inp._data.shape)):
            raise RuntimeError(
                f"The {index}th input has a dimension with stride 0. gradcheck only supports "
                "inputs that are non-overlapping to be able to compute the numerical gradients "
                "correctly. You should call .contiguous on the input before passing it to "
                "gradcheck."
            )
        any_requires_grad = True
    if not any_requires_grad:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of them "
            "have requires_grad=True."
        )


def _fmt(array):
    """How PyTorch's f-strings print a tensor: a 0-d one as its number."""
    array = np.asarray(array)
    return f"{array.item()}" if array.ndim == 0 else repr(Tensor._make(array))


def _mismatch(analytical, numerical, out_index, in_index, forward=False):
    mode = "computed with forward mode " if forward else ""
    return (
        f"Jacobian {mode}mismatch for output {out_index:d} with respect to input {in_index:d},\n"
        f"numerical:{_fmt(numerical)}\nanalytical:{_fmt(analytical)}\n"
    )


def _allclose(a, b, rtol, atol):
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


class _Check:
    """One gradcheck: the inputs, what ``func`` returned, and the Jacobians to compare."""

    def __init__(self, func, inputs, eps, atol, rtol, nondet_tol, check_grad_dtypes):
        self.func, self.eps, self.atol, self.rtol = func, eps, atol, rtol
        self.nondet_tol, self.check_grad_dtypes = nondet_tol, check_grad_dtypes
        self.inputs = _as_tuple(inputs)
        _check_inputs(self.inputs)
        self.diff_indices = [
            i for i, inp in enumerate(self.inputs) if isinstance(inp, Tensor) and inp.requires_grad
        ]
        self.diff_inputs = [self.inputs[i] for i in self.diff_indices]
        self.func_out = _as_tuple(func(*self.inputs))
        self.out_indices = [k for k, out in enumerate(self.func_out) if out.requires_grad]
        self.outputs = [self.func_out[k] for k in self.out_indices]

    def run(self, backward, forward, fast):
        if backward:
            self._fast(forward=False) if fast else self._slow(forward=False)
        if forward:
            self._fast(forward=True) if fast else self._slow(forward=True)
        if backward:
            self._backward_multiplies_by_grad_output()

    # -- numerical: central differences, perturbing the input's memory in place --------------------
    def _outputs_at(self, data, where, value):
        data[where] = value
        outs = _as_tuple(self.func(*self.inputs))
        return [np.array(out._data, copy=True) for out in outs]

    def _directional(self, inp, delta, where=...):
        """(f(x + delta) - f(x - delta)) / 2eps for every float output, flattened."""
        data = inp._data
        orig = np.array(data[where], copy=True)
        try:
            below = self._outputs_at(data, where, orig - delta)
            above = self._outputs_at(data, where, orig + delta)
        finally:
            data[where] = orig
        columns = []
        for a, b in zip(below, above):
            if a.shape != b.shape:
                on_index = "" if where is ... else f"on index {where} "
                raise AssertionError(
                    "Expected `func` to return outputs with the same shape when inputs are "
                    f"perturbed {on_index}by {self.eps}, but got: shapes {Size(a.shape)} and "
                    f"{Size(b.shape)}."
                )
            if a.dtype.kind != "f":  # integer and bool outputs have no derivative to compare
                columns.append(np.zeros(a.size))
                continue
            columns.append(((b - a) / (2 * self.eps)).reshape(-1))
        return columns

    def _numerical(self, inp):
        """Per output: the ``(inp.numel(), out.numel())`` numerical Jacobian."""
        jacobians = [
            np.zeros((inp.nelement(), out.nelement()), dtype=out._data.dtype)
            for out in self.func_out
        ]
        shape = inp._data.shape
        for row, where in enumerate(itertools.product(*(range(n) for n in shape))):
            for jacobian, column in zip(jacobians, self._directional(inp, self.eps, where)):
                jacobian[row] = column
        return jacobians

    # -- analytical --------------------------------------------------------------------------------
    def _backward_rows(self, output, seed):
        from . import grad

        grads = grad(output, self.diff_inputs, Tensor._make(seed), retain_graph=True,
                     allow_unused=True)
        for g, inp in zip(grads, self.diff_inputs):
            if g is not None and g._data.shape != inp._data.shape:
                raise GradcheckError("Analytical gradient has incorrect size")
            if self.check_grad_dtypes and g is not None and g.dtype != inp.dtype:
                raise GradcheckError("Gradient has dtype mismatch")
        return [None if g is None else g._data.reshape(-1) for g in grads]

    def _backward_jacobians(self, output):
        """Per input: ``(inp.numel(), out.numel())``, computed twice to check reentrancy."""
        runs = []
        for _ in range(2):
            jacobians = [
                np.zeros((inp.nelement(), output.nelement()), inp._data.dtype)
                for inp in self.diff_inputs
            ]
            for element in range(output.nelement()):
                seed = np.zeros(output.nelement(), output._data.dtype)
                seed[element] = 1
                rows = self._backward_rows(output, seed.reshape(output._data.shape))
                for jacobian, row in zip(jacobians, rows):
                    if row is not None:
                        jacobian[:, element] = row
            runs.append(jacobians)
        self._check_reentrant(*runs)
        return runs[0]

    def _check_reentrant(self, first, second):
        for a, b in zip(first, second):
            if a.size and np.abs(a - b).max() > self.nondet_tol:
                raise GradcheckError(
                    "Backward is not reentrant, i.e., running backward with same input and "
                    "grad_output multiple times gives different values, although analytical "
                    "gradient matches numerical gradient."
                    f"The tolerance for nondeterminism was {self.nondet_tol}."
                )

    def _forward_leaves_and_outputs(self):
        """Run ``func`` once with forward-mode recording on fresh leaves."""
        leaves = [inp.detach().requires_grad_(True) for inp in self.diff_inputs]
        args = list(self.inputs)
        for index, leaf in zip(self.diff_indices, leaves):
            args[index] = leaf
        with recording():
            outs = _as_tuple(self.func(*args))
        return leaves, [outs[k] for k in self.out_indices]

    def _forward_jacobians(self):
        """``[input][output]``: ``(inp.numel(), out.numel())`` from forward walks."""
        leaves, outputs = self._forward_leaves_and_outputs()
        columns = forward_columns(leaves, outputs, range(len(leaves)))
        return [[columns[i][j].T for i in range(len(outputs))] for j in range(len(leaves))]

    # -- slow mode: whole Jacobians ----------------------------------------------------------------
    def _slow(self, forward):
        if not self.outputs:
            return self._no_differentiable_outputs()
        numerical = [self._numerical(inp) for inp in self.diff_inputs]  # [input][func_out]
        analytical = self._forward_jacobians() if forward else None
        for i, (k, output) in enumerate(zip(self.out_indices, self.outputs)):
            per_input = None if forward else self._backward_jacobians(output)
            for j in range(len(self.diff_inputs)):
                a = analytical[j][i] if forward else per_input[j]
                n = numerical[j][k]
                if not _allclose(a, n, self.rtol, self.atol):
                    raise GradcheckError(_mismatch(a, n, i, j, forward))
        return True

    def _no_differentiable_outputs(self):
        for inp in self.diff_inputs:
            for out, jacobian in zip(self.func_out, self._numerical(inp)):
                if out._data.dtype.kind == "f" and np.count_nonzero(jacobian):
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return True

    # -- fast mode: vᵀJu with random unit vectors u (inputs) and v (outputs) -----------------------
    def _fast(self, forward):
        rng = np.random.default_rng(0)
        all_u = [_unit(rng, inp) for inp in self.diff_inputs]
        all_v = None if forward else [_unit(rng, out) for out in self.outputs]
        numerical = [  # [input][func_out]: J u by central differences along u
            self._directional(inp, (u * self.eps).reshape(inp._data.shape))
            for inp, u in zip(self.diff_inputs, all_u)
        ]
        if not self.outputs:
            for columns in numerical:
                if any(c.size and np.abs(c).max() > self.nondet_tol for c in columns):
                    raise GradcheckError("Numerical gradient for function expected to be zero")
            return True
        if forward:
            analytical = self._forward_ju(all_u)  # [input][output]: J u
        else:
            vjs = [self._vj(out, v) for out, v in zip(self.outputs, all_v)]  # [output][input]
        for j, u in enumerate(all_u):
            for i, k in enumerate(self.out_indices):
                n = numerical[j][k]
                atol = self.atol * float(u.sum())
                if forward:
                    a = analytical[j][i]
                else:
                    a = np.asarray(0.0 if vjs[i][j] is None else vjs[i][j] @ u)
                    n = np.asarray(all_v[i] @ n)
                    atol *= float(all_v[i].sum())
                if not _allclose(a, n, self.rtol, atol):
                    report = self._slow_report(j, i, forward)
                    raise GradcheckError(_mismatch(a, n, i, j, forward) + report)
        return True

    def _vj(self, output, v):
        """vᵀJ for one output, per input (flattened; None if unused), twice for reentrancy."""
        seed = v.reshape(output._data.shape)
        first, second = self._backward_rows(output, seed), self._backward_rows(output, seed)
        self._check_reentrant(
            [np.zeros(0) if r is None else r for r in first],
            [np.zeros(0) if r is None else r for r in second],
        )
        return first

    def _forward_ju(self, all_u):
        """``[input][output]``: J u by one forward walk per input."""
        from ..forward_ad import TangentGraph

        leaves, outputs = self._forward_leaves_and_outputs()
        graph = TangentGraph(leaves, outputs)
        try:
            result = []
            for j, (leaf, u) in enumerate(zip(leaves, all_u)):
                seeds = [None] * len(leaves)
                seeds[j] = u.reshape(leaf._data.shape)
                tangents = graph.push(seeds)
                result.append([
                    np.zeros(out.nelement(), out._data.dtype) if t is None else t.reshape(-1)
                    for out, t in zip(outputs, tangents)
                ])
        finally:
            graph.release()
        return result

    def _slow_report(self, in_index, out_index, forward):
        inp, output = self.diff_inputs[in_index], self.outputs[out_index]
        numerical = self._numerical(inp)[self.out_indices[out_index]]
        if forward:
            analytical = self._forward_jacobians()[in_index][out_index]
        else:
            analytical = self._backward_jacobians(output)[in_index]
        max_diff = np.abs(numerical - analytical).max()
        message = (
            "\nThe above quantities relating the numerical and analytical jacobians are computed "
            "\nin fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for more "
            "background \nabout fast mode. Below, we recompute numerical and analytical jacobians "
            "in slow mode:\n\n"
            f"Numerical:\n {_fmt(numerical)}\n"
            f"Analytical:\n{_fmt(analytical)}\n\n"
            f"The max per-element difference (slow mode) is: {max_diff}.\n"
        )
        if _allclose(analytical, numerical, self.rtol, self.atol):
            message += FAST_FAIL_SLOW_OK_MSG
        return message

    # -- backward must scale with the seed: a zero seed gives zero gradients -----------------------
    def _backward_multiplies_by_grad_output(self):
        from . import grad

        if not self.outputs:
            return
        seeds = [Tensor._make(np.zeros_like(out._data)) for out in self.outputs]
        grads = grad(self.outputs, self.diff_inputs, seeds, allow_unused=True)
        for g, inp in zip(grads, self.diff_inputs):
            if g is None:
                continue
            if np.count_nonzero(g._data):
                raise GradcheckError("backward not multiplied by grad_output")
            if g._data.dtype != inp._data.dtype:
                raise GradcheckError("grad is incorrect type")
            if g._data.shape != inp._data.shape:
                raise GradcheckError("grad is incorrect size")


def _unit(rng, tensor):
    """A random non-negative unit vector with one entry per element of ``tensor``."""
    vec = rng.random(tensor.nelement()).astype(tensor._data.dtype)
    norm = np.linalg.norm(vec)
    return vec / norm if norm else vec
