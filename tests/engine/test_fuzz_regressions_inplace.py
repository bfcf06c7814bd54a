"""Regressions the fuzzers found in in-place changes: which backward fails, and that its message
names the same tensor, node, type and versions as PyTorch's."""

from __future__ import annotations

import pytest

import engine
from tests.engine.compare import errors, same

torch = pytest.importorskip("torch")


def test_where_fails_backward_when_its_condition_changed_in_place():
    def scenario(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        condition = T.tensor([True, False])
        y = T.where(condition, x, 0.0)
        condition.fill_(False)
        try:
            y.sum().backward()
        except RuntimeError as error:
            return (str(error).replace("torch.", "engine.").split(" is at version")[1],)
        return ("no error",)

    same(scenario)


def test_vector_matrix_product_starts_at_version_one_as_after_squeeze_():
    def scenario(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = (x @ T.ones(2, 3)).relu_()
        y[3:] = x[:0].sum()
        try:
            y.sum().backward()
        except RuntimeError as error:
            return (str(error).replace("torch.", "engine.").split(" is at version")[1],)
        return (x.grad,)

    same(scenario)


def inplace_error(T, make, writes=1):
    """The message of backward through ``make(x).relu_()`` changed in place ``writes`` times."""
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = make(x)
    y.relu_()
    if writes > 1:
        y[...] = 3.0
    with pytest.raises(RuntimeError) as info:
        y.backward()
    return str(info.value).replace("torch.", "engine.").replace("torch::", "engine::")


def test_saved_result_of_an_in_place_op_names_its_tensor_type():
    def make(x):
        return x.mean() * 1

    assert inplace_error(engine, make, 2) == inplace_error(torch, make, 2)


def test_tensor_power_saves_its_result_even_when_the_exponent_needs_no_grad():
    def call(T):
        x = T.tensor(2.0, requires_grad=True)
        y = T.pow(x, T.tensor(3.0))
        y.add_(0)
        y.backward()

    ours, theirs = errors(call)
    assert ours == theirs


@pytest.mark.parametrize("change", ["clamp_", "pow_"])
def test_an_input_changed_by_an_op_numbered_1_names_it_with_its_number(change):
    """PyTorch's message drops ``Backward0`` from a node's name but keeps the 1 of
    ``ClampBackward1`` (``Clamp1``)."""
    def call(T):
        x = T.tensor([0.5, 2.0], requires_grad=True) * 1
        y = x.sin()
        x.clamp_(0, 1) if change == "clamp_" else x.pow_(T.tensor(2.0))
        y.sum().backward()

    ours, theirs = errors(call)
    assert ours == theirs


def test_modified_saved_output_names_its_node_as_pytorch_does():
    def make(x):
        return x.max()  # MaxBackward1: "output 0 of Max1"

    assert inplace_error(engine, make) == inplace_error(torch, make)


@pytest.mark.parametrize("op, named", [("maximum", "[]"), ("minimum", "[]"), ("pow", "[]"),
                                        ("mv", "[2, 3]")])
def test_both_saved_inputs_changed_the_one_pytorch_unpacks_first_is_named(op, named):
    """PyTorch unpacks ``other`` (``exponent``) before ``self``, but ``self`` before ``vec``:
    when both changed, the message names that one. Found by the fuzzer (minimum of a [2] and
    a [] tensor)."""
    def call(T):
        if op == "mv":
            a, b = T.ones(2, 3, requires_grad=True) * 1, T.ones(3, requires_grad=True) * 1
            out = T.mv(a, b)
        else:
            a = T.tensor([1.0, 2.0], requires_grad=True) * 1
            b = T.tensor(3.0, requires_grad=True) * 1
            out = a ** b if op == "pow" else getattr(T, op)(a, b)
        a.add_(1)
        b.add_(1)
        out.sum().backward()

    ours, theirs = errors(call)
    assert ours == theirs and f"FloatTensor {named}]" in ours[1]
