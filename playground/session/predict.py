"""Predict, then reveal: the answers to a lesson's questions, and judging what the learner typed.

A question's ``expression`` is a tiny language, checked with ``ast`` and never evaluated by Python:
a tensor name followed by any chain of ``.grad``, ``.shape``, ``.requires_grad``, ``.is_leaf``,
``.grad_fn``, ``.dtype``, ``.item()``, ``.sum()`` and integer/slice indexing (``[0, 1]``,
``[:, 0]``); or the word ``outcome``: ``"ok"`` or the class name of the error the action raised.

``answer`` evaluates an expression on the recorded state of a timeline point, using the engine's
own indexing, ``sum`` and ``item`` so the printed answer is what PyTorch prints. ``judge``
compares typed text with an answer; text it cannot read at all raises ``PredictError`` (so a
view can ask again without revealing), a readable wrong answer is ``Verdict(False, ...)``.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

import engine as torch

from .predict_typed import (
    PredictError,
    TypedShape,
    TypedTensor,
    is_number,
    read_literal,
    tolerances,
)
from .text import shown

if TYPE_CHECKING:
    from .document import Document, Question
    from .model import Session
    from .outcome import TensorState

ATTRIBUTES = ("grad", "shape", "requires_grad", "is_leaf", "grad_fn", "dtype")
METHODS = ("item", "sum")
OUTCOME = "outcome"
MAX_EXPRESSION = 200  # a question's expression is short; refuse essays before parsing them


# -- the grammar --
@dataclass(frozen=True)
class Expression:
    """A parsed expression: the root name and the chain applied to it, outermost last.

    Each part is ``("attr", name)``, ``("call", name)`` or ``("index", key)`` where ``key`` is
    a tuple of ints and slices.
    """

    text: str
    root: str
    chain: tuple[tuple[str, Any], ...]

    @property
    def is_outcome(self) -> bool:
        return self.root == OUTCOME and not self.chain


def parse(expression: str) -> Expression:
    """Check ``expression`` against the grammar; PredictError names the part that is not allowed."""
    if not isinstance(expression, str) or not expression.strip():
        raise PredictError("the expression is empty")
    if len(expression) > MAX_EXPRESSION:
        raise PredictError(f"the expression is longer than {MAX_EXPRESSION} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        raise PredictError(f"{expression!r} is not a valid expression") from None
    chain: list[tuple[str, Any]] = []
    node = tree.body
    while not isinstance(node, ast.Name):
        if isinstance(node, ast.Attribute):
            chain.append(("attr", _allowed_attribute(node.attr)))
            node = node.value
        elif isinstance(node, ast.Call):
            chain.append(("call", _allowed_call(node)))
            node = node.func.value
        elif isinstance(node, ast.Subscript):
            chain.append(("index", _index_key(node.slice)))
            node = node.value
        else:
            raise PredictError(f"{_source(node)!r} is not allowed: an expression starts with a "
                               "tensor name")
    if node.id.startswith("__"):
        raise PredictError(f"{node.id!r} is not allowed: an expression starts with a tensor name")
    return Expression(expression.strip(), node.id, tuple(reversed(chain)))


def _source(node) -> str:
    return ast.unparse(node)


def _allowed_attribute(name: str) -> str:
    if name not in ATTRIBUTES:
        allowed = ", ".join("." + a for a in ATTRIBUTES)
        raise PredictError(f"'.{name}' is not allowed (allowed: {allowed}, .item(), .sum())")
    return name


def _allowed_call(node: ast.Call) -> str:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in METHODS:
        raise PredictError(f"the call {_source(node)!r} is not allowed: only .item() and .sum()")
    if node.args or node.keywords:
        raise PredictError(f"the call {_source(node)!r} is not allowed: .{func.attr}() takes no "
                           "arguments here")
    return func.attr


def _index_key(node) -> tuple:
    parts = node.elts if isinstance(node, ast.Tuple) else [node]
    return tuple(_index_part(part) for part in parts)


def _index_part(node):
    if isinstance(node, ast.Slice):
        return slice(*(None if n is None else _integer(n) for n in (node.lower, node.upper,
                                                                     node.step)))
    return _integer(node)


def _integer(node) -> int:
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1, node.operand
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return sign * node.value
    raise PredictError(f"the index {_source(node)!r} is not allowed: only integers and slices")


# -- answers --
@dataclass(frozen=True)
class Answer:
    """What an expression is at a timeline point.

    ``value``: a numpy array for a tensor, a Python number/bool, None, a tuple for a shape, or a
    str (``"torch.float32"``, ``"TBackward0"``, ``"ok"`` / ``"RuntimeError"``). ``text``: how
    PyTorch prints it (an outcome's text is the whole error line). ``kind`` is one of tensor,
    number, bool, none, shape, dtype, grad_fn, outcome: what ``judge`` compares against.
    """

    value: Any
    text: str
    kind: str
    expression: str = ""


@dataclass(frozen=True)
class _GradFn:
    name: str


def answer(session: Session, question: Question | str, index: int | None = None) -> Answer:
    """The answer after timeline point ``index`` (the cursor by default).

    A question on action ``i`` is answered at point ``i + 1``, the state after the action ran.
    """
    expression = parse(question if isinstance(question, str) else question.expression)
    index = session.cursor if index is None else index
    if not 0 <= index < len(session.outcomes):
        raise PredictError(f"timeline point {index} does not exist")
    outcome = session.outcomes[index]
    if expression.is_outcome:
        if outcome.error is None:
            return Answer("ok", "ok", "outcome", expression.text)
        return Answer(outcome.error.split(":", 1)[0], outcome.error, "outcome", expression.text)
    state = outcome.states.get(expression.root)
    if state is None:
        raise PredictError(f"there is no tensor named {expression.root!r} at this point")
    if state.value is None:
        why = state.error or f"it needs {state.blocked_by}, which could not be computed"
        raise PredictError(f"{expression.root} has no value at this point: {why}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # .grad of a non-leaf warns in the engine as in torch
        value = _evaluate(state, expression)
    return _as_answer(value, expression.text)


def _evaluate(state: TensorState, expression: Expression):
    current: Any = _root_tensor(state)
    for position, (what, name) in enumerate(expression.chain):
        if position == 0 and what == "attr" and name != "shape" and name != "dtype":
            current = _root_attribute(state, name)  # recorded facts, not the rebuilt tensor's
            continue
        current = _step(current, what, name)
    return current


def _root_tensor(state: TensorState):
    value = np.array(state.value)  # a copy: the recorded state must never change
    return torch.tensor(value, requires_grad=state.requires_grad and value.dtype.kind == "f")


def _root_attribute(state: TensorState, name: str):
    if name == "grad":
        return None if state.grad is None else torch.tensor(np.array(state.grad))
    if name == "grad_fn":
        return None if state.grad_fn is None else _GradFn(state.grad_fn)
    return getattr(state, name)  # requires_grad, is_leaf


def _step(current, what: str, name):
    shown_as = {"attr": f".{name}", "call": f".{name}()", "index": "[...]"}[what]
    if current is None:
        raise PredictError(f"it is None at that point, so {shown_as} cannot be taken")
    try:
        if isinstance(current, torch.Tensor):
            if what == "index":
                return current[name if len(name) > 1 else name[0]]
            if what == "call":
                return getattr(current, name)()
            if name == "grad_fn":
                return None if current.grad_fn is None else _GradFn(current.grad_fn.name())
            return getattr(current, name)
        if what == "index" and isinstance(current, tuple) and len(name) == 1:
            return current[name[0]]  # a shape's size along one dimension
    except (IndexError, RuntimeError, TypeError, ValueError) as error:
        raise PredictError(f"{shown_as} fails: {error}") from None
    raise PredictError(f"{type(current).__name__} has no {shown_as} here")


def _as_answer(value, expression: str) -> Answer:
    if value is None:
        return Answer(None, "None", "none", expression)
    if isinstance(value, bool):
        return Answer(value, str(value), "bool", expression)
    if isinstance(value, (int, float)):
        return Answer(value, str(value), "number", expression)
    if isinstance(value, _GradFn):
        return Answer(value.name, value.name, "grad_fn", expression)
    if isinstance(value, torch.Tensor):
        return Answer(np.array(value.detach().numpy()), shown(value), "tensor", expression)
    if isinstance(value, tuple):  # torch.Size
        return Answer(tuple(int(n) for n in value), shown(value), "shape", expression)
    return Answer(shown(value), shown(value), "dtype", expression)


def questions(document: Document) -> list[tuple[int, int, Question]]:
    """Every question as ``(action index, timeline point it is answered at, question)``."""
    return [(i, i + 1, a.question) for i, a in enumerate(document.actions) if a.question]


# -- judging --
@dataclass(frozen=True)
class Verdict:
    correct: bool
    message: str


RELATIVE, ABSOLUTE = 1e-4, 1e-6
MAX_TYPED = 10_000
_ERROR_WORDS = ("error", "exception", "raises", "fails", "an error")
_OK_WORDS = ("ok", "okay", "no error", "works", "fine")
_DTYPE_ALIASES = {"float": "float32", "double": "float64", "long": "int64", "int": "int64"}



def judge(typed: str, answer: Answer) -> Verdict:
    """Whether ``typed`` is ``answer``; PredictError when the text cannot be read at all.

    Numbers match within rel 1e-4 / abs 1e-6 (``8``, ``8.0``, ``tensor(8.)``, ``1e-3``,
    ``2/3``), or as a rounding of the answer when typed as a decimal with 2 or more significant
    digits (``-0.106`` or ``-0.1060`` for -0.10595, ``0.33`` for 1/3); shapes as ``(5, 4)``,
    ``[5, 4]``, ``5x4`` or ``torch.Size([5, 4])``; tensors as nested lists; outcomes as ``ok``,
    ``error`` (any exception) or the exception's name, in any case and within a sentence.
    """
    if not isinstance(typed, str) or not typed.strip():
        raise PredictError("type an answer first")
    text = typed.strip()
    if len(text) > MAX_TYPED:
        raise PredictError(f"the answer is longer than {MAX_TYPED} characters")
    word_judges = {"outcome": _outcome_matches, "grad_fn": _grad_fn_matches,
                   "dtype": _dtype_matches}
    if answer.kind in word_judges:
        correct = word_judges[answer.kind](text, answer.value)
    else:
        correct = _literal_matches(read_literal(text), answer)
    name = answer.expression or "the answer"
    if correct:
        return Verdict(True, f"Right: {name} is {answer.text}")
    return Verdict(False, f"Not quite: {name} is {answer.text}, not {text}")


def _outcome_matches(text: str, value: str) -> bool:
    """``ok`` words for ok; for an error, its name (``RuntimeError``, ``runtime error``, ``it
    raises a RuntimeError``) or a plain "it fails", but never another exception's name."""
    said = text.split(":", 1)[0].strip().lower()
    words = re.findall(r"[a-z]+", re.sub(r"\b(no|without an?) (error|exception)", "ok", said))
    fails = any(w.endswith(("error", "exception")) or w in _ERROR_WORDS for w in words)
    says_ok = said in _OK_WORDS or (not fails and any(w in _OK_WORDS for w in words))
    if says_ok or value == "ok":
        return value == "ok" and says_ok
    joined = "".join(words)
    named = [w for w in words if w.endswith(("error", "exception"))
             and w not in ("error", "exception")]
    if named or value.lower() in joined:
        return value.lower() in joined and all(n == value.lower() for n in named)
    return said in _ERROR_WORDS or any(word in _ERROR_WORDS for word in words)


def _grad_fn_matches(text: str, value: str) -> bool:
    word = text.strip().removeprefix("grad_fn=").strip("<>").split(" object")[0].strip().lower()
    return word in (value.lower(), value.lower().rstrip("0123456789"))


def _dtype_matches(text: str, value: str) -> bool:
    word = text.strip().lower().removeprefix("torch.")
    return _DTYPE_ALIASES.get(word, word) == value.removeprefix("torch.")


def _literal_matches(typed, answer: Answer) -> bool:
    if answer.kind == "none":
        return typed is None
    if answer.kind == "bool":
        typed = typed.data if isinstance(typed, TypedTensor) else typed
        return isinstance(typed, bool) and typed == answer.value
    if answer.kind == "shape":
        return _as_sizes(typed) == answer.value
    if answer.kind == "number":
        typed = typed.data if isinstance(typed, TypedTensor) else typed
        expected = np.array(answer.value)
        return is_number(typed) and _close(np.array(float(typed)), expected,
                                           np.array(tolerances(typed)))
    typed = typed.data if isinstance(typed, TypedTensor) else typed
    return _array_matches(typed, answer.value)


def _as_sizes(typed):
    sizes = typed.sizes if isinstance(typed, TypedShape) else typed
    if type(sizes) is int:
        sizes = (sizes,)  # "5" for a 1-d shape
    if isinstance(sizes, (list, tuple)) and all(type(n) is int for n in sizes):
        return tuple(sizes)
    return None


def _array_matches(typed, expected: np.ndarray) -> bool:
    if typed is None or isinstance(typed, TypedShape):
        return False
    try:
        array = np.array(typed, dtype=np.float64)
    except (ValueError, TypeError):  # ragged rows or a non-number inside: readable, but wrong
        return False
    if array.shape != expected.shape:
        return False
    if expected.dtype == bool:
        return _only_bools(typed) and np.array_equal(array, expected)
    return _close(array, expected.astype(np.float64), np.array(tolerances(typed)))


def _only_bools(typed) -> bool:
    if isinstance(typed, (list, tuple)):
        return all(_only_bools(item) for item in typed)
    return isinstance(typed, bool)


def _close(typed: np.ndarray, expected: np.ndarray, rounding: np.ndarray) -> bool:
    """Each number within rel/abs tolerance, or within the rounding of how it was typed."""
    near = np.isclose(typed, expected, rtol=RELATIVE, atol=ABSOLUTE, equal_nan=True)
    with np.errstate(invalid="ignore"):  # inf - inf: not a rounding, and isclose has judged it
        rounded = np.abs(typed - expected) <= rounding
    return bool(np.all(near | rounded))


def renamed_expression(expression: str, old: str, new: str) -> str:
    """``expression`` with its tensor ``old`` called ``new`` (a rename in the session)."""
    tree = ast.parse(expression.strip(), mode="eval")
    root = next(node for node in ast.walk(tree) if isinstance(node, ast.Name))
    if root.id != old:
        return expression
    text = expression.strip()
    return text[:root.col_offset] + new + text[root.end_col_offset:]
