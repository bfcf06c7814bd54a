"""The Code panel: the live PyTorch script of the session (its export), highlighted, with Copy.

The script is rebuilt after edits, but only once the events of one edit have settled and only
while the panel is visible: a hidden panel costs nothing on every Backward.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTextEdit, QVBoxLayout, QWidget

from playground.session import Session
from playground.session.export import script

from .dock_tabs import is_on_screen
from .icons import set_icon
from .theme import colors


class CodePanel(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.code = ""
        self.view = QTextEdit(self)
        self.view.setObjectName("codeText")
        self.view.setReadOnly(True)
        self.view.setLineWrapMode(QTextEdit.LineWrapMode.NoWrap)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.view.setFont(font)
        self.copy_button = QPushButton("Copy", self)
        set_icon(self.copy_button, "copy")
        self.copy_button.setObjectName("copyCode")
        self.copy_button.setToolTip("Copy the whole script to the clipboard")
        hint = QLabel("Runs as-is with PyTorch: it prints what you saw and asserts the values.",
                      self)
        hint.setObjectName("panelHint")
        hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(hint)
        row.addStretch()
        row.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(row)
        layout.addWidget(self.view)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)
        self._copied = QTimer(self)  # "Copied" on the button for a moment, then "Copy" again
        self._copied.setSingleShot(True)
        self._copied.setInterval(1500)
        self._copied.timeout.connect(self._on_copied_timeout)
        self._stale = True
        self.copy_button.clicked.connect(self.copy)
        session.timeline_changed.connect(self._on_session_changed)
        self._on_session_changed()

    def _on_session_changed(self, *_):
        self._stale = True
        if is_on_screen(self):
            self._timer.start(0)

    def on_shown(self, shown: bool) -> None:
        """Connected to the dock's ``visibilityChanged``: a tabbed dock behind another is
        moved off screen, not hidden, so ``showEvent`` alone would miss the tab switch."""
        if shown and self._stale:
            self._timer.start(0)

    def showEvent(self, event):
        super().showEvent(event)
        self.on_shown(True)

    def _on_timer(self) -> None:
        # Showing the window sends every dock a Show event, tabs behind others included:
        # writing and highlighting the script (~170 ms the first time) waits for its tab.
        if self._stale and is_on_screen(self):
            self.refresh()

    def refresh(self) -> None:
        """Rebuild the script now (also what the tests call)."""
        try:
            self.code = script(self.session)
        except Exception as error:  # an export bug must not take the window down
            self.code = f"# The script could not be written: {type(error).__name__}: {error}\n"
        self._stale = False
        self.view.setHtml(_highlighted(self.code, colors().code_style))

    def copy(self) -> None:
        if self._stale:
            self.refresh()
        QGuiApplication.clipboard().setText(self.code)
        lines = self.code.count("\n")
        self.copy_button.setText("Copied")
        self.copy_button.setToolTip(f"Copied {lines} lines to the clipboard")
        self._copied.start()

    def _on_copied_timeout(self) -> None:
        self.copy_button.setText("Copy")
        self.copy_button.setToolTip("Copy the whole script to the clipboard")


def _highlighted(code: str, style: str) -> str:
    """The script as HTML with pygments' colours. Imported here, on first use: the Code tab
    is behind the Console when the window opens, and pygments costs start-up time."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    formatter = HtmlFormatter(noclasses=True, style=style, nobackground=True)
    return highlight(code, PythonLexer(), formatter)
