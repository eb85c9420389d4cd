"""Translation of checked expressions into Numba-compatible Python source."""

from __future__ import annotations

import ast
from collections.abc import Mapping

__all__ = ["translate", "parse"]

# function of the language -> template of generated code
_TEMPLATES: dict[str, str] = {
    "exp": "_math.exp({0})", "log": "_math.log({0})", "log10": "_math.log10({0})",
    "sqrt": "_math.sqrt({0})", "sin": "_math.sin({0})", "cos": "_math.cos({0})",
    "tan": "_math.tan({0})", "tanh": "_math.tanh({0})", "abs": "abs({0})",
    "floor": "_math.floor({0})", "ceil": "_math.ceil({0})", "pow": "({0}) ** ({1})",
    "clip": "min(max({0}, {1}), {2})", "pos": "max({0}, 0.0)", "neg": "min({0}, 0.0)",
    "min": "min({0}, {1})", "max": "max({0}, {1})", "ite": "(({1}) if ({0}) else ({2}))",
    "Uniform": "_rng.uniform({0}, {1})", "Normal": "_rng.normal({0}, {1})",
}
_FIXED_NAMES = {"pi": "_math.pi", "dt": "_dt"}


def parse(text: str) -> ast.expr:
    """Parse text that dasksnn already checked (see :mod:`dasksnn.model.expressions`)."""
    return ast.parse(text, mode="eval").body


def translate(expr: str | ast.expr, rename: Mapping[str, str] | None = None, eager: bool = False,
              invariant: frozenset[str] = frozenset()) -> str:
    """Return generated source for a checked expression.

    Parameters
    ----------
    expr : str or ast.expr
        Checked expression.
    rename : mapping, optional
        Names to replace, e.g. ``{"v": "_v_mid"}`` for an intermediate integration stage.
    eager : bool, default False
        Write ``and``/``or`` of comparisons as ``&``/``|``: both sides are evaluated,
        without a branch, which keeps a loop vectorisable.
    invariant : frozenset of str, optional
        Names that do not change inside the neuron loop (population-wide parameters):
        a division by an expression of them becomes a product with its reciprocal,
        which the compiler computes once per loop instead of once per neuron.
    """
    tree = parse(expr) if isinstance(expr, str) else expr
    names = {**_FIXED_NAMES, **(rename or {})}

    def emit(node: ast.AST) -> str:
        if isinstance(node, ast.Call):
            args = [emit(a) for a in node.args]
            return _TEMPLATES[node.func.id].format(*args)
        if isinstance(node, ast.Name):
            return names.get(node.id, node.id)
        if isinstance(node, ast.Constant):
            value = node.value
            return repr(value) if isinstance(value, bool) else repr(float(value))
        if isinstance(node, ast.BinOp):
            right = node.right
            # small integer powers stay integers: Numba turns them into multiplications
            if isinstance(node.op, ast.Pow) and isinstance(right, ast.Constant) \
                    and isinstance(right.value, int | float) and float(right.value).is_integer():
                return f"({emit(node.left)}) ** {int(right.value)}"
            if isinstance(node.op, ast.Div) and not isinstance(right, ast.Constant) \
                    and _names(right) <= invariant and not _calls(right):
                return f"({emit(node.left)} * (1.0 / {emit(right)}))"
            return f"({emit(node.left)} {_OPS[type(node.op)]} {emit(right)})"
        if isinstance(node, ast.UnaryOp):
            op = {ast.USub: "-", ast.UAdd: "+", ast.Not: "not "}[type(node.op)]
            return f"({op}{emit(node.operand)})"
        if isinstance(node, ast.BoolOp):
            op = " and " if isinstance(node.op, ast.And) else " or "
            if eager and all(isinstance(v, ast.Compare | ast.BoolOp) for v in node.values):
                op = " & " if isinstance(node.op, ast.And) else " | "
            return "(" + op.join(emit(v) for v in node.values) + ")"
        if isinstance(node, ast.Compare):
            parts = [emit(node.left)]
            for op, comp in zip(node.ops, node.comparators, strict=True):
                parts += [_CMP[type(op)], emit(comp)]
            return "(" + " ".join(parts) + ")"
        if isinstance(node, ast.IfExp):
            return f"({emit(node.body)} if {emit(node.test)} else {emit(node.orelse)})"
        raise TypeError(f"unexpected node {type(node).__name__}")  # checked trees never get here

    return emit(tree)


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _calls(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) for n in ast.walk(node))


_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.Mod: "%"}
_CMP = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
