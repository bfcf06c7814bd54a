"""``engine.autograd.functional``: the seed notebook's Jacobian, and forward mode itself (real
forward mode, state restored, saved tensors checked). The comparisons with PyTorch are in
test_autograd_functional_vs_torch.py.
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
from tests.engine.op_cases import (
    KNOWN_WRONG_JVP,
    OP_CASES,
    bound_to_variables,
    make_inputs,
)


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
