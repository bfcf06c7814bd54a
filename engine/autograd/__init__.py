"""``engine.autograd``: ``backward``, ``grad``, ``gradcheck`` and ``functional`` (jacobian, vjp,
jvp), standing in for ``torch.autograd``."""

from __future__ import annotations

import numpy as np

from .. import grad_mode
from .. import tensor as tensor_module
from ..creation import ones_array
from ..graph import BackwardStep, run_backward, walk
from ..size import Size
from ..tensor import Tensor

__all__ = [
    "BackwardStep", "backward", "backward_steps", "detect_anomaly", "grad", "set_detect_anomaly",
]


def _as_tuple(value):
    if value is None:
        return None
    if isinstance(value, Tensor):
        return (value,)
    return tuple(value)


def _check_create_graph(create_graph):
    if create_graph:
        raise NotImplementedError(
            "engine: create_graph=True (gradients of gradients) is not supported yet"
        )


def make_roots(outputs, grad_outputs):
    """The graph nodes to start from and their seed arrays, checked as PyTorch checks them."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad requires one gradient per output: got {len(grad_outputs)} gradients for "
            f"{len(outputs)} outputs"
        )
    nodes, seeds = [], []
    for index, (output, seed) in enumerate(zip(outputs, grad_outputs)):
        if not output.requires_grad:
            raise RuntimeError(
                f"element {index} of tensors does not require grad and does not have a grad_fn"
            )
        data = output._data
        if seed is None:
            if data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            seed_data = ones_array(data.shape, data.dtype)
        else:
            seed_data = seed._data if isinstance(seed, Tensor) else np.asarray(seed)
            if seed_data.shape != data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{index}] has a shape of "
                    f"{Size(seed_data.shape)!r} and output[{index}] has a shape of "
                    f"{Size(data.shape)!r}."
                )
            if seed_data.dtype != data.dtype:
                seed_data = seed_data.astype(data.dtype)
        nodes.append(output._grad_fn or output._grad_accumulator())
        seeds.append(seed_data)
    return nodes, seeds


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad``, as PyTorch does."""
    _check_create_graph(create_graph)
    outputs = _as_tuple(tensors)
    nodes, seeds = make_roots(outputs, _as_tuple(grad_tensors))
    retain = bool(create_graph if retain_graph is None else retain_graph)
    inputs = _as_tuple(inputs)
    if not inputs:
        run_backward(nodes, seeds, retain_graph=retain)
        return
    capture = {_node_of(t): [] for t in inputs}
    run_backward(nodes, seeds, retain_graph=retain, capture=capture, accumulate=False)
    for tensor in inputs:
        grads = capture[_node_of(tensor)]
        if grads:
            tensor._accumulate_grad(_summed(grads))


tensor_module.autograd_backward = backward  # what Tensor.backward calls


def backward_steps(tensors, grad_tensors=None, retain_graph=None):
    """``backward`` one node at a time: a generator of ``BackwardStep`` for the playground.

    Running it to the end does exactly what ``backward`` does (leaves' ``.grad`` accumulate as
    their AccumulateGrad steps are reached); stopping early leaves the rest undone. The seed is
    checked before the first step, so a bad call raises at once, as ``backward`` does.
    """
    outputs = _as_tuple(tensors)
    nodes, seeds = make_roots(outputs, _as_tuple(grad_tensors))
    return walk(nodes, seeds, retain_graph=bool(retain_graph))


def _node_of(tensor: Tensor):
    if not tensor.requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    return tensor._grad_fn or tensor._grad_accumulator()


def _summed(grads):
    total = grads[0]
    for more in grads[1:]:
        total = total + more
    return total


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``."""
    _check_create_graph(create_graph)
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    nodes, seeds = make_roots(outputs, _as_tuple(grad_outputs))
    retain = bool(create_graph if retain_graph is None else retain_graph)
    targets = [_node_of(t) for t in inputs]
    capture = {node: [] for node in targets}
    run_backward(nodes, seeds, retain_graph=retain, capture=capture, accumulate=False)
    results = []
    for index, (tensor, node) in enumerate(zip(inputs, targets)):
        grads = capture[node]
        if grads:
            results.append(Tensor._make(np.array(_summed(grads), dtype=tensor._data.dtype)))
        elif materialize_grads:
            results.append(Tensor._make(np.zeros_like(tensor._data)))
        elif allow_unused:
            results.append(None)
        else:
            raise RuntimeError(
                f"The differentiated Tensor at index {index} appears to not have been used in the "
                "graph. Set allow_unused=True if this is the desired behavior."
            )
    return tuple(results)


class set_detect_anomaly:  # noqa: N801 - PyTorch's name; accepted so scripts run unchanged
    def __init__(self, mode: bool, check_nan: bool = True):
        self.mode = mode

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


detect_anomaly = set_detect_anomaly
no_grad = grad_mode.no_grad
from . import functional  # noqa: E402 - after grad, which it calls
from .gradcheck import gradcheck  # noqa: E402
