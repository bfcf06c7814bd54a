"""PyTorch source for the parts of a session: leaf definitions, pipeline lines, actions.

Shared by the script and notebook exports and by the console, so all three show the same code.
Pipeline steps used once, and by nothing on the timeline, are folded into the expression that
uses them, so a chain reads as hand-written torch: ``out = (inp + 1).pow(2).t()``.
"""

from __future__ import annotations

import json
import math

import numpy as np

from .document import RANDOM_FACTORIES, Action, Document, Leaf, Step
from .ops import op_spec

ATOM = 100
_PRECEDENCE = {"@": 12, "*": 12, "/": 12, "+": 11, "-": 11, ">": 6, "<": 6}
_NATURAL_FLOAT = "float32"


def number_code(value, dtype: str | None = None) -> str:
    """A Python literal for one element; float32 values use their shortest exact spelling."""
    if isinstance(value, bool) or dtype == "bool":
        return str(bool(value))
    if dtype == "int64" or (dtype is None and isinstance(value, int)):
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return "float('nan')"
    if math.isinf(value):
        return "float('inf')" if value > 0 else "-float('inf')"
    text = str(np.float32(value)) if dtype == "float32" else repr(value)
    return text if any(c in text for c in ".en") else text + ".0"


def array_code(array: np.ndarray, column: int = 0) -> str:
    """Nested lists, one row per line for matrices, aligned under the opening bracket."""
    dtype = str(array.dtype)
    if array.ndim == 0:
        return number_code(array.item(), dtype)
    if array.ndim == 1:
        return "[" + ", ".join(number_code(v, dtype) for v in array.tolist()) + "]"
    rows = [array_code(row, column + 1) for row in array]
    return "[" + (",\n" + " " * (column + 1)).join(rows) + "]"


def dtype_option(dtype: str, natural: str) -> str:
    return "" if dtype == natural else f", dtype=torch.{dtype}"


def tensor_code(array: np.ndarray, column: int = 0, extra: str = "") -> str:
    """``torch.tensor([...])`` that makes exactly ``array`` (dtype written when not inferred)."""
    start = column + len("torch.tensor(")
    natural = _NATURAL_FLOAT if array.dtype.kind == "f" else str(array.dtype)
    dtype = dtype_option(str(array.dtype), natural)
    if array.size == 0 and array.ndim > 1:
        # Nested lists would write one [] per row: a (10^12, 0) tensor froze the export.
        dtype = dtype_option(str(array.dtype), _NATURAL_FLOAT)
        return f"torch.zeros({tuple(array.shape)}{dtype}{extra})"
    return f"torch.tensor({array_code(array, start)}{dtype}{extra})"


def _natural_dtype(leaf: Leaf) -> str:
    if leaf.factory in ("full", "full_like"):
        if leaf.factory == "full_like":
            return leaf.dtype  # *_like copies the dtype of the tensor it is like
        return {bool: "bool", int: "int64"}.get(type(leaf.fill), _NATURAL_FLOAT)
    if leaf.factory == "arange":
        ints = all(isinstance(v, int) for v in (leaf.start, leaf.end, leaf.step))
        return "int64" if ints else _NATURAL_FLOAT
    if leaf.factory.endswith("_like"):
        return leaf.dtype
    return _NATURAL_FLOAT


def _size_code(shape) -> str:
    return "()" if not shape else ", ".join(str(n) for n in shape)


def factory_call(leaf: Leaf) -> str:
    """How the leaf is made in torch, e.g. ``torch.eye(4, 5, requires_grad=True)``."""
    options = dtype_option(leaf.dtype, _natural_dtype(leaf))
    options += ", requires_grad=True" if leaf.requires_grad else ""
    if leaf.factory == "full":
        args = f"{tuple(leaf.shape)!r}, {number_code(leaf.fill)}"
    elif leaf.factory == "full_like":
        args = f"{leaf.like}, {number_code(leaf.fill)}"
    elif leaf.factory.endswith("_like"):
        args = leaf.like
    elif leaf.factory == "arange":
        parts = [leaf.start, leaf.end, leaf.step] if leaf.step != 1 else [leaf.start, leaf.end]
        parts = parts[1:] if parts == [0, leaf.end] else parts
        args = ", ".join(number_code(v) for v in parts)
    elif leaf.factory == "linspace":
        args = f"{number_code(leaf.start)}, {number_code(leaf.end)}, {leaf.steps}"
    else:
        args = _size_code(leaf.shape)
    return f"torch.{leaf.factory}({args}{options})"


