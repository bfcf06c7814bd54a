"""``engine.nn.functional``: activations, softmax, losses and ``linear``, as in PyTorch.

The differentiable primitives live in ``engine/ops`` (``activation.py``, ``losses.py``). Here are
the public functions: PyTorch's signatures, its argument checks in its order (so the first error
is PyTorch's), and the compositions PyTorch itself records: ``cross_entropy`` is
``nll_loss(log_softmax(input))``, ``linear`` is ``addmm`` or ``matmul`` then ``add``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import dtypes, grad_mode
from ..function import record
from ..ops import losses
from ..ops._args import broadcast_error, elementwise, to_arrays
from ..ops.activation import log_softmax, softmax
from ..ops.binary import Add, div, mul, sub
from ..ops.linalg import addmm, matmul, mm, mv
from ..ops.power import pow as power
from ..ops.reduce import sum as reduce_sum
from ..ops.shape import UnsafeView, expand, reshape, view
from ..ops.unary import clone, neg, sigmoid, tanh
from ..ops.unary import relu as _relu

__all__ = [
    "relu", "sigmoid", "tanh", "softmax", "log_softmax", "linear", "mse_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy",
]


def relu(input, inplace=False):  # noqa: A002 - PyTorch's names
    """``max(input, 0)``; ``inplace=True`` overwrites ``input`` (``relu_``)."""
    return input.relu_() if inplace else _relu(input)


# -- checks shared by the losses -------------------------------------------------------------------
def _short(tensor) -> str:
    return tensor.dtype.short_name


def _refuse_grad(tensor, argument, op):
    if tensor is not None and grad_mode.STATE.enabled and tensor.requires_grad:
        raise RuntimeError(
            f"The function '{op}' is not differentiable with respect to argument '{argument}'. "
            "This input cannot have requires_grad True."
        )


def _check_in_place(shape, other):
    """PyTorch's errors for ``out.mul_(other)``: ``other`` must broadcast to ``out``'s shape."""
    try:
        full = np.broadcast_shapes(tuple(shape), tuple(other))
    except ValueError:
        raise broadcast_error(shape, other) from None
    if full != tuple(shape):
        raise RuntimeError(
            f"output with shape {list(shape)} doesn't match the broadcast shape {list(full)}"
        )


def _broadcast_shapes(*shapes):
    """``torch.broadcast_shapes``, with its message."""
    common = [1] * max(len(shape) for shape in shapes)
    for position, shape in enumerate(shapes):
        for idx in range(-1, -1 - len(shape), -1):
            if common[idx] == 1:
                common[idx] = shape[idx]
            if shape[idx] != 1 and shape[idx] != common[idx]:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {shape[idx]} at {idx}! "
                    f"Mismatching argument at index {position} had {shape!r}; but expected shape "
                    f"should be broadcastable to {common}"
                )
    return tuple(common)


def _reduction(reduction, size_average, reduce):
    if size_average is not None or reduce is not None:
        reduction = losses.legacy_reduction(size_average, reduce)
    return losses.reduction_enum(reduction)


# -- mean squared error ----------------------------------------------------------------------------
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean",  # noqa: A002
             weight=None):
    """``((input - target) ** 2)`` reduced; shapes that differ broadcast, with PyTorch's warning."""
    if target.size() != input.size():
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=2,
        )
    if size_average is not None or reduce is not None:
        reduction = losses.legacy_reduction(size_average, reduce)
    expanded_input, expanded_target = _broadcast_tensors(input, target)
    if weight is not None:
        return _weighted_mse(input, expanded_input, expanded_target, weight, reduction)
    enum = losses.reduction_enum(reduction)
    dtype = dtypes.result_type((expanded_input, expanded_target))
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{dtype.short_name}'")
    pair = (expanded_input, expanded_target)
    return record(losses.MseLoss, pair, to_arrays(pair, dtype), enum)


def _broadcast_tensors(a, b):
    if a._data.shape == b._data.shape:
        return a, b
    try:
        shape = np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise broadcast_error(a._data.shape, b._data.shape) from None
    return tuple(t if t._data.shape == shape else expand(t, *shape) for t in (a, b))


def _weighted_mse(input, expanded_input, expanded_target, weight, reduction):  # noqa: A002
    """PyTorch composes the weighted loss from ordinary ops (PowBackward0, MulBackward0, ...)."""
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    weighted = mul(power(sub(expanded_input, expanded_target), 2), weight)
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return reduce_sum(weighted)
    if reduction == "mean":
        return div(reduce_sum(weighted), reduce_sum(weight))
    raise ValueError(
        f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'."
    )


