"""``engine.autograd.functional``: ``jacobian``, ``vjp`` and ``jvp``, as in PyTorch.

Each function runs ``func`` on fresh leaves (detached copies of the inputs that require grad),
returns tensors cut from the graph, and checks its arguments with PyTorch's messages. ``vjp`` and
the reverse-mode ``jacobian`` call ``autograd.grad`` (one backward walk per seed); ``jvp`` and the
forward-mode ``jacobian`` are true forward mode: the function runs once with forward-mode
recording on and ``engine.forward_ad.TangentGraph`` pushes tangents from the inputs to the outputs.

The whole Jacobian as one 2-D numpy array, for the playground, is in ``jacobian_matrix.py``.
"""

from __future__ import annotations

import numpy as np

from ..forward_ad import TangentGraph, recording
from ..grad_mode import enable_grad
from ..tensor import FLOAT_ONLY_MESSAGE, Tensor

__all__ = ["vjp", "jvp", "jacobian"]

STRATEGY_MESSAGE = (
    'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function has '
    'more outputs than inputs, "forward-mode" tends to be more performant. Otherwise, prefer to '
    'use "reverse-mode".'
)
STRICT_MESSAGE = "This is not allowed in strict mode."


# -- arguments and results, as PyTorch checks and shapes them --------------------------------------
def _as_tuple(value, arg_name, fn_name):
    """``(was_a_tuple, tuple_of_tensors)``, with PyTorch's TypeError for anything else."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for index, item in enumerate(items):
        if not isinstance(item, Tensor):
            where = f"value at index {index}" if is_tuple else f"given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                f"but the {where} has type {type(item)}."
            )
    return is_tuple, items


def _unpack(result, to_unpack):
    """Undo ``_as_tuple``: a single input (output) gets a tensor, not a 1-tuple."""
    if isinstance(to_unpack, tuple):
        outputs_tuple, inputs_tuple = to_unpack
        if not inputs_tuple:
            result = tuple(row[0] for row in result)
        if not outputs_tuple:
            result = result[0]
        return result
    return result if to_unpack else result[0]


def _fresh_leaves(inputs):
    """New leaves that require grad, so that ``func`` builds a graph of its own."""
    return tuple(inp.detach().requires_grad_(True) for inp in inputs)


def _validate_v(v, other, is_other_tuple):
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for index, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.size() != el_other.size():
            prefix = f"Entry {index} in " if is_other_tuple else ""
            raise RuntimeError(
                f"{prefix}v has invalid size: should be {el_other.size()} but got {el_v.size()}."
            )


def _check_outputs_require_grad(outputs, strict):
    if not strict:
        return
    for index, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"Output {index} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when running "
                "in strict mode."
            )


def _independent_input(index):
    return RuntimeError(
        f"The output of the user-provided function is independent of input {index}. "
        + STRICT_MESSAGE
    )


def _refuse_create_graph(create_graph):
    if create_graph:
        raise NotImplementedError(
            "engine: create_graph=True (gradients of gradients) is not supported yet"
        )


def _grads_or_none(outputs, inputs, grad_outputs=None, retain_graph=None):
    """``autograd.grad`` over the outputs that require grad; None for each unused input."""
    from . import grad

    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(out, seed) for out, seed in zip(outputs, grad_outputs) if out.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    kept_outputs, kept_seeds = zip(*pairs)
    return grad(kept_outputs, inputs, kept_seeds, retain_graph=retain_graph, allow_unused=True)


def _one_hot(shape, dtype, flat_index):
    seed = np.zeros(int(np.prod(shape)), dtype=dtype)
    seed[flat_index] = 1
    return seed.reshape(shape)


# -- vjp and jvp -----------------------------------------------------------------------------------
def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀJ)``: the gradient a backward seeded with ``v`` sends to each input.

    ``v`` has the shape of the output(s); it may be omitted when ``func`` returns one
    single-element tensor. The result has the shape of the input(s).
    """
    _refuse_create_graph(create_graph)
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _fresh_leaves(inputs)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "vjp"
        )
        _check_outputs_require_grad(outputs, strict)
        if v is not None:
            _, v = _as_tuple(v, "v", "vjp")
            v = tuple(el.detach() for el in v)
            _validate_v(v, outputs, is_outputs_tuple)
        elif len(outputs) != 1 or outputs[0].nelement() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns a single "
                "Tensor with a single element."
            )
    grads = _grads_or_none(outputs, inputs, v)
    result = []
    for index, (inp, grad) in enumerate(zip(inputs, grads)):
        if grad is None:
            if strict:
                raise _independent_input(index)
            grad = Tensor._make(np.zeros_like(inp._data))
        result.append(grad)
    outputs = tuple(out.detach() for out in outputs)
    return _unpack(outputs, is_outputs_tuple), _unpack(tuple(result), is_inputs_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``: the tangent of each output when the inputs move along ``v``.

    True forward mode: ``func`` runs once with forward-mode recording on, then each recorded
    node's ``jvp`` rule carries the tangents from the inputs to the outputs. ``v`` has the
    shape of the input(s); it may be omitted when there is one single-element input.
    """
    _refuse_create_graph(create_graph)
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    inputs = _fresh_leaves(inputs)
    if v is not None:
        _, v = _as_tuple(v, "v", "jvp")
        _validate_v(v, inputs, is_inputs_tuple)
        seeds = tuple(el._data.astype(inp._data.dtype) for el, inp in zip(v, inputs))
    elif len(inputs) != 1 or inputs[0].nelement() != 1:
        raise RuntimeError(
            "The vector v can only be None if the input to the user-provided function is a "
            "single Tensor with a single element."
        )
    else:
        seeds = (np.ones_like(inputs[0]._data),)
    with recording():
        outputs = func(*inputs)
    is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jvp")
    _check_outputs_require_grad(outputs, strict)
    if any(out._data.dtype.kind != "f" for out in outputs):  # PyTorch's zeros_like(out, rg=True)
        raise RuntimeError(FLOAT_ONLY_MESSAGE)
    graph = TangentGraph(inputs, outputs)
    try:
        if strict:
            _check_strict_forward(graph, inputs, outputs)
        tangents = graph.push(seeds)
    finally:
        graph.release()
    result = tuple(
        Tensor._make(np.zeros_like(out._data) if t is None else np.array(t, copy=True))
        for out, t in zip(outputs, tangents)
    )
    outputs = tuple(out.detach() for out in outputs)
    return _unpack(outputs, is_outputs_tuple), _unpack(result, is_outputs_tuple)


def _check_strict_forward(graph, inputs, outputs):
    """PyTorch's strict checks, in its order: unused inputs first, then unreached outputs."""
    for index in range(len(inputs)):
        if not graph.leaf_is_used(index):
            raise _independent_input(index)
    for index, out in enumerate(outputs):
        if out.requires_grad and not graph.output_depends_on_leaves(index):
            raise RuntimeError(
                "The gradient with respect to the input is independent of entry "
                f"{index} in the grad_outputs when using the double backward trick to compute "
                "forward mode gradients. " + STRICT_MESSAGE
            )


# -- jacobian --------------------------------------------------------------------------------------
def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: entry ``[i][j]`` has shape
    ``outputs[i].shape + inputs[j].shape`` (a tensor instead of a tuple for a single output or
    input, as in PyTorch).

    ``strategy="reverse-mode"`` builds it row by row, one backward walk per output element
    (``vectorize=True``: one walk per row of the identity, split across all outputs);
    ``"forward-mode"`` (which, as in PyTorch, needs ``vectorize=True``) column by column, one
    forward walk per input element over a graph recorded once.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(STRATEGY_MESSAGE)
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "engine.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.'
            )
        blocks, flags = _forward_blocks(func, inputs, strict, vectorize)
        result = [[Tensor._make(block) for block in row] for row in blocks]
        return _unpack(result, flags)  # lists, as PyTorch's forward mode returns
    _refuse_create_graph(create_graph)
    blocks, flags = _reverse_blocks(func, inputs, strict, vectorize)
    return _unpack(tuple(tuple(Tensor._make(b) for b in row) for row in blocks), flags)


