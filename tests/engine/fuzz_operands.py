"""Operands, parameters and index keys that fit the tensors a fuzz program has made so far.

Every function takes the drawing context of ``fuzz_strategies.Context`` (``ctx``): its
``chance``/``choice``/``integer`` draw, ``pick`` chooses a tensor made so far and ``leaf`` adds a
new one. A few percent of the draws are deliberately wrong (a dim out of range, a shape that does
not fit), so that errors are compared too.
"""

from __future__ import annotations

import math

import torch

from tests.engine.fuzz_programs import INCLUDE_KNOWN_ISSUES, Op, V

NUMBERS = (0, 1, 2, -1, 0.5, -2.5, 3.0, 0.0, True, -0.0, math.inf, math.nan)
POW_EXPONENTS = (2, 3, 0.5, -1, 0, 2.5, -2, 1, -0.5)
BROADCASTING = ("add", "sub", "mul", "div", "pow", "maximum", "minimum", "gt", "lt")
FIRST_NDIM = {
    "mm": (2,), "mv": (2,), "dot": (1,), "outer": (1,), "matmul": (1, 2, 3), "linear": (1, 2, 3),
    "cross_entropy": (1, 2), "t": (0, 1, 2),
}
FLOAT = ("float32", "float32", "float64")


# -- shapes --------------------------------------------------------------------------------------
def broadcastable(a: tuple, b: tuple) -> bool:
    return all(x == y or x == 1 or y == 1 for x, y in zip(reversed(a), reversed(b)))


def fits_into(small: tuple, shape: tuple) -> bool:
    """``small`` broadcasts to exactly ``shape``."""
    return len(small) <= len(shape) and all(
        x == y or x == 1 for x, y in zip(reversed(small), reversed(shape))
    )


def shape_into(ctx, shape: tuple) -> tuple:
    """A shape that broadcasts to ``shape`` (a suffix of it, some sizes 1); now and then not."""
    keep = ctx.integer(0, len(shape))
    result = [1 if ctx.chance(30) else n for n in shape[len(shape) - keep:]]
    if ctx.chance(3):
        result = [n + 1 for n in result] or [2]
    return tuple(result)


def broadcast_partner(ctx, shape: tuple) -> tuple:
    """A shape that broadcasts with ``shape``: a suffix, sizes made 1, maybe more leading dims."""
    result = list(shape_into(ctx, shape))
    result = [ctx.choice((2, 3)) if n == 1 and ctx.chance(15) else n for n in result]
    if ctx.chance(15):
        result = [ctx.choice((1, 2, 3)) for _ in range(ctx.integer(1, 2))] + result
    return tuple(result)


def _tensor_like(ctx, shape: tuple, dtype=None, **leaf) -> V:
    return ctx.leaf(shape, dtype or (ctx.choice(FLOAT) if ctx.chance(90) else None), **leaf)


def partner(ctx, first: V) -> V:
    """A second operand for a broadcasting op: a tensor made so far, or a new leaf."""
    shape = tuple(ctx.tensor(first).shape)

    def fits(t):
        return broadcastable(tuple(t.shape), shape) and (t.dtype.is_floating_point or
                                                         ctx.chance(20))

    found = ctx.pick(fits) if ctx.chance(40) else None
    return found if found is not None else _tensor_like(ctx, broadcast_partner(ctx, shape))


# -- operands ------------------------------------------------------------------------------------
LAYOUT_BOUND = ("view", "reshape", "flatten", "matmul", "linear")  # these depend on strides


def first_operand(ctx, name: str) -> V:
    ndims = FIRST_NDIM.get(name)

    def usable(t):  # known issues: the engine lays some results out otherwise (see Context);
        if name in ("softmax", "log_softmax") and not INCLUDE_KNOWN_ISSUES:  # empty int ones;
            return t.dtype.is_floating_point or t.numel() > 0
        if name in ("sin", "cos") and t.dtype.is_floating_point:  # exclusion: large arguments,
            finite = t.detach()[t.detach().isfinite()]  # where 1 ulp of x (e.g. from exp, 1 ulp
            limit = 64 if t.dtype == torch.float32 else 1e4  # apart in numpy and torch) moves
            return finite.numel() == 0 or float(finite.abs().max()) < limit  # sin(x) by > 1e-5
        return name not in LAYOUT_BOUND or id(t) not in ctx.laid_out_otherwise

    def fits(t):
        return usable(t) and t.dtype.is_floating_point and (ndims is None or t.dim() in ndims)

    found = ctx.pick(usable if ctx.chance(8) else fits)
    if found is None:
        found = ctx.leaf(ctx.shape(ctx.choice(ndims) if ndims else None), ctx.choice(FLOAT))
    return found


def _matmul_partner(ctx, shape: tuple, on_right: bool) -> tuple:
    n = shape[-1] if on_right else shape[0] if len(shape) < 2 else shape[-2]
    m, batch = ctx.choice((1, 2, 3)), ctx.choice((1, 2, 3))
    if len(shape) == 3:
        batch = ctx.choice((shape[0], 1))
    forms = [(n,), (n, m) if on_right else (m, n), ((batch, n, m) if on_right else (batch, m, n))]
    return ctx.choice(forms)


