"""Translation of checked expressions into Numba-compatible Python source.

An expression of the equation language is rewritten as a Python syntax tree (functions
of the language become ``_math`` calls, names are renamed, numbers become floats) and
printed with :func:`ast.unparse`, which adds only the parentheses the tree needs. Only
trees checked by :mod:`dasksnn.model.expressions` get here; user text is never pasted.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

__all__ = ["translate", "parse", "comment"]


def _math(name: str) -> Callable[..., ast.expr]:
    return lambda *args: ast.Call(ast.Attribute(ast.Name("_math", ast.Load()), name, ast.Load()),
                                  list(args), [])


def _builtin(name: str) -> Callable[..., ast.expr]:
    return lambda *args: ast.Call(ast.Name(name, ast.Load()), list(args), [])


def _draw(name: str) -> Callable[..., ast.expr]:
    return lambda *args: ast.Call(ast.Attribute(ast.Name("_rng", ast.Load()), name, ast.Load()),
                                  list(args), [])


def _float(value: float) -> ast.Constant:
    return ast.Constant(float(value))


# function of the language -> builder of the generated tree
_FUNCTIONS: dict[str, Callable[..., ast.expr]] = {
    **{name: _math(name) for name in ("exp", "log", "log10", "sqrt", "sin", "cos", "tan", "tanh",
                                      "floor", "ceil")},
    "abs": _builtin("abs"), "min": _builtin("min"), "max": _builtin("max"),
    "pow": lambda a, b: ast.BinOp(a, ast.Pow(), b),
    "clip": lambda x, low, high: _builtin("min")(_builtin("max")(x, low), high),
    "pos": lambda x: _builtin("max")(x, _float(0.0)),
    "neg": lambda x: _builtin("min")(x, _float(0.0)),
    "ite": lambda condition, then, other: ast.IfExp(condition, then, other),
    "fabs": _builtin("abs"),
    "positive": lambda x: _builtin("max")(x, _float(0.0)),
    "negative": lambda x: _builtin("min")(x, _float(0.0)),
    "power": lambda a, b: ast.BinOp(a, ast.Pow(), b),
    "Uniform": _draw("uniform"), "Normal": _draw("normal"),
}
_FIXED_NAMES: dict[str, Callable[[], ast.expr]] = {
    "pi": lambda: ast.Attribute(ast.Name("_math", ast.Load()), "pi", ast.Load()),
    "dt": lambda: ast.Name("_dt", ast.Load()),
}


def parse(text: str) -> ast.expr:
    """Parse text that dasksnn already checked (see :mod:`dasksnn.model.expressions`)."""
    return ast.parse(text, mode="eval").body


def comment(text: str) -> str:
    """A one-line ``#`` comment quoting ``text``.

    Line breaks, control characters, quotes and non-ASCII characters are escaped, so
    that no text a user wrote can end the comment or change the file's encoding.
    """
    return "# " + ascii(str(text))[1:-1]


_OPERATORS = {"*": ast.Mult, "&": ast.BitAnd, "+": ast.Add}


def translate(expr: str | ast.expr, rename: Mapping[str, str] | None = None, eager: bool = False,
              invariant: frozenset[str] = frozenset(), operand_of: str | None = None) -> str:
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
    operand_of : {"*", "&", "+"}, optional
        Source for the right operand of this operator: parenthesised only where needed.
    """
    tree = parse(expr) if isinstance(expr, str) else expr
    renamed = dict(rename or {})

    def emit(node: ast.AST) -> ast.expr:
        if isinstance(node, ast.Call):
            return _FUNCTIONS[node.func.id](*(emit(a) for a in node.args))
        if isinstance(node, ast.Name):
            if node.id in renamed:
                return ast.Name(renamed[node.id], ast.Load())
            if node.id in _FIXED_NAMES:
                return _FIXED_NAMES[node.id]()
            return ast.Name(node.id, ast.Load())
        if isinstance(node, ast.Attribute):  # pre.v in a synapse: a local the block loaded
            return ast.Name(renamed[f"{node.value.id}.{node.attr}"], ast.Load())
        if isinstance(node, ast.Constant):
            return ast.Constant(node.value) if isinstance(node.value, bool) else _float(node.value)
        if isinstance(node, ast.BinOp):
            right = node.right
            # small integer powers stay integers: Numba turns them into multiplications
            if isinstance(node.op, ast.Pow) and isinstance(right, ast.Constant) \
                    and not isinstance(right.value, bool) and float(right.value).is_integer():
                return ast.BinOp(emit(node.left), ast.Pow(), ast.Constant(int(right.value)))
            if isinstance(node.op, ast.Div) and not isinstance(right, ast.Constant) \
                    and _names(right) <= invariant and not _calls(right):
                reciprocal = ast.BinOp(_float(1.0), ast.Div(), emit(right))
                return ast.BinOp(emit(node.left), ast.Mult(), reciprocal)
            return ast.BinOp(emit(node.left), type(node.op)(), emit(right))
        if isinstance(node, ast.UnaryOp):
            return ast.UnaryOp(type(node.op)(), emit(node.operand))
        if isinstance(node, ast.BoolOp):
            values = [emit(v) for v in node.values]
            if eager and all(isinstance(v, ast.Compare | ast.BoolOp) for v in node.values):
                op = ast.BitAnd if isinstance(node.op, ast.And) else ast.BitOr
                result = values[0]
                for value in values[1:]:
                    result = ast.BinOp(result, op(), value)
                return result
            return ast.BoolOp(type(node.op)(), values)
        if isinstance(node, ast.Compare):
            return ast.Compare(emit(node.left), [type(op)() for op in node.ops],
                               [emit(c) for c in node.comparators])
        if isinstance(node, ast.IfExp):
            return ast.IfExp(emit(node.test), emit(node.body), emit(node.orelse))
        raise TypeError(f"unexpected node {type(node).__name__}")  # checked trees never get here

    if operand_of is None:
        return ast.unparse(emit(tree))
    # the printer knows the precedence rules: print "_ op (expr)" and keep the operand
    placeholder = f"_ {operand_of} "
    text = ast.unparse(ast.BinOp(ast.Name("_", ast.Load()), _OPERATORS[operand_of](), emit(tree)))
    return text[len(placeholder):]


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _calls(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) for n in ast.walk(node))