def leaf_lines(leaf: Leaf, value: np.ndarray | None) -> list[str]:
    """The definition; random leaves are written as their values, with how they were drawn."""
    if leaf.factory == "tensor" or (leaf.factory in RANDOM_FACTORIES and value is not None):
        grad = ", requires_grad=True" if leaf.requires_grad else ""
        source = value if value is not None else np.zeros(0)
        line = f"{leaf.name} = {tensor_code(source, len(leaf.name) + 3, grad)}"
        if leaf.factory in RANDOM_FACTORIES:
            how = factory_call(leaf.model_copy(update={"requires_grad": False}))
            return [f"# {how} as drawn by the playground with seed {leaf.seed}", line]
        return [line]
    return [f"{leaf.name} = {factory_call(leaf)}"]


class Pipeline:
    """The pipeline as torch lines, folding single-use steps into their user's expression.

    ``keep`` names steps that must stay variables (the timeline uses them); ``valid`` names
    the steps that computed, since only those can be written as running code.
    """

    def __init__(self, document: Document, valid: set[str], keep: set[str]):
        self.steps = {step.name: step for step in document.steps}
        uses: dict[str, int] = {}
        for step in document.steps:
            for operand in step.operands:
                if isinstance(operand, str):
                    uses[operand] = uses.get(operand, 0) + 1
        self.valid = valid
        self.folded = {name for name in self.steps
                       if uses.get(name) == 1 and name not in keep and name in valid}
        # Fold only into a chain: as the receiver of a method or the left side of an operator,
        # never into a function's arguments, where a nested call reads worse than a name.
        self.folded &= {s.operands[0] for s in document.steps
                        if s.name in valid and s.operands and _chains(s)}
        # An in-place step, what it changes and a no_grad step each stay a line of their own:
        # folded, ``a`` of ``a.mul_(2)`` would vanish, and a no_grad block would swallow others.
        self.folded -= {name for name, s in self.steps.items() if s.no_grad or s.in_place}
        self.folded -= {s.operands[0] for s in document.steps
                        if s.operands and (s.no_grad or s.in_place)}

    def lines(self) -> list[str]:
        return [line for _, code in self.statements() for line in code.splitlines()]

    def statements(self) -> list[tuple[list[str], str]]:
        """One line per variable: the steps it covers (folded ones first) and its code."""
        statements = []
        for name, step in self.steps.items():
            if name in self.folded:
                continue
            code = f"{name} = {self.expression(step)[0]}"
            if step.no_grad:
                code = f"with torch.no_grad():\n    {code}"
            if name not in self.valid:
                lines = code.splitlines()
                lines[-1] += "  (not run: it failed in the playground)"
                code = "\n".join(f"# {line}" for line in lines)
            statements.append((self._covered(name), code))
        return statements

    def _covered(self, name: str) -> list[str]:
        covered = []
        for operand in self.steps[name].operands:
            if isinstance(operand, str) and operand in self.folded:
                covered += self._covered(operand)
        return covered + [name]

    @property
    def variables(self) -> list[str]:
        """Steps that exist as variables once the lines have run."""
        return [n for n in self.steps if n in self.valid and n not in self.folded]

    def _operand(self, operand) -> tuple[str, int]:
        if not isinstance(operand, str):
            code = number_code(operand)
            return code, (14 if code.startswith("-") else ATOM)
        if operand in self.folded:
            return self.expression(self.steps[operand])
        return operand, ATOM

    def expression(self, step: Step) -> tuple[str, int]:
        """The code of one step and its precedence (for parentheses)."""
        try:
            spec = op_spec(step.op)
        except KeyError:
            return f"torch.{step.op}({', '.join(self._operand(o)[0] for o in step.operands)})", ATOM
        operands = [self._operand(o) for o in step.operands]
        tensors = [isinstance(o, str) for o in step.operands]
        params = _params_code(spec, step.params)
        if spec.variadic:
            listed = "[" + ", ".join(code for code, _ in operands) + "]"
            return f"{spec.path or 'torch.' + spec.name}({listed}{params})", ATOM
        if spec.style == "operator" and any(tensors) and len(operands) == 2:
            level = _PRECEDENCE[spec.symbol]
            # Comparisons chain in Python (a > b > c), so a comparison on the left needs parens.
            left = _wrap(operands[0], level + 1 if level == _PRECEDENCE[">"] else level)
            right = _wrap(operands[1], level + 1)
            return f"{left} {spec.symbol} {right}", level
        if spec.style == "method" and tensors and tensors[0]:
            receiver = _wrap(operands[0], ATOM)
            args = ", ".join([code for code, _ in operands[1:]])
            args = args + params if args else params.removeprefix(", ")
            suffix = spec.suffix if step.params.get("dim") is not None else ""
            return f"{receiver}.{spec.name}({args}){suffix}", ATOM
        path = spec.path if spec.style == "function" else f"torch.{spec.name}"
        args = ", ".join(code for code, _ in operands)
        suffix = spec.suffix if step.params.get("dim") is not None else ""
        return f"{path}({args}{params}){suffix}", ATOM


