"""Replay: run a document through the engine and record what every timeline point shows.

Outcome 0 is the state after the definitions (leaves made, pipeline computed); outcome ``i`` is
the state after action ``i``. Each outcome keeps numpy copies of every value and ``.grad``, so
jumping to any point of the timeline is a lookup, never a recomputation.
"""

from __future__ import annotations

import math
import os
from collections import Counter

import numpy as np

import engine as torch
from engine.op_table import INPLACE_GROUP

from .document import RANDOM_FACTORIES, Action, Document, Leaf, Step, TensorData
from .ops import apply_op, op_spec
from .outcome import Outcome, TensorState, changes_between, copy_or_none, same_array
from .quiet_warnings import silenced
from .text import error_text, formatted, shown


def _configured_limit(default: int = 10**7) -> int:
    # A bigger machine (or a test of the limit) may set another limit in the environment.
    text = os.environ.get("TENSOR_PLAYGROUND_MAX_ELEMENTS", "")
    return int(text) if text.isdigit() and int(text) > 0 else default


MAX_ELEMENTS = _configured_limit()  # tensors larger than this are refused, leaves and steps


def too_big(name: str, count: int) -> ValueError:
    return ValueError(f"{name} would have {count} elements; the playground's limit "
                      f"is {MAX_ELEMENTS}")


def expected_elements(spec, operands) -> int:
    """A step's size when it is known before running it: ``outer`` of two 10^4 vectors, or an
    elementwise broadcast of (10^4, 1) against (1, 10^4), is refused before it allocates."""
    tensors = [o for o in operands if isinstance(o, torch.Tensor)]
    if spec.name == "outer" and len(tensors) == 2:
        return tensors[0].numel() * tensors[1].numel()
    if spec.group != "elementwise":  # matmul (1, n) @ (n, 1) is one element, not n * n
        return 0
    try:
        return math.prod(np.broadcast_shapes(*(tuple(t.shape) for t in tensors)))
    except ValueError:  # shapes that do not broadcast: the op itself says so
        return 0


def _element_count(leaf: Leaf) -> int:
    if leaf.factory == "eye":
        return leaf.shape[0] * leaf.shape[-1] if leaf.shape else 0
    if leaf.factory == "linspace":
        return leaf.steps
    if leaf.factory == "arange" and leaf.step:
        return max(0, math.ceil((leaf.end - leaf.start) / leaf.step))
    return math.prod(leaf.shape)


def seeded_generator(seed: int) -> np.random.Generator:
    """The generator ``engine.manual_seed(seed)`` would make, but the caller's own: a replay
    draws its random leaves and seeds from it, so a replay on a worker thread never touches
    the engine's shared generator (which views seed and draw from on the GUI thread), and its
    numbers are the same bits as after ``manual_seed``."""
    return np.random.default_rng(int(seed))


# Elements converted from Python numbers per call: numpy holds the GIL while it converts, so a
# replay on a worker thread converting a 2048² literal in one call kept the GUI thread waiting
# ~140 ms; between chunks of this size the GUI thread gets its turn.
LITERAL_CHUNK = 1 << 16


def literal_array(values: TensorData) -> np.ndarray:
    kept = values.kept_array()
    if kept is not None:  # the editor's values: copied, as the engine may change its leaf
        return np.array(kept, dtype=values.dtype).reshape(values.shape)
    data, dtype = values.data, np.dtype(values.dtype)
    if len(data) <= LITERAL_CHUNK:
        return np.array(data, dtype=dtype).reshape(values.shape)
    chunks = [np.array(data[i:i + LITERAL_CHUNK], dtype=dtype)
              for i in range(0, len(data), LITERAL_CHUNK)]
    return np.concatenate(chunks).reshape(values.shape)


def headline(action: Action, count: int) -> str:
    """The first line an action prints: ``after backward #2``."""
    return f"after {action.kind} #{count}"


