"""The table of user-facing operations, for the playground to list, apply and write as code.

Each entry says how the op is called (operands, parameters with kinds and defaults), how PyTorch
code spells it (an operator, a method or a function), and which group the op palette shows it in.
The derivative formulas live on the op classes themselves (``grad_fn.formulas``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import engine

REQUIRED = object()

GROUPS = ("elementwise", "activations", "reductions", "shape", "linear algebra", "losses")


@dataclass(frozen=True)
class Param:
    """A non-tensor argument. ``kind``: int, float, bool, ints (a tuple), choice, number."""

    name: str
    kind: str
    default: object = REQUIRED
    optional: bool = False  # None is allowed (``dim=None`` means "all")
    choices: tuple = ()


@dataclass(frozen=True)
class OpSpec:
    """One operation as the playground offers it.

    ``operands`` name the tensor arguments in order; ``numbers_ok`` those that may also be a
    Python number (``inp + 1``); ``variadic`` means the single operand is a list (``cat``).
    ``style`` is how PyTorch code writes it: ``operator`` (``symbol``), ``method`` or
    ``function`` (``path`` such as ``torch.nn.functional.mse_loss``).
    """

    name: str
    group: str
    func: Callable
    operands: tuple[str, ...]
    params: tuple[Param, ...] = ()
    style: str = "method"
    symbol: str = ""
    path: str = ""
    numbers_ok: tuple[str, ...] = ()
    variadic: bool = False
    suffix: str = ""  # appended to the call in code, e.g. ``.values`` for max(dim=...)
    doc: str = ""
    extra: dict = field(default_factory=dict)

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params if p.default is not REQUIRED}

    def apply(self, operands, params: dict):
        """Run the op: ``operands`` are tensors or numbers (a list for variadic ops)."""
        values = {**self.defaults(), **params}
        missing = [p.name for p in self.params if p.name not in values]
        if missing:
            raise TypeError(f"{self.name}() missing required argument '{missing[0]}'")
        if self.variadic:
            return self.func(list(operands), **values)
        return self.func(*operands, **values)


# The shape ops take ``*shape`` in PyTorch; the table passes one named tuple.
def _reshape(x, shape):
    return engine.reshape(x, *shape)


def _view(x, shape):
    return engine.view(x, *shape)


def _permute(x, dims):
    return engine.permute(x, *dims)


def _expand(x, shape):
    return engine.expand(x, *shape)


def _max_values(x, dim=None, keepdim=False):
    return x.max() if dim is None else x.max(dim, keepdim).values


def _min_values(x, dim=None, keepdim=False):
    return x.min() if dim is None else x.min(dim, keepdim).values


DIM_OPTIONAL = Param("dim", "int", None, optional=True)
KEEPDIM = Param("keepdim", "bool", False)
REDUCTION = Param("reduction", "choice", "mean", choices=("mean", "sum", "none"))


def _unary(name, group="elementwise", doc=""):
    return OpSpec(name, group, getattr(engine, name), ("input",), doc=doc)


def _operator(name, symbol, doc=""):
    return OpSpec(
        name, "elementwise", getattr(engine, name), ("input", "other"), style="operator",
        symbol=symbol, numbers_ok=("input", "other"), doc=doc,
    )


def _build_table() -> dict[str, OpSpec]:
    from engine.nn import functional as F

    specs = [
        _operator("add", "+", "Add elementwise, broadcasting shapes."),
        _operator("sub", "-", "Subtract elementwise."),
        _operator("mul", "*", "Multiply elementwise."),
        _operator("div", "/", "Divide elementwise (true division)."),
        OpSpec("pow", "elementwise", engine.pow, ("input", "exponent"),
               numbers_ok=("exponent",), doc="Raise to a power elementwise."),
        _unary("neg", doc="Negate."),
        _unary("abs", doc="Absolute value."),
        _unary("exp", doc="e to the power of each element."),
        _unary("log", doc="Natural logarithm."),
        _unary("sqrt", doc="Square root."),
        _unary("sin", doc="Sine."),
        _unary("cos", doc="Cosine."),
        _unary("reciprocal", doc="1 / x."),
        OpSpec("clamp", "elementwise", engine.clamp, ("input",),
               (Param("min", "float", None, optional=True),
                Param("max", "float", None, optional=True)), doc="Limit values to [min, max]."),
        OpSpec("maximum", "elementwise", engine.maximum, ("input", "other"), style="function",
               path="torch.maximum", doc="The larger of two tensors, elementwise."),
        OpSpec("minimum", "elementwise", engine.minimum, ("input", "other"), style="function",
               path="torch.minimum", doc="The smaller of two tensors, elementwise."),
        OpSpec("where", "elementwise", engine.where, ("condition", "input", "other"),
               style="function", path="torch.where", numbers_ok=("input", "other"),
               doc="Pick from input where condition holds, else from other."),
        OpSpec("gt", "elementwise", engine.gt, ("input", "other"), style="operator",
               symbol=">", numbers_ok=("other",), doc="Greater than (a bool tensor)."),
        OpSpec("lt", "elementwise", engine.lt, ("input", "other"), style="operator",
               symbol="<", numbers_ok=("other",), doc="Less than (a bool tensor)."),
        _unary("relu", "activations", "max(x, 0)."),
        _unary("sigmoid", "activations", "1 / (1 + exp(-x))."),
        _unary("tanh", "activations", "Hyperbolic tangent."),
        OpSpec("softmax", "activations", F.softmax, ("input",), (Param("dim", "int", -1),),
               style="function", path="torch.softmax", doc="exp(x) / sum(exp(x)) along dim."),
        OpSpec("log_softmax", "activations", F.log_softmax, ("input",),
               (Param("dim", "int", -1),), style="function",
               path="torch.nn.functional.log_softmax", doc="log(softmax(x)) along dim."),
        OpSpec("sum", "reductions", engine.sum, ("input",), (DIM_OPTIONAL, KEEPDIM),
               doc="Sum of all elements, or along dim."),
        OpSpec("mean", "reductions", engine.mean, ("input",), (DIM_OPTIONAL, KEEPDIM),
               doc="Mean of all elements, or along dim."),
        OpSpec("max", "reductions", _max_values, ("input",), (DIM_OPTIONAL, KEEPDIM),
               suffix=".values", doc="Largest element, or largest along dim."),
        OpSpec("min", "reductions", _min_values, ("input",), (DIM_OPTIONAL, KEEPDIM),
               suffix=".values", doc="Smallest element, or smallest along dim."),
        _unary("t", "shape", "Transpose a matrix."),
        OpSpec("transpose", "shape", engine.transpose, ("input",),
               (Param("dim0", "int", 0), Param("dim1", "int", 1)), doc="Swap two dimensions."),
        OpSpec("permute", "shape", _permute, ("input",), (Param("dims", "ints"),),
               doc="Reorder dimensions."),
        OpSpec("reshape", "shape", _reshape, ("input",), (Param("shape", "ints"),),
               doc="Same elements, new shape (-1 infers one size)."),
        OpSpec("view", "shape", _view, ("input",), (Param("shape", "ints"),),
               doc="Reshape without copying (needs compatible memory)."),
        OpSpec("flatten", "shape", engine.flatten, ("input",),
               (Param("start_dim", "int", 0), Param("end_dim", "int", -1)),
               doc="Merge dimensions into one."),
        OpSpec("squeeze", "shape", engine.squeeze, ("input",), (DIM_OPTIONAL,),
               doc="Drop dimensions of size 1."),
        OpSpec("unsqueeze", "shape", engine.unsqueeze, ("input",), (Param("dim", "int", 0),),
               doc="Insert a dimension of size 1."),
        OpSpec("expand", "shape", _expand, ("input",), (Param("shape", "ints"),),
               doc="Broadcast to a larger shape without copying."),
        OpSpec("cat", "shape", engine.cat, ("tensors",), (Param("dim", "int", 0),),
               style="function", path="torch.cat", variadic=True,
               doc="Join tensors along an existing dimension."),
        OpSpec("stack", "shape", engine.stack, ("tensors",), (Param("dim", "int", 0),),
               style="function", path="torch.stack", variadic=True,
               doc="Join tensors along a new dimension."),
        OpSpec("matmul", "linear algebra", engine.matmul, ("input", "other"), style="operator",
               symbol="@", doc="Matrix product (dot, mv, mm or batched by shape)."),
        OpSpec("mm", "linear algebra", engine.mm, ("input", "mat2"), doc="Matrix x matrix."),
        OpSpec("mv", "linear algebra", engine.mv, ("input", "vec"), doc="Matrix x vector."),
        OpSpec("dot", "linear algebra", engine.dot, ("input", "tensor"), style="function",
               path="torch.dot", doc="Dot product of two vectors."),
        OpSpec("outer", "linear algebra", engine.outer, ("input", "vec2"), style="function",
               path="torch.outer", doc="Outer product of two vectors."),
        OpSpec("linear", "linear algebra", F.linear, ("input", "weight", "bias"),
               style="function", path="torch.nn.functional.linear",
               doc="input @ weight.T + bias."),
        OpSpec("mse_loss", "losses", F.mse_loss, ("input", "target"), (REDUCTION,),
               style="function", path="torch.nn.functional.mse_loss",
               doc="Mean squared error."),
        OpSpec("binary_cross_entropy", "losses", F.binary_cross_entropy, ("input", "target"),
               (REDUCTION,), style="function",
               path="torch.nn.functional.binary_cross_entropy",
               doc="BCE of probabilities in [0, 1]."),
        OpSpec("binary_cross_entropy_with_logits", "losses",
               F.binary_cross_entropy_with_logits, ("input", "target"), (REDUCTION,),
               style="function", path="torch.nn.functional.binary_cross_entropy_with_logits",
               doc="BCE of logits (sigmoid folded in)."),
        OpSpec("cross_entropy", "losses", F.cross_entropy, ("input", "target"), (REDUCTION,),
               style="function", path="torch.nn.functional.cross_entropy",
               doc="Cross entropy with class-index targets."),
    ]
    return {spec.name: spec for spec in specs}


_TABLE: dict[str, OpSpec] | None = None


def op_table() -> dict[str, OpSpec]:
    """Every user-facing op by name (built on first use, after ``engine.nn`` is loaded)."""
    global _TABLE
    if _TABLE is None:
        _TABLE = _build_table()
    return _TABLE


def ops_in_group(group: str) -> list[OpSpec]:
    return [spec for spec in op_table().values() if spec.group == group]


# -- in place --
# Kept out of ``op_table()``: the palette and the fuzzer enumerate that table as pure ops, while
# these change their first operand (a lesson step ``a2 = a.mul_(2)`` makes ``a2`` *be* ``a``).
INPLACE_GROUP = "in place"


def _inplace(name, operands=("input",), params=(), numbers_ok=(), doc=""):
    def apply(x, *args, **kwargs):
        return getattr(x, name)(*args, **kwargs)

    apply.__name__ = name
    return OpSpec(name, INPLACE_GROUP, apply, operands, params, numbers_ok=numbers_ok, doc=doc)


def _build_inplace_table() -> dict[str, OpSpec]:
    binary = ("input", "other")
    specs = [
        _inplace("add_", binary, numbers_ok=("other",), doc="Add into the tensor itself."),
        _inplace("sub_", binary, numbers_ok=("other",), doc="Subtract in place."),
        _inplace("mul_", binary, numbers_ok=("other",), doc="Multiply in place."),
        _inplace("div_", binary, numbers_ok=("other",), doc="Divide in place."),
        _inplace("pow_", ("input", "exponent"), numbers_ok=("exponent",),
                 doc="Raise to a power in place."),
        _inplace("clamp_", params=(Param("min", "float", None, optional=True),
                                   Param("max", "float", None, optional=True)),
                 doc="Limit values to [min, max] in place."),
        _inplace("exp_", doc="e to the power of each element, in place."),
        _inplace("neg_", doc="Negate in place."),
        _inplace("relu_", doc="max(x, 0) in place."),
        _inplace("zero_", doc="Set every element to 0 in place."),
        _inplace("fill_", params=(Param("value", "number"),), doc="Set every element in place."),
    ]
    return {spec.name: spec for spec in specs}


_INPLACE: dict[str, OpSpec] | None = None


def inplace_table() -> dict[str, OpSpec]:
    """Ops that write into their first operand and return it (``a.mul_(2)``), by name."""
    global _INPLACE
    if _INPLACE is None:
        _INPLACE = _build_inplace_table()
    return _INPLACE