# -- binary cross entropy --------------------------------------------------------------------------
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,  # noqa: A002
                         reduction="mean"):
    """BCE of probabilities in [0, 1]; ``weight`` broadcasts to the target and gets no gradient."""
    enum = _reduction(reduction, size_average, reduce)
    if target.size() != input.size():
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}) is deprecated. Please ensure they have the same size."
        )
    if weight is not None:
        weight = expand(weight, *_broadcast_shapes(target.size(), weight.size()))
    _refuse_grad(weight, "weight", "binary_cross_entropy")
    if input.dtype != target.dtype:
        raise RuntimeError(f"Found dtype {_short(target)} but expected {_short(input)}")
    if not input.is_floating_point():
        raise NotImplementedError(
            f"\"binary_cross_entropy\" not implemented for '{_short(input)}'"
        )
    x, t = input._data, target._data
    bad_x, bad_t = ~((x >= 0) & (x <= 1)), ~((t >= 0) & (t <= 1))
    bad = (bad_x | bad_t).reshape(-1)
    if bad.any():
        which = "input" if bad_x.reshape(-1)[np.argmax(bad)] else "target"
        raise RuntimeError(f"all elements of {which} should be between 0 and 1")
    if weight is not None:
        _check_in_place(x.shape, weight._data.shape)
    return record(losses.BinaryCrossEntropy, (input, target), (x, t), weight, enum)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,  # noqa: A002
                                     reduce=None, reduction="mean", pos_weight=None):
    """BCE of logits (``sigmoid`` folded in); ``pos_weight`` scales the positive term."""
    enum = _reduction(reduction, size_average, reduce)
    if not (target.size() == input.size()):
        raise ValueError(
            f"Target size ({target.size()}) must be the same as input size ({input.size()})"
        )
    name = "binary_cross_entropy_with_logits"
    _refuse_grad(weight, "weight", name)
    _refuse_grad(pos_weight, "pos_weight", name)
    if not input.is_floating_point():
        raise NotImplementedError(f"\"log_sigmoid_cpu\" not implemented for '{_short(input)}'")
    if pos_weight is not None:
        shapes = (pos_weight._data.shape, target._data.shape)
        try:
            full = np.broadcast_shapes(*shapes)
        except ValueError:
            raise broadcast_error(*shapes) from None
        _check_in_place(input._data.shape, full)
    if target.dtype is dtypes.bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if not target.is_floating_point():
        raise RuntimeError(
            f"result type {_short(input)} can't be cast to the desired output type "
            f"{_short(target)}"
        )
    if weight is not None:
        _check_in_place(input._data.shape, weight._data.shape)
    arrays = (input._data, target._data)
    return record(losses.BinaryCrossEntropyWithLogits, (input, target), arrays, weight,
                  pos_weight, enum)


# -- negative log likelihood and cross entropy -----------------------------------------------------
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100,  # noqa: A002
             reduce=None, reduction="mean"):
    """``-weight[c] * input[c]`` for each sample of class ``c``; ``input`` holds log-probs."""
    if size_average is not None or reduce is not None:
        reduction = losses.legacy_reduction(size_average, reduce)
    return _nll_loss_nd(input, target, weight, losses.reduction_enum(reduction), ignore_index)


def _nll_loss_nd(input, target, weight, reduction, ignore_index):  # noqa: A002
    ndim = input.dim()
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim})")
    batch = target.shape[0] if target.dim() else 0
    if ndim != 1 and input.shape[0] != batch:
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({batch})."
        )
    if ndim == 1 and target.dim() == 1 and target.shape[0] != 1:
        raise ValueError(
            f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}"
        )
    if ndim <= 2:
        return _nll_node(losses.NllLoss, input, target, weight, reduction, ignore_index)
    if ndim == 4:
        return _nll_node(losses.NllLoss2d, input, target, weight, reduction, ignore_index)
    n, c = input.shape[:2]  # 3-d and 5-d or more: viewed as 4-d, as PyTorch does
    out_size = (n, *input.shape[2:])
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(f"Expected target size {list(out_size)}, got {list(target.shape)}")
    if not input._data.flags.c_contiguous:
        input = clone(input)  # noqa: A001
    empty = input.numel() == 0
    input4 = view(input, n, c, 0, 0) if empty else view(input, n, c, 1, -1)
    target3 = reshape(target, n, 0, 0) if target.numel() == 0 else reshape(target, n, 1, -1)
    out = _nll_node(losses.NllLoss2d, input4, target3, weight, reduction, ignore_index)
    return view(out, *out_size) if reduction == losses.NONE else out


