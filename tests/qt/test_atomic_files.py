"""Save and every export write through a temporary file and ``os.replace``, fail with a message,
and never overwrite a file nobody was asked about."""

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from playground.session import persist


@pytest.fixture
def warnings_shown(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    return shown


def _answer_dialog(monkeypatch, path, asked=None):
    def dialog(*args, **kwargs):
        if asked is not None:
            asked.append((args, kwargs))
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)


@pytest.mark.parametrize("export", ["export_script", "export_notebook", "export_heatmaps"])
def test_exports_replace_a_file_whole_and_leave_no_temporary_files(
        window, tmp_path, monkeypatch, warnings_shown, export):
    suffix = {"export_script": ".py", "export_notebook": ".ipynb", "export_heatmaps": ".png"}
    target = tmp_path / f"out{suffix[export]}"
    target.write_text("old contents")
    asked = []
    _answer_dialog(monkeypatch, target, asked)
    getattr(window.file_actions, export)()
    assert not warnings_shown
    assert target.read_bytes() != b"old contents" and target.stat().st_size > 100
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == [target.name]
    # Qt's save dialog asks before overwriting unless told not to: it is never told not to.
    options = [kwargs.get("options") for _args, kwargs in asked] + [
        args[5] for args, _kwargs in asked if len(args) > 5]
    assert not any(o is not None and o & QFileDialog.Option.DontConfirmOverwrite for o in options)


@pytest.mark.parametrize("export", ["export_script", "export_heatmaps"])
def test_an_export_that_cannot_be_written_says_so(window, tmp_path, monkeypatch,
                                                  warnings_shown, export):
    _answer_dialog(monkeypatch, tmp_path / "missing-folder" / "out.png")
    getattr(window.file_actions, export)()
    assert len(warnings_shown) == 1 and warnings_shown[0].startswith("The export failed.")
    assert "Exported" not in window.status_label.text()


def test_an_image_qt_cannot_write_is_a_failure_not_a_success(window, tmp_path, monkeypatch,
                                                             warnings_shown):
    target = tmp_path / "out.unknownformat"
    _answer_dialog(monkeypatch, target)
    window.file_actions.export_heatmaps()
    assert len(warnings_shown) == 1 and "could not be written" in warnings_shown[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("answer, replaced", [(QMessageBox.StandardButton.No, False),
                                              (QMessageBox.StandardButton.Yes, True)])
def test_save_as_asks_before_replacing_the_file_the_added_suffix_names(
        window, tmp_path, monkeypatch, answer, replaced):
    existing = tmp_path / f"work{persist.SUFFIX}"
    existing.write_text("someone's work")
    _answer_dialog(monkeypatch, tmp_path / "work")  # typed without the suffix: Qt asked nothing
    questions = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kwargs: questions.append(args[2]) or answer)
    assert window.file_actions.save_as() is replaced
    assert len(questions) == 1 and "work.tpg.json already exists" in questions[0]
    assert (existing.read_text() != "someone's work") is replaced
    if replaced:
        assert persist.load(existing) == window.session.document


def test_save_to_an_unwritable_place_keeps_the_old_file_and_the_session_unsaved(
        window, tmp_path, monkeypatch, warnings_shown):
    window.session.select(0)
    target = tmp_path / f"s{persist.SUFFIX}"
    window.save_session(target)
    saved = target.read_text()
    window.controls.do_forward()
    assert window.session.is_modified

    def failing_replace(source, destination):
        raise PermissionError(13, "Permission denied", str(destination))

    monkeypatch.setattr(persist.os, "replace", failing_replace)
    assert not window.file_actions._save_to(Path(target))
    assert target.read_text() == saved and window.session.is_modified
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == [target.name]
    assert len(warnings_shown) == 1 and "Permission denied" in warnings_shown[0]
