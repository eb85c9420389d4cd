"""Parsing of the text blocks of a model: parameters, equations, reset statements.

The syntax is ANNarchy's::

    tau * dv/dt = (E_L - v) + I : init=-65.0, min=-90.0
    I = g_exc - g_inh
    v = v_reset; u += d

Each line is split into its left side, right side and ``: flags``; right sides are parsed
and checked by :func:`dasksnn.model.expressions.parse_expression`.
"""

from __future__ import annotations

import ast
import math
import numbers
import re
from collections.abc import Iterator
from dataclasses import dataclass

from dasksnn.errors import ModelError, did_you_mean
from dasksnn.model.expressions import Source, parse_expression

__all__ = ["Parameter", "Equation", "parse_parameters", "parameters_text", "split_equations", "statements",
           "one_line", "INTEGRATION_METHODS", "METHOD_ALIASES", "SYNAPSE_PARAMETER_FLAGS", "SYNAPSE_EQUATION_FLAGS"]

#: integration flags an ODE may carry
INTEGRATION_METHODS = ("euler", "exponential", "midpoint", "rk4")
METHOD_ALIASES = {"explicit": "euler"}
_EQUATION_FLAGS = {"init", "min", "max", "population", *INTEGRATION_METHODS, *METHOD_ALIASES}
_PARAMETER_FLAGS = {"population", "int", "bool", "float"}
#: flags of a synapse's parameters and equations
# ("post-synaptic" is the spelling of ANNarchy's older examples)
SYNAPSE_PARAMETER_FLAGS = {"projection", "postsynaptic", "post-synaptic", "int", "bool", "float"}
SYNAPSE_EQUATION_FLAGS = {"init", "min", "max", "event-driven", "postsynaptic", "post-synaptic", *INTEGRATION_METHODS,
                          *METHOD_ALIASES}
# names are ASCII identifiers: Python would fold other letters (NFKC) into other names
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ODE_LHS = re.compile(r"^(?:(?P<tau>.+?)\s*\*\s*)?d(?P<var>[A-Za-z][A-Za-z0-9_]*)\s*/\s*dt"
                      r"(?:\s*\+\s*(?P<leak>[A-Za-z][A-Za-z0-9_]*))?$")


#: ANNarchy's augmented assignments in equations
_AUGMENTED = {"+=": ast.Add, "-=": ast.Sub, "*=": ast.Mult, "/=": ast.Div}


def _split_assign(text: str) -> dict | None:
    """Split ``lhs op rhs`` at the first assignment (``=``, ``+=``, ``-=``, ``*=``, ``/=``)."""
    for pos, char in enumerate(text):
        if char != "=" or text[pos + 1:pos + 2] == "=" or text[pos - 1:pos] in ("<", ">", "!", "="):
            continue
        start = pos - 1 if pos and text[pos - 1] in "+-*/" and _NAME.match(text[:pos - 1].strip()) else pos
        return {"lhs": text[:start], "op": text[start:pos + 1], "rhs": text[pos + 1:], "at": pos + 1}
    return None


@dataclass(frozen=True)
class Parameter:
    """A parameter of a model: a value per neuron, or one for the whole population.

    Parameters
    ----------
    name : str
        Parameter name.
    value : float
        Default value.
    population : bool, default False
        One value shared by the population rather than one per neuron.
    scope : {"", "projection", "postsynaptic"}, default ""
        For a synapse: one value per projection, per post-synaptic neuron, or (``""``)
        per synapse.
    """

    name: str
    value: float
    population: bool = False
    scope: str = ""


@dataclass(frozen=True)
class Equation:
    """One line of the ``equations`` block.

    Parameters
    ----------
    name : str
        The variable it defines.
    rhs : str
        Right-hand side in checked Python syntax; for an ODE ``dx/dt = rhs``, already
        divided by the time constant of a ``tau * dx/dt = ...`` form.
    ode : bool
        Whether the line is a differential equation (else an assignment made every step).
    method : str or None
        Integration method flag, or ``None`` to let dasksnn choose.
    init : float
        Initial value of the variable.
    min, max : str or None
        Bounds (expressions) applied after each update.
    text : str
        The line as written, shown in generated code.
    event_driven : bool, default False
        For a synapse: integrated in closed form at the synapse's events only.
    scope : {"", "postsynaptic"}, default ""
        For a synapse: one value per post-synaptic neuron instead of per synapse.
    """

    name: str
    rhs: str
    ode: bool
    method: str | None = None
    init: float = 0.0
    min: str | None = None
    max: str | None = None
    text: str = ""
    event_driven: bool = False
    scope: str = ""


def lines(block: str, where: str) -> Iterator[Source]:
    """Yield each non-empty statement of a block (split at newlines and ``;``)."""
    if not isinstance(block, str):
        raise ModelError(f"{where}: expected text, got {type(block).__name__} {block!r:.60}")
    for lineno, raw in enumerate(block.splitlines(), start=1):
        code = raw.split("#", 1)[0]
        start = 0
        for part in code.split(";"):
            if part.strip():
                yield Source(where, lineno, raw, start + len(part) - len(part.lstrip()))
            start += len(part) + 1


