"""The one-line form of a backward (Timeline, lesson steps) names its seed when it has one."""

from playground.qt.action_text import action_line
from playground.session.lessons import load_lesson


def test_a_backward_with_a_literal_or_random_seed_reads_as_backward_of_v():
    lines = [action_line(action) for action in load_lesson("seeds").actions
             if action.kind == "backward"]
    assert lines == ["y.backward(torch.ones_like(y), retain_graph=True)",
                     "y.backward(v, retain_graph=True)", "y.backward(v, retain_graph=True)",
                     "y.backward(v)"]


def test_an_implicit_seed_still_reads_as_a_bare_backward():
    first = next(a for a in load_lesson("scalar-loss").actions if a.kind == "backward")
    assert action_line(first) == "loss.backward(retain_graph=True)"
