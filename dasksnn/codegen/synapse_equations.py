"""Kernel blocks of the continuous equations and ``psp`` of projections with a synapse model.

- ``psp``: one pass over all synapses at the start of every step, before the populations
  integrate, summed into the target(s) from the values of the start of the step (as
  ANNarchy computes it; so the first step has it, and values set between two
  ``simulate`` calls act at once);
- continuous equations: one pass over all synapses per step, after the populations and
  before the post-synaptic events (ANNarchy's ``update_synapse``; the pre-synaptic events
  of the step before are seen, see :mod:`dasksnn.codegen.synapses`), in ANNarchy's order (assignments in turn,
  each run of non-event-driven ODEs from the values before it, by its flag or the network's
  method, as neurons' equations), while learning is on and at the steps of its period.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dasksnn.codegen.integrators import INTEGRATORS, Plan, equation_blocks
from dasksnn.codegen.layout import Layout
from dasksnn.codegen.synapses import _Plan, _reads, _rename, _tr
from dasksnn.codegen.translate import comment, parse, translate
from dasksnn.errors import ModelError
from dasksnn.model.expressions import linear_split, names_in

if TYPE_CHECKING:
    from dasksnn.codegen.kernel import _Writer
    from dasksnn.codegen.spec import ProjectionSpec

__all__ = ["continuous", "psp", "integration_plans"]


def psp(w: _Writer, j: int, proj: ProjectionSpec) -> None:
    """``psp`` of every synapse summed into the target(s) of its post neuron."""
    synapse = proj.synapse
    expression = synapse.psp_expression
    if expression is None:
        return
    plan = _Plan(j, proj)
    rowptr, post = plan.array(w, "rowptr"), plan.array(w, "post")
    targets = [w.array(Layout.variable(proj.post, target)) for target in proj.targets]
    names = _reads([expression])
    w.add(2, comment(f"projection j{j}: p{proj.pre} -> p{proj.post}.{proj.target_text} ({synapse.name}): psp"))
    plan.load_projection(w, names, 2)
    w.add(2, f"for _j in range({w.array(Layout.spikes(proj.pre))}.shape[0]):")
    plan.load_neurons(w, names, 3, "pre")
    w.add(3, f"for _q in range({rowptr}[_j], {rowptr}[_j + 1]):", f"    _i = {post}[_q]")
    plan.load(w, names, 4, ("postsynaptic", ""))
    plan.load_neurons(w, names, 4, "post")
    w.add(4, comment(f"psp = {expression}"), f"_add = {_tr(synapse, expression)}",
          *(f"{t}[_i] += _add" for t in targets))


def continuous(w: _Writer, j: int, proj: ProjectionSpec) -> None:
    """Continuous synaptic equations (every step, when learning is on; those the input
    depends on also with learning off)."""
    synapse = proj.synapse
    equations = synapse.continuous
    if not equations:
        return
    plan = _Plan(j, proj)
    learn = w.array(Layout.learning(j))
    rowptr, post = plan.array(w, "rowptr"), plan.array(w, "post")
    spk = w.array(Layout.spikes(proj.pre))
    w.add(2, comment(f"projection j{j}: p{proj.pre} -> p{proj.post}.{proj.target_text} ({synapse.name}): "
                     "continuous equations"))
    post_eqs = [e for e in equations if e.scope == "postsynaptic"]
    syn_eqs = [e for e in equations if e.scope != "postsynaptic"]
    update = f"{learn}[0] != 0 and (_k - {learn}[2]) % {learn}[1] == 0"
    # with learning off, the equations the input depends on still run (every step)
    frozen = plan.frozen_continuous
    for condition, group in ((update, post_eqs), (f"{learn}[0] == 0", [e for e in post_eqs if e in frozen])):
        if not group:
            continue
        names = _reads([e.rhs for e in group] + _bounds(group)) | {e.name for e in group}
        w.add(2, f"if {condition}:")
        plan.load_projection(w, names, 3)
        w.add(3, f"for _i in range({w.array(Layout.spikes(proj.post))}.shape[0]):")
        plan.load(w, names, 4, ("postsynaptic",))
        plan.load_neurons(w, names, 4, "post")
        _integrate(w, plan, group, 4)
    if not syn_eqs:
        return
    names = _reads([e.rhs for e in syn_eqs] + _bounds(syn_eqs)) | {e.name for e in syn_eqs}
    w.add(2, f"_update = {update}")
    plan.load_projection(w, names, 2)
    w.add(2, f"for _j in range({spk}.shape[0]):")
    plan.load_neurons(w, names, 3, "pre")
    w.add(3, f"for _q in range({rowptr}[_j], {rowptr}[_j + 1]):", f"    _i = {post}[_q]")
    plan.load(w, names, 4, ("postsynaptic", ""))
    plan.load_neurons(w, names, 4, "post")
    w.add(4, "if _update:")
    _integrate(w, plan, syn_eqs, 5)
    frozen_syn = [e for e in syn_eqs if e in frozen]
    if frozen_syn:
        w.add(4, f"elif {learn}[0] == 0:")
        _integrate(w, plan, frozen_syn, 5)


def _bounds(equations) -> list[str]:
    """The ``min`` and ``max`` expressions of ``equations``."""
    return [bound for e in equations for bound in (e.min, e.max) if bound]


def integration_plans(synapse, default: str) -> list[Plan]:
    """The method of every continuous ODE of ``synapse``: its flag, else the network's
    ``default`` (``auto``: exact for an equation linear in its variable with a rate made of
    parameters and a drive that reads no variable that changes during the step, else Euler)."""
    parameters = {p.name for p in synapse.parameter_defs}
    changing = {e.name for e in synapse.equation_defs} | set(_rename(synapse))
    plans = []
    for eq in synapse.continuous:
        if not eq.ode:
            continue
        method = eq.method or default
        split = linear_split(parse(eq.rhs), eq.name)
        if method == "auto":
            exact = split is not None and names_in(split[0]) <= parameters and not names_in(split[1]) & changing
            method = "exponential" if exact else "euler"
        if method == "exponential":
            if split is None:
                raise ModelError(f"Synapse {synapse.name!r}: '{eq.name}' cannot be integrated with 'exponential': "
                                 f"the equation is not linear in {eq.name} (flag it euler, midpoint or rk4)")
            plans.append(Plan(eq, method, ast.unparse(split[0]), ast.unparse(split[1])))
        else:
            plans.append(Plan(eq, method))
    return plans


def _integrate(w: _Writer, plan: _Plan, equations, indent: int) -> None:
    """The equations in ANNarchy's order (:func:`~dasksnn.codegen.integrators.equation_blocks`):
    assignments in turn, each run of ODEs from the values before it, by the neurons'
    integration rules (:data:`~dasksnn.codegen.integrators.INTEGRATORS`); bounds after each."""
    synapse = plan.synapse
    renames = _rename(synapse)

    def tr(expr, rename=None, eager=False, operand_of=None) -> str:
        return translate(expr, {**renames, **(rename or {})}, operand_of=operand_of)

    plans = [p for p in integration_plans(synapse, plan.proj.method) if p.equation in equations]
    for ode, block in equation_blocks(equations):
        if ode:
            for method, rule in INTEGRATORS.items():
                group = [p for p in plans if p.method == method and p.equation in block]
                if group:
                    w.add(indent, *rule(group, f"_j{plan.j}", tr))
        for eq in block:
            name = f"_new_{eq.name}" if eq.ode else eq.name
            if not eq.ode:
                w.add(indent, comment(eq.text), f"{eq.name} = {tr(eq.rhs)}")
            for bound, func in ((eq.min, "max"), (eq.max, "min")):
                if bound:
                    w.add(indent, f"{name} = {func}({name}, {tr(bound)})")
            if eq.ode:
                w.add(indent, f"{eq.name} = _new_{eq.name}")
    for eq in equations:
        w.add(indent, f"{plan.array(w, eq.name)}[{plan.index(eq.name)}] = {eq.name}")
