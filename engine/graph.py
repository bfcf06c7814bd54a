"""The backward pass: one iterative walk over the graph, written as a generator of steps.

``Tensor.backward`` and ``autograd.grad`` run it to the end; the playground single-steps it to
show each node receive its gradient and pass gradients on. Gradients are summed back to each
input's shape here (broadcasting is undone once, for every op) and accumulated, never overwritten.
"""

from __future__ import annotations

import heapq
import itertools
import sys

import numpy as np

from . import grad_mode
from .function import _NOTHING_SAVED, AccumulateGrad, Function
from .ops.sum_order import in_torch_order


class BackwardStep:
    """One node processed by the walk.

    ``grad_output`` is the gradient that arrived at the node (summed over every path);
    ``grad_inputs`` what it sends along each of its ``next_functions`` (None where nothing flows),
    already summed to that input's shape.
    """

    __slots__ = ("node", "grad_output", "grad_inputs")  # one per node: keep it light

    def __init__(self, node: Function, grad_output: np.ndarray, grad_inputs: tuple = ()):
        self.node = node
        self.grad_output = grad_output
        self.grad_inputs = grad_inputs

    def __repr__(self):
        return f"BackwardStep({self.node.name()}, grad_output shape {self.grad_output.shape})"


def sum_to_shape(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting: sum ``grad`` over the dimensions that were expanded to reach its shape."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes:  # in PyTorch's order of additions, as sum_to does it
        grad = np.expand_dims(in_torch_order(grad, axes), axes)
    if lead:
        grad = grad.reshape(grad.shape[lead:])
    if grad.shape != shape:  # a formula returned a smaller (broadcastable) array
        grad = np.broadcast_to(grad, shape)
    return grad


def _dependencies(roots):
    """How many edges enter each node reachable from ``roots`` (iterative: deep graphs are fine)."""
    counts: dict = {}
    roots = set(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for child in node._edges:
            if child is None:
                continue
            if child in counts:
                counts[child] += 1
            else:  # reached for the first time: go on from it (roots are on the stack already)
                counts[child] = 1
                if child not in roots:
                    stack.append(child)
    return counts


def _nodes_leading_to(roots, targets):
    """The nodes from which some target node can be reached (the only ones worth running)."""
    needed = set()
    order = []
    seen = set(roots)
    stack = list(roots)
    while stack:  # collect every reachable node, then settle them children-first
        node = stack.pop()
        order.append(node)
        for child in node._edges:
            if child is not None and child not in seen:
                seen.add(child)
                stack.append(child)
    changed = True
    while changed:  # a fixpoint: simple and linear enough for the graphs learners build
        changed = False
        for node in reversed(order):
            if node in needed:
                continue
            if node in targets or any(c in needed for c in node._edges if c is not None):
                needed.add(node)
                changed = True
    return needed


def walk(roots, grads, retain_graph=False, capture=None, accumulate=True, steps=True):
    """Walk the graph from ``roots`` (nodes) seeded with ``grads`` (arrays), yielding each step.

    ``capture`` maps nodes to a list in which their incoming gradient is stored instead of being
    passed on (``autograd.grad`` and ``backward(inputs=...)``); with ``accumulate=False`` leaves'
    ``.grad`` is left alone. Saved tensors are released as each node finishes unless
    ``retain_graph``. With ``steps=False`` it yields None for each node (nobody looks at them).
    """
    # Ready nodes wait in a heap keyed by -sequence_nr: PyTorch runs the most recently created
    # node first, and AccumulateGrad (sequence_nr infinity) as soon as it is ready.
    counts = _dependencies(roots)
    needed = _nodes_leading_to(roots, capture) if capture is not None else None
    buffers: dict = {}  # the gradient summed so far for each node that is still to run
    owned: set = set()  # nodes whose buffer is a sum made here, so it can be added to in place
    for node, grad in zip(roots, grads):
        _accumulate(buffers, owned, node, grad)
    ready = []
    tie = itertools.count().__next__  # AccumulateGrad nodes share a sequence_nr: FIFO among them
    for node in buffers:
        if counts.get(node, 0) == 0:
            heapq.heappush(ready, (-node._sequence_nr, tie(), node))
    state = grad_mode.STATE
    caller_mode = state.enabled
    state.enabled = False  # backward formulas are not themselves recorded
    try:
        while ready:
            node = heapq.heappop(ready)[2]
            grad = buffers.pop(node, None)
            if grad is None:  # no gradient reached it: nothing to run, but its inputs may wait
                _release_inputs(node, counts, ready, tie)
                continue
            if node._retained is not None:
                _store_retained(node, grad)
            if capture is not None:
                if node in capture:
                    capture[node].append(grad)
                    if not any(child in needed for child in node._edges):
                        continue  # nothing wanted lies beyond: leave its saved tensors alone
                if node not in needed:
                    continue
            if type(node) is AccumulateGrad:
                if accumulate:
                    node.backward(grad)
                if steps:  # the caller's code runs between steps: in the caller's grad mode
                    state.enabled = caller_mode
                    yield BackwardStep(node, grad, ())
                    caller_mode, state.enabled = state.enabled, False
                else:
                    yield None
                continue
            result = node.backward(grad)
            if type(result) is not tuple:
                result = (result,)
            if not retain_graph and node._saved is not _NOTHING_SAVED:
                node._saved = None  # release(), inline: free the saved tensors
            sent = [] if steps else None
            for child, child_grad, meta in zip(node._edges, result, node._input_meta):
                if child is None:  # this input needs no gradient (meta is None too)
                    if steps:
                        sent.append(None)
                    continue
                if child_grad is not None:
                    if type(child_grad) is not np.ndarray or child_grad.shape != meta[0] or (
                        child_grad.dtype is not meta[1]
                    ):  # the common case, checked inline: already the input's shape and dtype
                        child_grad = _fit(child_grad, meta)
                    if child in buffers:
                        _accumulate(buffers, owned, child, child_grad)
                    else:  # the first gradient to reach it (inline too: the common case)
                        buffers[child] = child_grad
                if steps:
                    sent.append(child_grad)
                left = counts[child] - 1
                counts[child] = left
                if left == 0:
                    heapq.heappush(ready, (-child._sequence_nr, tie(), child))
            if steps:
                state.enabled = caller_mode
                yield BackwardStep(node, grad, tuple(sent))
                caller_mode, state.enabled = state.enabled, False
            else:
                yield None
    finally:
        state.enabled = caller_mode


def _accumulate(buffers, owned, node, grad):
    """Add ``grad`` to what ``node`` has received. The first gradient is kept as it is (it may
    be another node's array); once two are summed, the sum is ours and later ones go into it."""
    held = buffers.get(node)
    if held is None:
        buffers[node] = grad
    elif node in owned:
        np.add(held, grad, out=held)
    else:
        total = held + grad
        buffers[node] = total
        if type(total) is np.ndarray and total.shape == held.shape:  # not a 0-d numpy scalar
            owned.add(node)


def _fit(grad, meta):
    """A gradient a formula returned, as its input needs it: an array of the input's shape
    (broadcasting summed back) and dtype."""
    shape, dtype = meta
    if type(grad) is not np.ndarray:
        grad = np.asarray(grad)
    if grad.shape != shape:
        grad = sum_to_shape(grad, shape)
    if grad.dtype is not dtype and grad.dtype != dtype:
        grad = grad.astype(dtype)
    return grad


def _store_retained(node, grad):
    for ref in node._retained:
        tensor = ref()
        if tensor is not None and tensor._grad_fn is node:
            tensor._accumulate_retained_grad(grad)


def run_backward(roots, grads, retain_graph=False, capture=None, accumulate=True):
    """Run the walk to completion (what ``Tensor.backward`` and ``autograd.grad`` do)."""
    if capture is None and accumulate and len(roots) == 1 and (
        type(roots[0]) is not AccumulateGrad
    ):
        run_to_leaves(roots[0], grads[0], retain_graph)
        return
    for _ in walk(roots, grads, retain_graph, capture, accumulate, steps=False):
        pass


def run_to_leaves(root, seed, retain_graph):
    """``walk`` to the end from one op node, for ``Tensor.backward``: the same nodes in the same
    order, the same gradients, as one plain loop. ``Tensor.backward`` is most of what a small
    workload costs, and it needs none of the walk's generator, step records or capture checks;
    a leaf's ``.grad`` may also take a gradient nobody else holds without copying it.

    Nor does it count every node's consumers first (walk's ``_dependencies``, a pass over the
    whole graph). A node is created after each of its inputs, so its ``_sequence_nr`` is larger:
    always running the queued node with the largest one (PyTorch's order) runs a node only once
    every consumer that sends it a gradient has run, and a node can be queued when its first
    gradient arrives. Only a leaf's AccumulateGrad, which PyTorch runs as soon as its last
    consumer has, waits for a count: ``_uses``, the edges made to it. An edge from outside this
    graph (another output still alive) makes that leaf wait for the end of the walk instead,
    which nobody sees, unless a node fails first: ``_flush_reached_leaves`` then does what
    PyTorch had done by then.
    """
    buffers = {root: seed}  # the gradient summed so far for each node that is still to run
    owned: set = set()  # nodes whose buffer is a sum made here, so it can be added to in place
    waiting: dict = {}  # AccumulateGrad node -> how many consumers it still waits for (> 0)
    ready = [(-root._sequence_nr, root)]  # a heap; sequence numbers are unique
    leaves = []  # AccumulateGrad nodes that became ready while the current node ran
    push, pop = heapq.heappush, heapq.heappop
    state = grad_mode.STATE
    caller_mode = state.enabled
    state.enabled = False
    node = grad = result = sends = child_grad = None  # only buffers hold grads after a node
    try:
        while ready:
            node = pop(ready)[1]
            grad = buffers.pop(node)
            if node._retained is not None:
                _store_retained(node, grad)
            result = node.backward(grad)
            if not retain_graph and node._saved is not _NOTHING_SAVED:
                node._saved = None  # release(), inline: free the saved tensors
            if type(result) is tuple:
                sends = zip(node._edges, result, node._input_meta)
            else:  # one input, most ops: its edge, gradient and metadata, without a zip
                sends = ((node._edges[0], result, node._input_meta[0]),)
            for child, child_grad, meta in sends:
                if child is None:  # this input needs no gradient (meta is None too)
                    continue
                if child_grad is not None:
                    if type(child_grad) is not np.ndarray or child_grad.shape != meta[0] or (
                        child_grad.dtype is not meta[1]
                    ):  # the common case, checked inline: already the input's shape and dtype
                        child_grad = _fit(child_grad, meta)
                    if child in buffers:
                        _accumulate(buffers, owned, child, child_grad)
                    else:  # the first gradient to reach it (inline too: the common case)
                        buffers[child] = child_grad
                        if type(child) is not AccumulateGrad:
                            push(ready, (-child._sequence_nr, child))
                            continue
                if type(child) is AccumulateGrad:
                    left = waiting.get(child, child._uses) - 1
                    if left == 0:
                        waiting.pop(child, None)
                        leaves.append(child)
                    else:
                        waiting[child] = left
            if leaves:  # only the buffer may hold a leaf's gradient, for _flush_leaves' test
                node = grad = result = sends = child_grad = None
                _flush_leaves(leaves, buffers)
                leaves.clear()
        node = None
        if waiting:  # leaves with edges from outside this graph: they have all they will get
            _flush_leaves(list(waiting), buffers)
    except BaseException:
        if node is not None:  # it failed: leaves whose consumers had all run have their grad
            _flush_reached_leaves(root, waiting, buffers, node._sequence_nr)
        raise
    finally:
        state.enabled = caller_mode


def _flush_leaves(leaves, buffers):
    """Run these AccumulateGrad nodes: add the gradient each received into its leaf's ``.grad``.
    A gradient only the local ``grad`` holds may become the ``.grad`` without a copy."""
    for node in leaves:
        grad = buffers.pop(node, None)
        if grad is not None:
            sole = sys.getrefcount(grad) == _SOLE_LOCAL  # asked first: a pushed
            node.variable._accumulate_grad(grad, sole)  # argument counts as a reference
            grad = None


def _flush_reached_leaves(root, waiting, buffers, failed_sequence_nr):
    """After the node numbered ``failed_sequence_nr`` failed: flush the leaves that PyTorch had
    run by then, those all of whose consumers in this graph had run (numbered higher)."""
    not_run = set()
    seen = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node._edges:
            if child is None:
                continue
            if node._sequence_nr <= failed_sequence_nr:
                not_run.add(child)
            if child not in seen:
                seen.add(child)
                stack.append(child)
    _flush_leaves([leaf for leaf in waiting if leaf not in not_run], buffers)


def _refcount_of_a_sole_local() -> int:
    """``sys.getrefcount(name)`` when the local ``name`` is all that holds an array (measured
    once: it differs between Python versions)."""
    probe = np.empty(0)
    return sys.getrefcount(probe)


# A gradient that only the walk's local variable holds can become a leaf's ``.grad`` without a
# copy and nobody can tell (PyTorch's AccumulateGrad steals a gradient by the same test, its use
# count). A seed, an array a formula sent to two inputs or one a node saved has more references.
_SOLE_LOCAL = _refcount_of_a_sole_local()


def _release_inputs(node, counts, ready, tie):
    """``node`` got no gradient: each of its inputs waits for one user fewer, and joins the
    ready heap (ordered as in the walk) when none is left."""
    for child in node._edges:
        if child is not None:
            counts[child] -= 1
            if counts[child] == 0:
                heapq.heappush(ready, (-child._sequence_nr, tie(), child))
