"""The course: lessons in index.json's order with their titles, and every shipped question
answerable on its lesson at the point it is asked about."""

import numpy as np
import pytest

from playground.session import Session
from playground.session import lessons as lessons_module
from playground.session.lessons import (
    LessonError,
    lesson_names,
    lesson_title,
    load_lesson,
)
from playground.session.persist import SUFFIX
from playground.session.predict import answer, judge, questions

MINIMAL = '{"format": "tensor-playground-session", "version": 1%s}'


@pytest.fixture
def lesson_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(lessons_module, "LESSONS_DIR", tmp_path)
    for name in ("zeta", "alpha", "mid", "beta"):
        title = f', "title": "The {name} lesson"' if name != "beta" else ""
        (tmp_path / f"{name}{SUFFIX}").write_text(MINIMAL % title)
    return tmp_path


def test_listed_lessons_come_in_index_order_then_the_rest_alphabetically(lesson_dir):
    (lesson_dir / "index.json").write_text('["zeta", "missing", "mid", "zeta"]')
    assert lesson_names() == ["zeta", "mid", "alpha", "beta"]


@pytest.mark.parametrize("index", [None, "not json", '{"order": 1}', "[1, 2]"])
def test_a_missing_or_broken_index_lists_every_lesson_alphabetically(lesson_dir, index):
    if index is not None:
        (lesson_dir / "index.json").write_text(index)
    assert lesson_names() == ["alpha", "beta", "mid", "zeta"]


def test_titles_fall_back_to_the_name(lesson_dir):
    (lesson_dir / f"broken{SUFFIX}").write_text("[")
    assert lesson_title("mid") == "The mid lesson"
    assert lesson_title("beta") == "beta"
    assert lesson_title("broken") == "broken"
    with pytest.raises(LessonError):
        lesson_title("../etc")


def test_the_shipped_course_starts_with_the_seed_notebook_and_lists_every_file():
    names = lesson_names()
    assert names[0] == "seed-notebook"
    files = {p.name.removesuffix(SUFFIX) for p in lessons_module.LESSONS_DIR.glob("*" + SUFFIX)}
    assert sorted(names) == sorted(files)
    assert all(lesson_title(name) != name for name in names)  # every shipped lesson has a title


def _revealed(name: str):
    """Each question of lesson ``name`` with the answer its reveal shows."""
    document = load_lesson(name)
    session = Session(document)
    for _, point, question in questions(document):
        yield question, answer(session, question, point)


@pytest.mark.parametrize("name", lesson_names())
def test_every_question_of_a_lesson_has_an_answer_that_judges_itself_right(name):
    for question, revealed in _revealed(name):
        assert question.prompt.strip() and question.reason.strip()
        typed = revealed.value if revealed.kind == "outcome" else revealed.text
        assert judge(str(typed), revealed).correct, (name, question.expression, typed)


def _learner_answers(revealed) -> tuple[list[str], list[str]]:
    """What a learner might type for a shipped answer: ways to say it, and near misses."""
    if revealed.kind == "outcome":
        if revealed.value == "ok":
            return ["ok", "it works", "no error"], ["error", "RuntimeError"]
        name = revealed.value
        return [name, name.lower(), "error", f"it raises a {name}"], ["ok", "no error"]
    if revealed.kind == "bool":
        return [str(revealed.value), str(revealed.value).lower()], [str(not revealed.value)]
    if revealed.kind == "none":
        return ["None", "none"], ["0", "[]"]
    if revealed.kind == "shape":
        sizes = list(revealed.value)
        wrong = "()" if sizes else "(1,)"
        return [str(tuple(sizes)), str(sizes), f"torch.Size({sizes})"], [wrong]
    value = np.asarray(revealed.value, dtype=np.float64)
    if value.ndim == 0:
        number = float(value)
        ways = [f"{number:g}", f"{number:.4f}", f"tensor({number:.4f})"]
        return ways, [f"{number + 1:g}", f"{-number - 1:g}"]
    listed = value.tolist()
    return [str(listed), f"tensor({listed})"], [str((value + 1).tolist())]


@pytest.mark.parametrize("name", lesson_names())
def test_every_shipped_question_accepts_what_a_learner_would_type_and_refuses_near_misses(name):
    for question, revealed in _revealed(name):
        right, wrong = _learner_answers(revealed)
        for typed in right:
            assert judge(typed, revealed).correct, (name, question.expression, typed)
        for typed in wrong:
            assert not judge(typed, revealed).correct, (name, question.expression, typed)
