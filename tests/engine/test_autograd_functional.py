"""``engine.autograd.functional``: jacobian, vjp and jvp against PyTorch, and forward mode itself.

Tests that need PyTorch take the ``torch`` fixture and skip without it; the rest (the seed
notebook's Jacobian, forward mode being real forward mode, state restored) always run.
"""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine import grad_mode
from engine.autograd import functional as F
from engine.autograd.jacobian_matrix import jacobian_matrix, jacobian_matrix_walks
from engine.forward_ad import TangentGraph, recording
from engine.function import Function, record
from tests.engine.compare import assert_same_values
from tests.engine.test_gradcheck import (
    KNOWN_WRONG_JVP,
    OP_CASES,
    bound_to_variables,
    make_inputs,
)


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def notebook(inp):
    return (inp + 1).pow(2).t()


NOTEBOOK_VJP = [[4.0, 2.0, 2.0, 2.0, 2.0], [2.0, 4.0, 2.0, 2.0, 2.0],
                [2.0, 2.0, 4.0, 2.0, 2.0], [2.0, 2.0, 2.0, 4.0, 2.0]]


# -- the seed notebook: J, v and vᵀJ = .grad ------------------------------------------------------
def test_notebook_jacobian_is_20_by_20_and_v_ones_gives_the_notebook_grad():
    inp = engine.eye(4, 5, requires_grad=True)
    matrix = jacobian_matrix(notebook, inp)
    assert matrix.shape == (20, 20)
    v = np.ones((5, 4), dtype=np.float32)
    np.testing.assert_array_equal((v.reshape(-1) @ matrix).reshape(4, 5), NOTEBOOK_VJP)
    out = notebook(inp)
    out.backward(engine.ones_like(out))
    np.testing.assert_array_equal(inp.grad._data, NOTEBOOK_VJP)


def test_notebook_jacobian_tensor_has_output_then_input_dims():
    J = F.jacobian(notebook, engine.eye(4, 5))
    assert J.shape == (5, 4, 4, 5)
    # out[1, 2] = (inp[2, 1] + 1) ** 2: its only nonzero derivative is 2 * (0 + 1) at inp[2, 1]
    assert J[1, 2].tolist() == [[0.0] * 5, [0.0] * 5, [0.0, 2.0, 0.0, 0.0, 0.0], [0.0] * 5]


def test_jacobian_matrix_stacks_several_inputs_and_outputs():
    a, b = engine.tensor([1.0, 2.0]), engine.tensor([3.0])
    matrix = jacobian_matrix(lambda x, y: (x * y, y.sum() * 2), (a, b))
    np.testing.assert_array_equal(matrix, [[3.0, 0.0, 1.0], [0.0, 3.0, 2.0], [0.0, 0.0, 2.0]])


@pytest.mark.parametrize("strategy, walks", [("reverse-mode", 6), ("forward-mode", 4)])
def test_jacobian_matrix_walks_builds_j_a_row_or_a_column_per_walk(strategy, walks):
    x = engine.tensor([[1.0, -2.0], [0.5, 3.0]])

    def func(a):  # 4 elements in, 6 out
        return engine.cat([a.exp().reshape(-1), (a[0] * a[1]).sin()])

    seen = list(jacobian_matrix_walks(func, x, strategy))
    assert [(done, total) for done, total, _ in seen] == [(n + 1, walks) for n in range(walks)]
    np.testing.assert_allclose(seen[-1][2], jacobian_matrix(func, x), rtol=1e-6)
    assert not x.requires_grad  # the walks ran on a leaf of their own


def test_jacobian_matrix_walks_of_an_output_without_grad_is_zero_in_one_walk():
    x = engine.tensor([1.0, 2.0, 3.0])
    seen = list(jacobian_matrix_walks(lambda a: a.detach() * 2, x))
    assert len(seen) == 1 and seen[0][:2] == (3, 3)
    np.testing.assert_array_equal(seen[0][2], np.zeros((3, 3)))


@pytest.mark.parametrize("name", sorted(OP_CASES))
def test_forward_and_reverse_jacobians_agree(name):
    case = OP_CASES[name]
    func, inputs = bound_to_variables(case, [t.detach() for t in make_inputs(case)])
    reverse = jacobian_matrix(func, inputs)
    forward = jacobian_matrix(func, inputs, strategy="forward-mode")
    if name in KNOWN_WRONG_JVP:  # see test_gradcheck
        assert not np.allclose(forward, reverse)
        return
    np.testing.assert_allclose(forward, reverse, rtol=1e-10, atol=1e-12)


