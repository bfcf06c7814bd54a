"""Powers: ``tensor ** number`` (PowBackward0), ``tensor ** tensor`` (PowBackward1) and
``number ** tensor`` (PowBackward2), with PyTorch's dtypes, integer rules and edge values.

Like the other elementwise ops (``binary.py``), forwards pass results through ``laid_out`` and
backwards return gradients in the broadcast shape.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..function import Function, record, sum_tangents
from ..tensor import Tensor
from ._args import elementwise, is_number, to_arrays
from .binary import _check_no_bool, _is_bool
from .layout import laid_out


def _power(base, exponent):
    """``base ** exponent`` elementwise; integers to negative powers as C computes them (1 / x
    truncated: 1 and -1 stay ±1, everything else is 0), where numpy refuses."""
    if base.dtype.kind == "f":
        return np.power(base, exponent)  # a scalar for 0-d: the callers make it an array
    if not np.any(exponent < 0):
        return np.asarray(np.power(base, exponent)).astype(base.dtype, copy=False)  # bool stays
    negative = exponent < 0
    power = np.power(base, np.where(negative, 0, exponent))
    odd = (exponent % 2).astype(bool)
    special = np.where(base == 1, 1, np.where(base == -1, np.where(odd, -1, 1), 0))
    return np.asarray(np.where(negative, special, power).astype(power.dtype))


def _power_scalar(x, exponent):
    """``x ** exponent`` as PyTorch computes it: 0.5 and -0.5 by sqrt and rsqrt (so -inf ** 0.5
    is nan and -0 ** -0.5 is -inf, where C's pow gives inf and inf)."""
    if x.dtype.kind == "f" and exponent in (0.5, -0.5):
        root = np.sqrt(x)
        return np.asarray(root if exponent > 0 else np.reciprocal(root))
    return _power(x, np.asarray(exponent, dtype=x.dtype))


class PowScalar(Function):
    """``tensor ** number``."""

    torch_name = "PowBackward0"
    formulas = {"self": "pow_backward(grad, self, exponent)  # grad * exponent * self^(exponent-1)"}

    def forward(self, x, exponent):
        self.save_input("self", 0, x)
        self.exponent = exponent
        return laid_out(_power_scalar(x, exponent), x)

    def _times_derivative(self, grad, x):
        if self.exponent == 0:  # zeros, whatever the gradient (even inf or nan), as PyTorch
            return np.zeros(np.broadcast_shapes(grad.shape, x.shape), dtype=grad.dtype)
        power = x if self.exponent == 2 else _power_scalar(x, self.exponent - 1)  # x ** 1 is x
        return grad * (self.exponent * power)

    def backward(self, grad):
        return self._times_derivative(grad, self.saved("self"))

    def jvp(self, t):
        return self._times_derivative(t, self._fw_inputs[0])


class PowTensor(Function):
    """``tensor ** tensor``."""

    torch_name = "PowBackward1"
    formulas = {
        "self": "pow_backward_self(grad, self, exponent)  # grad * exponent * self^(exponent-1)",
        "exponent": "pow_backward_exponent(grad, self, exponent, result)"
        "  # grad * result * log(self)",
    }

    def forward(self, a, b, bool_exponent=False):
        self.save_input("self", 0, a)
        self.save_input("exponent", 1, b)
        self.bool_exponent = bool_exponent
        out = laid_out(_power(a, b), a, b)
        self.save_result(out)  # even when only self needs grad, as PyTorch does
        return out

    @staticmethod
    def _for_self(grad, a, b):  # masked: where the exponent is 0 the gradient is 0, even inf
        return np.where(b == 0, np.zeros((), grad.dtype), grad * (b * np.power(a, b - 1)))

    @staticmethod
    def _for_exponent(grad, a, b, result):  # not masked: grad * 0 there (nan stays nan)
        return grad * np.where((a == 0) & (b >= 0), np.zeros((), grad.dtype), result * np.log(a))

    def backward(self, grad):
        b = self.saved("exponent")  # checked first, as PyTorch unpacks it first
        a = self.saved("self")
        result = self.saved("result")  # checked as PyTorch checks it, even when not used
        ga = gb = None
        if self.needs_input_grad[0]:
            if self.bool_exponent:  # PyTorch's formula takes exponent - 1 of the bool tensor
                _check_no_bool(True, 1)
            ga = self._for_self(grad, a, b)
        if self.needs_input_grad[1]:
            gb = self._for_exponent(grad, a, b, result)
        return ga, gb

    def jvp(self, ta, tb):
        a, b = self._fw_inputs
        da = None if ta is None else self._for_self(ta, a, b)
        db = None if tb is None else self._for_exponent(tb, a, b, self._fw_result)
        return sum_tangents(da, db)


class PowScalarBase(Function):
    """``number ** tensor``."""

    torch_name = "PowBackward2"
    formulas = {
        "exponent": "pow_backward_exponent(grad, self, exponent, result)"
        "  # grad * result * log(self)"
    }

    def forward(self, x, base):
        self.base = base
        out = laid_out(_power(np.asarray(base, dtype=x.dtype), x), x)
        self.save_result(out)
        return out

    def _derivative(self, result):
        log_base = np.log(np.asarray(self.base, dtype=result.dtype))
        if self.base == 0:  # 0 where the exponent is >= 0 (result 0 or 1), else result * log(0)
            return np.where(np.isfinite(result), np.zeros((), result.dtype), result * log_base)
        return result * log_base

    def backward(self, grad):
        return grad * self._derivative(self.saved("result"))

    def jvp(self, t):
        return t * self._derivative(self._fw_result)


def pow(base, exponent):  # noqa: A001 - PyTorch's name
    if type(base) is Tensor and type(exponent) in (int, float) and base._data.dtype.kind == "f":
        # The commonest case, decided at once: a float tensor keeps its dtype for a number.
        return record(PowScalar, (base,), (base._data,), exponent)
    if isinstance(base, Tensor) and is_number(exponent):
        dtype = dtypes.result_type((base, exponent))
        if not dtype.is_floating_point and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        (data,) = to_arrays((base,), dtype)
        return record(PowScalar, (base,), (data,), exponent)
    if dtypes.result_type((base, exponent)) is dtypes.bool:  # only a bool tensor ** a number
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if is_number(base) and isinstance(exponent, Tensor):
        dtype = dtypes.result_type((base, exponent))
        (data,) = to_arrays((exponent,), dtype)
        return record(PowScalarBase, (exponent,), (data,), base)
    return elementwise(PowTensor, (base, exponent), _is_bool(exponent))
