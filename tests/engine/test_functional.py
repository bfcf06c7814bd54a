"""engine.nn.functional against PyTorch, and every gradient rule against finite differences.

The PyTorch comparisons take the ``torch`` fixture (they skip without torch): values, grad_fn
names down the graph, printed text, the gradient of every input and saved tensors (errors and
warnings are in test_functional_messages.py, other argument dtypes in test_functional_arguments.py).
The finite-difference checks of backward and forward mode need only numpy.
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import engine
from engine import grad_mode
from tests.engine.compare import assert_same_values, grad_fn_name, to_numpy, torch_repr

X, P, W = "x", "p", "w"  # normal values and probabilities (both require grad); positive weights


def classes(n):
    """Class indices below ``n`` (int64, no grad)."""
    return f"c{n}"


def _unary(name, *args, **kwargs):
    return lambda F, T, a: getattr(F, name)(a, *args, **kwargs)


def _pair(name, **kwargs):
    return lambda F, T, a, b: getattr(F, name)(a, b, **kwargs)


def _weighted(name, **kwargs):
    return lambda F, T, a, b, w: getattr(F, name)(a, b, w, **kwargs)


M34, P23 = ((3, 4), X), ((2, 3), P)
LOGITS, LABELS, CLASS_WEIGHT = ((4, 5), X), ((4,), classes(5)), ((5,), W)

# name: (call(F, T, *tensors), [(shape, kind), ...]) with F = T.nn.functional
CASES = {
    "relu": (_unary("relu"), [M34]),
    "sigmoid": (_unary("sigmoid"), [M34]),
    "tanh": (_unary("tanh"), [M34]),
    "softmax_last": (_unary("softmax", -1), [M34]),
    "softmax_dim0": (_unary("softmax", dim=0), [M34]),
    "softmax_1d": (_unary("softmax", 0), [((5,), X)]),
    "softmax_3d": (_unary("softmax", 1), [((2, 3, 4), X)]),
    "softmax_0d": (_unary("softmax", 0), [((), X)]),
    "softmax_dtype": (lambda F, T, a: F.softmax(a, 1, dtype=T.float64), [M34]),
    "log_softmax_last": (_unary("log_softmax", -1), [M34]),
    "log_softmax_dim0": (_unary("log_softmax", 0), [M34]),
    "log_softmax_1d": (_unary("log_softmax", dim=0), [((5,), X)]),
    "log_softmax_3d": (_unary("log_softmax", 2), [((2, 3, 4), X)]),
    "log_softmax_0d": (_unary("log_softmax", -1), [((), X)]),
    "log_softmax_dtype": (lambda F, T, a: F.log_softmax(a, 0, dtype=T.float64), [M34]),
    "mse_mean": (_pair("mse_loss"), [M34, M34]),
    "mse_sum": (_pair("mse_loss", reduction="sum"), [M34, M34]),
    "mse_none": (_pair("mse_loss", reduction="none"), [M34, M34]),
    "mse_0d": (_pair("mse_loss"), [((), X), ((), X)]),
    "mse_broadcast": (_pair("mse_loss"), [M34, ((4,), X)]),
    "mse_weight_mean": (lambda F, T, a, b, w: F.mse_loss(a, b, weight=w), [M34, M34, ((3, 4), W)]),
    "mse_weight_none": (
        lambda F, T, a, b, w: F.mse_loss(a, b, reduction="none", weight=w), [M34, M34, ((3, 4), W)]
    ),
    "bce_mean": (_pair("binary_cross_entropy"), [P23, P23]),
    "bce_sum": (_pair("binary_cross_entropy", reduction="sum"), [P23, P23]),
    "bce_none": (_pair("binary_cross_entropy", reduction="none"), [P23, P23]),
    "bce_1d": (_pair("binary_cross_entropy"), [((5,), P), ((5,), P)]),
    "bce_weight": (_weighted("binary_cross_entropy"), [P23, P23, ((3,), W)]),
    "bce_weight_none": (
        _weighted("binary_cross_entropy", reduction="none"), [P23, P23, ((2, 1), W)]
    ),
    "bcel_mean": (_pair("binary_cross_entropy_with_logits"), [((2, 3), X), P23]),
    "bcel_sum": (_pair("binary_cross_entropy_with_logits", reduction="sum"), [((2, 3), X), P23]),
    "bcel_none": (_pair("binary_cross_entropy_with_logits", reduction="none"), [((2, 3), X), P23]),
    "bcel_weight": (_weighted("binary_cross_entropy_with_logits"), [((2, 3), X), P23, ((3,), W)]),
    "bcel_pos_weight": (
        lambda F, T, a, b, w: F.binary_cross_entropy_with_logits(a, b, pos_weight=w),
        [((2, 3), X), P23, ((3,), W)],
    ),
    "bcel_both_none": (
        lambda F, T, a, b, w, pw: F.binary_cross_entropy_with_logits(
            a, b, w, reduction="none", pos_weight=pw
        ),
        [((2, 3), X), P23, ((2, 1), W), ((3,), W)],
    ),
    "bcel_swapped_0d": (_pair("binary_cross_entropy_with_logits"), [((), X), ((), X)]),
    "nll_mean": (_pair("nll_loss"), [LOGITS, LABELS]),
    "nll_sum": (_pair("nll_loss", reduction="sum"), [LOGITS, LABELS]),
    "nll_none": (_pair("nll_loss", reduction="none"), [LOGITS, LABELS]),
    "nll_weight": (_weighted("nll_loss"), [LOGITS, LABELS, CLASS_WEIGHT]),
    "nll_weight_none": (_weighted("nll_loss", reduction="none"), [LOGITS, LABELS, CLASS_WEIGHT]),
    "nll_ignore": (_pair("nll_loss", ignore_index=1), [((6, 3), X), ((6,), classes(3))]),
    "nll_1d": (_pair("nll_loss"), [((5,), X), ((), classes(5))]),
    "nll_4d": (_pair("nll_loss"), [((2, 3, 2, 2), X), ((2, 2, 2), classes(3))]),
    "nll_3d": (_pair("nll_loss"), [((2, 3, 4), X), ((2, 4), classes(3))]),
    "nll_3d_none": (_pair("nll_loss", reduction="none"), [((2, 3, 4), X), ((2, 4), classes(3))]),
    "ce_mean": (_pair("cross_entropy"), [LOGITS, LABELS]),
    "ce_sum": (_pair("cross_entropy", reduction="sum"), [LOGITS, LABELS]),
    "ce_none": (_pair("cross_entropy", reduction="none"), [LOGITS, LABELS]),
    "ce_weight": (_weighted("cross_entropy"), [LOGITS, LABELS, CLASS_WEIGHT]),
    "ce_ignore": (_pair("cross_entropy", ignore_index=0), [((6, 3), X), ((6,), classes(3))]),
    "ce_1d": (_pair("cross_entropy"), [((5,), X), ((), classes(5))]),
    "ce_3d_none": (
        _pair("cross_entropy", reduction="none"), [((2, 3, 4), X), ((2, 4), classes(3))]
    ),
    "ce_probs_mean": (_pair("cross_entropy"), [M34, ((3, 4), P)]),
    "ce_probs_sum": (_pair("cross_entropy", reduction="sum"), [M34, ((3, 4), P)]),
    "ce_probs_none": (_pair("cross_entropy", reduction="none"), [M34, ((3, 4), P)]),
    "ce_probs_weight": (_weighted("cross_entropy"), [M34, ((3, 4), P), ((4,), W)]),
    "ce_probs_3d": (_pair("cross_entropy"), [((2, 3, 2), X), ((2, 3, 2), P)]),
    "linear_1d": (_pair("linear"), [((3,), X), ((4, 3), X)]),
    "linear_1d_bias": (_weighted("linear"), [((3,), X), ((4, 3), X), ((4,), X)]),
    "linear_2d": (_pair("linear"), [((2, 3), X), ((4, 3), X)]),
    "linear_2d_bias": (_weighted("linear"), [((2, 3), X), ((4, 3), X), ((4,), X)]),
    "linear_3d": (_pair("linear"), [((5, 2, 3), X), ((4, 3), X)]),
    "linear_3d_bias": (_weighted("linear"), [((5, 2, 3), X), ((4, 3), X), ((4,), X)]),
    "linear_4d_row_bias": (_weighted("linear"), [((2, 2, 2, 3), X), ((4, 3), X), ((1, 4), X)]),
    "linear_3d_scalar_bias": (_weighted("linear"), [((2, 2, 3), X), ((4, 3), X), ((), X)]),
    "linear_transposed_bias": (
        lambda F, T, x, w, b: F.linear(x.transpose(0, 1), w, b),
        [((2, 5, 3), X), ((4, 3), X), ((4,), X)],
    ),
    "linear_vector_weight": (_pair("linear"), [((2, 3), X), ((3,), X)]),
}


def _arrays(specs, dtype, seed):
    rng = np.random.default_rng(seed)
    arrays = []
    for shape, kind in specs:
        if kind.startswith("c"):
            arrays.append(rng.integers(0, int(kind[1:]), size=shape).astype(np.int64))
            continue
        if kind == X:
            values = rng.standard_normal(shape)
        elif kind == P:
            values = rng.uniform(0.05, 0.95, size=shape)
        else:
            values = rng.uniform(0.5, 2.0, size=shape)
        arrays.append(np.asarray(values, dtype=dtype))
    return arrays


def _leaves(module, arrays, specs):
    leaves = [module.tensor(a) for a in arrays]
    for leaf, (_, kind) in zip(leaves, specs):
        if kind in (X, P):
            leaf.requires_grad_(True)
    return leaves


def _call(module, call, tensors):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mse_loss warns about broadcasting; tested below
        return call(module.nn.functional, module, *tensors)


def _run(module, name, dtype):
    call, specs = CASES[name]
    leaves = _leaves(module, _arrays(specs, dtype, zlib.crc32(name.encode())), specs)
    return leaves, _call(module, call, leaves)


def graph(tensor, depth=4):
    """The node names down the graph, with PyTorch's ``torch::`` spelled as ours."""

    def walk(node, left):
        if node is None:
            return None
        children = [walk(child, left - 1) for child, _ in node.next_functions] if left else []
        return node.name().replace("torch::", "engine::"), children

    return walk(tensor.grad_fn, depth)


