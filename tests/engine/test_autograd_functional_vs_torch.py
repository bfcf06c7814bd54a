"""engine.autograd.functional (jacobian, vjp, jvp) against PyTorch's: values, dtypes, shapes and
the tuple structure of results, edge cases, and errors word for word."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine import grad_mode
from engine.autograd import functional as F
from tests.engine.compare import assert_same_values
from tests.engine.test_autograd_functional import notebook


# -- against PyTorch: values, dtypes, shapes and the tuple structure -------------------------------
def _rand(*shapes, low=-1.5, high=1.5, dtype=np.float64):
    def make(rng):
        return [np.asarray(rng.uniform(low, high, shape), dtype=dtype) for shape in shapes]

    return make


def _rows_apart(shape):
    def make(rng):
        return [(rng.permutation(int(np.prod(shape))) * 0.3 - 1.0).reshape(shape)]

    return make


FUNCTIONS = {
    "notebook": (notebook, _rand((4, 5))),
    "exp_sum_dim": (lambda a: a.exp().sum(1), _rand((3, 4))),
    "broadcast": (lambda a, b: a * b + b.sin(), _rand((2, 3), (3,))),
    "two_outputs": (lambda a: (a.tanh(), a.sum()), _rand((2, 2))),
    "matmul_t_reshape": (lambda a, b: (a @ b, (a.t() * 2).reshape(-1)[1:4]), _rand((2, 3), (3, 2))),
    "scalar": (lambda a: a * a.exp(), _rand(())),
    "mean_max": (lambda a: engine_or_torch(a).stack([a.mean(0), a.max(0)[0]]), _rows_apart((3, 4))),
    "where_clamp_cat": (
        lambda a, b: engine_or_torch(a).cat([engine_or_torch(a).where(a > 0, a, b),
                                             a.clamp(-0.5, 0.5)]),
        _rand((4,), (4,)),
    ),
    "index": (lambda a: a[[0, 2]].sum(0) + a[1, 1:].sum(), _rand((3, 3))),
    "maximum_sigmoid": (lambda a, b: engine_or_torch(a).maximum(a, b).sigmoid(), _rand((3,), (3,))),
    "div_pow_log": (lambda a, b: (a / b).pow(2) + b.log(), _rand((2, 2), (2, 2), low=0.5, high=2)),
    "unused_input": (lambda a, b: a * 2, _rand((2,), (3,))),
    "constant_output": (lambda a: (a * 2, engine_or_torch(a).ones(2, dtype=a.dtype)), _rand((2,))),
    "identity": (lambda a: a, _rand((3,))),
    "float32": (lambda a, b: (a @ b).relu(), _rand((2, 3), (3,), dtype=np.float32)),
}


def engine_or_torch(tensor):
    """The module ``tensor`` comes from, so one function body runs in both."""
    if isinstance(tensor, engine.Tensor):
        return engine
    import torch

    return torch


def _softmax(a):
    return engine_or_torch(a).nn.functional.softmax(a, dim=1) * 3


def _mse(a, b):
    return engine_or_torch(a).nn.functional.mse_loss(a.tanh(), b, reduction="none")


if hasattr(engine.nn.functional, "softmax"):
    FUNCTIONS["softmax"] = (_softmax, _rand((2, 3)))
if hasattr(engine.nn.functional, "mse_loss"):
    FUNCTIONS["mse_loss"] = (_mse, _rand((2, 3), (2, 3)))


def assert_same_result(ours, theirs, torch, rtol=1e-6, atol=1e-8):
    """Same nesting (tensor, tuple or list), values, dtypes and autograd flags."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, engine.Tensor), f"expected a tensor, got {type(ours)}"
        assert_same_values(ours, theirs, rtol=rtol, atol=atol)
        assert (ours.requires_grad, ours.is_leaf, ours.grad_fn is None) == (
            theirs.requires_grad, theirs.is_leaf, theirs.grad_fn is None)
        return
    assert type(ours) is type(theirs), f"{type(ours)} != PyTorch's {type(theirs)}"
    assert len(ours) == len(theirs)
    for mine, other in zip(ours, theirs):
        assert_same_result(mine, other, torch, rtol, atol)


