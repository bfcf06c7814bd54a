"""Shape operations: t, transpose, permute, reshape/view/flatten, squeeze, unsqueeze, expand,
cat and stack. Most are views: the result shares memory and version counter with the input.
"""

from __future__ import annotations

import numpy as np

from ..function import Function, record
from ..tensor import Tensor
from ._args import wrap_dim


class T(Function):
    torch_name = "TBackward0"
    formulas = {"self": "grad.t()"}
    is_view = True

    def forward(self, x):
        return x.T

    def backward(self, grad):
        return grad.T

    def jvp(self, t):
        return t.T


class Transpose(Function):
    torch_name = "TransposeBackward0"
    formulas = {"self": "grad.transpose(dim0, dim1)"}
    is_view = True

    def forward(self, x, dim0, dim1):
        self.dims = (dim0, dim1) if x.ndim else (0, 0)  # 0-d: dims 0 and -1, nothing to swap
        return np.swapaxes(x, *self.dims) if x.ndim else x.view()

    def backward(self, grad):
        return np.swapaxes(grad, *self.dims) if grad.ndim else grad

    def jvp(self, t):
        return np.swapaxes(t, *self.dims) if t.ndim else t


class Permute(Function):
    torch_name = "PermuteBackward0"
    formulas = {"self": "permute_backwards(grad, dims)"}
    is_view = True

    def forward(self, x, dims):
        self.dims = dims
        return np.transpose(x, dims)

    def backward(self, grad):
        return np.transpose(grad, np.argsort(self.dims))

    def jvp(self, t):
        return np.transpose(t, self.dims)


class View(Function):
    torch_name = "ViewBackward0"
    formulas = {"self": "grad.reshape_symint(self.sym_sizes())"}
    is_view = True

    def forward(self, x, shape, alias=False):
        if alias:  # reshape of a non-contiguous tensor that can still be viewed
            self.torch_name = "ReshapeAliasBackward0"
        self.shape = x.shape
        return np.reshape(x, shape, copy=False)

    def backward(self, grad):
        return np.reshape(grad, self.shape)

    def jvp(self, t):
        return np.reshape(t, self._fw_result.shape)


class UnsafeView(View):
    """The reshape of a clone, when the input's memory cannot be viewed in the new shape."""

    torch_name = "UnsafeViewBackward0"
    is_view = False


class Squeeze(Function):
    torch_name = "SqueezeBackward0"
    formulas = {"self": "unsqueeze_to(grad, self.sym_sizes())"}
    is_view = True

    def forward(self, x, dims):
        self.shape = x.shape
        return np.squeeze(x, dims)

    def backward(self, grad):
        return np.reshape(grad, self.shape)

    def jvp(self, t):
        return np.reshape(t, self._fw_result.shape)


class SqueezeDim(Squeeze):
    torch_name = "SqueezeBackward1"
    formulas = {"self": "unsqueeze_to(grad, dim, self.sym_sizes())"}


class SqueezeDims(Squeeze):
    torch_name = "SqueezeBackward2"
    formulas = {"self": "unsqueeze_to(grad, dim, self.sym_sizes())"}


class Unsqueeze(Function):
    torch_name = "UnsqueezeBackward0"
    formulas = {"self": "grad.squeeze(dim)"}
    is_view = True

    def forward(self, x, dim):
        self.dim = dim
        return np.expand_dims(x, dim)

    def backward(self, grad):
        return np.squeeze(grad, self.dim)

    def jvp(self, t):
        return np.expand_dims(t, self.dim)


class Expand(Function):
    torch_name = "ExpandBackward0"
    formulas = {"self": "at::sum_to(grad, self.sym_sizes())"}
    is_view = True

    def forward(self, x, shape):
        out = np.broadcast_to(x, shape)
        if out.size == x.size and x.flags.writeable:  # nothing repeated: it may be written to
            out = np.lib.stride_tricks.as_strided(x, out.shape, out.strides, writeable=True)
        return out

    def backward(self, grad):
        return grad  # summed back to the input's shape by the graph walk

    def jvp(self, t):
        return np.broadcast_to(t, self._fw_result.shape)