def _linalg(ctx, name: str, first: V):
    shape = tuple(ctx.tensor(first).shape) or (1,)
    dtype = str(ctx.tensor(first).dtype).split(".")[-1] if ctx.chance(90) else None
    if name == "matmul":
        on_right = ctx.chance(75)
        other = _tensor_like(ctx, _matmul_partner(ctx, shape, on_right), dtype)
        return [first, other] if on_right else [other, first]
    if name == "linear":
        out = ctx.choice((1, 2, 3))
        weight = _tensor_like(ctx, (out, shape[-1]), dtype)
        return [first, weight, _tensor_like(ctx, (out,), dtype)]
    sizes = {"mm": (shape[-1], ctx.choice((1, 2, 3))), "mv": (shape[-1],), "dot": (shape[0],),
             "outer": (ctx.choice((1, 2, 3)),)}
    return [first, _tensor_like(ctx, sizes[name], dtype)]


def _loss(ctx, name: str, first: V, hints: dict):
    shape = tuple(ctx.tensor(first).shape)
    if name == "cross_entropy":
        classes = shape[-1] if shape else 1
        if ctx.chance(30):
            return [first, ctx.leaf(shape, "float32", "unit", requires_grad=False)]
        batch = shape[:-1] if ctx.chance(90) else shape
        if len(shape) == 1 and not INCLUDE_KNOWN_ISSUES:  # known issue: -0 for 'none'
            hints["reduction"] = ctx.choice(("sum", "mean"))
        return [first, ctx.leaf(batch, "int64", f"classes{max(classes, 1)}")]
    if name == "binary_cross_entropy" and ctx.chance(70):
        first = ctx.add(Op("sigmoid", (first,)))
    if name == "mse_loss":
        target_shape = shape if ctx.chance(85) else shape_into(ctx, shape)
        return [first, _tensor_like(ctx, target_shape, requires_grad=ctx.chance(30))]
    return [first, ctx.leaf(shape, ctx.choice(FLOAT), "unit", requires_grad=ctx.chance(10))]


def _where(ctx, first: V):
    shape = tuple(ctx.tensor(first).shape)

    def fits(t):
        return str(t.dtype).endswith("bool") and broadcastable(tuple(t.shape), shape)

    condition = ctx.pick(fits) if ctx.chance(40) else None
    if condition is None:
        if ctx.chance(50):
            condition = ctx.add(Op("gt", (first, ctx.choice((0.0, 0.5, -1)))))
        else:
            condition = ctx.leaf(broadcast_partner(ctx, shape), "bool")
    other = ctx.choice(NUMBERS) if ctx.chance(30) else partner(ctx, first)
    chosen = ctx.choice(NUMBERS) if ctx.chance(15) else first
    return [condition, chosen, other] if ctx.chance(60) else [condition, other, chosen]


def _variadic(ctx, name: str, first: V, hints: dict):
    shape = tuple(ctx.tensor(first).shape)
    ndim = len(shape)
    tensors = [first]
    dim = ctx.integer(0, max(ndim - 1, 0))
    hints["dim"] = dim - ndim if ndim and ctx.chance(30) else dim
    for _ in range(ctx.integer(0, 2)):
        if ctx.chance(25):
            tensors.append(first)
            continue
        new_shape = list(shape)
        if name == "cat" and ndim:
            new_shape[dim] = ctx.choice((1, 2, 3))
        if ctx.chance(3):
            new_shape.append(2)
        tensors.append(_tensor_like(ctx, tuple(new_shape)))
    return [tuple(tensors)]


def op_operands(ctx, spec):
    """``(operands, first, hints)`` for op ``spec``: ``first`` is the tensor the params fit."""
    name = spec.name
    first = first_operand(ctx, name)
    hints: dict = {}
    if spec.variadic:
        return _variadic(ctx, name, first, hints), first, hints
    if name in FIRST_NDIM and name not in ("t", "cross_entropy"):
        return _linalg(ctx, name, first), first, hints
    if spec.group == "losses":
        return _loss(ctx, name, first, hints), first, hints
    if name == "where":
        return _where(ctx, first), first, hints
    if name not in BROADCASTING:
        return [first], first, hints
    second = spec.operands[1]
    if name == "pow" and ctx.chance(60):
        return [first, ctx.choice(POW_EXPONENTS)], first, hints
    if second in spec.numbers_ok and ctx.chance(30):
        number = ctx.choice(NUMBERS)
        swap = spec.operands[0] in spec.numbers_ok and ctx.chance(40)
        return ([number, first] if swap else [first, number]), first, hints
    other = partner(ctx, first)
    return ([other, first] if ctx.chance(30) else [first, other]), first, hints


