"""The heatmap card and the tensor editor say why .grad is None from one decision: the same
cause in a short phrase and in a sentence."""

import pytest

from playground.qt.state_words import counts_note, describe, none_reason, none_sentence
from playground.session import Session
from playground.session.lessons import load_lesson


@pytest.mark.parametrize("name, phrase, sentence", [
    ("input", "requires_grad=False", "requires_grad is False"),
    ("out", "retain_grad()", "call retain_grad() before backward"),
    ("inp", "run backward", "run backward to compute it"),
])
def test_why_grad_is_none_in_a_phrase_and_a_sentence(name, phrase, sentence):
    session = Session(load_lesson("seed-notebook"))
    state = session.state(name, 0)  # before any backward: every .grad is None
    assert state.grad is None
    assert phrase in none_reason(state) and sentence in none_sentence(state)


def test_a_cards_description_and_counts():
    session = Session(load_lesson("seed-notebook"))
    assert describe(session.state("inp", 0)) == "float32  ·  [4, 5]  ·  leaf  ·  requires_grad"
    assert describe(session.state("out", 0)).endswith("grad_fn=TBackward0  ·  requires_grad")
    assert counts_note((2, 1)) == "2 nan, 1 inf" and counts_note((0, 3)) == "3 inf"
    assert counts_note((0, 0)) == ""
