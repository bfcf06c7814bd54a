"""Every kind of edit made through the window undoes back to the start and redoes to the end,
with every panel agreeing with the session after each step."""

from playground.session import AddLeaf, Leaf
from tests.qt.helpers import trigger


def _panels_agree(window):
    listed = {window.tensors.tree.topLevelItem(i).text(0)
              for i in range(window.tensors.tree.topLevelItemCount())}
    assert listed == set(window.session.tensor_names())
    rows = window.timeline.list.count()
    assert rows >= len(window.session.outcomes)
    assert window.timeline.list.currentRow() == window.session.cursor


def test_undo_all_then_redo_all(window):
    start = window.session.document
    window.undo_stack.push(AddLeaf(window.session, Leaf(name="extra", factory="ones",
                                                        shape=(2, 2), requires_grad=True)))
    window.tensors.rename("extra", "extra2")
    window.selection.select("extra2")
    assert window.tensors.delete_selected()
    trigger(window, "actionForward")
    trigger(window, "actionBackward")
    trigger(window, "actionBackwardAgain")
    trigger(window, "actionZeroGrad")
    window.selection.select("out")
    trigger(window, "actionRetainGrad")
    trigger(window, "actionDetach")
    end = window.session.document
    labels = window.undo_stack.command_labels()
    assert labels[:3] == ["Add tensor extra", "Rename extra to extra2", "Delete tensor extra2"]
    assert len(labels) == 9
    while window.undo_stack.canUndo():
        trigger(window, "actionUndo")
        _panels_agree(window)
    assert window.session.document == start
    assert not window.isWindowModified()
    while window.undo_stack.canRedo():
        trigger(window, "actionRedo")
        _panels_agree(window)
    assert window.session.document == end


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(window, monkeypatch):
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QMessageBox

    from playground.qt import main_window

    trigger(window, "actionBackward")
    assert "[*]" in window.windowTitle() and window.isWindowModified()
    monkeypatch.setattr(main_window.QGuiApplication, "platformName", lambda: "xcb")
    asked = []

    def answer(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    event = QCloseEvent()
    window.closeEvent(event)
    assert not event.isAccepted()
    assert asked == ["Save the changes to Lesson: seed-notebook?"]
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    event = QCloseEvent()
    window.closeEvent(event)
    assert event.isAccepted()


def test_lessons_menu_opens_the_lesson(window):
    from PySide6.QtWidgets import QMenu

    window.new_session()
    lessons = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&Lessons")
    lessons.aboutToShow.emit()  # as opening it does: the lessons are listed then
    action = next(a for a in lessons.actions() if a.objectName() == "actionLesson_seed-notebook")
    action.trigger()
    assert window.windowTitle().startswith("Lesson: seed-notebook")
    assert "inp" in window.session.tensor_names()
    assert window.lesson_panel.pending() is not None
