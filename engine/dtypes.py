"""The four dtypes the engine supports, with PyTorch's names and promotion rules."""

from __future__ import annotations

import builtins

import numpy as np


class dtype:  # noqa: N801 - PyTorch's spelling: ``engine.dtype``
    """A tensor element type; prints as ``engine.float32`` like ``torch.float32``."""

    __slots__ = ("name", "numpy", "is_floating_point", "category", "legacy_name", "short_name")

    def __init__(self, name, numpy_type, category, legacy_name, short_name):
        self.name = name
        self.numpy = np.dtype(numpy_type)
        self.is_floating_point = category == 2
        self.category = category  # 0 bool, 1 integer, 2 floating point
        self.legacy_name = legacy_name  # "FloatTensor", used in some of torch's error messages
        self.short_name = short_name  # "Float", used in others

    def __repr__(self):
        return f"engine.{self.name}"

    def __reduce__(self):
        return self.name


bool = dtype("bool", np.bool_, 0, "BoolTensor", "Bool")  # noqa: A001 - torch.bool
int64 = dtype("int64", np.int64, 1, "LongTensor", "Long")
float32 = dtype("float32", np.float32, 2, "FloatTensor", "Float")
float64 = dtype("float64", np.float64, 2, "DoubleTensor", "Double")

ALL = (bool, int64, float32, float64)
_BY_NUMPY = {d.numpy: d for d in ALL}
_RANK = {bool: 0, int64: 1, float32: 2, float64: 3}
default_float = float32


def from_numpy(np_dtype) -> dtype:
    """The engine dtype that holds a numpy dtype (other integer widths become int64)."""
    found = _BY_NUMPY.get(np_dtype)
    if found is not None:
        return found
    kind = np.dtype(np_dtype).kind
    if kind in "iu":
        return int64
    if kind == "f":
        return float64 if np.dtype(np_dtype).itemsize > 4 else float32
    raise TypeError(f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
                    "float64, float32, int64 and bool.")


def promote(a: dtype | None, b: dtype | None) -> dtype | None:
    """The smaller dtype that holds both (None stands for 'nothing yet')."""
    if a is None:
        return b
    if b is None:
        return a
    return a if _RANK[a] >= _RANK[b] else b


def _combine_categories(higher, lower):
    # PyTorch: a higher-priority group wins unless a lower group is of a higher category
    # (int tensor + float 0-d tensor gives float; float32 tensor + float64 0-d stays float32).
    if higher is None:
        return lower
    if higher.is_floating_point:
        return higher
    if higher is bool or (lower is not None and lower.is_floating_point):
        return promote(higher, lower)
    return higher


def result_type(operands) -> dtype:
    """PyTorch's type promotion over tensors and Python numbers.

    Tensors with dimensions decide first, then 0-d tensors, then Python numbers, each group only
    able to raise the category (bool < int < float), never the width within it.
    """
    if len(operands) == 2 and type(operands[1]) in (int, float):
        data = getattr(operands[0], "_data", None)  # the common case: float tensor op number
        if data is not None and data.dtype.kind == "f":
            return from_numpy(data.dtype)
    dim_result = zero_result = wrapped_result = None
    for operand in operands:
        data = getattr(operand, "_data", None)
        if data is None:
            if isinstance(operand, builtins.bool):
                current = bool
            elif isinstance(operand, int):
                current = int64
            else:
                current = default_float
            wrapped_result = promote(wrapped_result, current)
        elif data.ndim == 0:
            zero_result = promote(zero_result, _BY_NUMPY[data.dtype])
        else:
            dim_result = promote(dim_result, _BY_NUMPY[data.dtype])
    return _combine_categories(dim_result, _combine_categories(zero_result, wrapped_result))

