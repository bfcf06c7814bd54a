"""Drawing in-place steps (``x.add_(y)``, ``x[key] = v``) for fuzz programs, and leaving out
the writes the engine does not get right yet (known issues, each pinned by an xfail in
``test_fuzz_known_issues.py``)."""

from __future__ import annotations

import warnings

from tests.engine.fuzz_context import Context, attempt, detached, keep
from tests.engine.fuzz_operands import NUMBERS, broadcastable, draw_key, fits_into, shape_into
from tests.engine.fuzz_programs import (
    INCLUDE_KNOWN_ISSUES,
    INPLACE_METHODS,
    GetItem,
    InPlace,
    SetItem,
    V,
    is_tensor,
)


def _inplace_target(ctx: Context):
    def usual(t):  # in-place on leaves that require grad only raises; keep it rare
        return not (t.is_leaf and t.requires_grad) and allowed(t)

    def allowed(t):  # known issues: a retained grad is lost by an in-place change; a write
        base = t._base   # into memory an expand repeats is refused even where it is safe
        retains = t.retains_grad or (base is not None and base.retains_grad)
        known = retains or id(t) in ctx.overlapping or id(t) in ctx.from_data
        return INCLUDE_KNOWN_ISSUES or not known

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
    ok, _ = attempt(lambda: getattr(copy, method)(*detached(values)))
    if keep(ctx, ok):
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
