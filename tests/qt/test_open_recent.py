"""File ▸ Open Recent: names shown as they are, and a file gone since is dropped with a word."""

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
