"""Predict-then-reveal: the expression grammar, answers on a real session (checked against torch)
and judging typed answers."""

import numpy as np
import pytest

from playground.session import Action, Document, PrintItem, Session
from playground.session.document import Question
from playground.session.persist import dumps, loads
from playground.session.predict import (
    Answer,
    PredictError,
    answer,
    judge,
    parse,
    questions,
)
from tests.session.builders import backward, jvp_document

ACCEPTED = [
    ("inp", "inp", ()),
    ("inp.grad", "inp", (("attr", "grad"),)),
    ("inp.grad[0, 0]", "inp", (("attr", "grad"), ("index", (0, 0)))),
    ("out[:, 0]", "out", (("index", (slice(None), 0)),)),
    ("out[1]", "out", (("index", (1,)),)),
    ("out[-1, 1:3]", "out", (("index", (-1, slice(1, 3))),)),
    ("out.sum().item()", "out", (("call", "sum"), ("call", "item"))),
    ("out.grad_fn", "out", (("attr", "grad_fn"),)),
    ("out.shape[0]", "out", (("attr", "shape"), ("index", (0,)))),
    ("  outcome ", "outcome", ()),
]

REJECTED = [
    ("__import__('os')", "__import__"),
    ("inp.__class__", "__class__"),
    ("inp.numpy()", "numpy"),
    ("inp.sum(0)", "no arguments"),
    ("inp.item(x=1)", "no arguments"),
    ("inp[x]", "'x'"),
    ("inp[0.5]", "0.5"),
    ("inp[True]", "True"),
    ("inp + 1", "inp + 1"),
    ("print(inp)", "print"),
    ("(lambda: 1)()", "lambda"),
    ("[inp][0]", "[inp]"),
    ("__builtins__", "__builtins__"),
    ("inp.grad.", "not a valid expression"),
    ("", "empty"),
    ("x" * 300, "longer"),
]


@pytest.mark.parametrize(("text", "root", "chain"), ACCEPTED)
def test_the_grammar_accepts(text, root, chain):
    parsed = parse(text)
    assert (parsed.root, parsed.chain) == (root, chain)


@pytest.mark.parametrize(("text", "named"), REJECTED)
def test_the_grammar_rejects_naming_the_offending_part(text, named):
    with pytest.raises(PredictError, match=None) as raised:
        parse(text)
    assert named in str(raised.value)


def test_a_question_outside_the_grammar_does_not_load():
    with pytest.raises(ValueError, match="__class__"):
        Question(prompt="?", expression="inp.__class__", reason="")


def test_old_files_load_and_questions_round_trip():
    plain = jvp_document([backward()])
    assert loads(dumps(plain)) == plain
    assert "question" not in dumps(plain)
    asked = jvp_document([backward().model_copy(update={"question": QUESTION})])
    assert loads(dumps(asked)) == asked
    assert questions(asked) == [(0, 1, QUESTION)]


QUESTION = Question(prompt="What is inp.grad[0, 0]?", expression="inp.grad[0, 0]",
                    reason="2 * (1 + 1) from the diagonal")

# Each expression, and the same thing written in torch, after two backward calls.
AFTER_TWO_BACKWARDS = [
    ("inp.grad[0, 0]", lambda ns: ns["inp"].grad[0, 0]),
    ("inp.grad", lambda ns: ns["inp"].grad),
    ("inp.grad[:, 1]", lambda ns: ns["inp"].grad[:, 1]),
    ("inp.grad[1]", lambda ns: ns["inp"].grad[1]),
    ("inp.grad.sum()", lambda ns: ns["inp"].grad.sum()),
    ("inp.grad.sum().item()", lambda ns: ns["inp"].grad.sum().item()),
    ("inp.grad[0, 1].item()", lambda ns: ns["inp"].grad[0, 1].item()),
    ("out.shape", lambda ns: ns["out"].shape),
    ("out.shape[1]", lambda ns: ns["out"].shape[1]),
    ("out.grad_fn", lambda ns: ns["out"].grad_fn),
    ("out[0].grad_fn", lambda ns: ns["out"][0].grad_fn),
    ("out.sum().grad_fn", lambda ns: ns["out"].sum().grad_fn),
    ("inp.grad_fn", lambda ns: ns["inp"].grad_fn),
    ("out.is_leaf", lambda ns: ns["out"].is_leaf),
    ("inp.is_leaf", lambda ns: ns["inp"].is_leaf),
    ("out[0, 0].is_leaf", lambda ns: ns["out"][0, 0].is_leaf),
    ("out.requires_grad", lambda ns: ns["out"].requires_grad),
    ("out.grad", lambda ns: ns["out"].grad),
    ("out.dtype", lambda ns: ns["out"].dtype),
    ("out[:, 0]", lambda ns: ns["out"][:, 0]),
    ("out[1, 1]", lambda ns: ns["out"][1, 1]),
]


