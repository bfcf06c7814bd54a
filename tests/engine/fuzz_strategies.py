"""Hypothesis strategy for fuzz programs (see ``fuzz_programs.py``).

Each step is drawn knowing the values made so far: the program is run in PyTorch as it is drawn,
so shapes, dims and partners fit and most programs are valid. An op whose forward PyTorch refuses
is usually redrawn (the check runs on detached operands, so it changes nothing); some are kept,
to compare the errors too.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch
from hypothesis import strategies as st

from tests.engine.fuzz_operands import (
    NUMBERS,
    broadcastable,
    fits_into,
    key_parts,
    op_operands,
    op_params,
    shape_into,
)
from tests.engine.fuzz_programs import (
    INCLUDE_KNOWN_ISSUES,
    INPLACE_METHODS,
    OPS,
    Backward,
    Detach,
    GetItem,
    InPlace,
    Leaf,
    Op,
    Program,
    RetainGrad,
    Runner,
    SetItem,
    V,
    ZeroGrads,
    call_op,
    is_tensor,
)

SPECIALS = (0.0, -0.0, math.inf, -math.inf, math.nan)
OP_NAMES = sorted(OPS)
# Engine bugs outside the op files, each pinned by a strict xfail in test_fuzz_regressions.py;
# programs that would meet them are not drawn unless FUZZ_KNOWN_ISSUES=1 (to check a fix).
KNOWN_ISSUES = (
    "test_writing_one_row_of_an_expanded_tensor_writes_the_memory_they_share",
    "test_clamp_in_place_of_an_int_tensor_refuses_with_pytorchs_words",
    "test_detach_in_place_of_a_view_refuses_with_pytorchs_words",
    "test_in_place_result_bigger_than_its_target_refuses_with_pytorchs_words",
    "test_view_made_under_no_grad_requires_grad_like_its_base",
    "test_views_of_a_tensor_changed_in_place_see_the_change_in_backward",
    "test_in_place_on_a_transposed_view_under_no_grad_regenerates_its_grad_fn",
    "test_retained_grad_survives_an_in_place_change",
    "test_leaf_detached_in_place_gets_no_grad",
)
STEP_KINDS = (
    ("op", 55), ("getitem", 9), ("inplace", 9), ("setitem", 5), ("detach", 4),
    ("retain_grad", 4), ("leaf", 5), ("backward", 5), ("zero_grads", 4),
)


class Context:
    """The program being drawn and its live PyTorch run."""

    def __init__(self, draw, op_names=OP_NAMES):
        self.draw = draw
        self.op_names = op_names
        self.runner = Runner(torch)
        self.steps: list = []
        self.overlapping: set[int] = set()  # ids of tensors written only with PyTorch's checks

    # -- drawing --
    def chance(self, percent: int) -> bool:
        """True ``percent`` % of the time (shrinks to False)."""
        return self.draw(st.integers(0, 99)) >= 100 - percent

    def choice(self, options):
        return self.draw(st.sampled_from(options))

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    # -- the program --
    def add(self, step) -> V:
        self.steps.append(step)
        try:
            self.runner.apply(step)
        except Exception:  # noqa: BLE001, S110 - errors are compared when the program is run
            pass
        self._note_overlap(step, self.runner.env[-1])
        return V(len(self.steps) - 1)

    def _note_overlap(self, step, value):
        """Remember tensors whose memory repeats (expand) and what is viewed from them."""
        if not is_tensor(value):
            return
        sources = [self.runner.value(v) for v in _inputs(step)]
        storage = value.untyped_storage().data_ptr()
        if any(n > 1 and stride == 0 for n, stride in zip(value.shape, value.stride())) or any(
            is_tensor(t) and id(t) in self.overlapping
            and t.untyped_storage().data_ptr() == storage for t in sources
        ):
            self.overlapping.add(id(value))

    def tensor(self, ref: V):
        return self.runner.env[ref.index]

    def refs(self, accept=None) -> list[V]:
        return [
            V(i) for i, value in enumerate(self.runner.env)
            if is_tensor(value) and (accept is None or accept(value))
        ]

    def pick(self, accept=None, latest=50):
        """A tensor made so far: often the latest (chains), else any (DAGs); None if none."""
        refs = self.refs(accept)
        if not refs:
            return None
        return refs[-1] if self.chance(latest) else self.choice(refs)

    def producer(self, ref: V):
        """The step that made the tensor in ``ref`` (in-place steps return their target)."""
        value = self.tensor(ref)
        for index, other in enumerate(self.runner.env):
            if other is value:
                return self.steps[index]
        return None

    # -- new leaves --
    def shape(self, ndim=None) -> tuple:
        ndim = self.choice((0, 1, 1, 2, 2, 2, 3, 3)) if ndim is None else ndim
        sides = (1, 1, 2, 3, 4, 0) if self.chance(4) else (1, 1, 2, 3, 4)
        return tuple(self.choice(sides) for _ in range(ndim))

    def leaf(self, shape=None, dtype=None, domain="any", requires_grad=None) -> V:
        shape = self.shape() if shape is None else tuple(shape)
        if dtype is None:
            dtype = self.choice(("float32",) * 10 + ("float64",) * 7 + ("int64", "bool"))
        if requires_grad is None:
            requires_grad = dtype.startswith("float") and self.chance(75)
        seed = self.integer(0, 2**16)
        specials = domain == "any" and dtype.startswith("float") and self.chance(12)
        values = leaf_values(shape, dtype, domain, seed, specials)
        return self.add(Leaf(values, dtype, requires_grad))


def _inputs(step) -> list:
    if isinstance(step, Op):
        return [v for item in step.operands for v in (item if isinstance(item, tuple) else (item,))
                if isinstance(v, V)]
    source = getattr(step, "source", None)
    return [source] if source is not None else []


def leaf_values(shape, dtype, domain, seed, specials):
    """Nested lists of Python numbers: quarters in [-3, 3] mostly (exact sums, many ties)."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        data = rng.random(shape) < 0.5
    elif dtype == "int64":
        high = int(domain[len("classes"):]) if domain.startswith("classes") else 4
        data = rng.integers(0 if domain.startswith("classes") else -3, high, shape)
    elif domain == "positive":
        data = rng.integers(1, 13, shape) / 4
    elif domain == "unit":
        data = rng.integers(0, 9, shape) / 8
    elif rng.random() < 0.2:
        data = rng.uniform(-3, 3, shape)
    else:
        data = rng.integers(-12, 13, shape) / 4
    data = np.asarray(data)
    if specials:
        picks = rng.integers(0, len(SPECIALS), shape)
        mask = rng.random(shape) < 0.25
        data = np.where(mask, np.asarray(SPECIALS)[picks], data)
    return data.tolist()


