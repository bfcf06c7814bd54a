"""What a session *is*, as immutable data: leaves, pipeline steps and timeline actions.

The same records are the in-memory model and the ``.tpg.json`` file format, so what is checked
on load is exactly what the session runs. Records are frozen: every edit builds a new
``Document``, which makes undo an exact restore and replay a pure function of the document.

The fields and checks here are those of the pydantic models in ``document_schema``; values
already in their final form are taken here without pydantic, anything else goes to those models
(``records.py`` says why and how), so errors are pydantic's, word for word.
"""

from __future__ import annotations

import builtins
import keyword
import math
from typing import Literal

from .records import (
    Field,
    Record,
    Unsure,
    boolean,
    literal,
    non_negative,
    number,
    numbers,
    optional,
    record,
    text,
    tuple_of,
)

FORMAT = "tensor-playground-session"
FORMAT_VERSION = 1
# Names the exported script itself uses: its imports, print/float/type, and the exception classes
# its try/except blocks catch (a tensor named print made every print(...) line raise).
RESERVED_NAMES = frozenset({"torch", "error", "F", "np", "print", "float", "type"}) | frozenset(
    name for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException))

DTYPES = ("float32", "float64", "int64", "bool")
FACTORIES = (
    "tensor", "zeros", "ones", "full", "eye", "arange", "linspace", "rand", "randn",
    "zeros_like", "ones_like", "full_like", "rand_like", "randn_like",
)
DType = Literal["float32", "float64", "int64", "bool"]
RANDOM_FACTORIES = ("rand", "randn", "rand_like", "randn_like")
LIKE_FACTORIES = ("zeros_like", "ones_like", "full_like", "rand_like", "randn_like")
ACTION_KINDS = (
    "forward", "backward", "zero_grad", "detach", "retain_grad", "requires_grad", "print",
)
_NEEDS_TARGET = ("backward", "detach", "retain_grad", "requires_grad")


