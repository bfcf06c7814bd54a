"""Elementwise functions of two tensors (or a tensor and a number): add, sub, mul, div,
maximum, minimum, where, and the comparisons (pow is in ``power.py``).

Operands broadcast like numpy; ``backward`` returns gradients in the broadcast shape and the graph
walk sums them back to each input's shape. Forwards pass results through ``laid_out``: an array
(numpy gives a scalar for 0-d operands) laid out in memory as PyTorch lays it out.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..function import Function, record, sum_tangents
from ..tensor import Tensor
from ._args import broadcast_error, check_operand, elementwise, is_number, to_arrays
from .layout import laid_out


class Add(Function):
    torch_name = "AddBackward0"
    formulas = {"self": "grad", "other": "maybe_multiply(grad, alpha)"}

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        return laid_out(a + b if alpha == 1 else a + alpha * b, a, b)

    def backward(self, grad):
        return grad, (grad if self.alpha == 1 else grad * self.alpha)

    def jvp(self, ta, tb):
        return sum_tangents(ta, None if tb is None else tb * self.alpha)


class Sub(Function):
    torch_name = "SubBackward0"
    formulas = {"self": "grad", "other": "-grad * alpha"}

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        return laid_out(a - b if alpha == 1 else a - alpha * b, a, b)

    def backward(self, grad):
        return grad, (-grad if self.alpha == 1 else -grad * self.alpha)

    def jvp(self, ta, tb):
        return sum_tangents(ta, None if tb is None else -tb * self.alpha)


class Rsub(Function):
    """``number - tensor``: PyTorch records it as one op on the tensor."""

    torch_name = "RsubBackward1"
    formulas = {"self": "-grad * alpha"}

    def forward(self, x, number):
        return laid_out(np.asarray(number, dtype=x.dtype) - x, x)

    def backward(self, grad):
        return -grad

    def jvp(self, t):
        return -t


class Mul(Function):
    torch_name = "MulBackward0"
    formulas = {"self": "grad * other", "other": "grad * self"}

    def forward(self, a, b):
        if self.needs_input_grad[0]:
            self.save_input("other", 1, b)
        if self.needs_input_grad[1]:
            self.save_input("self", 0, a)
        return laid_out(a * b, a, b)

    def backward(self, grad):
        ga = grad * self.saved("other") if self.needs_input_grad[0] else None
        gb = grad * self.saved("self") if self.needs_input_grad[1] else None
        return ga, gb

    def jvp(self, ta, tb):
        a, b = self._fw_inputs
        return sum_tangents(None if ta is None else ta * b, None if tb is None else a * tb)


class Div(Function):
    torch_name = "DivBackward0"
    formulas = {"self": "grad / other", "other": "-grad * ((self / other) / other)"}

    def forward(self, a, b):
        if self.needs_input_grad[0] or self.needs_input_grad[1]:
            self.save_input("other", 1, b)
        if self.needs_input_grad[1]:
            self.save_input("self", 0, a)
        return laid_out(np.true_divide(a, b), a, b)

    def backward(self, grad):
        other = self.saved("other")
        ga = grad / other if self.needs_input_grad[0] else None
        gb = None
        if self.needs_input_grad[1]:  # PyTorch's order of operations: x / x gives exactly 0
            gb = -grad * ((self.saved("self") / other) / other)
        return ga, gb

    def jvp(self, ta, tb):
        a, b = self._fw_inputs
        return sum_tangents(
            None if ta is None else ta / b, None if tb is None else -tb * ((a / b) / b)
        )


def _larger(a, b):
    """PyTorch's maximum: ``a < b ? b : a`` (a tie keeps ``a``, so -0 vs 0 is a's), nan wins."""
    out = np.where(a < b, b, a)
    return np.where(np.isnan(b), b, out) if b.dtype.kind == "f" else out


def _smaller(a, b):
    out = np.where(a > b, b, a)
    return np.where(np.isnan(b), b, out) if b.dtype.kind == "f" else out


class Maximum(Function):
    torch_name = "MaximumBackward0"
    formulas = {
        "self": "at::where(self == other, grad / 2, grad).masked_fill_(self < other, 0)",
        "other": "at::where(self == other, grad / 2, grad).masked_fill_(self > other, 0)",
    }
    pick = staticmethod(_larger)
    sign = 1

    def forward(self, a, b):
        self.save_input("self", 0, a)
        self.save_input("other", 1, b)
        return laid_out(self.pick(a, b), a, b)

    def _split(self, grad, a, b):
        """PyTorch's rule: a tie splits the gradient in half and the input that lost gets 0
        (masked, so a nan or inf gradient does not leak into it; a nan input loses to nothing)."""
        tie = np.where(a == b, grad / 2, grad)
        loses_a, loses_b = (a < b, a > b) if self.sign > 0 else (a > b, a < b)
        zero = np.zeros((), dtype=grad.dtype)
        return np.where(loses_a, zero, tie), np.where(loses_b, zero, tie)

    def backward(self, grad):
        other = self.saved("other")  # checked first, as PyTorch unpacks it first
        return self._split(grad, self.saved("self"), other)

    def jvp(self, ta, tb):
        a, b = self._fw_inputs
        da = None if ta is None else self._split(ta, a, b)[0]
        db = None if tb is None else self._split(tb, a, b)[1]
        return sum_tangents(da, db)


class Minimum(Maximum):
    torch_name = "MinimumBackward0"
    formulas = {
        "self": "at::where(self == other, grad / 2, grad).masked_fill_(self > other, 0)",
        "other": "at::where(self == other, grad / 2, grad).masked_fill_(self < other, 0)",
    }
    pick = staticmethod(_smaller)
    sign = -1


class Where(Function):
    torch_name = "WhereBackward0"
    formulas = {
        "self": "where(condition, grad, 0)",
        "other": "where(condition, 0, grad)",
    }

    def forward(self, condition, a, b):
        self.save_input("condition", 0, condition)  # an in-place change of it fails backward
        return laid_out(np.where(condition, a, b), condition, a, b)

    def backward(self, grad):
        condition = self.saved("condition")
        zero = np.zeros((), dtype=grad.dtype)
        return None, np.where(condition, grad, zero), np.where(condition, zero, grad)

    def jvp(self, tc, ta, tb):
        condition = self._fw_inputs[0]
        zero = 0.0
        return np.where(condition, zero if ta is None else ta, zero if tb is None else tb)


class Compare(Function):
    """The comparisons: bool results that carry no gradient."""

    differentiable = False

    def forward(self, a, b, compare):
        return laid_out(compare(a, b), a, b)


# -- the functions ---------------------------------------------------------------------------------
def add(a, b, *, alpha=1):
    check_operand(b, "add")
    if is_number(a):  # number + tensor: PyTorch records add(tensor, number)
        a, b = b, a
    return elementwise(Add, (a, b), alpha)


def _is_bool(value) -> bool:
    return isinstance(value, bool) or (isinstance(value, Tensor) and value._data.dtype.kind == "b")


def _check_no_bool(a, b):
    """PyTorch refuses ``-`` with a bool operand (a tensor or a Python bool)."""
    if type(a) is Tensor and type(b) is Tensor and (
        a._data.dtype.kind != "b" and b._data.dtype.kind != "b"
    ):
        return  # two tensors, neither bool: the commonest case, decided at once
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def sub(a, b, *, alpha=1):
    check_operand(b, "sub")
    _check_no_bool(a, b)
    if is_number(a):
        return rsub(b, a)
    return elementwise(Sub, (a, b), alpha)


def rsub(x: Tensor, number):
    _check_no_bool(number, x)
    dtype = dtypes.result_type((x, number))
    (data,) = to_arrays((x,), dtype)
    return record(Rsub, (x,), (data,), number)


def mul(a, b):
    check_operand(b, "mul")
    if is_number(a):
        a, b = b, a
    return elementwise(Mul, (a, b))


def _true_division_dtype(a, b):
    result = dtypes.result_type((a, b))
    return result if result.is_floating_point else dtypes.default_float


def div(a, b, *, rounding_mode=None):
    check_operand(b, "div")
    if rounding_mode is not None:
        raise NotImplementedError("engine: div(rounding_mode=...) is not supported")
    if is_number(a):  # number / tensor is number * reciprocal(tensor), as in PyTorch
        from .unary import reciprocal

        return mul(reciprocal(b), a)
    return elementwise(Div, (a, b), dtype=_true_division_dtype(a, b))


def maximum(a, b):
    return elementwise(Maximum, (a, b))


def minimum(a, b):
    return elementwise(Minimum, (a, b))


def where(condition, a, b):
    if not isinstance(condition, Tensor) or condition._data.dtype != np.bool_:
        raise RuntimeError("where expected condition to be a boolean tensor")
    dtype = dtypes.result_type((a, b))
    arrays = [condition._data] + to_arrays((a, b), dtype)
    inputs = (condition,) + tuple(v if isinstance(v, Tensor) else None for v in (a, b))
    shape = arrays[0].shape
    for other in arrays[1:]:  # broadcast in order (condition, input, other), as PyTorch does
        try:
            shape = np.broadcast_shapes(shape, other.shape)
        except ValueError:
            raise broadcast_error(shape, other.shape) from None
    return record(Where, inputs, arrays)


def clamp_with_tensors(x, low, high):
    result = x
    if low is not None:
        result = maximum(result, low)
    if high is not None:
        result = minimum(result, high)
    return result


def _comparison(numpy_compare):
    def compare(a, b):
        check_operand(b, numpy_compare.__name__)
        return elementwise(Compare, (a, b), numpy_compare)

    compare.__name__ = numpy_compare.__name__
    return compare


eq = _comparison(np.equal)
ne = _comparison(np.not_equal)
gt = _comparison(np.greater)
ge = _comparison(np.greater_equal)
lt = _comparison(np.less)
le = _comparison(np.less_equal)