def assert_same_text(ours, theirs):
    if np.array_equal(to_numpy(ours), to_numpy(theirs), equal_nan=True):
        assert repr(ours) == torch_repr(theirs)
    else:  # the last printed digit may move with summation order; the rest must agree
        assert repr(ours).rsplit("grad_fn=", 1)[-1] == torch_repr(theirs).rsplit("grad_fn=", 1)[-1]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, dtype, torch):
    ours_in, ours = _run(engine, name, dtype)
    theirs_in, theirs = _run(torch, name, dtype)
    assert_same_values(ours, theirs)
    assert grad_fn_name(ours) == grad_fn_name(theirs)
    assert graph(ours) == graph(theirs)
    assert_same_text(ours, theirs)

    seed = np.random.default_rng(7).standard_normal(tuple(theirs.shape)).astype(dtype)
    ours.backward(engine.tensor(seed))
    theirs.backward(torch.tensor(seed))
    for mine, reference in zip(ours_in, theirs_in, strict=True):
        assert_same_values(mine.grad, reference.grad, rtol=1e-4, atol=1e-5)
        if mine.grad is not None:
            assert_same_text(mine.grad, reference.grad)


# -- finite differences (no torch needed) ----------------------------------------------------------
def central_difference_vjp(call, arrays, seed, index, eps=1e-6):
    """d<seed, call(...)>/d(input ``index``) by central differences, one element at a time."""
    grad = np.zeros_like(arrays[index])
    flat = grad.reshape(-1)
    for i in range(flat.size):
        sides = []
        for sign in (1, -1):
            moved = [a.copy() for a in arrays]
            moved[index].reshape(-1)[i] += sign * eps
            out = _call(engine, call, [engine.tensor(m) for m in moved])
            sides.append(float((to_numpy(out) * seed).sum()))
        flat[i] = (sides[0] - sides[1]) / (2 * eps)
    return grad


