"""Export a session as a runnable PyTorch script (or the same script on the engine).

The script defines the tensors, runs the pipeline, then each timeline action in order; after
each it prints what the session printed and asserts the values the session computed, so
running it under torch proves the playground right. Actions that raised in the session are
wrapped in try/except and print the same error.
"""

from __future__ import annotations

import builtins
import textwrap
from collections import Counter

import numpy as np

from .codegen import Pipeline, action_lines, factory_call, leaf_lines, string_code, tensor_code
from .model import Session
from .outcome import Outcome
from .predict import PredictError, answer
from .runner import headline

LARGE = 64  # above this many elements an assert compares sums instead of every element

# ``engine`` has no allclose/equal yet; the engine script brings its own so it runs unchanged.
ENGINE_SHIMS = '''
if not hasattr(torch, "allclose"):  # the engine lacks these two; compare through numpy
    import numpy

    def _values(tensor):  # tolist(): some 0-d engine results hold a numpy scalar
        return numpy.array(tensor.detach().tolist())

    def _allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(numpy.allclose(_values(a), _values(b), rtol, atol, equal_nan))

    def _equal(a, b):
        return bool(numpy.array_equal(_values(a), _values(b)))

    torch.allclose, torch.equal = _allclose, _equal
'''


def assert_line(expression: str, array: np.ndarray | None) -> str:
    """An assert that ``expression`` holds the values the session computed."""
    if array is None:
        return f"assert {expression} is None"
    nan = ", equal_nan=True" if array.dtype.kind == "f" and np.isnan(array).any() else ""
    if array.size > LARGE:
        total = float(array.astype(np.float64).sum())
        return (f"assert torch.allclose({expression}.double().sum(), "
                f"torch.tensor({total!r}, dtype=torch.float64){nan})")
    expected = tensor_code(array, len("assert torch.allclose(") + len(expression) + 2)
    if array.dtype.kind == "f":
        return f"assert torch.allclose({expression}, {expected}{nan})"
    return f"assert torch.equal({expression}, {expected})"


def kept_names(session: Session) -> set[str]:
    """Steps the timeline mentions, which must stay variables in the script."""
    names = set()
    for outcome in session.outcomes[1:]:
        action = outcome.action
        names.update({action.target, *action.targets})
        names.update(item.text for item in action.items if item.kind != "text")
        names.update(name for name, _ in outcome.reported)
    return names


def _valid_steps(outcome: Outcome) -> set[str]:
    return {n for n, s in outcome.states.items() if s.origin == "step" and s.value is not None}


def _free_name(taken: set[str], base: str = "v") -> str:
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}{number}"
    return name


def _indented(lines: list[str]) -> list[str]:
    return ["    " + line if line else line for line in lines]


def _guarded(lines: list[str], error: str) -> list[str]:
    kind = error.split(":", 1)[0]
    builtin = getattr(builtins, kind, None) if kind.isidentifier() else None
    caught = kind if isinstance(builtin, type) and issubclass(builtin, Exception) else None
    if caught is None:
        return ["try:", *_indented(lines), "except Exception as error:",
                '    print(f"{type(error).__name__}: {error}")']
    return ["try:", *_indented(lines), f"except {caught} as error:",
            f'    print(f"{caught}: {{error}}")']


def comment_lines(text: str) -> list[str]:
    """A note as ``#`` comments wrapped to the 100-column lines the project uses."""
    lines = []
    for paragraph in text.strip().splitlines():
        wrapped = textwrap.wrap(paragraph, width=97, break_on_hyphens=False) or [""]
        lines += [f"# {line}".rstrip() for line in wrapped]
    return lines


def reveal(session: Session, outcome: Outcome) -> tuple[str, str]:
    """The answer to the question on ``outcome``'s action and its reason, for comments and
    notebook cells (the exported code never evaluates the expression)."""
    question = outcome.action.question
    try:
        revealed = answer(session, question, outcome.index)
        said = f"Answer: {question.expression} is {revealed.text}"
    except PredictError as error:
        said = f"Answer: {question.expression} cannot be computed here ({error})"
    return said, question.reason


def made_value(start: Outcome, name: str) -> np.ndarray:
    """A leaf's values as it was made (an in-place step may have changed them since)."""
    made = start.made or {}
    return made[name] if name in made else start.states[name].value


def definition_lines(session: Session) -> tuple[list[str], Pipeline]:
    """Leaves and pipeline as torch lines, plus the pipeline writer used for them."""
    start = session.outcomes[0]
    lines = []
    for leaf in session.document.leaves:
        state = start.states[leaf.name]
        lines += comment_lines(leaf.note)
        if state.value is None:
            lines.append(f"# {leaf.name} = {factory_call(leaf)}  (not run: it failed in the "
                         "playground)")
        else:
            lines += leaf_lines(leaf, made_value(start, leaf.name))
    pipeline = Pipeline(session.document, _valid_steps(start), kept_names(session))
    notes = {step.name: step.note for step in session.document.steps}
    for covered, code in pipeline.statements():
        for name in covered:
            lines += comment_lines(notes[name])
        lines.append(code)
    return lines, pipeline


def action_body(session: Session, outcome: Outcome, taken: set[str],
                kept: set[str] | None = None) -> list[str]:
    """The torch lines of one timeline point's action (forward repeats the pipeline);
    ``kept`` is ``kept_names(session)`` when the caller already has it (it reads every action)."""
    action = outcome.action
    if action.kind == "forward":
        before = session.outcomes[outcome.index - 1]
        kept = kept_names(session) if kept is None else kept
        return Pipeline(session.document, _valid_steps(before), kept).lines()
    return action_lines(action, outcome.seed_used, _free_name(taken))


def script(session: Session, engine: bool = False) -> str:
    """The whole script as text; ``engine=True`` gives ``import engine as torch``."""
    title = session.document.title or "A Tensor Playground session"
    lines = [f'"""{title}', "", "Exported from Tensor Playground as a script.",
             "Run it: it prints what the playground showed after each step and asserts the same",
             'values, so it checks the playground against PyTorch."""', ""]
    lines += ["import engine as torch", *ENGINE_SHIMS.rstrip().splitlines()] if engine else [
        "import torch"]
    lines.append("")
    definitions, pipeline = definition_lines(session)
    lines += comment_lines(session.document.note) + definitions
    start = session.outcomes[0]
    lines += [assert_line(name, start.states[name].value) for name in pipeline.variables]
    taken = set(session.tensor_names(len(session.outcomes) - 1))
    counts: Counter = Counter()
    for outcome in session.outcomes[1:]:
        action = outcome.action
        counts[action.kind] += 1
        lines.append("")
        lines += comment_lines(action.note)
        if action.question is not None:
            lines += comment_lines(f"Predict: {action.question.prompt}")
        if action.kind != "print":
            lines.append(f"print({string_code(headline(action, counts[action.kind]))})")
        body = action_body(session, outcome, taken)
        lines += _guarded(body, outcome.error) if outcome.error else body
        if action.question is not None:
            lines += comment_lines("\n".join(reveal(session, outcome)))
        for name, what in outcome.reported:
            state = outcome.states[name]
            expression = f"{name}.grad" if what == "grad" else name
            lines.append(f'print("{expression}:", {expression}, sep="\\n")')
            lines.append(assert_line(expression, state.grad if what == "grad" else state.value))
    return "\n".join(lines) + "\n"