# -- checking a candidate in PyTorch without changing anything --
def _detached(value):
    if isinstance(value, tuple):
        return tuple(_detached(v) for v in value)
    return value.detach() if is_tensor(value) else value


def attempt(thunk):
    """``(ok, result)`` of ``thunk()`` run under no_grad (on detached operands: no side effect)."""
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return True, thunk()
    except Exception:  # noqa: BLE001 - any refusal
        return False, None


def _keep(ctx: Context, ok: bool) -> bool:
    return ok or ctx.chance(20)


def _no_grad(ctx: Context, result, inputs) -> bool:
    """Whether to run a step under no_grad (8 %). Known issue: not for a view of a tensor that
    requires grad."""
    if not ctx.chance(8):
        return False
    if INCLUDE_KNOWN_ISSUES or not (is_tensor(result) and result._base is not None):
        return True
    return not any(is_tensor(v) and v.requires_grad for v in inputs)


# -- the steps -----------------------------------------------------------------------------------
def draw_op(ctx: Context):
    name = ctx.choice(ctx.op_names)
    spec = OPS[name]
    for _ in range(3):
        operands, first, hints = op_operands(ctx, spec)
        params = op_params(ctx, spec, first, hints)
        values = [ctx.runner.value(v) for v in operands]
        detached = [_detached(v) for v in values]
        ok, result = attempt(lambda: call_op(torch, spec, detached, params))  # noqa: B023
        if _keep(ctx, ok):
            inputs = [t for v in values for t in (v if isinstance(v, tuple) else (v,))]
            no_grad = _no_grad(ctx, result, inputs)
            ctx.add(Op(name, tuple(operands), params, no_grad=no_grad))
            return


def draw_getitem(ctx: Context):
    source = ctx.pick()
    if source is None:
        return
    for _ in range(3):
        key = draw_key(ctx, source)
        data = ctx.tensor(source).detach()
        ok, result = attempt(lambda: data[ctx.runner.key(key)])  # noqa: B023
        if _keep(ctx, ok):
            no_grad = _no_grad(ctx, result, [ctx.tensor(source)])
            ctx.add(GetItem(source, key, no_grad=no_grad))
            return