def _torch_namespace(torch):
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    for _ in range(2):
        out.backward(torch.ones_like(out), retain_graph=True)
    return {"inp": inp, "out": out}


@pytest.mark.parametrize(("expression", "in_torch"), AFTER_TWO_BACKWARDS)
def test_answers_match_torch(expression, in_torch, recwarn):
    torch = pytest.importorskip("torch")
    session = Session(jvp_document([backward(), backward()]))
    got = answer(session, expression)  # the cursor: after the second backward
    expected = in_torch(_torch_namespace(torch))
    if isinstance(expected, torch.Tensor):
        assert got.kind == "tensor"
        np.testing.assert_array_equal(got.value, expected.detach().numpy())
        assert got.text == str(expected)
    elif expected is not None and type(expected).__name__.endswith("Backward0"):
        assert (got.kind, got.value, got.text) == ("grad_fn", expected.name(), expected.name())
    else:
        assert got.value == (tuple(expected) if isinstance(expected, torch.Size) else
                             expected if not isinstance(expected, torch.dtype) else str(expected))
        assert got.text == str(expected)


def test_answers_depend_on_the_timeline_point():
    session = Session(jvp_document([backward(), backward()]))
    assert answer(session, "inp.grad", 0).value is None
    assert answer(session, QUESTION, 1).value == 4
    assert answer(session, QUESTION, 2).value == 8


def test_outcome_is_ok_or_the_error_class():
    session = Session(jvp_document([backward(retain_graph=False), backward()]))
    assert answer(session, "outcome", 1).value == "ok"
    failed = answer(session, "outcome", 2)
    assert failed.value == "RuntimeError"
    assert failed.text.startswith("RuntimeError: Trying to backward through the graph a second")


@pytest.mark.parametrize(("expression", "message"), [
    ("nope", "no tensor named 'nope'"),
    ("out.grad.shape", "None"),
    ("inp.grad[9, 0]", "out of bounds"),
    ("out.shape.grad", "no .grad"),
])
def test_bad_questions_on_a_session_are_clear_errors(expression, message):
    session = Session(jvp_document([backward()]))
    with pytest.raises(PredictError, match=message):
        answer(session, expression)


def test_an_answer_never_changes_the_session():
    session = Session(jvp_document([backward()]))
    before = session.state("inp").grad.copy()
    answer(session, "inp.grad.sum()")
    np.testing.assert_array_equal(session.state("inp").grad, before)


def _tensor(values) -> Answer:
    return Answer(np.array(values, dtype=np.float32), "tensor(...)", "tensor", "t")


