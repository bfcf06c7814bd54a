"""The Rename tensor dialog: the new name is checked as it is typed, like the Add tensor dialog.

A refused name (not an identifier, reserved for the exported script, already used) keeps the
dialog open with the reason under the field and the text as typed; Rename stays disabled.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from playground.session import Session
from playground.session.document import check_name

from .message_row import dialog_refusal_row


def taken_names(session: Session) -> set[str]:
    """Every name a rename must not take: tensors, and the tensors detach actions make."""
    document = session.document
    taken = set(document.tensor_names())
    taken.update(action.new_name for action in document.actions if action.kind == "detach")
    return taken


class RenameDialog(QDialog):
    """Ask a new name for ``old``; ``apply(new)`` renames and returns the refusal, or ``""``.

    The dialog closes only once ``apply`` accepted the name, so a refusal the live check did
    not foresee still shows at the field instead of closing the dialog.
    """

    def __init__(self, session: Session, old: str, apply: Callable[[str], str],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Rename tensor")
        self.session, self.old, self._apply = session, old, apply
        prompt = QLabel(f"New name for <b>{old}</b>; every step that uses it follows:", self)
        prompt.setWordWrap(True)
        self.name = QLineEdit(old, self)
        self.name.selectAll()
        self.message, buttons, self.ok = dialog_refusal_row(self, "Rename")
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.name)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(360)
        self.name.textChanged.connect(self._on_name_changed)
        self._on_name_changed(old)

    def refusal(self, text: str) -> str:
        """Why ``text`` cannot be the new name (``""`` when it can, or when it is unchanged)."""
        new = text.strip()
        if not new or new == self.old:
            return ""
        try:
            check_name(new)
        except ValueError as error:
            return str(error)
        if new in taken_names(self.session):
            return f"the name {new!r} is already used"
        return ""

    def _on_name_changed(self, text: str):
        why = self.refusal(text)
        self.message.setText(why)
        self.message.setVisible(bool(why))
        new = text.strip()
        self.ok.setEnabled(bool(new) and new != self.old and not why)

    def accept(self):
        new = self.name.text().strip()
        if not new or new == self.old:
            super().reject()  # nothing to rename
            return
        why = self.refusal(new) or self._apply(new)
        if why:
            self.message.setText(why)
            self.message.show()
            self.ok.setEnabled(False)
            return
        super().accept()
