"""Every shipped lesson: it loads, its actions fail only where the lesson says they do, its
questions have answers, and under real torch the exported script reaches the same state, so
each answer (and every value and .grad at that point) is what PyTorch gives."""

from __future__ import annotations

import contextlib
import io
import re
import warnings

import numpy as np
import pytest

from playground.session import Session, predict
from playground.session.export import action_body, definition_lines
from playground.session.lessons import lesson_names, load_lesson
from tests.session.scripts import needs_torch

LESSONS = lesson_names()
QUOTED = re.compile(r"'([^']{10,})'")  # a message quoted in a note: 'grad can be implicitly ...'


def _session(name: str) -> Session:
    return Session(load_lesson(name))


def _questions(name: str):
    document = load_lesson(name)
    return [(name, index) for index, _, _ in predict.questions(document)]


QUESTIONS = [case for name in LESSONS for case in _questions(name)]


def _names_the_error(note: str, error: str) -> bool:
    """A note that means its action (or step) to fail names the error's class or quotes it."""
    kind = error.split(":", 1)[0]
    return kind in note or any(quote in error for quote in QUOTED.findall(note))


def _expects_error(action, error: str) -> bool:
    question = action.question
    if question is not None and question.expression == "outcome":
        return True  # the outcome question's answer is then checked against the error itself
    return _names_the_error(action.note, error)


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_has_a_title_and_an_introduction(name):
    document = load_lesson(name)
    assert document.title and document.note
    assert document.actions, "a lesson is a sequence of actions"


@pytest.mark.parametrize("name", [n for n in LESSONS if n != "seed-notebook"])
def test_course_lesson_is_short_and_asks_at_least_one_question(name):
    # seed-notebook replays every cell of the notebook, so it is allowed to be longer.
    document = load_lesson(name)
    assert 5 <= len(document.actions) <= 12
    assert predict.questions(document)
    assert all(action.note for action in document.actions)


@pytest.mark.parametrize("name", LESSONS)
def test_actions_and_steps_fail_only_where_the_lesson_says_so(name):
    session = _session(name)
    start = session.outcomes[0]
    for step in session.document.steps:
        state = start.states[step.name]
        if state.error is not None:
            assert _names_the_error(step.note, state.error), f"{step.name}: {state.error}"
        else:
            assert state.value is not None, f"{step.name} has no value: {state.blocked_by}"
    for outcome in session.outcomes[1:]:
        action = outcome.action
        if outcome.error is None:
            question = action.question
            assert question is None or question.expression != "outcome" or predict.answer(
                session, question, outcome.index).value == "ok"
        else:
            assert _expects_error(action, outcome.error), (
                f"action {outcome.index - 1} ({action.kind}) failed unexpectedly: "
                f"{outcome.error}")


@pytest.mark.parametrize(("name", "index"), QUESTIONS)
def test_question_has_an_answer_after_its_action(name, index):
    session = _session(name)
    question = session.document.actions[index].question
    predict.parse(question.expression)
    assert question.prompt.strip() and question.reason.strip()
    answer = predict.answer(session, question, index + 1)
    if question.expression == "outcome":
        assert answer.value == (session.outcomes[index + 1].error or "ok").split(":", 1)[0]
    # The reveal text is what the learner sees; it must read back as an answer to the question.
    assert answer.text


def _states_the_answer(note: str, revealed: predict.Answer) -> bool:
    """Whether ``note`` gives ``revealed`` away: the lesson panel shows the note of the step
    it is about to take while it asks that step's question."""
    if revealed.kind == "outcome":
        return revealed.value != "ok" and (revealed.value in note or any(
            quote in revealed.text for quote in QUOTED.findall(note)))
    value = np.asarray(revealed.value) if revealed.kind in ("number", "tensor") else None
    if value is not None and value.ndim == 0:
        number = re.escape(f"{float(value):g}")
        return re.search(rf"(=|\bis)\s*{number}(?!\w|\.\d)", note) is not None
    if value is not None and value.ndim == 1:
        return "[" + ", ".join(f"{float(v):g}" for v in value) + "]" in note
    return f"{revealed.expression} is {revealed.text}" in note


@pytest.mark.parametrize(("name", "index"), QUESTIONS)
def test_question_note_does_not_give_the_answer_away(name, index):
    session = _session(name)
    action = session.document.actions[index]
    revealed = predict.answer(session, action.question, index + 1)
    assert not _states_the_answer(action.note or "", revealed), (action.note, revealed.text)
    assert not _states_the_answer(action.question.prompt, revealed), action.question.prompt


