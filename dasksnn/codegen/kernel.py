"""Network structure -> Python source of one Numba step loop.

The source depends on the structure only (models, which population projects onto which
and with or without delays, what monitors record). Sizes, parameters, weights, delays,
rates and seeds are arguments, so changing them never generates or compiles again.

Order of one step ``k`` (time ``t = k * dt``):

1. projections with a synapse model sum their ``psp`` into their targets, and state
   monitors record the synaptic inputs ``g_<target>`` (what acts during the step);
2. every population integrates its equations from ``t`` to ``t + dt`` and tests its
   spike condition (refractory counters count down);
3. neurons that spiked run their reset statements and start their refractory period;
4. projections with a synapse model run their continuous equations, then the
   post-synaptic events of the spikes of step ``k`` (:mod:`dasksnn.codegen.synapses`), and
   monitors of synaptic variables record (before the pre-synaptic events of step ``k``,
   which ANNarchy processes at the start of step ``k + 1``);
5. spikes are delivered: the weight of a spike emitted at step ``k`` with a delay of
   ``d`` steps is added to its target at the end of step ``k + lag`` (``lag = max(d - 1,
   0)``, :meth:`~dasksnn.codegen.layout.Layout.lag`), so that it acts on the integration
   of step ``k + max(d, 1)``, as in ANNarchy (with a synapse model: its pre-synaptic
   events then);
6. state monitors record the other variables, at the end of the step (ANNarchy's
   convention: a row of step ``k`` holds them after the step's update); spike monitors
   record the spikes of step ``k`` (with time ``t``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from dasksnn.codegen import synapses
from dasksnn.codegen.integrators import INTEGRATORS, equation_blocks, plan_integration
from dasksnn.codegen.layout import STATUS_WHERE, Control, Layout, RateWindow, Status
from dasksnn.codegen.spec import MonitorSpec, NetworkSpec, PopulationSpec, ProjectionSpec, SynapseMonitorSpec
from dasksnn.codegen.synapse_equations import continuous, psp
from dasksnn.codegen.translate import comment, parse, translate
from dasksnn.model.expressions import names_in
from dasksnn.model.neuron import Neuron

__all__ = ["PopulationSpec", "ProjectionSpec", "MonitorSpec", "NetworkSpec", "KernelSource",
           "SCALAR_ARGUMENTS", "generate"]

#: arguments every kernel takes before its arrays
SCALAR_ARGUMENTS = ("_k0", "_nsteps", "_dt", "_rng", "_status")


@dataclass(frozen=True)
class KernelSource:
    """The blocks of a kernel, for a backend to compose into a module.

    The kernel is called ``kernel(_k0, _nsteps, _dt, _rng, _status, *arrays)`` and
    returns the step it stopped at; ``_status[0]`` is a :class:`~dasksnn.codegen.layout.Status`.
    Array names are those of :class:`~dasksnn.codegen.layout.Layout`.

    Attributes
    ----------
    summary : tuple of str
        One-line comments naming the populations, projections and monitors.
    arrays : tuple of str
        The array arguments, in order.
    body : str
        The statements of the kernel function, indented one level; they use ``_math``
        (:mod:`math`) and ``_np`` (:mod:`numpy`).
    """

    summary: tuple[str, ...]
    arrays: tuple[str, ...]
    body: str


class _Writer:
    """Collects indented lines and the array arguments they use."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.arrays: list[str] = []

    def array(self, name: str) -> str:
        if name not in self.arrays:
            self.arrays.append(name)
        return name

    def add(self, indent: int, *lines: str) -> None:
        self.lines.extend("    " * indent + line for line in lines)


