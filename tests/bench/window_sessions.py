"""The sessions the window benchmarks load: pipelines of big tensors, a leaf to type into and a
long timeline. Plain ``Document``s, built the way a saved ``.tpg.json`` would be."""

from __future__ import annotations

import numpy as np

from playground.session.document import Action, Document, Leaf, Seed, Step, TensorData

# Ten elementwise steps, each the same shape as its input: what a learner chains on a big tensor.
PIPELINE = (("mul", 0.9), ("tanh", None), ("add", 0.5), ("sigmoid", None), ("mul", 2.0),
            ("exp", None), ("sub", 1.0), ("tanh", None), ("mul", 3.0), ("sin", None))


def pipeline_document(size: int, steps: int = 10) -> Document:
    """``x`` (size × size, randn, requires_grad) then ``steps`` elementwise steps, no actions."""
    x = Leaf(name="x", factory="randn", shape=(size, size), requires_grad=True, seed=1)
    chain, previous = [], "x"
    for number, (op, constant) in enumerate(PIPELINE[:steps], start=1):
        operands = (previous,) if constant is None else (previous, constant)
        chain.append(Step(name=f"h{number}", op=op, operands=operands))
        previous = f"h{number}"
    return Document(title=f"{steps}-step pipeline {size}x{size}", leaves=(x,), steps=tuple(chain))


def backward_of(document: Document) -> Action:
    """``last.backward(torch.ones_like(last), retain_graph=True)``."""
    return Action(kind="backward", target=document.steps[-1].name, seed=Seed(kind="ones"),
                  retain_graph=True)


def literal_leaf_document(size: int = 64) -> Document:
    """A literal ``size × size`` leaf ``w`` (the tensor editor can type into it) and three steps
    computed from it, with one forward and one backward on the timeline."""
    values = np.random.default_rng(2).standard_normal((size, size)).astype(np.float32)
    w = Leaf(name="w", values=TensorData.of(values), requires_grad=True)
    steps = (Step(name="a", op="mul", operands=("w", 2.0)),
             Step(name="b", op="tanh", operands=("a",)),
             Step(name="loss", op="sum", operands=("b",)))
    document = Document(title="typing into a 64x64 leaf", leaves=(w,), steps=steps)
    actions = (Action(kind="forward"),
               Action(kind="backward", target="loss", seed=Seed(kind="implicit"),
                      retain_graph=True))
    return document.model_copy(update={"actions": actions})


def long_timeline_document(actions: int = 1000, size: int = 64) -> Document:
    """Two ``size × size`` leaves, four steps and ``actions`` timeline actions cycling through
    forward, backward (twice, so gradients accumulate) and zero_grad."""
    x = Leaf(name="x", factory="randn", shape=(size, size), requires_grad=True, seed=3)
    y = Leaf(name="y", factory="rand", shape=(size, size), requires_grad=True, seed=4)
    steps = (Step(name="p", op="mul", operands=("x", "y")),
             Step(name="q", op="tanh", operands=("p",)),
             Step(name="r", op="add", operands=("q", "x")),
             Step(name="loss", op="sum", operands=("r",)))
    backward = Action(kind="backward", target="loss", seed=Seed(kind="implicit"),
                      retain_graph=True)
    cycle = (Action(kind="forward"), backward, backward,
             Action(kind="zero_grad", targets=("x", "y")))
    timeline = tuple(cycle[i % len(cycle)] for i in range(actions))
    return Document(title=f"{actions}-action timeline", leaves=(x, y), steps=steps,
                    actions=timeline)
