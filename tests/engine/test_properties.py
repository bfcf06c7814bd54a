"""Property tests: random shapes and random op chains against PyTorch, and the accumulation laws
(two backward calls give exactly twice the gradient; zero_ then backward gives one)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import engine
from tests.engine.compare import assert_same_values, grad_fn_name

# Unary steps that keep values finite for any finite input (log/sqrt get a positive argument).
UNARY_STEPS = {
    "exp_small": lambda T, x: (x * 0.1).exp(),
    "tanh": lambda T, x: x.tanh(),
    "sigmoid": lambda T, x: T.sigmoid(x),
    "sin": lambda T, x: x.sin(),
    "square": lambda T, x: x.pow(2),
    "log_pos": lambda T, x: (x * x + 1).log(),
    "sqrt_pos": lambda T, x: (x.abs() + 1).sqrt(),
    "neg_add": lambda T, x: -x + 0.5,
    "scale": lambda T, x: 2.0 * x - 1,
    "div_pos": lambda T, x: x / (x * x + 1),
    "t_twice": lambda T, x: x.t().t() if x.dim() == 2 else x,
    "reshape_back": lambda T, x: x.reshape(-1).reshape(x.shape),
    "clone": lambda T, x: x.clone(),
}
REDUCTIONS = {
    "sum": lambda T, x: x.sum(),
    "mean": lambda T, x: x.mean(),
    "sum_last": lambda T, x: x.sum(-1) if x.dim() else x,
    "mean_first_keep": lambda T, x: x.mean(0, keepdim=True) if x.dim() else x,
}

finite = st.floats(-3, 3, allow_nan=False, width=32)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast together, with size-1 dims and missing leading dims."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    other = list(shape[draw(st.integers(0, len(shape) - 1)):])
    other = [1 if draw(st.booleans()) else n for n in other]
    return shape, tuple(other)


def _leaf(module, array):
    return module.tensor(array.tolist(), dtype=getattr(module, str(array.dtype)),
                         requires_grad=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pair=broadcast_pair(),
    dtype=st.sampled_from(["float32", "float64"]),
    op=st.sampled_from(["add", "sub", "mul", "maximum", "where"]),
    data=st.data(),
)
def test_broadcasting_binary_ops_match_torch(pair, dtype, op, data):
    torch = pytest.importorskip("torch")
    a = data.draw(hnp.arrays(dtype, pair[0], elements=finite))
    b = data.draw(hnp.arrays(dtype, pair[1], elements=finite))
    if data.draw(st.booleans()):
        a, b = b, a

    def run(T):
        x, y = _leaf(T, a), _leaf(T, b)
        funcs = {
            "add": lambda: x + y, "sub": lambda: x - y, "mul": lambda: x * y,
            "maximum": lambda: T.maximum(x, y), "where": lambda: T.where(x > y, x, y),
        }
        out = funcs[op]()
        out.sum().backward()
        return out, x.grad, y.grad

    for mine, theirs in zip(run(engine), run(torch), strict=True):
        assert_same_values(mine, theirs)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=shapes,
    dtype=st.sampled_from(["float32", "float64"]),
    steps=st.lists(st.sampled_from(sorted(UNARY_STEPS)), min_size=1, max_size=6),
    reduction=st.sampled_from(sorted(REDUCTIONS)),
    data=st.data(),
)
def test_random_chains_match_torch(shape, dtype, steps, reduction, data):
    torch = pytest.importorskip("torch")
    values = data.draw(hnp.arrays(dtype, shape, elements=finite))

    def run(T):
        x = _leaf(T, values)
        y = x
        for step in steps:
            y = UNARY_STEPS[step](T, y)
        y = REDUCTIONS[reduction](T, y)
        seed = T.ones_like(y)
        y.backward(seed)
        return y, x.grad

    (ours, our_grad), (theirs, their_grad) = run(engine), run(torch)
    assert_same_values(ours, theirs, rtol=1e-4, atol=1e-5)
    assert grad_fn_name(ours) == grad_fn_name(theirs)
    assert_same_values(our_grad, their_grad, rtol=1e-4, atol=1e-5)


@settings(max_examples=40, deadline=None)
@given(shape=shapes, steps=st.lists(st.sampled_from(sorted(UNARY_STEPS)), min_size=1,
                                     max_size=4), data=st.data())
def test_second_backward_accumulates_exactly_twice(shape, steps, data):
    values = data.draw(hnp.arrays("float64", shape, elements=finite))
    x = engine.tensor(values, requires_grad=True)
    y = x
    for step in steps:
        y = UNARY_STEPS[step](engine, y)
    seed = engine.tensor(data.draw(hnp.arrays("float64", tuple(y.shape), elements=finite)))
    y.backward(seed, retain_graph=True)
    once = x.grad.clone()
    y.backward(seed, retain_graph=True)
    np.testing.assert_array_equal(x.grad.numpy(), 2 * once.numpy())
    x.grad.zero_()
    y.backward(seed)
    np.testing.assert_array_equal(x.grad.numpy(), once.numpy())


def test_ten_thousand_op_chain_backward_does_not_recurse():
    x = engine.ones(4, 5, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((4, 5), dtype=np.float32))