def statements(block: str, where: str) -> Iterator[Source]:
    """Yield each statement of an equations or reset block, continuation lines joined.

    As in ANNarchy, a line without an assignment continues the statement before it,
    so a long equation (or its flags) may be written over several lines.
    """
    pending: Source | None = None
    for source in lines(block, where):
        text = _fragment(source)
        if pending is not None and _split_assign(_split_flags(text)[0]) is None:
            joined = f"{_fragment(pending)} {text.strip()}"
            pending = Source(where, pending.lineno, joined, 0)
            continue
        if pending is not None:
            yield pending
        pending = source
    if pending is not None:
        yield pending


def one_line(block: str, where: str) -> Source:
    """A block such as a spike condition, its lines joined into one (comments dropped)."""
    parts = [_fragment(source).strip() for source in lines(block, where)]
    first = next(lines(block, where), None)
    if first is None:
        raise ModelError(f"{where}, line 1: no expression in {block!r:.60}")
    if len(parts) == 1:
        return first
    return Source(where, first.lineno, " ".join(parts), 0)


def _fragment(source: Source) -> str:
    """The statement text of ``source`` (up to the next ``;`` or comment)."""
    rest = source.line.split("#", 1)[0][source.offset:]
    return rest.split(";", 1)[0].rstrip()


def _split_flags(text: str) -> tuple[str, str]:
    """Split ``"body : flags"`` at the top-level colon that starts the flags.

    An ANNarchy conditional ``x = if c: a else: b`` holds two colons of its own.
    """
    colons, depth = [], 0
    for pos, char in enumerate(text):
        depth += (char in "([") - (char in ")]")
        if char == ":" and depth == 0:
            colons.append(pos)
    rhs = text.split("=", 1)[-1].lstrip()
    skip = 2 if re.match(r"if\b", rhs) else 0
    if len(colons) <= skip:
        return text, ""
    return text[:colons[skip]], text[colons[skip] + 1:]


