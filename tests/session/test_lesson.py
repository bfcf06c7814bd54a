"""The shipped lessons: each loads, and its exported script prints the session's console under
torch and under the engine; the seed-notebook lesson shows the seed notebook's numbers."""

import pytest

from playground.session import Session
from playground.session.export import script
from playground.session.lessons import LessonError, lesson_names, load_lesson
from tests.session.scripts import HAS_TORCH, run_both

SEED_GRADS = [
    "First call\ntensor([[4., 2., 2., 2., 2.],\n        [2., 4., 2., 2., 2.],",
    "Second call\ntensor([[8., 4., 4., 4., 4.],\n        [4., 8., 4., 4., 4.],",
    "after zero_grad #1\ninp.grad:\ntensor([[0., 0., 0., 0., 0.],",
    "gradients tensor([0.6667, 1.3333, 2.0000])",
    "z value after detach - separated from the computational graph -  "
    "tensor([1.8000, 0.5000, 0.9000, 0.2000])",
]


def test_seed_notebook_is_shipped():
    assert "seed-notebook" in lesson_names()
    with pytest.raises(LessonError, match="available: .*seed-notebook"):
        load_lesson("nope")


@pytest.mark.parametrize("name", lesson_names())
def test_lesson_script_runs_under_torch_and_engine_and_prints_the_console(name, tmp_path):
    session = Session(load_lesson(name))
    with_torch, with_engine = run_both(tmp_path, script(session), script(session, engine=True))
    assert with_engine == session.console_text()
    if HAS_TORCH:
        assert with_torch == session.console_text()


def test_seed_notebook_prints_the_seed_numbers():
    text = Session(load_lesson("seed-notebook")).console_text()
    positions = [text.index(expected) for expected in SEED_GRADS]
    assert positions == sorted(positions)


def test_seed_notebook_bce_cell_leaves_input_grad_none():
    session = Session(load_lesson("seed-notebook"))
    if session.state("loss", 0).value is None:
        pytest.skip(f"engine: {session.state('loss', 0).error}")
    backward_loss = next(o for o in session.outcomes[1:] if o.action.target == "loss")
    assert backward_loss.error is None
    assert session.state("input").grad is None and session.state("w").grad is not None
