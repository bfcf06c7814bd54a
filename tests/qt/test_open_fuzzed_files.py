"""Opening fuzzed session files in the window: a damaged one is one message and the open session
stays as it was (undo history too); a hostile one that loads opens without anything escaping."""

import sys

import pytest
from PySide6.QtWidgets import QMessageBox

from playground.session.persist import SessionFileError, load
from tests.qt.helpers import trigger
from tests.qt.test_undo_everything import _panels_agree
from tests.session.test_file_fuzz import fuzzed_files


@pytest.fixture
def escaped(monkeypatch):
    """Exceptions that reached ``sys.excepthook`` (a slot that raised)."""
    calls = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: calls.append(info))
    return calls


def _split(tmp_path, count):
    """The first ``count`` fuzzed files, written out, as (refused, loadable) paths."""
    refused, loadable = [], []
    for index, (_kind, content) in enumerate(fuzzed_files(count, seed=5)):
        path = tmp_path / f"f{index}.tpg.json"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        try:
            load(path)
        except SessionFileError:
            refused.append(path)
        else:
            loadable.append(path)
    return refused, loadable


def test_damaged_files_are_one_message_each_and_keep_the_session(
        window, tmp_path, monkeypatch, escaped):
    trigger(window, "actionBackward")
    before, path_before = window.session.document, window.path
    history = window.undo_stack.count()
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    refused, _ = _split(tmp_path, 60)
    assert len(refused) > 20
    for path in refused:
        assert not window.file_actions.open_path(str(path))
        assert window.session.document is before and window.path == path_before
        assert window.undo_stack.count() == history and window.undo_stack.canUndo()
    assert len(shown) == len(refused)
    assert all(text.startswith("This session could not be opened.") for text in shown)
    assert not escaped
    _panels_agree(window)


def test_hostile_files_that_load_open_without_an_exception_escaping(
        window, tmp_path, monkeypatch, escaped, qtbot):
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: None)
    _, loadable = _split(tmp_path, 80)
    assert len(loadable) > 15
    for path in loadable:
        assert window.file_actions.open_path(str(path))
        qtbot.wait(1)  # let the coalesced view updates run
        _panels_agree(window)
    assert not escaped