def _reverse_blocks(func, inputs, strict, vectorize):
    """Reverse-mode Jacobian blocks (numpy, ``out.shape + inp.shape``) and the tuple flags."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _fresh_leaves(inputs)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "jacobian"
        )
        _check_outputs_require_grad(outputs, strict)
        if vectorize and strict:
            raise RuntimeError(
                "engine.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                "not supported together. Please either set `strict=False` or `vectorize=False`."
            )
    rows = _identity_rows(outputs, inputs) if vectorize else _rows(outputs, inputs, strict)
    blocks = [
        [block.reshape(out.shape + inp.shape) for block, inp in zip(row, inputs)]
        for row, out in zip(rows, outputs)
    ]
    return blocks, (is_outputs_tuple, is_inputs_tuple)


def _rows(outputs, inputs, strict):
    """For each output, per input, the stacked gradients of its elements one at a time."""
    rows = []
    for i, out in enumerate(outputs):
        if out.nelement() == 0 and inputs:
            raise RuntimeError("stack expects a non-empty TensorList")
        per_input = [[] for _ in inputs]
        for grads in _element_grads(out, inputs):
            for k, (grad, inp) in enumerate(zip(grads, inputs)):
                if grad is None:
                    if strict:
                        raise RuntimeError(
                            f"Output {i} of the user-provided function is independent of input "
                            f"{k}. " + STRICT_MESSAGE
                        )
                    per_input[k].append(np.zeros_like(inp._data))
                else:
                    per_input[k].append(grad._data)
        rows.append([np.stack(grads) for grads in per_input])
    return rows


def _element_grads(out, inputs):
    """The gradients of ``inputs`` (None where unused) for each element of ``out`` in row-major
    order: one backward walk per element, seeded with a one-hot tensor."""
    for element in range(out.nelement()):
        seed = _one_hot(out._data.shape, out._data.dtype, element)
        yield _grads_or_none((out,), inputs, (seed,), retain_graph=True)


def _identity_rows(outputs, inputs):
    """Seed each row of the identity, split across all outputs, in one backward walk per row."""
    numels = [out.nelement() for out in outputs]
    total = sum(numels)
    if total == 0:
        raise IndexError("index 0 is out of bounds for dimension 0 with size 0")
    stacked = [np.zeros((total,) + inp._data.shape, dtype=inp._data.dtype) for inp in inputs]
    offsets = np.cumsum([0] + numels)
    for row in range(total):
        seeds = [
            _one_hot(out._data.shape, out._data.dtype, row - start)
            if start <= row < start + n else np.zeros_like(out._data)
            for out, start, n in zip(outputs, offsets, numels)
        ]
        grads = _grads_or_none(outputs, inputs, seeds, retain_graph=True)
        for target, grad in zip(stacked, grads):
            if grad is not None:
                target[row] = grad._data
    return [
        [target[start:start + n] for target in stacked] for start, n in zip(offsets, numels)
    ]


def _forward_blocks(func, inputs, strict, vectorize):
    """Forward-mode Jacobian blocks: the graph is recorded once and walked once per column."""
    if strict:
        raise RuntimeError(
            "engine.autograd.functional.jacobian: `strict=True` and `strategy=\"forward-mode\"` "
            "are not supported together (yet). Please either set `strict=False` or "
            '`strategy="reverse-mode"`.'
        )
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    if not vectorize:
        raise NotImplementedError(
            "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
            "only implemented for `vectorize=True`."
        )
    for inp in inputs:
        if inp._data.dtype.kind != "f":
            raise ValueError(
                f"Expected primal to be floating point or complex, but got: {inp.dtype}"
            )
    leaves = _fresh_leaves(inputs)
    with recording():
        outputs = func(*leaves)
    is_outputs_tuple, outputs = _as_tuple(outputs, "outputs", None)
    columns = forward_columns(leaves, outputs, range(len(leaves)))
    blocks = [
        [columns[i][j].reshape(out.shape + inp.shape) for j, inp in enumerate(inputs)]
        for i, out in enumerate(outputs)
    ]
    return blocks, (is_outputs_tuple, is_inputs_tuple)


def forward_columns(leaves, outputs, which):
    """``columns[i][j]``: d outputs[i] / d leaves[j] as ``(out.numel(), leaf.numel())`` arrays,
    for the leaves ``which``, by one forward walk per leaf element (``outputs`` must have been
    recorded inside ``forward_ad.recording()``). The dtype is the output's, as in PyTorch."""
    which = list(which)
    graph = TangentGraph(leaves, outputs)
    columns = [
        [np.zeros((out.nelement(), leaves[j].nelement()), out._data.dtype) for j in which]
        for out in outputs
    ]
    try:
        for col, j in enumerate(which):
            for element, tangents in enumerate(_element_tangents(graph, leaves, j)):
                for i, tangent in enumerate(tangents):
                    if tangent is not None:
                        columns[i][col][:, element] = tangent.reshape(-1)
    finally:
        graph.release()
    return columns


def _element_tangents(graph, leaves, j):
    """The outputs' tangents (None where unreached) for each element of ``leaves[j]`` in
    row-major order: one forward walk per element, seeded with a one-hot tangent."""
    leaf = leaves[j]._data
    for element in range(leaf.size):
        seeds = [None] * len(leaves)
        seeds[j] = _one_hot(leaf.shape, leaf.dtype, element)
        yield graph.push(seeds)
