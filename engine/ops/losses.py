"""Loss primitives: mse_loss, binary_cross_entropy (of probabilities and of logits), nll_loss.

Each is one node, as in PyTorch, saving what PyTorch saves and sending a gradient to the target
too where PyTorch does. ``reduction`` is PyTorch's enum, which ``grad_fn._saved_reduction`` shows:
0 none, 1 mean, 2 sum. The public functions, which check their arguments in PyTorch's order so
that the first error is PyTorch's, are in ``engine/nn/functional.py``.
"""

from __future__ import annotations

import warnings
from operator import attrgetter

import numpy as np

from ..function import Function, SavedValue, sum_tangents
from .sum_order import in_torch_order, nll_sums

NONE, MEAN, SUM = 0, 1, 2
_REDUCTIONS = {"none": NONE, "mean": MEAN, "sum": SUM}
EPSILON = 1e-12  # PyTorch's floor for self * (1 - self) in the BCE gradient
_QUIET = {"divide": "ignore", "invalid": "ignore", "over": "ignore"}


def reduction_enum(reduction: str) -> int:
    """PyTorch's ``_Reduction.get_enum``: the number a loss node saves for ``reduction``."""
    if reduction == "elementwise_mean":
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            UserWarning,
            stacklevel=3,
        )
        return MEAN
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _REDUCTIONS[reduction]


