"""Forward mode: push tangents from the inputs to the outputs through a recorded graph.

``autograd.functional.jvp`` runs the user's function once inside ``recording()``: grad mode is on
and ``grad_mode.STATE.forward_ad`` asks every recorded node to keep its input arrays
(``_fw_inputs``) and its result (``_fw_result``). A ``TangentGraph`` then walks the nodes that lie
between the inputs and the outputs, oldest first (``_sequence_nr`` is the creation order, so every
node comes after the nodes it reads), and applies each node's ``jvp`` rule to the tangents of its
inputs. A missing tangent (``None``) stands for zero: a node none of whose inputs carries a tangent
is skipped. Broadcasting and dtype are settled here, once for every rule, as the backward walk
does for gradients. The graph can be walked many times (one Jacobian column per walk).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from . import grad_mode
from .function import Function, unpack

__all__ = ["ForwardStep", "TangentGraph", "recording"]


@contextmanager
def recording():
    """Record with grad mode on and forward-mode data kept; both flags restored, even on error."""
    state = grad_mode.STATE
    previous = (state.enabled, state.forward_ad)
    state.enabled, state.forward_ad = True, True
    try:
        yield
    finally:
        state.enabled, state.forward_ad = previous


@dataclass
class ForwardStep:
    """One node processed by the forward walk.

    ``tangent_inputs`` holds the tangent of each of the node's inputs (None: zero, or an input
    that is not differentiable); ``tangent_output`` the tangent of its result, already in the
    result's shape and dtype.
    """

    node: Function
    tangent_inputs: tuple
    tangent_output: np.ndarray


def _node_of(tensor):
    if not tensor.requires_grad:
        return None
    return tensor._grad_fn or tensor._grad_accumulator()


class TangentGraph:
    """The part of a recorded graph that runs from ``leaves`` to ``outputs``, in creation order.

    Parameters
    ----------
    leaves : sequence of Tensor
        Leaves that require grad, created before the function ran; they receive the seeds.
    outputs : sequence of Tensor
        What the function returned, recorded inside ``recording()``.
    """

    def __init__(self, leaves, outputs):
        self.leaves = tuple(leaves)
        # Strong references: a leaf keeps its AccumulateGrad node only weakly.
        self._leaf_nodes = tuple(leaf._grad_accumulator() for leaf in self.leaves)
        self._roots = tuple(_node_of(out) for out in outputs)
        self.nodes = self._collect()
        self._depends = self._dependent_nodes()

    def _collect(self):
        """Nodes reachable from the outputs that were recorded in forward mode, oldest first."""
        seen = set()
        stack = [root for root in self._roots if root is not None]
        nodes = []
        while stack:  # iterative: deep graphs are fine
            node = stack.pop()
            if node in seen or node._fw_inputs is None:  # leaves, and nodes made before the run
                continue
            seen.add(node)
            nodes.append(node)
            stack.extend(child for child in node._edges if child is not None)
        nodes.sort(key=lambda node: node._sequence_nr)
        return nodes

    def _dependent_nodes(self):
        depends = set(self._leaf_nodes)
        for node in self.nodes:
            if any(child in depends for child in node._edges if child is not None):
                depends.add(node)
        return depends

    # -- structure (what ``strict=True`` asks about) -----------------------------------------------
    def output_depends_on_leaves(self, index: int) -> bool:
        """Whether output ``index`` is reached by some leaf's tangent."""
        return self._roots[index] in self._depends

    def leaf_is_used(self, index: int) -> bool:
        """Whether leaf ``index`` reaches some output."""
        leaf = self._leaf_nodes[index]
        if leaf in self._roots:
            return True
        return any(leaf in node._edges for node in self.nodes)

    # -- the walk ----------------------------------------------------------------------------------
    def steps(self, seeds, tangents=None):
        """Walk once with ``seeds`` (one array or None per leaf), yielding each ``ForwardStep``.

        ``tangents`` (a dict) receives the tangent of every node reached, keyed by node.
        """
        if tangents is None:
            tangents = {}
        for node, seed in zip(self._leaf_nodes, seeds):
            if seed is not None:
                tangents[node] = seed
        for node in self.nodes:
            if node not in self._depends:
                continue
            inputs = tuple(None if c is None else tangents.get(c) for c in node._edges)
            if all(t is None for t in inputs):
                continue
            _check_saved_versions(node)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                tangent = node.jvp(*inputs)
            if tangent is None:
                continue
            tangent = _settle(node, tangent)
            tangents[node] = tangent
            yield ForwardStep(node, inputs, tangent)

    def push(self, seeds):
        """The tangent of each output (None where no tangent reaches it) for ``seeds``."""
        tangents = {}
        for _ in self.steps(seeds, tangents):
            pass
        return tuple(None if root is None else tangents.get(root) for root in self._roots)

    def release(self):
        """Drop the arrays forward mode kept on the nodes."""
        for node in self.nodes:
            node._fw_inputs = None
            node._fw_result = None


def _settle(node, tangent):
    """The tangent in the shape and dtype of the node's result (a rule may leave it smaller)."""
    result = node._fw_result
    tangent = np.asarray(tangent)
    if tangent.shape != result.shape:
        try:
            tangent = np.broadcast_to(tangent, result.shape)
        except ValueError:
            raise RuntimeError(
                f"{node.name()}: the forward-mode rule gave a tangent of shape "
                f"{list(tangent.shape)} for a result of shape {list(result.shape)}"
            ) from None
    if tangent.dtype != result.dtype:
        tangent = tangent.astype(result.dtype)
    return tangent


def _check_saved_versions(node):
    """Refuse, as backward does, a node whose saved tensors were changed in place since."""
    saved = node._saved
    if saved:
        for entry in saved.values():
            unpack(entry, node)