def _nll_node(cls, input, target, weight, reduction, ignore_index):  # noqa: A002
    spatial = cls is losses.NllLoss2d
    _refuse_grad(weight, "weight", "nll_loss2d_forward" if spatial else "nll_loss_forward")
    classes = input.shape[1] if spatial else input.shape[-1]
    if spatial:
        if target.dim() != 3:
            raise RuntimeError(
                "only batches of spatial targets supported (3D tensors) but got targets of "
                f"dimension: {target.dim()}"
            )
        if weight is not None and weight.numel() != classes:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        if tuple(target.shape) != (input.shape[0], *input.shape[2:]):
            raise RuntimeError(
                f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}"
            )
    else:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if weight is not None and (weight.dim() != 1 or weight.numel() != classes):
            raise RuntimeError(
                f"weight tensor should be defined either for all {classes} classes or no classes "
                f"but got weight tensor of shape: {list(weight.shape)}"
            )
    if target.dtype is not dtypes.int64:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_short(target)}")
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError(
            f"expected scalar type {_short(input)} but found {_short(weight)}"
        )
    if not input.is_floating_point():
        frame = "nll_loss2d_forward_out_frame" if spatial else "nll_loss_out_frame"
        raise NotImplementedError(f"\"{frame}\" not implemented for '{_short(input)}'")
    t = target._data
    wrong = ((t < 0) | (t >= classes)) & (t != ignore_index)
    if wrong.any():
        raise IndexError(f"Target {t.reshape(-1)[np.argmax(wrong.reshape(-1))]} is out of bounds.")
    return record(cls, (input,), (input._data,), target, weight, reduction, ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,  # noqa: A002
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross entropy of logits: class indices go to ``nll_loss(log_softmax(input))``; a target of
    the input's shape holds class probabilities."""
    enum = _reduction(reduction, size_average, reduce)
    if input.shape == target.shape:
        return _cross_entropy_probabilities(input, target, weight, enum, ignore_index,
                                            label_smoothing)
    if label_smoothing > 0.0:
        _unsupported_smoothing(label_smoothing)
    class_dim = 0 if input.dim() == 1 else 1
    return _nll_loss_nd(log_softmax(input, class_dim), target, weight, enum, ignore_index)


def _unsupported_smoothing(label_smoothing):
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    raise NotImplementedError("engine: cross_entropy(label_smoothing=...) is not supported yet")


def _cross_entropy_probabilities(input, target, weight, reduction, ignore_index,  # noqa: A002
                                 label_smoothing):
    if not target.is_floating_point():
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{_short(target)}"
        )
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if input.dim() == 0:
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    class_dim = 0 if input.dim() == 1 else 1
    classes = input.shape[class_dim]
    if weight is not None and (weight.dim() != 1 or weight.numel() != classes):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {classes} classes or "
            f"no classes but got weight tensor of shape: {list(weight.shape)}"
        )
    if label_smoothing > 0.0:
        _unsupported_smoothing(label_smoothing)
    terms = mul(log_softmax(input, class_dim), target)
    if weight is not None:
        shape = [1] * input.dim()
        shape[class_dim] = classes
        terms = mul(terms, view(weight, *shape))
    if reduction == losses.NONE:
        return neg(reduce_sum(terms, class_dim))
    total = reduce_sum(terms)
    if reduction == losses.SUM:
        return neg(total)
    if input.numel() == 0:
        return neg(total.fill_(math.nan))
    loss = neg(total)
    return record(losses.DivByNumber, (loss,), (loss._data,), input.numel() // classes)


# -- linear ----------------------------------------------------------------------------------------
def linear(input, weight, bias=None):  # noqa: A002 - PyTorch's names
    """``input @ weight.T + bias``, recorded with the nodes PyTorch records for each shape."""
    input_dim, weight_dim = input.dim(), weight.dim()
    if input_dim == 0 or weight_dim == 0:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are {input_dim}D and "
            f"{weight_dim}D"
        )
    if bias is not None and input_dim == 2:
        return _addmm(bias, input, weight.t())
    if bias is not None and _fusable(bias) and input._data.flags.c_contiguous:
        sizes = tuple(input.shape)
        flat = reshape(input, math.prod(sizes[:-1]), sizes[-1])
        out = _addmm(bias, flat, weight.t())
        return view(out, *sizes[:-1], out.shape[1])
    output = _matmul(input, weight.t())
    if bias is None:
        return output
    _check_in_place(output.shape, bias.shape)  # PyTorch adds the bias in place
    return elementwise(Add, (output, bias), dtype=output.dtype)


def _fusable(bias):
    """PyTorch folds the bias into addmm when it is one row of numbers, stored contiguously."""
    squeezed_dim = sum(n != 1 for n in bias.shape)
    return (bias.dim() == 1 or squeezed_dim == 1) and bias._data.flags.c_contiguous


def _addmm(bias, mat1, mat2):
    """``addmm`` with ``torch.addmm``'s checks, in its order."""
    if mat2.dim() != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2.dim()}-D tensor")
    (rows, inner), (inner2, cols) = mat1.shape, mat2.shape
    if inner != inner2:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{inner} and {inner2}x{cols})"
        )
    for name, other in (("self", bias), ("mat1", mat1)):
        if other.dtype is not mat2.dtype:
            raise RuntimeError(
                f"{name} and mat2 must have the same dtype, but got {_short(other)} and "
                f"{_short(mat2)}"
            )
    with grad_mode.no_grad():
        expand(bias, rows, cols)  # raises PyTorch's message when the bias does not fit
    return addmm(bias, mat1, mat2)


def _matmul(input, weight_t):  # noqa: A002
    """``matmul``, folding the leading dimensions of a >2-d input into one, as PyTorch does."""
    if input.dim() < 3 or weight_t.dim() > 2:
        return matmul(input, weight_t)
    sizes = tuple(input.shape)
    folded = reshape(input, math.prod(sizes[:-1]), sizes[-1])
    if weight_t.dim() == 2:
        product, shape = mm(folded, weight_t), (*sizes[:-1], weight_t.shape[1])
    else:
        product, shape = mv(folded, weight_t), sizes[:-1]
    return record(UnsafeView, (product,), (product._data,), shape)
