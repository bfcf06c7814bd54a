"""Indexing: ``x[0]`` (select), ``x[1:3]`` (slice), ``x[None]``, ``x[mask]`` / ``x[[0, 2]]``
(index), and assignment ``x[...] = v`` (PyTorch's CopySlices)."""

from __future__ import annotations

import numpy as np

from ..function import Function, record
from ..tensor import Tensor
from .shape import Unsqueeze


class Select(Function):
    torch_name = "SelectBackward0"
    formulas = {"self": "select_backward_symint(grad, self.sym_sizes(), dim, index)"}
    is_view = True

    def forward(self, x, dim, index):
        self.shape, self.where = x.shape, (slice(None),) * dim + (index,)
        return x[self.where]

    def backward(self, grad):
        out = np.zeros(self.shape, dtype=grad.dtype)
        out[self.where] = grad
        return out

    def jvp(self, t):
        return t[self.where]


class Slice(Select):
    torch_name = "SliceBackward0"
    formulas = {"self": "slice_backward_wrapper(grad, self.sym_sizes(), dim, start, end, step)"}

    def forward(self, x, dim, part):
        return super().forward(x, dim, part)


class AsStrided(Select):
    """The view ``base[key]`` regenerated after an in-place change through it."""

    torch_name = "AsStridedBackward0"
    formulas = {"self": "as_strided_backward(grad, ...)  # grad placed back where the view sits"}

    def forward(self, x, key):
        self.shape, self.where = x.shape, key
        return x[key]


class Index(Function):
    torch_name = "IndexBackward0"
    formulas = {"self": "index_backward(grad.new_zeros_symint(self.sym_sizes()), indices, grad)"}

    def forward(self, x, key):
        self.shape, self.key = x.shape, key
        return x[key]

    def backward(self, grad):
        out = np.zeros(self.shape, dtype=grad.dtype)
        np.add.at(out, self.key, grad)  # repeated indices add up
        return out

    def jvp(self, t):
        return t[self.key]


class CopySlices(Function):
    """``x[key] = value`` on a tensor in a graph: the old values there get no gradient."""

    torch_name = "CopySlices"
    qualified_name = "engine::autograd::CopySlices"
    formulas = {"self": "grad with grad[key] = 0", "src": "grad[key]"}

    def forward(self, x, value, key):
        self.key = key
        out = x.copy()
        out[key] = value
        return out

    def backward(self, grad):
        to_self = grad.copy()
        to_self[self.key] = 0
        return to_self, grad[self.key]

    def jvp(self, t_self, t_value):
        out = np.zeros_like(self._fw_result) if t_self is None else t_self.copy()
        out[self.key] = 0 if t_value is None else t_value
        return out


def _numpy_index(item):
    if isinstance(item, Tensor):
        return item._data
    if isinstance(item, list):
        return np.asarray([_numpy_index(i) for i in item])
    return item


def _is_advanced(item) -> bool:
    return isinstance(item, (Tensor, list, np.ndarray)) or (
        isinstance(item, bool)
    )


def numpy_key(key):
    parts = key if isinstance(key, tuple) else (key,)
    return tuple(_numpy_index(p) for p in parts)


def _check_bounds(index, size, dim):
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {dim} with size {size}")


def getitem(x: Tensor, key):
    parts = key if isinstance(key, tuple) else (key,)
    if any(_is_advanced(p) for p in parts):
        np_key = numpy_key(key)
        try:
            x._data[np_key]
        except IndexError as error:
            raise IndexError(str(error)) from None
        return record(Index, (x,), (x._data,), np_key)
    result = x
    dim = 0
    named = sum(1 for p in parts if p is not None and p is not Ellipsis)
    if named > x._data.ndim:
        raise IndexError(
            f"too many indices for tensor of dimension {x._data.ndim}"
        )
    for part in parts:
        if part is Ellipsis:
            dim += x._data.ndim - named
        elif part is None:
            result = record(Unsqueeze, (result,), (result._data,), dim)
            dim += 1
        elif isinstance(part, slice):
            size = result._data.shape[dim]
            if part.step is not None and part.step <= 0:
                raise ValueError("step must be greater than zero")
            if part.indices(size) != (0, size, 1):
                result = record(Slice, (result,), (result._data,), dim, part)
            dim += 1
        else:
            index = int(part)
            _check_bounds(index, result._data.shape[dim], dim)
            result = record(Select, (result,), (result._data,), dim, index)
    if result is x:  # x[:] and x[...] are still new views in PyTorch
        result = record(Slice, (x,), (x._data,), 0, slice(None)) if x._data.ndim else x.detach()
    if x._base is None:
        result._view_key = numpy_key(key)  # lets an in-place change write through to x
    return result


def _assign(target: Tensor, key, value):
    from .. import dtypes

    target_dtype = dtypes.from_numpy(target._data.dtype)
    if isinstance(value, Tensor):
        data = value._data.astype(target._data.dtype, copy=False)
        return record(CopySlices, (target, value), (target._data, data), key)
    data = np.asarray(value, dtype=target_dtype.numpy)
    return record(CopySlices, (target, None), (target._data, data), key)


def setitem(x: Tensor, key, value):
    np_key = numpy_key(key)
    try:
        x._data[np_key]
    except IndexError as error:
        raise IndexError(str(error)) from None
    x._apply_inplace(_assign, np_key, value)
