"""Products: mm, mv, dot, addmm, and ``matmul`` (``@``) choosing among them as PyTorch does."""

from __future__ import annotations

import numpy as np

from ..function import Function, record, sum_tangents
from ..tensor import Tensor
from ._args import broadcast_error
from .shape import Squeeze, squeeze, unsqueeze


class Mm(Function):
    torch_name = "MmBackward0"
    formulas = {
        "self": "mm_mat1_backward(grad, mat2, ...)  # grad @ mat2.t()",
        "mat2": "mm_mat2_backward(grad, self, ...)  # self.t() @ grad",
    }

    def forward(self, a, b, outer=None):
        if self.needs_input_grad[1]:
            self.save_input("self", 0, a)
        if self.needs_input_grad[0]:
            self.save_input("mat2", 1, b)
        if outer is None:
            outer = a.ndim == b.ndim == 2 and _one_term_gemm(a.shape, b.shape)
        return a * b if outer else a @ b

    def backward(self, grad):
        ga = grad @ self.saved("mat2").T if self.needs_input_grad[0] else None
        gb = self.saved("self").T @ grad if self.needs_input_grad[1] else None
        return ga, gb

    def jvp(self, ta, tb):
        a, b = self._fw_inputs
        return sum_tangents(None if ta is None else ta @ b, None if tb is None else a @ tb)

    def _saved_self_first(self):
        """The saved self and second input, checked in PyTorch's order (self, then vec or
        tensor), so a message about both changed in place names what PyTorch names. Each is
        None where its gradient partner needs none (it was not saved)."""
        a = self.saved("self") if self.needs_input_grad[1] else None
        b = self.saved("mat2") if self.needs_input_grad[0] else None
        return a, b


class Mv(Mm):
    torch_name = "MvBackward0"
    formulas = {"self": "grad.ger(vec.conj())", "vec": "self.conj().t().mv(grad)"}

    def backward(self, grad):
        a, vec = self._saved_self_first()
        ga = np.outer(grad, vec) if self.needs_input_grad[0] else None
        gb = a.T @ grad if self.needs_input_grad[1] else None
        return ga, gb


class Dot(Mm):
    torch_name = "DotBackward0"
    formulas = {"self": "grad * tensor.conj()", "tensor": "grad * self.conj()"}

    def forward(self, a, b):
        return np.asarray(super().forward(a, b))

    def backward(self, grad):
        a, b = self._saved_self_first()
        ga = grad * b if self.needs_input_grad[0] else None
        gb = grad * a if self.needs_input_grad[1] else None
        return ga, gb


class BatchedMatmul(Mm):
    """``@`` with a batch dimension; PyTorch folds it into bmm and an unsafe view."""

    torch_name = "UnsafeViewBackward0"
    formulas = {"self": "grad @ other.mT", "other": "self.mT @ grad"}

    def forward(self, a, b):
        self.vectors = (a.ndim == 1, b.ndim == 1)
        return super().forward(a, b, False)

    def backward(self, grad):
        a = self.saved("self") if self.needs_input_grad[1] else None
        b = self.saved("mat2") if self.needs_input_grad[0] else None
        a_vector, b_vector = self.vectors
        if a_vector:  # a vector operand is a one-row (one-column) matrix, as numpy treats it
            grad, a = np.expand_dims(grad, -2), None if a is None else a[None, :]
        if b_vector:
            grad, b = np.expand_dims(grad, -1), None if b is None else b[:, None]
        ga = grad @ np.swapaxes(b, -1, -2) if b is not None else None
        gb = np.swapaxes(a, -1, -2) @ grad if a is not None else None
        if a_vector and ga is not None:
            ga = ga[..., 0, :]
        if b_vector and gb is not None:
            gb = gb[..., 0]
        return ga, gb


def _one_term_gemm(a_shape, b_shape) -> bool:
    """Whether PyTorch's gemm computes this (rows x 1) @ (1 x cols) product as the products
    themselves: it does for at least 2 rows and 2 cols, so 0 * -1 stays -0 (numpy's sum from
    +0 would give 0, and 1 / that the wrong infinity)."""
    rows = int(np.prod(a_shape[:-1]))
    return a_shape[-1] == 1 and rows > 1 and len(b_shape) == 2 and b_shape[-1] > 1


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
    """The ``squeeze_(0)`` ending vector @ matrix: in place on the product, so no view."""

    torch_name = "SqueezeBackward4"
    is_view = False


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


def _no_bool(kernel: str, a: Tensor, product_size: int):
    """PyTorch's BLAS kernels take no bool tensors (an empty product runs no kernel)."""
    if a._data.dtype == np.bool_ and product_size:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def mm(a: Tensor, b: Tensor) -> Tensor:
    _check_mm(a, b)
    _no_bool("addmm_impl_cpu_", a, a._data.shape[0] * b._data.shape[1])
    return record(Mm, (a, b), (a._data, b._data))


def mv(a: Tensor, v: Tensor) -> Tensor:
    if a._data.ndim == 0:  # PyTorch reads the size of its dim 0 first
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if a._data.ndim != 2 or v._data.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {a._data.ndim}, {v._data.ndim}"
        )
    if a._data.shape[1] != v._data.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a._data.shape[0]}), mat ({_dims(a._data.shape)}), vec "
            f"({_dims(v._data.shape)})"
        )
    _same_dtype_mv(a._data, v._data)
    _no_bool("addmv_impl_cpu", a, a._data.shape[0])
    return record(Mv, (a, v), (a._data, v._data))


def _short(array) -> str:
    from .. import dtypes

    return dtypes.from_numpy(array.dtype).short_name


