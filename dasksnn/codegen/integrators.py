"""Update rules of the integration methods: ``euler``, ``exponential``, ``midpoint``, ``rk4``.

Each rule turns the differential equations of one neuron model into lines of the
per-neuron loop that compute ``_new_<x>`` from the values at the start of the step.
Methods are registered in :data:`INTEGRATORS`; all differential equations read the
values of the start of the step (simultaneous update).
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

__all__ = ["INTEGRATORS", "Plan", "plan_integration"]


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


#: a rule gets the plans of its equations, the prefix of precomputed factors, a
#: ``translate`` function that knows the loop-invariant names, and the model's assignments
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


Rule = Callable[[list[Plan], str, Callable[..., str], list[Equation]], list[str]]


def _euler(plans: list[Plan], prefix: str, tr: Callable[..., str], assignments: list[Equation]) -> list[str]:
    lines = []
    for plan in plans:
        x = plan.equation.name
        lines += [comment(plan.equation.text), f"_new_{x} = {x} + _dt * {tr(plan.equation.rhs, operand_of='*')}"]
    return lines


def _exponential(plans: list[Plan], prefix: str, tr: Callable[..., str],
                 assignments: list[Equation]) -> list[str]:
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


def _runge_kutta(weights: list[float], steps: list[float]) -> Rule:
    """Explicit Runge-Kutta rule with stage weights and stage time steps (as fractions of dt).

    At each intermediate stage, the assignments that read the integrated variables
    (``I = -v``) are evaluated again with the stage's values, so that the method keeps
    its order.
    """

    def rule(plans: list[Plan], prefix: str, tr: Callable[..., str], assignments: list[Equation]) -> list[str]:
        names = [p.equation.name for p in plans]
        lines = [comment(p.equation.text) for p in plans]
        for stage, fraction in enumerate([0.0, *steps]):
            rename = {x: f"_s{stage}_{x}" for x in names} if stage else {}
            for x in names:
                if stage:
                    lines.append(f"_s{stage}_{x} = {x} + {fraction!r} * _dt * _k{stage - 1}_{x}")
            for eq in assignments if stage else []:
                if names_in(parse(eq.rhs)) & set(rename):
                    lines.append(f"_s{stage}_{eq.name} = {tr(eq.rhs, dict(rename))}")
                    rename[eq.name] = f"_s{stage}_{eq.name}"
            for plan in plans:
                lines.append(f"_k{stage}_{plan.equation.name} = {tr(plan.equation.rhs, rename)}")
        for x in names:
            total = " + ".join(f"{w!r} * _k{s}_{x}" for s, w in enumerate(weights))
            lines.append(f"_new_{x} = {x} + _dt * ({total})")
        return lines

    return rule


#: integration method name -> rule producing the lines of one neuron's update
INTEGRATORS: dict[str, Rule] = {
    "euler": _euler,
    "exponential": _exponential,
    "midpoint": _runge_kutta([0.0, 1.0], [0.5]),
    "rk4": _runge_kutta([1 / 6, 1 / 3, 1 / 3, 1 / 6], [0.5, 0.5, 1.0]),
}
