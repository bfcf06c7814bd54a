"""The header and message row the editing panels share: a bold title, a muted info line, and a
message line under the panel that is a hint in muted text or an error in the theme's red.

The pipeline builder, the tensor editor and the heatmap cards each built these by hand; here
they are built once, and so is ``guard``, the decorator that turns a handler's exception into
a message on that row instead of letting it reach Qt.
"""

from __future__ import annotations

import functools
import logging

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QSizePolicy, QWidget

from .theme import restyle


def title_label(text: str = "", object_name: str = "") -> QLabel:
    """A panel's bold title (the tensor's name)."""
    label = QLabel(text, objectName=object_name)
    label.setStyleSheet("font-weight: 600; font-size: 14px;")
    return label


def info_label(text: str = "") -> QLabel:
    """A muted line beside a title (dtype, shape, grad_fn); it may shrink, never widen a panel."""
    label = QLabel(text)
    label.setStyleSheet("color: palette(placeholder-text);")
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def dialog_refusal_row(dialog: QDialog, ok_text: str
                       ) -> tuple[QLabel, QDialogButtonBox, QPushButton]:
    """The bottom of a dialog that checks what is typed: a red line where a refusal is said
    (the dialog stays open), then OK (``ok_text``) and Cancel wired to accept and reject."""
    message = QLabel(dialog)
    message.setObjectName("panelError")
    message.setWordWrap(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel, dialog)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return message, buttons, ok


class MessageLabel(QLabel):
    """A word-wrapped message line: ``show_message(text)`` for a hint, ``error=True`` in red.

    With ``hide_when_empty`` the line takes no room while there is nothing to say.
    """

    def __init__(self, parent: QWidget | None = None, hide_when_empty: bool = False):
        super().__init__("", parent)
        self.setWordWrap(True)
        self.hide_when_empty = hide_when_empty
        self.is_error = False
        if hide_when_empty:
            self.hide()
        self._restyle()

    def show_message(self, text: str, error: bool = False) -> None:
        self.is_error = error
        self._restyle()
        self.setText(text)
        if self.hide_when_empty:
            self.setVisible(bool(text))

    def _restyle(self) -> None:
        # Coloured by the application style sheet's rules for these names (the theme's muted
        # text or its red), not by a sheet of its own: a widget's own sheet is parsed and
        # polished for it alone (~1 ms each while the window first shows).
        name = "panelError" if self.is_error else "panelHint"
        if self.objectName() != name:  # restyling relayouts (and repaints) the whole panel
            self.setObjectName(name)
            restyle(self)


def guard(log: logging.Logger, what: str):
    """Handlers never let an exception reach the session or Qt; the reason is shown instead,
    through the widget's ``show_message(text, error=True)``."""

    def decorate(handler):
        @functools.wraps(handler)
        def run(self, *args):
            try:
                return handler(self, *args)
            except RuntimeError as error:  # the C++ widget is gone (window closing)
                log.debug("%s handler after deletion: %s", what, error)
            except Exception as error:
                log.exception("the %s failed", what)
                try:
                    self.show_message(f"{type(error).__name__}: {error}", error=True)
                except RuntimeError:
                    pass
            return None

        return run

    return decorate
