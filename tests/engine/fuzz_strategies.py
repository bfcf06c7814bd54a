"""The Hypothesis strategy of fuzz programs: leaves, random steps over the whole op table
(plus indexing, in-place ops, setitem, detach, no_grad, retain_grad, backward, zeroing grads), then
two accumulating backward calls. See ``fuzz_context.py`` for how steps are drawn to fit.
"""

from __future__ import annotations

import torch
from hypothesis import strategies as st

from tests.engine.fuzz_context import (
    OP_NAMES,
    Context,
    attempt,
    detached,
    keep,
    leaf_values,
    no_grad_for,
)
from tests.engine.fuzz_operands import draw_key, op_operands, op_params
from tests.engine.fuzz_programs import (
    INCLUDE_KNOWN_ISSUES,
    OPS,
    Backward,
    Detach,
    GetItem,
    Op,
    Program,
    RetainGrad,
    ZeroGrads,
    call_op,
)
from tests.engine.fuzz_writes import draw_inplace, draw_setitem

# Engine bugs outside the op files, each pinned by a strict xfail in test_fuzz_known_issues.py;
# programs that would meet them are not drawn unless FUZZ_KNOWN_ISSUES=1 (to check a fix).
KNOWN_ISSUES = (
    "elementwise_losses_keep_the_layout_of_their_input",
    "softmax_of_an_empty_int_tensor_is_an_empty_int_tensor",
    "in_place_change_through_data_is_not_seen_by_backward",
    "saved_tensor_detached_in_place_fails_backward",
    "unbatched_cross_entropy_without_reduction_is_plus_zero",
    "softmax_of_a_transposed_tensor_is_contiguous",
    "retained_0d_grad_summed_twice_can_be_zeroed",
    "writing_one_row_of_an_expanded_tensor_writes_the_memory_they_share",
    "clamp_in_place_of_an_int_tensor_refuses_with_pytorchs_words",
    "detach_in_place_of_a_view_refuses_with_pytorchs_words",
    "view_made_under_no_grad_requires_grad_like_its_base",
    "views_of_a_tensor_changed_in_place_see_the_change_in_backward",
    "in_place_on_a_transposed_view_under_no_grad_regenerates_its_grad_fn",
    "retained_grad_survives_an_in_place_change",
    "leaf_detached_in_place_gets_no_grad",
)
STEP_KINDS = (
    ("op", 55), ("getitem", 9), ("inplace", 9), ("setitem", 5), ("detach", 4),
    ("retain_grad", 4), ("leaf", 5), ("backward", 5), ("zero_grads", 4),
)


# -- the steps -----------------------------------------------------------------------------------
def draw_op(ctx: Context):
    name = ctx.choice(ctx.op_names)
    spec = OPS[name]
    for _ in range(3):
        operands, first, hints = op_operands(ctx, spec)
        params = op_params(ctx, spec, first, hints)
        values = [ctx.runner.value(v) for v in operands]
        plain = [detached(v) for v in values]
        ok, result = attempt(lambda: call_op(torch, spec, plain, params))  # noqa: B023
        if keep(ctx, ok):
            inputs = [t for v in values for t in (v if isinstance(v, tuple) else (v,))]
            no_grad = no_grad_for(ctx, result, inputs)
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
        if keep(ctx, ok):
            no_grad = no_grad_for(ctx, result, [ctx.tensor(source)])
            ctx.add(GetItem(source, key, no_grad=no_grad))
            return


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
    empty = tuple(value.shape) if seed is not None and value.numel() == 0 else None
    ctx.add(Backward(target, seed, retain_graph, empty))


def _known_0d_retained_grad(ctx: Context) -> bool:
    """Known issue: a 0-d retained grad, summed, cannot be zeroed in place."""
    values = ctx.refs_values()
    return not INCLUDE_KNOWN_ISSUES and any(t.retains_grad and t.dim() == 0 for t in values)


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
        # known issues: detach_ of a leaf (its AccumulateGrad still fills .grad), of a view
        # (the message), of a tensor in a graph (backward does not refuse it when saved)
        known = value is not None and (value._base is not None or value.requires_grad)
        if how == "detach_" and known and not INCLUDE_KNOWN_ISSUES:
            how = "detach"

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
        ctx.add(ZeroGrads(set_none=ctx.chance(30) or _known_0d_retained_grad(ctx)))


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
            ctx.add(ZeroGrads(set_none=ctx.chance(30) or _known_0d_retained_grad(ctx)))
        other = target if ctx.chance(70) else ctx.pick(_requires_grad)
        draw_backward(ctx, other, retain_graph=ctx.choice((True, None)))
        if ctx.chance(30):
            draw_backward(ctx, target, retain_graph=None)
    return Program(tuple(ctx.steps))
