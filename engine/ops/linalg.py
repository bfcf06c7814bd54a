"""Products: mm, mv, dot, addmm, and ``matmul`` (``@``) choosing among them as PyTorch does."""

from __future__ import annotations

import numpy as np

from ..function import Function, record, sum_tangents
from ..tensor import Tensor
from .shape import Squeeze, unsqueeze


class Mm(Function):
    torch_name = "MmBackward0"
    formulas = {
        "self": "mm_mat1_backward(grad, mat2, ...)  # grad @ mat2.t()",
        "mat2": "mm_mat2_backward(grad, self, ...)  # self.t() @ grad",
    }

    def forward(self, a, b):
        if self.needs_input_grad[1]:
            self.save_input("self", 0, a)
        if self.needs_input_grad[0]:
            self.save_input("mat2", 1, b)
        return a @ b

    def backward(self, grad):
        ga = grad @ self.saved("mat2").T if self.needs_input_grad[0] else None
        gb = self.saved("self").T @ grad if self.needs_input_grad[1] else None
        return ga, gb

    def jvp(self, ta, tb):
        a, b = self._fw_inputs
        return sum_tangents(None if ta is None else ta @ b, None if tb is None else a @ tb)


class Mv(Mm):
    torch_name = "MvBackward0"
    formulas = {"self": "grad.ger(vec.conj())", "vec": "self.conj().t().mv(grad)"}

    def backward(self, grad):
        ga = np.outer(grad, self.saved("mat2")) if self.needs_input_grad[0] else None
        gb = self.saved("self").T @ grad if self.needs_input_grad[1] else None
        return ga, gb


class Dot(Mm):
    torch_name = "DotBackward0"
    formulas = {"self": "grad * tensor.conj()", "tensor": "grad * self.conj()"}

    def forward(self, a, b):
        return np.asarray(super().forward(a, b))

    def backward(self, grad):
        ga = grad * self.saved("mat2") if self.needs_input_grad[0] else None
        gb = grad * self.saved("self") if self.needs_input_grad[1] else None
        return ga, gb


class BatchedMatmul(Mm):
    """``@`` with a batch dimension; PyTorch folds it into bmm and an unsafe view."""

    torch_name = "UnsafeViewBackward0"
    formulas = {"self": "grad @ other.mT", "other": "self.mT @ grad"}

    def backward(self, grad):
        a = self.saved("self") if self.needs_input_grad[1] else None
        b = self.saved("mat2") if self.needs_input_grad[0] else None
        ga = grad @ np.swapaxes(b, -1, -2) if b is not None else None
        gb = np.swapaxes(a, -1, -2) @ grad if a is not None else None
        return ga, gb


class Addmm(Function):
    torch_name = "AddmmBackward0"
    formulas = {
        "self": "maybe_multiply(grad, beta)",
        "mat1": "mm_mat1_backward(grad, mat2, ...)  # grad @ mat2.t()",
        "mat2": "mm_mat2_backward(grad, mat1, ...)  # mat1.t() @ grad",
    }

    def forward(self, bias, a, b):
        if self.needs_input_grad[2]:
            self.save_input("mat1", 1, a)
        if self.needs_input_grad[1]:
            self.save_input("mat2", 2, b)
        return bias + a @ b

    def backward(self, grad):
        ga = grad @ self.saved("mat2").T if self.needs_input_grad[1] else None
        gb = self.saved("mat1").T @ grad if self.needs_input_grad[2] else None
        return grad, ga, gb

    def jvp(self, tbias, ta, tb):
        _, a, b = self._fw_inputs
        return sum_tangents(tbias, None if ta is None else ta @ b, None if tb is None else a @ tb)


class SqueezeAfterVecMat(Squeeze):
    torch_name = "SqueezeBackward4"


def _same_dtype(a: Tensor, b: Tensor, names=("m1", "m2")):
    if a._data.dtype != b._data.dtype:
        from .. import dtypes

        short = {"Float": "float", "Double": "double", "Long": "long int", "Bool": "bool"}
        da = short[dtypes.from_numpy(a._data.dtype).short_name]
        db = short[dtypes.from_numpy(b._data.dtype).short_name]
        raise RuntimeError(
            f"expected {names[0]} and {names[1]} to have the same dtype, but got: {da} != {db}"
        )


def _dims(shape):
    return "x".join(str(n) for n in shape)


def _check_mm(a: Tensor, b: Tensor):
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a._data.shape[1] != b._data.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_dims(a._data.shape)} and "
            f"{_dims(b._data.shape)})"
        )
    _same_dtype(a, b)


def mm(a: Tensor, b: Tensor) -> Tensor:
    _check_mm(a, b)
    return record(Mm, (a, b), (a._data, b._data))


def mv(a: Tensor, v: Tensor) -> Tensor:
    if a._data.ndim != 2 or v._data.ndim != 1 or a._data.shape[1] != v._data.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a._data.shape[0]}), mat ({_dims(a._data.shape)}), vec "
            f"({_dims(v._data.shape)})"
        )
    _same_dtype(a, v)
    return record(Mv, (a, v), (a._data, v._data))


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D tensors"
        )
    if a._data.shape[0] != b._data.shape[0]:
        n, m = a._data.shape[0], b._data.shape[0]
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )
    if a._data.dtype != b._data.dtype:
        from .. import dtypes

        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{dtypes.from_numpy(a._data.dtype).short_name} and "
            f"{dtypes.from_numpy(b._data.dtype).short_name}"
        )
    return record(Dot, (a, b), (a._data, b._data))


def matmul(a: Tensor, b: Tensor) -> Tensor:
    if not isinstance(b, Tensor):
        raise TypeError(
            f"matmul(): argument 'other' (position 1) must be Tensor, not {type(b).__name__}"
        )
    da, db = a._data.ndim, b._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 1:
        return dot(a, b)
    if da == 2 and db == 1:
        return mv(a, b)
    if da == 2 and db == 2:
        return mm(a, b)
    if da == 1 and db == 2:
        product = mm(unsqueeze(a, 0), b)
        return record(SqueezeAfterVecMat, (product,), (product._data,), (0,))
    _same_dtype(a, b)
    inner_b = b._data.shape[-2] if db > 1 else b._data.shape[0]
    if a._data.shape[-1] != inner_b:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a._data.shape[0] if da > 2 else 1}, {a._data.shape[-1]}] but got: "
            f"[{b._data.shape[0] if db > 2 else 1}, {inner_b}]."
        )
    return record(BatchedMatmul, (a, b), (a._data, b._data))


def addmm(bias: Tensor, a: Tensor, b: Tensor) -> Tensor:
    _check_mm(a, b)
    return record(Addmm, (bias, a, b), (bias._data, a._data, b._data))


def outer(a: Tensor, b: Tensor) -> Tensor:
    from .binary import mul
    from .shape import reshape

    return mul(reshape(a, -1, 1), b)  # how PyTorch composes it (ViewBackward0, MulBackward0)
