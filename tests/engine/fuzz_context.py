"""The drawing context of a fuzz program: the steps drawn so far and their live run in PyTorch.

Each step is drawn knowing the values made so far (``Context.runner`` runs the program in
PyTorch as it is drawn), so shapes, dims and partners fit and most programs are valid. A candidate
call is first tried in PyTorch on detached operands (``attempt``: it changes nothing); a refused
one is usually redrawn, and now and then kept, to compare the errors too.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch
from hypothesis import strategies as st

from tests.engine.fuzz_programs import (
    INCLUDE_KNOWN_ISSUES,
    OPS,
    Detach,
    Leaf,
    Op,
    Runner,
    V,
    is_tensor,
)

SPECIALS = (0.0, -0.0, math.inf, -math.inf, math.nan)
OP_NAMES = sorted(OPS)


class Context:
    """The program being drawn and its live PyTorch run."""

    def __init__(self, draw, op_names=OP_NAMES):
        self.draw = draw
        self.op_names = op_names
        self.runner = Runner(torch)
        self.steps: list = []
        self.overlapping: set[int] = set()  # ids of tensors written only with PyTorch's checks
        self.laid_out_otherwise: set[int] = set()  # ids of tensors not to view or fold
        self.from_data: set[int] = set()  # ids of tensors not to change in place

    # -- drawing --
    def chance(self, percent: int) -> bool:
        """True ``percent`` % of the time (shrinks to False)."""
        return self.draw(st.integers(0, 99)) >= 100 - percent

    def choice(self, options):
        return self.draw(st.sampled_from(options))

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    # -- the program --
    def add(self, step) -> V:
        self.steps.append(step)
        try:
            self.runner.apply(step)
        except Exception:  # noqa: BLE001, S110 - errors are compared when the program is run
            pass
        self._note_layout(step, self.runner.env[-1])
        return V(len(self.steps) - 1)

    def _note_layout(self, step, value):
        """Remember tensors whose memory repeats (expand), those laid out otherwise than in the
        engine (known issue: softmax of a non-contiguous input), and what is viewed from them."""
        if not is_tensor(value):
            return
        sources = [self.runner.value(v) for v in _inputs(step)]
        storage = value.untyped_storage().data_ptr()

        def derived(marked):
            return any(is_tensor(t) and id(t) in marked
                       and t.untyped_storage().data_ptr() == storage for t in sources)

        if any(n > 1 and stride == 0 for n, stride in zip(value.shape, value.stride())) or (
                derived(self.overlapping)):
            self.overlapping.add(id(value))
        if (_laid_out_otherwise(step, sources) or derived(self.laid_out_otherwise)) and (
                not INCLUDE_KNOWN_ISSUES):
            self.laid_out_otherwise.add(id(value))
        data = isinstance(step, Detach) and step.how == "data"
        if (data or derived(self.from_data)) and not INCLUDE_KNOWN_ISSUES:
            self.from_data.add(id(value))  # known issue: .data shares the version counter

    def tensor(self, ref: V):
        return self.runner.env[ref.index]

    def refs(self, accept=None) -> list[V]:
        return [
            V(i) for i, value in enumerate(self.runner.env)
            if is_tensor(value) and (accept is None or accept(value))
        ]

    def refs_values(self) -> list:
        return [value for value in self.runner.env if is_tensor(value)]

    def pick(self, accept=None, latest=50):
        """A tensor made so far: often the latest (chains), else any (DAGs); None if none."""
        refs = self.refs(accept)
        if not refs:
            return None
        return refs[-1] if self.chance(latest) else self.choice(refs)

    def producer(self, ref: V):
        """The step that made the tensor in ``ref`` (in-place steps return their target)."""
        value = self.tensor(ref)
        for index, other in enumerate(self.runner.env):
            if other is value:
                return self.steps[index]
        return None

    # -- new leaves --
    def shape(self, ndim=None) -> tuple:
        ndim = self.choice((0, 1, 1, 2, 2, 2, 3, 3)) if ndim is None else ndim
        sides = (1, 1, 2, 3, 4, 0) if self.chance(4) else (1, 1, 2, 3, 4)
        return tuple(self.choice(sides) for _ in range(ndim))

    def leaf(self, shape=None, dtype=None, domain="any", requires_grad=None) -> V:
        shape = self.shape() if shape is None else tuple(shape)
        if dtype is None:
            dtype = self.choice(("float32",) * 10 + ("float64",) * 7 + ("int64", "bool"))
        if requires_grad is None:
            requires_grad = dtype.startswith("float") and self.chance(75)
        seed = self.integer(0, 2**16)
        specials = domain == "any" and dtype.startswith("float") and self.chance(12)
        values = leaf_values(shape, dtype, domain, seed, specials)
        empty = shape if 0 in shape else None
        return self.add(Leaf(values, dtype, requires_grad, empty))


def _laid_out_otherwise(step, sources) -> bool:
    """Known issues: the engine's softmax of a non-contiguous input is not contiguous, and its
    elementwise losses do not follow their input's layout."""
    if not isinstance(step, Op) or not sources or not is_tensor(sources[0]):
        return False
    if step.name in ("softmax", "log_softmax"):
        return not sources[0].is_contiguous()
    if step.name in ("mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"):
        return any(is_tensor(t) and not t.is_contiguous() for t in sources)
    return False


def _inputs(step) -> list:
    if isinstance(step, Op):
        return [v for item in step.operands for v in (item if isinstance(item, tuple) else (item,))
                if isinstance(v, V)]
    source = getattr(step, "source", None)
    return [source] if source is not None else []


def leaf_values(shape, dtype, domain, seed, specials):
    """Nested lists of Python numbers: quarters in [-3, 3] mostly (exact sums, many ties)."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        data = rng.random(shape) < 0.5
    elif dtype == "int64":
        high = int(domain[len("classes"):]) if domain.startswith("classes") else 4
        data = rng.integers(0 if domain.startswith("classes") else -3, high, shape)
    elif domain == "positive":
        data = rng.integers(1, 13, shape) / 4
    elif domain == "unit":
        data = rng.integers(0, 9, shape) / 8
    elif rng.random() < 0.2:
        data = rng.uniform(-3, 3, shape)
    else:
        data = rng.integers(-12, 13, shape) / 4
    data = np.asarray(data)
    if specials:
        picks = rng.integers(0, len(SPECIALS), shape)
        mask = rng.random(shape) < 0.25
        data = np.where(mask, np.asarray(SPECIALS)[picks], data)
    return data.tolist()


def detached(value):
    if isinstance(value, tuple):
        return tuple(detached(v) for v in value)
    return value.detach() if is_tensor(value) else value


def attempt(thunk):
    """``(ok, result)`` of ``thunk()`` run under no_grad (on detached operands: no side effect)."""
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return True, thunk()
    except Exception:  # noqa: BLE001 - any refusal
        return False, None


def keep(ctx: Context, ok: bool) -> bool:
    return ok or ctx.chance(20)


def no_grad_for(ctx: Context, result, inputs) -> bool:
    """Whether to run a step under no_grad (8 %). Known issue: not for a view of a tensor that
    requires grad."""
    if not ctx.chance(8):
        return False
    if INCLUDE_KNOWN_ISSUES or not (is_tensor(result) and result._base is not None):
        return True
    return not any(is_tensor(v) and v.requires_grad for v in inputs)
