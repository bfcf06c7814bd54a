"""The step form of the pipeline builder: an op palette generated from the engine's op table
(grouped, with a filter box and each op's doc; the in-place ops last), the operands (earlier
tensors or numbers), the parameters with a widget per kind, a "run under torch.no_grad()" box,
and a live preview of the PyTorch line, as the export writes it, and its shape."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

import engine
from engine.op_table import GROUPS, INPLACE_GROUP, OpSpec, inplace_table

from ..session import runner
from ..session.codegen import Pipeline
from ..session.document import Step, check_name
from ..session.error_help import GENERIC, explain
from ..session.model import Session
from ..session.op_docs import node_formulas, signature
from ..session.ops import op_spec, op_specs
from ..session.runner import expected_elements, too_big
from ..session.text import error_text
from .pipeline_builder_fields import Field, OperandField, TensorListField, param_field
from .theme import colors

OP_ROLE = Qt.ItemDataRole.UserRole
NO_GRAD_BLOCK = "with torch.no_grad():\n    "
INPLACE_TIP = ("These ops change their first operand itself and return it: after "
               "y2 = y.add_(1), y2 *is* y, and y's version counter went up by one. A backward "
               "that needs the old y (saved by an op before the change) then fails.")
NO_GRAD_TIP = ("Compute this step inside `with torch.no_grad():`: no graph is recorded, so "
               "its result has no grad_fn and requires no grad. An in-place change of a leaf "
               "that requires grad (an optimizer's w.sub_(lr * w.grad)) is allowed only here.")


def step_code(step: Step, valid: bool = True) -> str:
    """``h = inp + 1``: the step as the export writes it, operands by name; a ``no_grad``
    step inside its ``with torch.no_grad():`` block (two lines)."""
    pipeline = Pipeline(SimpleNamespace(steps=[step]), {step.name} if valid else set(),
                        {step.name})
    line = f"{step.name} = {pipeline.expression(step)[0]}"  # as Pipeline.statements writes it
    return NO_GRAD_BLOCK + line if step.no_grad else line


def step_line(step: Step, valid: bool = True) -> str:
    """``step_code`` on one line, as a list row shows it: ``with torch.no_grad(): y = x * 3``
    (also valid Python)."""
    return step_code(step, valid).replace(NO_GRAD_BLOCK, "with torch.no_grad(): ")


def op_tooltip(spec: OpSpec) -> str:
    """The palette's hover text: PyTorch signature, one-line doc, and the derivative formula of
    every node the op records, in PyTorch's vocabulary (``self: grad * other``)."""
    import html  # here: its entity table is not needed until an op is hovered

    head = f"<code><b>{html.escape(signature(spec))}</b></code><br>{html.escape(spec.doc)}<br>"
    return head + formulas_html(spec)


def formulas_html(spec: OpSpec) -> str:
    """Each node the op records, then one ``input: formula`` line per input."""
    import html

    nodes = node_formulas(spec.name)
    if not nodes:
        return "<i>records no grad_fn: its result does not carry gradients</i>"
    lines = []
    for node in nodes:
        lines.append(f"<br><i>{node.node}</i>")
        lines += [f"<code>&nbsp;&nbsp;{html.escape(name)}: {html.escape(formula)}</code>"
                  for name, formula in node.formulas.items()]
    return "<br>".join(lines)


def fresh_name(op: str, taken: set[str]) -> str:
    """``relu1``, ``relu2``, ...: the first free name for a step of ``op``."""
    base = op.rstrip("_") if op.isidentifier() else "step"
    number = 1
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