class Replay:
    """Runs ``document`` with the engine; ``outcomes[i]`` is the state after timeline point i.

    ``run(action)`` continues from the live engine state, which is how the session appends an
    action without replaying everything before it.
    """

    def __init__(self, document: Document):
        self.document = document
        self.namespace: dict[str, torch.Tensor] = {}
        self.origins: dict[str, str] = {}
        self.errors: dict[str, tuple[str | None, str | None]] = {}  # name -> (error, blocked_by)
        self.counts: Counter = Counter()
        self.outcomes: list[Outcome] = []
        # name -> (engine array, version) its last recorded value was read from: while both
        # are the same, the value is too, and the snapshot shares it without comparing.
        self._sources: dict[str, tuple[np.ndarray, int]] = {}
        self.seed_used: np.ndarray | None = None  # the seed of the action being run
        with silenced():  # a non-leaf .grad read warns; views never need it
            self._define_all(document)
        for action in document.actions:
            self.run(action)

    def _define_all(self, document: Document) -> None:
        """The leaves, then the steps: timeline point 0."""
        for leaf in document.leaves:
            self._define(leaf.name, "leaf", self._make_leaf, leaf, self._leaf_refs(leaf))
        made = {name: np.array(tensor.detach().numpy()) for name, tensor in self.namespace.items()}
        self._compute_steps()
        self.outcomes.append(Outcome(0, None, None, self._snapshot(), (), "", made=made))

    # -- definitions --
    @staticmethod
    def _leaf_refs(leaf: Leaf) -> list[str]:
        return [leaf.like] if leaf.like else []

    def _define(self, name, origin, make, spec, refs):
        self.origins[name] = origin
        self.namespace.pop(name, None)
        blocked = next((ref for ref in refs if ref not in self.namespace), None)
        if blocked is not None:
            self.errors[name] = (None, blocked)
            return
        try:
            self.namespace[name] = make(spec)
            self.errors.pop(name, None)
        except Exception as error:  # the engine's message is what the learner should see
            self.errors[name] = (error_text(error), None)

    def _make_leaf(self, leaf: Leaf) -> torch.Tensor:
        count = _element_count(leaf)
        if count > MAX_ELEMENTS:  # refuse instead of freezing (or exhausting memory)
            raise too_big(leaf.name, count)
        options = {"dtype": getattr(torch, leaf.dtype), "requires_grad": leaf.requires_grad}
        if leaf.factory == "tensor":
            return torch.tensor(literal_array(leaf.values), **options)
        if leaf.factory in RANDOM_FACTORIES:
            # The engine's rand_like/randn_like refuse 0-d tensors; a draw of like's shape is
            # the same thing (torch.randn_like(x) is torch.randn(x.shape, dtype=x.dtype)).
            # manual_seed(seed) then a draw, from this replay's own generator.
            draw = getattr(torch, leaf.factory.removesuffix("_like"))
            shape = tuple(self.namespace[leaf.like].shape) if leaf.like else tuple(leaf.shape)
            return draw(shape, generator=seeded_generator(leaf.seed), **options)
        if leaf.factory.endswith("_like"):
            like = self.namespace[leaf.like]
            factory = getattr(torch, leaf.factory)
            if leaf.factory == "full_like":
                return factory(like, leaf.fill, **options)
            return factory(like, **options)
        if leaf.factory == "full":
            return torch.full(leaf.shape, leaf.fill, **options)
        if leaf.factory == "arange":
            return torch.arange(leaf.start, leaf.end, leaf.step, **options)
        if leaf.factory == "linspace":
            return torch.linspace(leaf.start, leaf.end, leaf.steps, **options)
        if leaf.factory == "eye":
            return torch.eye(*leaf.shape, **options)
        return getattr(torch, leaf.factory)(tuple(leaf.shape), **options)  # () works for 0-d

    def _compute_step(self, step: Step) -> torch.Tensor:
        try:
            spec = op_spec(step.op)
        except KeyError:  # a hand-edited file; say it plainly rather than as a KeyError repr
            raise ValueError(f"the engine has no op {step.op!r}") from None
        operands = [self.namespace[o] if isinstance(o, str) else o for o in step.operands]
        if spec.group == INPLACE_GROUP and not (operands and isinstance(operands[0], torch.Tensor)):
            raise TypeError(f"{step.op} changes a tensor in place: its first operand must be one")
        if expected_elements(spec, operands) > MAX_ELEMENTS:
            raise too_big(step.name, expected_elements(spec, operands))
        if step.no_grad:
            with torch.no_grad():
                result = apply_op(spec, operands, dict(step.params))
        else:
            result = apply_op(spec, operands, dict(step.params))
        if not isinstance(result, torch.Tensor):
            raise TypeError(f"{step.op} gave {type(result).__name__}, not a tensor")
        if result.numel() > MAX_ELEMENTS:  # expand is a view, but every snapshot copies it
            raise too_big(step.name, result.numel())
        return result

    def _compute_steps(self):
        for step in self.document.steps:
            refs = [o for o in step.operands if isinstance(o, str)]
            self._define(step.name, "step", self._compute_step, step, refs)

    # -- the timeline --
    def tensor(self, name: str) -> torch.Tensor:
        """The live tensor, or the NameError the exported script would raise."""
        if name not in self.namespace:
            raise NameError(f"name '{name}' is not defined")
        return self.namespace[name]

    def run(self, action: Action) -> Outcome:
        """Do ``action`` on the live engine state and record the outcome."""
        with silenced():
            return self.record(self.compute(action))

    def record(self, outcome: Outcome) -> Outcome:
        """Append what ``compute`` returned: the timeline point views can now read."""
        self.outcomes.append(outcome)
        return outcome

    def compute(self, action: Action) -> Outcome:
        """Do ``action`` on the live engine state and return its outcome, without recording it.

        The session may call this on a worker thread while views read ``outcomes``: it only
        reads them, and draws random numbers from generators of its own. Warnings are the
        caller's business (``run`` silences them; a worker thread runs in ``quiet_thread``).
        """
        self.counts[action.kind] += 1
        before = self.outcomes[-1].states
        error, printed = None, ""
        self.seed_used = None
        try:
            if action.kind == "print":
                printed = self._print_text(action)
            else:
                self._do(action)
        except Exception as raised:
            error = error_text(raised)
        states = self._snapshot(before)
        reported = () if action.kind == "print" else changes_between(before, states)
        texts = tuple(self._text(name, what) for name, what in reported)
        output = self._report(action, error, printed, reported, texts)
        result = None if error else self._result_text(action)
        return Outcome(len(self.outcomes), action, error, states, reported, output,
                       self.seed_used, texts, result)

    def _do(self, action: Action):
        if action.kind == "forward":
            self._compute_steps()
        elif action.kind == "backward":
            target = self.tensor(action.target)
            gradient = self.seed_tensor(action, target)
            # Kept before the call: a seed of the wrong shape is part of a backward that fails.
            self.seed_used = None if gradient is None else gradient.detach().numpy().copy()
            target.backward(gradient, retain_graph=action.retain_graph)
        elif action.kind == "zero_grad":
            for name in action.targets:
                tensor = self.tensor(name)
                if action.set_to_none:
                    tensor.grad = None
                else:
                    tensor.grad.zero_()
        elif action.kind == "detach":
            self.namespace[action.new_name] = self.tensor(action.target).detach()
            self.origins[action.new_name] = "detached"
        elif action.kind == "retain_grad":
            self.tensor(action.target).retain_grad()
        elif action.kind == "requires_grad":
            self.tensor(action.target).requires_grad_(action.flag)
        return None

    @staticmethod
    def seed_tensor(action: Action, target: torch.Tensor):
        seed = action.seed
        if seed.kind == "implicit":
            return None
        if seed.kind == "ones":
            return torch.ones_like(target)
        if seed.kind == "randn":  # randn_like, 0-d too, after manual_seed (a generator of its own)
            return torch.randn(tuple(target.shape), dtype=target.dtype,
                               generator=seeded_generator(seed.seed))
        return torch.tensor(literal_array(seed.values))

    def _print_text(self, action: Action) -> str:
        # sep="" prints are written as f-strings, where torch shows 0-d tensors as numbers.
        show = formatted if action.sep == "" else shown
        parts = []
        for item in action.items:
            if item.kind == "text":
                parts.append(item.text)
            else:
                tensor = self.tensor(item.text)
                parts.append(show(tensor if item.kind == "value" else tensor.grad))
        return action.sep.join(parts)

    def _text(self, name: str, what: str) -> str:
        tensor = self.namespace[name]
        return shown(tensor.grad if what == "grad" else tensor)

    def _result_text(self, action: Action) -> str | None:
        """``t.grad.zero_()`` and ``t.requires_grad_(...)`` return a tensor a notebook shows."""
        if action.kind == "zero_grad" and not action.set_to_none:
            return shown(self.namespace[action.targets[-1]].grad)
        if action.kind == "requires_grad":
            return shown(self.namespace[action.target])
        return None

    def _report(self, action, error, printed, reported, texts) -> str:
        if action.kind == "print":
            return printed if error is None else error
        lines = [headline(action, self.counts[action.kind])]
        if error is not None:
            lines.append(error)
        for (name, what), text in zip(reported, texts):
            lines.append(f"{name}.grad:\n{text}" if what == "grad" else f"{name}:\n{text}")
        return "\n".join(lines)

    # -- recording --
    def _snapshot(self, before: dict[str, TensorState] | None = None) -> dict[str, TensorState]:
        before = before or {}
        states = {}
        for name, origin in self.origins.items():
            old = before.get(name)
            states[name] = self._state(name, origin, old)
        return states

    def _state(self, name, origin, old: TensorState | None) -> TensorState:
        tensor = self.namespace.get(name)
        if tensor is None:
            error, blocked_by = self.errors.get(name, (None, None))
            return TensorState(name, origin, None, None, error=error, blocked_by=blocked_by)
        data, version = tensor.detach().numpy(), tensor._version
        source = self._sources.get(name)
        self._sources[name] = (data, version)
        # np.asarray: some engine ops give 0-d results holding a numpy scalar.
        value = np.asarray(data)
        grad = tensor.grad if (tensor.is_leaf or tensor.retains_grad) else None
        grad = None if grad is None else np.asarray(grad.detach().numpy())
        # Unchanged arrays are shared with the previous point, so long timelines stay small.
        untouched = source is not None and source[0] is data and source[1] == version
        same = untouched or (old is not None and same_array(old.value, value))
        if old is not None and old.value is not None and same:
            value = old.value
        else:
            value = value.copy()
        grad = old.grad if old is not None and same_array(old.grad, grad) else copy_or_none(grad)
        return TensorState(
            name, origin, value, grad, tensor.requires_grad, tensor.is_leaf,
            None if tensor.grad_fn is None else tensor.grad_fn.name(), tensor.retains_grad,
        )
