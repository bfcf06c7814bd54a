"""Turning the arguments of an op into arrays of one dtype, and PyTorch's shape errors."""

from __future__ import annotations

import numbers

import numpy as np

from .. import dtypes
from ..function import record
from ..tensor import Tensor

PLAIN_NUMBERS = (int, float, bool)
_INT_FLOAT = (int, float)


def is_number(value) -> bool:
    kind = type(value)
    if kind in PLAIN_NUMBERS:
        return True
    if kind is Tensor:  # before the slower abstract-class check below
        return False
    return isinstance(value, numbers.Number) and not isinstance(value, Tensor)


def check_operand(value, op_name: str):
    if type(value) is Tensor or is_number(value):
        return
    raise TypeError(
        f"{op_name}(): argument 'other' must be Tensor or Number, not {type(value).__name__}"
    )


def to_arrays(operands, dtype=None):
    """The data of each operand cast to their PyTorch result dtype (or ``dtype``)."""
    if dtype is None and len(operands) == 2:
        fast = _same_kind_pair(*operands)
        if fast is not None:
            return fast
    target = (dtype or dtypes.result_type(operands)).numpy
    arrays = []
    for value in operands:
        if isinstance(value, Tensor):
            data = value._data
            arrays.append(data if data.dtype == target else data.astype(target))
        else:
            arrays.append(np.asarray(value, dtype=target))
    return arrays


def _same_kind_pair(a, b):
    """The common cases that need no promotion: two tensors of one dtype, or a float tensor and
    a Python number (numpy keeps the tensor's dtype for a Python scalar, as PyTorch does)."""
    if type(a) is not Tensor:
        return None
    a_data = a._data
    if type(b) is Tensor:
        return [a_data, b._data] if a_data.dtype == b._data.dtype else None
    if type(b) in _INT_FLOAT and a_data.dtype.kind == "f":
        return [a_data, b]
    return None


def broadcast_error(shape_a, shape_b) -> RuntimeError:
    """PyTorch's message for shapes that do not broadcast (the rightmost clash is named)."""
    ndim = max(len(shape_a), len(shape_b))
    a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    for dim in range(ndim - 1, -1, -1):
        if a[dim] != b[dim] and a[dim] != 1 and b[dim] != 1:
            return RuntimeError(
                f"The size of tensor a ({a[dim]}) must match the size of tensor b ({b[dim]}) at "
                f"non-singleton dimension {dim}"
            )
    return RuntimeError(f"shapes {list(shape_a)} and {list(shape_b)} cannot be broadcast")


def elementwise(cls, operands, *params, dtype=None):
    """Record an elementwise op over tensors and numbers, with PyTorch's promotion and errors."""
    a, b = operands
    arrays = None
    if dtype is None and type(a) is Tensor:  # _same_kind_pair's cases, inline: nearly every op
        data = a._data
        if type(b) is Tensor:
            if data.dtype is b._data.dtype:
                arrays = (data, b._data)
        elif type(b) in _INT_FLOAT and data.dtype.kind == "f":
            arrays = (data, b)
    if arrays is None:
        arrays = to_arrays(operands, dtype)
    inputs = (a if type(a) is Tensor else None, b if type(b) is Tensor else None)
    try:
        return record(cls, inputs, arrays, *params) if params else record(cls, inputs, arrays)
    except ValueError as error:
        shapes = [a.shape for a in arrays]
        for other in shapes[1:]:
            try:
                np.broadcast_shapes(shapes[0], other)
            except ValueError:
                raise broadcast_error(shapes[0], other) from None
        raise error


def wrap_dim(dim, ndim: int) -> int:
    """A possibly negative dimension as an index, with PyTorch's IndexError when out of range."""
    low, high = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"dim must be int, not {type(dim).__name__}")
    if dim < low or dim > high:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})"
        )
    return int(dim) % max(ndim, 1)


def as_tensor(value) -> Tensor:
    if isinstance(value, Tensor):
        return value
    from ..creation import tensor

    return tensor(value)
