"""The shared message row: hints muted, errors in the theme's red, optionally hidden when
empty; ``guard`` turns a handler's exception into an error message instead of a crash."""

from __future__ import annotations

import logging

from PySide6.QtGui import QPalette

from playground.qt.message_row import MessageLabel, guard
from playground.qt.theme import apply_theme, colors


def _text_colour(label: MessageLabel) -> str:
    """The colour the label's text is drawn in (what the application style sheet gave it)."""
    label.ensurePolished()
    return label.palette().color(QPalette.ColorRole.WindowText).name()


def test_error_then_hint_restyles_and_empty_hides(qtbot):
    label = MessageLabel(hide_when_empty=True)
    qtbot.addWidget(label)
    assert label.isHidden()
    try:
        apply_theme("dark")
        label.show_message("shape unchanged: 'x' is not a size", error=True)
        assert label.is_error and not label.isHidden()
        assert _text_colour(label) == colors().error
        label.show_message("double-click a cell to edit")
        assert not label.is_error and _text_colour(label) == colors().muted
        label.show_message("")
        assert label.isHidden()
    finally:
        apply_theme("light")


def test_guard_shows_the_exception_on_the_row(qtbot):
    class Panel:
        def __init__(self):
            self.row = MessageLabel()

        def show_message(self, text, error=False):
            self.row.show_message(text, error)

        @guard(logging.getLogger("test"), "panel")
        def on_clicked(self):
            raise ValueError("no such tensor")

    panel = Panel()
    qtbot.addWidget(panel.row)
    assert panel.on_clicked() is None
    assert panel.row.text() == "ValueError: no such tensor" and panel.row.is_error
