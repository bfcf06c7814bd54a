"""Binds the op functions to ``Tensor`` as methods and operators (``x.exp()``, ``x + y``, ``x[0]``).

Kept apart from ``tensor.py`` so the class holds state and autograd plumbing only; the table
here is the whole method surface, easy to compare with ``torch.Tensor``.
"""

from __future__ import annotations

from . import dtypes
from .ops import binary, indexing, linalg, power, reduce, shape, unary
from .ops._args import PLAIN_NUMBERS, elementwise, is_number
from .tensor import Tensor


def _reflected(func):
    def method(self, other):
        return func(other, self)

    return method


def _operand_or_not_implemented(func):
    def method(self, other):
        if not (type(other) is Tensor or is_number(other)):
            return NotImplemented
        return func(self, other)

    return method


def _operator(cls):
    """``tensor + other`` and ``tensor * other``: what ``add`` and ``mul`` do once the left
    operand is known to be a tensor and the right one checked, without going through them."""

    def method(self, other):
        kind = type(other)  # a tensor or a plain number decided here, without a call
        if kind is not Tensor and kind not in PLAIN_NUMBERS and not is_number(other):
            return NotImplemented
        return elementwise(cls, (self, other))

    return method


def _inplace(func):
    def method(self, *args, **kwargs):
        return self._apply_inplace(lambda source, *a: func(source, *a, **kwargs), *args)

    method.__name__ = func.__name__ + "_"
    return method


def _fill(self, value):
    if isinstance(value, Tensor):
        value = value.item()
    return self._apply_inplace(lambda source: _record_fill(unary.Fill, source, value))


def _zero(self):
    return self._apply_inplace(lambda source: _record_fill(unary.Zero, source, 0))


def _record_fill(cls, source, value):
    from .function import record

    return record(cls, (source,), (source._data,), value)


def _transpose_property(self):
    if self._data.ndim < 2:
        return self
    return shape.permute(self, tuple(reversed(range(self._data.ndim))))


def _to(self, *args, dtype=None, **kwargs):
    for arg in args:
        if isinstance(arg, dtypes.dtype):
            dtype = arg
        elif isinstance(arg, Tensor):
            dtype = arg.dtype
    return self if dtype is None else unary.to_dtype(self, dtype)


def _caster(target):
    def method(self):
        return unary.to_dtype(self, target)

    return method


_METHODS = {
    # elementwise
    "add": binary.add, "sub": binary.sub, "mul": binary.mul, "div": binary.div,
    "pow": power.pow, "maximum": binary.maximum, "minimum": binary.minimum,
    "neg": unary.neg, "abs": unary.abs, "exp": unary.exp, "log": unary.log,
    "sqrt": unary.sqrt, "sin": unary.sin, "cos": unary.cos, "tanh": unary.tanh,
    "sigmoid": unary.sigmoid, "relu": unary.relu, "clamp": unary.clamp, "clip": unary.clamp,
    "reciprocal": unary.reciprocal, "clone": unary.clone,
    "eq": binary.eq, "ne": binary.ne, "gt": binary.gt, "ge": binary.ge, "lt": binary.lt,
    "le": binary.le, "where": lambda self, condition, other: binary.where(condition, self, other),
    # reductions
    "sum": reduce.sum, "mean": reduce.mean, "max": reduce.max, "min": reduce.min,
    # shape
    "t": shape.t, "transpose": shape.transpose, "permute": shape.permute,
    "reshape": shape.reshape, "view": shape.view, "flatten": shape.flatten,
    "squeeze": shape.squeeze, "unsqueeze": shape.unsqueeze, "expand": shape.expand,
    "expand_as": shape.expand_as,
    "view_as": lambda self, other: shape.view(self, *other._data.shape),
    "reshape_as": lambda self, other: shape.reshape(self, *other._data.shape),
    # products
    "matmul": linalg.matmul, "mm": linalg.mm, "mv": linalg.mv, "dot": linalg.dot,
    "outer": linalg.outer,
    # dtype
    "to": _to, "float": _caster(dtypes.float32), "double": _caster(dtypes.float64),
    "long": _caster(dtypes.int64), "bool": _caster(dtypes.bool),
    # in place
    "add_": _inplace(binary.add), "sub_": _inplace(binary.sub), "mul_": _inplace(binary.mul),
    "div_": _inplace(binary.div), "pow_": _inplace(power.pow), "clamp_": _inplace(unary.clamp),
    "exp_": _inplace(unary.exp), "neg_": _inplace(unary.neg), "relu_": _inplace(unary.relu),
    "fill_": _fill, "zero_": _zero,
    # operators
    "__add__": _operator(binary.Add), "__radd__": _reflected(binary.add),
    "__sub__": _operand_or_not_implemented(binary.sub), "__rsub__": _reflected(binary.sub),
    "__mul__": _operator(binary.Mul), "__rmul__": _reflected(binary.mul),
    "__truediv__": _operand_or_not_implemented(binary.div),
    "__rtruediv__": _reflected(binary.div),
    "__pow__": _operand_or_not_implemented(power.pow), "__rpow__": _reflected(power.pow),
    "__matmul__": linalg.matmul, "__rmatmul__": _reflected(linalg.matmul),
    "__neg__": unary.neg, "__abs__": unary.abs,
    "__eq__": _operand_or_not_implemented(binary.eq),
    "__ne__": _operand_or_not_implemented(binary.ne),
    "__gt__": _operand_or_not_implemented(binary.gt),
    "__ge__": _operand_or_not_implemented(binary.ge),
    "__lt__": _operand_or_not_implemented(binary.lt),
    "__le__": _operand_or_not_implemented(binary.le),
    "__iadd__": _inplace(binary.add), "__isub__": _inplace(binary.sub),
    "__imul__": _inplace(binary.mul), "__itruediv__": _inplace(binary.div),
    "__getitem__": indexing.getitem, "__setitem__": indexing.setitem,
}

def _softmax(self, dim=None, dtype=None):
    from .nn import functional  # nn imports the ops, which import this module's neighbours

    return functional.softmax(self, dim, dtype=dtype)


def _log_softmax(self, dim=None, dtype=None):
    from .nn import functional

    return functional.log_softmax(self, dim, dtype=dtype)


_METHODS["softmax"] = _softmax
_METHODS["log_softmax"] = _log_softmax

for _name, _func in _METHODS.items():
    setattr(Tensor, _name, _func)
Tensor.T = property(_transpose_property)
Tensor.mT = property(lambda self: shape.transpose(self, -2, -1))
