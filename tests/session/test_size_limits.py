"""Limits instead of freezes: a step whose result would be too big is refused with a message,
like a leaf; the limit can be set from the environment."""

import numpy as np

from playground.session import Document, Leaf, Session, Step, runner


def _vectors(size: int, steps) -> Document:
    leaves = (Leaf(name="a", factory="ones", shape=(size,), requires_grad=True),
              Leaf(name="b", factory="ones", shape=(size,)))
    return Document(leaves=leaves, steps=tuple(steps))


def test_outer_of_two_large_vectors_is_refused_before_it_is_computed():
    session = Session(_vectors(10**4, [Step(name="o", op="outer", operands=("a", "b")),
                                      Step(name="s", op="sum", operands=("o",))]))
    state = session.state("o")
    assert state.value is None
    assert "o would have 100000000 elements; the playground's limit is 10000000" in state.error
    assert session.state("s").blocked_by == "o"
    assert session.state("a").value.shape == (10**4,)  # the rest of the session still works


def test_broadcasting_into_a_huge_result_is_refused():
    document = Document(leaves=(
        Leaf(name="col", factory="ones", shape=(10**4, 1)),
        Leaf(name="row", factory="ones", shape=(1, 10**4))),
        steps=(Step(name="grid", op="add", operands=("col", "row")),))
    assert "limit is 10000000" in Session(document).state("grid").error


def test_expand_to_a_huge_shape_is_refused_even_though_it_is_a_view():
    steps = [Step(name="big", op="expand", operands=("a",), params={"shape": (10**4, 10**4)})]
    state = Session(_vectors(10**4, steps)).state("big")
    assert state.value is None and "big would have 100000000 elements" in state.error


def test_results_under_the_limit_are_computed(monkeypatch):
    monkeypatch.setattr(runner, "MAX_ELEMENTS", 100)
    steps = [Step(name="o", op="outer", operands=("a", "b"))]
    assert Session(_vectors(10, steps)).state("o").value.shape == (10, 10)
    assert "limit is 100" in Session(_vectors(11, steps)).state("o").error


def test_the_limit_is_configurable_from_the_environment(monkeypatch):
    monkeypatch.setenv("TENSOR_PLAYGROUND_MAX_ELEMENTS", "5000")
    assert runner._configured_limit() == 5000
    for junk in ("", "-3", "lots", "0"):
        monkeypatch.setenv("TENSOR_PLAYGROUND_MAX_ELEMENTS", junk)
        assert runner._configured_limit() == 10**7
    assert np.prod((10**4, 10**4)) > runner.MAX_ELEMENTS


def test_a_matmul_of_large_operands_with_a_small_result_is_not_refused():
    document = Document(leaves=(
        Leaf(name="row", factory="ones", shape=(1, 5000)),
        Leaf(name="col", factory="ones", shape=(5000, 1))),
        steps=(Step(name="inner", op="matmul", operands=("row", "col")),))
    assert Session(document).state("inner").value.tolist() == [[5000.0]]
