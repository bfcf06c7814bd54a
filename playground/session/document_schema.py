"""The session document as pydantic models: what checks a user's ``.tpg.json`` and any value
the plain records of ``document.py`` do not take as they are.

Imported only when needed (opening a user's file, or an unusual value): importing pydantic and
building these models cost ~110 ms, a quarter of the window's start-up. Each model has the name,
fields, defaults and checks of its record in ``document.py`` (a test holds them together), so
an error names the same model and field, in pydantic's words.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    PlainSerializer,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
    model_validator,
)

from . import document as plain
from .document import FORMAT, FORMAT_VERSION, check_name

DType = Literal["float32", "float64", "int64", "bool"]
Factory = Literal[
    "tensor", "zeros", "ones", "full", "eye", "arange", "linspace", "rand", "randn",
    "zeros_like", "ones_like", "full_like", "rand_like", "randn_like",
]
ActionKind = Literal[
    "forward", "backward", "zero_grad", "detach", "retain_grad", "requires_grad", "print",
]


def _parse_non_finite(value):
    # JSON has no nan/inf; they are stored as the strings Python's float() reads back.
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    return value


def _write_non_finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


Number = Annotated[
    StrictBool | StrictInt | StrictFloat,
    BeforeValidator(_parse_non_finite),
    PlainSerializer(_write_non_finite),
]
ParamValue = StrictBool | StrictInt | StrictFloat | str | tuple[StrictInt, ...] | None
Operand = str | StrictBool | StrictInt | StrictFloat  # a str names a tensor; numbers are constants
Name = Annotated[str, BeforeValidator(lambda v: check_name(v) if isinstance(v, str) else v)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TensorData(_Frozen):
    dtype: DType = "float32"
    shape: tuple[NonNegativeInt, ...] = ()
    data: tuple[Number, ...] = ()

    @model_validator(mode="after")
    def _size_matches_shape(self):
        plain.size_matches_shape(self)
        return self


class Leaf(_Frozen):
    name: Name
    factory: Factory = "tensor"
    dtype: DType = "float32"
    requires_grad: bool = False
    values: TensorData | None = None
    shape: tuple[NonNegativeInt, ...] = ()
    fill: Number | None = None
    start: Number = 0
    end: Number | None = None
    step: Number = 1
    steps: NonNegativeInt | None = None
    like: str | None = None
    seed: NonNegativeInt = 0
    note: str = ""

    @model_validator(mode="after")
    def _has_what_the_factory_needs(self):
        plain.has_what_the_factory_needs(self)
        return self


class Step(_Frozen):
    name: Name
    op: str
    operands: tuple[Operand, ...] = ()
    params: dict[str, ParamValue] = Field(default_factory=dict)
    no_grad: bool = False
    note: str = ""


class Seed(_Frozen):
    kind: Literal["implicit", "ones", "randn", "literal"] = "ones"
    seed: NonNegativeInt = 0
    values: TensorData | None = None

    @model_validator(mode="after")
    def _literal_has_values(self):
        plain.literal_has_values(self)
        return self


class PrintItem(_Frozen):
    kind: Literal["text", "value", "grad"]
    text: str


class Question(_Frozen):
    prompt: str
    expression: str
    reason: str

    @field_validator("expression")
    @classmethod
    def _expression_in_grammar(cls, expression):
        from .predict import parse  # predict needs the engine; documents load without it

        parse(expression)  # a PredictError is a ValueError: pydantic reports it on the field
        return expression


class Action(_Frozen):
    kind: ActionKind
    target: str = ""
    targets: tuple[str, ...] = ()
    seed: Seed = Seed()
    retain_graph: bool = False
    set_to_none: bool = False
    flag: bool = True
    new_name: Name | None = None
    items: tuple[PrintItem, ...] = ()
    sep: str = " "
    note: str = ""
    question: Question | None = None

    @model_validator(mode="after")
    def _has_what_the_kind_needs(self):
        plain.has_what_the_kind_needs(self)
        return self


class Document(_Frozen):
    format: Literal["tensor-playground-session"] = FORMAT
    version: Literal[1] = FORMAT_VERSION
    title: str = ""
    note: str = ""
    leaves: tuple[Leaf, ...] = ()
    steps: tuple[Step, ...] = ()
    actions: tuple[Action, ...] = ()

    @field_validator("steps")
    @classmethod
    def _names_unique(cls, steps, info):
        plain.step_names_unique(steps, info.data.get("leaves", ()))
        return steps

    @field_validator("leaves")
    @classmethod
    def _leaf_names_unique(cls, leaves):
        plain.leaf_names_unique(leaves)
        return leaves

    @model_validator(mode="after")
    def _detached_names_are_new(self):
        plain.detached_names_are_new(self)
        return self

    def tensor_names(self) -> list[str]:
        return [leaf.name for leaf in self.leaves] + [step.name for step in self.steps]
