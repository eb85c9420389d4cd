"""Update rules of the integration methods: ``euler``, ``exponential``, ``midpoint``, ``rk4``.

Each rule turns the differential equations of one block into lines of the per-neuron
loop that compute ``_new_<x>`` from the values before the block. Methods are registered
in :data:`INTEGRATORS`. Equations are evaluated in ANNarchy's order
(:func:`equation_blocks`): consecutive differential equations form a block updated
simultaneously; an assignment between two blocks sees what the block before it computed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from dasksnn.codegen.translate import comment, parse
from dasksnn.errors import ModelError
from dasksnn.model.equations import Equation
from dasksnn.model.expressions import is_random, linear_split, names_in
from dasksnn.model.neuron import Neuron

__all__ = ["INTEGRATORS", "Plan", "plan_integration", "equation_blocks"]


@dataclass(frozen=True)
class Plan:
    """How one differential equation is integrated.

    ``method`` is the rule; for ``exponential``, ``rate`` and ``drive`` are ``A`` and
    ``B`` of ``dx/dt = A x + B``, and ``hoisted`` says that ``A`` depends on
    parameters only, so ``exp(A dt)`` is computed once per simulate call (once for
    the population when those parameters are ``shared`` population-wide).
    """

    equation: Equation
    method: str
    rate: str = ""
    drive: str = ""
    hoisted: bool = False
    shared: bool = False


def plan_integration(neuron: Neuron, shared: frozenset[str] | None = None, default: str = "euler") -> list[Plan]:
    """Choose the method of every differential equation of ``neuron``.

    Flags win, then the model's ``method``, then ``default`` (the network's). With
    ``auto``, an equation linear in its variable, with a time constant made of
    parameters and a drive that reads no other differential variable, is integrated
    exactly (exponential), any other by explicit Euler. ``shared`` names the parameters
    with one value for the population (default: those flagged ``population``).
    """
    shared = neuron.population_parameters if shared is None else shared
    params = set(neuron.parameter_names)
    differential = {eq.name for eq in neuron.equation_defs if eq.ode}
    plans: list[Plan] = []
    for eq in neuron.equation_defs:
        if not eq.ode:
            continue
        method = eq.method or neuron.method or default
        split = linear_split(parse(eq.rhs), eq.name)
        if split is not None:
            rate, drive = split
            hoisted = _through_assignments(names_in(rate), neuron) <= params and not is_random(rate)
        if method == "auto":
            # exact when the solution over one step is an exponential: constant rate, and
            # a drive that no differential variable changes during the step (also through
            # assignments such as I = -v)
            exact = split is not None and hoisted and not _through_assignments(names_in(drive), neuron) & differential
            method = "exponential" if exact else "euler"
        if method == "exponential":
            if split is None:  # the model's own flags are checked when it is made; this is the network's
                raise ModelError(f"Neuron {neuron.name!r}: '{eq.name}' cannot be integrated with the network's "
                                 f"method 'exponential': the equation is not linear in {eq.name} (flag it euler, "
                                 "midpoint or rk4)")
            plans.append(Plan(eq, method, ast.unparse(rate), ast.unparse(drive), hoisted,
                              hoisted and names_in(rate) <= shared))
        else:
            plans.append(Plan(eq, method))
    return plans


def equation_blocks(equations: list[Equation] | tuple[Equation, ...]) -> list[tuple[bool, list[Equation]]]:
    """The equations in ANNarchy's order of evaluation: runs of consecutive differential
    equations (``True``) or assignments (``False``), in the order written.

    A block of differential equations is integrated from the values before it and then
    switched at once; an assignment reads the values the blocks before it left (``I = -v``
    written after ``dv/dt`` reads the new ``v``), as ANNarchy 4.8 generates them.

    Examples
    --------
    >>> from dasksnn import Neuron
    >>> n = Neuron(equations="I = 1.0; dv/dt = I - v; du/dt = v; x = v + u")
    >>> [(ode, [e.name for e in block]) for ode, block in equation_blocks(n.equation_defs)]
    [(False, ['I']), (True, ['v', 'u']), (False, ['x'])]
    """
    blocks: list[tuple[bool, list[Equation]]] = []
    for eq in equations:
        if blocks and blocks[-1][0] == eq.ode:
            blocks[-1][1].append(eq)
        else:
            blocks.append((eq.ode, [eq]))
    return blocks


def _through_assignments(names: set[str], neuron: Neuron) -> set[str]:
    """``names`` and every name the assignments among them read, transitively."""
    assigned = {eq.name: eq for eq in neuron.equation_defs if not eq.ode}
    result, todo = set(names), [n for n in names if n in assigned]
    while todo:
        for name in names_in(parse(assigned[todo.pop()].rhs)) - result:
            result.add(name)
            if name in assigned:
                todo.append(name)
    return result


#: a rule gets the plans of its equations, the prefix of precomputed factors and a
#: ``translate`` function that knows the loop-invariant names
Rule = Callable[[list[Plan], str, Callable[..., str]], list[str]]


def _euler(plans: list[Plan], prefix: str, tr: Callable[..., str]) -> list[str]:
    lines = []
    for plan in plans:
        x = plan.equation.name
        lines += [comment(plan.equation.text), f"_new_{x} = {x} + _dt * {tr(plan.equation.rhs, operand_of='*')}"]
    return lines


def _exponential(plans: list[Plan], prefix: str, tr: Callable[..., str]) -> list[str]:
    lines = []
    for plan in plans:
        x = plan.equation.name
        lines.append(comment(plan.equation.text))
        drive_is_zero = plan.drive in ("0.0", "0")
        if plan.hoisted:
            index = "" if plan.shared else "[_i]"
            decay, gain = f"{prefix}_decay_{x}{index}", f"{prefix}_gain_{x}{index}"
        else:
            lines += [f"_a = {tr(plan.rate)}", "_e = _math.exp(_a * _dt)"]
            decay, gain = "_e", "((_e - 1.0) / _a if _a != 0.0 else _dt)"
        drive = "" if drive_is_zero else f" + {gain} * {tr(plan.drive, operand_of='*')}"
        lines.append(f"_new_{x} = {x} * {decay}{drive}")
    return lines


def _runge_kutta(steps: list[float], combine: Callable[[str, list[str]], str]) -> Rule:
    """Explicit Runge-Kutta rule as ANNarchy 4.8 writes it: stage ``s`` evaluates every
    equation of the group with the group's variables at ``x + steps[s - 1] * dt * k``; the
    assignments they read keep their values of the start of the step (ANNarchy does not
    evaluate them again at the stages). ``combine(x, ks)`` is the new value of ``x``."""

    def rule(plans: list[Plan], prefix: str, tr: Callable[..., str]) -> list[str]:
        names = [p.equation.name for p in plans]
        lines = [comment(p.equation.text) for p in plans]
        for stage, fraction in enumerate([0.0, *steps]):
            rename = {x: f"_s{stage}_{x}" for x in names} if stage else {}
            for x in names:
                if stage:
                    lines.append(f"_s{stage}_{x} = {x} + {fraction!r} * _dt * _k{stage - 1}_{x}")
            for plan in plans:
                lines.append(f"_k{stage}_{plan.equation.name} = {tr(plan.equation.rhs, rename)}")
        for x in names:
            lines.append(f"_new_{x} = {combine(x, [f'_k{s}_{x}' for s in range(len(steps) + 1)])}")
        return lines

    return rule


#: integration method name -> rule producing the lines of one neuron's update
INTEGRATORS: dict[str, Rule] = {
    "euler": _euler,
    "exponential": _exponential,
    "midpoint": _runge_kutta([0.5], lambda x, k: f"{x} + _dt * {k[1]}"),
    "rk4": _runge_kutta([0.5, 0.5, 1.0],
                        lambda x, k: f"{x} + _dt / 6.0 * ({k[0]} + ({k[1]} + {k[1]}) + ({k[2]} + {k[2]}) + {k[3]})"),
}
