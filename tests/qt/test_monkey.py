"""The GUI monkey: 5,000 random user actions (10 seeds x 500) through the real widgets, many of
them wrong on purpose (see ``monkey_actions``).

After every action: nothing reached ``sys.excepthook`` or was logged as a swallowed error, and
every panel agrees with the session (``monkey_checks``). Every ``SAVE_EVERY`` actions, and at the
end: a save then load gives the identical document. At the end: the file reopened in a new
window is identical, and undoing everything gives back the starting session.
``MONKEY_ACTIONS`` in the environment changes the actions per seed (a longer nightly run).
"""

import logging
import os
import random
import sys
import time
from collections import defaultdict

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.qt.helpers import trigger
from tests.qt.monkey_actions import random_move
from tests.qt.monkey_checks import (
    Escapes,
    panels_agree,
    same_document,
    save_reopen_identical,
)

SEEDS = list(range(1, 11))
ACTIONS = int(os.environ.get("MONKEY_ACTIONS", "500"))  # per seed: 5,000 in all
SAVE_EVERY = 250


@pytest.fixture
def escapes(monkeypatch):
    handler = Escapes()
    monkeypatch.setattr(sys, "excepthook", handler.excepthook)
    logger = logging.getLogger("playground")
    logger.addHandler(handler)
    # Message boxes would wait for a click: answer them as a hurried learner would.
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **kwargs: None)
    monkeypatch.setattr(QMessageBox, "information", lambda *args, **kwargs: None)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kwargs: QMessageBox.StandardButton.No)
    yield handler
    logger.removeHandler(handler)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_actions_never_break_the_window(window, make_window, tmp_path, escapes, seed):
    rng = random.Random(seed)
    start = window.session.document
    times = defaultdict(list)
    for count in range(1, ACTIONS + 1):
        move = random_move(rng)
        began = time.perf_counter()
        move(window, rng, tmp_path)
        times[move.__name__].append(time.perf_counter() - began)
        assert not escapes.problems, f"action {count} ({move.__name__}): {escapes.problems}"
        panels_agree(window)
        if count % SAVE_EVERY == 0:
            save_reopen_identical(window, tmp_path / "monkey.tpg.json")
    _report(seed, times)

    path = tmp_path / "monkey.tpg.json"
    save_reopen_identical(window, path)
    reopened = make_window(lesson=None)
    reopened.open_session(path)
    assert same_document(reopened.session.document, window.session.document)
    panels_agree(reopened)
    while window.undo_stack.canUndo():
        trigger(window, "actionUndo")
    window.controls.finish()  # an undo of a big edit replays on the worker thread: land it
    assert window.session.document == start
    panels_agree(window)
    assert not escapes.problems


# Every Forward, Backward and edit replayed on the worker thread, as in a 2048² session: the
# window shows the state before an edit until it lands, and a UI path that acts on what is shown
# must read the session after it has landed (panels build their commands inside
# ``UndoStack.push``, which lands it first). Seeds 1-3 failed before (Save, the step dialog, the
# tensor editor's paste, the requires_grad box, moving a step). MONKEY_THREADED_SEEDS=20 looks
# further: seed 4 failed to undo everything (a step dialog offered a tensor an undo replaying
# removed; undoing "Add tensor" of that name later was refused) until AddLeaf's undo was exact.
THREADED_SEEDS = list(range(1, 1 + int(os.environ.get("MONKEY_THREADED_SEEDS", "3"))))


@pytest.mark.parametrize("seed", THREADED_SEEDS)
def test_random_actions_with_every_replay_on_the_worker_thread(
        window, make_window, tmp_path, escapes, seed, monkeypatch):
    import playground.session.pending as pending_module

    monkeypatch.setattr(pending_module, "BACKGROUND_ELEMENTS", 0)
    monkeypatch.setattr(pending_module, "REPLAY_ELEMENTS", 0)
    test_random_actions_never_break_the_window(window, make_window, tmp_path, escapes, seed)


def _report(seed, times):
    """Time per action, for the README's figures and to spot a move that got slow."""
    total = sum(sum(values) for values in times.values())
    count = sum(len(values) for values in times.values())
    slowest = max(times, key=lambda name: max(times[name]))
    print(f"\nmonkey seed {seed}: {count} actions, {1000 * total / count:.1f} ms per action, "
          f"slowest {slowest} {1000 * max(times[slowest]):.0f} ms")