# -- parameters ----------------------------------------------------------------------------------
def dim_value(ctx, ndim: int, optional=False):
    """A dim for a tensor of ``ndim`` dims, sometimes negative, None or out of range."""
    if optional and ctx.chance(35):
        return None
    size = max(ndim, 1)
    if ctx.chance(4):
        return ctx.choice((size, -size - 1))
    return ctx.integer(-size, size - 1)


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0] or [0]


def reshape_shape(ctx, shape: tuple) -> tuple:
    numel = math.prod(shape)
    sizes, rest = [], numel
    for _ in range(ctx.integer(0, 3)):
        size = ctx.choice(_divisors(rest)) if rest else ctx.choice((0, 1, 2))
        sizes.append(size)
        rest = rest // size if size else rest
    if rest != 1 or not sizes:
        sizes.append(rest)
    if ctx.chance(30):
        sizes[ctx.integer(0, len(sizes) - 1)] = -1
    if ctx.chance(4):
        sizes[0] += 1
    return tuple(sizes)


def expand_shape(ctx, shape: tuple) -> tuple:
    sizes = [ctx.choice((1, 2, 3, -1)) if n == 1 else (-1 if ctx.chance(25) else n)
             for n in shape]
    if ctx.chance(4) and sizes:
        sizes[-1] = 5
    lead = [ctx.choice((1, 2, 3)) for _ in range(ctx.integer(0, 2))]
    return tuple(lead + sizes)


def permutation(ctx, ndim: int) -> tuple:
    order = list(ctx.draw(_permutations(ndim)))
    order = [d - ndim if ctx.chance(30) else d for d in order]
    if ctx.chance(4):
        order = order[:-1] if order else [0]
    return tuple(order)


def _permutations(ndim):
    from hypothesis import strategies as st

    return st.permutations(list(range(ndim)))


def op_params(ctx, spec, first: V, hints: dict) -> tuple:
    """Values for the op's parameters, in the op table's order."""
    shape = tuple(ctx.tensor(first).shape)
    ndim = len(shape)
    values = []
    for param in spec.params:
        if param.name == "reduction" and "reduction" in hints:
            value = hints["reduction"]
        elif param.name == "dim" and "dim" in hints and ctx.chance(95):
            value = hints["dim"]
        elif param.name == "dim" and spec.name in ("stack", "unsqueeze"):
            value = dim_value(ctx, ndim + 1)
        elif param.kind == "int":
            value = dim_value(ctx, ndim, param.optional)
        elif param.kind == "ints":
            makers = {"permute": permutation, "expand": expand_shape}
            maker = makers.get(spec.name, reshape_shape)
            value = maker(ctx, ndim if maker is permutation else shape)
        elif param.kind == "float":
            value = ctx.choice((None, None, -1.0, -0.5, 0.0, 0.5, 1.0, 2, 1.5))
        elif param.kind == "bool":
            value = ctx.chance(50)
        else:
            value = ctx.choice(param.choices)
        values.append(value)
    return tuple(values)


# -- index keys ----------------------------------------------------------------------------------
def _index_part(ctx, size: int):
    kind = ctx.choice(("int",) * 8 + ("slice",) * 8 + ("list", "list", "tensor"))
    if kind == "int":
        return size if ctx.chance(4) else ctx.integer(-size, size - 1) if size else 0
    if kind == "slice":
        bounds = (None, None) + tuple(range(-size, size + 1))
        step = ctx.choice((None, None, 1, 2, 3))
        return slice(ctx.choice(bounds), ctx.choice(bounds), step)
    picks = [ctx.integer(-size, size - 1) for _ in range(ctx.integer(1, 3))] if size else []
    if kind == "list":
        return picks
    return ctx.leaf((len(picks),), "int64", f"classes{max(size, 1)}")


def key_parts(ctx, source: V) -> list:
    """The parts of an index key for the tensor in ``source``: ints, slices, lists, an int64 or
    bool tensor, None and ``...``; at most one advanced part."""
    shape = tuple(ctx.tensor(source).shape)
    if ctx.chance(5):  # a whole-tensor mask
        if ctx.chance(50):
            return [ctx.add(Op("gt", (source, ctx.choice((0.0, 1.0)))))]
        return [ctx.leaf(shape, "bool")]
    used = ctx.integer(0, len(shape))
    parts, advanced = [], False
    for size in shape[:used]:
        part = _index_part(ctx, size)
        if isinstance(part, (list, V)):
            if advanced:
                part = slice(None)
            advanced = True
        parts.append(part)
        if ctx.chance(8):
            parts.append(None)
    if ctx.chance(12):
        parts.insert(ctx.integer(0, len(parts)), Ellipsis)
    if ctx.chance(8):
        parts.insert(0, None)
    return parts


def draw_key(ctx, source: V):
    """An index key for the tensor in ``source``: one part alone, or a tuple of them."""
    parts = key_parts(ctx, source)
    if len(parts) == 1 and ctx.chance(70):
        return parts[0]
    return tuple(parts)