NOT_SMOOTH = {"relu"}


@pytest.mark.parametrize("name", sorted(set(CASES) - NOT_SMOOTH))
def test_gradients_match_finite_differences(name):
    call, specs = CASES[name]
    arrays = _arrays(specs, "float64", zlib.crc32(name.encode()) + 1)
    leaves = _leaves(engine, arrays, specs)
    out = _call(engine, call, leaves)
    seed = np.random.default_rng(3).standard_normal(tuple(out.shape))
    out.backward(engine.tensor(seed))
    for index, (leaf, (_, kind)) in enumerate(zip(leaves, specs)):
        if kind in (X, P):
            expected = central_difference_vjp(call, arrays, seed, index)
            np.testing.assert_allclose(leaf.grad.numpy(), expected, rtol=1e-5, atol=1e-6)
        else:
            assert leaf.grad is None


# Cases whose result is one node fed by exactly the inputs that require grad, in order.
COMPOSED = {"softmax_dtype", "log_softmax_dtype", "mse_broadcast", "mse_weight_mean",
            "mse_weight_none", "nll_3d", "nll_3d_none"}
PRIMITIVES = sorted(
    name for name in CASES
    if name.startswith(("softmax", "log_softmax", "mse", "bce", "nll")) and name not in COMPOSED
)