def draw_key(ctx: Context, source: V):
    parts = key_parts(ctx, source)
    if len(parts) == 1 and ctx.chance(70):
        return parts[0]
    return tuple(parts)


def _inplace_target(ctx: Context):
    def usual(t):  # in-place on leaves that require grad only raises; keep it rare
        return not (t.is_leaf and t.requires_grad) and allowed(t)

    def allowed(t):  # known issues: a retained grad is lost by an in-place change; a write
        base = t._base   # into memory an expand repeats is refused even where it is safe
        retains = t.retains_grad or (base is not None and base.retains_grad)
        return INCLUDE_KNOWN_ISSUES or not (retains or id(t) in ctx.overlapping)

    return ctx.pick(allowed if ctx.chance(10) else usual)


def _unsupported_view_write(ctx, target: V, args, no_grad) -> bool:
    """In-place writes the engine does not (yet) get right, left out of the programs.

    Its stated limitation: while recording, in-place on a view of a tensor that requires grad
    works only for ``x[key]`` of a tensor that is no view itself. Known issue: other views of
    the same memory keep their old grad_fn (PyTorch regenerates it as AsStridedBackward0), so
    no in-place change touches memory that a view shares, while grad is involved.
    """
    value = ctx.tensor(target)
    sharing = [u for u in ctx.runner.env if is_tensor(u) and u is not value
               and u.untyped_storage().data_ptr() == value.untyped_storage().data_ptr()]
    recording = not no_grad and any(is_tensor(a) and a.requires_grad for a in args)
    if not (recording or value.requires_grad or any(u.requires_grad for u in sharing)):
        return False
    other_views = any(u._base is not None for u in sharing)
    if value._base is None:
        return other_views and not INCLUDE_KNOWN_ISSUES
    made_by = ctx.producer(target)
    supported = (
        not no_grad and value._base.requires_grad and isinstance(made_by, GetItem)
        and ctx.tensor(made_by.source)._base is None and not made_by.no_grad
    )
    return not supported or (other_views and not INCLUDE_KNOWN_ISSUES)


def draw_inplace(ctx: Context):
    target = _inplace_target(ctx)
    if target is None:
        return
    method = ctx.choice(INPLACE_METHODS)
    if method in ("exp_", "neg_", "relu_", "zero_"):
        args = ()
    elif method == "pow_":
        args = (ctx.choice((2, 3, 0.5, -1, 0, 2.5)),)
    elif method == "clamp_":
        if not (INCLUDE_KNOWN_ISSUES or ctx.tensor(target).dtype.is_floating_point):
            return  # known issue: its refusal names C types ("long int")
        args = (ctx.choice((None, -1.0, 0.0, 0.5)), ctx.choice((None, 0.5, 1.0, 2)))
    elif method == "fill_" or ctx.chance(40):
        args = (ctx.choice(NUMBERS),)
    else:
        args = (into(ctx, tuple(ctx.tensor(target).shape)),)
    no_grad = ctx.chance(10)
    if any(_aliases(ctx, target, a) for a in args):
        return
    values = tuple(ctx.runner.value(a) for a in args)
    if _unsupported_view_write(ctx, target, values, no_grad):
        return
    shape = tuple(ctx.tensor(target).shape)
    if not INCLUDE_KNOWN_ISSUES and any(  # known issue: an in-place result too big for its target
            is_tensor(v) and broadcastable(tuple(v.shape), shape)
            and not fits_into(tuple(v.shape), shape) for v in values):
        return
    copy = ctx.tensor(target).detach().clone()
    ok, _ = attempt(lambda: getattr(copy, method)(*_detached(values)))
    if _keep(ctx, ok):
        ctx.add(InPlace(method, target, args, no_grad=no_grad))


def _aliases(ctx: Context, target: V, value) -> bool:
    """Exclusion: writing into a tensor a value that shares its memory (x[0] = x[1:2]). The
    engine checks overlaps on numpy's strides, which differ from PyTorch's for size-1 dims."""
    other = ctx.runner.value(value)
    if not is_tensor(other):
        return False
    storage = ctx.tensor(target).untyped_storage().data_ptr()
    return other.untyped_storage().data_ptr() == storage


