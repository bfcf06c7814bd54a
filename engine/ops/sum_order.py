"""Floating-point sums added up in the order PyTorch's CPU kernel adds them.

Float addition is not associative: numpy's pairwise sum and PyTorch's sum agree to ~1e-7 of the
result but not in the last bit, for 45–80% of float32 tensors of 5 to 4,096 numbers. A learner who
prints ``loss.item()`` would see the playground disagree with PyTorch in the seventh digit, and
about 1 sum in 100 even prints a different fourth digit. So the engine adds in the order of
PyTorch's ``cascade_sum`` (aten/src/ATen/native/cpu/SumKernel.cpp, read for its behaviour):

- the dimensions are walked as TensorIterator orders them: reduced ones first, then kept ones,
  each group by its input stride, neighbours merged where the memory is contiguous;
- the kernel sees the first two of those dimensions. Along a contiguous row of at least one
  32-byte vector it adds vectors, then the leftover numbers and the lanes one by one; otherwise a
  row is added with four interleaved accumulators (``_ilp4``). When the first dimension is an
  outer one, each column is added in blocks and levels (``_cascade``) for the columns that fill
  whole groups, and with ``_ilp4`` for the rest;
- every result is added into the output in iteration order, so reduced dimensions beyond the
  first add their partial sums one after another.

The vector is 32 bytes on every CPU measured (PyTorch's AVX-512 build of this kernel adds as its
AVX2 one does). A sum of 32,768 numbers or more may be split between PyTorch's threads, so its
order depends on the machine; numpy's sum is used there, as for half floats and integers (whose
sums are exact in any order).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

VECTOR_BYTES = 32
THREAD_GRAIN = 32768  # at::internal::GRAIN_SIZE: reductions this big may be split between threads
ORDERED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def in_torch_order(x: np.ndarray, axes) -> np.ndarray:
    """``x.sum(axis=axes)`` (the axes removed), added as PyTorch adds them."""
    if x.dtype not in ORDERED_DTYPES or not 0 < x.size < THREAD_GRAIN:
        return np.asarray(x.sum(axis=tuple(axes)))
    zero = x.dtype.type(0)  # PyTorch's output starts at +0: a sum of -0s is +0
    if len(axes) == x.ndim and x.flags.c_contiguous:  # the common case: a whole tensor
        flat = x.reshape(-1)
        if x.size < VECTOR_BYTES // x.itemsize:  # one chain of additions
            return np.asarray(flat[_short_chain(x.size)].cumsum()[-1] + zero)
        return np.asarray(_row(flat, True) + zero)
    plan = _plan(x.shape, x.strides, x.itemsize, frozenset(axes))
    if plan.kernel is None:  # nothing of size > 1 is reduced: out = 0 + x
        return np.asarray(x.reshape(plan.kept_shape) + zero)
    # The merged dimensions as axes, first one first (transposed outermost-first so that
    # reshape merges neighbours in C order, then reversed), copied so that every reduction
    # below runs over a C-contiguous array (see _in_order).
    view = x.reshape(plan.big).transpose(plan.order).reshape(plan.merged)
    parts = plan.kernel(np.ascontiguousarray(view.T))  # one number per position of the rest
    parts = parts.transpose(plan.permutation)
    if plan.grouped is not None:
        parts = _in_order(np.ascontiguousarray(parts).reshape(plan.grouped))
    return np.asarray(parts.reshape(plan.kept_shape) + zero)


@functools.cache
def _short_chain(size):
    """The order ``_ilp4`` adds a row shorter than 8 in: the first accumulator, the leftover
    numbers, then the other three accumulators (which hold one number each, or nothing)."""
    if size < 4:
        return np.arange(size)
    return np.array([0, *range(4, size), 1, 2, 3])


class _Plan(NamedTuple):
    kept_shape: tuple
    big: tuple = ()  # the shape without its size-1 dimensions
    order: tuple = ()  # its axes in TensorIterator's order, outermost first
    merged: tuple = ()  # the sizes of the merged dimensions, outermost first
    kernel: object = None  # merged dimensions (first one first) -> sum along the first
    permutation: tuple = ()  # the kernel's results: reduced dims slowest first, then kept ones
    grouped: tuple | None = None  # ... the reduced ones flattened into axis 0 (if any)


@functools.lru_cache(maxsize=256)
def _plan(shape, strides, itemsize, axes) -> _Plan:
    kept_shape = tuple(n for axis, n in enumerate(shape) if axis not in axes)
    big = [axis for axis, n in enumerate(shape) if n > 1]
    order, dims = _iteration_dims(
        [shape[axis] for axis in big], [strides[axis] for axis in big],
        {i for i, axis in enumerate(big) if axis in axes})
    if not dims or not dims[0][2]:
        return _Plan(kept_shape)
    rest = dims[1:]
    reduced = [i for i, (_, _, is_reduced) in enumerate(rest) if is_reduced]
    kept = [i for i, (_, _, is_reduced) in enumerate(rest) if not is_reduced]
    # Partial sums reach an output number in order, the slowest reduced dimension first.
    permutation = tuple(reduced[::-1] + kept[::-1])
    grouped = (-1,) + tuple(rest[i][0] for i in kept[::-1]) if reduced else None
    return _Plan(kept_shape, tuple(shape[axis] for axis in big), tuple(order[::-1]),
                 tuple(size for size, _, _ in reversed(dims)), _kernel(dims, itemsize),
                 permutation, grouped)


def _iteration_dims(shape, strides, axes):
    """The axes in TensorIterator's order, innermost first, and its dimensions: (size, byte
    stride, reduced) each, contiguous neighbours merged."""
    order = list(range(len(shape)))[::-1]  # TensorIterator starts from the last dimension
    for i in range(1, len(order)):  # its insertion sort, which goes past undecided pairs
        moving = i
        for before in range(i - 1, -1, -1):
            first, second = order[before], order[moving]
            decision = _goes_after((first, shape[first], strides[first]),
                                   (second, shape[second], strides[second]), axes)
            if decision > 0:
                order[before], order[moving] = second, first
                moving = before
            elif decision < 0:
                break
    merged = []
    for axis in order:
        size, stride, is_reduced = shape[axis], strides[axis], axis in axes
        if merged and merged[-1][2] == is_reduced and merged[-1][0] * merged[-1][1] == stride:
            merged[-1] = (merged[-1][0] * size, merged[-1][1], is_reduced)
        else:
            merged.append((size, stride, is_reduced))
    return order, merged


def _goes_after(first, second, axes):
    """1 if ``second`` goes before ``first``, -1 if not, 0 if undecided: reduced dimensions
    first; kept ones innermost first (the output is laid out in order); then the smaller input
    stride, a broadcast (0) stride deciding nothing; then the smaller size."""
    (axis0, size0, stride0), (axis1, size1, stride1) = first, second
    if (axis0 in axes) != (axis1 in axes):
        return 1 if axis1 in axes else -1
    if axis0 not in axes:  # both kept: the output's strides decide
        return 1 if axis1 > axis0 else -1
    if stride0 == 0 or stride1 == 0:
        return 0
    if stride0 != stride1:
        return -1 if stride0 < stride1 else 1
    return 1 if size0 > size1 else 0


def _kernel(dims, itemsize):
    """The loop PyTorch picks from the first two merged dimensions (size, stride, reduced)."""
    lanes = VECTOR_BYTES // itemsize
    size0, stride0, _ = dims[0]
    size1, stride1 = (dims[1][0], dims[1][1]) if len(dims) > 1 else (1, 0)
    if stride0 == itemsize and size0 >= lanes:
        return functools.partial(_row, vectors=True)
    if stride1 == itemsize and size1 >= lanes:  # columns side by side in memory
        return functools.partial(_columns, group=4 * lanes)
    if stride0 < stride1 or len(dims) == 1:
        return functools.partial(_row, vectors=False)
    return functools.partial(_columns, group=4)


def _row(rows, vectors):
    """Sums along axis 0: as vectors whose lanes are added last, or with ``_ilp4``."""
    if not vectors:
        return _ilp4(rows)
    size, rest, lanes = rows.shape[0], rows.shape[1:], VECTOR_BYTES // rows.itemsize
    whole = size - size % lanes
    lane_sums = _ilp4(rows[:whole].reshape((whole // lanes, lanes) + rest))
    if whole == size:
        return _in_order(lane_sums)
    return _in_order(np.concatenate([rows[whole:], lane_sums]))


def _columns(block, group):
    """Sums along axis 0 of each column (axis 1): ``_cascade`` for the columns in whole groups
    of ``group``, ``_ilp4`` for the rest."""
    cut = block.shape[1] - block.shape[1] % group
    if cut == block.shape[1]:
        return _cascade(block)
    if cut == 0:
        return _ilp4(block)
    first, last = np.ascontiguousarray(block[:, :cut]), np.ascontiguousarray(block[:, cut:])
    return np.concatenate([_cascade(first), _ilp4(last)])


def _ilp4(rows):
    """``row_sum``: rows i, i+4, i+8, ... into accumulator i % 4 (by ``_cascade``); leftover rows
    into the first; then the other three added to it."""
    size, rest = rows.shape[0], rows.shape[1:]
    whole = size - size % 4
    if not whole:  # the four accumulators hold 0 (the +0 they start from is added at the end)
        return _in_order(rows)
    partial = _cascade(rows[:whole].reshape((whole // 4, 4) + rest))
    if whole == size:
        return _in_order(partial)
    return _in_order(np.concatenate([partial[:1], rows[whole:], partial[1:]]))


def _cascade(rows):
    """``multi_row_sum``: rows added in order in blocks of ``step``; the block sums go up through
    three levels (sums of step, step² and all the rest of the blocks), each flushed into the next
    every ``step`` entries; at the end the leftover rows and the three levels are added."""
    size, rest = rows.shape[0], rows.shape[1:]
    step = 1 << max(4, _ceil_log2(size) // 4)
    whole = size - size % step
    if not whole:
        return _in_order(rows)
    sums = _in_order(rows[:whole].reshape((whole // step, step) + rest), axis=1)  # per block
    leftover = _in_order(rows[whole:]) if whole < size else None
    if len(sums) < step:  # nothing flushed past the first level: below step² rows
        return _in_order(sums) if leftover is None else leftover + _in_order(sums)
    zero = np.zeros(rest, rows.dtype)
    levels = [zero if leftover is None else leftover]
    for _ in range(2):  # levels 1 and 2 end with what came after their last flush
        whole = len(sums) - len(sums) % step
        levels.append(_in_order(sums[whole:]) if whole < len(sums) else zero)
        sums = _in_order(sums[:whole].reshape((whole // step, step) + rest), axis=1)
    levels.append(_in_order(sums) if len(sums) else zero)  # level 3 is never flushed
    return ((levels[0] + levels[1]) + levels[2]) + levels[3]


def _in_order(stack, axis=0):
    """The entries along ``axis`` (0 or 1) added left to right, each addition rounded to the
    dtype.

    np.add.reduce adds in order along an axis of a C-contiguous array that has more numbers
    after it (it loops over those innermost); along the innermost axis it adds pairwise, so
    there np.cumsum, which adds in order by definition, is used."""
    count = stack.shape[axis]
    if count == 1:
        return stack.take(0, axis)
    if not stack.size:
        return np.add.reduce(stack, axis=axis)
    after = stack.size // (count * stack.shape[0]) if axis else stack.size // count
    if after > 1 and stack.flags.c_contiguous:
        return np.add.reduce(stack, axis=axis)
    return np.cumsum(stack, axis=axis).take(-1, axis)


def _ceil_log2(n):
    return 1 if n <= 2 else int(n - 1).bit_length()


def nll_sums(terms: np.ndarray, weights: np.ndarray | None, kept: np.ndarray):
    """nll_loss's sums as PyTorch's kernel makes them: ``terms`` (each -input[target] * weight)
    and, when given, ``weights``, over the kept positions in order, into 8 levels that flush
    upwards each time the position is a multiple of 16, 256, ... (position 0 flushes to the
    top); then the levels added lowest first. A loop in Python: a batch is a few hundred rows
    here; past ``THREAD_GRAIN`` rows numpy's sums are used."""
    if terms.dtype not in ORDERED_DTYPES or terms.size >= THREAD_GRAIN:
        return terms.sum(), None if weights is None else weights.sum()
    power = max(4, _ceil_log2(terms.size) // 8)
    mask = (1 << power) - 1
    number = terms.dtype.type
    loss, weight = [number(0)] * 8, [number(0)] * 8
    terms, weights = terms.reshape(-1), None if weights is None else weights.reshape(-1)
    for position in np.flatnonzero(kept.reshape(-1)).tolist():
        loss[0] = loss[0] + terms[position]
        if weights is not None:
            weight[0] = weight[0] + weights[position]
        for level in range(7):
            if position & (mask << (level * power)):
                break
            loss[level + 1], loss[level] = loss[level + 1] + loss[level], number(0)
            weight[level + 1], weight[level] = weight[level + 1] + weight[level], number(0)
    loss_total, weight_total = number(0), number(0)
    for level in range(8):
        loss_total, weight_total = loss_total + loss[level], weight_total + weight[level]
    return loss_total, None if weights is None else weight_total
