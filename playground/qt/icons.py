"""Icons from Font Awesome 6 solid (the font qtawesome ships), drawn in the theme's text colour.

Buttons and actions get theirs through ``set_icon``, which remembers the icon's name so that
``recolor_icons`` can draw them again when the theme changes (dark icons vanish on dark).

The font and its charmap are read from qtawesome's ``fonts`` folder, but qtawesome itself is not
imported: its import star-imports all of qtpy's QtGui and QtWidgets (~40 ms at start-up) and
its ``icon()`` loads all twelve bundled fonts, for the one glyph set used here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QObject, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QIconEngine, QPainter, QPixmap

from .theme import colors

SOLID = "fa6s"
ICON_PROPERTY = "faIcon"


class GlyphFont(NamedTuple):  # not a dataclass: ~2 ms less at start-up
    """A loaded icon font: its family and each icon name's character."""

    family: str
    charmap: dict[str, str]

    def font(self, pixel_size: int) -> QFont:
        font = QFont()
        font.setFamily(self.family)
        font.setPixelSize(pixel_size)
        font.setStyleName("Solid")  # the free family has regular glyphs too, at weight 400
        return font


class GlyphIconEngine(QIconEngine):
    """Draws one glyph, centred, at any size: ``color`` normally, ``disabled`` when disabled."""

    def __init__(self, font: GlyphFont, char: str, color: str, disabled: str):
        super().__init__()
        self._font, self._char = font, char
        self._color, self._disabled = color, disabled

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State):
        painter.save()
        painter.setPen(QColor(self._disabled if mode == QIcon.Mode.Disabled else self._color))
        # A 16 px icon draws a 14 px glyph: Font Awesome's glyphs fill their em box, and the
        # margin keeps their bearing inside the icon.
        painter.setFont(self._font.font(max(1, round(0.875 * rect.height()))))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), self._char)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> GlyphIconEngine:
        return GlyphIconEngine(self._font, self._char, self._color, self._disabled)


def icon(name: str, color: str | None = None) -> QIcon:
    """``icon("play")`` is Font Awesome's solid play icon; an unknown name gives no icon."""
    return _icon(name, color or colors().text, colors().muted)


@lru_cache(maxsize=256)
def _icon(name: str, color: str, disabled: str) -> QIcon:
    # Cached: a timeline row needs one. A missing glyph or font must never stop the window.
    font = _solid_font()
    char = font.charmap.get(name) if font else None
    if char is None:
        return QIcon()
    return QIcon(GlyphIconEngine(font, char, color, disabled))


@lru_cache(maxsize=1)
def _solid_font() -> GlyphFont | None:
    """Font Awesome 6 solid, registered with Qt once; None if it cannot be found or loaded."""
    try:
        folder = Path(next(iter(find_spec("qtawesome").submodule_search_locations))) / "fonts"
        ttf = next(folder.glob("fontawesome6-solid-webfont*.ttf"))
        charmap_file = next(folder.glob("fontawesome6-solid-webfont-charmap*.json"))
        font_id = QFontDatabase.addApplicationFontFromData(ttf.read_bytes())
        families = QFontDatabase.applicationFontFamilies(font_id)
        codes = json.loads(charmap_file.read_text(encoding="utf-8"))
    except (AttributeError, TypeError, StopIteration, OSError, ValueError):
        return None
    if not families:
        return None
    return GlyphFont(families[0], {name: chr(int(code, 16)) for name, code in codes.items()})


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
