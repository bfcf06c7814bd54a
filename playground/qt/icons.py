"""Icons from qtawesome (Font Awesome 6), drawn in the current theme's text colour."""

from __future__ import annotations

import qtawesome
from PySide6.QtGui import QIcon

from .theme import colors


def icon(name: str, color: str | None = None) -> QIcon:
    """``icon("play")`` is Font Awesome's solid play icon; an unknown name gives no icon."""
    try:
        return qtawesome.icon(f"fa6s.{name}", color=color or colors().text,
                              color_disabled=colors().muted)
    except Exception:  # a missing glyph must never stop the window from opening
        return QIcon()
