"""Checked expressions of the equation language.

User text is parsed with :mod:`ast` and every node is checked against an allow-list.
The checked tree is kept; only source that dasksnn writes from such a tree is ever
compiled, never the user's text itself.
"""

from __future__ import annotations

import ast
import copy
import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from dasksnn.errors import ModelError, did_you_mean

__all__ = ["FUNCTIONS", "RANDOM_FUNCTIONS", "RESERVED", "Source", "Function", "parse_expression", "linear_split"]

#: functions users may call, with their number of arguments
FUNCTIONS: dict[str, int] = {
    "exp": 1, "log": 1, "log10": 1, "sqrt": 1, "sin": 1, "cos": 1, "tan": 1, "tanh": 1,
    "abs": 1, "floor": 1, "ceil": 1, "pow": 2, "clip": 3, "pos": 1, "neg": 1,
    "min": 2, "max": 2, "ite": 3,
    # ANNarchy's names in its equations (C's fabs; positive, negative and power of its parser)
    "fabs": 1, "positive": 1, "negative": 1, "power": 2,
}
#: random draws, one new number at every evaluation (per neuron and step)
RANDOM_FUNCTIONS: dict[str, int] = {"Uniform": 2, "Normal": 2}
#: names every expression can read
RESERVED: frozenset[str] = frozenset({"t", "dt", "pi"})
#: longest expression accepted, in characters
MAX_LENGTH = 10_000
#: deepest nesting of operations accepted (a sum of n terms nests n deep)
MAX_DEPTH = 100

_BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.Mod)
_UNARY = (ast.USub, ast.UAdd, ast.Not)
_COMPARE = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)
_ANNARCHY_IF = re.compile(r"^\s*if\s+(?P<cond>.+?)\s*:\s*(?P<then>.+?)\s+else\s*:\s*(?P<other>.+)$")


@dataclass(frozen=True)
class Source:
    """Where a piece of text comes from, to point at it in error messages.

    Parameters
    ----------
    where : str
        Which block, e.g. ``"Neuron 'LIF' equations"``.
    lineno : int
        Line number inside the block (1-based).
    line : str
        The whole line as the user wrote it.
    offset : int
        Column of the parsed fragment inside ``line``.
    """

    where: str
    lineno: int
    line: str
    offset: int = 0

    def error(self, message: str, col: int | None = None) -> ModelError:
        """Return a :class:`ModelError` quoting the line with a caret under ``col``."""
        caret_col = self.offset + (col or 0)
        text = self.line.rstrip()
        return ModelError(
            f"{self.where}, line {self.lineno}: {message}\n    {text}\n    {' ' * caret_col}^"
        )


@dataclass(frozen=True)
class Function:
    """A function a model defines (``functions="sigmoid(x) = 1 / (1 + exp(-x))"``): its
    parameters and its checked body (printed text)."""

    parameters: tuple[str, ...]
    body: str


def _inline(node: ast.expr, functions: Mapping[str, Function], source: Source, col) -> ast.expr:
    """``node`` with every call of a model's function replaced by its body."""

    class Inline(ast.NodeTransformer):
        def visit_Call(self, call: ast.Call) -> ast.AST:
            self.generic_visit(call)
            name = call.func.id if isinstance(call.func, ast.Name) else None
            if name not in functions:
                return call
            function = functions[name]
            if len(call.args) != len(function.parameters) or call.keywords:
                raise source.error(f"{name}() takes {len(function.parameters)} arguments, got "
                                   f"{len(call.args)}", col(call.col_offset))
            values = dict(zip(function.parameters, call.args, strict=True))
            tree = ast.parse(function.body, mode="eval").body
            # nested functions grow exponentially: refuse before building the tree
            size = sum(1 for _ in ast.walk(tree)) + sum(
                _size(values[leaf.id]) for leaf in ast.walk(tree) if isinstance(leaf, ast.Name) and leaf.id in values)
            if size > MAX_LENGTH // 2:
                raise source.error(f"expression too large once its functions are replaced by their bodies "
                                   f"(calling {name}()); split it with intermediate variables", col(call.col_offset))

            class Substitute(ast.NodeTransformer):
                def visit_Name(self, leaf: ast.Name) -> ast.AST:
                    return copy.deepcopy(values[leaf.id]) if leaf.id in values else leaf

            body = Substitute().visit(tree)
            return ast.copy_location(body, call)

    return Inline().visit(node)


def _size(node: ast.AST) -> int:
    return sum(1 for _ in ast.walk(node))