def _inputs(name, torch, as_tuple=None, seed=0):
    """The same random inputs for both libraries: one tensor alone, or a tuple."""
    _, make = FUNCTIONS[name]
    arrays = make(np.random.default_rng(seed))
    ours = tuple(engine.from_numpy(a.copy()) for a in arrays)
    theirs = tuple(torch.from_numpy(a.copy()) for a in arrays)
    if as_tuple is None:
        as_tuple = len(arrays) > 1
    return (ours, theirs) if as_tuple else (ours[0], theirs[0])


def _like(results, make):
    """A random seed shaped like ``results`` (a tensor or a tuple), for both libraries."""
    rng = np.random.default_rng(1)
    items = results if isinstance(results, tuple) else (results,)
    arrays = [rng.uniform(-1, 1, tuple(t.shape)).astype(str(t.dtype).split(".")[-1])
              for t in items]
    ours = tuple(engine.from_numpy(a.copy()) for a in arrays)
    theirs = tuple(make(a.copy()) for a in arrays)
    return (ours, theirs) if isinstance(results, tuple) else (ours[0], theirs[0])


def _tolerance(name):
    return {"rtol": 1e-4, "atol": 1e-5} if name == "float32" else {}


CASES = [(name, as_tuple) for name in sorted(FUNCTIONS) for as_tuple in (None, True)]


@pytest.mark.parametrize(("name", "as_tuple"), CASES)
@pytest.mark.parametrize("vectorize", [False, True])
def test_reverse_jacobian_matches_pytorch(torch, name, as_tuple, vectorize):
    func = FUNCTIONS[name][0]
    ours, theirs = _inputs(name, torch, as_tuple)
    expected = torch.autograd.functional.jacobian(func, theirs, vectorize=vectorize)
    assert_same_result(F.jacobian(func, ours, vectorize=vectorize), expected, torch,
                       **_tolerance(name))


@pytest.mark.parametrize(("name", "as_tuple"), CASES)
def test_forward_jacobian_matches_pytorch(torch, name, as_tuple):
    func = FUNCTIONS[name][0]
    ours, theirs = _inputs(name, torch, as_tuple)
    expected = torch.autograd.functional.jacobian(func, theirs, vectorize=True,
                                                  strategy="forward-mode")
    assert_same_result(F.jacobian(func, ours, vectorize=True, strategy="forward-mode"), expected,
                       torch, **_tolerance(name))


@pytest.mark.parametrize(("name", "as_tuple"), CASES)
def test_vjp_matches_pytorch(torch, name, as_tuple):
    func = FUNCTIONS[name][0]
    ours, theirs = _inputs(name, torch, as_tuple)
    v_ours, v_theirs = _like(func(*(theirs if isinstance(theirs, tuple) else (theirs,))),
                             torch.from_numpy)
    expected = torch.autograd.functional.vjp(func, theirs, v_theirs)
    assert_same_result(F.vjp(func, ours, v_ours), expected, torch, **_tolerance(name))


@pytest.mark.parametrize(("name", "as_tuple"), CASES)
def test_jvp_matches_pytorch_functional_and_forward_ad(torch, name, as_tuple):
    func = FUNCTIONS[name][0]
    ours, theirs = _inputs(name, torch, as_tuple)
    v_ours, v_theirs = _like(theirs, torch.from_numpy)
    expected = torch.autograd.functional.jvp(func, theirs, v_theirs)
    result = F.jvp(func, ours, v_ours)
    assert_same_result(result, expected, torch, **_tolerance(name))
    primals = theirs if isinstance(theirs, tuple) else (theirs,)
    tangents = v_theirs if isinstance(v_theirs, tuple) else (v_theirs,)
    _, forward = torch.func.jvp(func, primals, tangents)
    forward = forward if isinstance(forward, tuple) else (forward,)
    ours_tangents = result[1] if isinstance(result[1], tuple) else (result[1],)
    for mine, other in zip(ours_tangents, forward):
        assert_same_values(mine, other, **_tolerance(name))


def _x(T):
    return T.tensor([1.0, 2.0, 3.0], dtype=T.float64)


def _ones(T, *shape):
    return T.ones(*shape, dtype=T.float64)


