"""A big Backward is computed off the GUI thread (``BackgroundActions``): the window lands the
outcome the synchronous path gives; actions meanwhile are queued, edits and undo land it
first; engine errors are reported as before; small actions stay synchronous."""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QApplication

from playground.qt.step_dialogs import BackwardSettings
from playground.session import Session, set_requires_grad
from playground.session.pending import PendingAction
from tests.qt.helpers import FIRST_GRAD, SECOND_GRAD, last_console_block, trigger

SECOND_BACKWARD = "Trying to backward through the graph a second time"


def _wait_landed(qtbot, window):
    qtbot.waitUntil(lambda: not window.controls.busy, timeout=5000)


def _grads(session: Session) -> dict:
    return {name: state.grad for name, state in session.current.states.items()}


def test_a_big_backward_runs_off_the_gui_thread_and_lands_the_synchronous_grads(
        window, qtbot, everything_big, threads_used):
    trigger(window, "actionForward")
    _wait_landed(qtbot, window)
    points = len(window.session.outcomes)
    trigger(window, "actionBackward")
    assert window.controls.busy and "computing" in window.status_label.text()
    assert len(window.session.outcomes) == points  # the window shows the state before it
    _wait_landed(qtbot, window)
    assert threads_used and threading.get_ident() not in threads_used
    assert len(window.session.outcomes) == points + 1
    assert window.session.cursor == points
    synchronous = Session(window.session.document)  # the same timeline, replayed in sync
    mine, theirs = _grads(window.session), _grads(synchronous)
    assert mine.keys() == theirs.keys() and mine["inp"] is not None
    for name, grad in theirs.items():
        if grad is None:
            assert mine[name] is None
        else:
            np.testing.assert_array_equal(mine[name], grad)
    assert FIRST_GRAD in last_console_block(window)
    assert window.status_label.text().startswith("Backward from out: inp.grad")


def test_small_actions_stay_synchronous(window, threads_used):
    trigger(window, "actionForward")
    trigger(window, "actionBackward")
    assert not window.controls.busy and threads_used == []
    assert [a.kind for a in window.session.document.actions][-2:] == ["forward", "backward"]
    assert FIRST_GRAD in last_console_block(window)


def test_actions_asked_for_meanwhile_are_queued_and_run_in_order(window, qtbot, everything_big):
    before = len(window.session.document.actions)
    trigger(window, "actionForward")
    trigger(window, "actionBackward")
    assert "queued" in window.status_label.text()
    trigger(window, "actionBackward")
    _wait_landed(qtbot, window)
    kinds = [a.kind for a in window.session.document.actions[before:]]
    assert kinds == ["forward", "backward", "backward"]
    assert SECOND_GRAD in last_console_block(window)
    assert window.undo_stack.command_labels()[-3:] == ["Forward", "Backward from out",
                                                       "Backward from out"]


def test_an_edit_while_it_computes_lands_it_first(window, qtbot, everything_big):
    trigger(window, "actionForward")
    _wait_landed(qtbot, window)
    trigger(window, "actionBackward")
    window.undo_stack.push(set_requires_grad(window.session, "inp", False))
    # The backward landed before the edit, which replayed the timeline after it.
    assert not window.session.busy
    assert window.session.document.actions[-1].kind == "backward"
    assert window.session.document.leaves[0].requires_grad is False
    assert window.undo_stack.command_labels()[-2] == "Backward from out"
    _wait_landed(qtbot, window)  # the worker's late signal changes nothing more
    assert window.session.document.actions[-1].kind == "backward"
    window.undo_stack.undo()  # the edit
    window.undo_stack.undo()  # the backward
    assert window.session.document.actions[-1].kind == "forward"
    assert window.session.current.states["inp"].grad is None


def test_undo_after_it_and_during_it(window, qtbot, everything_big):
    trigger(window, "actionForward")
    _wait_landed(qtbot, window)
    points = len(window.session.outcomes)
    trigger(window, "actionBackward")
    _wait_landed(qtbot, window)
    window.undo_stack.undo()
    assert len(window.session.outcomes) == points
    assert window.session.current.states["inp"].grad is None
    window.undo_stack.redo()
    assert FIRST_GRAD in last_console_block(window)
    window.undo_stack.undo()
    trigger(window, "actionBackward")
    window.undo_stack.undo()  # before it landed: it lands, then is undone
    assert len(window.session.outcomes) == points and not window.session.busy
    _wait_landed(qtbot, window)
    assert len(window.session.outcomes) == points
    assert window.session.current.states["inp"].grad is None


