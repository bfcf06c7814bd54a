"""Reductions: sum, mean, max, min over the whole tensor or along ``dim`` (with ``keepdim``)."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import dtypes
from ..function import Function, record
from ..tensor import Tensor
from ._args import wrap_dim
from .sum_order import ORDERED_DTYPES, in_torch_order


def _dims(dim, ndim):
    """The reduced axes (sorted); None or ``[]`` mean all. A 0-d tensor accepts dim 0 or -1
    and has no axis to reduce."""
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        return tuple(range(ndim))
    dims = [wrap_dim(d, ndim) for d in (dim if isinstance(dim, (list, tuple)) else (dim,))]
    for d in dims:
        if dims.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(sorted(dims)) if ndim else ()


def _expand_back(grad, dims, keepdim, shape):
    """Broadcast a reduced gradient back over the reduced dimensions."""
    if not keepdim and dims:
        grad = np.expand_dims(grad, dims)
    return np.broadcast_to(grad, shape)


def _sum(x, dims, dtype=None):
    """The sum over ``dims``, added in PyTorch's order (``sum_order.py``), in ``dtype``."""
    if dtype is not None and dtype != x.dtype:
        x = x.astype(dtype)
    return in_torch_order(x, tuple(dims))


def _mean(x, dims, count):
    """PyTorch's mean of float and double on the CPU: the sum, then divided by the count, in
    x's dtype. numpy's mean otherwise (nan for no elements; half floats added in float)."""
    if not count or x.dtype not in ORDERED_DTYPES:
        return np.asarray(x.mean(axis=tuple(dims)), dtype=x.dtype)
    return np.asarray(_sum(x, dims) / x.dtype.type(count), dtype=x.dtype)


def _kept(result, dims, keepdim):
    """A reduced result with its reduced dimensions back as size 1 when ``keepdim``."""
    return np.expand_dims(result, dims) if keepdim and dims else result


def _expand_number(grad, shape):
    """``np.broadcast_to(grad, shape)`` for a 0-d gradient: the same read-only view of its one
    number, made by the array constructor (``broadcast_to`` is Python code in numpy, and cost
    more than the rest of a small sum's backward step)."""
    view = np.ndarray(shape, grad.dtype, buffer=grad, strides=(0,) * len(shape))
    view.flags.writeable = False
    return view


class Sum(Function):
    torch_name = "SumBackward0"
    formulas = {"self": "grad.expand_symint(self.sym_sizes())"}

    def forward(self, x, dtype):
        self.shape = x.shape
        return _sum(x, range(x.ndim), dtype)

    def backward(self, grad):
        return _expand_number(grad, self.shape)

    def jvp(self, t):
        return _sum(t, range(t.ndim))


class SumDim(Function):
    torch_name = "SumBackward1"
    formulas = {"self": "sum_backward(grad, self.sym_sizes(), dim, keepdim)"}

    def forward(self, x, dims, keepdim, dtype):
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        return _kept(_sum(x, dims, dtype), dims, keepdim)

    def backward(self, grad):
        return _expand_back(grad, self.dims, self.keepdim, self.shape)

    def jvp(self, t):
        return _kept(_sum(t, self.dims), self.dims, self.keepdim)


class Mean(Function):
    torch_name = "MeanBackward0"
    formulas = {"self": "grad.expand_symint(self.sym_sizes()) / self.sym_numel()"}

    def forward(self, x):
        self.shape, self.count = x.shape, x.size
        return _mean(x, range(x.ndim), x.size)

    def backward(self, grad):
        return _expand_number(np.asarray(grad / self.count), self.shape)

    def jvp(self, t):
        return _mean(t, range(t.ndim), t.size)


class MeanDim(Function):
    torch_name = "MeanBackward1"
    formulas = {"self": "mean_backward(grad, self.sym_sizes(), dim, self.sym_numel(), keepdim)"}

    def forward(self, x, dims, keepdim):
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        self.count = int(np.prod([x.shape[d] for d in dims]))
        return _kept(_mean(x, dims, self.count), dims, keepdim)

    def backward(self, grad):
        return _expand_back(grad / self.count, self.dims, self.keepdim, self.shape)

    def jvp(self, t):
        return _kept(_mean(t, self.dims, self.count), self.dims, self.keepdim)


class MaxAll(Function):
    """``max()`` of a whole tensor: the gradient is shared evenly between tied maxima."""

    torch_name = "MaxBackward1"
    formulas = {"self": "evenly_distribute_backward(grad, self, result)"}
    pick = staticmethod(np.max)

    def forward(self, x):
        out = np.asarray(self.pick(x))
        self.save_input("self", 0, x)
        self.save_result(out)
        return out

    def _mask(self, x, result):
        mask = (x == result) | (np.isnan(x) & np.isnan(result)) if x.dtype.kind == "f" else (
            x == result
        )
        return mask / mask.sum()

    def backward(self, grad):
        # evenly_distribute_backward: zeros, with grad / count written where the max is (so an
        # inf or nan gradient stays off the other elements)
        x, result = self.saved("self"), self.saved("result")
        mask = np.isnan(x) if np.isnan(result) else x == result
        out = np.zeros(x.shape, dtype=grad.dtype)
        out[mask] = grad / mask.sum()
        return out

    def jvp(self, t):
        return np.asarray((t * self._mask(self._fw_inputs[0], self._fw_result)).sum(), t.dtype)


