"""The warnings PyTorch prints for an action, for the console to show beside its output.

The replay runs with warnings silenced (views read tensors all the time), so the one warning a
learner's own line triggers is worked out here from the timeline instead: reading the ``.grad``
of a non-leaf that does not retain its grad. PyTorch warns exactly when the tensor has a
``grad_fn`` and ``retain_grad()`` was not called (``engine.Tensor.grad`` follows the same rule).
"""

from __future__ import annotations

from engine.tensor import NON_LEAF_GRAD_WARNING

from .model import Session
from .outcome import Outcome


def action_warnings(session: Session, outcome: Outcome) -> list[str]:
    """``["UserWarning: The .grad attribute ..."]`` for each non-leaf ``.grad`` the action reads."""
    action = outcome.action
    if action is None or outcome.index == 0:
        return []
    before = session.outcomes[outcome.index - 1].states
    if action.kind == "print":
        read = [item.text for item in action.items if item.kind == "grad"]
    elif action.kind == "zero_grad" and not action.set_to_none:
        read = list(action.targets)  # t.grad.zero_() reads t.grad first
    else:
        read = []
    warned = []
    for name in dict.fromkeys(read):
        state = before.get(name)
        if state is not None and state.grad_fn and not state.retains_grad:
            warned.append(f"UserWarning: {NON_LEAF_GRAD_WARNING}")
    return warned