@lru_cache(maxsize=64)  # a sweep builds the same structure again and again
def generate(spec: NetworkSpec) -> KernelSource:
    """Generate the blocks of the kernel of a network structure.

    Parameters
    ----------
    spec : NetworkSpec
        The structure.

    Returns
    -------
    KernelSource
    """
    body = _Writer()
    for index, pop in enumerate(spec.populations):
        if not pop.spike_source:
            _prologue(body, index, pop)
    for j, proj in enumerate(spec.projections):
        if proj.synapse is not None:
            synapses.prologue(body, j, proj)
    body.add(1, f"_status[0] = {Status.DONE.value}", "for _k in range(_k0, _k0 + _nsteps):")
    body.add(2, "t = _k * _dt")
    # every early return comes before any recording, so a resumed step records once
    for m, mon in enumerate(spec.monitors):
        _monitor_capacity(body, m, mon)
    for index, pop in enumerate(spec.populations):
        if pop.firing_rate:
            _rate_capacity(body, index)
    for j, proj in enumerate(spec.projections):  # recorded with the input it is part of
        if proj.synapse is not None:
            psp(body, j, proj)
    for m, mon in enumerate(spec.monitors):
        _record_variables(body, m, mon, spec.populations[mon.population], start=True)
    tracked = synapses.tracked_populations(spec.projections)
    for index, pop in enumerate(spec.populations):
        if pop.spike_source:
            _spike_source(body, index)
        else:
            _update(body, index, pop)
            _spikes(body, index, pop)
            if pop.firing_rate:
                _firing_rate(body, index)
        if index in tracked:
            synapses.last_spikes(body, index)
    # ANNarchy's order: continuous synaptic equations, post-synaptic events, recording, then the
    # pre-synaptic events of this step's spikes (ANNarchy's at the start of the next step): a
    # pre-synaptic spike cannot have caused a post-synaptic spike of the same step
    for j, proj in enumerate(spec.projections):
        if proj.synapse is not None:
            continuous(body, j, proj)
    for j, proj in enumerate(spec.projections):
        if proj.synapse is not None:
            synapses.post_synaptic(body, j, proj)
    for m, mon in enumerate(spec.synapse_monitors, start=len(spec.monitors)):
        _record_synapses(body, m, mon, spec.projections[mon.projection])
    for j, proj in enumerate(spec.projections):
        (_deliver if proj.synapse is None else synapses.pre_synaptic)(body, j, proj)
    for m, mon in enumerate(spec.monitors):
        _record_variables(body, m, mon, spec.populations[mon.population], start=False)
    for m, mon in enumerate(spec.monitors):
        if mon.spikes:
            _record_spikes(body, m, mon)
    body.add(1, "return _k0 + _nsteps")
    return KernelSource(_summary(spec), tuple(body.arrays), "\n".join(body.lines) + "\n")


def _summary(spec: NetworkSpec) -> tuple[str, ...]:
    lines = []
    for i, pop in enumerate(spec.populations):
        kind = "spike source" if pop.spike_source else f"neuron model {pop.neuron.name!r}"
        lines.append(comment(f"population p{i}: {kind}"))
    for j, proj in enumerate(spec.projections):
        lines.append(comment(f"projection j{j}: p{proj.pre} -> p{proj.post}.{proj.target_text}"
                             + (" (delayed)" if proj.delayed else "")
                             + (f", synapse {proj.synapse.name!r}" if proj.synapse is not None else "")))
    for m, mon in enumerate(spec.monitors):
        what = (["spike"] if mon.spikes else []) + list(mon.variables)
        lines.append(comment(f"monitor m{m}: p{mon.population} {', '.join(what)}"))
    for m, mon in enumerate(spec.synapse_monitors, start=len(spec.monitors)):
        lines.append(comment(f"monitor m{m}: j{mon.projection} {', '.join(mon.variables)}"))
    return tuple(lines)


def _loads(w: _Writer, index: int, pop: PopulationSpec, names: set[str], indent: int,
           shared: bool | None = None) -> None:
    """Read parameters and variables used by a block into locals.

    ``shared=True`` reads only population-wide parameters (before a neuron loop, so
    that they are not read again for each neuron), ``False`` only per-neuron values.
    """
    population_wide = pop.shared
    for name in pop.neuron.parameter_names + pop.neuron.variable_names:
        if name in names and shared in (None, name in population_wide):
            where = "0" if name in population_wide else "_i"
            w.add(indent, f"{name} = {w.array(Layout.variable(index, name))}[{where}]")