def into(ctx: Context, shape: tuple, requires_grad=None) -> V:
    """A tensor that broadcasts into ``shape``: one made so far, or a new leaf."""
    def fits(t):
        return t.dtype.is_floating_point and fits_into(tuple(t.shape), shape)

    found = ctx.pick(fits, latest=0) if ctx.chance(40) else None
    if found is not None:
        return found
    return ctx.leaf(shape_into(ctx, shape), requires_grad=requires_grad)


def draw_setitem(ctx: Context):
    target = _inplace_target(ctx)
    if target is None:
        return
    key = draw_key(ctx, target)
    copy = ctx.tensor(target).detach().clone()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            shape = tuple(copy[ctx.runner.key(key)].shape)
    except Exception:  # noqa: BLE001 - a bad key: keep it now and then
        if ctx.chance(80):
            return
        shape = ()
    value = ctx.choice(NUMBERS) if ctx.chance(40) else into(ctx, shape)
    if _aliases(ctx, target, value):
        return
    if not ctx.tensor(target).dtype.is_floating_point and is_tensor(ctx.runner.value(value)) and (
            ctx.runner.value(value).requires_grad):
        value = ctx.choice(NUMBERS)  # PyTorch's fill_ then gives an int tensor a grad_fn: a quirk
    no_grad = ctx.chance(8)
    if not _unsupported_view_write(ctx, target, (ctx.runner.value(value),), no_grad):
        ctx.add(SetItem(target, key, value, no_grad=no_grad))


def _requires_grad(t) -> bool:
    return t.requires_grad


def draw_backward(ctx: Context, target=None, retain_graph=None):
    target = target or ctx.pick(_requires_grad if ctx.chance(95) else None)
    if target is None:
        return
    value = ctx.tensor(target)
    if value.numel() == 1 and ctx.chance(60):
        seed = None
    else:
        dtype = str(value.dtype).split(".")[-1]
        dtype = dtype if dtype in ("float32", "float64") else "float32"
        seed = leaf_values(tuple(value.shape), dtype, "any", ctx.integer(0, 2**16),
                           specials=ctx.chance(3))
    if retain_graph is None:
        retain_graph = ctx.choice((True, True, True, None, False))
    ctx.add(Backward(target, seed, retain_graph))


def draw_step(ctx: Context):
    kinds = [kind for kind, weight in STEP_KINDS for _ in range(weight)]
    kind = ctx.choice(kinds)
    if kind == "op":
        draw_op(ctx)
    elif kind == "getitem":
        draw_getitem(ctx)
    elif kind == "inplace":
        draw_inplace(ctx)
    elif kind == "setitem":
        draw_setitem(ctx)
    elif kind == "detach":
        source = ctx.pick()
        how = ctx.choice(("detach",) * 8 + ("detach_", "data"))
        value = None if source is None else ctx.tensor(source)
        known = value is not None and (value._base is not None or (
            value.is_leaf and value.requires_grad))  # known issues: the leaf's AccumulateGrad
        if how == "detach_" and known and not INCLUDE_KNOWN_ISSUES:  # still fills its .grad;
            how = "detach"  # detach_ of a view

        if source is not None:
            ctx.add(Detach(source, how))
    elif kind == "retain_grad":
        source = ctx.pick(_requires_grad if ctx.chance(90) else None)
        if source is not None:
            ctx.add(RetainGrad(source))
    elif kind == "leaf":
        ctx.leaf()
    elif kind == "backward":
        draw_backward(ctx)
    else:
        ctx.add(ZeroGrads(set_none=ctx.chance(30)))


@st.composite
def programs(draw, max_steps=12, op_names=OP_NAMES):
    """A program: leaves, random steps, then two accumulating backward calls (and maybe a
    zero_ of the grads between them, and a third call after the graph was freed)."""
    ctx = Context(draw, tuple(op_names))
    for _ in range(ctx.integer(1, 3)):
        ctx.leaf()
    for _ in range(ctx.integer(1, max_steps)):
        draw_step(ctx)
    target = ctx.pick(_requires_grad, latest=80)
    if target is not None:
        draw_backward(ctx, target, retain_graph=True)
        if ctx.chance(40):
            ctx.add(ZeroGrads(set_none=ctx.chance(30)))
        other = target if ctx.chance(70) else ctx.pick(_requires_grad)
        draw_backward(ctx, other, retain_graph=ctx.choice((True, None)))
        if ctx.chance(30):
            draw_backward(ctx, target, retain_graph=None)
    return Program(tuple(ctx.steps))
