"""What the Jacobian panel shows, computed without Qt.

``pipeline_function`` turns the session's pipeline into a function of one tensor (the other
tensors held at copies of their values), so J can be built walk by walk (``jacobian_job``) and a
true forward-mode JVP taken (``jvp``). ``jacobian_lesson`` puts J, the seed v, vᵀJ and the
gradient that backward actually sent to the input side by side; a J too slow to build at once
is left to the panel's worker thread (``JacobianLesson.walks``, then ``set_jacobian``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import engine
from engine.autograd.functional import jvp
from playground.session.ops import apply_op, op_spec

from .jacobian_job import build_all, jacobian_walks
from .stepper_model import BackwardRun, SentGrad

MAX_ENTRIES = 1_000_000  # J larger than this is refused with a message (4 MB of float32)
# Built at once on the GUI thread below these (walks x ops ~ 50 us each: < 100 ms even on a
# busy machine); above, on a worker thread with progress and Cancel.
QUICK_WORK = 1_500
QUICK_ENTRIES = 40_000


class TooBig(ValueError):
    """The Jacobian would be too large to compute and draw."""


def depends_on(document, output: str, name: str) -> bool:
    """Whether step ``output`` is computed (directly or not) from tensor ``name``."""
    steps = {step.name: step for step in document.steps}
    stack, seen = [output], set()
    while stack:
        current = stack.pop()
        if current == name:
            return True
        step = steps.get(current)
        if step is None or current in seen:
            continue
        seen.add(current)
        stack.extend(o for o in step.operands if isinstance(o, str))
    return False


def pipeline_function(document, namespace, input_name: str, output_name: str):
    """``f(x)``: ``output_name`` recomputed from ``x`` standing in for ``input_name``; every
    other tensor is a constant, copied now, so ``f`` shares nothing with ``namespace`` and may
    run on another thread (an in-place step changes its own copy). ``no_grad`` steps run under
    ``no_grad`` as in the session, so they carry no gradient."""
    needed = _steps_computing(document, input_name, output_name)
    constants = {}
    for step in needed:
        for operand in step.operands:
            if isinstance(operand, str) and operand != input_name and \
                    not depends_on(document, operand, input_name):
                constants[operand] = engine.tensor(namespace[operand].detach().numpy().copy())

    def func(x):
        values = {**constants, input_name: x}
        for step in needed:
            operands = [values[o] if isinstance(o, str) else o for o in step.operands]
            with engine.set_grad_enabled(not step.no_grad and engine.is_grad_enabled()):
                values[step.name] = apply_op(op_spec(step.op), operands, dict(step.params))
        return values[output_name]

    func.steps = len(needed)
    return func


def _steps_computing(document, input_name: str, output_name: str) -> list:
    """The steps, in order, that ``output_name`` is computed through from ``input_name``: its
    ancestors, and every in-place step before it that changes one of them (``a2 =
    a.add_(1)`` changes ``a`` for a later ``b = a.pow(2)`` that never names ``a2``)."""
    names = [step.name for step in document.steps]
    end = names.index(output_name) if output_name in names else len(names) - 1
    ancestors = {name for name in names[:end + 1]
                 if name == output_name or depends_on(document, output_name, name)}
    chosen = []
    for step in document.steps[:end + 1]:
        changes = step.in_place and step.operands and step.operands[0] in ancestors | {
            input_name}
        if (step.name in ancestors or changes) and depends_on(document, step.name, input_name):
            chosen.append(step)
    return chosen


@dataclass
class JacobianLesson:
    """J (rows: output elements, columns: input elements, row-major), the seed v, vᵀJ in the
    input's shape, the gradient backward sent to the input (``backward_grad``), a tangent u and
    the forward-mode J·u in the output's shape, and the broadcasts on the way."""

    output: str
    input: str
    output_shape: tuple
    input_shape: tuple
    jacobian: np.ndarray | None  # None until the worker has built it
    seed: np.ndarray
    vjp: np.ndarray | None
    backward_grad: np.ndarray | None
    tangent: np.ndarray
    jvp: np.ndarray
    broadcasts: list[SentGrad] = field(default_factory=list)
    function: Callable | None = None  # f(x), for building J later
    point: object = None  # x, the input's value
    backward_error: str | None = None  # why output.backward(v) fails here, when it does

    @property
    def shape(self) -> tuple[int, int]:
        """J's (rows, columns): output elements by input elements."""
        return math.prod(self.output_shape), math.prod(self.input_shape)

    def walks(self):
        """``jacobian_job.jacobian_walks`` for this J (a fresh graph each call)."""
        return jacobian_walks(self.function, self.point, self.shape[0])

    def set_jacobian(self, matrix: np.ndarray) -> None:
        self.jacobian = matrix
        self.vjp = (self.seed.reshape(-1) @ matrix).reshape(self.input_shape)