class Cat(Function):
    torch_name = "CatBackward0"
    formulas = {"tensors": "cat_tensors_backward(grad, to_args_sizes(tensors), dim)"}

    def forward(self, *arrays_and_dim):
        *arrays, dim = arrays_and_dim
        self.dim = dim
        self.bounds = np.cumsum([a.shape[dim] for a in arrays])[:-1]
        return np.ascontiguousarray(np.concatenate(arrays, axis=dim))  # numpy may not lay out

    def backward(self, grad):
        return tuple(np.split(grad, self.bounds, axis=self.dim))

    def jvp(self, *tangents):
        parts = [
            np.zeros_like(a) if t is None else t for a, t in zip(self._fw_inputs, tangents)
        ]
        return np.concatenate(parts, axis=self.dim)


class Stack(Function):
    torch_name = "StackBackward0"
    formulas = {"tensors": "stack_tensors_backward(grad, dim, to_args_scalartypes(tensors))"}

    def forward(self, *arrays_and_dim):
        *arrays, dim = arrays_and_dim
        self.dim = dim
        return np.ascontiguousarray(np.stack(arrays, axis=dim))  # as contiguous as PyTorch's

    def backward(self, grad):
        return tuple(np.moveaxis(grad, self.dim, 0))

    def jvp(self, *tangents):
        parts = [
            np.zeros_like(a) if t is None else t for a, t in zip(self._fw_inputs, tangents)
        ]
        return np.stack(parts, axis=self.dim)


# -- the functions ---------------------------------------------------------------------------------
def t(x):
    if x._data.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {x._data.ndim}D"
        )
    return record(T, (x,), (x._data,))


def transpose(x, dim0, dim1):
    ndim = x._data.ndim
    return record(Transpose, (x,), (x._data,), wrap_dim(dim0, ndim), wrap_dim(dim1, ndim))


def permute(x, *dims):
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = tuple(dims[0])
    ndim = x._data.ndim
    if len(dims) != ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {ndim} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    return record(Permute, (x,), (x._data,), tuple(wrap_dim(d, ndim) for d in dims))


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


def _infer_shape(shape, numel):
    """Resolve one -1, with PyTorch's message for a shape that cannot hold ``numel`` elements."""
    shape = list(shape)
    known = 1
    for n in shape:
        if n != -1:
            known *= n
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in shape and known == 0 and numel == 0:
        listed = ", ".join(str(n) for n in shape)
        raise RuntimeError(
            f"cannot reshape tensor of 0 elements into shape [{listed}] because the unspecified "
            "dimension size -1 can be any value and is ambiguous"
        )
    if -1 in shape and known != 0 and numel % known == 0:
        shape[shape.index(-1)] = numel // known
    if int(np.prod(shape)) != numel or any(n < 0 for n in shape):
        listed = ", ".join(str(n) for n in shape)
        raise RuntimeError(f"shape '[{listed}]' is invalid for input of size {numel}")
    return tuple(shape)


def _viewable(data, shape) -> bool:
    try:
        np.reshape(data, shape, copy=False)
    except ValueError:
        return False
    return True


def view(x, *shape):
    shape = _infer_shape(_shape_arg(shape), x._data.size)
    if not _viewable(x._data, shape):
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        )
    return record(View, (x,), (x._data,), shape)


def reshape(x, *shape):
    shape = _infer_shape(_shape_arg(shape), x._data.size)
    if _viewable(x._data, shape):  # PyTorch: view if contiguous, else _reshape_alias
        return record(View, (x,), (x._data,), shape, not x._data.flags.c_contiguous)
    from .unary import Clone

    copy = record(Clone, (x,), (x._data,), "C")  # PyTorch: clone(contiguous_format)
    return record(UnsafeView, (copy,), (copy._data,), shape)


def flatten(x, start_dim=0, end_dim=-1):
    ndim = x._data.ndim
    start, end = wrap_dim(start_dim, ndim), wrap_dim(end_dim, ndim)
    if ndim == 0:
        return reshape(x, 1)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return x
    shape = x._data.shape
    return reshape(x, shape[:start] + (int(np.prod(shape[start:end + 1])),) + shape[end + 1:])