class MinAll(MaxAll):
    torch_name = "MinBackward1"
    pick = staticmethod(np.min)


class MaxDim(Function):
    """``max(dim)``: values and indices; the gradient goes to the index that was picked."""

    torch_name = "MaxBackward0"
    formulas = {
        "self": "value_selecting_reduction_backward(grad, dim, indices, self.sym_sizes(), keepdim)"
    }
    arg = staticmethod(np.argmax)

    def forward(self, x, dim, keepdim, indices):
        self.shape, self.dim, self.keepdim = x.shape, dim, keepdim
        self.save("indices", indices)
        self.indices = indices
        if x.ndim == 0:  # a 0-d tensor is its own max along dim 0
            return x.copy()
        kept = np.expand_dims(indices, dim)
        values = np.take_along_axis(x, kept, axis=dim)
        return values if keepdim else values.squeeze(dim)

    def backward(self, grad):
        indices = self.saved("indices")
        if not self.shape:
            return grad
        out = np.zeros(self.shape, dtype=grad.dtype)
        if not self.keepdim:
            grad = np.expand_dims(grad, self.dim)
        np.put_along_axis(out, np.expand_dims(indices, self.dim), grad, axis=self.dim)
        return out

    def jvp(self, t):
        if not self.shape:
            return t
        picked = np.take_along_axis(t, np.expand_dims(self.indices, self.dim), axis=self.dim)
        return picked if self.keepdim else picked.squeeze(self.dim)


class MinDim(MaxDim):
    torch_name = "MinBackward0"
    arg = staticmethod(np.argmin)


def _return_type(name):
    class ReturnType(namedtuple(name, ["values", "indices"])):
        __slots__ = ()

        def __repr__(self):
            return (
                f"engine.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"
            )

    ReturnType.__name__ = name
    return ReturnType


max_return = _return_type("max")
min_return = _return_type("min")


def _reduction_dtype(x: Tensor, dtype):
    if dtype is not None:
        return dtype.numpy
    if x._data.dtype.kind in "bi":  # sums of bools and ints are int64, as in PyTorch
        return np.int64
    return None


def _whole(dim, keepdim) -> bool:
    """``x.sum()``: PyTorch's SumBackward0. A dim list, even ``[]``, or ``keepdim=True`` with
    ``dim=None``, is its dim overload (SumBackward1). (``dim=None`` itself stays SumBackward0
    here, as the op table passes it for "all".)"""
    return dim is None and not keepdim


def sum(x, dim=None, keepdim=False, *, dtype=None):  # noqa: A001 - PyTorch's name
    target = _reduction_dtype(x, dtype)
    if _whole(dim, keepdim):
        return record(Sum, (x,), (x._data,), target)
    return record(SumDim, (x,), (x._data,), _dims(dim, x._data.ndim), keepdim, target)


def mean(x, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        from .unary import to_dtype

        x = to_dtype(x, dtype)
    if x._data.dtype.kind != "f":
        got = dtypes.from_numpy(x._data.dtype).short_name
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {got}"
        )
    if _whole(dim, keepdim):
        return record(Mean, (x,), (x._data,))
    return record(MeanDim, (x,), (x._data,), _dims(dim, x._data.ndim), keepdim)


def _extreme(x, dim, keepdim, whole_cls, dim_cls, result_type, name):
    from .binary import maximum, minimum

    if isinstance(dim, Tensor):  # torch.max(a, b) is maximum(a, b)
        return (maximum if name == "max" else minimum)(x, dim)
    if dim is None:
        if x._data.size == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return record(whole_cls, (x,), (x._data,))
    axis = wrap_dim(dim, x._data.ndim)
    if x._data.ndim and x._data.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
    indices = _picked_indices(x._data, axis, dim_cls.arg)
    values = record(dim_cls, (x,), (x._data,), axis, keepdim, indices)
    kept = np.expand_dims(indices, axis) if keepdim and x._data.ndim else indices
    return result_type(values, Tensor._make(kept))


def _picked_indices(data, axis, arg):
    """Index of the max (min) along ``axis``; a NaN wins, as in PyTorch."""
    if data.ndim == 0:
        return np.zeros((), dtype=np.int64)
    indices = arg(data, axis=axis).astype(np.int64)
    if data.dtype.kind == "f":
        nans = np.isnan(data)
        if nans.any():
            indices = np.where(nans.any(axis=axis), np.argmax(nans, axis=axis), indices)
    return indices


def max(x, dim=None, keepdim=False):  # noqa: A001 - PyTorch's name
    return _extreme(x, dim, keepdim, MaxAll, MaxDim, max_return, "max")


def min(x, dim=None, keepdim=False):  # noqa: A001 - PyTorch's name
    return _extreme(x, dim, keepdim, MinAll, MinDim, min_return, "min")