def check_name(name: str) -> str:
    """A tensor name must be usable as a Python variable in the exported script."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"{name!r} is not a valid Python name")
    if name in RESERVED_NAMES:
        raise ValueError(f"{name!r} is reserved for the exported script")
    return name


# -- converters of this document's own field types (see records.py) --
def _name(value):
    if type(value) is str:
        return check_name(value)  # a ValueError: pydantic says it again, in its words
    raise Unsure


def _operand(value):
    if type(value) in (str, bool, int, float):
        return value
    raise Unsure


def _param(value):
    if value is None or type(value) in (bool, int, float, str):
        return value
    if (type(value) is tuple or type(value) is list) and all(type(i) is int for i in value):
        return tuple(value)
    raise Unsure


def _params(value):
    if type(value) is dict and all(type(key) is str for key in value):
        return {key: _param(item) for key, item in value.items()}
    raise Unsure


_shape = tuple_of(non_negative)
_dtype = literal(*DTYPES)


# -- checks of a whole record: raise ValueError; the pydantic models call the same ones --
def size_matches_shape(data: TensorData) -> None:
    if len(data.data) != math.prod(data.shape):
        raise ValueError(
            f"data has {len(data.data)} elements but shape {list(data.shape)} needs "
            f"{math.prod(data.shape)}"
        )


def has_what_the_factory_needs(leaf: Leaf) -> None:
    needs = {"tensor": "values", "full": "fill", "full_like": "fill", "arange": "end",
             "linspace": "steps"}
    field = needs.get(leaf.factory)
    if field and getattr(leaf, field) is None:
        raise ValueError(f"factory {leaf.factory!r} needs {field!r}")
    if leaf.factory in LIKE_FACTORIES and not leaf.like:
        raise ValueError(f"factory {leaf.factory!r} needs 'like'")
    if leaf.factory == "linspace" and leaf.end is None:
        raise ValueError("factory 'linspace' needs 'end'")


def literal_has_values(seed: Seed) -> None:
    if seed.kind == "literal" and seed.values is None:
        raise ValueError("a literal seed needs 'values'")


def expression_in_grammar(question: Question) -> None:
    from .predict import parse  # predict needs the engine; documents load without it

    parse(question.expression)  # a PredictError is a ValueError: pydantic reports it


def has_what_the_kind_needs(action: Action) -> None:
    if action.kind in _NEEDS_TARGET and not action.target:
        raise ValueError(f"a {action.kind} action needs 'target'")
    if action.kind == "detach" and not action.new_name:
        raise ValueError("a detach action needs 'new_name'")
    if action.kind == "zero_grad" and not action.targets:
        raise ValueError("a zero_grad action needs 'targets'")


def leaf_names_unique(leaves) -> None:
    names = [leaf.name for leaf in leaves]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"the name {name!r} is used twice")


def step_names_unique(steps, leaves) -> None:
    seen = {leaf.name for leaf in leaves}
    for step in steps:
        if step.name in seen:
            raise ValueError(f"the name {step.name!r} is used twice")
        seen.add(step.name)


def detached_names_are_new(document: Document) -> None:
    taken = set(document.tensor_names())
    for index, action in enumerate(document.actions):
        if action.kind == "detach":
            if action.new_name in taken:
                raise ValueError(f"actions.{index}.new_name: the name {action.new_name!r} "
                                 "is used twice")
            taken.add(action.new_name)


def _document_names_unique(document: Document) -> None:
    leaf_names_unique(document.leaves)
    step_names_unique(document.steps, document.leaves)


# -- the records --
class TensorData(Record):
    """Exact tensor values: dtype, shape and the flat row-major elements.

    Floats are kept as Python floats (float32 values widen exactly), so JSON round trips are
    bit for bit; nan and infinities are written as strings.
    """

    __slots__ = ("dtype", "shape", "data", "_array")
    fields = (Field("dtype", _dtype, "float32"), Field("shape", _shape, ()),
              Field("data", numbers, (), number=True))
    checks = (size_matches_shape,)

    @classmethod
    def of(cls, array) -> TensorData:
        """The exact values of a numpy array (float32 elements widen to Python floats)."""
        return cls(dtype=str(array.dtype), shape=array.shape, data=tuple(array.ravel().tolist()))

    @classmethod
    def kept(cls, array) -> TensorData:
        """The exact values of ``array``, which the caller hands over and never writes again:
        the array is kept, and ``data`` is made from it only when first read (saving, comparing
        with values that are not kept). Typing a cell of a 2048² leaf converted its 4M elements
        to Python floats on the GUI thread (200–350 ms), and the replay converted them back."""
        if str(array.dtype) not in DTYPES:
            return cls.of(array)  # refused as ``of`` refuses it
        values = object.__new__(cls)
        for name, value in (("dtype", str(array.dtype)), ("shape", tuple(array.shape)),
                            ("_array", array)):
            object.__setattr__(values, name, value)
        return values

    def __getattr__(self, name):
        # Only a slot not set yet gets here: ``data`` of values made by ``kept``.
        if name != "data" or self.kept_array() is None:
            raise AttributeError(name)
        data = tuple(self._array.ravel().tolist())  # the same numbers ``of`` makes
        object.__setattr__(self, "data", data)
        return data

    def kept_array(self):
        """The array ``kept`` was given (not to be written), or None."""
        try:
            return object.__getattribute__(self, "_array")
        except AttributeError:
            return None

    def __eq__(self, other):
        mine = self.kept_array()
        theirs = other.kept_array() if type(other) is type(self) else None
        if mine is None or theirs is None:
            return super().__eq__(other)
        import numpy  # loaded with the engine already; the document module does without it

        # Element by element, as the tuples of numbers compare (nan differs, -0.0 == 0.0).
        return self.dtype == other.dtype and self.shape == other.shape and \
            bool(numpy.array_equal(mine, theirs))

    __hash__ = Record.__hash__


class Leaf(Record):
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

    __slots__ = ("name", "factory", "dtype", "requires_grad", "values", "shape", "fill",
                 "start", "end", "step", "steps", "like", "seed", "note")
    fields = (
        Field("name", _name), Field("factory", literal(*FACTORIES), "tensor"),
        Field("dtype", _dtype, "float32"), Field("requires_grad", boolean, False),
        Field("values", optional(record(TensorData)), None), Field("shape", _shape, ()),
        Field("fill", optional(number), None, number=True),
        Field("start", number, 0, number=True),
        Field("end", optional(number), None, number=True), Field("step", number, 1, number=True),
        Field("steps", optional(non_negative), None), Field("like", optional(text), None),
        Field("seed", non_negative, 0), Field("note", text, ""),
    )
    checks = (has_what_the_factory_needs,)


class Step(Record):
    """One pipeline step, ``name = op(operands, **params)``, op from the engine's op table.

    ``operands`` are earlier tensor names (str) or number constants; for a variadic op (``cat``)
    they are the list of tensors joined. An in-place op (``mul_``, ``add_``, ``zero_``, ...)
    changes its first operand, and the step's name is then that same tensor: ``a2 = a.mul_(2)``.
    ``no_grad`` computes the step inside ``with torch.no_grad():`` (no graph is recorded).
    """

    __slots__ = ("name", "op", "operands", "params", "no_grad", "note")
    fields = (Field("name", _name), Field("op", text), Field("operands", tuple_of(_operand), ()),
              Field("params", _params, factory=dict), Field("no_grad", boolean, False),
              Field("note", text, ""))

    @property
    def in_place(self) -> bool:
        """Whether the op writes into its first operand: in-place names end in one underscore
        (``add_``), unlike dunders (``__add__``)."""
        return self.op.endswith("_") and not self.op.endswith("__")


class Seed(Record):
    """The vector v of a backward call: ``implicit`` (no argument; scalars only), ``ones``
    (``torch.ones_like``), ``randn`` (``torch.randn_like`` drawn with ``seed``) or ``literal``."""

    __slots__ = ("kind", "seed", "values")
    fields = (Field("kind", literal("implicit", "ones", "randn", "literal"), "ones"),
              Field("seed", non_negative, 0),
              Field("values", optional(record(TensorData)), None))
    checks = (literal_has_values,)


class PrintItem(Record):
    """One argument of a ``print``: some text, a tensor's value, or its ``.grad``."""

    __slots__ = ("kind", "text")
    fields = (Field("kind", literal("text", "value", "grad")), Field("text", text))


