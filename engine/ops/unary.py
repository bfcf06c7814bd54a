"""Elementwise functions of one tensor: neg, abs, exp, log, sqrt, sin, cos, tanh, sigmoid, relu,
clamp, reciprocal, clone, and dtype conversion.

Each class: ``forward`` on arrays (saving what PyTorch saves), ``backward`` from the output's
gradient, ``jvp`` from the input's tangent. ``formulas`` use derivatives.yaml's words. Forwards
pass results through ``laid_out``: a tensor's data is always an array (numpy gives a scalar for
0-d operands), writable in place, laid out in memory as PyTorch's.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..function import Function, record
from ..tensor import Tensor
from ._args import as_tensor
from .layout import laid_out


def _unary(cls, x, *params):
    if type(x) is not Tensor:
        x = as_tensor(x)
    return record(cls, (x,), (x._data,), *params)


def _float_unary(cls, x):
    """``cls`` on x's data as floating point: integer inputs of exp, sin, ... give the default
    float32."""
    if type(x) is not Tensor:
        x = as_tensor(x)
    data = x._data
    return record(cls, (x,), (data if data.dtype.kind == "f" else data.astype(np.float32),))


class Neg(Function):
    torch_name = "NegBackward0"
    formulas = {"self": "grad.neg()"}

    def forward(self, x):
        if x.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                "to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return laid_out(np.negative(x), x)

    def backward(self, grad):
        return -grad

    def jvp(self, t):
        return -t


class Abs(Function):
    torch_name = "AbsBackward0"
    formulas = {"self": "grad * self.sgn()"}

    def forward(self, x):
        if x.dtype.kind == "b":
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        self.save_input("self", 0, x)
        return laid_out(np.abs(x), x)

    @staticmethod
    def _sgn(x):
        return np.sign(np.where(np.isnan(x), 0, x))  # PyTorch's sgn(nan) is 0

    def backward(self, grad):
        return grad * self._sgn(self.saved("self"))

    def jvp(self, t):
        return t * self._sgn(self._fw_inputs[0])


class Exp(Function):
    torch_name = "ExpBackward0"
    formulas = {"self": "grad * result"}

    def forward(self, x):
        out = laid_out(np.exp(x), x)
        self.save_result(out)
        return out

    def backward(self, grad):
        return grad * self.saved("result")

    def jvp(self, t):
        return t * self._fw_result


class Log(Function):
    torch_name = "LogBackward0"
    formulas = {"self": "grad.div(self.conj())"}

    def forward(self, x):
        self.save_input("self", 0, x)
        return laid_out(np.log(x), x)

    def backward(self, grad):
        return grad / self.saved("self")

    def jvp(self, t):
        return t / self._fw_inputs[0]


class Sqrt(Function):
    torch_name = "SqrtBackward0"
    formulas = {"self": "grad / (2 * result.conj())"}

    def forward(self, x):
        out = laid_out(np.sqrt(x), x)
        self.save_result(out)
        return out

    def backward(self, grad):
        return grad / (2 * self.saved("result"))

    def jvp(self, t):
        return t / (2 * self._fw_result)


class Sin(Function):
    torch_name = "SinBackward0"
    formulas = {"self": "grad * self.cos().conj()"}

    def forward(self, x):
        self.save_input("self", 0, x)
        return laid_out(np.sin(x), x)

    def backward(self, grad):
        return grad * np.cos(self.saved("self"))

    def jvp(self, t):
        return t * np.cos(self._fw_inputs[0])


class Cos(Function):
    torch_name = "CosBackward0"
    formulas = {"self": "grad * -self.sin().conj()"}

    def forward(self, x):
        self.save_input("self", 0, x)
        return laid_out(np.cos(x), x)

    def backward(self, grad):
        return grad * -np.sin(self.saved("self"))

    def jvp(self, t):
        return t * -np.sin(self._fw_inputs[0])


class Tanh(Function):
    torch_name = "TanhBackward0"
    formulas = {"self": "tanh_backward(grad, result)  # grad * (1 - result * result)"}

    def forward(self, x):
        out = laid_out(np.tanh(x), x)
        self.save_result(out)
        return out

    def backward(self, grad):
        result = self.saved("result")
        derivative = 1 - result * result
        derivative *= grad  # grad * derivative, written into the new array (same values)
        return derivative

    def jvp(self, t):
        return t * (1 - self._fw_result * self._fw_result)


class Sigmoid(Function):
    torch_name = "SigmoidBackward0"
    formulas = {"self": "sigmoid_backward(grad, result)  # grad * result * (1 - result)"}

    def forward(self, x):
        out = np.negative(x, out=np.empty_like(x))  # 1 / (1 + exp(-x)), in one fresh buffer
        np.exp(out, out=out)
        np.add(out, 1, out=out)
        np.divide(1, out, out=out)
        out = laid_out(out, x)
        self.save_result(out)
        return out

    def backward(self, grad):
        result = self.saved("result")
        derivative = 1 - result
        derivative *= result  # grad * (result * (1 - result)), in one new array (same values)
        derivative *= grad
        return derivative

    def jvp(self, t):
        return t * (self._fw_result * (1 - self._fw_result))


def _zero_where(mask, x):
    """``np.where(mask, 0, x)`` in ``x``'s dtype: +0 where ``mask``, ``x`` bit for bit elsewhere.

    Without a branch per element: np.where's loop branches, and on a random sign pattern it cost
    ~4.5 ms per 1024x1024 array here (a tenth of a layer's three GEMMs, for relu's forward and
    again for its backward). Multiplying the bits by the kept mask (1 or 0) gives the same bits.
    """
    if x.ndim == 0 or x.dtype.kind not in "fiu":
        return np.asarray(np.where(mask, 0, x), dtype=x.dtype)
    bits = x.view(np.dtype(f"u{x.itemsize}"))  # same itemsize: any strides, even broadcast
    return np.multiply(bits, ~mask).view(x.dtype)


class Relu(Function):
    torch_name = "ReluBackward0"
    formulas = {"self": "threshold_backward(grad, result, 0)  # 0 where result <= 0"}

    def forward(self, x):
        if x.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        out = laid_out(_zero_where(x < 0, x), x)  # relu(-0) is -0, relu(nan) is nan
        self.save_result(out)
        return out

    def backward(self, grad):  # zero where result <= 0: a nan result passes the gradient on
        return _zero_where(self.saved("result") <= 0, grad)

    def jvp(self, t):
        return _zero_where(self._fw_result <= 0, t)


class Clamp(Function):
    torch_name = "ClampBackward1"
    formulas = {"self": "clamp_backward(grad, self, min, max)  # grad where min <= self <= max"}

    def forward(self, x, low, high):
        self.save_input("self", 0, x)
        self.low, self.high = low, high
        out = x  # x < min ? min : x, as PyTorch writes it: -0 and nan stay
        if low is not None:
            out = np.where(out < low, np.asarray(low, dtype=x.dtype), out)
        if high is not None:
            out = np.where(out > high, np.asarray(high, dtype=x.dtype), out)
        return laid_out(out if out is not x else x.copy(), x)

    def _passes(self, x):
        mask = np.ones(x.shape, dtype=bool)
        if self.low is not None:
            mask &= x >= self.low
        if self.high is not None:
            mask &= x <= self.high
        return mask

    def backward(self, grad):
        return np.where(self._passes(self.saved("self")), grad, 0).astype(grad.dtype, copy=False)

    def jvp(self, t):
        return np.where(self._passes(self._fw_inputs[0]), t, 0).astype(t.dtype, copy=False)


class Reciprocal(Function):
    torch_name = "ReciprocalBackward0"
    formulas = {"self": "-grad * (result * result).conj()"}

    def forward(self, x):
        out = laid_out(np.reciprocal(x), x)
        self.save_result(out)
        return out

    def backward(self, grad):
        result = self.saved("result")
        return -grad * (result * result)

    def jvp(self, t):
        return -t * (self._fw_result * self._fw_result)


class Clone(Function):
    torch_name = "CloneBackward0"
    formulas = {"self": "grad"}

    def forward(self, x, order="K"):  # "K": preserve_format (a transposed copy stays so)
        return np.array(x, order=order, copy=True)

    def backward(self, grad):
        return grad

    def jvp(self, t):
        return t


class ToCopy(Function):
    torch_name = "ToCopyBackward0"
    formulas = {"self": "_to_copy_backward(grad, self.options())  # grad cast back"}

    def forward(self, x, target):
        return x.astype(target)

    def backward(self, grad):
        return grad  # the graph walk casts it to the input's dtype

    def jvp(self, t):
        return t


class Fill(Function):
    """``fill_(value)`` on a tensor in a graph: a zero gradient flows back to the old value."""

    torch_name = "FillBackward2"  # fill_(Scalar); FillBackward0 is the out-of-place fill
    formulas = {"self": "zeros_like(grad)"}

    def forward(self, x, value):
        check_fits(value, x.dtype)
        return np.full(x.shape, value, dtype=x.dtype)

    def backward(self, grad):
        return np.zeros_like(grad)  # zeros, not nothing: the leaves behind get a zero .grad

    def jvp(self, t):
        return np.zeros_like(t)


class Zero(Fill):
    torch_name = "ZeroBackward0"


def check_fits(value, dtype):
    """PyTorch refuses to write nan or inf into an int64 tensor."""
    if dtype.kind in "iu" and isinstance(value, float) and not np.isfinite(value):
        raise RuntimeError("value cannot be converted to type int64_t without overflow")


def neg(x):
    return _unary(Neg, x)


def abs(x):  # noqa: A001 - PyTorch's name
    return _unary(Abs, x)


def exp(x):
    return _float_unary(Exp, x)


def log(x):
    return _float_unary(Log, x)


def sqrt(x):
    return _float_unary(Sqrt, x)


def sin(x):
    return _float_unary(Sin, x)


def cos(x):
    return _float_unary(Cos, x)


def tanh(x):
    return _float_unary(Tanh, x)


def sigmoid(x):
    return _float_unary(Sigmoid, x)


def relu(x):
    return _unary(Relu, x)


def reciprocal(x):
    return _float_unary(Reciprocal, x)


def clone(x, *, memory_format=None):
    return _unary(Clone, x)


def clamp(x, min=None, max=None):  # noqa: A002 - PyTorch's argument names
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from .binary import clamp_with_tensors

        return clamp_with_tensors(x, min, max)
    x = as_tensor(x)
    bounds = tuple(v for v in (min, max) if v is not None)
    target = dtypes.result_type((x, *bounds))  # clamp(0.5) of an int tensor is float
    data = x._data if x._data.dtype == target.numpy else x._data.astype(target.numpy)
    return record(Clamp, (x,), (data,), min, max)


def to_dtype(x: Tensor, dtype) -> Tensor:
    if x._data.dtype == dtype.numpy:
        return x
    if not dtype.is_floating_point:  # integers and bools carry no gradient: nothing to record
        return Tensor._make(x._data.astype(dtype.numpy))
    return record(ToCopy, (x,), (x._data,), dtype.numpy)
