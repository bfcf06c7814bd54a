"""Autosave writes off the GUI thread: one write at a time, the newest snapshot last, never an
older one over a newer (the crash guard's included), the last state at quit, nothing after a
clean close."""

import threading

import pytest

from playground.qt import autosave, crash_guard
from playground.session import persist
from tests.qt.helpers import trigger


@pytest.fixture
def recovery(tmp_path, monkeypatch):
    path = tmp_path / "recovery.tpg.json"
    monkeypatch.setattr(crash_guard, "recovery_path", lambda: path)
    monkeypatch.setattr(autosave, "recovery_path", lambda: path)
    return path


@pytest.fixture
def writes(monkeypatch):
    """Every session file written: (thread, actions in it); ``hold`` blocks writes until set."""
    save = persist.save
    written, hold, active = [], threading.Event(), []
    hold.set()

    def recorded(document, path):
        active.append(1)
        assert len(active) == 1, "two writes at once"
        hold.wait(10)
        save(document, path)
        written.append((threading.current_thread(), len(document.actions)))
        active.pop()

    monkeypatch.setattr(persist, "save", recorded)
    recorded.list, recorded.hold = written, hold
    return recorded


def test_the_write_happens_off_the_gui_thread(window, recovery, writes):
    saver = autosave.Autosave(window, every=1)
    trigger(window, "actionBackward")
    saver.finish()
    assert writes.list and all(thread is not threading.main_thread()
                               for thread, _ in writes.list)
    assert persist.load(recovery) == window.session.document


def test_snapshots_taken_while_one_is_written_end_with_the_newest(window, recovery, writes):
    saver = autosave.Autosave(window, every=1)
    writes.hold.clear()  # the first write stalls, as a 2048² leaf's does for seconds
    trigger(window, "actionBackward")
    trigger(window, "actionBackwardAgain")
    trigger(window, "actionBackwardAgain")  # the GUI thread goes on meanwhile
    newest = len(window.session.document.actions)
    writes.hold.set()
    saver.finish()
    counts = [count for _, count in writes.list]
    assert counts[-1] == newest and counts == sorted(counts)
    assert len(counts) == 2  # the snapshot in between was never written: a newer one was
    assert persist.load(recovery) == window.session.document


def test_the_crash_guard_waits_for_a_write_and_is_not_overwritten(window, recovery, writes):
    saver = autosave.Autosave(window, every=1)
    writes.hold.clear()
    trigger(window, "actionBackward")  # the worker writes this, stalled
    trigger(window, "actionBackwardAgain")  # waiting behind it
    trigger(window, "actionBackwardAgain")
    threading.Timer(0.2, writes.hold.set).start()
    assert crash_guard.save_recovery(window) == recovery  # waits for the stalled write
    saver.finish()
    counts = [count for _, count in writes.list]
    assert counts == sorted(counts) and counts[-1] == len(window.session.document.actions)
    assert persist.load(recovery) == window.session.document


def test_quitting_writes_the_last_state(window, recovery, writes):
    saver = autosave.Autosave(window, every=100)
    trigger(window, "actionBackward")
    assert not recovery.exists()
    saver._on_quit()  # what QCoreApplication.aboutToQuit calls
    assert persist.load(recovery) == window.session.document


def test_a_clean_close_waits_for_the_write_and_removes_the_file(window, recovery, writes):
    saver = autosave.Autosave(window, every=1)
    writes.hold.clear()
    trigger(window, "actionBackward")
    threading.Timer(0.2, writes.hold.set).start()
    saver.discard()
    assert not recovery.exists() and len(writes.list) == 1
    trigger(window, "actionBackwardAgain")
    saver.save_now()
    saver.finish()
    assert not recovery.exists() and len(writes.list) == 1