def test_the_give_away_check_catches_a_note_that_states_the_answer():
    two = predict.Answer(np.array(2.0, dtype=np.float32), "tensor(2.)", "tensor", "b.grad[0]")
    assert _states_the_answer("each use adds 1: b.grad[0] = 2.", two)
    assert not _states_the_answer("b was used in 2 places; d loss / dz = 1 everywhere.", two)
    row = predict.Answer(np.array([1.0, 2.0, 0.0]), "tensor([1., 2., 0.])", "tensor", "x.grad")
    assert _states_the_answer("it keeps row 0 of J: x.grad = [1, 2, 0]", row)
    error = predict.Answer("RuntimeError", "RuntimeError: Mismatch in shape: grad_output[0]",
                           "outcome", "outcome")
    assert _states_the_answer("It fails: 'Mismatch in shape: grad_output'", error)
    assert _states_the_answer("a RuntimeError, as the seed is too short", error)
    assert not _states_the_answer("sq.backward(v) with a seed of shape (3,)", error)


# -- the same lesson under real torch --
def _run_under_torch(session: Session, index: int) -> tuple[dict, list[str]]:
    """Run the lesson's exported torch code (definitions, then each action's lines) through
    action ``index``; return the variables and each action's outcome ("ok" or error class)."""
    definitions, _ = definition_lines(session)
    namespace: dict = {"__name__": "lesson_under_torch"}
    taken = set(session.tensor_names(len(session.outcomes) - 1))
    outcomes = []
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # non-leaf .grad reads warn, as the lessons explain
        exec(compile("import torch\n" + "\n".join(definitions), "<lesson>", "exec"), namespace)
        for outcome in session.outcomes[1:index + 2]:
            body = "\n".join(action_body(session, outcome, taken))
            try:
                exec(compile(body, "<lesson action>", "exec"), namespace)
                outcomes.append("ok")
            except Exception as error:  # the lesson's own code; its class is the outcome
                outcomes.append(type(error).__name__)
    return namespace, outcomes


def _evaluate(expression: predict.Expression, namespace: dict):
    value = namespace[expression.root]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for what, part in expression.chain:
            if what == "attr":
                value = getattr(value, part)
            elif what == "call":
                value = getattr(value, part)()
            else:
                value = value[part if len(part) > 1 else part[0]]
    return value


def _assert_same(torch_value, answer: predict.Answer):
    import torch

    if answer.kind == "tensor":
        assert isinstance(torch_value, torch.Tensor)
        array = torch_value.detach().numpy()
        assert array.shape == answer.value.shape
        assert np.allclose(array, answer.value, rtol=1e-5, atol=1e-6)
    elif answer.kind == "grad_fn":
        assert type(torch_value).__name__ == answer.value
    elif answer.kind == "shape":
        assert tuple(torch_value) == answer.value
    elif answer.kind == "dtype":
        assert str(torch_value) == answer.value
    elif answer.kind == "number":
        assert np.isclose(torch_value, answer.value, rtol=1e-5, atol=1e-6)
    else:
        assert torch_value is answer.value or torch_value == answer.value


def _assert_state_matches(session: Session, point: int, namespace: dict):
    """Every tensor the script has as a variable holds the session's value and .grad."""
    for name, state in session.outcomes[point].states.items():
        tensor = namespace.get(name)
        if state.value is None or tensor is None:
            continue  # a failed step, or a step folded into its user's expression
        assert np.allclose(tensor.detach().numpy(), state.value, equal_nan=True), name
        if state.is_leaf or state.retains_grad:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                grad = tensor.grad
            if state.grad is None:
                assert grad is None, f"{name}.grad"
            else:
                assert np.allclose(grad.numpy(), state.grad), f"{name}.grad"


@needs_torch
@pytest.mark.parametrize(("name", "index"), QUESTIONS)
def test_question_answer_is_what_torch_gives(name, index):
    session = _session(name)
    question = session.document.actions[index].question
    answer = predict.answer(session, question, index + 1)
    namespace, outcomes = _run_under_torch(session, index)
    expected = [(o.error or "ok").split(":", 1)[0] for o in session.outcomes[1:index + 2]]
    assert outcomes == expected  # every action so far fails under torch where it failed here
    expression = predict.parse(question.expression)
    if expression.is_outcome:
        assert outcomes[-1] == answer.value
    else:
        _assert_same(_evaluate(expression, namespace), answer)
    _assert_state_matches(session, index + 1, namespace)


@needs_torch
@pytest.mark.parametrize("name", LESSONS)
def test_whole_lesson_under_torch_fails_where_it_failed_here_and_ends_in_the_same_state(name):
    session = _session(name)
    last = len(session.outcomes) - 2
    namespace, outcomes = _run_under_torch(session, last)
    assert outcomes == [(o.error or "ok").split(":", 1)[0] for o in session.outcomes[1:]]
    _assert_state_matches(session, last + 1, namespace)

