"""What the Jacobian panel shows, computed without Qt.

``pipeline_function`` turns the session's pipeline into a function of one tensor (the other
tensors held at their values), so ``engine.autograd.functional`` can take its Jacobian
(``jacobian_matrix``), a VJP and a true forward-mode JVP (``jvp``). ``jacobian_lesson`` puts J,
the seed v, vᵀJ and the gradient that backward actually sent to the input side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import engine
from engine.autograd.functional import jacobian_matrix, jvp
from playground.session.ops import op_spec

from .stepper_model import BackwardRun, SentGrad

MAX_ENTRIES = 160_000  # J larger than this (400 x 400) is refused with a message


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
    other tensor keeps its value (detached, as constants)."""
    needed = [s for s in document.steps
              if s.name == output_name or depends_on(document, output_name, s.name)]

    def func(x):
        values = {input_name: x}
        for step in needed:
            if not depends_on(document, step.name, input_name):
                continue
            operands = []
            for operand in step.operands:
                if not isinstance(operand, str):
                    operands.append(operand)
                elif operand in values:
                    operands.append(values[operand])
                else:
                    operands.append(namespace[operand].detach())
            values[step.name] = op_spec(step.op).apply(operands, dict(step.params))
        return values[output_name]

    return func


@dataclass
class JacobianLesson:
    """J (rows: output elements, columns: input elements, row-major), the seed v, vᵀJ in the
    input's shape, the gradient backward sent to the input (``backward_grad``), a tangent u and
    the forward-mode J·u in the output's shape, and the broadcasts on the way."""

    output: str
    input: str
    output_shape: tuple
    input_shape: tuple
    jacobian: np.ndarray
    seed: np.ndarray
    vjp: np.ndarray
    backward_grad: np.ndarray | None
    tangent: np.ndarray
    jvp: np.ndarray
    broadcasts: list[SentGrad] = field(default_factory=list)


def jacobian_lesson(document, replay, output: str, input_name: str, seed=None,
                    tangent=None) -> JacobianLesson:
    """Everything the panel draws for ``output`` and ``input_name`` of a replayed session.

    ``seed`` defaults to ones (``torch.ones_like(out)``), ``tangent`` to a one-hot on the first
    input element. Raises ``TooBig`` for a Jacobian over ``MAX_ENTRIES`` entries, ``ValueError``
    when ``output`` is not computed from the input.
    """
    namespace = replay.namespace
    out, inp = namespace.get(output), namespace.get(input_name)
    if out is None or inp is None:
        raise ValueError(f"{output if out is None else input_name} has no value here")
    if not depends_on(document, output, input_name):
        raise ValueError(f"{output} is not computed from {input_name}: its Jacobian is zero")
    if out.numel() * inp.numel() > MAX_ENTRIES:
        raise TooBig(f"J would be {out.numel()} x {inp.numel()} = {out.numel() * inp.numel():,} "
                     f"entries; the panel draws at most {MAX_ENTRIES:,}. Pick smaller tensors.")
    func = pipeline_function(document, namespace, input_name, output)
    x = engine.tensor(inp.detach().numpy().copy())
    if x.dtype not in (engine.float32, engine.float64):
        raise ValueError(f"{input_name} is {x.dtype}: only floating tensors have gradients")
    matrix = jacobian_matrix(func, x)
    out_data = out.detach().numpy()
    seed = np.ones_like(out_data) if seed is None else np.asarray(seed, out_data.dtype)
    if tangent is None:
        tangent = np.zeros(inp.shape, dtype=x.numpy().dtype)
        tangent.reshape(-1)[:1] = 1
    _, forward = jvp(func, x, engine.tensor(np.asarray(tangent, dtype=x.numpy().dtype)))
    vjp = (seed.reshape(-1) @ matrix).reshape(tuple(inp.shape))
    sent, broadcasts = _backward_grad(replay, output, input_name, seed)
    return JacobianLesson(output, input_name, tuple(out.shape), tuple(inp.shape), matrix, seed,
                          vjp, sent, np.asarray(tangent), forward.numpy().reshape(out.shape),
                          broadcasts)


def _backward_grad(replay, output, input_name, seed):
    """What ``output.backward(seed)`` sends to ``input_name`` (summed over every path), and
    every broadcast undone on the way there, from a real backward walk."""
    scalar = replay.namespace[output].numel() == 1
    run = BackwardRun(replay, output, None if scalar and np.all(seed == 1) else seed,
                      retain_graph=True)
    run.run_to_end()
    if run.error:
        return None, []
    key = f"t:{input_name}"
    incoming = [r.grad_output for r in run.records if r.key == key]
    broadcasts = [s for r in run.records for s in r.sent if s.broadcast is not None]
    return (sum(incoming[1:], incoming[0].copy()) if incoming else None), broadcasts


def index_labels(shape: tuple) -> list[str]:
    """``0,0``, ``0,1``, ... (the index of each element of ``shape``, row-major), short enough
    to label every row and column of J."""
    if not shape:
        return ["()"]
    return [",".join(str(i) for i in index) for index in np.ndindex(*shape)]
