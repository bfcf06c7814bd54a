"""Open a PyTorch snippet as a session: parsed with ``ast``, never executed.

Supported: ``import torch`` (and ``torch.nn.functional as F``), ``torch.manual_seed(n)``, leaves
from factories (``torch.tensor``, ``zeros``, ``eye``, ``rand``, ...), expressions over the op
table (operators, methods, ``torch.*`` and ``F.*`` functions; nested ones become named steps),
``t.backward(...)``, ``t.grad.zero_()``, ``t.grad = None``, ``z = t.detach()``,
``t.retain_grad()``, ``t.requires_grad_(...)``, ``print(...)`` of text, tensors and grads, bare
``t`` / ``t.grad``, in-place ops (``a.mul_(2)``) and ``with torch.no_grad():`` around
assignments. Anything else stops the import with a message naming the line.
A name assigned again gets a suffix (``w_2``), because a session keeps every tensor.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from engine.op_table import inplace_table

from .document import Action, Document, Leaf, PrintItem, Seed, Step, TensorData
from .importer_expr import FACTORIES, ExpressionConverter, Unsupported, literal

_DTYPES = {"float32": "float32", "float": "float32", "float64": "float64", "double": "float64",
           "int64": "int64", "long": "int64", "bool": "bool"}


class SnippetError(ValueError):
    """The first line of a snippet the playground cannot represent, and why (one line)."""


class _Importer(ExpressionConverter):
    def __init__(self):
        self.leaves: list[Leaf] = []
        self.steps: list[Step] = []
        self.actions: list[Action] = []
        self.names: dict[str, str] = {}  # snippet name -> session name
        self.detached: set[str] = set()
        self.taken: set[str] = set()
        self.torch_names = {"torch"}
        self.functional_names: set[str] = set()
        self.seed = 0

    # -- names --
    def _peek(self, wanted: str) -> str:
        """The name ``_fresh`` would give: ``wanted``, else ``wanted_2``, ``wanted_3``..."""
        name, number = wanted, 1
        while name in self.taken:
            number += 1
            name = f"{wanted}_{number}"
        return name

    def _fresh(self, wanted: str) -> str:
        name = self._peek(wanted)
        self.taken.add(name)
        return name

    def _bind(self, snippet_name: str) -> str:
        self.names[snippet_name] = self._fresh(snippet_name)
        return self.names[snippet_name]

    def _tensor(self, node) -> str:
        if not isinstance(node, ast.Name):
            raise Unsupported("expected a tensor name here")
        if node.id not in self.names:
            raise Unsupported(f"{node.id} is not defined")
        return self.names[node.id]

    # -- statements --
    def statement(self, node) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            self._import(node)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            self._assign(node.targets[0], node.value)
        elif isinstance(node, ast.Expr):
            self._expression_statement(node.value)
        elif isinstance(node, ast.With):
            self._no_grad_block(node)
        else:
            raise Unsupported(f"{type(node).__name__} statements are not supported")

    def _import(self, node) -> None:
        for alias in node.names:
            full = f"{getattr(node, 'module', None) or ''}.{alias.name}".strip(".")
            if full == "torch":
                self.torch_names.add(alias.asname or "torch")
            elif full == "torch.nn.functional":
                self.functional_names.add(alias.asname or "functional")
            elif not full.startswith("torch"):
                raise Unsupported(f"only torch can be imported, not {full}")

    def _assign(self, target, value) -> None:
        if isinstance(target, ast.Attribute) and target.attr == "grad":
            if not (isinstance(value, ast.Constant) and value.value is None):
                raise Unsupported("only `t.grad = None` can be assigned to a grad")
            targets = (self._tensor(target.value),)
            self.actions.append(Action(kind="zero_grad", targets=targets, set_to_none=True))
            return
        if not isinstance(target, ast.Name):
            raise Unsupported("assign to one plain name")
        if self._is_method(value, "detach"):
            source = self._tensor(value.func.value)
            name = self._bind(target.id)
            self.detached.add(name)
            self.actions.append(Action(kind="detach", target=source, new_name=name))
            return
        factory = self._torch_function(value)
        if factory in FACTORIES:
            self.leaves.append(self._leaf(target.id, factory, value))
            return
        self._operand(value, target.id, top=True)

    def _no_grad_block(self, node: ast.With) -> None:
        """``with torch.no_grad():`` around assignments: each step it makes is a no_grad step."""
        context = node.items[0].context_expr if len(node.items) == 1 else None
        if (context is None or node.items[0].optional_vars is not None
                or self._torch_function(context) != "no_grad" or context.args):
            raise Unsupported("the only supported with-block is `with torch.no_grad():`")
        first = len(self.steps)
        for statement in node.body:
            if not isinstance(statement, ast.Assign) and not self._is_inplace(statement):
                raise Unsupported("inside `with torch.no_grad():` only assignments and "
                                  "in-place operations are supported")
            self.statement(statement)
        self.steps[first:] = [s.model_copy(update={"no_grad": True}) for s in self.steps[first:]]

    def _is_inplace(self, statement) -> bool:
        value = statement.value if isinstance(statement, ast.Expr) else None
        return (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and value.func.attr in inplace_table()
                and isinstance(value.func.value, ast.Name))

    def _expression_statement(self, value) -> None:
        if isinstance(value, ast.Call) and self._is_name(value.func, "print"):
            self.actions.append(self._print(value))
        elif self._is_method(value, "backward"):
            self.actions.append(self._backward(value))
        elif self._is_method(value, "zero_") and _is_grad(value.func.value):
            target = self._tensor(value.func.value.value)
            self.actions.append(Action(kind="zero_grad", targets=(target,)))
        elif self._is_method(value, "retain_grad"):
            self.actions.append(Action(kind="retain_grad", target=self._tensor(value.func.value)))
        elif self._is_method(value, "requires_grad_"):
            flag = _literal(value.args[0]) if value.args else _keyword(value, "requires_grad", True)
            self.actions.append(Action(kind="requires_grad", target=self._tensor(value.func.value),
                                       flag=bool(flag)))
        elif self._is_inplace(ast.Expr(value)):
            # a.mul_(2) changes a: it becomes the step a_2 (the same tensor), and later lines
            # that say a mean it
            self._operand(value, value.func.value.id, top=True)
        elif isinstance(value, ast.Call) and self._torch_function(value) == "manual_seed":
            self.seed = int(_literal(value.args[0]))
        elif isinstance(value, ast.Name) or _is_grad(value):
            self.actions.append(Action(kind="print", items=(self._print_item(value),)))
        else:
            raise Unsupported("this expression does nothing the playground can show")

    # -- pieces --
    def _is_name(self, node, name: str) -> bool:
        return isinstance(node, ast.Name) and node.id == name

    def _is_method(self, node, name: str) -> bool:
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == name)

    def _torch_function(self, node) -> str | None:
        """``zeros`` for ``torch.zeros(...)``, ``mse_loss`` for ``F.mse_loss(...)``."""
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            return None
        path = ast.unparse(node.func.value)
        if path in self.torch_names or path in self.functional_names or path in {
            f"{t}.nn.functional" for t in self.torch_names
        }:
            return node.func.attr
        return None

    def _leaf(self, name: str, factory: str, call: ast.Call) -> Leaf:
        args = [_literal(a) if factory not in ("zeros_like", "ones_like", "full_like",
                                                "rand_like", "randn_like") or i else None
                for i, a in enumerate(call.args)]
        fields = {"factory": factory, "requires_grad": bool(_keyword(call, "requires_grad", False))}
        dtype = next((k.value for k in call.keywords if k.arg == "dtype"), None)
        if dtype is not None:
            spelled = ast.unparse(dtype).rsplit(".", 1)[-1]
            if spelled not in _DTYPES:
                raise Unsupported(f"dtype {ast.unparse(dtype)} is not supported")
            fields["dtype"] = _DTYPES[spelled]
        if factory == "tensor":
            fields.update(self._literal_values(args[0] if args else None, fields.get("dtype")))
        elif factory.endswith("_like"):
            fields["like"] = self._tensor(call.args[0])
            fields["dtype"] = fields.get("dtype", next(
                (leaf.dtype for leaf in self.leaves if leaf.name == fields["like"]), "float32"))
            if factory == "full_like":
                fields["fill"] = args[1]
        elif factory == "full":
            fields.update(shape=tuple(args[0]), fill=args[1])
        elif factory == "arange":
            start, end, step = ([0] + args + [1])[-3:] if len(args) < 3 else args
            start, end = (0, args[0]) if len(args) == 1 else (start, end)
            fields.update(start=start, end=end, step=step if len(args) == 3 else 1)
            if "dtype" not in fields and all(isinstance(v, int) for v in args):
                fields["dtype"] = "int64"
        elif factory == "linspace":
            fields.update(start=args[0], end=args[1], steps=args[2])
        else:
            shape = args[0] if len(args) == 1 and isinstance(args[0], list | tuple) else args
            fields["shape"] = tuple(shape)
        if factory in ("rand", "randn", "rand_like", "randn_like"):
            fields["seed"] = self.seed
        if factory == "full" and "dtype" not in fields:
            fields["dtype"] = {bool: "bool", int: "int64"}.get(type(fields["fill"]), "float32")
        return Leaf(name=self._bind(name), **fields)

    @staticmethod
    def _literal_values(data, dtype: str | None) -> dict:
        if data is None:
            raise Unsupported("torch.tensor needs data")
        flat = np.array(data).ravel().tolist()
        if dtype is None:
            if any(isinstance(v, float) for v in flat) or not flat:
                dtype = "float32"
            elif all(isinstance(v, bool) for v in flat):
                dtype = "bool"
            else:
                dtype = "int64"
        array = np.array(data, dtype=dtype)
        return {"values": TensorData.of(array), "dtype": dtype}

    def _print(self, call: ast.Call) -> Action:
        sep = _keyword(call, "sep", " ")
        if len(call.args) == 1 and isinstance(call.args[0], ast.JoinedStr):
            items = []
            for part in call.args[0].values:
                if isinstance(part, ast.Constant):
                    items.append(PrintItem(kind="text", text=part.value))
                elif part.conversion == -1 and part.format_spec is None:
                    items.append(self._print_item(part.value))
                else:
                    raise Unsupported("f-string formatting options are not supported")
            return Action(kind="print", items=tuple(items), sep="")
        return Action(kind="print", items=tuple(self._print_item(a) for a in call.args), sep=sep)

    def _print_item(self, node) -> PrintItem:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return PrintItem(kind="text", text=node.value)
        if _is_grad(node):
            return PrintItem(kind="grad", text=self._tensor(node.value))
        return PrintItem(kind="value", text=self._tensor(node))

    def _backward(self, call: ast.Call) -> Action:
        target = self._tensor(call.func.value)
        gradient = call.args[0] if call.args else next(
            (k.value for k in call.keywords if k.arg == "gradient"), None)
        retain = bool(_keyword(call, "retain_graph", False))
        if gradient is None:
            seed = Seed(kind="implicit")
        elif self._torch_function(gradient) == "ones_like":
            seed = Seed(kind="ones")
        elif self._torch_function(gradient) == "randn_like":
            seed = Seed(kind="randn", seed=self.seed)
        elif self._torch_function(gradient) == "tensor":
            values = self._literal_values(_literal(gradient.args[0]), None)["values"]
            seed = Seed(kind="literal", values=values)
        else:
            raise Unsupported("backward's gradient must be ones_like, randn_like or tensor")
        return Action(kind="backward", target=target, seed=seed, retain_graph=retain)


def _is_grad(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "grad"


_literal = literal


def _keyword(call: ast.Call, name: str, default):
    for keyword in call.keywords:
        if keyword.arg == name:
            return _literal(keyword.value)
    return default


def import_snippet(source: str) -> Document:
    """The session a snippet describes; ``SnippetError`` names the first line it cannot."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise SnippetError(f"line {error.lineno}: not valid Python ({error.msg})") from None
    importer = _Importer()
    for node in tree.body:
        try:
            importer.statement(node)
        except (Unsupported, ValueError, TypeError) as error:
            line = ast.get_source_segment(source, node) or ""
            line = line.splitlines()[0] if line else ""
            raise SnippetError(f"line {node.lineno}: {line.strip()}: {error}") from None
    return Document(leaves=tuple(importer.leaves), steps=tuple(importer.steps),
                    actions=tuple(importer.actions))


def import_file(path) -> Document:
    try:
        source = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnippetError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SnippetError(f"{path}: cannot read it ({error})") from None
    try:
        return import_snippet(source)
    except SnippetError as error:
        raise SnippetError(f"{path}: {error}") from None