def _chains(step: Step) -> bool:
    try:
        spec = op_spec(step.op)
    except KeyError:
        return False
    return spec.style in ("operator", "method") and not spec.variadic


def _wrap(operand: tuple[str, int], level: int) -> str:
    code, precedence = operand
    return code if precedence >= level else f"({code})"


def _params_code(spec, params: dict) -> str:
    """Parameters as torch spells them: shapes positional, the rest by keyword, and leaving
    out the 'nothing special' defaults (None, False, 'mean') but never a dimension."""
    parts = []
    for param in spec.params:
        if param.name not in params and (param.default is None or param.default is False
                                          or param.default == "mean"):
            continue
        value = params.get(param.name, param.default)
        if param.kind == "ints":
            parts.append(repr(tuple(value)))
        elif value is not None or param.name in params:
            parts.append(f"{param.name}={_value_code(value)}")
    return "".join(", " + part for part in parts)


def _value_code(value) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return repr(tuple(value))
    return "None" if value is None else number_code(value)


def string_code(text: str) -> str:
    """A double-quoted Python string literal (unicode kept readable)."""
    return json.dumps(text, ensure_ascii=False)


def print_code(action: Action) -> str:
    """``print(...)`` for a print action; text joined without spaces becomes an f-string."""
    items = action.items
    def item_code(item):
        return item.text if item.kind == "value" else f"{item.text}.grad"
    if action.sep == "" and items:
        body = ""
        for item in items:
            if item.kind == "text":
                body += string_code(item.text)[1:-1].replace("{", "{{").replace("}", "}}")
            else:
                body += "{" + item_code(item) + "}"
        return f'print(f"{body}")'
    args = [string_code(i.text) if i.kind == "text" else item_code(i) for i in items]
    sep = "" if action.sep == " " else f", sep={string_code(action.sep)}"
    return f"print({', '.join(args)}{sep})"


def backward_args(action: Action, seed_name: str | None) -> str:
    parts = []
    if action.seed.kind == "ones":
        parts.append(f"torch.ones_like({action.target})")
    elif seed_name:
        parts.append(seed_name)
    if action.retain_graph:
        parts.append("retain_graph=True")
    return ", ".join(parts)


def action_lines(action: Action, seed: np.ndarray | None = None, seed_name: str = "v") -> list[str]:
    """The torch lines of one timeline action (``forward`` is written by the caller)."""
    kind, target = action.kind, action.target
    if kind == "backward":
        lines = []
        if action.seed.kind in ("randn", "literal") and seed is not None:
            if action.seed.kind == "randn":
                lines.append(f"# torch.randn_like({target}) as drawn by the playground with seed "
                             f"{action.seed.seed}")
            lines.append(f"{seed_name} = {tensor_code(seed, len(seed_name) + 3)}")
        else:
            seed_name = None
        return lines + [f"{target}.backward({backward_args(action, seed_name)})"]
    if kind == "zero_grad":
        form = "{}.grad = None" if action.set_to_none else "{}.grad.zero_()"
        return [form.format(name) for name in action.targets]
    if kind == "detach":
        return [f"{action.new_name} = {target}.detach()"]
    if kind == "retain_grad":
        return [f"{target}.retain_grad()"]
    if kind == "requires_grad":
        return [f"{target}.requires_grad_({action.flag})"]
    if kind == "print":
        return [print_code(action)]
    return []
