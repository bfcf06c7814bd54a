"""A numpy autograd engine that stands in for a subset of PyTorch: ``import engine as torch``.

Values, gradients, printed tensors, ``grad_fn`` names and error messages follow PyTorch 2.x.
"""

from . import autograd, nn  # noqa: E402,I001 - after Tensor exists
import builtins as _builtins

import numpy as _np

from . import methods as _methods  # noqa: F401 - binds the ops to Tensor
from .creation import (
    arange,
    as_tensor,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import bool, dtype, float32, float64, int64  # noqa: A004 - engine.bool
from .formatting import get_printoptions, set_printoptions
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .ops.binary import (
    add,
    div,
    eq,
    ge,
    gt,
    le,
    lt,
    maximum,
    minimum,
    mul,
    ne,
    rsub,
    sub,
    where,
)
from .ops.indexing import getitem as _getitem  # noqa: F401
from .ops.linalg import addmm, dot, matmul, mm, mv, outer
from .ops.power import pow
from .ops.reduce import max, mean, min, sum
from .ops.shape import (
    cat,
    expand,
    flatten,
    is_tensor,
    permute,
    reshape,
    squeeze,
    stack,
    t,
    transpose,
    unsqueeze,
    view,
)
from .ops.unary import (
    abs,
    clamp,
    clone,
    cos,
    exp,
    log,
    neg,
    reciprocal,
    relu,
    sigmoid,
    sin,
    sqrt,
    tanh,
)
from .size import Size
from .tensor import Tensor

float = float32  # noqa: A001 - torch.float
double = float64
long = int64
clip = clamp
negative = neg
multiply = mul
divide = div
subtract = sub
true_divide = div
concat = cat
concatenate = cat
__version__ = "0.1.0"

# PyTorch never warns about log(0), 1/0 or inf - inf: it returns inf and nan quietly. numpy's
# per-call errstate costs more than most ops here, so the engine sets the quiet mode once.
_np.seterr(divide="ignore", invalid="ignore", over="ignore", under="ignore")


def softmax(input, dim=None, **options):  # noqa: A002 - PyTorch's argument names
    return nn.functional.softmax(input, dim, **options)


def log_softmax(input, dim=None, **options):  # noqa: A002
    return nn.functional.log_softmax(input, dim, **options)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):  # noqa: A002
    """Whether every element is close, as ``torch.allclose`` (shapes must broadcast)."""
    close = _np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return _builtins.bool(close)


def equal(input, other):  # noqa: A002
    """Same shape and same values, as ``torch.equal``."""
    return input.shape == other.shape and _builtins.bool(_np.array_equal(input._data, other._data))


def numel(x: Tensor) -> int:
    return x.numel()


def is_floating_point(x: Tensor):
    return x.is_floating_point()


def get_default_dtype():
    return float32

