"""In-place steps (``a2 = a.mul_(2)``) and ``no_grad`` steps: run by the engine's own machinery,
exported as torch writes them, imported back, and the same under torch."""

import pytest

from playground.session import Action, Document, Leaf, Seed, Session, Step, TensorData
from playground.session.export import script
from playground.session.importer import import_snippet
from playground.session.notebook import notebook
from playground.session.predict import answer
from tests.session.scripts import HAS_TORCH, run_both

X = Leaf(name="x", values=TensorData(shape=(2,), data=(1.0, 2.0)), requires_grad=True)


def _inplace_lesson(*extra_steps) -> Document:
    """Lesson 10's program: ``a = x.sigmoid(); a2 = a.mul_(2); loss = a2.sum()``, backward."""
    steps = (Step(name="a", op="sigmoid", operands=("x",)),
             Step(name="a2", op="mul_", operands=("a", 2)),
             Step(name="loss", op="sum", operands=("a2",)), *extra_steps)
    backward = Action(kind="backward", target="loss", seed=Seed(kind="implicit"))
    return Document(leaves=(X,), steps=steps, actions=(backward,))


def test_the_version_counter_error_is_torchs_word_for_word():
    torch = pytest.importorskip("torch")
    session = Session(_inplace_lesson())
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x.sigmoid()
    a.mul_(2)
    with pytest.raises(RuntimeError) as raised:
        a.sum().backward()
    assert session.outcomes[1].error == f"RuntimeError: {raised.value}"
    assert answer(session, "outcome").value == "RuntimeError"


def test_an_inplace_step_is_the_tensor_it_changed():
    session = Session(_inplace_lesson())
    a, a2 = session.state("a", 0), session.state("a2", 0)
    assert (a.value == a2.value).all() and a.grad_fn == a2.grad_fn == "MulBackward0"
    assert a.value[0] == pytest.approx(2 / (1 + 2.718281828459045 ** -1))


def test_an_inplace_step_on_a_number_is_a_clear_error():
    session = Session(Document(steps=(Step(name="m", op="mul_", operands=(2, 3)),)))
    assert "first operand must be" in session.state("m").error


def test_inplace_on_a_leaf_that_requires_grad_fails_unless_under_no_grad():
    torch = pytest.importorskip("torch")
    update = Step(name="w2", op="sub_", operands=("x", 0.5))
    failing = Session(Document(leaves=(X,), steps=(update,)))
    with pytest.raises(RuntimeError) as raised:
        torch.tensor([1.0, 2.0], requires_grad=True).sub_(0.5)
    assert failing.state("w2").error == f"RuntimeError: {raised.value}"
    allowed = Session(Document(leaves=(X,), steps=(update.model_copy(update={"no_grad": True}),)))
    assert allowed.state("w2").value.tolist() == [0.5, 1.5]
    assert allowed.state("x").value.tolist() == [0.5, 1.5] and allowed.state("x").is_leaf


def _no_grad_session() -> Session:
    steps = (Step(name="y", op="mul", operands=("x", 3), no_grad=True),
             Step(name="z", op="mul", operands=("x", 3)),
             Step(name="loss", op="sum", operands=("z",)))
    return Session(Document(leaves=(X,), steps=steps, actions=(
        Action(kind="backward", target="loss", seed=Seed(kind="implicit")),)))


def test_a_no_grad_step_records_no_graph():
    session = _no_grad_session()
    y, z = session.state("y", 0), session.state("z", 0)
    assert (y.requires_grad, y.grad_fn, y.is_leaf) == (False, None, True)
    assert (z.requires_grad, z.grad_fn) == (True, "MulBackward0")


def test_the_export_writes_no_grad_blocks_and_keeps_inplace_operands():
    lines = script(_no_grad_session()).splitlines()
    assert "with torch.no_grad():" in lines and "    y = x * 3" in lines
    inplace = script(Session(_inplace_lesson())).splitlines()
    assert "a = x.sigmoid()" in inplace and "a2 = a.mul_(2)" in inplace


def test_a_failed_no_grad_step_is_commented_out_whole():
    failing = Step(name="bad", op="matmul", operands=("x", "x_row"), no_grad=True)
    row = Leaf(name="x_row", values=TensorData(shape=(1, 2), data=(1.0, 2.0)))
    text = script(Session(Document(leaves=(X, row), steps=(failing,))))
    assert "# with torch.no_grad():\n#     bad = x @ x_row  (not run" in text


@pytest.mark.parametrize("make", [_no_grad_session, lambda: Session(_inplace_lesson())])
def test_exports_run_the_same_under_torch_and_the_engine(make, tmp_path):
    session = make()
    with_torch, with_engine = run_both(tmp_path, script(session), script(session, engine=True))
    assert with_engine == session.console_text()
    if HAS_TORCH:
        assert with_torch == session.console_text()


@pytest.mark.parametrize("make", [_no_grad_session, lambda: Session(_inplace_lesson())])
def test_exported_definitions_import_back_as_the_same_steps(make):
    from playground.session.export import definition_lines

    session = make()
    lines, _ = definition_lines(session)
    imported = import_snippet("import torch\n" + "\n".join(lines))
    # (a step folded into its user comes back under a made-up name)
    def shape(steps):
        return [(s.op, s.no_grad, s.operands[1:]) for s in steps]

    assert shape(imported.steps) == shape(session.document.steps)
    again = Session(imported.model_copy(update={"actions": session.document.actions}))
    assert again.outcomes[-1].error == session.outcomes[-1].error
    expected, got = session.state("x").grad, again.state("x").grad
    assert (got is None and expected is None) or (got == expected).all()


def test_the_importer_reads_inplace_statements_and_no_grad_blocks():
    document = import_snippet(
        "import torch\n"
        "w = torch.ones(2, requires_grad=True)\n"
        "a = w.exp()\n"
        "a.mul_(2)\n"
        "loss = a.sum()\n"
        "with torch.no_grad():\n"
        "    w.sub_(0.1)\n"
        "    s = w * 2\n")
    steps = {step.name: step for step in document.steps}
    assert steps["a_2"].op == "mul_" and steps["a_2"].operands == ("a", 2)
    assert steps["loss"].operands == ("a_2",)  # later lines mean the changed tensor
    assert steps["w_2"].no_grad and steps["w_2"].op == "sub_"
    assert steps["s"].no_grad and steps["s"].operands == ("w_2", 2)
    assert not steps["a"].no_grad


def test_the_notebook_has_the_no_grad_block():
    cells = [cell.source for cell in notebook(_no_grad_session()).cells]
    assert "with torch.no_grad():\n    y = x * 3" in cells


def test_a_leaf_changed_in_place_is_exported_as_it_was_made(tmp_path):
    update = Step(name="x2", op="add_", operands=("x", 0.5), no_grad=True)
    session = Session(Document(leaves=(X,), steps=(update,), actions=(
        Action(kind="forward"),)))
    assert session.state("x", 0).value.tolist() == [1.5, 2.5]  # what the timeline shows
    text = script(session)
    assert "x = torch.tensor([1.0, 2.0], requires_grad=True)" in text
    with_torch, with_engine = run_both(tmp_path, text, script(session, engine=True))
    assert with_engine == session.console_text()
    if HAS_TORCH:
        assert with_torch == session.console_text()