def test_an_engine_error_in_it_is_reported_as_before(window, qtbot, everything_big):
    trigger(window, "actionForward")
    _wait_landed(qtbot, window)
    window.controls.backward_settings = BackwardSettings("out", retain_graph=False)
    for _ in range(2):
        trigger(window, "actionBackward")
        _wait_landed(qtbot, window)
    assert window.session.current.error and SECOND_BACKWARD in window.session.current.error
    assert SECOND_BACKWARD in last_console_block(window)
    assert window.status_label.text().startswith("PyTorch raised")


def test_a_bug_while_computing_reaches_the_excepthook_and_leaves_no_undo_step(
        window, qtbot, everything_big, monkeypatch):
    trigger(window, "actionForward")
    _wait_landed(qtbot, window)
    labels, actions = window.undo_stack.command_labels(), window.session.document.actions

    def broken(self):
        self.exception = KeyError("a bug in the snapshot")
        self.finished.set()

    monkeypatch.setattr(PendingAction, "compute", broken)
    with qtbot.capture_exceptions() as raised:
        trigger(window, "actionBackward")
        _wait_landed(qtbot, window)
    assert [kind for kind, *_ in raised] == [KeyError]
    assert window.undo_stack.command_labels() == labels
    assert window.session.document.actions == actions and not window.session.busy


def test_closing_the_window_while_it_computes_does_not_crash(qtbot, everything_big):
    from playground.qt.app import create_window

    window = create_window()
    window.load_lesson("seed-notebook")
    trigger(window, "actionForward")
    _wait_landed(qtbot, window)
    trigger(window, "actionBackward")
    window.session.mark_saved()
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qtbot.wait(200)  # the worker finishes and signals a window that is gone


def test_do_actions_lands_them_before_a_screenshot(window, everything_big, threads_used):
    from playground.qt.app import do_actions

    before = len(window.session.outcomes)
    do_actions(window, ["forward", "backward", "backward"])
    assert not window.controls.busy and len(threads_used) == 3
    assert len(window.session.outcomes) == before + 3
    assert SECOND_GRAD in last_console_block(window)


def test_time_travel_and_tab_switches_while_it_computes(window, qtbot, everything_big):
    trigger(window, "actionForward")
    _wait_landed(qtbot, window)
    end = len(window.session.outcomes)
    trigger(window, "actionBackward")
    window.session.select(0)  # a timeline row clicked meanwhile
    assert window.session.cursor == 0 and window.controls.busy
    for dock in ("graph", "stepper", "heatmaps"):  # views that replay the engine themselves
        window.docks[dock].raise_()
        qtbot.wait(1)
    _wait_landed(qtbot, window)
    assert window.session.cursor == end  # the new action's outcome is shown, as in sync
    assert FIRST_GRAD in last_console_block(window)


def test_opening_another_session_lands_it_and_drops_the_queued_actions(
        window, qtbot, everything_big):
    trigger(window, "actionForward")
    _wait_landed(qtbot, window)
    trigger(window, "actionBackward")
    trigger(window, "actionBackward")  # queued behind it
    said = []
    window.controls.status.connect(lambda message, _error: said.append(message))
    window.load_lesson("seed-notebook")  # a fresh copy of the lesson: nothing taken yet
    # "Finishing Backward from out first…" comes before it when the worker is not done yet.
    assert said[-1] == "1 queued action dropped: another session was opened"
    assert all(message.startswith("Finishing ") for message in said[:-1])
    fresh = window.session.document
    _wait_landed(qtbot, window)
    assert window.session.document is fresh and window.undo_stack.count() == 0
    assert window.session.current.states["inp"].grad is None


def test_the_window_answers_while_it_computes(window, qtbot, everything_big, monkeypatch):
    trigger(window, "actionForward")
    _wait_landed(qtbot, window)
    release = threading.Event()
    compute = PendingAction.compute

    def slow(self):  # a backward that takes until the test says so
        release.wait(5)
        compute(self)

    monkeypatch.setattr(PendingAction, "compute", slow)
    window.show()
    trigger(window, "actionBackward")
    wanted = window.size() + QSize(40, 30)
    window.resize(wanted)
    window.docks["graph"].raise_()
    graph = window.learning_views["graph"][1]
    qtbot.waitUntil(lambda: graph.built, timeout=2000)  # built when its tab is first raised
    assert window.size() == wanted and window.controls.busy  # answered, still computing
    release.set()
    _wait_landed(qtbot, window)
    assert FIRST_GRAD in last_console_block(window)
