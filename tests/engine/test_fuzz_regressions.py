"""Mismatches with PyTorch found by the differential fuzzer (``test_fuzz_vs_torch.py``), each kept
as a small named scenario run in both libraries. Indexing ones are in
``test_fuzz_regressions_indexing.py``; those still failing (outside the op files) are strict xfails
in ``test_fuzz_known_issues.py``."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from tests.engine.compare import errors, same

torch = pytest.importorskip("torch")


def test_float64_tensor_from_python_floats_keeps_double_precision():
    def scenario(T):
        x = T.tensor([2.073426340965826, 0.1], dtype=T.float64, requires_grad=True)
        return x, x - 2, T.tensor(0.1, dtype=T.float64)

    same(scenario)


def test_ops_on_0d_tensors_give_tensors_that_can_be_changed_in_place():
    def scenario(T):
        x = T.tensor(-2.0)
        y = x.abs()
        y.exp_()
        z = (x * 3).sin()
        z.add_(1)
        return y, z, x > 0

    same(scenario)


def test_sum_and_mean_with_dim_none_and_keepdim_keep_every_dim():
    def scenario(T):
        x = T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        outs = x.sum(None, True), x.mean(None, True), x.sum([]), x.mean(dim=()), x.sum()
        sum(o.sum() for o in outs).backward()
        return (*outs, x.grad)

    same(scenario)


def test_reductions_along_dim_0_of_a_0d_tensor():
    def scenario(T):
        s = T.tensor(3.0, requires_grad=True)
        outs = (s.sum(0), s.mean(-1, True), s.max(0).values, s.min(-1, True).values,
                s.max(0).indices, s.transpose(0, -1))
        sum(o.float().sum() for o in outs).backward()
        return (*outs, s.grad)

    same(scenario)


@pytest.mark.parametrize("call", [
    lambda T: T.ones(2, 3).sum((0, -2)),
    lambda T: T.ones(0, 3).max(0),
    lambda T: T.ones(0, 3).min(0),
])
def test_reduction_errors_match_torch(call):
    ours, theirs = errors(call)
    assert ours == theirs


def test_fill_in_place_is_fill_backward_2():
    def scenario(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.fill_(5)
        return (y,)

    same(scenario)


def test_abs_backward_at_nan_is_zero_as_sgn_of_nan():
    def scenario(T):
        x = T.tensor([float("nan"), 0.0, -1.0], requires_grad=True)
        x.abs().backward(T.tensor([-1.0, 1.0, 2.0]))
        return (x.grad,)

    same(scenario)


@pytest.mark.parametrize("shapes", [
    ((3, 2), (4, 2, 3)), ((1, 2), (4, 2, 3)), ((3, 2), (2, 1, 2, 3)), ((1, 3, 2), (4, 2, 3)),
    ((4, 3, 2), (1, 2, 3)), ((2,), (4, 2, 3)), ((4, 3, 2), (2,)),
])
@pytest.mark.parametrize("grads", [(True, True), (True, False), (False, True)])
def test_batched_matmul_folds_as_pytorch_does(shapes, grads):
    def scenario(T):
        a = T.arange(float(np.prod(shapes[0]))).reshape(shapes[0]).requires_grad_(grads[0])
        b = T.arange(float(np.prod(shapes[1]))).reshape(shapes[1]).requires_grad_(grads[1])
        out = a @ b
        out.sum().backward()
        return out, a.grad, b.grad

    same(scenario)


@pytest.mark.parametrize("shapes", [
    ((4, 3, 2), (3, 2, 3)), ((2,), (4, 1, 3)), ((3, 2), (4, 3, 3)), ((4, 3, 2), (3,)),
    ((4, 3, 2), (3, 3)), ((2, 2, 3, 2), (4, 2, 3)),
])
@pytest.mark.parametrize("a_grad", [True, False])
def test_batched_matmul_errors_name_the_path_pytorch_takes(shapes, a_grad):
    errors = []
    for T in (engine, torch):
        a = T.ones(*shapes[0], requires_grad=a_grad)
        with pytest.raises(RuntimeError) as info:
            a @ T.ones(*shapes[1])
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_expand_that_repeats_nothing_can_be_written_through():
    def scenario(T):
        x = T.zeros(2, 3).t()
        x.expand(1, 3, 2).add_(1)
        return (x,)

    same(scenario)


def test_maximum_and_minimum_mask_the_gradient_of_the_input_that_lost():
    def scenario(T):
        x = T.tensor([1.0, float("nan"), 3.0, 2.0], requires_grad=True)
        y = T.tensor([1.0, 2.0, float("nan"), 5.0], requires_grad=True)
        seed = T.tensor([float("nan"), 1.0, 2.0, float("inf")])
        T.maximum(x, y).backward(seed)
        T.minimum(x, y).backward(seed)
        return x.grad, y.grad

    same(scenario)


@pytest.mark.parametrize("call", [
    lambda T: T.tensor([1, 2]).__setitem__(0, float("nan")),
    lambda T: T.tensor([1, 2]).fill_(float("inf")),
    lambda T: T.tensor([True]).abs(),
    lambda T: T.tensor([True]).relu_(),
    lambda T: T.tensor([1.0]) - True,
    lambda T: True - T.tensor([1.0]),
    lambda T: T.tensor([1.0]).sub_(T.tensor([True])),
    lambda T: T.tensor([True]) - T.tensor([False]),
    lambda T: T.tensor([2, 3]) ** -1,
    lambda T: T.tensor(1.0).flatten(0, 1),
    lambda T: T.ones(3).expand(2, 4),
    lambda T: T.ones(2, 1, 3).expand(2, 5, 2),
    lambda T: T.ones(3).expand(-1, 3),
    lambda T: T.ones(2, 2, 1)[..., -3],
    lambda T: T.ones(2, 3)[None, 0, 5],
    lambda T: T.ones(2, 3, 4)[T.tensor([True, False, True])],
    lambda T: T.ones(2, 3)[[0], [7]],
])
def test_errors_found_by_the_fuzzer(call):
    ours, theirs = errors(call)
    assert ours == theirs


def test_clamp_promotes_like_other_ops():
    def scenario(T):
        i, b = T.tensor([1, 2]), T.tensor([True, False])
        return i.clamp(0.5), i.clamp(None, 1.5), i.clamp(0, 1), b.clamp(0, 1), b.clamp(0.5)

    same(scenario)


def test_integers_to_negative_tensor_powers_truncate_as_in_c():
    def scenario(T):
        base = T.tensor([0, 0, 5, -1, -1, 1, -2])
        return base ** T.tensor([-1, -2, -1, -1, -2, -5, -1]), 3 ** T.tensor([-1, 2])

    same(scenario)


def test_mm_with_one_inner_term_keeps_negative_zeros():
    def scenario(T):
        a = T.tensor([[0.0], [2.0]], requires_grad=True)
        b = T.tensor([[-1.0, -2.0, 3.0]])
        return (1 / (a @ b), 1 / (a[None] @ b), 1 / (a.t() @ a))

    same(scenario)


def test_reshape_of_a_non_contiguous_tensor_that_can_be_viewed_is_an_alias():
    def scenario(T):
        x = T.ones(2, 3, requires_grad=True) * 1
        return x.t().reshape(1, 3, 2), x.t().reshape(3, 2), x.t().flatten(), x.reshape(3, 2)

    same(scenario)


def test_fill_and_zero_send_zeros_to_the_old_value():
    def scenario(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y, z = x * 2, x * 3
        y.fill_(5.0)
        z.zero_()
        (y + z).sum().backward()
        return (x.grad,)

    same(scenario)


def test_vector_matrix_product_is_no_view_and_can_change_in_place():
    def scenario(T):
        v = T.tensor([0.25, 0.5], requires_grad=True)
        m = T.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
        y = v @ m
        y.pow_(2)
        y.sum().backward()
        return y, v.grad, m.grad

    same(scenario)


def test_relu_passes_the_gradient_where_its_result_is_nan():
    def scenario(T):
        x = T.tensor([-2.0, 2.0, 0.0], requires_grad=True)
        x.log().relu().sum().backward()
        return (x.grad,)

    same(scenario)


@pytest.mark.parametrize("call", [
    lambda T: T.where(T.ones(3, dtype=T.bool), T.ones(2), T.ones(4)),
    lambda T: T.where(T.ones(2, 3, dtype=T.bool), T.ones(3), T.ones(4, 1)),
    lambda T: T.where(T.ones(4, dtype=T.bool), 1.0, T.ones(3)),
    lambda T: T.ones(2, 3).mv(T.ones(3, dtype=T.float64)),
    lambda T: T.ones(2, 2, 3) @ T.ones(2, 3, 2, dtype=T.float64),
    lambda T: T.ones(2, 3, requires_grad=True) @ T.ones(2, 3, 2, dtype=T.float64),
    lambda T: T.ones(2, 2, 3) @ T.ones(3, dtype=T.float64),
    lambda T: T.zeros(2, 3, requires_grad=True).__setitem__(([1], 0), T.ones(1, dtype=T.int64)),
    lambda T: T.zeros(2, 3, dtype=T.float64).__setitem__(T.tensor(False), T.tensor(1.0)),
    lambda T: T.outer(T.ones(2, 2), T.ones(3)),
    lambda T: T.outer(T.ones(2), T.ones(3, 2)),
    lambda T: T.ones(()).mv(T.ones(1)),
    lambda T: T.zeros(0).reshape(-1, 2, 0),
    lambda T: T.zeros(6).reshape(-1, 0),
    lambda T: T.ones(2, dtype=T.bool).expand(()),
    lambda T: T.tensor([False, True]) ** T.tensor([True, False]),
    lambda T: True ** T.tensor([False, True]),
    lambda T: T.ones(3, dtype=T.bool).__setitem__(0, T.zeros(2, dtype=T.bool)),
    lambda T: T.ones(1, 3, 2).__setitem__(([0], None, slice(None, -4, 2)), T.ones(1, 0)),
])
def test_more_errors_found_by_the_fuzzer(call):
    ours, theirs = errors(call)
    assert ours == theirs


def test_pow_by_one_half_is_sqrt_and_by_minus_one_half_rsqrt():
    def scenario(T):
        values = [float("-inf"), -0.0, 0.0, float("inf"), -4.0, 4.0, float("nan")]
        outs, grads = [], []
        for exponent in (0.5, -0.5, 1.5):
            x = T.tensor(values, dtype=T.float64, requires_grad=True)
            y = x.pow(exponent)
            y.backward(T.ones(7, dtype=T.float64))
            outs.append(y)
            grads.append(x.grad)
        return (*outs, *grads)

    same(scenario)


@pytest.mark.parametrize("call", [
    lambda T: T.cat([T.ones(2), T.ones(2, 3)]),
    lambda T: T.cat([T.ones(2), T.ones(2, 3)], 1),
    lambda T: T.cat([T.zeros(0, 2), T.ones(2, 3)], 1),
    lambda T: (lambda x: x.__setitem__([0], x[0]))(T.arange(6.0).reshape(2, 3)),
])
def test_cat_and_overlap_errors_match_torch(call):
    ours, theirs = errors(call)
    assert ours == theirs


def test_cat_leaves_1d_empty_tensors_out_of_its_checks():
    def scenario(T):
        x = T.ones(2, 3, requires_grad=True)
        empty = T.zeros(0, dtype=T.float64, requires_grad=True)
        y = T.cat([empty, x], 1)
        y.sum().backward()
        return y, x.grad, empty.grad

    same(scenario)


def test_max_of_all_sends_an_infinite_gradient_only_to_the_max():
    def scenario(T):
        x = T.tensor([[1.0, 3.0], [3.0, float("-inf")]], requires_grad=True)
        x.max().backward(T.tensor(float("inf")))
        return (x.grad,)

    same(scenario)


def test_relu_clamp_maximum_minimum_keep_negative_zero_and_nan_as_pytorch():
    def scenario(T):
        z = T.tensor([-0.0, 0.0, float("nan"), 1.0])
        p = T.tensor([0.0, -0.0, 1.0, float("nan")])
        results = (z.relu(), z.clamp(0), p.clamp(None, 0), p.clamp(None, -0.0),
                   T.maximum(z, p), T.minimum(z, p), z.clamp(0.5, 0.2))
        return tuple(1 / r for r in results)  # 1 / x shows the sign of a zero

    same(scenario)


def test_pow_gradients_are_masked_where_torch_masks_them():
    def scenario(T):
        x = T.tensor([-0.75, 0.0, 2.0], requires_grad=True)
        e = T.tensor([0.0, 1.0, -1.0], requires_grad=True)
        seed = T.tensor([float("inf"), float("nan"), 1.0])
        x.pow(0).backward(seed)
        (x ** e).backward(seed)
        (0 ** e).backward(T.ones(3))
        return x.grad, e.grad

    same(scenario)


def test_clone_keeps_the_layout_and_index_results_are_contiguous():
    def scenario(T):
        x = T.arange(24.0).reshape(2, 3, 4)
        results = []
        for make in (lambda: x.transpose(0, 2).clone().view(24),
                     lambda: x[::2, [2, 0], :].view(2, 4),
                     lambda: x.transpose(0, 2).reshape(24).view(2, 12)):
            try:
                results.append(make())
            except RuntimeError as error:
                results.append(str(error))
        return tuple(results)

    same(scenario)


@pytest.mark.parametrize("call", [
    lambda T: T.ones(3).mv(T.ones(3)),
    lambda T: T.ones(2, 3).mv(T.ones(3, 2)),
    lambda T: T.ones(4, 1, 2).__setitem__((Ellipsis, T.tensor([0, 1]), slice(None)),
                                          T.tensor(2.75, dtype=T.float64)),
    lambda T: T.ones(4, 1, 2).__setitem__((Ellipsis, T.tensor([0, 1]), slice(None)), 2.0),
])
def test_errors_found_by_longer_fuzzing(call):
    ours, theirs = errors(call)
    assert ours == theirs


@pytest.mark.parametrize("call", [
    lambda T: T.ones(2, 2, dtype=T.bool).mm(T.ones(2, 2, dtype=T.bool)),
    lambda T: T.ones(2, 2, dtype=T.bool).mv(T.ones(2, dtype=T.bool)),
    lambda T: T.ones(0, dtype=T.bool).dot(T.ones(0, dtype=T.bool)),
    lambda T: T.ones(2, 2, 2, dtype=T.bool) @ T.ones(2, 2, 2, dtype=T.bool),
    lambda T: T.ones(2, dtype=T.bool) @ T.ones(2, 2, dtype=T.bool),
])
def test_bool_products_are_not_implemented(call):
    ours, theirs = errors(call)
    assert ours == theirs


def test_empty_bool_products_run_no_kernel():
    def scenario(T):
        return (T.ones(0, 2, dtype=T.bool).mm(T.ones(2, 2, dtype=T.bool)),
                T.ones(2, 0, 2, dtype=T.bool) @ T.ones(2, 2, 2, dtype=T.bool))

    same(scenario)


def test_pow_by_a_bool_tensor_fails_backward_as_in_pytorch():
    def call(T):
        x = T.tensor([2.25, -2.75], dtype=T.float64, requires_grad=True)
        (x ** T.tensor(True)).sum().backward()

    ours, theirs = errors(call)
    assert ours == theirs


def test_cat_and_stack_of_expanded_tensors_are_contiguous():
    def scenario(T):
        x = T.ones(1, 3, requires_grad=True)
        y = x.expand(3, 3, 3)
        return T.stack((y,), 1).view(27), T.cat((x.t().expand(3, 2), x.t()), 1).view(9)

    same(scenario)


def test_elementwise_results_are_laid_out_as_in_pytorch():
    def scenario(T):
        x = T.arange(6.0).reshape(2, 3)
        results = []
        for make in (lambda: x.t() + T.ones(3, 2), lambda: T.ones(3, 2) + x.t(),
                     lambda: T.where(x.t() > 1, x.t(), T.ones(3, 2)), lambda: x.t() * 2,
                     lambda: T.ones(3).expand(2, 3).exp(), lambda: T.maximum(x.t(), T.ones(3, 2)),
                     lambda: x.t().clamp(0, 1), lambda: x.t() ** T.ones(3, 2)):
            try:  # view works exactly when the result is laid out contiguously
                results.append(make().view(6))
            except RuntimeError as error:
                results.append(str(error))
        return tuple(results)

    same(scenario)


def test_bool_tensor_to_a_bool_power_stays_bool():
    def scenario(T):
        b = T.tensor([False, True])
        return b ** True, b ** False, b ** 2, b.clone().pow_(False)

    same(scenario)


def test_x_over_x_has_exactly_zero_gradient_as_in_pytorch():
    def scenario(T):
        a = T.tensor([0.037126543106639875], requires_grad=True)
        (a / a).backward(T.tensor([2.25]))
        return (a.grad,)

    same(scenario)

