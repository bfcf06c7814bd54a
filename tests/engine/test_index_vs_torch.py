"""Indexing with tensors, lists and bools, case by case against PyTorch: for each key the result
(values, shape, dtype, grad_fn, view or copy, version, repr), ``.grad`` after backward, whether a
later change of x shows through, and the error when PyTorch raises. The random programs of
``test_index_fuzz_vs_torch.py`` go further; these are the forms named one by one."""

from __future__ import annotations

import pytest

import engine
from tests.engine.test_index_fuzz_vs_torch import describe, differences, seed_for

torch = pytest.importorskip("torch")


def _int(T, n):
    return T.tensor(n)


def _flag(T, flag):
    return T.tensor(flag)


READS = {  # name -> key for a 2x3 tensor (a function of the library)
    "0-d int tensor": lambda T: _int(T, 1),
    "0-d negative int tensor": lambda T: _int(T, -2),
    "0-d int tensor, out of range": lambda T: _int(T, 2),
    "0-d int tensor, then a slice": lambda T: (_int(T, 1), slice(1, None)),
    "..., then a 0-d int tensor": lambda T: (Ellipsis, _int(T, 1)),
    "None, then a 0-d int tensor": lambda T: (None, _int(T, 1)),
    "two 0-d int tensors": lambda T: (_int(T, 1), _int(T, 2)),
    "a slice, then a 0-d int tensor out of range": lambda T: (slice(None), _int(T, 5)),
    "0-d True": lambda T: _flag(T, True),
    "0-d False": lambda T: _flag(T, False),
    "0-d True after a slice": lambda T: (slice(None), _flag(T, True), 0),
    "0-d False beside an index list": lambda T: (_flag(T, False), [0, 1]),
    "Python True and False": lambda T: (True, 1, False),
    "1-d int tensor": lambda T: T.tensor([1, 0, 1]),
    "2-d int tensor": lambda T: T.tensor([[0, 1], [1, 1]]),
    "int tensors split by a slice": lambda T: (T.tensor([0, 1]), slice(None), None),
    "an int between two index tensors": lambda T: (T.tensor([1, 0]), T.tensor([2, 0])),
    "mask": lambda T: T.tensor([[True, False, True], [False, False, True]]),
    "mask of the wrong length": lambda T: T.tensor([True, False, True]),
    "list of ints": lambda T: [1, -2],
    "list of bools": lambda T: [False, True],
    "list of lists (read as a tuple)": lambda T: [[0, 1], [2, 0]],
    "index out of range, named by its place among the indices": lambda T: ([0, 1], [0, 3]),
    "indices that do not broadcast": lambda T: ([0, 1], [0, 1, 2]),
    "float tensor": lambda T: T.tensor([1.0]),
    "0-d float tensor that requires grad": lambda T: T.tensor(1.0, requires_grad=True),
    "a float": lambda T: 1.0,
}


def _read(T, name):
    seen = []
    leaf = T.arange(6.0).reshape(2, 3).requires_grad_()
    x = leaf * 1
    try:
        y = x[READS[name](T)]
    except Exception as error:  # noqa: BLE001 - compared with PyTorch's
        return [("error", type(error).__name__, str(error).replace("torch.", "engine."))]
    seen.append(("y", describe(y)))
    y.backward(seed_for(T, y))
    seen.append(("leaf.grad", describe(leaf.grad, is_grad=True)))
    with T.no_grad():
        x.mul_(10)  # shows through a view only
    seen.append(("y after x.mul_(10)", describe(y)["values"], y._version))
    return seen


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")  # the fuzz test compares it
@pytest.mark.parametrize("name", READS)
def test_reading_with_a_key_matches_torch(name):
    assert not differences(_read(engine, name), _read(torch, name))


def test_a_0d_int_tensor_index_is_a_select_view():
    """The reported bug: x[torch.tensor(1)] was a copy of shape [3] recorded as IndexBackward0."""
    x = engine.arange(6.0).reshape(2, 3).requires_grad_()
    y = x[engine.tensor(1)]
    assert tuple(y.shape) == (3,) and y.grad_fn.name() == "SelectBackward0"
    assert y._base is x._base and y._version == x._version  # x is a view of the arange
    y.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]


WRITES = {  # name -> (key, value) for a 2x3 tensor
    "0-d int tensor, a number": lambda T: (_int(T, 1), 5.0),
    "0-d int tensor, a row that requires grad": lambda T: (
        _int(T, 0), T.tensor([7.0, 8.0, 9.0], requires_grad=True)),
    "0-d int tensor, a broadcast column": lambda T: (
        (slice(None), _int(T, -1)), T.tensor([[7.0], [8.0]], requires_grad=True)),
    "0-d int tensor, a value that does not fit": lambda T: (_int(T, 0), T.ones(2)),
    "0-d True": lambda T: (_flag(T, True), T.tensor([[1.0, 2.0, 3.0]], requires_grad=True)),
    "0-d False": lambda T: (_flag(T, False), 4.0),
    "Python False": lambda T: (False, T.ones(5)),
    "Python True": lambda T: (True, T.tensor(3.0, requires_grad=True)),
    "1-d int tensor, repeated": lambda T: (T.tensor([1, 1]), T.tensor([1.0, 2.0, 3.0])),
    "mask, a number": lambda T: (T.tensor([[True, False, True], [False, True, True]]), -1.0),
    "mask, a value with a leading 1": lambda T: (
        T.tensor([[True, False, True], [False, False, False]]),
        T.tensor([[5.0, 6.0]], requires_grad=True)),
    "list of ints after an int": lambda T: ((0, [2, 0]), T.tensor([4.0, 5.0], requires_grad=True)),
    "list of bools, a float64 value": lambda T: ([True, False], T.ones(3, dtype=T.float64)),
    "index out of range": lambda T: (([0, 1], [0, 3]), 1.0),
    "float tensor": lambda T: (T.tensor([0.0]), 1.0),
}


