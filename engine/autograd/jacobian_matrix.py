"""The whole Jacobian as one 2-D numpy array, for the playground's Jacobian tab (PyTorch has no
such function: ``torch.autograd.functional.jacobian`` returns output-by-input shaped blocks).

``jacobian_matrix`` builds it at once; ``jacobian_matrix_walks`` a row (backward walk) or a
column (forward walk) at a time, so a worker thread can report progress and stop.
"""

from __future__ import annotations

import numpy as np

from ..forward_ad import TangentGraph, recording
from ..grad_mode import enable_grad
from .functional import (
    STRATEGY_MESSAGE,
    _as_tuple,
    _element_grads,
    _element_tangents,
    _forward_blocks,
    _fresh_leaves,
    _reverse_blocks,
)


def jacobian_matrix(func, inputs, strategy="reverse-mode") -> np.ndarray:
    """The whole Jacobian of ``func`` at ``inputs`` as one 2-D numpy array.

    Row ``r`` is the ``r``-th output element and column ``c`` the ``c``-th input element, each
    tensor flattened in row-major order (``reshape(-1)``); several outputs (inputs) are stacked one
    after another, so ``J[r, c] = d out.reshape(-1)[r] / d inp.reshape(-1)[c]``. For
    ``out = f(inp)`` and a seed ``v`` shaped like ``out``,
    ``v.reshape(-1) @ J == inp.grad.reshape(-1)`` after ``out.backward(v)``.

    Parameters
    ----------
    func : callable
        Takes the input tensor(s), returns a tensor or a tuple of tensors.
    inputs : Tensor or tuple of Tensor
    strategy : {"reverse-mode", "forward-mode"}
        Rows by backward walks, or columns by forward walks; the matrix is the same.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(STRATEGY_MESSAGE)
    if strategy == "forward-mode":
        blocks, _ = _forward_blocks(func, inputs, strict=False, vectorize=True)
    else:
        blocks, _ = _reverse_blocks(func, inputs, strict=False, vectorize=False)
    _, inputs = _as_tuple(inputs, "inputs", "jacobian")
    return np.block([
        [block.reshape(-1, inp.nelement()) for block, inp in zip(row, inputs)] for row in blocks
    ])


def jacobian_matrix_walks(func, input, strategy="reverse-mode"):  # noqa: A002 - PyTorch's word
    """``jacobian_matrix(func, input, strategy)`` for one tensor in and one out, built a walk at a
    time: yields ``(walks done, walks in all, J so far)`` after each backward walk (a row of J)
    or forward walk (a column), so that a caller can show progress or stop. J is filled in place;
    the last yield holds the whole of it. Closing the generator releases the recorded graph.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(STRATEGY_MESSAGE)
    (leaf,) = _fresh_leaves((input,))
    if strategy == "forward-mode":
        with recording():
            out = func(leaf)
        matrix = np.zeros((out.nelement(), leaf.nelement()), out._data.dtype)
        graph = TangentGraph([leaf], [out])
        try:
            for element, (tangent,) in enumerate(_element_tangents(graph, [leaf], 0)):
                if tangent is not None:
                    matrix[:, element] = tangent.reshape(-1)
                yield element + 1, leaf.nelement(), matrix
        finally:
            graph.release()
        return
    with enable_grad():
        out = func(leaf)
    matrix = np.zeros((out.nelement(), leaf.nelement()), leaf._data.dtype)
    if not out.requires_grad:  # the output does not depend on the input: J is zero
        yield out.nelement(), out.nelement(), matrix
        return
    for element, (grad,) in enumerate(_element_grads(out, (leaf,))):
        if grad is not None:
            matrix[element] = grad._data.reshape(-1)
        yield element + 1, out.nelement(), matrix
