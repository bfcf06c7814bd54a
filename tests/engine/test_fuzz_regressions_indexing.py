"""Indexing mismatches with PyTorch found by the differential fuzzer: reading (``x[key]``) and
writing (``x[key] = v``), each a small named scenario run in both libraries."""

from __future__ import annotations

import pytest

import engine
from tests.engine.compare import errors, same

torch = pytest.importorskip("torch")


def test_index_that_selects_everything_is_an_alias_view():
    def scenario(T):
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True) * 1
        s = T.tensor(5.0, requires_grad=True) * 1
        picks = x[()], x[...], x[:, :], x[(slice(None),)], x[:], s[()], s[...]
        sum(p.sum() for p in picks).backward()
        return picks
    same(scenario)


def test_slice_from_a_negative_start_is_recorded_even_when_it_keeps_everything():
    def scenario(T):
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True) * 1
        return x[-2:, 0], x[0:5, 1], x[-2:]

    same(scenario)


def test_selecting_one_element_is_a_view_that_writes_through():
    def scenario(T):
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]])
        x[1, 0].add_(10)
        x[0][1].mul_(3)
        return (x,)

    same(scenario)


def test_advanced_index_keeps_its_indices_so_a_second_backward_fails():
    def scenario(T):
        x = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x[x > 0]
        y.sum().backward()
        try:
            y.sum().backward()
        except RuntimeError as error:
            return x.grad, str(error).replace("torch", "engine")
        return x.grad, "no error"

    same(scenario)


@pytest.mark.parametrize("key", [(), Ellipsis, slice(None), slice(0, 9), (slice(None), Ellipsis),
                                 0, (0, 1), None, [1], ([0, 1], slice(None)), (0, [1, 2])])
@pytest.mark.parametrize("value", ["number", "0-d", "row", "same"])
def test_setitem_is_recorded_under_pytorchs_names(key, value):
    def scenario(T):
        x = T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        y = x * 1
        v = {"number": 7.0, "0-d": T.tensor(7.0, requires_grad=True),
             "row": T.tensor([7.0, 8.0, 9.0], requires_grad=True),
             "same": T.tensor([[7.0, 8.0, 9.0]] * 2, requires_grad=True)}[value]
        try:
            y[key] = v
        except RuntimeError as error:
            return (str(error).replace("torch.", "engine."),)
        (y * y).sum().backward()
        return y, x.grad, None if value == "number" else v.grad

    same(scenario)


@pytest.mark.parametrize("call", [
    lambda T: T.ones(2, 3).__setitem__([0], T.ones(1, dtype=T.float64)),
    lambda T: T.ones(2, 3).__setitem__([0], T.ones(2)),
    lambda T: T.ones(2, 3).__setitem__(0, T.ones(2)),
    lambda T: T.ones(2, 3).__setitem__(0, T.ones(2, 3)),
    lambda T: T.ones(2, 3).__setitem__(Ellipsis, T.ones(4)),
    lambda T: T.ones(2, 3).__setitem__([5], 1.0),
    lambda T: T.ones(2, 3)[[0, 7]],
])
def test_setitem_and_indexerrors(call):
    errors = []
    for T in (engine, torch):
        with pytest.raises(Exception) as info:
            call(T)
        errors.append((info.type, str(info.value).replace("torch.", "engine.")))
    assert errors[0] == errors[1]


def test_writing_a_tensor_that_requires_grad_into_a_bool_tensor_records_nothing():
    def scenario(T):
        x = T.tensor([True, False, True])
        x[0] = T.tensor(0.0, requires_grad=True)
        return (x,)

    same(scenario)


def _write_own_slice(T):
    x = T.ones(3)
    x[[0, 1]] = x[1:]


def test_index_put_refuses_a_value_that_shares_the_target_memory():
    ours, theirs = errors(_write_own_slice)
    assert ours == theirs