def _normalise(text: str) -> tuple[str, list[int]]:
    """Translate ANNarchy spellings (``^``, ``if c: a else: b``) to Python.

    Returns the new text and, for each of its columns, the column in the original.
    """
    match = _ANNARCHY_IF.match(text)
    if match:
        text = f"({match['then']}) if ({match['cond']}) else ({match['other']})"
        return text.replace("^", "**"), [0] * (len(text) + 1)
    out: list[str] = []
    columns: list[int] = []
    for col, char in enumerate(text):
        if char == "^":
            out.append("**")
            columns += [col, col]
        else:
            out.append(char)
            columns.append(col)
    columns.append(len(text))
    return "".join(out), columns


def parse_expression(text: str, names: set[str] | frozenset[str], source: Source,
                     allow_random: bool = True, objects: frozenset[str] = frozenset(),
                     functions: Mapping[str, Function] | None = None) -> ast.expr:
    """Parse and check one expression of the equation language.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"(El - v) / tau"``.
    names : set of str
        Names the expression may read besides :data:`RESERVED`.
    source : Source
        Where ``text`` comes from, for error messages.
    allow_random : bool, default True
        Whether ``Uniform`` and ``Normal`` may be called.
    objects : frozenset of str, optional
        Names whose attributes may be read, e.g. ``{"pre", "post"}`` for ``pre.v`` in a
        synapse (attribute names are ASCII identifiers that do not start with ``_``).
    functions : mapping of str to Function, optional
        A model's own functions (``functions=`` of a synapse): their calls are replaced by
        their bodies, the arguments in place of the parameters.

    Returns
    -------
    ast.expr
        The checked tree.

    Raises
    ------
    ModelError
        On a syntax error, an unknown name or a construct outside the language.
    """
    if len(text) > MAX_LENGTH:
        raise source.error(f"expression too long ({len(text)} characters, at most {MAX_LENGTH}); "
                           "split it with intermediate variables")
    python_text, columns = _normalise(text)
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal": the error below says more
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(python_text.strip(), mode="eval")
    except SyntaxError as exc:
        col = columns[min(max((exc.offset or 1) - 1, 0), len(columns) - 1)]
        raise source.error(f"syntax error ({exc.msg})", col) from None
    except (RecursionError, MemoryError):
        raise source.error(f"expression too deeply nested (at most {MAX_DEPTH} levels); "
                           "split it with intermediate variables") from None
    except ValueError as exc:  # e.g. a null character
        raise source.error(f"cannot read the text ({exc})") from None
    if _depth(tree.body) > MAX_DEPTH:
        raise source.error(f"expression too deeply nested (more than {MAX_DEPTH} levels); "
                           "split it with intermediate variables")
    lead = len(python_text) - len(python_text.lstrip())
    if functions:
        tree.body = _inline(tree.body, functions, source,
                            lambda c: columns[min(c + lead, len(columns) - 1)])
        if _depth(tree.body) > MAX_DEPTH or len(ast.unparse(tree.body)) > MAX_LENGTH:
            raise source.error("expression too large once its functions are replaced by their bodies; "
                               "split it with intermediate variables")
    _check(tree.body, names, source, allow_random, lambda c: columns[min(c + lead, len(columns) - 1)], objects)
    return tree.body


def _depth(node: ast.AST) -> int:
    """Nesting depth of a tree, without recursion (deep trees are what it looks for)."""
    deepest, todo = 0, [(node, 1)]
    while todo:
        current, depth = todo.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:
            todo.extend((child, depth + 1) for child in ast.iter_child_nodes(current))
    return deepest


def _is_number(value: object) -> bool:
    """A finite real number (bool included) that converts to a float."""
    if isinstance(value, bool):
        return True
    if not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


_ATTRIBUTE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$", re.ASCII)