def _same_dtype_mv(mat, vec):
    if mat.dtype != vec.dtype:  # PyTorch's addmv names the result (vec's dtype), mat and vec
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{_short(vec)}, {_short(mat)}, and {_short(vec)}"
        )


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
    _no_bool("dot", a, 1)
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
        result = record(SqueezeAfterVecMat, (product,), (product._data,), (0,))
        result._counter.value += 1  # PyTorch's squeeze_(0) is an in-place change: version 1
        return result
    if da == 3 and db == 3 and a._data.shape[0] != b._data.shape[0]:
        # PyTorch drops a broadcast batch of one of an input that requires grad (then folds)
        if a._data.shape[0] == 1 and a.requires_grad:
            return matmul(squeeze(a, 0), b)
        if b._data.shape[0] == 1 and b.requires_grad:
            return matmul(a, squeeze(b, 0))
    fold = _fold(a, b)
    _check_batched(a, b, fold)
    if fold == "plain":
        return _matmul_folded(a, b)
    if fold == "transposed":
        from .shape import transpose

        return _matmul_transposed(a, b) if da == 2 else _matmul_folded(transpose(b, -1, -2), a)
    batch = np.broadcast_shapes(a._data.shape[:-2], b._data.shape[:-2])
    rows = a._data.shape[-2] if da > 1 else 1
    _no_bool("bmm", a, int(np.prod(batch)) * rows * (b._data.shape[-1] if db > 1 else 1))
    return record(BatchedMatmul, (a, b), (a._data, b._data))


def _fold(a: Tensor, b: Tensor):
    """How PyTorch computes a batched ``a @ b`` (its ``should_fold``): ``"plain"`` folds the
    batch of ``a`` into rows of one mm/mv, ``"transposed"`` does so for ``b.mT`` (and transposes
    back), None means bmm. A fold is taken when the smaller input requires grad, else when the
    folded one is empty or its batch dims are contiguous (never for a 2-D ``a``)."""
    larger = a._data.ndim >= b._data.ndim
    big = a._data if larger else np.swapaxes(b._data, -1, -2)
    small = b if larger else a
    if big.ndim < 3 or small._data.ndim > 2:
        return None
    kind = "plain" if larger else "transposed"
    if small.requires_grad:
        return kind
    if a._data.ndim == 2:
        return None
    strides, shape = big.strides, big.shape
    if big.size == 0 or all(
        strides[i] == strides[i + 1] * shape[i + 1] for i in range(big.ndim - 2)
    ):
        return kind
    return None


def _matmul_folded(a: Tensor, b: Tensor) -> Tensor:
    """Batched ``a`` @ matrix or vector ``b`` as PyTorch computes it: the batch folded into the
    rows of one mm (mv), then viewed back (the nodes and saved tensors are PyTorch's)."""
    from .shape import UnsafeView, reshape

    shape = a._data.shape
    rows = reshape(a, int(np.prod(shape[:-1])), shape[-1])
    product = mm(rows, b) if b._data.ndim == 2 else mv(rows, b)
    out_shape = shape[:-1] + b._data.shape[1:]
    return record(UnsafeView, (product,), (product._data,), out_shape)


def _matmul_transposed(a: Tensor, b: Tensor) -> Tensor:
    """2-D ``a`` @ batched ``b`` as PyTorch folds it: ``(b.mT @ a.t()).mT``, made contiguous
    (a CloneBackward0) unless that transpose already is."""
    from .shape import t, transpose
    from .unary import Clone

    product = matmul(transpose(b, -1, -2), t(a))
    result = transpose(product, -1, -2)
    rows, cols = product._data.shape[-2:]
    if 1 in (rows, cols) or product._data.size == 0:
        return result
    return record(Clone, (result,), (result._data,), "C")  # .contiguous()


def _check_batched(a: Tensor, b: Tensor, fold):
    """The error PyTorch's chosen path (mm, mv or bmm) raises for dtypes or sizes that do not
    fit."""
    sa, sb = a._data.shape, b._data.shape
    if fold is not None:
        big, small = (a, b) if fold == "plain" else (b, a)
        if small._data.ndim == 1:
            _same_dtype_mv(big._data, small._data)
        else:
            _same_dtype(big, small)
        big = sa if fold == "plain" else sb[:-2] + (sb[-1], sb[-2])
        small = sb if fold == "plain" else (sa[::-1] if len(sa) == 2 else sa)
        rows, inner = int(np.prod(big[:-1])), big[-1]
        if inner == small[0]:
            return
        if len(small) == 2:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{inner} and {_dims(small)})"
            )
        raise RuntimeError(
            f"size mismatch, got input ({rows}), mat ({rows}x{inner}), vec ({small[0]})"
        )
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected scalar type {_short(a._data)} but found {_short(b._data)}"
        )
    batch_a, batch_b = sa[:-2], sb[:-2]
    try:
        batch = np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise broadcast_error(batch_a, batch_b) from None
    inner_b = sb[-2] if len(sb) > 1 else sb[0]
    if sa[-1] != inner_b:
        count = int(np.prod(batch))
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{count}, {sa[-1]}] "
            f"but got: [{count}, {inner_b}]."
        )


def addmm(bias: Tensor, a: Tensor, b: Tensor) -> Tensor:
    _check_mm(a, b)
    return record(Addmm, (bias, a, b), (bias._data, a._data, b._data))


def outer(a: Tensor, b: Tensor) -> Tensor:
    from .binary import mul
    from .shape import reshape

    for name, vector in (("self", a), ("vec2", b)):
        if vector._data.ndim != 1:
            raise RuntimeError(
                f"outer: Expected 1-D argument {name}, but got {vector._data.ndim}-D"
            )
    return mul(reshape(a, -1, 1), b)  # how PyTorch composes it (ViewBackward0, MulBackward0)
