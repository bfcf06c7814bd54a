"""Icons from qtawesome (Font Awesome 6), drawn in the current theme's text colour.

Buttons and actions get theirs through ``set_icon``, which remembers the icon's name so that
``recolor_icons`` can draw them again when the theme changes (dark icons vanish on dark).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import qtawesome
from PySide6.QtCore import QObject
from PySide6.QtGui import QIcon
from qtawesome.iconic_font import IconicFont

from .theme import colors

SOLID = "fa6s"


def icon(name: str, color: str | None = None) -> QIcon:
    """``icon("play")`` is Font Awesome's solid play icon; an unknown name gives no icon."""
    return _icon(name, color or colors().text, colors().muted)


@lru_cache(maxsize=256)
def _icon(name: str, color: str, disabled: str) -> QIcon:
    # Cached: a timeline row needs one, and drawing a glyph each time adds up.
    try:
        return _solid_font().icon(f"{SOLID}.{name}", color=color, color_disabled=disabled)
    except Exception:  # a missing glyph must never stop the window from opening
        return QIcon()


@lru_cache(maxsize=1)
def _solid_font():
    """Font Awesome 6 solid alone. ``qtawesome.icon`` loads and checks all twelve of its
    bundled fonts on first use (~40 ms and ~14 MB at start-up) for the one set used here."""
    try:
        folder, fonts = qtawesome.get_fonts_info()
        ttf = next(f for f in fonts if f.startswith("fontawesome6-solid-webfont"))
        charmap = next(Path(folder).glob("fontawesome6-solid-webfont-charmap*.json")).name
        return IconicFont((SOLID, ttf, charmap))
    except Exception:  # another qtawesome layout: its own instance knows where things are
        return qtawesome


ICON_PROPERTY = "faIcon"


def set_icon(target: QObject, name: str) -> None:
    """Give a button or action the icon ``name``, redrawn in the theme's colour later."""
    target.setProperty(ICON_PROPERTY, name)
    target.setIcon(icon(name))


def recolor_icons(root: QObject) -> None:
    """Draw every ``set_icon`` icon under ``root`` again in the current theme's colour."""
    for child in root.findChildren(QObject):
        name = child.property(ICON_PROPERTY)
        if name and hasattr(child, "setIcon"):
            child.setIcon(icon(name))
