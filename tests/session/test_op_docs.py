"""The palette's op docs: a PyTorch signature for every op, and the formulas of the autograd
nodes each op records, found by running it (in-place ops included)."""

from __future__ import annotations

from engine.op_table import OpSpec
from playground.session.op_docs import node_formulas, signature
from playground.session.ops import op_specs


def test_every_op_but_the_comparisons_shows_formulas():
    missing = [name for name in op_specs() if not node_formulas(name)]
    assert missing == ["gt", "lt"]  # bool results: no grad_fn to show
    for name in op_specs():
        for node in node_formulas(name):
            assert node.node.endswith(tuple("0123456789")) and node.formulas, (name, node)


def test_forms_give_each_variant_of_an_op():
    assert [n.node for n in node_formulas("pow")] == ["PowBackward0", "PowBackward1"]
    assert [n.node for n in node_formulas("sum")] == ["SumBackward0", "SumBackward1"]
    assert [n.node for n in node_formulas("linear")] == ["AddmmBackward0", "TBackward0"]
    assert node_formulas("mul")[0].formulas == {"self": "grad * other", "other": "grad * self"}


def test_signatures_read_as_pytorch_code():
    specs = op_specs()
    assert signature(specs["add"]) == "input + other"
    assert signature(specs["reshape"]) == "input.reshape(*shape)"
    assert signature(specs["cat"]) == "torch.cat(tensors, dim=0)"
    assert signature(specs["mse_loss"]) == \
        "torch.nn.functional.mse_loss(input, target, reduction='mean')"


def test_an_in_place_op_shows_the_node_it_records(monkeypatch):
    spec = OpSpec("mul_test_", "elementwise", lambda a, b: a.mul_(b), ("input", "other"),
                  numbers_ok=("other",))
    monkeypatch.setitem(op_specs(), spec.name, spec)
    try:
        assert [n.node for n in node_formulas(spec.name)] == ["MulBackward0"]
    finally:
        node_formulas.cache_clear()


def test_every_in_place_op_shows_the_node_torch_records():
    import pytest

    from engine.op_table import inplace_table

    args = {"add_": (1.0,), "sub_": (1.0,), "mul_": (2.0,), "div_": (2.0,), "pow_": (2.0,),
            "clamp_": (0.5,), "fill_": (2.0,)}
    nodes = {name: node_formulas(name)[0].node for name in inplace_table()}
    torch = pytest.importorskip("torch")
    for name, node in nodes.items():
        y = torch.ones(2, 2, requires_grad=True) * 1
        assert getattr(y, name)(*args.get(name, ())).grad_fn.name() == node, name