@pytest.mark.parametrize(("typed", "answer_", "correct"), [
    ("8", _tensor(8.0), True),
    ("8.0", _tensor(8.0), True),
    ("tensor(8.)", _tensor(8.0), True),
    ("8.0005", _tensor(8.0), True),  # within rel 1e-4
    ("8.01", _tensor(8.0), False),
    ("-0.5", _tensor(-0.5), True),
    ("1e-3", _tensor(0.001), True),
    ("0.0000005", _tensor(0.0), True),  # within abs 1e-6
    ("[[1, 2], [3, 4]]", _tensor([[1, 2], [3, 4]]), True),
    ("tensor([[1., 2.],\n        [3., 4.]])", _tensor([[1, 2], [3, 4]]), True),
    ("[1, 2, 3, 4]", _tensor([[1, 2], [3, 4]]), False),  # right numbers, wrong shape
    ("[[1, 2], [3]]", _tensor([[1, 2], [3, 4]]), False),  # ragged
    ("None", _tensor(8.0), False),
    ("8", Answer(8.0, "8.0", "number", "x"), True),
    ("tensor(8)", Answer(8.0, "8.0", "number", "x"), True),
    ("True", Answer(8.0, "8.0", "number", "x"), False),
    ("None", Answer(None, "None", "none", "x"), True),
    ("none", Answer(None, "None", "none", "x"), True),
    ("0", Answer(None, "None", "none", "x"), False),
    ("True", Answer(True, "True", "bool", "x"), True),
    ("false", Answer(False, "False", "bool", "x"), True),
    ("1", Answer(True, "True", "bool", "x"), False),
    ("(5, 4)", Answer((5, 4), "torch.Size([5, 4])", "shape", "x"), True),
    ("[5, 4]", Answer((5, 4), "torch.Size([5, 4])", "shape", "x"), True),
    ("5x4", Answer((5, 4), "torch.Size([5, 4])", "shape", "x"), True),
    ("5 × 4", Answer((5, 4), "torch.Size([5, 4])", "shape", "x"), True),
    ("torch.Size([5, 4])", Answer((5, 4), "torch.Size([5, 4])", "shape", "x"), True),
    ("(4, 5)", Answer((5, 4), "torch.Size([5, 4])", "shape", "x"), False),
    ("()", Answer((), "torch.Size([])", "shape", "x"), True),
    ("5", Answer((5,), "torch.Size([5])", "shape", "x"), True),
    ("ok", Answer("ok", "ok", "outcome", "outcome"), True),
    ("error", Answer("ok", "ok", "outcome", "outcome"), False),
    ("error", Answer("RuntimeError", "RuntimeError: x", "outcome", "outcome"), True),
    ("runtimeerror", Answer("RuntimeError", "RuntimeError: x", "outcome", "outcome"), True),
    ("ValueError", Answer("RuntimeError", "RuntimeError: x", "outcome", "outcome"), False),
    ("OK", Answer("RuntimeError", "RuntimeError: x", "outcome", "outcome"), False),
    ("runtime error", Answer("RuntimeError", "RuntimeError: x", "outcome", "outcome"), True),
    ("it raises a RuntimeError", Answer("RuntimeError", "RuntimeError: x", "outcome", "outcome"),
     True),
    ("raises an error", Answer("RuntimeError", "RuntimeError: x", "outcome", "outcome"), True),
    ("it raises a TypeError", Answer("RuntimeError", "RuntimeError: x", "outcome", "outcome"),
     False),
    ("RuntimeError or ValueError", Answer("RuntimeError", "RuntimeError: x", "outcome",
                                          "outcome"), False),
    ("no error", Answer("RuntimeError", "RuntimeError: x", "outcome", "outcome"), False),
    ("no error", Answer("ok", "ok", "outcome", "outcome"), True),
    ("it raises an error", Answer("ok", "ok", "outcome", "outcome"), False),
    ("2/3", _tensor(2 / 3), True),
    ("0.67", _tensor(2 / 3), True),  # rounded to 2 significant digits
    ("0.7", _tensor(2 / 3), False),
    ("4 * 3", _tensor(12.0), True),
    ("12", _tensor(12.4), False),  # a whole number is exact, not a rounding
    ("12.0", _tensor(12.4), False),
    ("[0.33, 1.0]", _tensor([1 / 3, 1.0]), True),
    ("[1/3, 2]", _tensor([1 / 3, 1.0]), False),
    ("[1 2 0]", _tensor([1, 2, 0]), True),  # as numpy prints a list
    ("[-1 -2]", _tensor([-1, -2]), True),  # numpy's [-1, -2], not the arithmetic [-3]
    ("[[ 2.  4.]\n [ 8. 10.]]", _tensor([[2, 4], [8, 10]]), True),
    ("[1 - 2]", _tensor([-1]), True),  # spaced both sides: arithmetic
    ("it works", Answer("ok", "ok", "outcome", "outcome"), True),
    ("works without an error", Answer("ok", "ok", "outcome", "outcome"), True),
    ("it works", Answer("RuntimeError", "RuntimeError: x", "outcome", "outcome"), False),
    ("-0.5", Answer(-0.5, "-0.5", "number", "x"), True),
    ("3.0", Answer(3.0, "3.0", "number", "x"), True),
    ("3.04", Answer(3.0, "3.0", "number", "x"), False),
    ("TBackward0", Answer("TBackward0", "TBackward0", "grad_fn", "x"), True),
    ("<TBackward0 object at 0x7f>", Answer("TBackward0", "TBackward0", "grad_fn", "x"), True),
    ("tbackward", Answer("TBackward0", "TBackward0", "grad_fn", "x"), True),
    ("PowBackward0", Answer("TBackward0", "TBackward0", "grad_fn", "x"), False),
    ("float32", Answer("torch.float32", "torch.float32", "dtype", "x"), True),
    ("torch.float", Answer("torch.float32", "torch.float32", "dtype", "x"), True),
    ("float64", Answer("torch.float32", "torch.float32", "dtype", "x"), False),
])
def test_judge(typed, answer_, correct):
    verdict = judge(typed, answer_)
    assert verdict.correct is correct
    assert answer_.text in verdict.message


@pytest.mark.parametrize("typed", ["", "   ", "eight", "__import__('os')", "[1, 2", "x" * 20000,
                                   "[" * 5000 + "]" * 5000, "1 +", "tensor(8.) tensor(9.)",
                                   "1/0", "[1, 2] * 2", "2 ** 3", "1e300 * 1e300",
                                   "+".join(["1"] * 5000)])