@pytest.mark.parametrize("name", PRIMITIVES)
def test_forward_mode_rule_matches_finite_differences(name, eps=1e-6):
    call, specs = CASES[name]
    arrays = _arrays(specs, "float64", zlib.crc32(name.encode()) + 2)
    rng = np.random.default_rng(5)
    moving = [i for i, (_, kind) in enumerate(specs) if kind in (X, P)]
    tangents = {i: rng.standard_normal(arrays[i].shape) for i in moving}
    tangents[moving[-1]] = None if len(moving) > 1 else tangents[moving[-1]]  # a zero tangent
    previous, grad_mode.STATE.forward_ad = grad_mode.STATE.forward_ad, True
    try:
        out = _call(engine, call, _leaves(engine, arrays, specs))
    finally:
        grad_mode.STATE.forward_ad = previous
    got = out.grad_fn.jvp(*(tangents[i] for i in moving))

    def shifted(sign):
        moved = [a.copy() for a in arrays]
        for i, tangent in tangents.items():
            if tangent is not None:
                moved[i] = np.asarray(moved[i] + sign * eps * tangent)
        return to_numpy(_call(engine, call, [engine.tensor(m) for m in moved]))

    expected = (shifted(1) - shifted(-1)) / (2 * eps)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


# -- what the nodes keep -----------------------------------------------------------------------
SAVED = {
    "softmax_last": ("result", "dim"),
    "log_softmax_dim0": ("result", "dim"),
    "mse_sum": ("self", "target", "reduction"),
    "bce_mean": ("self", "target", "weight", "reduction"),
    "bce_weight": ("self", "target", "weight", "reduction"),
    "bcel_none": ("self", "target", "weight", "pos_weight", "reduction"),
    "bcel_pos_weight": ("self", "target", "weight", "pos_weight", "reduction"),
    "nll_mean": ("self", "target", "weight", "total_weight", "reduction", "ignore_index"),
    "nll_weight_none": ("self", "target", "weight", "total_weight", "reduction", "ignore_index"),
    "nll_ignore": ("total_weight", "ignore_index"),
    "nll_4d": ("self", "target", "total_weight", "reduction"),
    "ce_probs_mean": ("other",),
}


