"""The expression half of the snippet importer: torch expressions become pipeline steps.

``out = (inp + 1).pow(2).t()`` becomes the steps ``out_add``, ``out_pow`` and ``out``; the
export folds them back into the same line.
"""

from __future__ import annotations

import ast

from engine.op_table import inplace_table

from .document import Step
from .ops import op_specs

_OPERATORS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div",
              ast.MatMult: "matmul", ast.Pow: "pow"}
_COMPARISONS = {ast.Gt: "gt", ast.Lt: "lt"}
FACTORIES = ("tensor", "zeros", "ones", "full", "eye", "arange", "linspace", "rand", "randn",
             "zeros_like", "ones_like", "full_like", "rand_like", "randn_like")


class Unsupported(Exception):
    """Raised for a construct the playground cannot represent; the message says which."""


def literal(node):
    """A literal (number, string, tuple...) read with ``ast.literal_eval``, never evaluated."""
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        raise Unsupported(f"{ast.unparse(node)} must be a literal value") from None


class ExpressionConverter:
    """Mixed into the importer: needs ``steps``, ``leaves``, ``detached``, ``_leaf``,
    ``_fresh``, ``_peek``, ``_bind``, ``_tensor`` and ``_torch_function``."""

    def _operand(self, node, hint: str, top: bool = False):
        """A step name (adding steps for the expression) or a number constant."""
        if not top:
            if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
                return node.value
            if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
                    and isinstance(node.operand, ast.Constant)
                    and isinstance(node.operand.value, int | float)):
                return -node.operand.value
            if self._torch_function(node) in FACTORIES:  # a tensor made inline is a leaf
                leaf = self._leaf(f"{hint}_{node.func.attr}", node.func.attr, node)
                self.leaves.append(leaf)
                return leaf.name
            if isinstance(node, ast.Name):
                name = self._tensor(node)
                if name in self.detached:
                    raise Unsupported(f"{node.id} comes from detach(), which happens on the "
                                      "timeline; pipeline steps can only use earlier tensors")
                return name
        elif isinstance(node, ast.Name | ast.Constant):
            raise Unsupported("assign the result of an operation")
        # Inner steps are named after the variable being assigned: out_add, out_pow, out.
        op, operands, params = self._parts(node, self._peek(hint) if top else hint)
        name = self._bind(hint) if top else self._fresh(f"{hint}_{op}")
        self.steps.append(Step(name=name, op=op, operands=tuple(operands), params=params))
        return name

    def _parts(self, node, hint):
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            op = _OPERATORS[type(node.op)]
            return op, [self._operand(node.left, hint), self._operand(node.right, hint)], {}
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return "neg", [self._operand(node.operand, hint)], {}
        if (isinstance(node, ast.Compare) and len(node.ops) == 1
                and type(node.ops[0]) in _COMPARISONS):
            operands = [self._operand(node.left, hint), self._operand(node.comparators[0], hint)]
            return _COMPARISONS[type(node.ops[0])], operands, {}
        if isinstance(node, ast.Attribute) and node.attr == "values" and isinstance(
                node.value, ast.Call):
            return self._parts(node.value, hint)  # x.max(dim=0).values is the "max" step
        if isinstance(node, ast.Call):
            return self._call(node, hint)
        raise Unsupported(f"{ast.unparse(node)} is not an operation the playground knows")

    def _call(self, node: ast.Call, hint):
        function = self._torch_function(node)
        if function is not None:
            op, positional = function, list(node.args)
        elif isinstance(node.func, ast.Attribute):
            op, positional = node.func.attr, [node.func.value, *node.args]
        else:
            raise Unsupported(f"{ast.unparse(node.func)}() is not a torch operation")
        spec = op_specs().get(op) or inplace_table().get(op)
        if spec is None:
            raise Unsupported(f"{op} is not in the playground's op table")
        if spec.variadic:
            if not positional or not isinstance(positional[0], ast.List | ast.Tuple):
                raise Unsupported(f"{op} takes a list of tensors")
            operands = [self._operand(e, hint) for e in positional[0].elts]
            rest = positional[1:]
        else:
            count = len(spec.operands)
            operands = [self._operand(a, hint) for a in positional[:count]]
            rest = positional[count:]
        params = self._params(spec, rest, node.keywords, operands, hint)
        return op, operands, params

    def _params(self, spec, rest, keywords, operands, hint) -> dict:
        params = {}
        names = [p for p in spec.params]
        for index, param in enumerate(names):
            if not rest:
                break
            if param.kind == "ints" and index == len(names) - 1 and len(rest) > 1:
                params[param.name] = tuple(literal(a) for a in rest)  # x.reshape(2, 3)
                rest = []
                break
            params[param.name] = _param_value(literal(rest.pop(0)))
        if rest:
            raise Unsupported(f"too many arguments for {spec.name}")
        for keyword in keywords:
            if keyword.arg in spec.operands and not spec.variadic:
                position = spec.operands.index(keyword.arg)
                while len(operands) <= position:
                    operands.append(None)
                operands[position] = self._operand(keyword.value, hint)
            elif keyword.arg in {p.name for p in spec.params}:
                params[keyword.arg] = _param_value(literal(keyword.value))
            else:
                raise Unsupported(f"{spec.name} has no argument {keyword.arg!r}")
        if None in operands:
            raise Unsupported(f"{spec.name} is missing a tensor argument")
        return params


def _param_value(value):
    return tuple(value) if isinstance(value, list | tuple) else value
