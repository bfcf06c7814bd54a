"""Mismatches with PyTorch found by the differential fuzzer that need fixes outside the op files
(engine core: tensor.py, function.py, graph.py, autograd; or nn.functional, ops/activation.py,
ops/losses.py). Each is a case of one table, run
as a strict xfail whose reason says the fix needed; the fuzzer leaves these
cases out of its programs (``fuzz_strategies.KNOWN_ISSUES``) until the xfail passes."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pytest

from tests.engine.compare import errors, same

torch = pytest.importorskip("torch")


class KnownIssue(NamedTuple):
    check: Callable  # how the engine's answer is compared with torch's
    case: Callable  # the program, given the module (or the input, for an in-place check)
    reason: str  # the fix needed, shown by pytest


KNOWN_ISSUES: list[KnownIssue] = []


def known_issue(check, reason):
    def register(case):
        KNOWN_ISSUES.append(KnownIssue(check, case, reason))
        return case
    return register


def same_error(call):
    ours, theirs = errors(call)
    assert ours == theirs


@known_issue(
    same,
    "tensor.py/function.record: a view made under no_grad of a tensor that requires grad must"
    " itself require grad (a leaf, no grad_fn), and an in-place change of it with grad "
    "enabled must raise")
def view_made_under_no_grad_requires_grad_like_its_base(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    with T.no_grad():
        v, w = x.view(2), x[0]
    try:
        v.mul_(2)
    except RuntimeError as error:
        return v, w, str(error)
    return v, w, "no error"


@known_issue(
    same,
    "tensor.py: an in-place change of a tensor must regenerate the grad_fn of its other views"
    " (AsStridedBackward0 of the base's new grad_fn), as PyTorch does when a view's version "
    "no longer matches")
def views_of_a_tensor_changed_in_place_see_the_change_in_backward(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    u = y.unsqueeze(0)
    y.mul_(3)
    u.sum().backward()
    return u, x.grad


@known_issue(
    same,
    "tensor.py: in-place on a view (also under no_grad, and of views other than x[key]) must "
    "write through to the base and regenerate the view's grad_fn as AsStridedBackward0")
def in_place_on_a_transposed_view_under_no_grad_regenerates_its_grad_fn(T):
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    v = y.t()
    with T.no_grad():
        v.add_(1)
    v.sum().backward()
    return v, y, x.grad


@known_issue(
    same,
    "tensor.py/graph.py: retain_grad() must follow the tensor to the grad_fn an in-place op "
    "gives it (PyTorch moves the retains_grad hook)")
def retained_grad_survives_an_in_place_change(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.retain_grad()
    y.mul_(2)
    y.sum().backward()
    return y.grad, y.retains_grad


@known_issue(
    same,
    "tensor.py/function.py: AccumulateGrad must skip a leaf that no longer requires grad "
    "after detach_()")
def leaf_detached_in_place_gets_no_grad(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    x.detach_()
    y.sum().backward()
    return x.grad, x.requires_grad


@known_issue(
    same_error,
    "tensor.detach_: PyTorch's message goes on about DistributedDataParallel and "
    "Optimizer.zero_grad()")
def detach_in_place_of_a_view_refuses_with_pytorchs_words(T):
    (T.ones(2, 3, requires_grad=True) * 1)[0].detach_()


@known_issue(
    same_error,
    "tensor._write: for clamp_ PyTorch names the C types (\"desired output type long int\"), "
    "for add_ the short names (\"Long\")")
def clamp_in_place_of_an_int_tensor_refuses_with_pytorchs_words(T):
    T.tensor([1, 2]).clamp_(0.5)


@known_issue(
    same,
    "tensor._write refuses any write into an expanded tensor's memory; PyTorch refuses only a"
    " write whose target repeats an element (a stride-0 dim of size > 1), so x[0] = 5 of "
    "b.expand(2, 3) sets b. Needs expand to give a writable view and _write to check the "
    "target's strides")
def writing_one_row_of_an_expanded_tensor_writes_the_memory_they_share(T):
    base = T.zeros(3)
    x = base.expand(2, 3)
    x[0] = 5.0
    x[1].add_(1)
    return base, x


@known_issue(
    same,
    "tensor._accumulate_retained_grad: the sum of two 0-d grads is a numpy scalar, so "
    "y.grad.zero_() refuses; wrap it in np.asarray")
def retained_0d_grad_summed_twice_can_be_zeroed(T):
    x = T.tensor(2.0, requires_grad=True)
    y = x * 1
    y.retain_grad()
    y.backward(retain_graph=True)
    y.backward()
    y.grad.zero_()
    return (y.grad,)


@known_issue(
    same,
    "ops/activation.py: softmax and log_softmax give a contiguous result in PyTorch "
    "(np.ascontiguousarray), so .view() of the softmax of a transposed tensor works")
def softmax_of_a_transposed_tensor_is_contiguous(T):
    x = T.arange(12.0).reshape(3, 4).t()
    return T.log_softmax(x, 0).view(12), T.softmax(x, 1).view(12)


@known_issue(
    same,
    "nn/functional.cross_entropy: for a 1-D input with reduction='none' PyTorch's loss of a "
    "certain class is +0, the engine's -0 (1 / loss then gives -inf, not inf)")
def unbatched_cross_entropy_without_reduction_is_plus_zero(T):
    loss = T.nn.functional.cross_entropy(T.tensor([-1.5]), T.tensor(0), reduction="none")
    return (1 / loss,)


@known_issue(
    same_error,
    "autograd.make_roots: PyTorch checks the seed's shape before whether the output requires "
    "grad")
def backward_checks_the_seed_shape_first(T):
    T.zeros(2, dtype=T.bool).backward(T.zeros(3))


@known_issue(
    same_error,
    "function._modified_message: PyTorch names a bool tensor [CPUBoolType [2]], "
    "not [engine.BoolTensor [2]]")
def modified_bool_condition_is_named_as_pytorch_names_it(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    condition = T.tensor([True, False])
    y = T.where(condition, x, 0.0)
    condition.fill_(False)
    y.sum().backward()


@known_issue(
    same,
    "tensor.data: PyTorch's .data has a version counter of its own, so an in-place change "
    "through it is not caught by backward")
def in_place_change_through_data_is_not_seen_by_backward(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.data.mul_(2)
    y.sum().backward()
    return (x.grad,)


@known_issue(
    same_error,
    "tensor.detach_ / function.unpack: backward must refuse a saved tensor that was "
    "detached in place, with PyTorch's message")
def saved_tensor_detached_in_place_fails_backward(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y * y
    y.detach_()
    z.sum().backward()


@known_issue(
    same,
    "ops/activation.py: with no elements PyTorch runs no kernel, so softmax of an empty bool "
    "or int tensor is an empty tensor of its dtype, not a NotImplementedError")
def softmax_of_an_empty_int_tensor_is_an_empty_int_tensor(T):
    return (T.log_softmax(T.zeros(0, 2, dtype=T.bool), 0),
            T.softmax(T.zeros(0, dtype=T.int64), 0))


@known_issue(
    same,
    "ops/losses.py: with reduction='none', mse_loss and the BCE losses lay their result out "
    "like their first input (PyTorch's TensorIterator; engine.ops.layout.laid_out does it), so"
    " it may not view")
def elementwise_losses_keep_the_layout_of_their_input(T):
    x = (T.arange(8.0).reshape(4, 2, 1) * 0.1).transpose(-3, -1)
    target = T.ones(1, 2, 4) * 0.5
    results = []
    for loss in (T.nn.functional.mse_loss, T.nn.functional.binary_cross_entropy_with_logits):
        try:
            results.append(loss(x, target, reduction="none").view(8))
        except RuntimeError as error:
            results.append(str(error))
    return tuple(results)


@pytest.mark.parametrize("issue", [
    pytest.param(issue, id=issue.case.__name__,
                 marks=pytest.mark.xfail(strict=True, reason=issue.reason))
    for issue in KNOWN_ISSUES])
def test_known_issue(issue):
    issue.check(issue.case)