def squeeze(x, dim=None):
    ndim = x._data.ndim
    if dim is None:
        dims = tuple(i for i, n in enumerate(x._data.shape) if n == 1)
        return record(Squeeze, (x,), (x._data,), dims)
    if isinstance(dim, (list, tuple)):
        wrapped = tuple(wrap_dim(d, ndim) for d in dim)
        dims = tuple(d for d in wrapped if ndim and x._data.shape[d] == 1)
        return record(SqueezeDims, (x,), (x._data,), dims)
    d = wrap_dim(dim, ndim)
    dims = (d,) if ndim and x._data.shape[d] == 1 else ()
    return record(SqueezeDim, (x,), (x._data,), dims)


def unsqueeze(x, dim):
    return record(Unsqueeze, (x,), (x._data,), wrap_dim(dim, x._data.ndim + 1))


def expand(x, *sizes):
    sizes = _shape_arg(sizes)
    shape = x._data.shape
    if len(sizes) < len(shape):
        kind = "CPUBoolType" if x.dtype.name == "bool" else f"engine.{x.dtype.legacy_name}"
        raise RuntimeError(
            f"expand({kind}{{[{', '.join(map(str, shape))}]}}, "
            f"size=[{', '.join(map(str, sizes))}]): the number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor "
            f"({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    target = list(sizes)
    for i in range(len(sizes) - 1, -1, -1):  # from the last dim, as PyTorch checks
        old, n = (shape[i - lead] if i >= lead else 1), sizes[i]
        if n == -1:
            if i < lead:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            n = target[i] = old
        if old != 1 and n != old:
            raise RuntimeError(
                f"The expanded size of the tensor ({n}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, sizes))}].  "
                f"Tensor sizes: [{', '.join(map(str, shape))}]"
            )
    return record(Expand, (x,), (x._data,), tuple(target))


def expand_as(x, other):
    return expand(x, *other._data.shape)


def _promoted(tensors):
    from .. import dtypes
    from .unary import to_dtype

    target = None
    for item in tensors:
        target = dtypes.promote(target, dtypes.from_numpy(item._data.dtype))
    return [to_dtype(item, target) for item in tensors]


def cat(tensors, dim=0):
    """Join along ``dim``. As in PyTorch, 1-D empty tensors are left out of the checks (legacy),
    and ``dim`` is read against the first tensor that is not one."""
    tensors = _promoted(list(tensors))
    if not tensors:
        raise ValueError("engine.cat(): expected a non-empty list of Tensors")
    for position, item in enumerate(tensors):
        if item._data.ndim == 0:
            raise RuntimeError(
                f"zero-dimensional tensor (at position {position}) cannot be concatenated"
            )
    legacy = [item._data.shape == (0,) for item in tensors]
    first = next((t._data for t, skip in zip(tensors, legacy) if not skip), tensors[0]._data)
    axis = wrap_dim(dim, first.ndim)
    for number, (item, skip) in enumerate(zip(tensors, legacy)):
        if skip:
            continue
        if item._data.ndim != first.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.ndim} and "
                f"{item._data.ndim}"
            )
        for d, (a, b) in enumerate(zip(first.shape, item._data.shape)):
            if d != axis and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {axis}. Expected size {a} "
                    f"but got size {b} for tensor number {number} in the list."
                )
    nothing = first.shape[:axis] + (0,) + first.shape[axis + 1:]
    arrays = tuple(np.zeros(nothing, t._data.dtype) if skip else t._data
                   for t, skip in zip(tensors, legacy))
    return record(Cat, tuple(tensors), arrays, axis)


def stack(tensors, dim=0):
    tensors = _promoted(list(tensors))
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._data.shape
    for number, item in enumerate(tensors[1:], start=1):
        if item._data.shape != first:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                f"and {list(item._data.shape)} at entry {number}"
            )
    axis = wrap_dim(dim, len(first) + 1)
    return record(Stack, tuple(tensors), tuple(t._data for t in tensors), axis)


def is_tensor(value) -> bool:
    return isinstance(value, Tensor)
