"""The pipeline builder: the session's steps in order, each as its PyTorch line with its output
shape and a validity mark. Steps are added from the op palette, edited, renamed, reordered by
drag and deleted — each change one command on the undo stack; the list redraws from the
session's signals, so downstream steps follow an edit at once."""

from __future__ import annotations

import functools
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..session.commands import AddStep, EditStep, MoveStep, RemoveStep, Rename
from ..session.document import Step
from ..session.document_edits import SessionError
from ..session.error_help import help_text
from ..session.model import Session
from .icons import set_icon
from .message_row import MessageLabel, guard
from .pipeline_builder_form import StepDialog, step_line
from .selection import Selection
from .theme import colors

log = logging.getLogger(__name__)
NAME_ROLE = Qt.ItemDataRole.UserRole
HINT = "Double-click a step to edit it; drag to reorder. ✗ marks a step that cannot run."
EMPTY_HINT = "No steps yet: Add step… picks an op, like add or pow."


guarded = guard(log, "pipeline builder")


class StepTree(QTreeWidget):
    """The list of steps; a drag reorders by asking for a move instead of moving items."""

    move_requested = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setColumnCount(3)
        self.setHeaderLabels(["", "step", "shape"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        header = self.header()
        header.setStretchLastSection(False)
        # The mark and shape columns are sized to their contents by ``fit_columns`` when a
        # text changes, not by ResizeToContents, which measured every row again at each of
        # the header's layouts while the window started.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        # A long line keeps both ends (the name it makes, the operands it reads); the whole
        # line is in the row's tooltip.
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)

    def fit_columns(self) -> None:
        for column in (0, 2):
            self.resizeColumnToContents(column)

    def drop_row(self, point) -> int:
        """The row a drop at ``point`` inserts before."""
        item = self.itemAt(point)
        if item is None:
            return self.topLevelItemCount()
        row = self.indexOfTopLevelItem(item)
        rect = self.visualItemRect(item)
        return row + 1 if point.y() > rect.center().y() else row

    def dropEvent(self, event) -> None:
        source = self.indexOfTopLevelItem(self.currentItem()) if self.currentItem() else -1
        target = self.drop_row(event.position().toPoint())
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        new = target - 1 if target > source else target
        if source >= 0 and new != source:
            self.move_requested.emit(source, new)


class PipelineBuilder(QWidget):
    """The steps of ``session`` as PyTorch lines, editable through ``undo_stack`` commands.

    Parameters
    ----------
    session : whose steps are shown and edited.
    undo_stack : ``push(command)`` runs a session command and records it.
    selection : the shared selection; clicking a step selects its tensor.
    """

    def __init__(self, session: Session, undo_stack, selection: Selection,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.undo_stack, self.selection = session, undo_stack, selection
        self.dialog: StepDialog | None = None
        self._error_shown = False
        self.tree = StepTree()
        self.tree.move_requested.connect(self._on_move_requested)
        self.tree.itemClicked.connect(self._on_item_clicked)
        self.tree.itemDoubleClicked.connect(self._on_item_double_clicked)
        self.tree.currentItemChanged.connect(self._on_current_changed)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.tree)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self._on_delete_clicked)
        self.buttons = {}
        bar = QHBoxLayout()
        bar.setSpacing(4)
        for key, text, icon, tip in (
            ("add", "Add step…", "plus", "Pick an op from the palette"),
            ("edit", "Edit…", "pen", "Change the op, operands or parameters (double-click)"),
            ("up", "", "arrow-up", "Move the step up (or drag it)"),
            ("down", "", "arrow-down", "Move the step down (or drag it)"),
            ("delete", "", "trash", "Delete the step (Del)"),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            set_icon(button, icon)
            button.clicked.connect(getattr(self, f"_on_{key}_clicked"))
            self.buttons[key] = button
            bar.addWidget(button)
        bar.addStretch(1)
        self.message_label = MessageLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message_label)
        session.definitions_changed.connect(self._on_definitions_changed)
        session.cursor_changed.connect(self._on_cursor_changed)
        selection.changed.connect(self._on_selection_changed)
        self._names: list[str] = []  # the step of each row
        self._looks: list[tuple | None] = []  # (step, facts, look) each row shows
        self._mono = QFont("monospace")
        self._mono.setStyleHint(QFont.StyleHint.Monospace)
        self.refresh()

    # -- reading --
    def row_texts(self) -> list[str]:
        """The PyTorch line of every row, in order (for tests)."""
        return [self.tree.topLevelItem(i).text(1) for i in range(self.tree.topLevelItemCount())]

    def selected_step(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(1, NAME_ROLE) if item is not None else None

    def refresh(self, force: bool = False) -> None:
        """Show the steps; rows are remade only when steps came, went, were renamed or moved,
        otherwise each row sets only the cells that changed (``force``: all, after a theme
        change)."""
        steps = self.session.document.steps
        names = [step.name for step in steps]
        self.tree.blockSignals(True)
        if force or names != self._names:
            current = self.selected_step() or self.selection.name
            self.tree.clear()
            self._names, self._looks = names, []
            for step in steps:
                item = QTreeWidgetItem()
                item.setData(1, NAME_ROLE, step.name)
                item.setFont(1, self._mono)
                flags = item.flags() | Qt.ItemFlag.ItemIsDragEnabled
                item.setFlags(flags & ~Qt.ItemFlag.ItemIsDropEnabled)
                self.tree.addTopLevelItem(item)
                self._looks.append(None)
                if step.name == current:
                    self.tree.setCurrentItem(item)
        fit = not steps  # an empty tree keeps the headers' widths
        tensors = self.session.current.states
        marks = (colors().success, colors().error)  # a theme change redraws the marks
        for row, step in enumerate(steps):
            state = tensors.get(step.name)
            facts = _step_facts(state)
            old = self._looks[row]
            if old is not None and old[0] is step and old[1] == facts and old[2][3] in marks:
                continue  # the same step and facts draw the same row (a backward changes none)
            look = self._look(step, state)
            self._looks[row] = (step, facts, look)
            if old is None or old[2] != look:
                fit |= self._apply(self.tree.topLevelItem(row), look,
                                   None if old is None else old[2])
        self.tree.blockSignals(False)
        if fit:
            self.tree.fit_columns()
        if not self._error_shown:
            self.show_message(HINT if steps else EMPTY_HINT)
        self._update_buttons()

    def _look(self, step: Step, state) -> tuple:
        """(mark, line, shape, mark colour, tooltip) of the row of ``step``."""
        valid = state is not None and state.value is not None
        line = step_line(step, valid)
        if valid:
            tip = f"{step.name}: {state.value.dtype} {_shape(state.value.shape)}"
            tip += f", grad_fn={state.grad_fn}" if state.grad_fn else ""
        elif state is not None and state.blocked_by:
            tip = f"not computed: it needs {state.blocked_by}, which is not computed"
        else:
            tip = (state.error if state is not None else None) or "not computed"
            plain = help_text(tip)  # what it means and the fix, under the engine's words
            tip += f"\n\n{plain}" if plain else ""
        mark = colors().success if valid else colors().error
        return ("✓" if valid else "✗", line, _shape(state.value.shape) if valid else "—", mark,
                f"{line}\n{tip}")

    @staticmethod
    def _apply(item: QTreeWidgetItem, look: tuple, old: tuple | None) -> bool:
        """Set what differs from ``old``; whether the mark's or shape's text changed (their
        columns need measuring again)."""
        fit = False
        for column in range(3):
            if old is None or old[column] != look[column]:
                item.setText(column, look[column])
                fit |= column != 1
        if old is None or old[3] != look[3]:
            item.setForeground(0, QBrush(QColor(look[3])))
        if old is None or old[4] != look[4]:
            for column in range(3):
                item.setToolTip(column, look[4])
        return fit

    def _update_buttons(self) -> None:
        row = self.tree.indexOfTopLevelItem(self.tree.currentItem()) \
            if self.tree.currentItem() else -1
        count = self.tree.topLevelItemCount()
        for key, enabled in (("edit", row >= 0), ("delete", row >= 0), ("up", row > 0),
                             ("down", 0 <= row < count - 1)):
            self.buttons[key].setEnabled(enabled)

    def show_message(self, text: str, error: bool = False) -> None:
        self._error_shown = error
        self.message_label.show_message(text, error)

    # -- edits: each one command on the undo stack --
    def _push(self, build) -> str | None:
        """Push the command ``build()`` makes (see ``UndoStack.push``: it reads the session once
        an edit still replaying has landed); returns the refusal, or None."""
        try:
            self.undo_stack.push(build)
        except Exception as error:  # refused: nothing changed, say why
            self.show_message(str(error), error=True)
            return str(error)
        self.show_message(HINT)
        return None

    def open_add_dialog(self) -> StepDialog:
        """The op palette for a new step at the end of the pipeline (shown, not modal)."""
        position = len(self.session.document.steps)
        return self._open(StepDialog(self.session, position, None, self._submit_new, self))

    def open_edit_dialog(self, name: str | None = None) -> StepDialog | None:
        name = name or self.selected_step()
        steps = [s.name for s in self.session.document.steps]
        if name not in steps:
            return None
        step = self.session.step(name)
        submit = functools.partial(self._submit_edit, name)
        return self._open(StepDialog(self.session, steps.index(name), step, submit, self))

    def _open(self, dialog: StepDialog) -> StepDialog:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()
        return dialog

    def _submit_new(self, build_step) -> str | None:
        """``build_step()`` is the dialog's step, checked against the session as it is then."""
        refusal = self._push(lambda: AddStep(self.session, build_step()))
        if refusal is None:
            self.selection.select(build_step().name)
        return refusal

    def _submit_edit(self, name: str, build_step) -> str | None:
        def rename():
            if name not in [s.name for s in self.session.document.steps]:
                raise SessionError(f"{name} is no longer a step (it was deleted or renamed "
                                   "meanwhile)")
            new = build_step().name
            return None if new == name else Rename(self.session, name, new)

        def edit():  # after the rename has landed, if it replayed on a worker thread
            step = build_step()
            return None if self.session.step(step.name) == step else \
                EditStep(self.session, step.name, step)

        return self._push(rename) or self._push(edit)

    def move_step(self, old: int, new: int) -> bool:
        """False when there is no such row once an edit still replaying has landed."""
        moved = []

        def build():
            count = len(self.session.document.steps)
            if old == new or not (0 <= old < count and 0 <= new < count):
                return None
            moved.append(MoveStep(self.session, old, new))
            return moved[0]

        return self._push(build) is None and bool(moved)

    def delete_step(self, name: str) -> bool:
        return self._push(functools.partial(RemoveStep, self.session, name)) is None

    def rename_step(self, old: str, new: str) -> bool:
        return self._push(functools.partial(Rename, self.session, old, new)) is None

    # -- user actions --
    @guarded
    def _on_add_clicked(self, _checked=False) -> None:
        self.open_add_dialog()

    @guarded
    def _on_edit_clicked(self, _checked=False) -> None:
        self.open_edit_dialog()

    @guarded
    def _on_up_clicked(self, _checked=False) -> None:
        row = self.tree.indexOfTopLevelItem(self.tree.currentItem())
        self.move_step(row, row - 1)

    @guarded
    def _on_down_clicked(self, _checked=False) -> None:
        row = self.tree.indexOfTopLevelItem(self.tree.currentItem())
        self.move_step(row, row + 1)

    @guarded
    def _on_delete_clicked(self, _checked=False) -> None:
        name = self.selected_step()
        if name:
            self.delete_step(name)

    @guarded
    def _on_move_requested(self, old: int, new: int) -> None:
        self.move_step(old, new)

    @guarded
    def _on_item_clicked(self, item, _column) -> None:
        self.selection.select(item.data(1, NAME_ROLE))

    @guarded
    def _on_item_double_clicked(self, item, _column) -> None:
        self.open_edit_dialog(item.data(1, NAME_ROLE))

    @guarded
    def _on_current_changed(self, _item, _previous) -> None:
        self._update_buttons()

    # -- session and selection --
    @guarded
    def _on_definitions_changed(self) -> None:
        self.refresh()

    @guarded
    def _on_cursor_changed(self, _index: int) -> None:
        self.refresh()

    @guarded
    def _on_selection_changed(self, name: str) -> None:
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item.data(1, NAME_ROLE) == name:
                self.tree.setCurrentItem(item)
                return


def _step_facts(state) -> tuple | None:
    """What a step's row shows of its tensor, cheap to compare."""
    if state is None:
        return None
    value = state.value
    return (None if value is None else (value.shape, value.dtype), state.grad_fn, state.error,
            state.blocked_by)


def _shape(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"
