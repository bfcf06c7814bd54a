"""Light and dark themes: one Fusion palette each, plus the few colours the panels share.

Panels ask ``colors()`` for semantic colours (error red, success green, muted text) instead of
hard-coding them, so both themes stay readable.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("light", "dark")


@dataclass(frozen=True)
class Colors:
    window: str
    base: str
    alternate: str
    text: str
    muted: str
    accent: str
    error: str
    error_background: str
    success: str
    warning: str
    code_style: str  # the pygments style of the Code panel


LIGHT = Colors("#f3f4f6", "#ffffff", "#f7f8fa", "#1f2328", "#6b7280", "#2563eb", "#c62828",
               "#fdecea", "#2e7d32", "#a15c00", "default")
DARK = Colors("#1f2126", "#26282e", "#2c2f36", "#e6e6e6", "#9aa0aa", "#6ea8fe", "#ff6b6b",
              "#3a2327", "#7bd88f", "#f0b35a", "monokai")

_current = "light"


def colors() -> Colors:
    return DARK if _current == "dark" else LIGHT


def current_theme() -> str:
    return _current


def apply_theme(name: str) -> None:
    """Switch the whole application to ``name`` ("light" or "dark"; anything else is light)."""
    global _current
    _current = name if name in THEMES else "light"
    app = QApplication.instance()
    if app is None:
        return
    sheet = _STYLE.format(c=colors())
    if app.styleSheet() == sheet:
        return  # re-applying re-polishes every widget of every window: slow, and no change
    app.setStyle("Fusion")
    app.setPalette(_palette(colors()))
    app.setStyleSheet(sheet)


def _palette(c: Colors) -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    for which, value in (
        (role.Window, c.window), (role.Base, c.base), (role.AlternateBase, c.alternate),
        (role.Text, c.text), (role.WindowText, c.text), (role.ButtonText, c.text),
        (role.Button, c.alternate), (role.ToolTipBase, c.base), (role.ToolTipText, c.text),
        (role.Highlight, c.accent), (role.Link, c.accent), (role.PlaceholderText, c.muted),
    ):
        palette.setColor(which, QColor(value))
    palette.setColor(role.HighlightedText, QColor("#ffffff"))
    disabled = QPalette.ColorGroup.Disabled
    for which in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(disabled, which, QColor(c.muted))
    return palette


# Dock titles read as panel headers; toolbar buttons get room for their text.
_STYLE = """
QDockWidget {{ font-weight: 600; }}
QDockWidget::title {{ padding: 5px 8px; background: {c.alternate}; }}
QToolBar {{ spacing: 4px; padding: 3px; }}
QToolButton {{ padding: 4px 8px; }}
QLabel#panelError {{ color: {c.error}; }}
QLabel#panelHint {{ color: {c.muted}; }}
"""