# -- jvp is forward mode, not the double-backward trick -------------------------------------------
class ForwardOnlyCube(Function):
    """x ** 3 with a forward-mode rule and a backward that refuses to run."""

    torch_name = "ForwardOnlyCubeBackward0"

    def forward(self, x):
        return x ** 3

    def backward(self, grad):
        raise AssertionError("backward must not run for jvp")

    def jvp(self, t):
        return 3 * self._fw_inputs[0] ** 2 * t


def cube(x):
    return record(ForwardOnlyCube, (x,), (x._data,))


def test_jvp_runs_the_forward_rules_only():
    x = engine.tensor([1.0, 2.0])
    out, tangent = F.jvp(lambda a: cube(a * 2).sum(), x, engine.tensor([1.0, 0.5]))
    assert out.item() == 72.0
    assert tangent.item() == pytest.approx(3 * 4 * 2 * 1.0 + 3 * 16 * 2 * 0.5)
    with pytest.raises(AssertionError, match="backward must not run"):
        F.vjp(lambda a: cube(a).sum(), x)


def test_forward_mode_jacobian_runs_the_function_once():
    calls = []

    def f(a):
        calls.append(1)
        return cube(a)

    J = F.jacobian(f, engine.tensor([1.0, 2.0, 3.0]), vectorize=True, strategy="forward-mode")
    np.testing.assert_array_equal(J._data, np.diag([3.0, 12.0, 27.0]))
    assert len(calls) == 1


def test_an_op_without_a_forward_rule_says_so():
    class NoRule(ForwardOnlyCube):
        torch_name = "NoRuleBackward0"
        jvp = Function.jvp

    with pytest.raises(NotImplementedError, match="NoRuleBackward0 has no forward-mode rule"):
        F.jvp(lambda a: record(NoRule, (a,), (a._data,)), engine.tensor([1.0]))


@pytest.mark.parametrize("enabled", [True, False])
def test_grad_and_forward_modes_are_restored_even_when_func_raises(enabled):
    def boom(a):
        assert grad_mode.STATE.forward_ad and grad_mode.STATE.enabled
        raise ValueError("boom")

    with engine.set_grad_enabled(enabled):
        with pytest.raises(ValueError, match="boom"):
            F.jvp(boom, engine.tensor([1.0]))
        assert grad_mode.STATE.enabled is enabled
    assert grad_mode.STATE.forward_ad is False


def test_jvp_works_under_no_grad_and_frees_what_forward_mode_kept():
    kept = []

    def f(a):
        kept.append(a.exp())
        return kept[-1] * a

    with engine.no_grad():
        _, tangent = F.jvp(f, engine.tensor([0.0, 1.0]), engine.tensor([1.0, 1.0]))
    np.testing.assert_allclose(tangent._data, [1.0, 2 * np.e], rtol=1e-6)
    assert kept[0].grad_fn._fw_inputs is None and kept[0].grad_fn._fw_result is None
    assert grad_mode.STATE.forward_ad is False


def test_jvp_refuses_a_saved_tensor_changed_in_place_afterwards():
    def f(a):
        b = a.exp()
        c = b * 1
        b.mul_(2)  # ExpBackward0 saved b's value for its rule
        return c

    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        F.jvp(f, engine.tensor([1.0]), engine.tensor([1.0]))


def test_the_forward_walk_yields_each_node_in_creation_order():
    x = engine.tensor([1.0, 2.0]).requires_grad_()
    with recording():
        out = ((x * 3).exp() + x).sum()
    graph = TangentGraph([x], [out])
    steps = list(graph.steps([np.ones(2, dtype=np.float32)]))
    graph.release()
    assert [step.node.name() for step in steps] == [
        "MulBackward0", "ExpBackward0", "AddBackward0", "SumBackward0"]
    assert steps[1].tangent_output.shape == (2,)
    assert steps[-1].tangent_output == pytest.approx(3 * np.exp(3) + 3 * np.exp(6) + 2, rel=1e-6)


def test_results_are_detached_and_leave_the_inputs_alone():
    x = engine.tensor([1.0, 2.0], requires_grad=True)
    results = [
        *F.vjp(lambda a: a.exp(), x, engine.ones(2)),
        *F.jvp(lambda a: a.exp(), x, engine.ones(2)),
        F.jacobian(lambda a: a.exp(), x),
        F.jacobian(lambda a: a.exp(), x, vectorize=True),
        F.jacobian(lambda a: a.exp(), x, vectorize=True, strategy="forward-mode"),
    ]
    for result in results:
        assert result.is_leaf and not result.requires_grad and result.grad_fn is None
    assert x.grad is None and x.requires_grad


def test_create_graph_is_not_supported_yet():
    with pytest.raises(NotImplementedError, match="create_graph=True"):
        F.vjp(lambda a: a * 2, engine.tensor([1.0]), create_graph=True)


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
