"""Input widgets of the step form, one per operand and per parameter kind of the op table:
an int spin box (with ``None`` for optional dims), a checkbox for bool, a combo for a choice,
line edits for floats and for int tuples. ``value()`` returns what the ``Step`` stores, or
raises ``ValueError`` saying what is wrong in the learner's terms."""

from __future__ import annotations

import re

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
)
from PySide6.QtWidgets import QWidget as _QWidget

from engine.op_table import REQUIRED, Param

INT_LIMIT = 64
NONE_SENTINEL = -INT_LIMIT - 1
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", re.IGNORECASE)


def parse_number(text: str):
    """A constant as the step stores it: int when written as one, else float, or bool."""
    word = text.strip()
    if word in ("True", "False"):
        return word == "True"
    if re.fullmatch(r"[+-]?\d+", word) and len(word) < 19:
        return int(word)
    if _NUMBER.fullmatch(word) or word.lower() in ("nan", "inf", "-inf"):
        return float(word)
    raise ValueError(f"'{word}' is not a number")


def parse_ints(text: str) -> tuple[int, ...]:
    body = text.strip().strip("()[]")
    parts = [p for p in re.split(r"[,\s]+", body) if p]
    for part in parts:
        if not re.fullmatch(r"[+-]?\d{1,9}", part):
            raise ValueError(f"'{part}' is not a whole number")
    return tuple(int(p) for p in parts)


class Field(QObject):
    """A labelled input; ``changed`` fires on every edit; ``value()`` may raise ValueError."""

    changed = Signal()

    def __init__(self, label: str, widget: _QWidget):
        super().__init__(widget)
        self.label, self.widget = label, widget

    def value(self):
        raise NotImplementedError

    def set_value(self, value) -> None:
        raise NotImplementedError


class OperandField(Field):
    """An earlier tensor (picked from the list) or a number typed in."""

    def __init__(self, label: str, names: list[str], numbers_ok: bool):
        combo = QComboBox()
        combo.setEditable(True)
        combo.addItems(names)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.lineEdit().setPlaceholderText("a tensor, or a number such as 1")
        super().__init__(label, combo)
        self.names, self.numbers_ok = names, numbers_ok
        combo.currentTextChanged.connect(self.changed)
        combo.setToolTip("Pick an earlier tensor" + (" or type a number" if numbers_ok else ""))

    def value(self):
        text = self.widget.currentText().strip()
        if text in self.names:
            return text
        if not text:
            raise ValueError(f"{self.label}: pick a tensor")
        try:
            return parse_number(text)
        except ValueError:
            if text.isidentifier():
                raise ValueError(f"{self.label}: there is no tensor {text!r} before this "
                                 "step") from None
            raise ValueError(f"{self.label}: '{text}' is not a tensor or a number") from None

    def set_value(self, value) -> None:
        self.widget.setCurrentText(value if isinstance(value, str) else repr(value))


class TensorListField(Field):
    """The tensors of a variadic op (``cat``, ``stack``), ticked in the order they are joined."""

    def __init__(self, label: str, names: list[str]):
        widget = QListWidget()
        widget.setMaximumHeight(110)
        super().__init__(label, widget)
        self.order: list[str] = []
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            widget.addItem(item)
        widget.itemChanged.connect(self._on_item_changed)

    def _on_item_changed(self, item) -> None:
        name = item.text()
        if item.checkState() == Qt.CheckState.Checked and name not in self.order:
            self.order.append(name)
        elif item.checkState() != Qt.CheckState.Checked and name in self.order:
            self.order.remove(name)
        self.changed.emit()

    def value(self):
        if not self.order:
            raise ValueError(f"{self.label}: tick the tensors to join")
        return tuple(self.order)

    def set_value(self, value) -> None:
        for name in value:
            for item in self.widget.findItems(name, Qt.MatchFlag.MatchExactly):
                item.setCheckState(Qt.CheckState.Checked)


class IntField(Field):
    def __init__(self, param: Param):
        box = QSpinBox()
        box.setRange(NONE_SENTINEL if param.optional else -INT_LIMIT, INT_LIMIT)
        if param.optional:
            box.setSpecialValueText("None")
        super().__init__(param.name, box)
        self.param = param
        box.valueChanged.connect(self.changed)

    def value(self):
        number = self.widget.value()
        return None if number == NONE_SENTINEL else number

    def set_value(self, value) -> None:
        self.widget.setValue(NONE_SENTINEL if value is None else int(value))


class BoolField(Field):
    def __init__(self, param: Param):
        super().__init__(param.name, QCheckBox())
        self.widget.toggled.connect(self.changed)

    def value(self):
        return self.widget.isChecked()

    def set_value(self, value) -> None:
        self.widget.setChecked(bool(value))


class ChoiceField(Field):
    def __init__(self, param: Param):
        combo = QComboBox()
        combo.addItems([str(c) for c in param.choices])
        super().__init__(param.name, combo)
        self.param = param
        combo.currentIndexChanged.connect(self.changed)

    def value(self):
        return self.param.choices[max(0, self.widget.currentIndex())]

    def set_value(self, value) -> None:
        if value in self.param.choices:
            self.widget.setCurrentIndex(self.param.choices.index(value))


class TextField(Field):
    """float / number (optional: empty means None) and ints (``2, 3`` or ``-1``)."""

    def __init__(self, param: Param):
        edit = QLineEdit()
        hints = {"ints": "sizes, e.g. 2, 3 (-1 infers one)", "float": "a number",
                 "number": "a number"}
        edit.setPlaceholderText("None" if param.optional else hints.get(param.kind, ""))
        super().__init__(param.name, edit)
        self.param = param
        edit.textChanged.connect(self.changed)

    def value(self):
        text = self.widget.text().strip()
        if not text:
            if self.param.optional:
                return None
            if self.param.default is not REQUIRED:
                return self.param.default
            raise ValueError(f"{self.param.name}: needs a value")
        try:
            if self.param.kind == "ints":
                return parse_ints(text)
            number = parse_number(text)
        except ValueError as error:
            raise ValueError(f"{self.param.name}: {error}") from None
        return float(number) if self.param.kind == "float" else number

    def set_value(self, value) -> None:
        if value is None:
            self.widget.setText("")
        elif self.param.kind == "ints":
            self.widget.setText(", ".join(str(v) for v in value))
        else:
            self.widget.setText(repr(value))


def param_field(param: Param) -> Field:
    """The widget for one parameter, set to its default."""
    kinds = {"int": IntField, "bool": BoolField, "choice": ChoiceField}
    field = kinds.get(param.kind, TextField)(param)
    if param.default is not REQUIRED:
        field.set_value(param.default)
    return field