def _write(T, name, target):
    leaf = T.arange(6.0).reshape(2, 3).requires_grad_()
    x = leaf if target == "leaf" else leaf * 1
    key, value = WRITES[name](T)
    try:
        x[key] = value
    except Exception as error:  # noqa: BLE001 - compared with PyTorch's
        return [("error", type(error).__name__, str(error).replace("torch.", "engine."))]
    seen = [("x", describe(x))]
    (x * seed_for(T, x)).sum().backward()
    grads = [leaf.grad, value.grad if isinstance(value, type(leaf)) and value.is_leaf else None]
    seen.append(("grads", [describe(g, is_grad=True) for g in grads]))
    return seen


@pytest.mark.parametrize("target", ["leaf", "non-leaf"])
@pytest.mark.parametrize("name", WRITES)
def test_writing_with_a_key_matches_torch(name, target):
    assert not differences(_write(engine, name, target), _write(torch, name, target))


@pytest.mark.parametrize("write", [lambda x: x.add_(1), lambda x: x.__setitem__([0], 1.0),
                                   lambda x: x.__setitem__(0, 1.0)])
def test_writing_into_a_leaf_that_is_a_view_names_it_a_view(write):
    messages = []
    for T in (engine, torch):
        x = T.arange(6.0).reshape(2, 3).requires_grad_()  # a leaf, and a view of the arange
        with pytest.raises(RuntimeError) as info:
            write(x)
        messages.append(str(info.value))
    assert messages[0] == messages[1] == (
        "a view of a leaf Variable that requires grad is being used in an in-place operation.")


# Ops on an int tensor that a write put in the graph, as functions of (the module, the tensor).
ON_AN_INT_TENSOR_IN_A_GRAPH = (
    lambda T, x: x.sum(), lambda T, x: x + 1, lambda T, x: -x, lambda T, x: x.t(),
    lambda T, x: x[0], lambda T, x: x.clone(), lambda T, x: x.abs(),
    lambda T, x: x * T.tensor(2), lambda T, x: x.view(-1), lambda T, x: T.cat([x, x]),
    lambda T, x: x * 2.0, lambda T, x: x.float(), lambda T, x: x == 1, lambda T, x: x.detach(),
    lambda T, x: x.sum(dtype=T.float32), lambda T, x: x.add_(1), lambda T, x: x.mul_(2),
    lambda T, x: x.relu_(), lambda T, x: x.pow_(2), lambda T, x: x.clamp_(0, 9),
    lambda T, x: _written(x, 0, 7), lambda T, x: _written(x, slice(0, 1), 7),
    lambda T, x: _written(x, None, 7), lambda T, x: _written(x, ..., 7),
    lambda T, x: _written(x, T.tensor([True, False]), 7),
)


def _written(x, key, value):
    x[key] = value
    return x


@pytest.mark.parametrize("key", [True, (None, 0), Ellipsis, [True, False]])
def test_an_int_tensor_put_in_a_graph_by_a_write_refuses_further_ops(key):
    """PyTorch refuses any op that would record an integer result from it ('Autograd not
    support dtype: Long'), an in-place op that keeps a copy of it (pow_, clamp_) and a write
    through a view of it (x[0] = 7); it allows other in-place ops, writes into x itself or by
    index tensors, casts, comparisons and float results."""
    outcomes = []
    for T in (engine, torch):
        x = T.tensor([5, 3])
        x[key] = T.tensor(2.0, requires_grad=True)
        seen = []
        for op in ON_AN_INT_TENSOR_IN_A_GRAPH:
            try:
                result = op(T, x)
                seen.append((result.tolist(), result.requires_grad,
                             result.grad_fn and result.grad_fn.name().replace("torch", "engine")))
            except RuntimeError as error:
                seen.append(str(error))
        outcomes.append(seen)
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == "Autograd not support dtype: Long"


@pytest.mark.parametrize("key", [[True, False], (slice(None), [False, True])])
def test_a_masked_write_of_one_float_value_into_an_int_tensor_is_recorded(key):
    """index_put_ of a one-element value through one mask is a masked_fill_, which casts: the
    float value that requires grad puts the int tensor in the graph, as fill_ does."""
    names = []
    for T in (engine, torch):
        x = T.tensor([[5, 3], [1, 2]])
        x[key] = T.tensor([2.5], requires_grad=True)
        names.append((x.tolist(), x.requires_grad, x.grad_fn.name().replace("torch", "engine")))
    assert names[0] == names[1]