def _neuron_loop(w: _Writer, index: int, pop: PopulationSpec, names: set[str], title: str) -> None:
    """Open ``for _i in range(size)`` with population-wide values read before it."""
    w.add(2, title)
    _loads(w, index, pop, names, 2, shared=True)
    w.add(2, f"for _i in range({w.array(Layout.spikes(index))}.shape[0]):")
    _loads(w, index, pop, names, 3, shared=False)


def _expression_names(texts: list[str]) -> set[str]:
    names: set[str] = set()
    for text in texts:
        names |= names_in(parse(text))
    return names


def _prologue(w: _Writer, index: int, pop: PopulationSpec) -> None:
    """Per-call precomputation: exact decay factors of linear equations."""
    p = f"p{index}"
    hoisted = [plan for plan in plan_integration(pop.neuron, pop.shared, pop.method)
               if plan.method == "exponential" and plan.hoisted]
    for shared in (True, False):
        plans = [plan for plan in hoisted if plan.shared == shared]
        if not plans:
            continue
        indent, index_ = (1, "") if shared else (2, "[_i]")
        if not shared:
            size = f"{w.array(Layout.spikes(index))}.shape[0]"
            for plan in plans:
                x = plan.equation.name
                w.add(1, f"_{p}_decay_{x} = _np.empty({size})", f"_{p}_gain_{x} = _np.empty({size})")
            w.add(1, f"for _i in range({size}):")
        _loads(w, index, pop, _expression_names([plan.rate for plan in plans]), indent)
        for plan in plans:
            x = plan.equation.name
            w.add(indent, f"_a = {translate(plan.rate)}", "_e = _math.exp(_a * _dt)",
                  f"_{p}_decay_{x}{index_} = _e",
                  f"_{p}_gain_{x}{index_} = (_e - 1.0) / _a if _a != 0.0 else _dt")


def _has_refractory(neuron: Neuron) -> bool:
    return neuron.refractory is not None and neuron.refractory != 0.0


def _update(w: _Writer, index: int, pop: PopulationSpec) -> None:
    """Integrate every neuron of population ``index`` and test its spike condition.

    The loop has no branch that depends on the data (refractoriness is a select, a
    spike only sets a flag), so that the compiler can vectorise it; the rare work of
    spiking neurons is done by :func:`_spikes`.
    """
    p = f"p{index}"
    neuron = pop.neuron
    equations = neuron.equation_defs
    odes = [e for e in equations if e.ode]
    spike = neuron.spike_condition
    if not equations and not neuron.inputs and not spike:
        return
    plans = plan_integration(neuron, pop.shared, pop.method)

    def tr(expr: str, rename: dict[str, str] | None = None, eager: bool = False,
           operand_of: str | None = None) -> str:
        return translate(expr, rename, eager, invariant=pop.shared, operand_of=operand_of)

    refractory = _has_refractory(neuron) and spike is not None
    held = set(neuron.refractory_held) if refractory else set()

    def switch(name: str) -> str:
        # a held variable keeps its value while the neuron is refractory
        return f"{name} = _new_{name} if _ref == 0 else {name}" if name in held else f"{name} = _new_{name}"

    code: list[str] = []
    for ode, block in equation_blocks(equations):
        if ode:
            for method, rule in INTEGRATORS.items():
                group = [plan for plan in plans if plan.method == method and plan.equation in block]
                if group:
                    code += rule(group, f"_{p}", tr)
        for eq in block:
            direct = not ode and eq.name not in held and not (eq.min or eq.max)
            if not ode:
                code += [comment(eq.text), f"{'' if direct else '_new_'}{eq.name} = {tr(eq.rhs)}"]
            for bound, func in ((eq.min, "max"), (eq.max, "min")):
                if bound:
                    code.append(f"_new_{eq.name} = {func}(_new_{eq.name}, {tr(bound)})")
            if not direct:
                code.append(switch(eq.name))
    spike_names = _expression_names([spike or "0"])
    # NaN or infinity is looked for in the differential variables of the spike condition,
    # which any invalid value of the model reaches
    watched = [e.name for e in odes if e.name in spike_names] or [e.name for e in odes]
    read = _expression_names([e.rhs for e in equations] + [e.min or "0" for e in equations]
                             + [e.max or "0" for e in equations]
                             + [plan.rate for plan in plans if plan.rate]
                             + [plan.drive for plan in plans if plan.drive])
    read |= {e.name for e in odes} | spike_names | held
    if watched:
        w.add(2, "_bad = False")
    _neuron_loop(w, index, pop, read, comment(f"population {p}: update ({neuron.name})"))
    if refractory:
        w.add(3, f"_ref = {w.array(Layout.refractory(index))}[_i]")
    w.add(3, *code)
    for eq in equations:
        w.add(3, f"{w.array(Layout.variable(index, eq.name))}[_i] = {eq.name}")
    for name in neuron.inputs:
        # a synaptic input without its own equation is an instantaneous current, cleared
        # after the step; ANNarchy does not clear it while the neuron is refractory
        array = w.array(Layout.variable(index, name))
        w.add(3, f"{array}[_i] = 0.0 if _ref == 0 else {array}[_i]" if refractory else f"{array}[_i] = 0.0")
    if refractory:
        w.add(3, f"{w.array(Layout.refractory(index))}[_i] = _ref - 1 if _ref > 0 else 0")
    if spike:
        condition = f"(_ref == 0) & {tr(spike, eager=True, operand_of='&')}" if refractory else tr(spike, eager=True)
        w.add(3, comment(f"spike: {spike}"), f"{w.array(Layout.flags(index))}[_i] = {condition}")
    for x in watched:
        # written so that the loop still vectorises (x - x != 0.0 would not)
        w.add(3, f"_bad |= not (abs({x}) < _math.inf)")
    if watched:
        w.add(2, "if _bad:", f"    _status[0] = {Status.INVALID_VALUE.value}",
              f"    _status[{STATUS_WHERE}] = {index}", "    return _k")


