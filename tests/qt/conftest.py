"""Qt test fixtures: a real main window with the seed lesson, settings kept out of the home
folder, and no "save changes?" question left open at teardown."""

import threading

import pytest
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication


@pytest.fixture(autouse=True)
def _settings_in_tmp(tmp_path):
    # QSettings() in the window then reads and writes under tmp_path, never the user's.
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(tmp_path / "settings"))
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(tmp_path / "settings"))
    yield


@pytest.fixture
def make_window(qtbot):
    from playground.qt.app import create_window

    windows = []

    def make(lesson: str | None = "seed-notebook"):
        window = create_window()  # not qtbot.addWidget: its close would ask "save changes?"
        if lesson:
            window.load_lesson(lesson)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.session.mark_saved()  # nothing to ask about when the test closes it
        window.close()
        window.deleteLater()
    # Really delete them now: live windows from earlier tests slow every later one down.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture
def everything_big(monkeypatch):
    """Every forward and backward counts as big: the seed lesson's go to the worker thread."""
    import playground.session.pending as pending_module

    monkeypatch.setattr(pending_module, "BACKGROUND_ELEMENTS", 0)


@pytest.fixture
def threads_used(monkeypatch):
    """The thread every ``PendingAction.compute`` ran on."""
    from playground.session.pending import PendingAction

    used = []
    compute = PendingAction.compute

    def recording(self):
        used.append(threading.get_ident())
        compute(self)

    monkeypatch.setattr(PendingAction, "compute", recording)
    return used



@pytest.fixture(params=["light", "dark"])
def each_theme(request):
    """The test runs once in each theme; the theme in use before is put back."""
    from playground.qt.theme import apply_theme, current_theme

    before = current_theme()
    apply_theme(request.param)
    yield request.param
    apply_theme(before)
