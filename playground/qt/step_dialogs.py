"""The option dialogs of the step controls: Backward (target, seed, retain_graph), Zero grad.

Each dialog only *describes* an action; ``StepControls`` turns it into a session command.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.session import Seed, Session, TensorData

from .seed_editor import SeedGridEditor

SEED_KINDS = (
    ("ones", "torch.ones_like(target)  — every output counts once"),
    ("randn", "random (torch.randn_like) with seed"),
    ("literal", "custom matrix"),
    ("implicit", "no seed: target.backward()  — scalars only"),
)


# NamedTuples, not frozen dataclasses: the same read-only fields, without compiling a
# dataclass's methods while the window starts (~1 ms for the two).
class BackwardSettings(NamedTuple):
    """What the Backward button does. ``target`` "" means the last pipeline step."""

    target: str = ""
    seed: Seed = Seed()
    retain_graph: bool = True

    def resolved_target(self, session: Session) -> str:
        names = session.tensor_names(len(session.outcomes) - 1)
        if self.target and self.target in names:
            return self.target
        steps = session.document.steps
        return steps[-1].name if steps else ""


class BackwardDialog(QDialog):
    """Choose the target, the seed (ones_like, random with a seed, custom grid) and
    retain_graph; ``settings()`` is the choice."""

    def __init__(self, session: Session, settings: BackwardSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Backward options")
        self.session = session
        end = len(session.outcomes) - 1
        self._shapes = {name: session.state(name, end).value.shape
                        for name in session.tensor_names(end)
                        if session.state(name, end).value is not None}
        form = QFormLayout()
        self.target = QComboBox(self)
        self.target.addItems(list(self._shapes))
        self.target.setCurrentText(settings.resolved_target(session))
        self.target.setToolTip("The tensor backward starts from: out in out.backward(v)")
        form.addRow("Target tensor", self.target)

        self.kinds = QButtonGroup(self)
        seed_box = QVBoxLayout()
        for number, (kind, text) in enumerate(SEED_KINDS):
            button = QRadioButton(text, self)
            button.setObjectName(f"seed_{kind}")
            self.kinds.addButton(button, number)
            if kind != "randn":
                seed_box.addWidget(button)
                continue
            row = QHBoxLayout()  # the seed number right beside its choice
            row.addWidget(button)
            self.random_seed = QSpinBox(self)
            self.random_seed.setRange(0, 2**31 - 1)
            self.random_seed.setValue(settings.seed.seed)
            row.addWidget(self.random_seed)
            row.addStretch()
            seed_box.addLayout(row)
        form.addRow("Seed (the vector v)", seed_box)
        self.grid_holder = QVBoxLayout()
        form.addRow("", self.grid_holder)
        self.grid: SeedGridEditor | None = None

        self.retain = QCheckBox("retain_graph=True  (keep the graph for another backward)", self)
        self.retain.setChecked(settings.retain_graph)
        self.retain.setToolTip("Keep the tensors the graph saved. Off (PyTorch's default), "
                               "backward frees them and a second backward through it raises")
        form.addRow("", self.retain)
        self.preview = QLabel(self)
        self.preview.setObjectName("panelHint")
        form.addRow("Runs", self.preview)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Backward")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

        kind_index = [k for k, _ in SEED_KINDS].index(settings.seed.kind)
        self.kinds.button(kind_index).setChecked(True)
        self._initial_literal = settings.seed.values
        self.kinds.idToggled.connect(self._on_choice_changed)
        self.target.currentTextChanged.connect(self._on_target_changed)
        self.retain.toggled.connect(self._on_choice_changed)
        self._on_target_changed()

    def _kind(self) -> str:
        return SEED_KINDS[max(0, self.kinds.checkedId())][0]

    def _on_target_changed(self, *_):
        if self.grid is not None:
            self.grid.setParent(None)
            self.grid.deleteLater()
        shape = self._shapes.get(self.target.currentText(), ())
        self.grid = SeedGridEditor(shape, self)
        literal = self._initial_literal
        if literal is not None and tuple(literal.shape) == tuple(shape):
            self.grid.set_values(np.array(literal.data).reshape(literal.shape))
        self.grid.changed.connect(self._on_choice_changed)
        self.grid_holder.addWidget(self.grid)
        self._on_choice_changed()

    def _on_choice_changed(self, *_):
        custom = self._kind() == "literal"
        self.grid.setVisible(custom)
        self.random_seed.setEnabled(self._kind() == "randn")
        wrong = custom and self.grid.values() is None
        self.ok.setEnabled(bool(self.target.currentText()) and not wrong)
        target = self.target.currentText()
        seed = {"ones": f"torch.ones_like({target})", "randn": "v", "literal": "v",
                "implicit": ""}[self._kind()]
        retain = "retain_graph=True" if self.retain.isChecked() else ""
        self.preview.setText(f"{target}.backward({', '.join(p for p in (seed, retain) if p)})")

    def settings(self) -> BackwardSettings:
        kind = self._kind()
        values = None
        if kind == "literal":
            values = TensorData.of(self.grid.values())
        seed = Seed(kind=kind, seed=self.random_seed.value(), values=values)
        return BackwardSettings(self.target.currentText(), seed, self.retain.isChecked())


class ZeroGradSettings(NamedTuple):
    """What Zero grad does: on every leaf that has a grad, or only the selected tensor;
    ``.grad.zero_()`` or ``.grad = None``."""

    selected_only: bool = False
    set_to_none: bool = False


class ZeroGradDialog(QDialog):
    def __init__(self, settings: ZeroGradSettings, selected: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Zero grad options")
        self.every = QRadioButton("every leaf that has a .grad", self)
        self.selected = QRadioButton(f"the selected tensor ({selected or 'none selected'})", self)
        self.selected.setEnabled(bool(selected))
        self.zero = QRadioButton(".grad.zero_()  — keep the tensor, fill it with zeros", self)
        self.none = QRadioButton(".grad = None  — forget it (what optimizer.zero_grad() does)",
                                 self)
        which, how = QButtonGroup(self), QButtonGroup(self)
        for button in (self.every, self.selected):
            which.addButton(button)
        for button in (self.zero, self.none):
            how.addButton(button)
        # Only once grouped: before, the four radios were one exclusive set (same parent), so
        # checking the How choice unchecked the On choice and the dialog opened with none.
        (self.selected if settings.selected_only and selected else self.every).setChecked(True)
        (self.none if settings.set_to_none else self.zero).setChecked(True)
        form = QFormLayout()
        column = QVBoxLayout()
        column.addWidget(self.every)
        column.addWidget(self.selected)
        form.addRow("On", column)
        column = QVBoxLayout()
        column.addWidget(self.zero)
        column.addWidget(self.none)
        form.addRow("How", column)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Zero grad")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def settings(self) -> ZeroGradSettings:
        return ZeroGradSettings(selected_only=self.selected.isChecked(),
                                set_to_none=self.none.isChecked())