def _spikes(w: _Writer, index: int, pop: PopulationSpec) -> None:
    """Reset the neurons whose spike flag is set, start their refractory period, list them."""
    p = f"p{index}"
    neuron = pop.neuron
    if not neuron.spike_condition:
        return
    spk, nspk, flag = (w.array(name(index)) for name in (Layout.spikes, Layout.spike_count, Layout.flags))
    reset = neuron.reset_defs
    read = {s.name for s in reset} | _expression_names([s.rhs for s in reset])
    if isinstance(neuron.refractory, str):
        read.add(neuron.refractory)
    w.add(2, "_nspk = 0", comment(f"population {p}: spikes ({neuron.name})"))
    _loads(w, index, pop, read, 2, shared=True)
    w.add(2, f"for _i in range({spk}.shape[0]):", f"    if not {flag}[_i]:", "        continue")
    _loads(w, index, pop, read, 3, shared=False)
    for statement in reset:
        w.add(3, comment(statement.text), f"{statement.name} {statement.op} {translate(statement.rhs)}")
    for name in dict.fromkeys(s.name for s in reset):
        w.add(3, f"{w.array(Layout.variable(index, name))}[_i] = {name}")
    if _has_refractory(neuron):
        period = neuron.refractory if isinstance(neuron.refractory, str) else repr(float(neuron.refractory))
        w.add(3, f"{w.array(Layout.refractory(index))}[_i] = int({period} / _dt + 0.5)")
    w.add(3, f"{spk}[_nspk] = _i", "_nspk += 1")
    w.add(2, f"{nspk}[0] = _nspk")


def _rate_capacity(w: _Writer, index: int) -> None:
    """Stop before the step when the spikes of a firing rate window might not fit."""
    control, steps = w.array(Layout.rate_control(index)), w.array(Layout.rate_steps(index))
    head, tail = (f"{control}[{c.value}]" for c in (RateWindow.HEAD, RateWindow.TAIL))
    w.add(2, comment(f"population p{index}: stop before the step if its firing rate window might overflow"),
          f"if {head} - {tail} + {w.array(Layout.spikes(index))}.shape[0] > {steps}.shape[0]:",
          f"    _status[0] = {Status.RATE_BUFFER_FULL.value}", f"    _status[{STATUS_WHERE}] = {index}",
          "    return _k")


