"""Where an elementwise result's memory layout comes from: PyTorch's, not numpy's.

Every elementwise op passes its numpy result through ``laid_out``; the layout matters to a
learner because it decides whether a later ``view`` works or raises.
"""

from __future__ import annotations

import numpy as np


def laid_out(out, *operands) -> np.ndarray:
    """``out`` (an elementwise result) laid out in memory as PyTorch lays it out.

    PyTorch's TensorIterator orders the result's dims by its inputs' strides, the first input
    that orders two dims deciding (a broadcast dim decides nothing); numpy may choose otherwise
    when the inputs' layouts differ (``x.t() + y``). The layout decides whether ``view`` works.
    """
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    if out.ndim < 2:
        return out
    for a in operands:  # the common case: every input row-major, and so is numpy's result
        if type(a) is np.ndarray and not a.flags.c_contiguous:  # (a 0-d array always is)
            break
    else:
        return out
    if out.size < 2:  # asked last: one attribute fewer on the common path
        return out
    arrays = [a for a in operands if isinstance(a, np.ndarray) and a.ndim]
    shape = out.shape
    strides = [np.broadcast_to(a, shape).strides for a in arrays]

    def should_swap(dim0, dim1):
        for stride in strides:
            s0, s1 = stride[dim0], stride[dim1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return 1 if s0 > s1 else -1
            if shape[dim0] > shape[dim1]:
                return 1
        return 0

    perm = list(range(out.ndim - 1, -1, -1))  # fastest dim first
    for i in range(1, len(perm)):  # PyTorch's insertion sort, ties left in place
        dim1 = i
        for dim0 in range(i - 1, -1, -1):
            order = should_swap(perm[dim0], perm[dim1])
            if order > 0:
                perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
                dim1 = dim0
            elif order < 0:
                break
    want, step = [0] * out.ndim, out.itemsize
    for dim in perm:
        want[dim], step = step, step * shape[dim]
    if all(w == h for w, h, n in zip(want, out.strides, shape) if n > 1):
        return out
    slowest_first = perm[::-1]
    result = np.empty([shape[d] for d in slowest_first], out.dtype).transpose(
        np.argsort(slowest_first))
    result[...] = out
    return result
