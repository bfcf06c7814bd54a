"""What a session *is*, as immutable data: leaves, pipeline steps and timeline actions.

The same pydantic models are the in-memory model and the ``.tpg.json`` file format, so what is
validated on load is exactly what the session runs. Models are frozen: every edit builds a new
``Document``, which makes undo an exact restore and replay a pure function of the document.
"""

from __future__ import annotations

import builtins
import keyword
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

FORMAT = "tensor-playground-session"
FORMAT_VERSION = 1
# Names the exported script itself uses: its imports, print/float/type, and the exception classes
# its try/except blocks catch (a tensor named print made every print(...) line raise).
RESERVED_NAMES = frozenset({"torch", "error", "F", "np", "print", "float", "type"}) | frozenset(
    name for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException))

DType = Literal["float32", "float64", "int64", "bool"]
Factory = Literal[
    "tensor", "zeros", "ones", "full", "eye", "arange", "linspace", "rand", "randn",
    "zeros_like", "ones_like", "full_like", "rand_like", "randn_like",
]
RANDOM_FACTORIES = ("rand", "randn", "rand_like", "randn_like")
LIKE_FACTORIES = ("zeros_like", "ones_like", "full_like", "rand_like", "randn_like")


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


def check_name(name: str) -> str:
    """A tensor name must be usable as a Python variable in the exported script."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"{name!r} is not a valid Python name")
    if name in RESERVED_NAMES:
        raise ValueError(f"{name!r} is reserved for the exported script")
    return name


Name = Annotated[str, BeforeValidator(lambda v: check_name(v) if isinstance(v, str) else v)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TensorData(_Frozen):
    """Exact tensor values: dtype, shape and the flat row-major elements.

    Floats are kept as Python floats (float32 values widen exactly), so JSON round trips are
    bit for bit; nan and infinities are written as strings.
    """

    dtype: DType = "float32"
    shape: tuple[NonNegativeInt, ...] = ()
    data: tuple[Number, ...] = ()

    @classmethod
    def of(cls, array) -> TensorData:
        """The exact values of a numpy array (float32 elements widen to Python floats)."""
        return cls(dtype=str(array.dtype), shape=array.shape, data=tuple(array.ravel().tolist()))

    @model_validator(mode="after")
    def _size_matches_shape(self):
        if len(self.data) != math.prod(self.shape):
            raise ValueError(
                f"data has {len(self.data)} elements but shape {list(self.shape)} needs "
                f"{math.prod(self.shape)}"
            )
        return self


class Leaf(_Frozen):
    """A tensor the user defines: a factory call (``eye(4, 5)``) or literal values.

    Parameters
    ----------
    name : the Python name the tensor has in the session and in exported code.
    factory : how it is made; ``tensor`` means literal ``values``.
    shape : size for zeros/ones/full/eye/rand/randn.
    fill : the value for ``full`` / ``full_like``.
    start, end, step, steps : ``arange(start, end, step)`` and ``linspace(start, end, steps)``.
    like : the earlier leaf a ``*_like`` factory copies its shape from.
    seed : the random seed of rand/randn, recorded so replay gives the same numbers.
    """

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
        needs = {"tensor": "values", "full": "fill", "full_like": "fill", "arange": "end",
                 "linspace": "steps"}
        field = needs.get(self.factory)
        if field and getattr(self, field) is None:
            raise ValueError(f"factory {self.factory!r} needs {field!r}")
        if self.factory in LIKE_FACTORIES and not self.like:
            raise ValueError(f"factory {self.factory!r} needs 'like'")
        if self.factory == "linspace" and self.end is None:
            raise ValueError("factory 'linspace' needs 'end'")
        return self


class Step(_Frozen):
    """One pipeline step, ``name = op(operands, **params)``, op from the engine's op table.

    ``operands`` are earlier tensor names (str) or number constants; for a variadic op (``cat``)
    they are the list of tensors joined. An in-place op (``mul_``, ``add_``, ``zero_``, ...)
    changes its first operand, and the step's name is then that same tensor: ``a2 = a.mul_(2)``.
    ``no_grad`` computes the step inside ``with torch.no_grad():`` (no graph is recorded).
    """

    name: Name
    op: str
    operands: tuple[Operand, ...] = ()
    params: dict[str, ParamValue] = Field(default_factory=dict)
    no_grad: bool = False
    note: str = ""

    @property
    def in_place(self) -> bool:
        """Whether the op writes into its first operand: in-place names end in one underscore
        (``add_``), unlike dunders (``__add__``)."""
        return self.op.endswith("_") and not self.op.endswith("__")


class Seed(_Frozen):
    """The vector v of a backward call: ``implicit`` (no argument; scalars only), ``ones``
    (``torch.ones_like``), ``randn`` (``torch.randn_like`` drawn with ``seed``) or ``literal``."""

    kind: Literal["implicit", "ones", "randn", "literal"] = "ones"
    seed: NonNegativeInt = 0
    values: TensorData | None = None

    @model_validator(mode="after")
    def _literal_has_values(self):
        if self.kind == "literal" and self.values is None:
            raise ValueError("a literal seed needs 'values'")
        return self


class PrintItem(_Frozen):
    """One argument of a ``print``: some text, a tensor's value, or its ``.grad``."""

    kind: Literal["text", "value", "grad"]
    text: str


