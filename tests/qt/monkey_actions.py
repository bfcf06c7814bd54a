"""The GUI monkey's moves: random user actions through the real widgets, many wrong on purpose.

Each move takes ``(window, rng, scratch)`` and does one thing a learner could do: type into a
cell of the tensor editor, paste a block, reshape a leaf, add or edit a step in the pipeline
builder's form, move or delete a step, press a toolbar action (only when it is enabled, as a
click would be), travel in time, undo or redo, export. ``scratch`` is a folder for exports.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QAction

from playground.qt.step_dialogs import BackwardSettings, ZeroGradSettings
from playground.session import AddLeaf, Leaf, Seed, TensorData
from playground.session.ops import op_specs

CELL_TEXTS = ["1", "-2.5", "0", "1e-3", "3", "abc", "1e999", "-1e999", "nan", "inf", "", " ",
              "1,5", "True", "0x10", "1/0", "__import__('os')", "１", "2" * 400]
SHAPE_TEXTS = ["2, 3", "3", "1, 1, 2", "0", "6", "-1", "abc", "", "100000, 100000", "2,,3",
               "2, 1, 3", "3, 2, 0", "1, 2, 1, 3"]
OPERAND_TEXTS = ["1", "0.5", "-2", "abc", "", "nan", "1e999", "nope", "x y"]
PARAM_TEXTS = ["0", "1", "-1", "2, 3", "-1, 6", "abc", "", "1e999", "99", "nan"]
NAMES = ["a", "inp", "x y", "torch", "b9", "out", "", "for", "s1", "h"]
BIG_PASTE = "1\t" * (5 * 2**20)  # 10 MB of text: refused as a whole, quickly
OPS = sorted(op_specs())


def _names(window) -> list[str]:
    session = window.session
    return session.tensor_names(len(session.outcomes) - 1)


def _leaves(window) -> list[str]:
    return [leaf.name for leaf in window.session.document.leaves]


def _steps(window) -> list[str]:
    return [step.name for step in window.session.document.steps]


def press(window, name: str) -> bool:
    """Click toolbar/menu action ``name`` if it is enabled; False when a click could not."""
    action = window.findChild(QAction, name)
    assert action is not None, f"no action {name}"
    if not action.isEnabled():
        return False
    action.trigger()
    return True


def select_some_tensor(window, rng, leaves_only=False):
    names = _leaves(window) if leaves_only else _names(window)
    name = rng.choice(names + [""]) if names else ""
    window.selection.select(name)
    return name


def edit_cell(window, rng, _scratch):
    select_some_tensor(window, rng, leaves_only=rng.random() < 0.8)
    editor = window.editor
    editor.show_grad(rng.random() < 0.15)
    rows, cols = editor.model.rowCount(), editor.model.columnCount()
    row = rng.randrange(rows) if rows else 0
    column = rng.randrange(cols) if cols else 0
    text = rng.choice(CELL_TEXTS) if rng.random() > 0.002 else BIG_PASTE
    editor.edit_cell_text(row, column, text)


def paste(window, rng, _scratch):
    select_some_tensor(window, rng, leaves_only=rng.random() < 0.8)
    window.editor.show_grad(False)
    if rng.random() < 0.003:
        text = BIG_PASTE
    else:
        rows, cols = rng.randrange(0, 4), rng.randrange(0, 4)
        text = "\n".join("\t".join(rng.choice(CELL_TEXTS[:9]) for _ in range(cols))
                         for _ in range(rows))
    window.editor.paste_text(text)


def reshape(window, rng, _scratch):
    select_some_tensor(window, rng, leaves_only=True)
    window.editor.set_shape_text(rng.choice(SHAPE_TEXTS))


def _fill_form(dialog, rng, names):
    fields = dialog.operand_fields
    for field in fields:
        if hasattr(field.widget, "setCurrentText"):
            choice = rng.choice(names + OPERAND_TEXTS) if names else rng.choice(OPERAND_TEXTS)
            field.widget.setCurrentText(choice)
    for field in dialog.param_fields.values():
        if hasattr(field.widget, "setText") and rng.random() < 0.5:
            field.widget.setText(rng.choice(PARAM_TEXTS))


def add_step(window, rng, _scratch):
    dialog = window.pipeline.open_add_dialog()
    try:
        dialog.choose_op(rng.choice(OPS))
        dialog.name_edit.setText(rng.choice(NAMES) + rng.choice(["", str(rng.randrange(50))]))
        _fill_form(dialog, rng, dialog.available)
        dialog.submit()
    finally:
        dialog.close()


def edit_step(window, rng, _scratch):
    steps = _steps(window)
    dialog = window.pipeline.open_edit_dialog(rng.choice(steps + ["nope"]) if steps else "nope")
    if dialog is None:
        return
    try:
        if rng.random() < 0.3:
            dialog.choose_op(rng.choice(OPS))
        if rng.random() < 0.2:
            dialog.name_edit.setText(rng.choice(NAMES))
        _fill_form(dialog, rng, dialog.available)
        dialog.submit()
    finally:
        dialog.close()


def move_step(window, rng, _scratch):
    count = len(window.session.document.steps)
    window.pipeline.move_step(rng.randrange(-1, count + 1), rng.randrange(-1, count + 1))


def delete_step(window, rng, _scratch):
    window.pipeline.delete_step(rng.choice(_steps(window) + ["nope"]))


def rename(window, rng, _scratch):
    names = _names(window)
    if names:
        window.tensors.rename(rng.choice(names), rng.choice(NAMES))


def delete_tensor(window, rng, _scratch):
    select_some_tensor(window, rng)
    window.tensors.delete_selected()


def add_leaf(window, rng, _scratch):
    planned = window.session.planned_document  # with an edit still replaying off the GUI thread
    taken = set(window.session.tensor_names()) | {x.name for x in (*planned.leaves,
                                                                  *planned.steps)}
    name = next(f"m{i}" for i in range(len(taken) + 1) if f"m{i}" not in taken)
    leaf = Leaf(name=name, factory=rng.choice(["ones", "rand", "zeros", "randn"]),
                shape=(rng.randrange(0, 4), rng.randrange(1, 4)), requires_grad=True,
                seed=rng.randrange(10))
    window.undo_stack.push(AddLeaf(window.session, leaf))


def _random_seed(rng, window, target):
    kind = rng.choice(["ones", "randn", "literal", "implicit"])
    if kind != "literal":
        return Seed(kind=kind, seed=rng.randrange(100))
    state = window.session.outcomes[-1].states.get(target)
    shape = state.value.shape if state is not None and state.value is not None else (2,)
    if rng.random() < 0.4:
        shape = (rng.randrange(1, 4),)  # often the wrong shape: PyTorch's error, not a crash
    return Seed(kind="literal", values=TensorData.of(np.ones(shape, dtype=np.float32)))


def backward(window, rng, _scratch):
    target = rng.choice(_names(window) + ["nope"])
    window.controls.backward_settings = BackwardSettings(
        target, _random_seed(rng, window, target), rng.random() < 0.5)
    press(window, "actionBackward")


def zero_grad(window, rng, _scratch):
    select_some_tensor(window, rng)
    window.controls.zero_grad_settings = ZeroGradSettings(rng.random() < 0.5, rng.random() < 0.5)
    press(window, "actionZeroGrad")


def toolbar(window, rng, _scratch):
    select_some_tensor(window, rng)
    press(window, rng.choice(["actionForward", "actionBackwardAgain", "actionDetach",
                              "actionRetainGrad", "actionStepBack", "actionStepForward"]))


def requires_grad(window, rng, _scratch):
    names = _names(window)
    if names:
        window.tensors.toggle_requires_grad(rng.choice(names), rng.random() < 0.5)


def slice_box(window, rng, _scratch):
    """Step through the slices of a tensor with more than two dimensions."""
    select_some_tensor(window, rng)
    boxes = window.editor.slice_boxes
    if boxes:
        box = rng.choice(boxes)
        box.setValue(rng.randrange(box.minimum() - 1, box.maximum() + 2))


def time_travel(window, rng, _scratch):
    window.session.select(rng.randrange(len(window.session.outcomes)))


def undo(window, rng, _scratch):
    press(window, "actionUndo")


def redo(window, rng, _scratch):
    press(window, "actionRedo")


def export(window, rng, scratch):
    kind = rng.choice(["script", "engine", "heatmaps"])
    if kind == "heatmaps":
        assert window.export_heatmaps(scratch / "monkey.png")
    else:
        window.export_script(scratch / "monkey.py", engine=kind == "engine")


# (move, weight): edits and timeline actions most, the expensive ones rarely.
MOVES = [
    (edit_cell, 14), (paste, 5), (reshape, 4), (add_step, 8), (edit_step, 6), (move_step, 3),
    (delete_step, 3), (rename, 3), (delete_tensor, 2), (add_leaf, 4), (backward, 10),
    (zero_grad, 5), (toolbar, 12), (time_travel, 6), (undo, 8), (redo, 5), (export, 1),
    (requires_grad, 3), (slice_box, 3),
]


def random_move(rng):
    moves, weights = zip(*MOVES)
    return rng.choices(moves, weights)[0]