def legacy_reduction(size_average, reduce) -> str:
    """The ``reduction`` that the deprecated ``size_average`` / ``reduce`` arguments ask for."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    result = "mean" if size_average and reduce else ("sum" if reduce else "none")
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{result}' "
        "instead.",
        UserWarning,
        stacklevel=3,
    )
    return result


def reduced(loss: np.ndarray, reduction: int) -> np.ndarray:
    """Reduce per-element losses (the mean of no elements is nan, as in PyTorch)."""
    if reduction == NONE:
        return np.asarray(loss)
    with np.errstate(**_QUIET):  # added in PyTorch's order, as its loss.mean() / loss.sum()
        total = in_torch_order(loss, tuple(range(loss.ndim)))
        total = total / loss.size if reduction == MEAN else total
    return np.asarray(total, dtype=loss.dtype)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _log_sigmoid(x):
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def unsigned(value: int) -> int:
    """How PyTorch shows a saved int64 argument (``ignore_index``, ``dim``): as unsigned."""
    return value % (1 << 64)


class _OptionalSavedValue(SavedValue):
    """``grad_fn._saved_weight`` and the like: None when the op was given none."""

    __slots__ = ()

    def __get__(self, node, owner=None):
        if node is not None and self.name not in (node._saved or {}):
            return None
        return super().__get__(node, owner)


class _OptionalSaved(Function):
    """Saved tensors that may be absent: ``grad_fn._saved_weight`` is then None, as in PyTorch."""

    optional_saved: tuple = ()
    _saved_reduction = property(attrgetter("reduction"))

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in cls.optional_saved:
            setattr(cls, f"_saved_{name}", _OptionalSavedValue(name))

    def _optional(self, name):
        """A saved tensor that may be absent (``weight=None``); once freed it raises as usual."""
        saved = self._saved
        return self.saved(name) if saved is None or name in saved else None


class _PairLoss(_OptionalSaved):
    """A loss of ``self`` and ``target``, both differentiable.

    Subclasses give ``d_self`` and ``d_target``: ``grad`` times the derivative of each unweighted,
    unreduced element. The weight and the mean's ``1 / numel`` are applied after them, in the
    order PyTorch applies them; forward mode reduces the sum of both rules, as derivatives.yaml
    does.
    """

    jvp_formula = "apply_loss_reduction(<self rule>(self_t) + <target rule>(target_t), reduction)"

    def _begin(self, x, t, reduction):
        self.reduction, self.count = reduction, x.size
        self.save_input("self", 0, x)
        self.save_input("target", 1, t)

    def _finish(self, grad):
        weight = self._optional("weight")
        if weight is not None:
            grad = grad * weight
        return grad / self.count if self.reduction == MEAN else grad

    def backward(self, grad):
        x, t = self.saved("self"), self.saved("target")
        with np.errstate(**_QUIET):
            gx = self._finish(self.d_self(grad, x, t)) if self.needs_input_grad[0] else None
            gt = self._finish(self.d_target(grad, x, t)) if self.needs_input_grad[1] else None
        return gx, gt

    def jvp(self, tx, tt):
        x, t = self._fw_inputs
        weight = self._optional("weight")
        parts = []
        with np.errstate(**_QUIET):
            for tangent, rule in ((tx, self.d_self), (tt, self.d_target)):
                if tangent is not None:
                    part = rule(tangent, x, t)
                    parts.append(part if weight is None else part * weight)
            total = sum_tangents(*parts)
            return None if total is None else reduced(total, self.reduction)


class MseLoss(_PairLoss):
    torch_name = "MseLossBackward0"
    formulas = {
        "self": "mse_loss_backward(grad, self, target, reduction)  # 2 * (self - target) * grad",
        "target": "mse_loss_backward(grad, target, self, reduction)  # 2 * (target - self) * grad",
    }

    def forward(self, x, t, reduction):
        self._begin(x, t, reduction)
        diff = x - t
        return reduced(diff * diff, reduction)

    def d_self(self, grad, x, t):
        return 2 * (x - t) * grad

    def d_target(self, grad, x, t):
        return 2 * (t - x) * grad

    def backward(self, grad):
        if self.reduction != MEAN:
            return super().backward(grad)
        # PyTorch folds the mean into the 2: alpha = 2 / numel, rounded to the dtype, times
        # (self - target) times grad. Dividing last, as the other losses do, differs in the last
        # bit for a third of the elements.
        x, t = self.saved("self"), self.saved("target")
        alpha = x.dtype.type(2 / self.count if self.count else np.inf)
        with np.errstate(**_QUIET):
            gx = alpha * (x - t) * grad if self.needs_input_grad[0] else None
            gt = alpha * (t - x) * grad if self.needs_input_grad[1] else None
        return gx, gt


class BinaryCrossEntropy(_PairLoss):
    """BCE of probabilities; each log is clamped at -100, so 0 and 1 give finite losses."""

    torch_name = "BinaryCrossEntropyBackward0"
    formulas = {
        "self": "binary_cross_entropy_backward(grad, self, target, weight, reduction)"
        "  # grad * weight * (self - target) / max(self * (1 - self), 1e-12)",
        "target": "binary_cross_entropy_target_backward(grad, self, target, weight, reduction)"
        "  # -grad * weight * logit(self)",
    }
    optional_saved = ("weight",)

    def forward(self, x, t, weight, reduction):
        """``weight`` is the (expanded) weight Tensor or None; it gets no gradient."""
        self._begin(x, t, reduction)
        with np.errstate(**_QUIET):
            loss = (t - 1) * np.maximum(np.log1p(-x), -100) - t * np.maximum(np.log(x), -100)
        if weight is not None:
            self.save("weight", weight._data, weight)
            loss = (loss * weight._data).astype(x.dtype, copy=False)
        return reduced(loss, reduction)

    def d_self(self, grad, x, t):
        return grad * (x - t) / np.maximum((1 - x) * x, EPSILON)

    def d_target(self, grad, x, t):
        return -np.log(x / (1 - x)) * grad


class BinaryCrossEntropyWithLogits(_PairLoss):
    """BCE of logits: ``sigmoid`` folded into the loss, computed with a stable log-sigmoid."""

    torch_name = "BinaryCrossEntropyWithLogitsBackward0"
    formulas = {
        "self": "binary_cross_entropy_with_logits_backward(grad, self, target, weight, "
        "pos_weight, reduction)  # grad * weight * (sigmoid(self) - target) without pos_weight",
        "target": "binary_cross_entropy_with_logits_target_backward(grad, self, target, weight, "
        "pos_weight, reduction)  # -grad * weight * self without pos_weight",
    }
    optional_saved = ("weight", "pos_weight")

    def forward(self, x, t, weight, pos_weight, reduction):
        """``weight`` and ``pos_weight`` are Tensors or None; the loss has the target's dtype."""
        self._begin(x, t, reduction)
        with np.errstate(**_QUIET):
            log_sigmoid = _log_sigmoid(x)
            if pos_weight is not None:
                self.save("pos_weight", pos_weight._data, pos_weight)
                log_sigmoid = log_sigmoid * ((pos_weight._data - 1) * t + 1)
            loss = (1 - t) * x - log_sigmoid
            if weight is not None:
                self.save("weight", weight._data, weight)
                loss = loss * weight._data
        return reduced(loss.astype(t.dtype, copy=False), reduction)

    def d_self(self, grad, x, t):
        pos_weight = self._optional("pos_weight")
        if pos_weight is None:
            return (_sigmoid(x) - t) * grad
        scaled = pos_weight * t
        return ((scaled + 1 - t) * _sigmoid(x) - scaled) * grad

    def d_target(self, grad, x, t):
        pos_weight = self._optional("pos_weight")
        if pos_weight is None:
            return -x * grad
        return (_log_sigmoid(-x) - _log_sigmoid(x) * pos_weight) * grad