def _check(node: ast.AST, names, source: Source, allow_random: bool, col,
           objects: frozenset[str] = frozenset()) -> None:
    def fail(message: str, at: ast.AST) -> ModelError:
        return source.error(message, col(getattr(at, "col_offset", 0)))

    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    owners = {id(n.value) for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and objects:
            # walked before its value: only pre.<name> / post.<name> get past this
            if not (isinstance(sub.value, ast.Name) and sub.value.id in objects and _ATTRIBUTE.match(sub.attr)):
                raise fail(f"'{ast.unparse(sub)[:40]}' cannot be read: only "
                           f"{' or '.join(f'{o}.<variable>' for o in sorted(objects))} are allowed", sub)
        elif isinstance(sub, ast.Name):
            if id(sub) in owners:
                continue
            if id(sub) not in called and sub.id not in names and sub.id not in RESERVED:
                valid = sorted(set(names) | RESERVED)
                raise fail(f"unknown name '{sub.id}'.{did_you_mean(sub.id, valid)}", sub)
        elif isinstance(sub, ast.Constant):
            if not _is_number(sub.value):
                shown = repr(sub.value) if len(repr(sub.value)) < 40 else repr(sub.value)[:37] + "..."
                raise fail(f"only numbers are allowed, got {shown} (finite real numbers)", sub)
        elif isinstance(sub, ast.Call):
            fname = sub.func.id if isinstance(sub.func, ast.Name) else None
            known = {**FUNCTIONS, **(RANDOM_FUNCTIONS if allow_random else {})}
            if fname not in known or sub.keywords:
                allowed = ", ".join(sorted(known))
                raise fail(f"'{ast.unparse(sub.func)}' is not a function of the language "
                           f"(allowed: {allowed}).{did_you_mean(fname or '', known)}", sub)
            if len(sub.args) != known[fname]:
                raise fail(f"{fname}() takes {known[fname]} arguments, got {len(sub.args)}", sub)
        elif isinstance(sub, ast.BinOp):
            if not isinstance(sub.op, _BINARY):
                raise fail(f"operator {type(sub.op).__name__} is not allowed", sub)
        elif isinstance(sub, ast.UnaryOp):
            if not isinstance(sub.op, _UNARY):
                raise fail(f"operator {type(sub.op).__name__} is not allowed", sub)
        elif isinstance(sub, ast.Compare):
            if not all(isinstance(op, _COMPARE) for op in sub.ops):
                raise fail("only <, <=, >, >=, ==, != comparisons are allowed", sub)
        elif not isinstance(sub, (ast.BoolOp, ast.IfExp, ast.Load, ast.And, ast.Or, *_BINARY,
                                  *_UNARY, *_COMPARE)):
            raise fail(f"{type(sub).__name__} is not allowed in an equation", sub)


def names_in(node: ast.AST) -> set[str]:
    """Return the variable and parameter names an expression reads (not functions).

    An attribute such as ``pre.v`` is returned as ``"pre.v"``.
    """
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    owners = {id(n.value): f"{n.value.id}.{n.attr}" for n in ast.walk(node)
              if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}
    return {owners.get(id(n), n.id) for n in ast.walk(node) if isinstance(n, ast.Name) and id(n) not in called}


def is_random(node: ast.AST) -> bool:
    """Whether an expression draws random numbers."""
    return any(isinstance(n, ast.Call) and n.func.id in RANDOM_FUNCTIONS for n in ast.walk(node))


def linear_split(node: ast.expr, var: str) -> tuple[ast.expr, ast.expr] | None:
    """Write ``node`` as ``A * var + B`` with ``A`` and ``B`` free of ``var``.

    Returns ``None`` when ``node`` is not linear in ``var`` (or draws random numbers).
    """
    zero = ast.Constant(0.0)
    if var not in names_in(node):
        return zero, node
    if is_random(node):
        return None
    if isinstance(node, ast.Name):
        return ast.Constant(1.0), zero
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = linear_split(node.operand, var)
        if inner is None or isinstance(node.op, ast.UAdd):
            return inner
        return _neg(inner[0]), _neg(inner[1])
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Add | ast.Sub):
            left, right = linear_split(node.left, var), linear_split(node.right, var)
            if left is None or right is None:
                return None
            return (_combine(left[0], node.op, right[0]), _combine(left[1], node.op, right[1]))
        if isinstance(node.op, ast.Mult):
            for lin, other in ((node.left, node.right), (node.right, node.left)):
                if var not in names_in(other):
                    split = linear_split(lin, var)
                    if split is None:
                        return None
                    return _combine(split[0], ast.Mult(), other), _combine(split[1], ast.Mult(), other)
        if isinstance(node.op, ast.Div) and var not in names_in(node.right):
            split = linear_split(node.left, var)
            if split is None:
                return None
            return _combine(split[0], ast.Div(), node.right), _combine(split[1], ast.Div(), node.right)
    return None


def _is_zero(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0


def _neg(node: ast.expr) -> ast.expr:
    return node if _is_zero(node) else ast.UnaryOp(ast.USub(), node)


def _combine(left: ast.expr, op: ast.operator, right: ast.expr) -> ast.expr:
    if isinstance(op, ast.Add | ast.Sub) and _is_zero(right):
        return left
    if isinstance(op, ast.Add) and _is_zero(left):
        return right
    if isinstance(op, ast.Sub) and _is_zero(left):
        return _neg(right)
    if isinstance(op, ast.Mult | ast.Div) and _is_zero(left):
        return left
    if isinstance(op, ast.Mult) and _is_zero(right):
        return right
    return ast.BinOp(left, op, right)
