"""Every op against PyTorch: values, grad_fn names, printed text and gradients of every input."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from tests.engine.compare import assert_same_values, grad_fn_name, torch_repr

torch = pytest.importorskip("torch")

POSITIVE = "positive"  # inputs drawn away from zero and negative values (log, sqrt, pow)

# name: (function of (module, *leaves), input shapes, options)
CASES = {
    "add": (lambda T, a, b: a + b, [(3, 4), (4,)], {}),
    "add_scalar": (lambda T, a: a + 1, [(3, 4)], {}),
    "radd_scalar": (lambda T, a: 2.5 + a, [(3,)], {}),
    "add_alpha": (lambda T, a, b: T.add(a, b, alpha=2), [(2, 3), (2, 3)], {}),
    "sub": (lambda T, a, b: a - b, [(2, 1), (1, 3)], {}),
    "rsub": (lambda T, a: 1 - a, [(4,)], {}),
    "mul": (lambda T, a, b: a * b, [(2, 3), (3,)], {}),
    "mul_scalar": (lambda T, a: a * 3, [(2, 2)], {}),
    "div": (lambda T, a, b: a / b, [(3, 2), (3, 2)], {"domain": POSITIVE}),
    "rdiv": (lambda T, a: 2 / a, [(3,)], {"domain": POSITIVE}),
    "pow_scalar": (lambda T, a: a.pow(2), [(4, 5)], {}),
    "pow_op": (lambda T, a: a ** 3, [(3,)], {}),
    "pow_frac": (lambda T, a: a ** 0.5, [(3,)], {"domain": POSITIVE}),
    "pow_tensor": (lambda T, a, b: a ** b, [(2, 3), (3,)], {"domain": POSITIVE}),
    "rpow": (lambda T, a: 2 ** a, [(3,)], {}),
    "neg": (lambda T, a: -a, [(2, 2)], {}),
    "abs": (lambda T, a: a.abs(), [(5,)], {}),
    "exp": (lambda T, a: a.exp(), [(2, 3)], {}),
    "log": (lambda T, a: T.log(a), [(2, 3)], {"domain": POSITIVE}),
    "sqrt": (lambda T, a: a.sqrt(), [(4,)], {"domain": POSITIVE}),
    "sin": (lambda T, a: a.sin(), [(3, 3)], {}),
    "cos": (lambda T, a: T.cos(a), [(3,)], {}),
    "tanh": (lambda T, a: a.tanh(), [(2, 4)], {}),
    "sigmoid": (lambda T, a: T.sigmoid(a), [(2, 4)], {}),
    "relu": (lambda T, a: T.relu(a), [(3, 3)], {}),
    "clamp": (lambda T, a: a.clamp(-0.5, 0.5), [(4, 4)], {}),
    "clamp_min": (lambda T, a: a.clamp(min=0.1), [(5,)], {}),
    "reciprocal": (lambda T, a: a.reciprocal(), [(3,)], {"domain": POSITIVE}),
    "maximum": (lambda T, a, b: T.maximum(a, b), [(3, 4), (4,)], {}),
    "minimum": (lambda T, a, b: T.minimum(a, b), [(3, 4), (3, 4)], {}),
    "max_binary": (lambda T, a, b: T.max(a, b), [(3,), (3,)], {}),
    "where": (lambda T, a, b: T.where(a > 0, a, b), [(3, 4), (4,)], {}),
    "where_scalar": (lambda T, a: T.where(a > 0, a, 0.0), [(6,)], {}),
    "sum": (lambda T, a: a.sum(), [(3, 4)], {}),
    "sum_dim": (lambda T, a: a.sum(1), [(3, 4)], {}),
    "sum_dims_keep": (lambda T, a: a.sum((0, 2), keepdim=True), [(2, 3, 4)], {}),
    "sum_neg_dim": (lambda T, a: T.sum(a, dim=-1), [(2, 3)], {}),
    "mean": (lambda T, a: a.mean(), [(3, 4)], {}),
    "mean_dim": (lambda T, a: a.mean(dim=0, keepdim=True), [(3, 4)], {}),
    "max_all": (lambda T, a: a.max(), [(3, 4)], {}),
    "min_all": (lambda T, a: a.min(), [(3, 4)], {}),
    "max_dim": (lambda T, a: a.max(dim=1).values, [(3, 4)], {}),
    "min_dim_keep": (lambda T, a: a.min(0, keepdim=True)[0], [(3, 4)], {}),
    "t": (lambda T, a: a.t(), [(4, 5)], {}),
    "T": (lambda T, a: a.T, [(4, 5)], {}),
    "transpose": (lambda T, a: a.transpose(0, 2), [(2, 3, 4)], {}),
    "permute": (lambda T, a: a.permute(2, 0, 1), [(2, 3, 4)], {}),
    "reshape": (lambda T, a: a.reshape(2, -1), [(3, 4)], {}),
    "reshape_copy": (lambda T, a: a.t().reshape(12), [(3, 4)], {}),
    "view": (lambda T, a: a.view(4, 3), [(3, 4)], {}),
    "flatten": (lambda T, a: a.flatten(), [(2, 3, 2)], {}),
    "flatten_copy": (lambda T, a: a.t().flatten(), [(3, 4)], {}),
    "squeeze": (lambda T, a: a.squeeze(), [(1, 3, 1)], {}),
    "squeeze_dim": (lambda T, a: a.squeeze(0), [(1, 3)], {}),
    "unsqueeze": (lambda T, a: a.unsqueeze(1), [(3, 2)], {}),
    "expand": (lambda T, a: a.expand(3, 4), [(4,)], {}),
    "expand_1": (lambda T, a: a.expand(2, 3, -1), [(3, 1)], {}),
    "cat": (lambda T, a, b: T.cat([a, b], dim=1), [(2, 3), (2, 2)], {}),
    "stack": (lambda T, a, b: T.stack([a, b], dim=1), [(2, 3), (2, 3)], {}),
    "select": (lambda T, a: a[1], [(3, 4)], {}),
    "select_2": (lambda T, a: a[1, 2], [(3, 4)], {}),
    "slice": (lambda T, a: a[1:3], [(4, 2)], {}),
    "slice_col": (lambda T, a: a[:, 1:3], [(3, 4)], {}),
    "slice_step": (lambda T, a: a[::2], [(5,)], {}),
    "none_index": (lambda T, a: a[None], [(3,)], {}),
    "ellipsis": (lambda T, a: a[..., 0], [(2, 3)], {}),
    "fancy": (lambda T, a: a[[0, 2, 0]], [(3, 2)], {}),
    "mask": (lambda T, a: a[a > 0], [(3, 4)], {}),
    "mm": (lambda T, a, b: a.mm(b), [(2, 3), (3, 4)], {}),
    "matmul_mm": (lambda T, a, b: a @ b, [(2, 3), (3, 4)], {}),
    "matmul_mv": (lambda T, a, b: a @ b, [(2, 3), (3,)], {}),
    "matmul_vm": (lambda T, a, b: a @ b, [(3,), (3, 4)], {}),
    "matmul_dot": (lambda T, a, b: a @ b, [(3,), (3,)], {}),
    "matmul_batched": (lambda T, a, b: a @ b, [(2, 3, 4), (4, 5)], {}),
    "dot": (lambda T, a, b: T.dot(a, b), [(4,), (4,)], {}),
    "outer": (lambda T, a, b: T.outer(a, b), [(3,), (2,)], {}),
    "clone": (lambda T, a: a.clone(), [(2, 2)], {}),
    "to_double": (lambda T, a: a.double(), [(2, 2)], {}),
    "chain_seed": (lambda T, a: (a + 1).pow(2).t(), [(4, 5)], {}),
    "shared_input": (lambda T, a: a * a + a.exp(), [(3,)], {}),
    "linear_layer": (lambda T, x, w, b: T.relu(x @ w + b).sum(), [(5, 4), (4, 6), (6,)], {}),
}


def _inputs(shapes, dtype, domain, seed):
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        values = rng.standard_normal(shape)
        if domain == POSITIVE:
            values = np.abs(values) + 0.5
        arrays.append(values.astype(dtype))
    return arrays


def _leaves(module, arrays):
    return [module.tensor(a.tolist(), dtype=getattr(module, str(a.dtype)), requires_grad=True)
            for a in arrays]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_op_matches_torch(name, dtype):
    func, shapes, options = CASES[name]
    arrays = _inputs(shapes, dtype, options.get("domain"), seed=len(name))
    ours_in, theirs_in = _leaves(engine, arrays), _leaves(torch, arrays)
    ours, theirs = func(engine, *ours_in), func(torch, *theirs_in)

    assert_same_values(ours, theirs)
    assert grad_fn_name(ours) == grad_fn_name(theirs)
    if np.array_equal(ours.detach().numpy(), theirs.detach().numpy(), equal_nan=True):
        assert repr(ours) == torch_repr(theirs)
    else:  # summation order can move the last printed digit; the suffix must still agree
        assert repr(ours).rsplit("grad_fn=", 1)[-1] == torch_repr(theirs).rsplit("grad_fn=", 1)[-1]

    seed = np.random.default_rng(7).standard_normal(tuple(theirs.shape)).astype(ours.dtype.name)
    ours.backward(engine.tensor(seed.tolist(), dtype=ours.dtype))
    theirs.backward(torch.tensor(seed.tolist(), dtype=theirs.dtype))
    for mine, reference in zip(ours_in, theirs_in, strict=True):
        assert_same_values(mine.grad, reference.grad, rtol=1e-4, atol=1e-5)


def _numeric_vjp(func, arrays, seed, index, eps=1e-6):
    """Central differences of <seed, func(...)> with respect to input ``index``."""
    grad = np.zeros_like(arrays[index])
    flat = grad.reshape(-1)
    for i in range(flat.size):
        shifted = []
        for sign in (1, -1):
            moved = [a.copy() for a in arrays]
            moved[index].reshape(-1)[i] += sign * eps
            out = func(engine, *[engine.tensor(m) for m in moved])
            shifted.append(float((out.numpy() * seed).sum()))
        flat[i] = (shifted[0] - shifted[1]) / (2 * eps)
    return grad


NOT_SMOOTH = {"mask", "where", "where_scalar", "relu", "abs", "clamp", "clamp_min", "max_all",
              "min_all", "max_dim", "min_dim_keep", "maximum", "minimum", "max_binary",
              "linear_layer", "to_double"}


@pytest.mark.parametrize("name", sorted(set(CASES) - NOT_SMOOTH))
def test_gradient_matches_finite_differences(name):
    func, shapes, options = CASES[name]
    arrays = _inputs(shapes, "float64", options.get("domain"), seed=len(name) + 1)
    leaves = [engine.tensor(a, requires_grad=True) for a in arrays]
    out = func(engine, *leaves)
    seed = np.random.default_rng(3).standard_normal(out.shape)
    out.backward(engine.tensor(seed))
    for index, leaf in enumerate(leaves):
        expected = _numeric_vjp(func, arrays, seed, index)
        np.testing.assert_allclose(leaf.grad.numpy(), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("n, m", [(4, 5), (5, 4), (5, 2), (3, 1), (1, 3), (3, None), (0, 2),
                                  (2, 0)])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_eye_ones_and_ones_like_match_torch(n, m, dtype):
    # eye and ones are built here from np.zeros / np.empty (numpy's own are slower Python code)
    results = []
    for T in (engine, torch):
        kind = getattr(T, dtype)
        eye = T.eye(n, m, dtype=kind) if m is not None else T.eye(n, dtype=kind)
        results.append((eye, T.ones(n, 2, dtype=kind), T.ones_like(eye)))
    for ours, theirs in zip(*results):
        assert_same_values(ours, theirs, rtol=0, atol=0)