def _nll(x, t, weight, reduction, ignore_index, axis):
    """Negative log likelihood of classes ``t`` along ``axis``, and the total weight."""
    keep = t != ignore_index
    index = np.where(keep, t, 0)
    picked = np.take_along_axis(x, np.expand_dims(index, axis), axis).squeeze(axis)
    weights = np.ones(t.shape, x.dtype) if weight is None else weight[index]
    weights = np.where(keep, weights, 0).astype(x.dtype)
    losses = np.where(keep, -picked * weights, 0).astype(x.dtype)
    if reduction == NONE:
        return losses, np.zeros((), x.dtype)
    # Added in the order of PyTorch's kernel; without weights its total is the count kept.
    loss, total = nll_sums(losses, None if weight is None else weights, keep)
    total = np.asarray(np.count_nonzero(keep) if total is None else total, dtype=x.dtype)
    with np.errstate(**_QUIET):
        out = loss / total if reduction == MEAN else loss
    return np.asarray(out, dtype=x.dtype), total


class NllLoss(_OptionalSaved):
    """``-weight[target] * self[target]`` for each sample; targets equal to ignore_index drop out.

    The input has the classes along dim 1 (dim 0 for a single sample); the target is a Tensor
    parameter: it is saved, but gets no gradient, as in PyTorch.
    """

    torch_name = "NllLossBackward0"
    formulas = {
        "self": "nll_loss_backward(grad, self, target, weight, reduction, ignore_index, "
        "total_weight)  # -weight[target] * grad at each target, / total_weight for 'mean'"
    }
    jvp_formula = "nll_loss_forward(self_t, target, weight, reduction, ignore_index)[0]"
    optional_saved = ("weight",)

    @property
    def _saved_ignore_index(self):
        return unsigned(self.ignore_index)

    def forward(self, x, target, weight, reduction, ignore_index):
        t = target._data.reshape(()) if x.ndim == 1 else target._data
        self.reduction, self.ignore_index = reduction, ignore_index
        self.shape, self.axis = x.shape, 0 if x.ndim == 1 else 1
        self.save_input("self", 0, x)
        self.save("target", t, target)
        if weight is not None:
            self.save("weight", weight._data, weight)
        out, total = _nll(x, t, None if weight is None else weight._data, reduction,
                          ignore_index, self.axis)
        self.save("total_weight", total)
        return out

    def backward(self, grad):
        t, total = self.saved("target"), self.saved("total_weight")
        weight = self._optional("weight")
        keep = t != self.ignore_index
        index = np.where(keep, t, 0)
        weights = 1 if weight is None else weight[index]
        with np.errstate(**_QUIET):
            scale = grad / total if self.reduction == MEAN else grad
            values = np.where(keep, -weights * scale, 0).astype(grad.dtype)
        out, axis = np.zeros(self.shape, dtype=grad.dtype), self.axis
        np.put_along_axis(out, np.expand_dims(index, axis), np.expand_dims(values, axis), axis)
        return out

    def jvp(self, t):
        weight = self._optional("weight")
        target = self.saved("target")
        return _nll(t, target, weight, self.reduction, self.ignore_index, self.axis)[0]


class NllLoss2d(NllLoss):
    """``nll_loss`` of 4-d input (N, C, H, W); other shapes beyond 2-d are viewed as 4-d."""

    torch_name = "NllLoss2DBackward0"


class DivByNumber(Function):
    """``tensor / number`` as PyTorch's C++ code records it (Python's ``/`` gives DivBackward0)."""

    torch_name = "DivBackward1"
    formulas = {"self": "div_tensor_self_backward(grad, other, self.scalar_type())  # grad / other"}
    jvp_formula = "self_t / other"
    _saved_other = property(attrgetter("other"))

    def forward(self, x, other):
        self.other = other
        with np.errstate(**_QUIET):
            return np.asarray(x / other, dtype=x.dtype)

    def backward(self, grad):
        return grad / self.other

    def jvp(self, t):
        return t / self.other
