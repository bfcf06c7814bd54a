"""Small sessions the session tests share."""

from __future__ import annotations

from playground.session import Action, Document, Leaf, Seed, Step


def jvp_document(actions=()) -> Document:
    """The seed notebook's first cell: ``out = (inp + 1).pow(2).t()`` with inp = eye(4, 5)."""
    return Document(
        leaves=(Leaf(name="inp", factory="eye", shape=(4, 5), requires_grad=True),),
        steps=(
            Step(name="h", op="add", operands=("inp", 1)),
            Step(name="sq", op="pow", operands=("h", 2)),
            Step(name="out", op="t", operands=("sq",)),
        ),
        actions=tuple(actions),
    )


def backward(target="out", retain_graph=True, seed=None) -> Action:
    return Action(kind="backward", target=target, retain_graph=retain_graph, seed=seed or Seed())


def zero_grad(*targets, set_to_none=False) -> Action:
    return Action(kind="zero_grad", targets=targets, set_to_none=set_to_none)