@pytest.mark.parametrize("name", sorted(SAVED))
def test_saved_values_match_torch(name, torch):
    _, ours = _run(engine, name, "float32")
    _, theirs = _run(torch, name, "float32")
    for key in SAVED[name]:
        mine, reference = (getattr(t.grad_fn, f"_saved_{key}") for t in (ours, theirs))
        if reference is None or isinstance(reference, int):
            assert mine == reference, key
        else:
            assert_same_values(mine, reference)


@pytest.mark.parametrize("name", ["softmax_last", "mse_mean", "bce_mean", "bcel_mean", "nll_mean"])
def test_backward_frees_saved_tensors_as_torch_does(name, torch):
    messages = []
    for module in (engine, torch):
        _, out = _run(module, name, "float32")
        out.sum().backward()
        with pytest.raises(RuntimeError) as error:
            out.sum().backward()
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_target_changed_in_place_is_detected_as_torch_does(torch):
    messages = []
    for module in (engine, torch):
        target = module.tensor([1.0, 2.0, 3.0])
        loss = module.nn.functional.mse_loss(module.ones(3, requires_grad=True), target)
        target.add_(1)
        with pytest.raises(RuntimeError) as error:
            loss.backward()
        messages.append(str(error.value))
    assert messages[0] == messages[1].replace("torch.", "engine.")


# -- the seed notebook -----------------------------------------------------------------------------
def seed_notebook_bce_cell(torch):
    """The notebook's cell, arguments swapped as the notebook has them."""
    input = torch.tensor([2.0, 3.0])  # noqa: A001 - the notebook's name
    y = torch.tensor(1.0)
    w = torch.tensor([1.0, 0.1], requires_grad=True)
    b = torch.tensor(0.3, requires_grad=True)
    y_pred = torch.nn.functional.relu(torch.dot(input, w) + b)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(y, y_pred)
    loss.backward()
    print(loss)
    print(input.grad)
    print(w.grad)
    print(b.grad)


SEED_CELL_OUTPUT = (
    "tensor(-1.2867, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)\n"
    "None\n"
    "tensor([-2., -3.])\n"
    "tensor(-1.)\n"
)


def test_seed_notebook_bce_cell_prints_none_and_target_gradients(capsys):
    seed_notebook_bce_cell(engine)
    assert capsys.readouterr().out == SEED_CELL_OUTPUT


def test_seed_notebook_bce_cell_matches_torch(capsys, torch):
    seed_notebook_bce_cell(torch)
    assert capsys.readouterr().out.replace("torch.", "engine.") == SEED_CELL_OUTPUT


# -- random shapes ---------------------------------------------------------------------------------
FINITE = st.floats(-30, 30, allow_nan=False, width=64)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_shapes_match_torch(data, torch):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    values = data.draw(hnp.arrays(np.float64, shape, elements=FINITE))
    target = data.draw(hnp.arrays(np.float64, shape, elements=FINITE))
    dim = data.draw(st.integers(-max(len(shape), 1), max(len(shape) - 1, 0)))
    reduction = data.draw(st.sampled_from(["mean", "sum", "none"]))
    calls = [
        lambda F, x, t: F.softmax(x, dim),
        lambda F, x, t: F.log_softmax(x, dim),
        lambda F, x, t: F.mse_loss(x, t, reduction=reduction),
    ]
    for call in calls:
        results = []
        for module in (engine, torch):
            x = module.tensor(values, requires_grad=True)
            t = module.tensor(target, requires_grad=True)
            out = call(module.nn.functional, x, t)
            out.backward(module.ones_like(out))
            results.append((out, x.grad, t.grad))
        (out, x_grad, t_grad), (ref, ref_x_grad, ref_t_grad) = results
        assert_same_values(out, ref, rtol=1e-9, atol=1e-12)
        assert grad_fn_name(out) == grad_fn_name(ref)
        assert_same_values(x_grad, ref_x_grad, rtol=1e-7, atol=1e-9)
        assert_same_values(t_grad, ref_t_grad)
