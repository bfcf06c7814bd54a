"""The Code panel's Copy button: the script lands on the clipboard and the button says so."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from playground.qt.code_panel import CodePanel


def test_copy_button_copies_and_says_so_for_a_moment(window, qtbot):
    panel = window.findChild(CodePanel)
    panel._copied.setInterval(50)
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text().startswith('"""')
    assert "import torch" in QGuiApplication.clipboard().text()
    assert panel.copy_button.text() == "Copied"
    qtbot.waitUntil(lambda: panel.copy_button.text() == "Copy", timeout=2000)
