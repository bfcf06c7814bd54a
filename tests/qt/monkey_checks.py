"""What the GUI monkey checks after its actions: every panel agrees with the session, nothing
escaped (``sys.excepthook``) or was swallowed with a logged traceback (views' ``guarded``)."""

from __future__ import annotations

import logging

import numpy as np

from playground.qt.tensor_editor_shape import table_array
from playground.session import persist


class Escapes(logging.Handler):
    """Counts excepthook calls and ERROR log records (a view handler that raised)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.problems: list[str] = []

    def emit(self, record):
        self.problems.append(self.format(record))

    def excepthook(self, kind, error, trace):
        self.problems.append(f"excepthook: {kind.__name__}: {error}")


def panels_agree(window) -> None:
    session = window.session
    tree = window.tensors.tree
    listed = {tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())}
    assert listed == set(session.tensor_names()), (listed, session.tensor_names())
    assert window.timeline.list.count() >= len(session.outcomes)
    assert window.timeline.list.currentRow() == session.cursor
    steps = [step.name for step in session.document.steps]
    assert len(window.pipeline.row_texts()) == len(steps)
    editor_agrees(window)


def editor_agrees(window) -> None:
    """The tensor editor shows the selected tensor's values (or grad) at the cursor."""
    editor, session, name = window.editor, window.session, window.selection.name
    assert editor.name == (name or "")
    if editor._updates.stale:  # hidden, or due on the next pass: what it shows once it is
        editor.refresh()
    if not name or name not in session.tensor_names():
        return
    state = session.state(name)
    array = state.grad if editor.showing_grad else state.value
    if array is None or array.size == 0:
        return
    shown = table_array(array, editor.slice_index)
    assert editor.model.array.shape == shown.shape
    assert np.array_equal(editor.model.array, shown, equal_nan=shown.dtype.kind == "f")
    assert editor.model.editable == (editor.is_leaf(name) and not editor.showing_grad)


def same_document(a, b) -> bool:
    """Equal documents; compared as their file text, since a nan typed into a cell or given as
    an operand is never == itself."""
    return persist.dumps(a) == persist.dumps(b)


def save_reopen_identical(window, path) -> None:
    window.save_session(path)
    assert same_document(persist.load(path), window.session.document)
    assert not window.session.is_modified
