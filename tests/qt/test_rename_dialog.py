"""The Rename dialog stays open on a refused name, with the reason at the field and the text
kept, and renames (undoably) once the name is good."""

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from playground.qt.rename_dialog import RenameDialog


@pytest.mark.parametrize("name, reason", [
    ("print", "'print' is reserved for the exported script"),
    ("out", "the name 'out' is already used"),
    ("2x", "'2x' is not a valid Python name"),
])
def test_a_refused_name_keeps_the_dialog_open_with_the_reason(window, qtbot, name, reason):
    window.selection.select("inp")
    dialog = window.tensors.rename_dialog("inp")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, name)
    assert dialog.message.text() == reason and dialog.message.isVisible()
    assert not dialog.ok.isEnabled()
    dialog.accept()  # as if Enter got through: still refused, still open, text kept
    assert dialog.isVisible() and dialog.result() != RenameDialog.DialogCode.Accepted
    assert dialog.name.text() == name and dialog.message.text() == reason
    assert "inp" in window.session.tensor_names()


def test_a_refusal_only_the_session_knows_is_shown_at_the_field(window, qtbot):
    dialog = RenameDialog(window.session, "inp", lambda new: "refused by the session")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setText("fresh")
    assert dialog.ok.isEnabled()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.message.text() == "refused by the session"
    assert dialog.name.text() == "fresh"


def test_the_rename_button_renames_through_the_dialog_and_undo_restores(window, qtbot):
    window.selection.select("inp")

    def type_good_name():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, RenameDialog)
        dialog.name.setText("print")
        assert not dialog.ok.isEnabled()
        dialog.name.setText("matrix")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, type_good_name)
    qtbot.mouseClick(window.tensors.rename_button, Qt.MouseButton.LeftButton)
    assert "matrix" in window.session.tensor_names() and window.selection.name == "matrix"
    assert not window.tensors.message.isVisible()
    window.undo_stack.undo()
    assert "inp" in window.session.tensor_names()


def test_a_name_a_detach_made_is_taken_too(window, qtbot):
    from tests.qt.helpers import trigger

    trigger(window, "actionForward")
    window.selection.select("out")
    trigger(window, "actionDetach")
    detached = next(a.new_name for a in window.session.document.actions if a.kind == "detach")
    dialog = window.tensors.rename_dialog("inp")
    qtbot.addWidget(dialog)
    dialog.name.setText(detached)
    assert "already used" in dialog.message.text() and not dialog.ok.isEnabled()