# Calls whose results (values and structure) must match PyTorch's, edge cases included.
VALUE_CALLS = {
    "jvp_v_none_scalar_input": lambda T, AF: AF.jvp(lambda a: a * 2, T.tensor(3.0)),
    "jvp_v_none_one_element": lambda T, AF: AF.jvp(lambda a: a * 2, T.tensor([3.0])),
    "vjp_v_none_scalar_output": lambda T, AF: AF.vjp(lambda a: a.sum(), _x(T)),
    "vjp_v_none_one_element": lambda T, AF: AF.vjp(lambda a: a[:1], _x(T)),
    "vjp_v_other_dtype": lambda T, AF: AF.vjp(lambda a: a * 2, _x(T), T.ones(3)),
    "jvp_v_other_dtype": lambda T, AF: AF.jvp(lambda a: a * 2, _x(T), T.tensor([1, 2, 3])),
    "jacobian_constant": lambda T, AF: AF.jacobian(lambda a: T.ones(2), _x(T)),
    "jacobian_bool_output": lambda T, AF: AF.jacobian(lambda a: a > 1, _x(T)),
    "jacobian_forward_bool": lambda T, AF: AF.jacobian(
        lambda a: (a > 1, a * 2), _x(T), vectorize=True, strategy="forward-mode"),
    "jacobian_forward_lists": lambda T, AF: AF.jacobian(
        lambda a, b: (a * b, a.sum()), (_x(T), _x(T)), vectorize=True, strategy="forward-mode"),
    "jacobian_forward_one_output_list": lambda T, AF: AF.jacobian(
        lambda a, b: a * b, (_x(T), _x(T)), vectorize=True, strategy="forward-mode"),
    "jacobian_forward_one_input_tuple": lambda T, AF: AF.jacobian(
        lambda a: (a * 2, a), (_x(T),), vectorize=True, strategy="forward-mode"),
    "jacobian_empty_input": lambda T, AF: AF.jacobian(lambda a: a.sum() * T.ones(2), T.ones(0)),
    "jacobian_forward_empty": lambda T, AF: AF.jacobian(
        lambda a: a * 2, T.ones(0), vectorize=True, strategy="forward-mode"),
    "jacobian_f32_in_f64_out": lambda T, AF: AF.jacobian(lambda a: a.double() * 2, T.ones(2)),
    "jacobian_forward_f32_in_f64_out": lambda T, AF: AF.jacobian(
        lambda a: a.double() * 2, T.ones(2), vectorize=True, strategy="forward-mode"),
    "jvp_f32_in_f64_out": lambda T, AF: AF.jvp(lambda a: a.double() * 2, T.ones(2), T.ones(2)),
    "vjp_int_output": lambda T, AF: AF.vjp(
        lambda a: (a > 0).long(), _x(T), T.ones(3, dtype=T.int64)),
    "jvp_unused_input_and_constant_output": lambda T, AF: AF.jvp(
        lambda a, b: (a * 2, T.ones(2)), (_x(T), _x(T)), (_ones(T, 3), _ones(T, 3))),
    "vjp_unused_input": lambda T, AF: AF.vjp(lambda a, b: a * 2, (_x(T), _x(T)), _ones(T, 3)),
    "vjp_under_no_grad": lambda T, AF: _no_grad(T, AF.vjp, lambda a: a.exp(), _x(T), _ones(T, 3)),
    "jacobian_inputs_require_grad": lambda T, AF: AF.jacobian(
        lambda a: (a.exp(), a), _x(T).requires_grad_(), vectorize=True),
}


def _no_grad(T, call, *args):
    with T.no_grad():
        return call(*args)


@pytest.mark.parametrize("name", sorted(VALUE_CALLS))
def test_edge_case_results_match_pytorch(torch, name):
    expected = VALUE_CALLS[name](torch, torch.autograd.functional)
    assert_same_result(VALUE_CALLS[name](engine, F), expected, torch)


def _capture(T):
    weight = T.ones(2, requires_grad=True)
    return lambda a: (a * 2, weight * 2)


