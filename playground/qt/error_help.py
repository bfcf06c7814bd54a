"""Plain words for PyTorch's errors: what went wrong in one line, and what to do about it.

The console shows PyTorch's own message first (that is what a learner will meet in a notebook),
then this explanation and fix. Matching is on stable fragments of torch's messages.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class ErrorHelp(NamedTuple):
    explanation: str
    fix: str


_HELP: list[tuple[str, ErrorHelp]] = [
    (r"backward through the graph a second time", ErrorHelp(
        "The first backward freed the values the graph saved, so it cannot be walked again.",
        "Tick retain_graph in Backward options for the earlier call, or run Forward to build a "
        "fresh graph.")),
    (r"grad can be implicitly created only for scalar outputs", ErrorHelp(
        "Backward without a seed only works from a single number; this tensor has many.",
        "Pick a seed in Backward options (ones_like gives the sum of all gradients), or "
        "reduce the tensor first with sum or mean.")),
    (r"Mismatch in shape: grad_output", ErrorHelp(
        "The seed passed to backward must have exactly the shape of the tensor it starts from.",
        "Use ones_like or random in Backward options, or type a custom seed of the target's "
        "shape.")),
    (r"does not require grad and does not have a grad_fn", ErrorHelp(
        "Nothing in this tensor's history requires grad, so there is no graph to walk back.",
        "Tick requires_grad on a leaf it is computed from, then run Forward.")),
    (r"'NoneType' object has no attribute 'zero_'", ErrorHelp(
        "This tensor's .grad is None (no backward has reached it yet), so there is nothing to "
        "zero.",
        "Run Backward first, or choose 'set to None' in Zero grad options.")),
    (r"shapes cannot be multiplied", ErrorHelp(
        "For a @ b, the number of columns of a must equal the number of rows of b.",
        "Change a shape, or transpose one operand with .t().")),
    (r"must match the size of tensor", ErrorHelp(
        "These shapes cannot be broadcast together: each dimension must be equal or 1.",
        "Make the sizes match, or add a dimension of size 1 with unsqueeze.")),
    (r"leaf Variable that requires grad is being used in an in-place", ErrorHelp(
        "Changing a leaf that requires grad in place would corrupt the graph built from it.",
        "Use an out-of-place op, or detach the tensor first.")),
    (r"Only Tensors of floating point .*can require gradients", ErrorHelp(
        "Gradients only exist for floating-point tensors.",
        "Change the tensor's dtype to float32 or float64.")),
    (r"^NameError: name '(\w+)' is not defined", ErrorHelp(
        "That tensor does not exist at this point of the session (it failed, or was removed).",
        "Check the Tensors panel for it and fix the step it comes from.")),
    (r"elements; the playground's limit", ErrorHelp(
        "The tensor is too big for the playground to show smoothly.",
        "Use a smaller shape.")),
]


def explain(error: str) -> ErrorHelp:
    """The plain explanation and fix for one ``"RuntimeError: ..."`` line."""
    for pattern, help_ in _HELP:
        if re.search(pattern, error):
            return help_
    return ErrorHelp(
        "PyTorch refused this action; its message above says why.",
        "Undo it (Ctrl+Z), or change what it uses and try again.",
    )