def _firing_rate(w: _Writer, index: int) -> None:
    """ANNarchy's ``compute_firing_rate``: ``r`` of a neuron is 1000 / window times its spikes of
    the last ``window`` steps (this one included); only the neurons whose count changed are
    written."""
    control, steps, ranks, counts = (w.array(name(index)) for name in (
        Layout.rate_control, Layout.rate_steps, Layout.rate_ranks, Layout.rate_counts))
    rate, spk, nspk = (w.array(Layout.variable(index, "r")), w.array(Layout.spikes(index)),
                       w.array(Layout.spike_count(index)))
    head, tail, window = (f"{control}[{c.value}]" for c in RateWindow)
    w.add(2, comment(f"population p{index}: mean firing rate r over the window"),
          f"_factor = 1000.0 / ({window} * _dt)", f"_cap = {steps}.shape[0]",
          f"for _s in range({nspk}[0]):", f"    _i = {spk}[_s]", f"    _e = {head} % _cap",
          f"    {steps}[_e] = _k", f"    {ranks}[_e] = _i", f"    {head} += 1", f"    {counts}[_i] += 1",
          f"    {rate}[_i] = {counts}[_i] * _factor",
          f"while {tail} < {head} and {steps}[{tail} % _cap] <= _k - {window}:",
          f"    _i = {ranks}[{tail} % _cap]", f"    {tail} += 1", f"    {counts}[_i] -= 1",
          f"    {rate}[_i] = {counts}[_i] * _factor")


def _spike_source(w: _Writer, index: int) -> None:
    """Emit the spikes scheduled for this step (events sorted by step)."""
    steps, ranks, ptr = (w.array(name(index)) for name in (Layout.event_steps, Layout.event_ranks,
                                                          Layout.event_pointer))
    spk, nspk = w.array(Layout.spikes(index)), w.array(Layout.spike_count(index))
    w.add(2, comment(f"population p{index}: spike source"), "_nspk = 0", f"_e = {ptr}[0]",
          f"while _e < {steps}.shape[0] and {steps}[_e] < _k:", "    _e += 1",
          f"while _e < {steps}.shape[0] and {steps}[_e] == _k:",
          f"    {spk}[_nspk] = {ranks}[_e]", "    _nspk += 1", "    _e += 1",
          f"{ptr}[0] = _e", f"{nspk}[0] = _nspk")


def _deliver(w: _Writer, j: int, proj: ProjectionSpec) -> None:
    """Add the weights of this step's spikes to their targets (or delay buffers)."""
    pre, post = f"p{proj.pre}", f"p{proj.post}"
    spk, nspk = w.array(Layout.spikes(proj.pre)), w.array(Layout.spike_count(proj.pre))
    rowptr, targets, weights = (w.array(Layout.synapses(j, n)) for n in ("rowptr", "post", "w"))
    variables = [w.array(Layout.variable(proj.post, target)) for target in proj.targets]
    w.add(2, comment(f"projection j{j}: {pre} -> {post}.{proj.target_text}"), f"for _s in range({nspk}[0]):",
          f"    _j = {spk}[_s]", f"    for _q in range({rowptr}[_j], {rowptr}[_j + 1]):")
    if not proj.delayed:
        w.add(4, *(f"{target}[{targets}[_q]] += {weights}[_q]" for target in variables))
        return
    lags, buffer = w.array(Layout.lag(j)), w.array(Layout.delay_buffer(j))
    w.add(4, f"{buffer}[(_k + {lags}[_q]) % {buffer}.shape[0], {targets}[_q]] += {weights}[_q]")
    w.add(2, f"_row = _k % {buffer}.shape[0]", f"for _i in range({buffer}.shape[1]):",
          *(f"    {target}[_i] += {buffer}[_row, _i]" for target in variables), f"    {buffer}[_row, _i] = 0.0")