# Calls that must fail with PyTorch's exception type and message (torch. read as engine.).
ERROR_CALLS = {
    "vjp_v_none_non_scalar": lambda T, AF: AF.vjp(lambda a: a * 2, _x(T)),
    "jvp_v_none_non_scalar": lambda T, AF: AF.jvp(lambda a: a * 2, _x(T)),
    "vjp_v_wrong_size": lambda T, AF: AF.vjp(lambda a: a * 2, _x(T), _ones(T, 2)),
    "jvp_v_wrong_size": lambda T, AF: AF.jvp(lambda a: a * 2, _x(T), _ones(T, 2)),
    "v_tuple_too_short": lambda T, AF: AF.vjp(lambda a: (a * 2, a), _x(T), (_ones(T, 3),)),
    "v_entry_wrong_size": lambda T, AF: AF.vjp(
        lambda a: (a * 2, a), _x(T), (_ones(T, 3), _ones(T, 2))),
    "v_tuple_for_one_output": lambda T, AF: AF.vjp(
        lambda a: a * 2, _x(T), (_ones(T, 3), _ones(T, 3))),
    "jvp_v_count": lambda T, AF: AF.jvp(lambda a, b: a * b, (_x(T), _x(T)), (_ones(T, 3),)),
    "inputs_list": lambda T, AF: AF.vjp(lambda a: a * 2, [_x(T)], _ones(T, 3)),
    "inputs_number": lambda T, AF: AF.vjp(lambda a, k: a * k, (_x(T), 2.0), _ones(T, 3)),
    "outputs_list": lambda T, AF: AF.vjp(lambda a: [a * 2], _x(T), _ones(T, 3)),
    "outputs_number": lambda T, AF: AF.jvp(lambda a: 2.0, _x(T), _ones(T, 3)),
    "jacobian_outputs_list": lambda T, AF: AF.jacobian(lambda a: [a], _x(T)),
    "v_list": lambda T, AF: AF.vjp(lambda a: a * 2, _x(T), [1.0, 1.0, 1.0]),
    "strict_constant_output": lambda T, AF: AF.jacobian(lambda a: T.ones(2), _x(T), strict=True),
    "strict_vjp_constant_output": lambda T, AF: AF.vjp(lambda a: T.ones(()), _x(T), strict=True),
    "strict_jacobian_unused": lambda T, AF: AF.jacobian(
        lambda a, b: a * 2, (_x(T), _x(T)), strict=True),
    "strict_vjp_unused": lambda T, AF: AF.vjp(
        lambda a, b: a * 2, (_x(T), _x(T)), _ones(T, 3), strict=True),
    "strict_jvp_unused": lambda T, AF: AF.jvp(
        lambda a, b: a * 2, (_x(T), _x(T)), (_ones(T, 3),) * 2, strict=True),
    "strict_jvp_constant_output": lambda T, AF: AF.jvp(
        lambda a, b: (a * 2, T.ones(2)), (_x(T), _x(T)), (_ones(T, 3),) * 2, strict=True),
    "strict_jvp_output_from_elsewhere": lambda T, AF: AF.jvp(
        _capture(T), (_x(T),), (_ones(T, 3),), strict=True),
    "jvp_bool_output": lambda T, AF: AF.jvp(lambda a: (a > 1, a * 2), _x(T), _ones(T, 3)),
    "strategy": lambda T, AF: AF.jacobian(lambda a: a, _x(T), strategy="sideways"),
    "forward_not_vectorized": lambda T, AF: AF.jacobian(lambda a: a, _x(T),
                                                        strategy="forward-mode"),
    "forward_strict": lambda T, AF: AF.jacobian(
        lambda a: a, _x(T), strategy="forward-mode", strict=True, vectorize=True),
    "forward_create_graph": lambda T, AF: AF.jacobian(
        lambda a: a, _x(T), strategy="forward-mode", create_graph=True, vectorize=True),
    "vectorize_strict": lambda T, AF: AF.jacobian(lambda a: a, _x(T), vectorize=True,
                                                  strict=True),
    "forward_list_inputs": lambda T, AF: AF.jacobian(
        lambda a: a, [_x(T)], strategy="forward-mode", vectorize=True),
    "forward_outputs_list": lambda T, AF: AF.jacobian(
        lambda a: [a], _x(T), strategy="forward-mode", vectorize=True),
    "forward_int_input": lambda T, AF: AF.jacobian(
        lambda a: a * 2.0, T.tensor([1, 2]), strategy="forward-mode", vectorize=True),
    "empty_output": lambda T, AF: AF.jacobian(lambda a: a * 2, T.ones(0)),
    "empty_output_vectorized": lambda T, AF: AF.jacobian(lambda a: a * 2, T.ones(0),
                                                         vectorize=True),
    "func_raises": lambda T, AF: AF.jvp(lambda a: 1 / 0, _x(T), _x(T)),
}


@pytest.mark.parametrize("name", sorted(ERROR_CALLS))
def test_errors_match_pytorch(torch, name):
    with pytest.raises(Exception) as theirs:
        ERROR_CALLS[name](torch, torch.autograd.functional)
    with pytest.raises(Exception) as ours:
        ERROR_CALLS[name](engine, F)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value).replace("torch.", "engine.")
    assert grad_mode.STATE.forward_ad is False and grad_mode.STATE.enabled is True
