"""How a timeline action reads: its PyTorch code, and in a few words what it did to ``.grad``.

Shared by the Timeline and Console panels so both say the same thing.
"""

from __future__ import annotations

import numpy as np

from playground.session import Action, Session
from playground.session.codegen import action_lines
from playground.session.runner import literal_array

FORWARD_CODE = "# Forward: the pipeline runs again (fresh values, a fresh graph)"


def action_code(action: Action, seed_used: np.ndarray | None = None) -> list[str]:
    """The lines a notebook would run for ``action`` (a custom seed is written out first)."""
    if action.kind == "forward":
        return [FORWARD_CODE]
    return action_lines(action, seed_used, "v")


def action_line(action: Action) -> str:
    """One line for lists: the call itself (``out.backward(v, retain_graph=True)``)."""
    # A literal or random seed is named v as in the code that defines it (its values are not
    # needed for one line); without a stand-in the call would read y.backward(), no seed at all.
    stand_in = np.zeros(0, np.float32) if action.kind == "backward" and action.seed.kind in (
        "randn", "literal") else None
    lines = action_code(action, stand_in)
    return lines[-1] if len(lines) == 1 or action.kind == "backward" else "; ".join(lines)


def upcoming_code(action: Action) -> list[str]:
    """The lines of an action not taken yet, as a question about it shows them: a literal seed
    is written out (its values are the point of "with this seed"); a random one is only drawn
    when the step runs, so it reads ``v``."""
    if action.kind == "backward" and action.seed.kind == "literal":
        return action_code(action, literal_array(action.seed.values))
    return [action_line(action)]


def _span(array: np.ndarray) -> str:
    low, high = float(np.min(array)), float(np.max(array))
    return f"{low:+.4g}" if low == high else f"{low:+.4g} … {high:+.4g}"


def grad_changes(session: Session, index: int) -> list[str]:
    """``["inp.grad +2 … +4"]``: how every ``.grad`` changed at timeline point ``index``."""
    outcome = session.outcomes[index]
    changes = []
    for name, what in outcome.reported:
        if what != "grad":
            continue
        state = outcome.states[name]
        if state.grad is None:
            changes.append(f"{name}.grad → None")
        elif state.grad.size and not np.any(state.grad):
            changes.append(f"{name}.grad → zeros")
        else:
            delta = session.grad_delta(name, index)
            if delta is None or not delta.size or delta.dtype.kind not in "fiu":
                changes.append(f"{name}.grad changed")
            else:
                changes.append(f"{name}.grad {_span(delta)}")
    return changes