def _monitor_capacity(w: _Writer, m: int, mon: MonitorSpec) -> None:
    """Stop before the step when a spike buffer could overflow in it."""
    if mon.spikes:
        times, count = w.array(Layout.spike_steps(m)), w.array(Layout.spike_total(m))
        w.add(2, comment(f"monitor m{m}: stop before the step if the spikes of p{mon.population} might not fit"),
              f"if {count}[0] + {w.array(Layout.spikes(mon.population))}.shape[0] > {times}.shape[0]:",
              f"    _status[0] = {Status.SPIKE_BUFFER_FULL.value}", "    return _k")


def recorded_at_start(name: str) -> bool:
    """Whether a monitor records ``name`` at the start of the step: synaptic inputs ``g_<target>``,
    with what acts during the step, as ANNarchy records targets; every other variable is
    recorded at the end of the step, after the update, as ANNarchy records them."""
    return name.startswith("g_")


def _record_variables(w: _Writer, m: int, mon: MonitorSpec, pop: PopulationSpec, start: bool) -> None:
    """Record one row of the monitored variables: inputs at the start of the step (``start``),
    the others at its end, where the row is complete (:func:`recorded_at_start`)."""
    names = [var for var in mon.variables if recorded_at_start(var) == start]
    if not mon.variables or (start and not names):
        return
    ctl, index = w.array(Layout.control(m)), w.array(Layout.recorded_index(m))
    active, period, phase, rows = (f"{ctl}[{c.value}]" for c in Control)
    w.add(2, comment(f"monitor m{m}: record {', '.join(names) or 'the row'} of p{mon.population}"),
          f"if {active} != 0 and (_k - {phase}) % {period} == 0:", f"    _r = {rows}")
    if names:
        w.add(3, f"for _j in range({index}.shape[0]):")
    for var in names:
        where = "0" if var in pop.neuron.population_parameters else f"{index}[_j]"
        recorded = w.array(Layout.recorded(m, var))
        w.add(4, f"{recorded}[_r, _j] = {w.array(Layout.variable(mon.population, var))}[{where}]")
    if not start:
        w.add(3, f"{rows} = _r + 1")


def _record_synapses(w: _Writer, m: int, mon: SynapseMonitorSpec, proj: ProjectionSpec) -> None:
    """Record synaptic variables where ANNarchy does: after the step's continuous equations and
    post-synaptic events, before the pre-synaptic events that ANNarchy processes at the next
    step. One row per recorded step; a held trace adds each synapse's difference."""
    ctl = w.array(Layout.control(m))
    active, period, phase, rows = (f"{ctl}[{c.value}]" for c in Control)
    held = () if proj.delayed else proj.synapse.held_traces(proj.event_timing)
    w.add(2, comment(f"monitor m{m}: record {', '.join(mon.variables)} of j{mon.projection}"),
          f"if {active} != 0 and (_k - {phase}) % {period} == 0:", f"    _r = {rows}")
    for var in mon.variables:
        at, recorded = w.array(Layout.recorded_synapses(m, var)), w.array(Layout.recorded(m, var))
        value = f"{w.array(Layout.synapses(mon.projection, var))}[{at}[_n]]"
        if var in held:
            value += f" + {w.array(Layout.held(mon.projection, var))}[{w.array(Layout.held_at(m, var))}[_n]]"
        w.add(3, f"for _n in range({at}.shape[0]):", f"    {recorded}[_r, _n] = {value}")
    w.add(3, f"{rows} = _r + 1")


def _record_spikes(w: _Writer, m: int, mon: MonitorSpec) -> None:
    ctl, mask = w.array(Layout.control(m)), w.array(Layout.spike_mask(m))
    times, ranks, count = (w.array(name(m)) for name in (Layout.spike_steps, Layout.spike_ranks, Layout.spike_total))
    spk, nspk = w.array(Layout.spikes(mon.population)), w.array(Layout.spike_count(mon.population))
    w.add(2, comment(f"monitor m{m}: record the spikes of p{mon.population}"),
          f"if {ctl}[{Control.ACTIVE.value}] != 0:", f"    _c = {count}[0]", f"    for _s in range({nspk}[0]):",
          f"        _j = {spk}[_s]", f"        if {mask}[_j]:", f"            {times}[_c] = _k",
          f"            {ranks}[_c] = _j", "            _c += 1", f"    {count}[0] = _c")
