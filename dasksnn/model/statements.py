"""Statements (a neuron's ``reset``, a synapse's ``pre_spike`` and ``post_spike``) and a
synapse's ``functions``: ``v = c; u += d``, ``w = clip(w + x, 0, w_max) : unless_post``,
``sigmoid(x) = 1 / (1 + exp(-x))``."""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass

from dasksnn.errors import did_you_mean
from dasksnn.model.equations import _NAME, _fragment, _parse_flags, _split_assign, _split_flags, lines, statements
from dasksnn.model.expressions import FUNCTIONS, RANDOM_FUNCTIONS, RESERVED, Function, Source, parse_expression

__all__ = ["Statement", "parse_statements", "parse_functions"]


@dataclass(frozen=True)
class Statement:
    """An assignment of the ``reset`` block, e.g. ``u += d`` (or of a synapse's events,
    which may bound the result: ``w += x : min=0.0, max=w_max``)."""

    name: str
    op: str
    rhs: str
    text: str = ""
    min: str | None = None
    max: str | None = None
    unless_post: bool = False


_FUNCTION = re.compile(r"^\s*(?P<name>[A-Za-z][A-Za-z0-9_]*)\s*\((?P<parameters>[^()]*)\)\s*=(?P<body>.*)$")


def parse_functions(block: str, where: str) -> dict[str, Function]:
    """Parse a ``functions`` block: one ``name(x, y) = expression of x and y`` per line.

    A body reads its parameters, constants and the functions of the language (and the
    functions defined above it); it draws no random numbers.
    """
    functions: dict[str, Function] = {}
    for source in lines(block, f"{where} functions"):
        text = _fragment(source)
        match = _FUNCTION.match(text)
        if not match:
            raise source.error("expected 'name(x, y) = expression'")
        name = match["name"]
        parameters = tuple(p.strip() for p in match["parameters"].split(",") if p.strip())
        if name in functions or name in FUNCTIONS or name in RANDOM_FUNCTIONS or name in RESERVED \
                or keyword.iskeyword(name):
            raise source.error(f"'{name}' is already a function or a reserved name")
        for parameter in parameters:
            # a parameter may be called t, dt or pi (as ANNarchy's nmda(v, t, s)): it hides them
            if not _NAME.match(parameter) or keyword.iskeyword(parameter):
                raise source.error(f"'{parameter}' cannot be a parameter of {name}()")
        if len(set(parameters)) != len(parameters):
            raise source.error(f"{name}() names a parameter twice")
        body_source = Source(source.where, source.lineno, source.line, source.offset + match.start("body"))
        body = parse_expression(match["body"], set(parameters), body_source, allow_random=False,
                                functions=functions)
        functions[name] = Function(parameters, ast.unparse(body))
    return functions


def parse_statements(block: str, where: str, writable: set[str], names: set[str],
                     objects: frozenset[str] = frozenset(), bounds: bool = False,
                     functions: dict | None = None) -> tuple[Statement, ...]:
    """Parse statements such as a ``reset`` block: ``v = c; u += d``.

    With ``bounds``, a statement may end with ``: min=..., max=...`` (and ``unless_post``).
    """
    result: list[Statement] = []
    for source in statements(block, where):
        text = _fragment(source)
        flags: dict[str, str | bool] = {}
        if bounds:
            text, flag_text = _split_flags(text)
            flags = _parse_flags(flag_text, {"min", "max", "unless_post"}, source, names, objects, functions)
        match = _split_assign(text)
        if not match:
            raise source.error("expected an assignment such as 'v = v_reset' or 'u += d'")
        name = match["lhs"].strip()
        if name not in writable:
            raise source.error(f"cannot assign to '{name}': not a variable of the model "
                               f"(variables: {', '.join(sorted(writable))}).{did_you_mean(name, writable)}")
        rhs_source = Source(source.where, source.lineno, source.line,
                            source.offset + match["at"])
        rhs = ast.unparse(parse_expression(match["rhs"], names, rhs_source, objects=objects,
                                           functions=functions))
        low, high = flags.get("min"), flags.get("max")
        result.append(Statement(name, match["op"], rhs, _fragment(source).strip(),
                                low if isinstance(low, str) else None, high if isinstance(high, str) else None,
                                bool(flags.get("unless_post"))))
    return tuple(result)
