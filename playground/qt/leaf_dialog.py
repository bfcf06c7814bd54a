"""The Add tensor dialog: factory, shape, fill value, seed, dtype and requires_grad.

What the learner types is checked as they type; the reason a value is refused shows under the
form and the Add button stays disabled, so a bad leaf never reaches the session.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from playground.session import Leaf, Session
from playground.session.codegen import factory_call
from playground.session.runner import MAX_ELEMENTS

from .message_row import dialog_refusal_row
from .rename_dialog import taken_names

FACTORIES = ("zeros", "ones", "full", "eye", "rand", "randn", "arange", "linspace")
DTYPES = ("float32", "float64", "int64", "bool")
FACTORY_TIPS = {  # what each factory makes, in a line
    "zeros": "torch.zeros(shape): every element 0", "ones": "torch.ones(shape): every element 1",
    "full": "torch.full(shape, fill): every element the fill value",
    "eye": "torch.eye(n, m): 1 on the diagonal, 0 elsewhere",
    "rand": "torch.rand(shape): uniform in [0, 1), from the random seed",
    "randn": "torch.randn(shape): standard normal, from the random seed",
    "arange": "torch.arange(start, end, step): evenly spaced, end excluded",
    "linspace": "torch.linspace(start, end, steps): steps values, end included",
}
_USES = {  # which fields each factory reads
    "zeros": {"shape"}, "ones": {"shape"}, "full": {"shape", "fill"}, "eye": {"shape"},
    "rand": {"shape", "seed"}, "randn": {"shape", "seed"}, "arange": {"start", "end", "step"},
    "linspace": {"start", "end", "steps"},
}


def parse_shape(text: str) -> tuple[int, ...]:
    """``"4, 5"`` or ``"(4, 5)"`` or ``"4x5"`` → (4, 5); ValueError with the reason otherwise."""
    cleaned = re.sub(r"(?<=\d)\s*[x×]\s*(?=\d)", ",", text.strip().strip("()[]")).strip()
    if not cleaned:
        return ()
    parts = [p.strip() for p in cleaned.removesuffix(",").split(",")]  # (3,) is a 1-d shape
    if "" in parts:
        raise ValueError(f"shape: {text.strip()!r} has an empty size between commas")
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"shape: {text.strip()!r} is not a list of whole numbers") from None
    if any(n < 0 for n in shape):
        raise ValueError("shape: sizes cannot be negative")
    if len(shape) > 6:
        raise ValueError("shape: at most 6 dimensions")
    if math.prod(shape) > MAX_ELEMENTS:
        raise ValueError(f"shape: {math.prod(shape)} elements is above the limit of "
                         f"{MAX_ELEMENTS}")
    return shape


def _number(text: str, what: str):
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what}: {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{what}: must be a finite number")
    return int(value) if value.is_integer() and "." not in text and "e" not in text else value


class AddLeafDialog(QDialog):
    """``leaf()`` is the tensor to add once the dialog is accepted."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add a tensor")
        self.session = session
        self.name = QLineEdit(self._free_name(), self)
        self.factory = QComboBox(self)
        self.factory.addItems(FACTORIES)
        for index, factory in enumerate(FACTORIES):
            self.factory.setItemData(index, FACTORY_TIPS[factory], Qt.ItemDataRole.ToolTipRole)
        self.shape = QLineEdit("3, 4", self)
        self.shape.setPlaceholderText("e.g. 3, 4")
        self.fill = QLineEdit("0.5", self)
        self.seed = QSpinBox(self)
        self.seed.setRange(0, 2**31 - 1)
        self.start, self.end, self.step = QLineEdit("0", self), QLineEdit("5", self), \
            QLineEdit("1", self)
        self.steps = QSpinBox(self)
        self.steps.setRange(0, 100_000)
        self.steps.setValue(5)
        self.dtype = QComboBox(self)
        self.dtype.addItems(DTYPES)
        self.requires_grad = QCheckBox("requires_grad=True  (track operations for backward)",
                                       self)
        self.requires_grad.setChecked(True)
        self.form = QFormLayout()
        self._rows = {}
        for key, label, widget in (
            ("name", "Name", self.name), ("factory", "Factory", self.factory),
            ("shape", "Shape", self.shape), ("fill", "Fill value", self.fill),
            ("seed", "Random seed", self.seed), ("start", "Start", self.start),
            ("end", "End", self.end), ("step", "Step", self.step),
            ("steps", "Steps", self.steps), ("dtype", "dtype", self.dtype),
            ("requires_grad", "", self.requires_grad),
        ):
            self.form.addRow(label, widget)
            self._rows[key] = widget
        self.preview = QLabel(self)
        self.preview.setObjectName("panelHint")
        self.preview.setWordWrap(True)
        self.message, buttons, self.ok = dialog_refusal_row(self, "Add")
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.preview)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        for line in (self.name, self.shape, self.fill, self.start, self.end, self.step):
            line.textChanged.connect(self._on_input_changed)
        for combo in (self.factory, self.dtype):
            combo.currentTextChanged.connect(self._on_input_changed)
        for spin in (self.seed, self.steps):
            spin.valueChanged.connect(self._on_input_changed)
        self.requires_grad.toggled.connect(self._on_input_changed)
        self._leaf: Leaf | None = None
        self._on_input_changed()

    def _free_name(self) -> str:
        taken = taken_names(self.session)
        return next(f"t{n}" for n in range(1, 10_000) if f"t{n}" not in taken)

    def _on_input_changed(self, *_):
        factory = self.factory.currentText()
        for key in ("shape", "fill", "seed", "start", "end", "step", "steps"):
            self.form.setRowVisible(self._rows[key], key in _USES[factory])
        try:
            self._leaf = self._build()
            self.message.setText("")
            self.message.hide()  # no blank line above the buttons while all is well
            self.preview.setText(f"{self._leaf.name} = {factory_call(self._leaf)}")
        except ValueError as error:
            self._leaf = None
            self.message.setText(str(error))
            self.message.show()
            self.preview.setText("")
        self.ok.setEnabled(self._leaf is not None)
        self.adjustSize()

    def _build(self) -> Leaf:
        factory = self.factory.currentText()
        uses = _USES[factory]
        fields = {"name": self.name.text().strip(), "factory": factory,
                  "dtype": self.dtype.currentText(),
                  "requires_grad": self.requires_grad.isChecked()}
        if fields["name"] in taken_names(self.session):
            raise ValueError(f"name: {fields['name']!r} is already used")
        if "shape" in uses:
            fields["shape"] = parse_shape(self.shape.text())
            if factory == "eye" and len(fields["shape"]) not in (1, 2):
                raise ValueError("shape: eye needs 1 or 2 sizes (n or n, m)")
        if "fill" in uses:
            fields["fill"] = _number(self.fill.text(), "fill value")
        if "seed" in uses:
            fields["seed"] = self.seed.value()
        for key in ("start", "end", "step"):
            if key in uses:
                fields[key] = _number(getattr(self, key).text(), key)
        if "steps" in uses:
            fields["steps"] = self.steps.value()
        if factory == "arange" and fields["step"] == 0:
            raise ValueError("step: must not be zero")
        if factory == "arange":
            count = (fields["end"] - fields["start"]) / fields["step"]  # may be inf
            if count > MAX_ELEMENTS:
                raise ValueError(f"end: arange would make {count:.3g} elements, above the "
                                 f"limit of {MAX_ELEMENTS}")
        if factory in ("rand", "randn") and fields["dtype"] in ("int64", "bool"):
            # PyTorch raises for these (e.g. "normal_kernel_cpu" not implemented for 'Long'),
            # so the exported script would fail where the playground did not.
            raise ValueError(f"dtype: torch.{factory} draws floating-point numbers; "
                             "choose float32 or float64")
        if factory in ("arange", "linspace") and fields["dtype"] == "bool":
            raise ValueError(f"dtype: torch.{factory} has no bool version; "
                             "choose a number dtype")
        if factory == "arange" and fields["dtype"] == "int64" and \
                not float(fields["step"]).is_integer():
            raise ValueError("step: an int64 arange needs a whole step (PyTorch reads "
                             f"{fields['step']} as 0 and raises)")
        if fields["requires_grad"] and fields["dtype"] in ("int64", "bool"):
            raise ValueError("requires_grad: only floating-point tensors can require grad")
        try:
            return Leaf(**fields)
        except ValueError as error:
            # Only a refused leaf imports pydantic (Leaf asks it then): not at start-up.
            from pydantic import ValidationError

            if not isinstance(error, ValidationError):
                raise
            first = error.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "tensor"
            raise ValueError(f"{where}: {first['msg'].removeprefix('Value error, ')}") from None

    def leaf(self) -> Leaf | None:
        return self._leaf
