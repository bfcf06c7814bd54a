"""The rows of the Tensors panel: what each column shows for a tensor, and how a row that
already shows one tensor is changed to show another by setting only the cells that differ
(Qt then measures and repaints only those cells, not the whole tree)."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTreeWidgetItem

from playground.session.error_help import help_text

# A tensor is a leaf exactly when it has no grad_fn, so one column says both ("leaf" or the
# grad_fn's name, wrapped where the dock is narrow). The name's check box is requires_grad,
# and the dtype follows the shape only when it is not float32, as PyTorch prints tensors:
# five full columns do not fit beside the heatmaps, and grad_fn matters more here.
COLUMNS = ("name", "shape", ".grad", "grad_fn")
NAME, SHAPE, GRAD, GRAD_FN = range(len(COLUMNS))
REQUIRES_GRAD = NAME
DEFAULT_DTYPE = "float32"


def row_facts(state, c) -> tuple:
    """What a row is drawn from, cheap to compare (the arrays only by shape and dtype)."""
    value = state.value
    return (state.name, None if value is None else (value.shape, value.dtype), state.grad is None,
            state.requires_grad, state.is_leaf, state.origin, state.grad_fn, state.error,
            state.blocked_by, c.error, c.muted)


class RowLook(NamedTuple):
    """What one row shows, column by column (a colour "" is the default text colour)."""

    texts: tuple[str, ...]
    tips: tuple[str, ...]
    colours: tuple[str, ...]
    checked: bool | None  # None: no box (the tensor failed)
    checkable: bool


def row_look(state, c) -> RowLook:
    """Everything a row shows for ``state``, to compare with what it shows now."""
    failed = state.value is None
    # Only a leaf's box can be clicked; say so where a click would do nothing.
    follows = {"leaf": "",
               "step": " (it follows the inputs: only a leaf's box can be ticked)",
               "detached": " (detach() made it so: only a leaf's box can be ticked)",
               }.get(state.origin, "")
    about = describe(state)
    return RowLook(
        texts=tuple(row_texts(state)),
        tips=(about + f"\nrequires_grad={state.requires_grad}{follows}",
              *([about] * 2 if failed else ["", ""]),
              state.grad_fn or "leaf: no grad_fn"),
        colours=(c.error if failed else "", "", c.muted if state.grad is None else "",
                 c.muted if state.is_leaf else ""),
        checked=None if failed else state.requires_grad,
        checkable=not failed and state.origin == "leaf",  # a non-leaf's follows its inputs
    )

def apply_look(item: QTreeWidgetItem, name: str, look: RowLook,
               old: RowLook | None) -> bool:
    """Set the parts of ``item`` that differ from ``old`` (all when None); returns whether
    a text's length changed (the columns may need another width)."""
    if old is None or old.texts[NAME] != name:
        item.setData(NAME, Qt.ItemDataRole.UserRole, name)
    resized = False
    for column in range(len(COLUMNS)):
        text = look.texts[column]
        if old is None or old.texts[column] != text:
            resized |= old is None or len(old.texts[column]) != len(text)
            item.setText(column, text)
        if old is None or old.tips[column] != look.tips[column]:
            item.setToolTip(column, look.tips[column])
        colour = look.colours[column]
        if old is None or old.colours[column] != colour:
            item.setData(column, Qt.ItemDataRole.ForegroundRole,
                         QBrush(QColor(colour)) if colour else None)
    if old is None or old.checked != look.checked:
        if look.checked is None:  # a failed tensor has no box
            item.setData(REQUIRES_GRAD, Qt.ItemDataRole.CheckStateRole, None)
        else:
            item.setCheckState(REQUIRES_GRAD, Qt.CheckState.Checked if look.checked
                               else Qt.CheckState.Unchecked)
    if old is None or old.checkable != look.checkable:
        flags = item.flags()
        item.setFlags(flags | Qt.ItemFlag.ItemIsUserCheckable if look.checkable
                      else flags & ~Qt.ItemFlag.ItemIsUserCheckable)
    return resized


def row_texts(state) -> list[str]:
    """The four cells' texts."""
    if state.value is None:
        why = f"blocked by {state.blocked_by}" if state.blocked_by else "failed"
        return [state.name, why, "", ""]
    grad = "None" if state.grad is None else "tensor"
    shape, dtype = str(list(state.value.shape)), str(state.value.dtype)
    if dtype != DEFAULT_DTYPE:
        shape = f"{shape} {dtype}"
    return [state.name, shape, grad, "leaf" if state.is_leaf else (state.grad_fn or "")]

def describe(state) -> str:
    """What the tensor is (or why it failed), for the name's tooltip."""
    if state.value is None:
        if not state.error:
            return f"cannot be computed: {state.blocked_by} failed"
        return "\n\n".join(filter(None, [state.error, help_text(state.error)]))
    where = {"leaf": "a leaf you defined", "step": "computed by a pipeline step",
             "detached": "made by detach() on the timeline"}[state.origin]
    return (f"{state.name}: {where}\nshape {list(state.value.shape)}, "
            f"dtype {state.value.dtype}")