class Question(_Frozen):
    """A predict-then-reveal question: asked before its action runs, answered after it.

    ``expression`` follows the small grammar of ``predict.parse`` (a tensor name and a chain of
    ``.grad``, ``.shape``, ``[0, 1]``, ``.item()``, ... or ``outcome``); it is checked on load.
    """

    prompt: str  # e.g. "After this second backward, what is inp.grad[0, 0]?"
    expression: str  # e.g. "inp.grad[0, 0]": evaluated after the action to get the answer
    reason: str  # shown on reveal, whether the learner was right or not

    @field_validator("expression")
    @classmethod
    def _expression_in_grammar(cls, expression):
        from .predict import parse  # predict needs the engine; documents load without it

        parse(expression)  # a PredictError is a ValueError: pydantic reports it on the field
        return expression


ActionKind = Literal[
    "forward", "backward", "zero_grad", "detach", "retain_grad", "requires_grad", "print",
]
_NEEDS_TARGET = ("backward", "detach", "retain_grad", "requires_grad")


class Action(_Frozen):
    """One entry of the timeline; which fields matter depends on ``kind``.

    ``backward``: ``target``, ``seed``, ``retain_graph``. ``zero_grad``: ``targets`` and
    ``set_to_none`` (``t.grad = None``) or not (``t.grad.zero_()``). ``detach``: ``target`` and
    ``new_name``. ``retain_grad``: ``target``. ``requires_grad``: ``target``, ``flag``.
    ``forward`` runs the pipeline again (a fresh graph). ``print``: ``items`` joined by ``sep``.
    Any action may carry a ``question`` the learner answers before it runs.
    """

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
    question: Question | None = None  # predict-then-reveal; rides on an action of any kind

    @model_validator(mode="after")
    def _has_what_the_kind_needs(self):
        if self.kind in _NEEDS_TARGET and not self.target:
            raise ValueError(f"a {self.kind} action needs 'target'")
        if self.kind == "detach" and not self.new_name:
            raise ValueError("a detach action needs 'new_name'")
        if self.kind == "zero_grad" and not self.targets:
            raise ValueError("a zero_grad action needs 'targets'")
        return self


class Document(_Frozen):
    """A whole session: what is saved to ``.tpg.json`` and what replay runs."""

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
        seen = {leaf.name for leaf in info.data.get("leaves", ())}
        for step in steps:
            if step.name in seen:
                raise ValueError(f"the name {step.name!r} is used twice")
            seen.add(step.name)
        return steps

    @field_validator("leaves")
    @classmethod
    def _leaf_names_unique(cls, leaves):
        names = [leaf.name for leaf in leaves]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"the name {name!r} is used twice")
        return leaves

    @model_validator(mode="after")
    def _detached_names_are_new(self):
        taken = set(self.tensor_names())
        for index, action in enumerate(self.actions):
            if action.kind == "detach":
                if action.new_name in taken:
                    raise ValueError(f"actions.{index}.new_name: the name {action.new_name!r} "
                                     "is used twice")
                taken.add(action.new_name)
        return self

    def tensor_names(self) -> list[str]:
        """Leaves then steps, in definition order (detached tensors come from the timeline)."""
        return [leaf.name for leaf in self.leaves] + [step.name for step in self.steps]
