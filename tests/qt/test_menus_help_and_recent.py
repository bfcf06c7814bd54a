"""File ▸ Open Recent and Help ▸ Keyboard shortcuts, as a user meets them."""

from PySide6.QtWidgets import QMenu

from playground.qt import menus


def test_open_recent_shows_ampersands_and_forgets_a_missing_file(window, tmp_path):
    kept = tmp_path / "a & b.tpg.json"
    window.save_session(kept)
    gone = str(tmp_path / "gone.tpg.json")
    window.settings.setValue("recentFiles", [gone, str(kept)])
    menu = QMenu(window)
    menus._fill_recent(window, menu)
    texts = [action.text() for action in menu.actions()]
    assert texts == [gone, str(kept).replace("&", "&&")]
    menu.actions()[0].trigger()
    assert "no longer exists" in window.statusBar().currentMessage()
    assert window.recent_files() == [str(kept)]


def test_shortcuts_dialog_lists_the_actions_and_the_editor_keys(window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from tests.qt.helpers import trigger

    shown = []
    monkeypatch.setattr(QMessageBox, "information",
                        lambda parent, title, text: shown.append((title, text)))
    trigger(window, "actionShortcuts")
    title, text = shown[0]
    assert title == "Keyboard shortcuts"
    assert "<b>Ctrl+B</b></td><td>Backward" in text
    assert "<b>Ctrl+V</b></td><td>Paste a block" in text
