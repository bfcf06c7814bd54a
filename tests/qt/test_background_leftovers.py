"""While a big action computes on the worker thread: Save, exports and autosave write it; Redo
and a Backward after an undo at the end run there too; an edit that must wait says so; closing
and quitting lose nothing and do not crash."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from playground.qt import autosave, crash_guard
from playground.qt.step_dialogs import BackwardSettings
from playground.session import Session, persist, set_requires_grad
from playground.session.pending import PendingAction
from tests.qt.helpers import FIRST_GRAD, SECOND_GRAD, last_console_block, trigger


def _wait_landed(qtbot, window):
    qtbot.waitUntil(lambda: not window.controls.busy, timeout=5000)


def _forward_landed(window, qtbot):
    trigger(window, "actionForward")
    _wait_landed(qtbot, window)


def test_save_while_it_computes_writes_it(window, qtbot, everything_big, tmp_path):
    _forward_landed(window, qtbot)
    trigger(window, "actionBackward")
    trigger(window, "actionBackward")  # queued behind it
    assert window.controls.busy
    path = tmp_path / "mine.tpg.json"
    assert window.file_actions._save_to(path)
    kinds = [a.kind for a in persist.load(path).actions]
    assert kinds[-3:] == ["forward", "backward", "backward"]
    assert not window.controls.busy and not window.session.is_modified
    assert SECOND_GRAD in last_console_block(window)


def test_an_export_while_it_computes_shows_its_output(window, qtbot, everything_big, tmp_path):
    _forward_landed(window, qtbot)
    trigger(window, "actionBackward")
    path = tmp_path / "mine.py"
    window.file_actions._export(lambda: window.export_script(path), str(path))
    assert "out.backward(" in path.read_text()
    assert path.read_text().count("after backward") == 1


def test_autosave_while_it_computes_writes_it(window, qtbot, everything_big, tmp_path,
                                              monkeypatch):
    recovery = tmp_path / "recovery.tpg.json"
    monkeypatch.setattr(crash_guard, "recovery_path", lambda: recovery)
    _forward_landed(window, qtbot)
    trigger(window, "actionBackward")
    assert window.controls.busy
    saver = autosave.Autosave(window)
    saver.save_now()  # the 30 s timer firing now: it does not wait
    saver.finish()  # for the write, on its own thread
    assert window.controls.busy
    assert [a.kind for a in persist.load(recovery).actions][-1] == "backward"
    _wait_landed(qtbot, window)
    assert persist.load(recovery) == window.session.document


def _same_grads(session: Session, document) -> None:
    synchronous = Session(document)
    for name, state in synchronous.current.states.items():
        mine = session.current.states[name].grad
        assert (mine is None) == (state.grad is None), name
        if state.grad is not None:
            np.testing.assert_array_equal(mine, state.grad)


def test_redo_and_a_backward_after_an_undo_at_the_end_run_on_the_worker(
        window, qtbot, everything_big, threads_used):
    _forward_landed(window, qtbot)
    for _ in range(2):
        trigger(window, "actionBackward")
        _wait_landed(qtbot, window)
    stack, computed = window.undo_stack, len(threads_used)
    stack.undo()
    stack.redo()  # the backward just undone: its outcome was kept, nothing to compute
    assert len(threads_used) == computed and not window.controls.busy
    assert SECOND_GRAD in last_console_block(window)
    stack.undo()
    stack.undo()  # two undone: the engine state cannot go on from either
    stack.redo()
    assert window.controls.busy and "computing" in window.status_label.text()
    _wait_landed(qtbot, window)
    assert threads_used[-1] != threading.get_ident() and len(threads_used) == computed + 1
    assert FIRST_GRAD in last_console_block(window)
    _same_grads(window.session, window.session.document)
    stack.redo()  # live again: the next one goes on from it, on the worker too
    _wait_landed(qtbot, window)
    assert len(threads_used) == computed + 2 and SECOND_GRAD in last_console_block(window)
    stack.undo()
    window.controls.backward_settings = BackwardSettings("out", retain_graph=False)
    trigger(window, "actionBackward")  # a new action after the undo: replayed on the worker
    assert window.controls.busy
    _wait_landed(qtbot, window)
    assert len(threads_used) == computed + 3
    assert [a.kind for a in window.session.document.actions][-3:] == \
        ["forward", "backward", "backward"]
    _same_grads(window.session, window.session.document)


def test_an_edit_that_waits_for_it_says_so(window, qtbot, everything_big, monkeypatch):
    _forward_landed(window, qtbot)
    compute = PendingAction.compute

    def slow(self):
        threading.Event().wait(0.05)
        compute(self)

    monkeypatch.setattr(PendingAction, "compute", slow)
    said = []
    window.controls.status.connect(lambda message, _error: said.append(message))
    trigger(window, "actionBackward")
    window.undo_stack.push(set_requires_grad(window.session, "inp", False))
    assert "Finishing Backward from out first…" in said
    assert window.session.document.actions[-1].kind == "backward"


def test_closing_while_it_computes_asks_and_loses_nothing(window, qtbot, everything_big,
                                                          tmp_path, monkeypatch):
    recovery = tmp_path / "recovery.tpg.json"
    monkeypatch.setattr(crash_guard, "recovery_path", lambda: recovery)
    _forward_landed(window, qtbot)
    window.session.mark_saved()
    trigger(window, "actionBackward")
    assert window.session.is_modified  # the close prompt asks: the backward is unsaved work
    crash_guard.save_recovery(window)  # what a crash meanwhile would keep
    assert persist.load(recovery).actions[-1].kind == "backward"
    window.close()
    qtbot.wait(100)  # the worker finishes for a window that is closed: nothing happens


QUIT_WHILE_COMPUTING = """
import sys
import playground.session.pending as pending
pending.BACKGROUND_ELEMENTS = 0
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from playground.qt.app import create_window
app = QApplication([])
window = create_window()
window.load_lesson("seed-notebook")
window.controls.forward.trigger()
window.controls.finish()
window.controls.backward.trigger()
assert window.controls.busy
window.session.mark_saved = lambda: None
QTimer.singleShot(0, app.quit)
sys.exit(app.exec())
"""


def test_quitting_while_it_computes_exits_cleanly(tmp_path):
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", QUIT_WHILE_COMPUTING], cwd=root,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                               "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "Fatal" not in done.stderr and "Traceback" not in done.stderr
