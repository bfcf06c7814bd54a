"""The Timeline panel: the actions taken, each with its outcome; click one to time-travel.

Row 0 is the state after the definitions; row ``i`` the state after action ``i``. Errors are red
with PyTorch's message; every row says how it changed each ``.grad``. A lesson's steps ahead
are the Lesson panel's business, not the timeline's: this is only what happened.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from playground.session import Session
from playground.session.error_help import help_text
from playground.session.text import counted

from .action_text import action_line, grad_changes
from .icons import icon, set_icon
from .theme import colors

ERROR_CHARS = 90  # the list shows the start of PyTorch's message; the tooltip has all of it


def short_error(error: str) -> str:
    """``RuntimeError: Trying to backward through the graph a second time …``"""
    first = error.splitlines()[0]
    sentence = first.split(". ")[0].split(" (")[0]
    return sentence if len(sentence) <= ERROR_CHARS else sentence[:ERROR_CHARS - 1] + "…"


class RowSizes(QStyledItemDelegate):
    """Remembers each row's size for the list's width: a new row makes the list lay out every
    row again, and measuring wrapped text for all of them took ~20 ms in a 1,000-action
    timeline (now ~4 ms)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        # by the width Qt measures for (it asks for more than one), then by row text and icon
        self._sizes: dict[int, dict[tuple[str, bool], object]] = {}

    def forget(self) -> None:
        self._sizes.clear()

    def sizeHint(self, option, index):  # noqa: N802 - Qt's name
        width = option.rect.width()
        sizes = self._sizes.get(width)
        if sizes is None:
            if len(self._sizes) > 4:  # the panel was resized: old widths are of no use
                self._sizes.clear()
            sizes = self._sizes[width] = {}
        key = (index.data(), index.data(Qt.ItemDataRole.DecorationRole) is not None)
        size = sizes.get(key)
        if size is None:
            size = sizes[key] = super().sizeHint(option, index)
        return size


class TimelinePanel(QWidget):
    """The timeline of the session, with step back / step forward."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.list = QListWidget(self)
        self.list.setObjectName("timelineList")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(True)
        self.list.setSpacing(1)
        self._sizes = RowSizes(self.list)
        self.list.setItemDelegate(self._sizes)
        self.back = QPushButton(self)
        set_icon(self.back, "backward-step")
        # Alt+Left/Right belong to the Steps menu's actions (one owner, or Qt ignores both).
        self.back.setToolTip("Step back: show the state before this action (Alt+Left)")
        self.ahead = QPushButton(self)
        set_icon(self.ahead, "forward-step")
        self.ahead.setToolTip("Step forward (Alt+Right)")
        self.position = QLabel(self)
        self.position.setObjectName("panelHint")
        self.position.setWordWrap(True)  # "showing the past" must not widen the column
        row = QHBoxLayout()
        row.addWidget(self.back)
        row.addWidget(self.ahead)
        row.addWidget(self.position, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(row)
        layout.addWidget(self.list)

        self.back.clicked.connect(self.step_back)
        self.ahead.clicked.connect(self.step_forward)
        self.list.currentRowChanged.connect(self._on_row_changed)
        session.timeline_changed.connect(self._on_timeline_changed)
        session.cursor_changed.connect(self._on_cursor_changed)
        self._refreshing = False
        self._rendered: list = []  # the outcomes the rows show, row i = outcome i
        self._cursor_shown: tuple[int, int] | None = None  # (point, rows) last selected
        self._font = QFont("monospace")
        self._font.setStyleHint(QFont.StyleHint.Monospace)
        self._on_timeline_changed()

    # -- showing --
    def refresh(self) -> None:
        """Draw every row again (after a theme change)."""
        self._rendered = []
        self._cursor_shown = None
        self._sizes.forget()
        self._on_timeline_changed()

    def _on_timeline_changed(self, *_):
        # Appending an action keeps every earlier outcome object: only new rows are drawn, so a
        # long timeline costs the same per action as a short one.
        outcomes = self.session.outcomes
        keep = 0
        limit = min(len(outcomes), len(self._rendered))
        while keep < limit and outcomes[keep] is self._rendered[keep]:
            keep += 1
        self._refreshing = True
        while self.list.count() > keep:
            self.list.takeItem(self.list.count() - 1)
        for outcome in outcomes[keep:]:
            self.list.addItem(self._row(outcome))
        self._rendered = list(outcomes)
        self._refreshing = False
        self._cursor_shown = None  # rows may have changed: select and scroll again
        self._on_cursor_changed(self.session.cursor)

    def _row(self, outcome) -> QListWidgetItem:
        c = colors()
        if outcome.action is None:
            document = self.session.document
            return QListWidgetItem(icon("flag", c.muted), f"Start — "
                                   f"{counted(len(document.leaves), 'tensor')}, "
                                   f"{counted(len(document.steps), 'step')} computed")
        text = f"{outcome.index}. {action_line(outcome.action)}"
        details = [short_error(outcome.error)] if outcome.error else []
        details += grad_changes(self.session, outcome.index)
        item = QListWidgetItem("\n".join([text, *("    " + d for d in details)]))
        item.setFont(self._font)
        if outcome.error:
            item.setIcon(icon("circle-xmark", c.error))
            item.setForeground(QBrush(QColor(c.error)))
            item.setToolTip("\n\n".join(filter(None, [outcome.error, help_text(outcome.error)])))
        else:
            item.setIcon(icon("circle-check", c.success))
            item.setToolTip(outcome.action.note or outcome.output)
        return item

    def _on_cursor_changed(self, index: int):
        count = len(self.session.outcomes)
        if (index, count) == self._cursor_shown and self.list.currentRow() == index:
            return  # an action's timeline_changed drew it; its cursor_changed has nothing new
        self._cursor_shown = (index, count)
        self.back.setEnabled(index > 0)
        self.ahead.setEnabled(index < count - 1)
        live = "" if index == count - 1 else " (the past: new actions go at the end)"
        self.position.setText(f"step {index} of {count - 1}{live}")
        if self.list.currentRow() != index:
            self._refreshing = True
            self.list.setCurrentRow(index)
            self._refreshing = False
        self.list.scrollToItem(self.list.item(index))

    def _on_row_changed(self, row: int):
        if not self._refreshing and 0 <= row < len(self.session.outcomes):
            self.session.select(row)

    # -- time travel --
    def step_back(self):
        if self.session.cursor > 0:
            self.session.select(self.session.cursor - 1)

    def step_forward(self):
        if self.session.cursor < len(self.session.outcomes) - 1:
            self.session.select(self.session.cursor + 1)