def test_unreadable_answers_are_a_clear_error_not_a_crash(typed):
    with pytest.raises(PredictError):
        judge(typed, _tensor(8.0))


def test_the_seed_notebook_question_is_answered_on_its_action():
    doc = Document(leaves=jvp_document().leaves, steps=jvp_document().steps, actions=(
        backward(), backward().model_copy(update={"question": QUESTION}),
        Action(kind="print", items=()),
    ))
    session = Session(doc)
    (_, point, question), = questions(doc)
    assert judge("8", answer(session, question, point)).correct
    assert not judge("4", answer(session, question, point)).correct


@pytest.mark.parametrize(("typed", "correct"), [
    ("-0.1060", True),  # as PyTorch prints -0.10595271
    ("tensor(-0.1060)", True),
    ("-0.10595", True),
    ("-0.1059", False),  # 4 decimals, but not the rounding of the value
    ("-0.106", True),  # rounded to 3 decimals (rel 1e-4 alone would refuse it)
    ("-0.11", True),  # rounded to 2 significant digits
    ("-0.1", False),  # one significant digit is too coarse to count as the answer
    ("-0.12", False),
    ("-2/19", False),  # arithmetic is exact, not a rounding: -0.10526 is another number
])
def test_numbers_typed_as_pytorch_printed_them(typed, correct):
    printed = Answer(np.array(-0.10595271, dtype=np.float32), "tensor(-0.1060)", "tensor", "g")
    assert judge(typed, printed).correct is correct


def test_a_printed_tensor_typed_back_is_right():
    values = np.array([[0.12344, -0.5], [2.0, 0.33333]], dtype=np.float32)
    typed = "tensor([[ 0.1234, -0.5000],\n        [ 2.0000,  0.3333]])"
    assert judge(typed, Answer(values, typed, "tensor", "t")).correct
    # Each number is judged by how it was typed: rounded decimals, and exact -0.5 and 2.
    assert judge("[[0.1234, -0.5], [2, 0.3333]]", Answer(values, typed, "tensor", "t")).correct
    assert not judge("[[0.1234, -0.5], [2, 0.3]]", Answer(values, typed, "tensor", "t")).correct


def _asked_session() -> Session:
    bad = Question(prompt="And the grad of nothing?", expression="nope.grad", reason="No such.")
    return Session(jvp_document([
        backward(), backward().model_copy(update={"question": QUESTION}),
        Action(kind="print", items=(PrintItem(kind="grad", text="inp"),), question=bad),
    ]))


def test_the_script_carries_each_question_as_comments_and_still_runs(tmp_path):
    from playground.session.export import script
    from tests.session.scripts import HAS_TORCH, run_both

    session = _asked_session()
    text = script(session)
    prompt, reveal = "# Predict: What is inp.grad[0, 0]?", "# Answer: inp.grad[0, 0] is tensor(8.)"
    assert text.index(prompt) < text.rindex("out.backward(") < text.rindex(reveal)
    assert "# 2 * (1 + 1) from the diagonal" in text
    assert "# Answer: nope.grad cannot be computed here (there is no tensor named 'nope'" in text
    with_torch, with_engine = run_both(tmp_path, text, script(session, engine=True))
    assert with_engine == session.console_text()
    if HAS_TORCH:
        assert with_torch == session.console_text()


def test_the_notebook_asks_before_the_cell_and_folds_the_answer_after_it():
    from playground.session.notebook import notebook

    sources = [cell.source for cell in notebook(_asked_session()).cells]
    asked = sources.index("**Predict:** What is inp.grad[0, 0]?")
    assert "out.backward(" in sources[asked + 1]
    revealed = sources[asked + 2]
    assert revealed.startswith("<details><summary>Answer</summary>")
    assert "inp.grad[0, 0] is tensor(8.)" in revealed and "from the diagonal" in revealed


def test_a_tensor_copied_with_its_grad_fn_is_read():
    printed = "tensor(3., grad_fn=<SelectBackward0>)"
    assert judge(printed, Answer(np.array(3.0, dtype=np.float32), printed, "tensor", "y")).correct
    with pytest.raises(PredictError):
        judge("tensor(3., grad_fn=<lambda: 1>)", _tensor(3.0))


def test_renaming_a_tensor_renames_it_in_questions():
    session = _asked_session()
    session.rename("inp", "x")
    question = session.document.actions[1].question
    assert question.expression == "x.grad[0, 0]"
    assert judge("8", answer(session, question, 2)).correct
    assert session.document.actions[2].question.expression == "nope.grad"
