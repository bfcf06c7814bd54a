"""Icons come from Font Awesome 6 solid, loaded alone, and follow the theme's colour."""

from PySide6.QtGui import QColor

from playground.qt import icons


def _ink(icon) -> set[str]:
    image = icon.pixmap(24, 24).toImage()
    return {QColor(image.pixel(x, y)).name() for x in range(24) for y in range(24)
            if QColor.fromRgba(image.pixel(x, y)).alpha() == 255}


def test_icons_are_drawn_from_the_solid_set_alone(qapp):
    font = icons._solid_font()
    assert font.family.startswith("Font Awesome 6")
    assert "play" in font.charmap and "github" not in font.charmap  # solid only, no brands
    assert not icons.icon("play").isNull()
    assert icons.icon("no-such-glyph").isNull()  # refused quietly: the window still opens


def test_an_icon_is_drawn_in_the_colour_asked_for(qapp):
    assert _ink(icons.icon("stop", color="#ff0000")) == {"#ff0000"}
    assert _ink(icons.icon("stop", color="#0000ff")) == {"#0000ff"}


def test_a_disabled_icon_is_drawn_in_the_muted_colour(qapp):
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    image = icons.icon("stop", color="#ff0000").pixmap(QSize(24, 24), QIcon.Mode.Disabled)
    muted = QColor(icons.colors().muted).name()
    ink = {QColor(image.toImage().pixel(x, y)).name() for x in range(24) for y in range(24)
           if QColor.fromRgba(image.toImage().pixel(x, y)).alpha() == 255}
    assert ink == {muted}
