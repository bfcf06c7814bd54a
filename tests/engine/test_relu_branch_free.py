"""relu's forward and backward zero elements without np.where (see ``unary._zero_where``): the
same bits as np.where, in the same layout, for every dtype and memory layout relu meets."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.ops.unary import _zero_where

SPECIALS = [0.0, -0.0, 1.5, -1.5, np.inf, -np.inf, np.nan, -np.nan, 1e-40, -1e-40]


def _layouts(values):
    """The same kind of data C-ordered, transposed, sliced, broadcast (stride 0) and 0-d."""
    square = np.resize(values, (6, 6))
    return {
        "c": square,
        "transposed": square.T,
        "sliced": square[::2, 1::2],
        "broadcast": np.broadcast_to(square[0], (4, 6)),
        "0-d": np.asarray(values[3]),
    }


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int32", "int64",
                                   "uint8"])
@pytest.mark.parametrize("layout", ["c", "transposed", "sliced", "broadcast", "0-d"])
def test_zero_where_gives_np_where_bit_for_bit(dtype, layout):
    if dtype.startswith("float"):
        values = np.array(SPECIALS, dtype=dtype)
    else:  # negative numbers wrap around for uint8: relu then keeps them all
        values = np.array([0, -3, 7, -1, 2, 5, -8]).astype(dtype)
    x = _layouts(values)[layout]
    for mask in (x < 0, x <= 0):
        ours = _zero_where(mask, x)
        theirs = np.asarray(np.where(mask, 0, x), dtype=x.dtype)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        assert ours.strides == theirs.strides
        bits = np.dtype(f"u{x.itemsize}")
        np.testing.assert_array_equal(ours.view(bits), theirs.view(bits))


def test_relu_keeps_negative_zero_nan_and_zeroes_minus_inf_as_pytorch():
    torch = pytest.importorskip("torch")
    values = [0.0, -0.0, 2.0, -2.0, float("inf"), float("-inf"), float("nan")]
    for dtype in ("float32", "float64"):
        ours = engine.tensor(values, dtype=getattr(engine, dtype), requires_grad=True)
        theirs = torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True)
        out_ours, out_theirs = ours.relu(), theirs.relu()
        np.testing.assert_array_equal(np.signbit(out_ours.detach().numpy()),
                                      np.signbit(out_theirs.detach().numpy()))
        np.testing.assert_array_equal(out_ours.detach().numpy(), out_theirs.detach().numpy())
        seed = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
        out_ours.backward(engine.tensor(seed, dtype=getattr(engine, dtype)))
        out_theirs.backward(torch.tensor(seed, dtype=getattr(torch, dtype)))
        np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
        np.testing.assert_array_equal(np.signbit(ours.grad.numpy()),
                                      np.signbit(theirs.grad.numpy()))
