"""Icons come from Font Awesome 6 solid, loaded alone, and follow the theme's colour."""

from PySide6.QtGui import QColor

from playground.qt import icons


def _ink(icon) -> set[str]:
    image = icon.pixmap(24, 24).toImage()
    return {QColor(image.pixel(x, y)).name() for x in range(24) for y in range(24)
            if QColor.fromRgba(image.pixel(x, y)).alpha() == 255}


def test_icons_are_drawn_from_the_solid_set_alone(qapp):
    font = icons._solid_font()
    assert list(font.charmap) == [icons.SOLID]  # not all twelve bundled fonts
    assert not icons.icon("play").isNull()
    assert icons.icon("no-such-glyph").isNull()  # refused quietly: the window still opens


def test_an_icon_is_drawn_in_the_colour_asked_for(qapp):
    assert _ink(icons.icon("stop", color="#ff0000")) == {"#ff0000"}
    assert _ink(icons.icon("stop", color="#0000ff")) == {"#0000ff"}
