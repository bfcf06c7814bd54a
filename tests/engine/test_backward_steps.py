"""The backward walk as the playground single-steps it."""

from __future__ import annotations

import numpy as np
import pytest

import engine


def seed_graph():
    inp = engine.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    return inp, out


def test_steps_visit_nodes_in_pytorch_order_and_carry_gradients():
    inp, out = seed_graph()
    steps = list(engine.autograd.backward_steps(out, engine.ones_like(out), retain_graph=True))
    assert [s.node.name() for s in steps] == [
        "TBackward0", "PowBackward0", "AddBackward0", "engine::autograd::AccumulateGrad",
    ]
    t_step, pow_step, add_step, acc_step = steps
    assert t_step.grad_output.shape == (5, 4) and t_step.grad_inputs[0].shape == (4, 5)
    np.testing.assert_array_equal(pow_step.grad_inputs[0], 2 * (inp.detach().numpy() + 1))
    assert add_step.grad_inputs[1] is None  # the constant 1 gets nothing
    assert acc_step.node.variable is inp
    np.testing.assert_array_equal(inp.grad.numpy(), acc_step.grad_output)


def test_stopping_early_leaves_grad_untouched_and_graph_usable():
    inp, out = seed_graph()
    steps = engine.autograd.backward_steps(out, engine.ones_like(out), retain_graph=True)
    next(steps)
    next(steps)
    assert inp.grad is None
    out.backward(engine.ones_like(out))
    assert inp.grad.numpy()[0, 0] == 4


def test_second_walk_accumulates_like_backward():
    inp, out = seed_graph()
    for _ in range(2):
        for _step in engine.autograd.backward_steps(out, engine.ones_like(out),
                                                    retain_graph=True):
            pass
    assert inp.grad.numpy()[0, 0] == 8 and inp.grad.numpy()[0, 1] == 4


def test_bad_seed_raises_before_any_step():
    _, out = seed_graph()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        engine.autograd.backward_steps(out, engine.ones(2))


def test_each_node_offers_its_formula_and_saved_tensors():
    inp, out = seed_graph()
    pow_node = out.grad_fn.next_functions[0][0]
    assert pow_node.name() == "PowBackward0"
    assert "exponent" in pow_node.formulas["self"]
    assert pow_node.saved_names == ("self",)
    np.testing.assert_array_equal(pow_node._saved_self.numpy(), inp.detach().numpy() + 1)
    out.backward(engine.ones_like(out))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        _ = pow_node._saved_self


def test_gradients_summed_in_place_leave_what_steps_sent_untouched():
    # y reaches tanh's node along three edges; the walk adds the third into its own sum, never
    # into an array a step has already shown.
    x = engine.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    y = x.tanh()
    out = y * y + y
    def arrays(step):
        return [g for g in (step.grad_output, *step.grad_inputs) if g is not None]

    steps, shown = [], []
    for step in engine.autograd.backward_steps(out, engine.ones_like(out)):
        steps.append(step)
        shown.append([g.copy() for g in arrays(step)])  # as the step is shown
    for step, copies in zip(steps, shown):
        for grad, copy in zip(arrays(step), copies):
            np.testing.assert_array_equal(grad, copy)
    tanh_step = next(s for s in steps if s.node.name() == "TanhBackward0")
    values = np.tanh(x.detach().numpy())
    np.testing.assert_allclose(tanh_step.grad_output, 2 * values + 1, rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), (2 * values + 1) * (1 - values ** 2), rtol=1e-6)


def test_code_run_between_steps_records_a_graph_as_usual():
    # The walk itself records nothing, but while it waits at a step the caller's grad mode
    # holds: a tensor computed between two steps has a grad_fn.
    x = engine.ones(2, requires_grad=True)
    steps = engine.autograd.backward_steps((x * 2).sum())
    next(steps)
    between = x * 3
    assert engine.is_grad_enabled() and between.grad_fn is not None
    with engine.no_grad():
        next(steps)
        assert not (x * 3).requires_grad  # and the caller's no_grad holds too
    list(steps)
    assert engine.is_grad_enabled()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_a_walk_dropped_halfway_leaves_grad_mode_as_it_found_it():
    x = engine.ones(2, requires_grad=True)
    steps = engine.autograd.backward_steps((x * 2).sum())
    next(steps)
    steps.close()
    assert engine.is_grad_enabled()
