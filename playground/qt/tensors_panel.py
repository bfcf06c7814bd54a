"""The Tensors panel: every tensor of the session at the shown timeline point.

One row per tensor — name, shape, dtype, requires_grad, leaf, grad_fn and whether ``.grad`` is
None. Add a leaf, rename, delete (refused with the reason while something uses it) and toggle
``requires_grad``, all through commands; a refusal shows under the table, the session unchanged.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.session import AddLeaf, RemoveLeaf, RemoveStep, Rename, Session, SessionError
from playground.session.commands import action_label, set_requires_grad

from .icons import set_icon
from .leaf_dialog import AddLeafDialog
from .rename_dialog import RenameDialog
from .selection import Selection
from .tensor_rows import (
    COLUMNS,
    GRAD,
    GRAD_FN,
    NAME,
    REQUIRES_GRAD,
    SHAPE,
    apply_look,
    row_facts,
    row_look,
)
from .theme import colors
from .wrapped_names import WrappedNameDelegate

HEADER_TIPS = {
    NAME: "Ticked: requires_grad=True, operations on it are recorded for backward "
          "(click the box of a leaf to change it)",
    SHAPE: "The tensor's shape; its dtype follows when it is not float32 (PyTorch's default "
           "dtype, which its printed tensors leave out too)",
    GRAD: ".grad: None until a backward reaches this tensor (non-leaves need retain_grad)",
    GRAD_FN: "leaf: made by you, not by an op (grad_fn is None); its .grad is kept. "
             "A non-leaf shows the grad_fn that backward walks through",
}


class TensorsPanel(QWidget):
    """The list of tensors; selecting a row selects that tensor everywhere.

    ``edit_requested(name)`` fires on a double click: the window shows the tensor editor.
    """

    edit_requested = Signal(str)

    def __init__(self, session: Session, undo_stack, selection: Selection,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.undo_stack, self.selection = session, undo_stack, selection
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("tensorsTable")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(False)  # a long grad_fn wraps onto a second line
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for column, tip in HEADER_TIPS.items():
            self.tree.headerItem().setToolTip(column, tip)
        header = self.tree.header()
        # Sized to their contents when a text's length changes (``_fit_columns``), not by
        # ResizeToContents, which measured every row again at each of the header's ~20
        # layouts while the window started (~35M instructions).
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # grad_fn, last, takes the width left and wraps long names (a stretched last section
        # never shrank below 100 px: names were cut at the default dock width).
        self.grad_fn_column = WrappedNameDelegate(self.tree)
        self.add_button = QPushButton("Add tensor…", self)
        self.rename_button = QPushButton("Rename…", self)
        self.delete_button = QPushButton("Delete", self)
        for button, name in ((self.add_button, "plus"), (self.rename_button, "pen"),
                             (self.delete_button, "trash-can")):
            set_icon(button, name)
        self.add_button.setToolTip("Add a leaf tensor: zeros, ones, full, eye, rand, randn, "
                                   "arange or linspace, with its shape, dtype and requires_grad")
        legend = QLabel("☑ = requires_grad (tick a leaf to track it for backward) · grad_fn: "
                        "the op that made it, or leaf · double-click to edit values", self)
        legend.setObjectName("panelHint")
        legend.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setObjectName("panelError")
        self.message.setWordWrap(True)
        self.message.hide()
        buttons = QHBoxLayout()
        for button in (self.add_button, self.rename_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.tree)
        layout.addWidget(legend)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.add_button.clicked.connect(self.add_leaf)
        self.rename_button.clicked.connect(self._on_rename_clicked)
        self.delete_button.clicked.connect(self.delete_selected)
        self.tree.currentItemChanged.connect(self._on_current_item_changed)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.itemDoubleClicked.connect(self._on_item_double_clicked)
        session.timeline_changed.connect(self._on_session_changed)
        session.cursor_changed.connect(self._on_session_changed)
        selection.changed.connect(self._on_selection_changed)
        self._refreshing = False
        self._shown = None
        self._looks: list[tuple] = []  # (facts, RowLook) each row shows, row by row
        self._mono = QFont("monospace")
        self._mono.setStyleHint(QFont.StyleHint.Monospace)
        self._on_session_changed()

    # -- showing the session --
    def refresh(self) -> None:
        """Draw again even if nothing changed (after a theme change)."""
        self._shown = None
        self._looks = [None] * len(self._looks)
        self._on_session_changed()

    def _on_session_changed(self, *_):
        # One edit emits timeline_changed then cursor_changed: draw the point once.
        shown = (self.session.current, self.session.document)
        if self._shown is not None and all(a is b for a, b in zip(shown, self._shown)):
            return
        self._shown = shown
        names = self.session.tensor_names()
        self._refreshing = True
        # Rows are kept and reused in order; each sets only what differs from what it shows.
        # After a backward that is the .grad cell of a few rows, after a rename one row's name
        # (Qt measures and repaints only the cells that changed); a tensor added or removed
        # adds or removes a row at the end and the rows after it take their new tensors.
        tree = self.tree
        texts_resized = tree.topLevelItemCount() != len(names)  # the widest name may change
        while tree.topLevelItemCount() > len(names):
            tree.takeTopLevelItem(tree.topLevelItemCount() - 1)
            self._looks.pop()
        while tree.topLevelItemCount() < len(names):
            QTreeWidgetItem(tree).setFont(NAME, self._mono)
            self._looks.append(None)
        c = colors()
        for row, name in enumerate(names):
            state = self.session.state(name)
            facts = row_facts(state, c)
            old = self._looks[row]
            if old is not None and old[0] == facts:
                continue  # the same facts draw the same row: most rows, after most actions
            look = row_look(state, c)
            self._looks[row] = (facts, look)
            if old is None or old[1] != look:
                texts_resized |= apply_look(tree.topLevelItem(row), name, look,
                                           None if old is None else old[1])
        self._refreshing = False
        if texts_resized:
            self._fit_columns()
        self._on_selection_changed(self.selection.name)
        self._update_buttons()

    def _fit_columns(self) -> None:
        for column in range(self.grad_fn_column.column):
            self.tree.resizeColumnToContents(column)
        self.grad_fn_column.fit()  # the width the others leave

    def _on_selection_changed(self, name: str):
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item.data(NAME, Qt.ItemDataRole.UserRole) == name:
                # rows are reused: the current row may have lost its highlight meanwhile
                if self.tree.currentItem() is not item or not item.isSelected():
                    self.tree.setCurrentItem(item)
                break
        else:
            self.tree.clearSelection()
        self._update_buttons()

    def _on_current_item_changed(self, current, _previous):
        if self._refreshing:
            return
        name = current.data(NAME, Qt.ItemDataRole.UserRole) if current is not None else ""
        self.selection.select(name)

    def _on_item_double_clicked(self, item: QTreeWidgetItem, _column: int):
        self.edit_requested.emit(item.data(NAME, Qt.ItemDataRole.UserRole))

    def _update_buttons(self):
        name = self.selection.name
        kind = self._origin(name)
        self.rename_button.setEnabled(kind in ("leaf", "step"))
        self.delete_button.setEnabled(kind in ("leaf", "step"))
        # Each button says what it does, and while it is off, why.
        if kind in ("leaf", "step"):
            self.rename_button.setToolTip(f"Rename {name}: every step and action that uses it "
                                          "follows")
            self.delete_button.setToolTip(f"Delete {name} (refused, with the reason, while a "
                                          "step or the timeline uses it)")
        else:
            why = (f"{name} was made by a detach action on the timeline: undo that action to "
                   "remove it" if kind == "detached" else "Select a tensor first")
            self.rename_button.setToolTip(why)
            self.delete_button.setToolTip(why)

    def _origin(self, name: str) -> str:
        if name in (leaf.name for leaf in self.session.document.leaves):
            return "leaf"
        if name in (step.name for step in self.session.document.steps):
            return "step"
        return "detached" if name else ""

    # -- edits --
    def _push(self, build) -> bool:
        """Push the command ``build()`` makes once any edit still replaying has landed (see
        ``UndoStack.push``); False when refused (the reason shown) or there was nothing to do."""
        try:
            pushed = self.undo_stack.push(build)
        except (SessionError, ValueError, KeyError) as error:
            # A KeyError's str() wraps its message in quotes; others' messages start with one.
            self.show_message(str(error.args[0]) if error.args else str(error))
            return False
        self.show_message("")
        return pushed

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _on_item_changed(self, item: QTreeWidgetItem, column: int):
        if self._refreshing or column != REQUIRES_GRAD:
            return
        name = item.data(NAME, Qt.ItemDataRole.UserRole)
        flag = item.checkState(REQUIRES_GRAD) == Qt.CheckState.Checked
        # Not now: the edit redraws the table, which would delete this item while Qt is still
        # inside its setCheckState (a crash). Right after the click is handled instead.
        QTimer.singleShot(0, self, partial(self.toggle_requires_grad, name, flag))

    def toggle_requires_grad(self, name: str, flag: bool) -> bool:
        if self._set_requires_grad(name, flag):
            return True
        # Refused or nothing to do: the box shows what the session says again (a click had
        # already ticked or unticked it).
        names = self.session.tensor_names()
        if name in names:
            self._looks[names.index(name)] = None
        self._shown = None
        self._on_session_changed()
        return False

    def _set_requires_grad(self, name: str, flag: bool) -> bool:
        def build():  # an edit still replaying may have renamed or removed it: read it after
            if name not in self.session.document.tensor_names() or self._origin(name) != "leaf":
                return None
            leaf = self.session.leaf(name)
            if leaf.requires_grad == flag:
                return None
            if flag and leaf.dtype in ("int64", "bool"):  # the leaf would fail; refuse it here
                raise SessionError(f"{name} is {leaf.dtype}: only floating-point tensors can "
                                   "require gradients (make it float32 to track it)")
            return set_requires_grad(self.session, name, flag)

        return self._push(build)

    def add_leaf(self):
        dialog = AddLeafDialog(self.session, self)
        if dialog.exec() and dialog.leaf() is not None:
            if self._push(partial(AddLeaf, self.session, dialog.leaf())):
                self.selection.select(dialog.leaf().name)

    def _on_rename_clicked(self):
        self.rename_dialog(self.selection.name).exec()

    def rename_dialog(self, old: str) -> RenameDialog:
        """The dialog the Rename button opens; a refused name keeps it open with the reason."""
        return RenameDialog(self.session, old, partial(self._rename_refusal, old), self)

    def _rename_refusal(self, old: str, new: str) -> str:
        if self.rename(old, new):
            return ""
        why = self.message.text()
        self.show_message("")  # the dialog shows it, at the field
        return why

    def rename(self, old: str, new: str) -> bool:
        if self._push(partial(Rename, self.session, old, new)):
            self.selection.select(new)
            return True
        return False

    def _timeline_use(self, name: str):
        for action in self.session.document.actions:
            names = {action.target, *action.targets}
            names.update(item.text for item in action.items if item.kind != "text")
            if name in names:
                return action
        return None

    def delete_selected(self) -> bool:
        name = self.selection.name
        if self._push(partial(self._removal, name)):
            self.selection.select(None)
            return True
        return False

    def _removal(self, name: str):
        """The command deleting ``name``, read once any edit still replaying has landed."""
        kind = self._origin(name)
        users = self.session.users_of(name)
        if kind == "step" and users:
            raise SessionError(f"{name} is used by {users[0]}; remove or change {users[0]} first")
        if kind == "detached":
            raise SessionError(f"{name} was made by a detach action: undo that action instead")
        action = self._timeline_use(name)
        if action is not None:
            raise SessionError(f"{name} is used on the timeline ({action_label(action)}); "
                               "remove that action first")
        return RemoveLeaf(self.session, name) if kind == "leaf" else RemoveStep(self.session, name)