def quick_to_build(rows: int, cols: int, steps: int) -> bool:
    """Whether J (``rows`` x ``cols``, through ``steps`` ops) builds well under 100 ms."""
    return rows * cols <= QUICK_ENTRIES and min(rows, cols) * (steps + 1) <= QUICK_WORK


def jacobian_lesson(document, replay, output: str, input_name: str, seed=None,
                    tangent=None, build: bool | None = None) -> JacobianLesson:
    """Everything the panel draws for ``output`` and ``input_name`` of a replayed session.

    ``seed`` defaults to ones (``torch.ones_like(out)``), ``tangent`` to a one-hot on the first
    input element. J (and vᵀJ) is built here when ``build``, or when it is quick to
    (``build=None``); otherwise both are None, for the caller to build from ``walks()``.
    Raises ``TooBig`` for a Jacobian over ``MAX_ENTRIES`` entries, ``ValueError`` when
    ``output`` is not computed from the input.
    """
    namespace = replay.namespace
    out, inp = namespace.get(output), namespace.get(input_name)
    if out is None or inp is None:
        raise ValueError(f"{output if out is None else input_name} has no value here")
    if not depends_on(document, output, input_name):
        raise ValueError(f"{output} is not computed from {input_name}: its Jacobian is zero")
    if out.numel() * inp.numel() > MAX_ENTRIES:
        raise TooBig(f"J would be {out.numel():,} x {inp.numel():,} = "
                     f"{out.numel() * inp.numel():,} entries; the panel builds at most "
                     f"{MAX_ENTRIES:,} (e.g. 1,000 x 1,000). Pick a smaller output or input.")
    func = pipeline_function(document, namespace, input_name, output)
    x = engine.tensor(inp.detach().numpy().copy())
    if x.dtype not in (engine.float32, engine.float64):
        raise ValueError(f"{input_name} is {x.dtype}: only floating tensors have gradients")
    out_data = out.detach().numpy()
    seed = np.ones_like(out_data) if seed is None else np.asarray(seed, out_data.dtype)
    if tangent is None:
        tangent = np.zeros(inp.shape, dtype=x.numpy().dtype)
        tangent.reshape(-1)[:1] = 1
    _, forward = jvp(func, x, engine.tensor(np.asarray(tangent, dtype=x.numpy().dtype)))
    sent, broadcasts, error = _backward_grad(replay, output, input_name, seed)
    lesson = JacobianLesson(output, input_name, tuple(out.shape), tuple(inp.shape), None, seed,
                            None, sent, np.asarray(tangent), forward.numpy().reshape(out.shape),
                            broadcasts, func, x, error)
    if build is None:
        build = quick_to_build(*lesson.shape, func.steps)
    if build:
        lesson.set_jacobian(build_all(lesson.walks()))
    return lesson


def _backward_grad(replay, output, input_name, seed):
    """What ``output.backward(seed)`` sends to ``input_name`` (summed over every path), and
    every broadcast undone on the way there, from a real backward walk."""
    scalar = replay.namespace[output].numel() == 1
    run = BackwardRun(replay, output, None if scalar and np.all(seed == 1) else seed,
                      retain_graph=True)
    run.run_to_end()
    if run.error:
        return None, [], run.error
    key = f"t:{input_name}"
    incoming = [r.grad_output for r in run.records if r.key == key]
    broadcasts = [s for r in run.records for s in r.sent if s.broadcast is not None]
    return (sum(incoming[1:], incoming[0].copy()) if incoming else None), broadcasts, None


def index_labels(shape: tuple) -> list[str]:
    """``0,0``, ``0,1``, ... (the index of each element of ``shape``, row-major), short enough
    to label every row and column of J."""
    return index_labels_at(shape, range(math.prod(shape)))


def index_labels_at(shape: tuple, flat_indices) -> list[str]:
    """``index_labels(shape)`` of the given flat (row-major) indices only: a J of 10^6 rows
    drawn downsampled needs 200 labels, not a million."""
    flat = list(flat_indices)
    if not shape:
        return ["()"] * len(flat)
    if not flat:
        return []
    columns = np.unravel_index(np.asarray(flat), shape)
    return [",".join(map(str, index)) for index in zip(*(c.tolist() for c in columns))]
