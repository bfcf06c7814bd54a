"""The tensor editor: the selected tensor as a table. A leaf's cells can be edited, a block
pasted and its shape changed (each one undoable command); other tensors, and every ``.grad``,
are shown read-only. Bad input is refused at the cell, with the reason, and changes nothing."""

from __future__ import annotations

import logging
from functools import partial

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QTabBar,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..session.commands import ReplaceLeaf, edit_cell
from ..session.model import Session
from .message_row import MessageLabel, guard, info_label, title_label
from .selection import Selection
from .state_words import none_sentence
from .tensor_editor_model import TensorTableModel, element_text
from .tensor_editor_parse import parse_block, parse_shape
from .tensor_editor_shape import (
    block_into,
    literal_leaf,
    reshaped_leaf,
    table_array,
    table_index,
)
from .view_updates import connect_coalesced

log = logging.getLogger(__name__)
Trigger = QTableView.EditTrigger
EDIT_TRIGGERS = (Trigger.DoubleClicked | Trigger.EditKeyPressed | Trigger.AnyKeyPressed
                 | Trigger.SelectedClicked)
guarded = guard(log, "tensor editor")


class TensorEditor(QWidget):
    """Table view of the selected tensor, editable for leaves.

    Parameters
    ----------
    session : the session whose tensors are shown (at its timeline cursor).
    undo_stack : where edits are pushed (``push(command)`` runs and records a session command).
    selection : the shared selection; the editor follows it.
    """

    def __init__(self, session: Session, undo_stack, selection: Selection,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.undo_stack, self.selection = session, undo_stack, selection
        self.name = ""
        self.slice_index: tuple[int, ...] = ()
        self._sized_for: tuple = ()  # (name, view, shape) the columns were last fitted to
        self.model = TensorTableModel(self)
        self.model.edit_requested.connect(self._on_cell_edited)
        self.model.refused.connect(self._on_cell_refused)
        self._build()
        # One refresh per burst of session signals (an edit emits three), and none while the
        # editor is a tab behind the pipeline: it catches up when raised.
        self._updates = connect_coalesced(self, session, self.refresh)
        selection.changed.connect(self._on_selection_changed)
        self.show_tensor(selection.name)

    def _build(self) -> None:
        self.name_label = title_label("", "editorName")
        self.info_label = info_label()
        self.tabs = QTabBar()
        self.tabs.addTab("value")
        self.tabs.addTab(".grad")
        self.tabs.setDrawBase(False)
        self.tabs.setTabToolTip(0, "The tensor's values (a leaf's can be edited here)")
        self.tabs.setTabToolTip(1, "Its .grad: what backward accumulated (read-only)")
        self.tabs.currentChanged.connect(self._on_view_changed)
        top = QHBoxLayout()
        top.addWidget(self.name_label)
        top.addStretch(1)
        top.addWidget(self.tabs)
        # On a line of its own, wrapped: beside the tabs a narrow dock cut it mid-word.
        self.info_label.setWordWrap(True)
        self.info_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.shape_edit = QLineEdit()
        self.shape_edit.setPlaceholderText("e.g. 4, 5")
        self.shape_edit.setMaximumWidth(110)
        self.shape_edit.returnPressed.connect(self._on_shape_entered)
        self.shape_button = QPushButton("Reshape")
        self.shape_button.setToolTip("Change the leaf's shape: same number of elements keeps "
                                     "them in order; otherwise the overlap is kept, new cells 0")
        self.shape_button.clicked.connect(self._on_shape_entered)
        self.shape_label = QLabel("shape")
        self.slice_row = QHBoxLayout()
        self.slice_boxes: list[QSpinBox] = []
        controls = QHBoxLayout()
        for widget in (self.shape_label, self.shape_edit, self.shape_button):
            controls.addWidget(widget)
        controls.addStretch(1)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setDefaultSectionSize(64)
        self.table.horizontalHeader().setMinimumSectionSize(36)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setAlternatingRowColors(False)
        paste = QShortcut(QKeySequence.StandardKey.Paste, self.table)
        paste.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        paste.activated.connect(self._on_paste_shortcut)
        copy = QShortcut(QKeySequence.StandardKey.Copy, self.table)
        copy.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.activated.connect(self.copy_selection)
        self.empty_label = MessageLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)
        self.message_label = MessageLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.info_label)
        layout.addLayout(controls)
        layout.addLayout(self.slice_row)  # its own line: beside the shape box both were cut
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message_label)

    # -- what is shown --
    @property
    def showing_grad(self) -> bool:
        return self.tabs.currentIndex() == 1

    def show_grad(self, grad: bool) -> None:
        self.tabs.setCurrentIndex(1 if grad else 0)

    def is_leaf(self, name: str) -> bool:
        return any(leaf.name == name for leaf in self.session.document.leaves)

    def show_tensor(self, name: str) -> None:
        """Show tensor ``name`` (the selection calls this)."""
        self.name = name or ""
        self.refresh()

    def refresh(self) -> None:
        self._updates.cancel()
        name, session = self.name, self.session
        state = session.state(name) if name in session.tensor_names() else None
        self.name_label.setText(name or "No tensor selected")
        if state is None:
            self._show_empty("Select a tensor in the Tensors panel or click a heatmap."
                             if not name else f"{name} does not exist at this timeline point.")
            return
        editable = self.is_leaf(name) and not self.showing_grad
        self._set_controls(state, editable)
        if state.value is None:
            reason = state.error or f"it needs {state.blocked_by}, which is not computed"
            self._show_empty(f"{name} could not be computed: {reason}", error=True)
            return
        array = state.grad if self.showing_grad else state.value
        if array is None:
            self._show_empty(f"{name}.grad is None: " + none_sentence(state))
            return
        self._sync_slices(array.shape)
        changed = None
        if self.showing_grad:
            delta = session.grad_delta(name)
            changed = None if delta is None else table_array(delta != 0, self.slice_index)
        shown = table_array(array, self.slice_index)
        self.model.set_array(shown, editable, changed)
        # Fitted again for another tensor too, not only another shape: randn's 0.12573022 in
        # the 64 px left by the previous tensor's 0.0 read "0....".
        sized_for = (name, self.showing_grad, shown.shape)
        if sized_for != self._sized_for and shown.shape[1] <= 64 and shown.size <= 4096:
            self.table.resizeColumnsToContents()
        self._sized_for = sized_for
        self.stack.setCurrentWidget(self.table)
        if not self.message_label.is_error:
            self.show_message(self._hint(editable, changed))

    def _hint(self, editable: bool, changed) -> str:
        if editable:
            return "double-click or type in a cell to edit; Ctrl+V pastes a block"
        if not self.showing_grad:
            return "read-only: only leaves are edited (this one is computed by its step)"
        tinted = "; yellow cells changed in the last action" if changed is not None and \
            changed.any() else ""
        return "read-only: gradients are computed by backward" + tinted

    def _set_controls(self, state, editable: bool) -> None:
        value = state.value
        parts = [] if value is None else [str(value.dtype), _shape_text(value.shape)]
        parts.append("leaf" if state.is_leaf and state.origin != "detached" else state.origin)
        if state.grad_fn:
            parts.append(f"grad_fn={state.grad_fn}")
        if state.requires_grad:
            parts.append("requires_grad")
        self.info_label.setText("  ·  ".join(parts))
        self.info_label.setToolTip(self.info_label.text())
        leaf = self.is_leaf(self.name)
        for widget in (self.shape_label, self.shape_edit, self.shape_button):
            widget.setVisible(leaf and not self.showing_grad)
        if value is not None and not self.shape_edit.hasFocus():
            self.shape_edit.setText(", ".join(map(str, value.shape)))
            self.shape_edit.setCursorPosition(0)  # a long shape shows its start, not "4, 5"
        self.tabs.setVisible(True)
        self.table.setEditTriggers(EDIT_TRIGGERS if editable else Trigger.NoEditTriggers)

    def _show_empty(self, text: str, error: bool = False) -> None:
        self._sync_slices(())  # a 3-d tensor's slice boxes stayed under a None .grad
        self.empty_label.show_message(text, error)
        self.stack.setCurrentWidget(self.empty_label)
        self.model.set_array(np.zeros((0, 0)), False)
        if not self.name:
            self.info_label.setText("")
            for widget in (self.shape_label, self.shape_edit, self.shape_button, self.tabs):
                widget.setVisible(False)

    def show_message(self, text: str, error: bool = False) -> None:
        self.message_label.show_message(text, error)

    # -- slices of tensors with more than 2 dimensions --
    def _sync_slices(self, shape: tuple[int, ...]) -> None:
        leading = shape[:-2] if len(shape) > 2 else ()
        if len(self.slice_boxes) != len(leading):
            while self.slice_row.count():
                widget = self.slice_row.takeAt(0).widget()
                if widget is not None:
                    widget.hide()  # out of the layout, it would linger in view until deleted
                    widget.deleteLater()
            self.slice_boxes = []
            if leading:
                self.slice_row.addWidget(QLabel("slice"))
            for dim in range(len(leading)):
                box = QSpinBox()
                box.setPrefix(f"dim {dim}: ")
                box.setToolTip(f"Which index along dim {dim} to show: the table is a 2-d "
                               "slice over the last two dims")
                box.valueChanged.connect(self._on_slice_changed)
                self.slice_boxes.append(box)
                self.slice_row.addWidget(box)
            if leading:
                self.slice_row.addStretch(1)
        for box, size in zip(self.slice_boxes, leading):
            box.blockSignals(True)
            box.setRange(0, max(0, size - 1))
            box.blockSignals(False)
        self.slice_index = tuple(box.value() for box in self.slice_boxes)

    @guarded
    def _on_slice_changed(self, _value: int) -> None:
        self.refresh()

    # -- edits: each is one command on the undo stack --
    def _push(self, build) -> bool:
        """Push the command ``build()`` makes once any edit still replaying has landed (see
        ``UndoStack.push``): a reshape or an undo replaying changes where a cell is."""
        try:
            if not self.undo_stack.push(build):
                return False
        except Exception as error:  # the session refused: say why, nothing changed
            self.show_message(str(error), error=True)
            return False
        if self._updates.stale:  # the learner's own edit shows at once, not a pass later
            self.refresh()
        return True

    @guarded
    def _on_cell_edited(self, row: int, column: int, value) -> None:
        self.show_message("")
        self._push(partial(self._cell_edit, self.name, row, column, value))

    def _cell_edit(self, name: str, row: int, column: int, value):
        self._check_still_a_leaf(name, "unchanged")
        index = table_index(self.session.state(name).value.ndim, self.slice_index, row, column)
        return edit_cell(self.session, name, index, value)

    def _check_still_a_leaf(self, name: str, what: str) -> None:
        """An edit still replaying when the learner acted, landed since, may have removed or
        renamed the leaf they acted on (the editor then shows another tensor)."""
        if name != self.name or not self.is_leaf(name):
            raise ValueError(f"{name} {what}: an edit removed or renamed it meanwhile")

    @guarded
    def _on_cell_refused(self, row: int, column: int, reason: str) -> None:
        where = ", ".join(map(str, table_index(self.session.state(self.name).value.ndim,
                                               self.slice_index, row, column)))
        self.show_message(f"{self.name}[{where}] unchanged: {reason}", error=True)
        rect = self.table.visualRect(self.model.index(row, column))
        QToolTip.showText(self.table.viewport().mapToGlobal(rect.bottomLeft()), reason, self.table)

    def edit_cell_text(self, row: int, column: int, text: str) -> bool:
        """Type ``text`` into a cell, as the view's editor does (for tests and scripts)."""
        return self.model.setData(self.model.index(row, column), text)

    @guarded
    def paste_text(self, text: str) -> bool:
        """Paste a block at the current cell (or the top-left one); refused as a whole if any
        element is bad or the block does not fit."""
        if not self.name or not self.is_leaf(self.name) or self.showing_grad:
            where = ("the .grad is computed by backward: paste on the value tab"
                     if self.showing_grad and self.is_leaf(self.name)
                     else "paste goes into a leaf's values: select a leaf")
            self.show_message(f"nothing pasted: {where}", error=True)
            return False
        return self._push(partial(self._paste, self.name, text))

    def _paste(self, name: str, text: str) -> ReplaceLeaf:
        self._check_still_a_leaf(name, "unchanged, nothing pasted")
        try:
            block = parse_block(text, str(self.session.state(name).value.dtype))
            current = self.table.currentIndex()
            start = (max(0, current.row()), max(0, current.column()))
            values = block_into(self.session.state(name, 0).value, block, self.slice_index,
                                start)
            leaf = literal_leaf(self.session.leaf(name), values)
        except ValueError as error:
            raise ValueError(f"nothing pasted: {error}") from None
        rows, cols = block.shape
        self.show_message("")
        return ReplaceLeaf(self.session, leaf, f"Paste {rows}×{cols} into {name}")

    @guarded
    def _on_paste_shortcut(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    @guarded
    def copy_selection(self) -> None:
        """The selected cells as tab-separated text (what spreadsheets paste)."""
        indexes = self.table.selectionModel().selectedIndexes()
        if not indexes:
            return
        rows = sorted({i.row() for i in indexes})
        cols = sorted({i.column() for i in indexes})
        lines = ["\t".join(element_text(self.model.array[r, c], self.model.dtype)
                           for c in cols) for r in rows]
        QGuiApplication.clipboard().setText("\n".join(lines))

    @guarded
    def _on_shape_entered(self) -> None:
        self.set_shape_text(self.shape_edit.text())

    def set_shape_text(self, text: str) -> bool:
        """Give the selected leaf a new shape, typed as ``4, 5``."""
        if not self.name or not self.is_leaf(self.name):
            return False
        return self._push(partial(self._reshape, self.name, text))

    def _reshape(self, name: str, text: str) -> ReplaceLeaf | None:
        self._check_still_a_leaf(name, "not reshaped")
        try:
            shape = parse_shape(text)
            leaf = reshaped_leaf(self.session.leaf(name), self.session.state(name, 0).value,
                                 shape)
        except ValueError as error:
            raise ValueError(f"shape unchanged: {error}") from None
        if leaf == self.session.leaf(name):
            return None
        self.show_message("")
        return ReplaceLeaf(self.session, leaf, f"Reshape {name} to {_shape_text(shape)}")

    # -- signals --
    @guarded
    def _on_selection_changed(self, name: str) -> None:
        self.show_message("")
        self.show_tensor(name)

    @guarded
    def _on_view_changed(self, _tab: int) -> None:
        self.show_message("")
        self.refresh()


def _shape_text(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"
