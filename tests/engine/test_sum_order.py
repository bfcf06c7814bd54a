"""Sums add up in PyTorch's order, so that ``loss.item()`` prints PyTorch's last digit too.

The comparisons with PyTorch are bit for bit (numpy's own sum differs from it in the last bit
for most tensors of more than four numbers, which is what each test would catch). The tests
without torch pin down the order itself.
"""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.ops import sum_order
from engine.ops.sum_order import in_torch_order

FLOATS = [np.float32, np.float64]


def same_bits(ours, theirs):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    return ours.shape == theirs.shape and ours.dtype == theirs.dtype and np.array_equal(
        ours.view(np.uint8 if ours.dtype.itemsize == 1 else f"u{ours.dtype.itemsize}"),
        theirs.view(np.uint8 if theirs.dtype.itemsize == 1 else f"u{theirs.dtype.itemsize}"))


def torch_twin(torch, x: np.ndarray):
    """A torch tensor with x's values and x's memory layout (strides, broadcast zeros)."""
    owner = x
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    flat = torch.from_numpy(np.ascontiguousarray(owner).reshape(-1).copy())
    offset = (x.__array_interface__["data"][0] - owner.__array_interface__["data"][0])
    twin = flat.as_strided(x.shape, [s // x.itemsize for s in x.strides], offset // x.itemsize)
    assert np.array_equal(twin.numpy(), x)
    return twin


def random_layout(rng):
    """An array of 1-4 dimensions laid out contiguously, permuted, sliced or broadcast, and a
    set of axes to sum over."""
    sizes = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 40]
    shape = [int(rng.choice(sizes)) for _ in range(rng.integers(1, 5))]
    while np.prod(shape) > 30000:
        shape[rng.integers(len(shape))] //= 2
    base = rng.normal(0, 1, [2 * n for n in shape]).astype(rng.choice(FLOATS))
    kind = rng.choice(["contiguous", "permuted", "sliced", "broadcast"])
    first = np.ascontiguousarray(base[tuple(slice(0, n) for n in shape)])
    if kind == "permuted":
        x = first.transpose(rng.permutation(len(shape)))
    elif kind == "sliced":
        x = base[tuple(slice(0, 2 * n, 2) if rng.random() < 0.5 else slice(1, 1 + n)
                       for n in shape)]
    elif kind == "broadcast":
        small = np.ascontiguousarray(first[tuple(slice(0, 1) if rng.random() < 0.5 else slice(None)
                                                 for _ in shape)])
        x = np.broadcast_to(small, shape)
    else:
        x = first
    count = rng.integers(0, x.ndim + 1)
    axes = tuple(sorted(rng.choice(x.ndim, count, replace=False).tolist())) if count else ()
    return x, axes or tuple(range(x.ndim))


# -- against PyTorch, bit for bit ----------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
def test_whole_tensor_sums_and_means_of_every_size_match_torch(torch, dtype):
    rng = np.random.default_rng(0)
    for size in [*range(1, 130), 255, 256, 257, 511, 512, 4095, 4096, 4097, 16384, 32767]:
        values = rng.normal(0, 1, size).astype(dtype)
        ours, theirs = engine.tensor(values), torch.tensor(values)
        assert same_bits(ours.sum().numpy(), theirs.sum().numpy()), size
        assert same_bits(ours.mean().numpy(), theirs.mean().numpy()), size
        assert ours.sum().item() == theirs.sum().item()


def test_sums_over_dims_of_random_layouts_match_torch(torch):
    rng = np.random.default_rng(1)
    for _ in range(600):
        x, axes = random_layout(rng)
        theirs = torch_twin(torch, x).sum(dim=axes).numpy()
        assert same_bits(in_torch_order(x, axes), theirs), (x.shape, x.strides, axes)


def test_numpy_alone_would_differ_from_torch_on_those_layouts(torch):
    """The check above can fail: numpy's own sum differs from PyTorch's on most of them."""
    rng = np.random.default_rng(1)
    differing = 0
    for _ in range(200):
        x, axes = random_layout(rng)
        differing += not same_bits(x.sum(axis=axes), torch_twin(torch, x).sum(dim=axes).numpy())
    assert differing > 50


def test_reductions_through_the_engine_match_torch(torch):
    rng = np.random.default_rng(2)
    values = rng.normal(0, 1, (6, 20)).astype(np.float32)
    bias = rng.normal(0, 1, 20).astype(np.float32)
    results = []
    for T in (engine, torch):
        x, b = T.tensor(values, requires_grad=True), T.tensor(bias, requires_grad=True)
        y = (x * 3 + b) * x  # exact elementwise steps (float32 tanh or exp may differ by a bit)
        loss = T.nn.functional.mse_loss(y, T.zeros(6, 20, dtype=T.float32))
        loss.backward(T.tensor(1.7, dtype=T.float32))  # b.grad is summed over the batch (sum_to)
        results.append([loss, y.sum(0), y.sum(1, keepdim=True), y.mean((0, 1)), y.t().sum(0),
                        x.grad, b.grad])
    names = ["loss", "y.sum(0)", "y.sum(1)", "y.mean", "y.t().sum(0)", "x.grad", "b.grad"]
    for name, ours, theirs in zip(names, *results, strict=True):
        ours, theirs = ours.detach().numpy(), theirs.detach().numpy()
        assert same_bits(ours, theirs), (name, ours.dtype, theirs.dtype, ours - theirs)


# -- the order itself, without torch --------------------------------------------------------------
def test_five_numbers_are_added_as_four_accumulators_then_the_fifth():
    a = np.array([1e8, 1, 1, 1, -1e8], np.float32)
    # PyTorch adds ((((a0 + a4) + a1) + a2) + a3) = 3; in order it would be 0, pairwise too.
    assert in_torch_order(a, (0,)) == 3
    assert a.sum() == 0


def test_in_order_adds_left_to_right_whatever_the_shape():
    rng = np.random.default_rng(3)
    for shape in [(9,), (40,), (9, 8), (33, 4, 8), (2, 17, 3)]:
        stack = (rng.normal(0, 1, shape) * 10.0 ** rng.integers(-4, 5, shape)).astype(np.float32)
        expected = stack[0].copy()
        for row in stack[1:]:
            expected = expected + row
        assert same_bits(sum_order._in_order(stack), expected), shape


def test_a_sum_of_negative_zeros_is_positive_zero_as_in_torch():
    assert not np.signbit(in_torch_order(np.array([-0.0, -0.0], np.float32), (0,)))
    assert not np.signbit(engine.tensor([-0.0]).sum().item())


def test_big_sums_and_integers_keep_numpys_sum():
    big = np.random.default_rng(4).normal(0, 1, sum_order.THREAD_GRAIN).astype(np.float32)
    assert same_bits(in_torch_order(big, (0,)), big.sum())
    counts = np.arange(12).reshape(3, 4)
    assert same_bits(in_torch_order(counts, (1,)), counts.sum(axis=1))


def test_empty_sums_are_zero_and_empty_means_nan():
    assert engine.zeros(0).sum().item() == 0
    assert np.isnan(engine.zeros(0, 3).mean().item())


@pytest.mark.parametrize("dtype", FLOATS)
def test_nll_loss_adds_as_its_kernel_does(torch, dtype):
    """nll_loss sums in levels of its own; with ignored targets, weights and 2-d maps."""
    rng = np.random.default_rng(5)
    for case in range(150):
        classes = int(rng.integers(2, 8))
        shape = (int(rng.integers(1, 300)),) if case % 3 else (int(rng.integers(1, 5)), 7, 3)
        scores = rng.normal(0, 2, (shape[0], classes, *shape[1:])).astype(dtype)
        target = rng.integers(0, classes, shape)
        target[rng.random(shape) < 0.1] = -100
        weight = rng.uniform(0.5, 2, classes).astype(dtype) if case % 2 else None
        reduction = "sum" if case % 5 == 0 else "mean"
        ours, theirs = (T.nn.functional.nll_loss(
            T.tensor(scores), T.tensor(target), None if weight is None else T.tensor(weight),
            reduction=reduction).numpy() for T in (engine, torch))
        assert same_bits(ours, theirs) or (np.isnan(ours) and np.isnan(theirs)), case
