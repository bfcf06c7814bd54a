"""An unexpected exception saves the session to the recovery file and says so; the window
stays open and the session unchanged."""

from PySide6.QtWidgets import QMessageBox

from playground.qt import crash_guard
from playground.session import persist
from tests.qt.helpers import trigger


def test_unexpected_error_saves_the_work_and_explains(window, tmp_path, monkeypatch):
    trigger(window, "actionBackward")
    recovery = tmp_path / "recovery.tpg.json"
    monkeypatch.setattr(crash_guard, "recovery_path", lambda: recovery)
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    guard = crash_guard.CrashGuard(window)
    try:
        raise ZeroDivisionError("a bug in a slot")
    except ZeroDivisionError as error:
        guard.handle(type(error), error, error.__traceback__)
    assert persist.load(recovery) == window.session.document
    assert len(shown) == 1 and "ZeroDivisionError: a bug in a slot" in shown[0]
    assert str(recovery) in shown[0]
    assert window.session.document.actions[-1].kind == "backward"