class Question(Record):
    """A predict-then-reveal question: asked before its action runs, answered after it.

    ``expression`` follows the small grammar of ``predict.parse`` (a tensor name and a chain of
    ``.grad``, ``.shape``, ``[0, 1]``, ``.item()``, ... or ``outcome``); it is checked on load.
    """

    __slots__ = ("prompt", "expression", "reason")
    # prompt, e.g. "After this second backward, what is inp.grad[0, 0]?"; expression, e.g.
    # "inp.grad[0, 0]", evaluated after the action; reason, shown on reveal either way.
    fields = (Field("prompt", text), Field("expression", text), Field("reason", text))
    checks = (expression_in_grammar,)


class Action(Record):
    """One entry of the timeline; which fields matter depends on ``kind``.

    ``backward``: ``target``, ``seed``, ``retain_graph``. ``zero_grad``: ``targets`` and
    ``set_to_none`` (``t.grad = None``) or not (``t.grad.zero_()``). ``detach``: ``target`` and
    ``new_name``. ``retain_grad``: ``target``. ``requires_grad``: ``target``, ``flag``.
    ``forward`` runs the pipeline again (a fresh graph). ``print``: ``items`` joined by ``sep``.
    Any action may carry a ``question`` the learner answers before it runs.
    """

    __slots__ = ("kind", "target", "targets", "seed", "retain_graph", "set_to_none", "flag",
                 "new_name", "items", "sep", "note", "question")
    fields = (
        Field("kind", literal(*ACTION_KINDS)), Field("target", text, ""),
        Field("targets", tuple_of(text), ()), Field("seed", record(Seed), Seed.model_construct()),
        Field("retain_graph", boolean, False), Field("set_to_none", boolean, False),
        Field("flag", boolean, True), Field("new_name", optional(_name), None),
        Field("items", tuple_of(record(PrintItem)), ()), Field("sep", text, " "),
        Field("note", text, ""), Field("question", optional(record(Question)), None),
    )
    checks = (has_what_the_kind_needs,)


class Document(Record):
    """A whole session: what is saved to ``.tpg.json`` and what replay runs."""

    __slots__ = ("format", "version", "title", "note", "leaves", "steps", "actions")
    fields = (
        Field("format", literal(FORMAT), FORMAT),
        Field("version", literal(FORMAT_VERSION), FORMAT_VERSION),
        Field("title", text, ""), Field("note", text, ""),
        Field("leaves", tuple_of(record(Leaf)), ()), Field("steps", tuple_of(record(Step)), ()),
        Field("actions", tuple_of(record(Action)), ()),
    )
    checks = (_document_names_unique, detached_names_are_new)

    def tensor_names(self) -> list[str]:
        """Leaves then steps, in definition order (detached tensors come from the timeline)."""
        return [leaf.name for leaf in self.leaves] + [step.name for step in self.steps]
