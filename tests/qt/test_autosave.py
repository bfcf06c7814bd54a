"""Autosave writes unsaved work to the recovery file; the next start offers it back as an
unsaved session; a clean close removes it."""

from PySide6.QtWidgets import QMessageBox

from playground.qt import autosave, crash_guard
from playground.session import persist
from tests.qt.helpers import trigger


def test_edits_are_autosaved_and_offered_back(window, make_window, tmp_path, monkeypatch):
    recovery = tmp_path / "recovery.tpg.json"
    monkeypatch.setattr(crash_guard, "recovery_path", lambda: recovery)
    monkeypatch.setattr(autosave, "recovery_path", lambda: recovery)
    saver = autosave.Autosave(window, every=2)
    trigger(window, "actionBackward")
    assert not recovery.exists()
    trigger(window, "actionBackwardAgain")
    saver.finish()  # written on a worker thread
    assert persist.load(recovery) == window.session.document

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    restarted = make_window(lesson=None)
    assert autosave.offer_recovery(restarted)
    assert restarted.session.document == window.session.document
    assert restarted.isWindowModified()

    window.closed_cleanly.connect(saver.discard)
    window.session.mark_saved()
    window.close()
    assert not recovery.exists()


def test_declining_recovery_forgets_it(window, tmp_path, monkeypatch):
    recovery = tmp_path / "recovery.tpg.json"
    recovery.write_text("not json")
    monkeypatch.setattr(autosave, "recovery_path", lambda: recovery)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kwargs: QMessageBox.StandardButton.No)
    before = window.session.document
    assert not autosave.offer_recovery(window)
    assert not recovery.exists() and window.session.document == before


def test_work_survives_kill_9(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path),
               QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen(
        [sys.executable, "main.py", "--do", "forward,backward,backward,zero_grad,backward"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        found = []
        while time.monotonic() < deadline and not found:
            time.sleep(0.5)
            found = list(tmp_path.rglob("recovery.tpg.json"))
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert found, "no recovery file was written before the kill"
    document = persist.load(found[0])
    assert [a.kind for a in document.actions] == [
        "forward", "backward", "backward", "zero_grad", "backward"]
