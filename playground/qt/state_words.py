"""How the panels put a tensor's state in words: its one-line description, and why its
``.grad`` is None (tersely on a heatmap card, as a sentence in the tensor editor), from one
decision so the two never disagree."""

from __future__ import annotations

from ..session.outcome import TensorState

# Why .grad is None: the phrase on a heatmap card, and the sentence in the tensor editor.
_NO_GRAD_WORDS = {
    "no_requires_grad": ("requires_grad=False, so no .grad",
                         "requires_grad is False, so backward gives it no gradient."),
    "not_a_leaf": ("not a leaf: .grad is kept only after retain_grad()",
                   "it is not a leaf; call retain_grad() before backward to keep its gradient."),
    "no_backward_yet": ("no .grad yet: run backward", "run backward to compute it."),
}


def _no_grad_cause(state: TensorState) -> str:
    if not state.requires_grad:
        return "no_requires_grad"
    if not state.is_leaf and not state.retains_grad:
        return "not_a_leaf"
    return "no_backward_yet"


def none_reason(state: TensorState) -> str:
    """Why ``.grad`` is None, in one short line a learner can act on (a heatmap card)."""
    return _NO_GRAD_WORDS[_no_grad_cause(state)][0]


def none_sentence(state: TensorState) -> str:
    """Why ``.grad`` is None, as the end of a sentence (the tensor editor)."""
    return _NO_GRAD_WORDS[_no_grad_cause(state)][1]


def describe(state: TensorState) -> str:
    """dtype, shape, leaf or detached, grad_fn and requires_grad, as a card's header says them."""
    value = state.value
    parts = [] if value is None else [f"{value.dtype}", f"[{', '.join(map(str, value.shape))}]"]
    if state.origin == "detached":
        parts.append("detached")
    elif state.is_leaf:
        parts.append("leaf")
    if state.grad_fn:
        parts.append(f"grad_fn={state.grad_fn}")
    if state.requires_grad:
        parts.append("requires_grad")
    return "  ·  ".join(parts)


def counts_note(counts: tuple[int, int]) -> str:
    """"2 nan, 1 inf" for (nan, inf) counts; empty when both are 0."""
    nan, inf = counts
    return ", ".join([f"{nan} nan"] * bool(nan) + [f"{inf} inf"] * bool(inf))