def _top_level_split(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char in "(["
        depth -= char in ")]"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [p for p in [*parts, current] if p.strip()]


def _parse_flags(flags: str, allowed: set[str], source: Source, names: set[str],
                 objects: frozenset[str] = frozenset(), functions: dict | None = None) -> dict[str, str | bool]:
    """Parse ``init=-65, min=v_min, population`` into a dict of expression text or True."""
    col = source.line.find(flags) if flags else 0
    result: dict[str, str | bool] = {}
    for item in _top_level_split(flags):
        key, _, value = (s.strip() for s in item.partition("="))
        if key not in allowed:
            raise source.error(f"unknown flag '{key}' (valid: {', '.join(sorted(allowed))})."
                               f"{did_you_mean(key, allowed)}", source.line.find(key, col) - source.offset)
        if value:
            # the checked tree, printed again: never the text as written
            value = ast.unparse(parse_expression(value, names, Source(source.where, source.lineno, source.line,
                                                                      source.line.find(value, col)),
                                                 objects=objects, functions=functions))
        result[key] = value or True
    return result


def constant(text: str, source: Source, names: dict[str, float] | None = None) -> float:
    """Evaluate a constant expression (numbers, arithmetic, known constants)."""
    known = names or {}
    tree = parse_expression(text, set(known), source, allow_random=False)
    ops = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
           ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
           ast.Pow: lambda a, b: a ** b, ast.Mod: lambda a, b: a % b}

    def value(node: ast.expr) -> float:
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in known:
            return float(known[node.id])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
            return sign * value(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            return ops[type(node.op)](value(node.left), value(node.right))
        raise source.error(f"'{ast.unparse(node)}' is not a constant number")

    try:
        result = value(tree)
    except (ArithmeticError, ValueError) as exc:  # 1/0, 10.0**400, ...
        raise source.error(f"cannot compute '{text.strip()}': {exc}") from None
    if not math.isfinite(result):
        raise source.error(f"'{text.strip()}' is not a finite number")
    return result


def parse_parameters(block: str | dict, where: str, allowed: set[str] | None = None) -> tuple[Parameter, ...]:
    """Parse a ``parameters`` block (text, or a dict of name to number).

    ``allowed`` are the flags a parameter may carry (default: a neuron's).
    """
    if isinstance(block, dict):
        block = parameters_text(block, where)
    result: list[Parameter] = []
    for source in lines(block, f"{where} parameters"):
        text = _fragment(source)
        body, flags = _split_flags(text)
        match = _split_assign(body)
        if not match or match["op"] != "=" or not _NAME.match(match["lhs"].strip()):
            raise source.error("expected 'name = value' (optionally followed by ': population')")
        name = match["lhs"].strip()
        value_source = Source(source.where, source.lineno, source.line,
                              source.offset + match["at"])
        value = constant(match["rhs"], value_source)
        parsed = _parse_flags(flags, _PARAMETER_FLAGS if allowed is None else allowed, source, set())
        scopes = [scope for scope in ("projection", "postsynaptic") if parsed.get(scope)
                  or (scope == "postsynaptic" and parsed.get("post-synaptic"))]
        if len(scopes) > 1:
            raise source.error("a parameter is either ': projection' or ': postsynaptic', not both")
        result.append(Parameter(name, value, population=bool(parsed.get("population")),
                                scope=scopes[0] if scopes else ""))
    return tuple(result)


def parameters_text(parameters: dict, where: str) -> str:
    """The text form of parameters given as a dict of name to number (checked)."""
    return "\n".join(f"{name} = {_dict_value(name, value, where)!r}" for name, value in parameters.items())


def _dict_value(name: object, value: object, where: str) -> float:
    """A parameter given in a dict: a valid name and a finite number."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ModelError(f"{where} parameters: {name!r} is not a valid parameter name (letters, digits "
                         "and '_', starting with a letter)")
    if not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ModelError(f"{where} parameters: '{name}' must be a finite number, got {value!r:.60}")
    return float(value)


@dataclass(frozen=True)
class RawLine:
    """An equation line split into parts, before its names are checked."""

    name: str
    tau: str | None
    rhs: str
    ode: bool
    flags: str
    source: Source
    rhs_offset: int
    leak: bool = False  # ANNarchy's ``tau * dx/dt + x = rhs``, i.e. ``tau * dx/dt = rhs - x``
    op: str = "="  # ANNarchy's ``x += rhs`` (and -=, *=, /=): ``x = x + (rhs)``, every step


def split_equations(block: str, where: str) -> list[RawLine]:
    """Split an ``equations`` block into lines, without checking names yet."""
    result: list[RawLine] = []
    for source in statements(block, f"{where} equations"):
        text = _fragment(source)
        body, flags = _split_flags(text)
        match = _split_assign(body)
        if not match:
            raise source.error("expected 'dx/dt = ...', 'tau * dx/dt = ...' or 'x = ...'")
        lhs = match["lhs"].strip()
        rhs_offset = source.offset + match["at"]
        ode = _ODE_LHS.match(lhs)
        if ode and ode["leak"] not in (None, ode["var"]):
            raise source.error(f"cannot read the left side '{lhs}': the term added to d{ode['var']}/dt "
                               f"must be '{ode['var']}' itself ('tau * d{ode['var']}/dt + {ode['var']} = ...')")
        if ode:
            result.append(RawLine(ode["var"], ode["tau"], match["rhs"], True, flags, source, rhs_offset,
                                  ode["leak"] is not None))
        elif _NAME.match(lhs):
            result.append(RawLine(lhs, None, match["rhs"], False, flags, source, rhs_offset, op=match["op"]))
        else:
            raise source.error(f"cannot read the left side '{lhs}': expected a variable name, "
                               "'dx/dt' or 'tau * dx/dt'")
    return result


def check_equation(raw: RawLine, names: set[str], parameter_values: dict[str, float],
                   allowed: set[str] | None = None, objects: frozenset[str] = frozenset(),
                   functions: dict | None = None) -> Equation:
    """Check the names of one equation line and return its :class:`Equation`.

    ``allowed`` are the flags an equation may carry (default: a neuron's); ``objects``
    names whose attributes expressions may read (``pre``, ``post`` in a synapse).
    """
    source = raw.source
    rhs_source = Source(source.where, source.lineno, source.line, raw.rhs_offset)
    tree = parse_expression(raw.rhs, names, rhs_source, objects=objects, functions=functions)
    if raw.op != "=":
        tree = ast.BinOp(ast.Name(raw.name, ast.Load()), _AUGMENTED[raw.op](), tree)
    rhs = ast.unparse(tree)
    if raw.leak:
        rhs = ast.unparse(ast.parse(f"({rhs}) - {raw.name}", mode="eval"))
    if raw.tau is not None:
        tau_source = Source(source.where, source.lineno, source.line,
                            source.line.find(raw.tau, source.offset))
        tau = ast.unparse(parse_expression(raw.tau, names, tau_source, allow_random=False))
        rhs = f"({rhs}) / ({tau})"
    flags = _parse_flags(raw.flags, _EQUATION_FLAGS if allowed is None else allowed, source, names, objects,
                         functions)
    methods = [m for m in flags if m in INTEGRATION_METHODS or m in METHOD_ALIASES]
    if len(methods) > 1:
        raise source.error(f"more than one integration method given: {', '.join(methods)}")
    if methods and not raw.ode:
        raise source.error(f"'{methods[0]}' applies to differential equations only")
    if "population" in flags:
        raise source.error("the flag 'population' applies to parameters, not to equations")
    init = flags.get("init")
    return Equation(
        name=raw.name, rhs=rhs, ode=raw.ode,
        method=METHOD_ALIASES.get(methods[0], methods[0]) if methods else None,
        init=constant(init, source, parameter_values) if isinstance(init, str) else 0.0,
        min=flags.get("min") or None, max=flags.get("max") or None,
        text=_fragment(source).strip(),
        event_driven=bool(flags.get("event-driven")),
        scope="postsynaptic" if flags.get("postsynaptic") or flags.get("post-synaptic") else "",
    )