@pytest.mark.parametrize("how", ["getitem", "setitem"])
def test_index_tensor_changed_in_place_after_use_fails_backward(how):
    def scenario(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        index = T.tensor([0, 2])
        if how == "getitem":
            y = x[index]
        else:
            y = x * 1
            y[index] = 5.0
        index.add_(0)
        try:
            y.sum().backward()
        except RuntimeError as error:
            return (str(error).replace("torch.", "engine."),)
        return ("no error",)

    same(scenario)


def test_setitem_with_a_0d_mask_writes_through_an_unsqueezed_view():
    def scenario(T):
        x = T.tensor(2.0, requires_grad=True) * 1
        x[T.tensor(True)] = T.tensor(-1.0)
        y = T.tensor([1.0, 2.0, 3.0], requires_grad=True) * 1
        y[T.tensor([True, False, True])] = T.tensor([5.0], dtype=T.float64)  # masked_fill_: cast
        return x, y

    same(scenario)


def test_empty_index_list_indexes_nothing():
    def scenario(T):
        x = T.ones(2, 3, requires_grad=True)
        return x[[]], x[[], 1:]

    same(scenario)


def test_whole_assignment_of_a_0d_loss_to_itself():
    def scenario(T):
        x = T.tensor([0.5, 1.5], requires_grad=True)
        loss = (x * x).sum()
        loss[()] = loss
        loss.backward()
        return loss, x.grad

    same(scenario)


@pytest.mark.parametrize("key", [(-2, slice(-1, -3), [-1, 0, 0], None), (0, slice(None), [1, 2]),
                                 ([0], 1, [2]), (slice(None), [0, 1], 0), ([1, 0], slice(None),
                                 [0, 3]), (None, [1], Ellipsis, 2)])
def test_ints_between_index_lists_select_first_as_in_pytorch(key):
    def scenario(T):
        x = T.arange(24.0).reshape(2, 3, 4).requires_grad_()
        y = x[key]
        (y * y).sum().backward()
        z = T.zeros(2, 3, 4)
        z[key] = T.arange(float(y.numel())).reshape(y.shape)
        return y, x.grad, z

    same(scenario)


def test_index_put_into_an_empty_view_of_its_own_value_is_fine():
    def scenario(T):
        x = T.tensor([[3.0]], requires_grad=True) * 1
        x[[0, 0], None, 0:0] = x
        return (x,)

    same(scenario)


def test_self_assignments_that_pytorch_accepts():
    def scenario(T):
        x = T.arange(6.0).reshape(2, 3)
        x[...] = x
        x[0] = x[1]
        x[0] = x[0]  # (x[:, 1:] = x[:, :-1] smears in PyTorch, element by element: not copied)
        y = T.arange(6.0)
        y[:3] = y[::2]
        return x, y

    same(scenario)


@pytest.mark.parametrize("key", [slice(0, 0, 3), 0, Ellipsis, [0]])
def test_a_second_backward_through_copy_slices_finds_it_freed(key):
    def scenario(T):
        value = T.tensor([0.5], requires_grad=True)
        x = T.tensor([1.75])
        x[key] = value
        x.backward(T.tensor([0.75]))
        try:
            x.backward(T.tensor([-2.0]))
        except RuntimeError as error:
            return value.grad, str(error)[:40]
        return value.grad, "no error"

    same(scenario)


def test_value_with_extra_leading_ones_gets_its_gradient_in_its_shape():
    def scenario(T):
        value = T.tensor([[0.5, 1.5]], requires_grad=True)
        x = T.zeros(2, 3, 2)
        x[0, 1] = value
        x[1] = value
        (x * x).sum().backward()
        return x, value.grad

    same(scenario)


def test_index_arrays_out_of_bounds_are_not_checked_when_nothing_is_read():
    def scenario(T):
        x = T.zeros(4, 2, 2, requires_grad=True)
        y, z = x[..., [1, 3], 0:0], x[[5], 0:0]
        w = T.zeros(4, 2, 2)
        w[0:0, [5]] = 1.0
        return y, z, w

    same(scenario)


@pytest.mark.parametrize("key", [0, (slice(0, 1),), None, (0, [1]), Ellipsis, [0],
                                 (slice(None),)])
def test_setitem_on_a_leaf_names_the_view_it_writes_through(key):
    ours, theirs = errors(lambda T: T.zeros(2, 3, requires_grad=True).__setitem__(key, 1.0))
    assert ours == theirs


@pytest.mark.parametrize("key", [(1,), 0, [3]])
def test_inf_into_an_int_tensor_is_refused_before_the_index_is_checked(key):
    # PyTorch turns the number into a tensor of x's dtype first: an out-of-bounds index is not
    # what it reports (the fuzzer found v0[(1,)] = inf on a one-element int64 tensor).
    ours, theirs = errors(lambda T: T.zeros(1, dtype=T.int64).__setitem__(key, float("inf")))
    assert ours == theirs


@pytest.mark.parametrize("how", ["0-d mask setitem", "0-d long setitem"])
def test_a_0d_index_tensor_is_read_at_once_so_changing_it_later_changes_nothing(how):
    """PyTorch reads a 0-d index tensor as a number (``x[t]`` is ``x[t.item()]``): nothing is
    saved, so an in-place change of it afterwards neither fails backward nor moves the grad."""
    def scenario(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        if how == "0-d mask setitem":
            index = T.tensor(True)
            y = x * 1
            y[(index,)] = T.tensor(7.0)
            changed = index.fill_(False)
        else:
            index = T.tensor(1)
            y = x * 2
            y[index] = 0.0
            changed = index.fill_(0)
        try:
            y.sum().backward()
        except RuntimeError as error:
            return (str(error).replace("torch.", "engine."),)
        return x.grad, changed

    same(scenario)