class StepDialog(QDialog):
    """Add a step (``step`` None) or edit one; ``submit(build_step)`` pushes the step that
    ``build_step()`` (the dialog's ``step``) makes once the session has landed any edit still
    replaying, and returns the refusal as text, or None when it worked (the dialog then
    closes)."""

    def __init__(self, session: Session, position: int, step: Step | None,
                 submit: Callable[[Step], str | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.position, self.original, self._submit = session, position, step, submit
        document = session.document
        self.available = [leaf.name for leaf in document.leaves]
        self.available += [s.name for s in document.steps[:position]]
        self.taken = set(document.tensor_names())
        self.spec: OpSpec | None = None
        self.operand_fields: list[Field] = []
        self.param_fields: dict[str, Field] = {}
        self.setWindowTitle("Edit step" if step else "Add a step")
        self.resize(820, 480)
        self._build()
        if step is not None:
            self.name_edit.setText(step.name)
            self.choose_op(step.op)
            self._fill(step)
        else:
            self.choose_op("add")
        self._update_preview()

    def _build(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter ops: name or what it does")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.palette_tree = QTreeWidget()
        self.palette_tree.setHeaderHidden(True)
        self.palette_tree.setColumnCount(2)
        self.palette_tree.setMinimumWidth(330)
        self.palette_tree.setColumnWidth(0, 130)
        specs = {**op_specs(), **inplace_table()}
        for group in (*GROUPS, INPLACE_GROUP):
            top = QTreeWidgetItem([group])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            if group == INPLACE_GROUP:
                top.setText(1, "change the tensor itself")
                top.setToolTip(0, INPLACE_TIP)
                top.setToolTip(1, INPLACE_TIP)
            self.palette_tree.addTopLevelItem(top)
            for spec in (s for s in specs.values() if s.group == group):
                item = QTreeWidgetItem([spec.name, spec.doc])
                item.setData(0, OP_ROLE, spec.name)
                tip = op_tooltip(spec)
                item.setToolTip(0, tip)
                item.setToolTip(1, tip)
                item.setForeground(1, QBrush(QColor(colors().muted)))
                top.addChild(item)
        self.palette_tree.expandAll()
        self.palette_tree.currentItemChanged.connect(self._on_palette_changed)
        left = QVBoxLayout()
        left.addWidget(self.filter_edit)
        left.addWidget(self.palette_tree)
        self.op_title = QLabel("")
        self.op_title.setStyleSheet("font-weight: 600; font-size: 14px;")
        self.doc_label = QLabel("")
        self.doc_label.setWordWrap(True)
        self.doc_label.setStyleSheet(f"color: {colors().muted};")
        self.formula_label = QLabel("")  # the derivative formulas, as the palette's hover has
        self.formula_label.setWordWrap(True)
        self.formula_label.setStyleSheet(
            f"color: {colors().muted}; font-family: monospace; font-size: 11px;")
        self.name_edit = QLineEdit()
        self.name_edit.textChanged.connect(self._update_preview)
        self.form = QFormLayout()
        self.form.addRow("name", self.name_edit)
        self.no_grad_box = QCheckBox("run under torch.no_grad()")
        self.no_grad_box.setToolTip(NO_GRAD_TIP)
        self.no_grad_box.toggled.connect(self._update_preview)
        self.preview = QLabel("")
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            "Apply" if self.original else "Add step")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        right = QVBoxLayout()
        right.addWidget(self.op_title)
        right.addWidget(self.doc_label)
        right.addWidget(self.formula_label)
        right.addLayout(self.form)
        right.addWidget(self.no_grad_box)
        right.addStretch(1)
        right.addWidget(QLabel("PyTorch line:"))
        right.addWidget(self.preview)
        right.addWidget(self.error_label)
        right.addWidget(self.buttons)
        body = QHBoxLayout(self)
        body.addLayout(left, 4)
        body.addLayout(right, 3)

    # -- the op --
    def choose_op(self, name: str) -> None:
        """Pick op ``name`` in the palette (the form follows)."""
        for top in range(self.palette_tree.topLevelItemCount()):
            group = self.palette_tree.topLevelItem(top)
            for i in range(group.childCount()):
                if group.child(i).data(0, OP_ROLE) == name:
                    self.palette_tree.setCurrentItem(group.child(i))
                    return
        raise KeyError(f"unknown op {name!r}")

    def _on_palette_changed(self, item, _previous) -> None:
        name = item.data(0, OP_ROLE) if item is not None else None
        if name and (self.spec is None or self.spec.name != name):
            self._set_spec(op_spec(name))

    def _set_spec(self, spec: OpSpec) -> None:
        kept = self._current_operands()
        self.spec = spec
        self.op_title.setText(spec.name)
        self.doc_label.setText(spec.doc)
        self.formula_label.setText(formulas_html(spec).removeprefix("<br>"))
        while self.form.rowCount() > 1:
            self.form.removeRow(1)
        self.operand_fields, self.param_fields = [], {}
        if spec.variadic:
            self.operand_fields.append(TensorListField(spec.operands[0], self.available))
        for i, label in enumerate([] if spec.variadic else spec.operands):
            field = OperandField(label, self.available, label in spec.numbers_ok)
            field.set_value(kept[i] if i < len(kept) else self._default_operand(i))
            self.operand_fields.append(field)
        for param in spec.params:
            self.param_fields[param.name] = param_field(param)
        for field in self.operand_fields + list(self.param_fields.values()):
            self.form.addRow(field.label, field.widget)
            field.changed.connect(self._update_preview)
        if not self.original and self.name_edit.text() in ("", self._auto_name):
            self._auto_name = fresh_name(spec.name, self.taken)  # until the learner types one
            self.name_edit.setText(self._auto_name)
        self._update_preview()

    _auto_name = ""

    def _default_operand(self, i: int):
        if i == 0 and self.available:
            return self.available[-1]
        return 1 if self.spec.operands[i] in self.spec.numbers_ok or not self.available \
            else self.available[-1]

    def _current_operands(self) -> list:
        kept = []
        for field in self.operand_fields:
            try:
                kept.append(field.value())
            except ValueError:
                kept.append("")
        return [] if any(isinstance(f, TensorListField) for f in self.operand_fields) else kept

    def _fill(self, step: Step) -> None:
        if self.spec.variadic and self.operand_fields:
            self.operand_fields[0].set_value(step.operands)
        else:
            for field, operand in zip(self.operand_fields, step.operands):
                field.set_value(operand)
        for name, value in step.params.items():
            if name in self.param_fields:
                self.param_fields[name].set_value(value)
        self.no_grad_box.setChecked(step.no_grad)

    def _on_filter_changed(self, text: str) -> None:
        words = text.lower().split()
        for top in range(self.palette_tree.topLevelItemCount()):
            group = self.palette_tree.topLevelItem(top)
            shown = 0
            for i in range(group.childCount()):
                item = group.child(i)
                haystack = f"{item.text(0)} {item.text(1)} {group.text(0)}".lower()
                hidden = not all(word in haystack for word in words)
                item.setHidden(hidden)
                shown += not hidden
            group.setHidden(shown == 0)

    # -- the step --
    def step(self) -> Step:
        """The step the form describes; ``ValueError`` says what is missing or wrong."""
        name = self.name_edit.text().strip()
        try:
            check_name(name)
        except ValueError as error:
            raise ValueError(f"name: {error}") from None
        if name in self.taken and (self.original is None or name != self.original.name):
            raise ValueError(f"name: {name!r} is already used")
        if self.spec.variadic:
            operands = self.operand_fields[0].value()
        else:
            operands = tuple(field.value() for field in self.operand_fields)
        # The lists were filled when the dialog opened; on a big session an edit replaying
        # then (an undo of "Add tensor") may since have removed a tensor they offer.
        names = self.session.document.tensor_names()
        gone = next((o for o in operands if isinstance(o, str) and o not in names), None)
        if gone is not None:
            raise ValueError(f"there is no tensor {gone!r} any more: an edit removed it")
        params = {}
        for param in self.spec.params:
            value = self.param_fields[param.name].value()
            if value != param.default:
                params[param.name] = value
        return Step(name=name, op=self.spec.name, operands=operands, params=params,
                    no_grad=self.no_grad_box.isChecked(),
                    note=self.original.note if self.original else "")

    def _update_preview(self) -> None:
        if self.spec is None:
            return
        try:
            step = self.step()
        except ValueError as error:
            self._show(None, str(error))
            return
        self._show(step_code(step), self._try(step))

    def _try(self, step: Step) -> str | None:
        """Run the op on the current values: None if it works, else the engine's message."""
        self.warning = ""
        in_place = self.spec.group == INPLACE_GROUP
        if in_place and not (step.operands and isinstance(step.operands[0], str)):
            return f"{step.op} changes a tensor in place: its first operand must be one"
        tensors = []
        for operand in step.operands:
            if isinstance(operand, str):
                if operand not in self.session.tensor_names(0):
                    return f"there is no tensor {operand!r} any more"
                state = self.session.state(operand, 0)
                if state.value is None:
                    return f"{operand} is not computed"
                tensors.append(_preview_tensor(state, like_session=in_place))
            else:
                tensors.append(operand)
        if expected_elements(self.spec, tensors) > runner.MAX_ELEMENTS:  # no 400 MB preview
            return error_text(too_big(step.name, expected_elements(self.spec, tensors)))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if step.no_grad:
                    with engine.no_grad():
                        result = self.spec.apply(tensors, dict(step.params))
                else:
                    result = self.spec.apply(tensors, dict(step.params))
            except Exception as error:  # the engine's message is the lesson
                return error_text(error)
        self.result_shape = tuple(getattr(result, "shape", ()))
        self.warning = str(caught[0].message) if caught else ""
        return None

    warning = ""

    result_shape: tuple = ()

    def _show(self, code: str | None, error: str | None) -> None:
        mono = "font-family: monospace; font-size: 13px;"
        if code is None:
            self.preview.setText("")
        else:
            shape = "" if error else f"   → [{', '.join(map(str, self.result_shape))}]"
            self.preview.setText(code + shape)
        self.preview.setStyleSheet(mono)
        problem = self.warning if not error else error
        help_ = explain(problem) if code is not None and problem else None
        plain = "" if help_ is None or help_.key == GENERIC else \
            f"\n{help_.explanation}\nFix: {help_.fix}"
        self.error_label.setText(error if code is None else
                                 f"With today's values this step fails: {error}{plain}" if error
                                 else f"Warning: {self.warning}{plain}" if self.warning else "")
        self.error_label.setStyleSheet(f"color: {colors().error};")

    def submit(self) -> bool:
        """Push the step; stays open with the reason when it is refused."""
        try:
            self.step()
        except ValueError as error:
            self.error_label.setText(str(error))
            return False
        refusal = self._submit(self.step)
        if refusal:
            self.error_label.setText(refusal)
            return False
        self.accept()
        return True


def _preview_tensor(state, like_session: bool):
    """A copy of a tensor's value to try the op on. For an in-place op the copy is also a leaf
    that requires grad, or not a leaf, as the session's tensor is: changing a leaf that
    requires grad in place is refused (outside no_grad), and the preview should say so."""
    copy = engine.tensor(np.array(state.value))
    if not like_session or not state.requires_grad or not copy.is_floating_point():
        return copy
    copy.requires_grad_(True)
    return copy if state.is_leaf else copy * 1
