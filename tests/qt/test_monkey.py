"""A small GUI monkey: random user actions on the seed lesson, many of them wrong on purpose.

After every action: no exception escaped, the Tensors panel and timeline agree with the session.
At the end: undoing everything gives back the starting session, and a save/reopen is identical.
"""

import random

import numpy as np
import pytest

from playground.qt.step_dialogs import BackwardSettings, ZeroGradSettings
from playground.session import AddLeaf, Leaf, Seed, TensorData
from tests.qt.test_undo_everything import _panels_agree

ACTIONS = 100  # per seed; a longer run is for the reliability issue's nightly monkey


def _random_seed(rng, window, target):
    kind = rng.choice(["ones", "randn", "literal", "implicit"])
    if kind != "literal":
        return Seed(kind=kind, seed=rng.randrange(100))
    state = window.session.outcomes[-1].states.get(target)
    shape = state.value.shape if state is not None and state.value is not None else (2,)
    if rng.random() < 0.3:
        shape = (rng.randrange(1, 4),)  # often the wrong shape: PyTorch's error, not a crash
    return Seed(kind="literal", values=TensorData.of(np.ones(shape, dtype=np.float32)))


def _step(window, rng, counter):
    session, controls = window.session, window.controls
    names = session.tensor_names(len(session.outcomes) - 1)
    move = rng.randrange(13)
    if move == 0:
        controls.do_forward()
    elif move in (1, 2):
        target = rng.choice(names + ["nope"])
        controls.backward_settings = BackwardSettings(
            target, _random_seed(rng, window, target), rng.random() < 0.5)
        controls.do_backward()
    elif move == 3:
        controls.do_backward_again()
    elif move == 4:
        window.selection.select(rng.choice(names))
        controls.zero_grad_settings = ZeroGradSettings(rng.random() < 0.5, rng.random() < 0.5)
        controls.do_zero_grad()
    elif move == 5:
        window.selection.select(rng.choice(names + [""]))
        controls.do_detach()
    elif move == 6:
        window.selection.select(rng.choice(names))
        controls.do_retain_grad()
    elif move == 7 and window.undo_stack.canUndo():
        window.undo_stack.undo()
    elif move == 8 and window.undo_stack.canRedo():
        window.undo_stack.redo()
    elif move == 9:
        window.session.select(rng.randrange(len(session.outcomes)))
    elif move == 10:
        window.tensors.rename(rng.choice(names), rng.choice(["a", "inp", "x y", "torch", "b9"]))
    elif move == 11:
        window.selection.select(rng.choice(names))
        window.tensors.delete_selected()
    else:
        counter[0] += 1
        leaf = Leaf(name=f"m{counter[0]}", factory=rng.choice(["ones", "rand", "zeros"]),
                    shape=(rng.randrange(0, 4), rng.randrange(1, 4)), requires_grad=True)
        window.undo_stack.push(AddLeaf(session, leaf))


@pytest.mark.parametrize("seed", [1, 2])
def test_random_actions_never_break_the_window(window, make_window, tmp_path, seed):
    rng = random.Random(seed)
    start = window.session.document
    counter = [0]
    for _ in range(ACTIONS):
        _step(window, rng, counter)
        _panels_agree(window)
    path = tmp_path / "monkey.tpg.json"
    window.save_session(path)
    reopened = make_window(lesson=None)
    reopened.open_session(path)
    assert reopened.session.document == window.session.document
    while window.undo_stack.canUndo():
        window.undo_stack.undo()
    assert window.session.document == start
