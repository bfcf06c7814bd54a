"""Softmax and log-softmax along one dimension, as ``torch.nn.functional`` computes them.

Both save only their result, as PyTorch does: the backward of each is a formula in the result.
A 0-d input is treated as a vector of one element (PyTorch accepts ``dim`` 0 or -1 for it).
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes
from ..function import Function, record
from ..tensor import Tensor
from ._args import wrap_dim
from .losses import unsigned
from .unary import to_dtype

_QUIET = {"invalid": "ignore", "over": "ignore", "divide": "ignore"}


class _AlongDim(Function):
    """Keeps ``dim`` as given, as PyTorch does (``_saved_dim`` shows -1 as 2**64 - 1)."""

    @property
    def _saved_dim(self):
        return unsigned(self.given_dim)


class Softmax(_AlongDim):
    torch_name = "SoftmaxBackward0"
    formulas = {
        "self": "_softmax_backward_data(grad, result, dim, self.scalar_type())"
        "  # result * (grad - (grad * result).sum(dim, keepdim=True))"
    }
    jvp_formula = "result * (self_t - (self_t * result).sum(dim, keepdim=True))"

    def forward(self, x, dim):
        self.given_dim, self.dim = dim, dim % max(x.ndim, 1)
        vector = np.atleast_1d(x)
        with np.errstate(**_QUIET):
            exps = np.exp(vector - vector.max(axis=dim, keepdims=True, initial=-np.inf))
            out = (exps / exps.sum(axis=dim, keepdims=True)).reshape(x.shape)
        self.save_result(out)
        return out

    def _rule(self, grad, result):
        g, r = np.atleast_1d(grad), np.atleast_1d(result)
        return (r * (g - (g * r).sum(axis=self.dim, keepdims=True))).reshape(result.shape)

    def backward(self, grad):
        return self._rule(grad, self.saved("result"))

    def jvp(self, t):
        return self._rule(t, self._fw_result)


class LogSoftmax(_AlongDim):
    torch_name = "LogSoftmaxBackward0"
    formulas = {
        "self": "_log_softmax_backward_data(grad, result, dim, self.scalar_type())"
        "  # grad - result.exp() * grad.sum(dim, keepdim=True)"
    }
    jvp_formula = "self_t - (result.exp() * self_t).sum(dim, keepdim=True)"

    def forward(self, x, dim):
        self.given_dim, self.dim = dim, dim % max(x.ndim, 1)
        vector = np.atleast_1d(x)
        with np.errstate(**_QUIET):
            shifted = vector - vector.max(axis=dim, keepdims=True, initial=-np.inf)
            total = np.exp(shifted).sum(axis=dim, keepdims=True)
            out = (shifted - np.log(total)).reshape(x.shape)
        self.save_result(out)
        return out

    def backward(self, grad):
        result = self.saved("result")
        g, r = np.atleast_1d(grad), np.atleast_1d(result)
        return (g - np.exp(r) * g.sum(axis=self.dim, keepdims=True)).reshape(result.shape)

    def jvp(self, t):
        tangent, r = np.atleast_1d(t), np.atleast_1d(self._fw_result)
        moved = (np.exp(r) * tangent).sum(axis=self.dim, keepdims=True)
        return (tangent - moved).reshape(self._fw_result.shape)


def _implicit_dim(name, ndim, stacklevel):
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _along_dim(cls, name, input, dim, stacklevel, dtype):  # noqa: A002 - PyTorch's names
    if not isinstance(input, Tensor):
        missing = "dim" if dim is None else name
        raise AttributeError(f"'{type(input).__name__}' object has no attribute '{missing}'")
    if dim is None:
        dim = _implicit_dim(name, input._data.ndim, stacklevel + 1)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(
            f"{name}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}"
        )
    if dtype is not None:
        input = to_dtype(input, dtype)
    ndim = input._data.ndim
    axis = wrap_dim(dim, ndim)
    if input._data.dtype.kind != "f":
        kernel = "_lastdim_kernel_impl" if axis == max(ndim - 1, 0) else "_kernel_impl"
        short = dtypes.from_numpy(input._data.dtype).short_name
        raise NotImplementedError(f'"{name}{kernel}" not implemented for \'{short}\'')
    return record(cls, (input,), (input._data,), int(dim))


def softmax(input, dim=None, _stacklevel=3, dtype=None):  # noqa: A002 - PyTorch's names
    """``exp(input) / exp(input).sum(dim)``, computed stably; ``dtype`` casts the input first."""
    return _along_dim(Softmax, "softmax", input, dim, _stacklevel, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):  # noqa: A002 - PyTorch's names
    """``log(softmax(input, dim))``, computed without forming the softmax."""
    return _along_dim(LogSoftmax, "log_softmax", input, dim, _stacklevel, dtype)
