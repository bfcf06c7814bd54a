"""The exported script runs under torch and under the engine and prints the session's console."""

import numpy as np
import pytest

from playground.session import Action, Document, Leaf, PrintItem, Seed, Session, Step, TensorData
from playground.session.export import script
from tests.session.builders import backward, jvp_document, zero_grad
from tests.session.scripts import HAS_TORCH, run_both


def _sessions():
    yield "jvp", jvp_document([backward(), backward(), zero_grad("inp"),
                               backward(retain_graph=False), backward(retain_graph=False)])
    yield "seeds", jvp_document([
        backward(seed=Seed(kind="randn", seed=3)),
        backward(seed=Seed(kind="literal", values=TensorData.of(np.arange(20.0).reshape(5, 4)))),
        backward(seed=Seed(kind="implicit")),
        zero_grad("inp", set_to_none=True),
        zero_grad("inp"),
    ])
    yield "dag", Document(
        leaves=(
            Leaf(name="x", factory="ones", shape=(5, 5)),
            Leaf(name="w", factory="rand", shape=(5, 6), seed=4, requires_grad=True),
            Leaf(name="b", factory="zeros", shape=(6,), requires_grad=True),
            Leaf(name="d", dtype="float64", values=TensorData(
                dtype="float64", shape=(2,), data=(0.1, float("nan"))), requires_grad=True),
            Leaf(name="n", factory="arange", end=6, dtype="int64"),
        ),
        steps=(
            Step(name="xw", op="matmul", operands=("x", "w")),
            Step(name="z", op="add", operands=("xw", "b")),
            Step(name="m", op="mean", operands=("z",)),
            Step(name="s", op="sum", operands=("z",), params={"dim": 1, "keepdim": True}),
            Step(name="bad", op="mm", operands=("x", "b")),
            Step(name="later", op="exp", operands=("bad",)),
            Step(name="dd", op="mul", operands=("d", "d")),
            Step(name="big", op="gt", operands=("n", 2)),
            Step(name="chained", op="lt", operands=("big", "big")),
        ),
        actions=(
            Action(kind="print", items=(PrintItem(kind="value", text="z"),)),
            Action(kind="retain_grad", target="z"),
            Action(kind="backward", target="m", seed=Seed(kind="implicit"), retain_graph=True),
            Action(kind="print", sep="", items=(
                PrintItem(kind="text", text="gradients {w}\n"), PrintItem(kind="grad", text="b"))),
            Action(kind="detach", target="z", new_name="zd"),
            Action(kind="requires_grad", target="w", flag=False),
            Action(kind="forward"),
            Action(kind="backward", target="later"),
            Action(kind="backward", target="s", seed=Seed(kind="ones")),
            Action(kind="backward", target="dd", seed=Seed(kind="ones")),
            Action(kind="print", items=(PrintItem(kind="text", text="b:"),
                                        PrintItem(kind="grad", text="b"))),
        ),
    )


SESSIONS = dict(_sessions())


@pytest.mark.parametrize("name", SESSIONS)
def test_script_output_is_the_session_console_under_torch_and_engine(name, tmp_path):
    session = Session(SESSIONS[name])
    with_torch, with_engine = run_both(tmp_path, script(session), script(session, engine=True))
    assert with_engine == session.console_text()
    if HAS_TORCH:
        assert with_torch == session.console_text()


def test_steps_chain_into_idiomatic_lines():
    text = script(Session(SESSIONS["jvp"]))
    assert "inp = torch.eye(4, 5, requires_grad=True)\nout = (inp + 1).pow(2).t()\n" in text
    assert "out.backward(torch.ones_like(out), retain_graph=True)" in text
    assert "except RuntimeError as error:" in text


def test_random_leaves_are_literals_with_their_factory_and_seed():
    text = script(Session(SESSIONS["dag"]))
    assert "# torch.rand(5, 6) as drawn by the playground with seed 4\nw = torch.tensor([[" in text
    # xw is printed after the forward (w stopped requiring grad), so it stays a variable
    assert "xw = x @ w\nz = xw + b\n" in text
    assert "s = z.sum(dim=1, keepdim=True)" in text
    assert "# bad = torch.mm(x, b)  (not run" in text or "# bad = x.mm(b)  (not run" in text
    assert "n = torch.arange(6)" in text
    assert "chained = (n > 2) < (n > 2)" in text or "chained = big < big" in text


def test_a_folded_comparison_keeps_its_parentheses():
    document = Document(
        leaves=(Leaf(name="a", factory="ones", shape=(3,)),),
        steps=(Step(name="c", op="gt", operands=("a", "a")),
               Step(name="d", op="lt", operands=("c", 0.5))),
    )
    assert "d = (a > a) < 0.5\n" in script(Session(document))
