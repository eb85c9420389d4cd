"""Kernel blocks of projections with a synapse model (plasticity, short-term plasticity, psp).

A projection whose synapse is not the static one gets, in the step of
:mod:`dasksnn.codegen.kernel`:

- first, for all projections in order, continuous synaptic equations (one pass over all
  synapses, :mod:`dasksnn.codegen.synapse_equations`), as ANNarchy's ``update_synapse``;
- then, for all projections in order, the **post-synaptic pathway**: for each spike of
  the post population at step ``k``, the synapses of that neuron, found through
  ``j<j>__postptr`` and ``j<j>__order`` (synapses sorted by post neuron), never a scan of
  all synapses, bring their event-driven variables to ``t`` and run their ``post_spike``
  statements. It comes before the pre-synaptic events of the same step, as in ANNarchy:
  a pre-synaptic spike of step ``k`` acts on step ``k + 1``, so it cannot have caused a
  post-synaptic spike of step ``k`` (a pair in one step counts as post before pre);
- in place of the static delivery, the **pre-synaptic pathway**: for each spike
  that arrives at step ``k`` (emitted at ``k - d`` by a neuron with synapses of lag ``d``,
  :meth:`~dasksnn.codegen.layout.Layout.lag`), each of those synapses brings its event-driven variables
  from its last event to ``t``, then runs the ``pre_spike`` statements (``g_target +=
  ...`` adds to the post-synaptic target, which acts on the integration of step ``k +
  1``, as a static synapse's weight);
- then, for all projections in order, continuous synaptic equations: one pass over all
  synapses per step (``psp`` is summed at the start of the next step,
  :mod:`dasksnn.codegen.synapse_equations`).

Learning is switched by ``j<j>__learn`` (on, period, offset in steps) without compiling
again: when off, only what the post-synaptic input depends on is computed (``w`` is
fixed; a trace that only changes ``w`` pauses, and decays from its last event when
learning resumes), so a projection with learning off costs what a static one does.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from dasksnn.codegen.layout import Layout
from dasksnn.codegen.translate import comment, parse, translate
from dasksnn.model.expressions import linear_split, names_in
from dasksnn.model.synapse import TARGET, Synapse

if TYPE_CHECKING:
    from dasksnn.codegen.kernel import _Writer
    from dasksnn.codegen.spec import ProjectionSpec

__all__ = ["prologue", "pre_synaptic", "post_synaptic", "last_spikes", "tracked_populations"]

#: gaps (in steps) whose decay factors a kernel call keeps in its tables
DECAY_TABLE = 4096


def _rename(synapse: Synapse) -> dict[str, str]:
    """Locals of the generated code for names that are not the model's own."""
    names = {f"{owner}.{attr}": f"_{owner}_{attr}" for owner, attrs in synapse.neuron_reads().items()
             for attr in attrs}
    return {**names, "t_pre": "_t_pre", "t_post": "_t_post"}


def _tr(synapse: Synapse, text: str) -> str:
    return translate(text, _rename(synapse))


def _reads(texts: list[str]) -> set[str]:
    names: set[str] = set()
    for text in texts:
        names |= names_in(parse(text))
    return names


def tracked_populations(projections: tuple[ProjectionSpec, ...]) -> set[int]:
    """Populations whose last spike step the kernel keeps (read as ``t_pre`` / ``t_post``)."""
    tracked = set()
    for proj in projections:
        if proj.synapse is not None:
            reads = _reads(proj.synapse.expressions())
            unless_post = any(s.unless_post for s in proj.synapse.pre_defs)
            tracked |= ({proj.pre} if "t_pre" in reads else set()) \
                | ({proj.post} if "t_post" in reads or unless_post else set())
    return tracked


def last_spikes(w: _Writer, index: int) -> None:
    """Keep the step of each neuron's last spike (after the population's spikes are listed)."""
    spk, nspk = w.array(Layout.spikes(index)), w.array(Layout.spike_count(index))
    w.add(2, comment(f"population p{index}: last spike steps"), f"for _s in range({nspk}[0]):",
          f"    {w.array(Layout.last_spike(index))}[{spk}[_s]] = _k")


class _Plan:
    """What the blocks of one projection generate, with learning on or off."""

    def __init__(self, j: int, proj: ProjectionSpec) -> None:
        self.j, self.proj = j, proj
        self.annarchy = proj.event_timing == "annarchy"
        self.synapse = synapse = proj.synapse
        self.scope = {name: synapse.scope_of(name) for name in synapse.attribute_names}
        self.bounds = {e.name: (e.min, e.max) for e in synapse.equation_defs}
        # with learning off: only what the post-synaptic input depends on
        needed = _reads([s.rhs for s in synapse.pre_defs if s.name == TARGET]
                        + ([synapse.psp_expression] if synapse.psp_expression else []))
        kept: list = []
        equations: list = []  # continuous equations the input depends on (NMDA's g)
        changed = True
        while changed:
            changed = False
            for s in (*synapse.pre_defs, *synapse.post_defs, *synapse.axon_defs):
                if s not in kept and (s.name == TARGET or (s.name in needed and s.name != "w")):
                    kept.append(s)
                    needed |= _reads([s.rhs])
                    changed = True
            for e in synapse.continuous:
                if e not in equations and e.name in needed and e.name != "w":
                    equations.append(e)
                    needed |= _reads([e.rhs])
                    changed = True
        self.frozen_kept = kept
        self.frozen_names = needed
        self.frozen_continuous = [e for e in synapse.continuous if e in equations]
        # traces kept once per pre or post neuron (Synapse.shared_traces); not with delays, where the
        # synapses of one neuron see its spike at different steps
        self.shared = {} if proj.delayed else synapse.shared_traces(proj.event_timing)
        held = () if proj.delayed else synapse.held_traces(proj.event_timing)
        self.held = [e for e in synapse.event_driven if e.name in held]
        self.own = [e for e in synapse.event_driven if e.name not in self.shared]
        event_driven = {e.name for e in self.own}
        self.frozen_event_driven = bool(needed & event_driven)

    def held_for(self, learning: bool) -> list:
        """The held traces that events update: all with learning on, else those the input reads."""
        return self.held if learning else [e for e in self.held if e.name in self.frozen_names]

    # ---------------------------------------------------------------- pieces
    def array(self, w: _Writer, name: str) -> str:
        return w.array(Layout.synapses(self.j, name))

    def index(self, name: str) -> str:
        if name in self.shared:
            return "_j" if self.shared[name] == "pre" else "_i"
        return {"projection": "0", "postsynaptic": "_i"}.get(self.scope[name], "_q")

    def load_projection(self, w: _Writer, names: set[str], indent: int) -> None:
        for name in self.synapse.attribute_names:
            if name in names and self.scope[name] == "projection":
                w.add(indent, f"{name} = {self.array(w, name)}[0]")

    def load(self, w: _Writer, names: set[str], indent: int, scopes: tuple[str, ...]) -> None:
        for name in self.synapse.attribute_names:
            if name in names and self.scope[name] in scopes and name not in self.shared:
                w.add(indent, f"{name} = {self.array(w, name)}[{self.index(name)}]")

    def decay(self, w: _Writer, eq, steps: str, indent: int, variable: str | None = None,
              homogeneous: bool = False) -> None:
        """``x`` (or ``variable``) brought forward by ``steps`` steps (exact solution of its
        linear equation; without its drive when ``homogeneous``, as a difference of two solutions).

        With a rate made of projection parameters, ``exp(rate * gap)`` is looked up in a table
        of this call (:func:`prologue`), filled as gaps occur: the same value, computed once.
        """
        rate, drive = linear_split(parse(eq.rhs), eq.name)
        x = variable or eq.name
        gap = "_gap"
        w.add(indent, comment(eq.text), f"_g = {steps}", "_gap = _g * _dt")
        if self.hoisted(eq):
            table = f"_j{self.j}_decay_{eq.name}"
            w.add(indent, f"_a = _rate_{eq.name}", f"if _g < {table}.shape[0]:", f"    _e = {table}[_g]",
                  "    if _e < 0.0:", "        _e = _math.exp(_a * _gap)", f"        {table}[_g] = _e",
                  "else:", "    _e = _math.exp(_a * _gap)")
        else:
            w.add(indent, f"_a = {_tr(self.synapse, ast.unparse(rate))}", "_e = _math.exp(_a * _gap)")
        if homogeneous or (isinstance(drive, ast.Constant) and drive.value == 0):
            w.add(indent, f"{x} = {x} * _e")
        else:
            w.add(indent, f"{x} = {x} * _e + ((_e - 1.0) / _a if _a != 0.0 else {gap}) * "
                          f"{translate(drive, _rename(self.synapse), operand_of='*')}")

    def shared_reads(self, w: _Writer, names: set[str], side: str, indent: int) -> None:
        """Traces of the neurons of ``side`` read in a synapse loop: decayed to ``t``, not stored."""
        for eq in self.synapse.event_driven:
            if eq.name in names and self.shared.get(eq.name) == side:
                last = w.array(Layout.neuron_last(self.j, side))
                rank = self.index(eq.name)
                w.add(indent, f"{eq.name} = {self.array(w, eq.name)}[{rank}]")
                self.decay(w, eq, f"_k - {last}[{rank}]", indent)

    def neuron_events(self, w: _Writer, statements, side: str, indent: int) -> list:
        """The statements on the traces of the spiking neuron of ``side``, once per spike; returns
        the other statements (run per synapse)."""
        mine = [s for s in statements if self.shared.get(s.name) == side]
        if mine:
            last = w.array(Layout.neuron_last(self.j, side))
            rank = "_j" if side == "pre" else "_i"
            w.add(indent, f"_steps = _k - {last}[{rank}]", f"{last}[{rank}] = {self.stamp(side)}")
            for eq in self.synapse.event_driven:
                if self.shared.get(eq.name) == side:
                    w.add(indent, f"{eq.name} = {self.array(w, eq.name)}[{rank}]")
                    self.decay(w, eq, "_steps", indent)
            self.store(w, self.statements(w, mine, indent, side) | {n for n, s in self.shared.items() if s == side},
                       indent)
        return [s for s in statements if s not in mine]

    def load_neurons(self, w: _Writer, names: set[str], indent: int, owner: str) -> None:
        pop = self.proj.pre if owner == "pre" else self.proj.post
        rank = "_j" if owner == "pre" else "_i"
        for name in sorted(names):
            if name.startswith(f"{owner}."):
                attr = name.partition(".")[2]
                w.add(indent, f"_{owner}_{attr} = {w.array(Layout.variable(pop, attr))}[{rank}]")
        if f"t_{owner}" in names:
            w.add(indent, f"_t_{owner} = {w.array(Layout.last_spike(pop))}[{rank}] * _dt")

    def hoisted(self, eq) -> bool:
        """Whether the rate of an event-driven equation is made of projection parameters only."""
        rate = linear_split(parse(eq.rhs), eq.name)[0]
        return all(self.scope.get(n) == "projection" for n in names_in(rate))

    def rates(self, w: _Writer, indent: int, names: set[str]) -> None:
        """Rates of the event-driven equations of ``names`` computed once per step, before the loops."""
        for eq in self.synapse.event_driven:
            if self.hoisted(eq) and eq.name in names:
                rate = linear_split(parse(eq.rhs), eq.name)[0]
                w.add(indent, f"_rate_{eq.name} = {_tr(self.synapse, ast.unparse(rate))}")

    def stamp(self, side: str) -> str:
        """The step an event of ``side`` records as its synapse's last event.

        ANNarchy 4.8 processes a pre-synaptic spike of step ``k`` at step ``k + 1``: it brings
        the event-driven variables to ``k`` but records ``k + 1``, so the next update skips a
        step (``event_timing="annarchy"``); ``"exact"`` records ``k``.
        """
        return "_k + 1" if self.annarchy and side == "pre" else "_k"

    def event_driven(self, w: _Writer, indent: int, side: str) -> None:
        """Bring the synapse's own event-driven variables from its last event to step ``_k``
        (``_steps`` steps), and record this event as its last."""
        last = w.array(Layout.synapse_last(self.j))
        w.add(indent, f"_steps = _k - {last}[_q]", f"{last}[_q] = {self.stamp(side)}")
        for eq in self.own:
            self.decay(w, eq, "_steps", indent)

    def statements(self, w: _Writer, statements, indent: int, side: str) -> set[str]:
        """The statements of an event of ``side``; returns the names they assign.

        With ANNarchy's timing a pre-synaptic event happens at step ``k + 1`` (see
        :meth:`stamp`): its statements read ``t`` as ``(k + 1) * dt``, as ANNarchy's do.
        """
        renames = {**_rename(self.synapse), "t": "(t + _dt)"} if self.stamp(side) != "_k" else _rename(self.synapse)

        def tr(text: str) -> str:
            return translate(text, renames)

        targets = [w.array(Layout.variable(self.proj.post, target)) for target in self.proj.targets]
        assigned: set[str] = set()
        for s in statements:
            w.add(indent, comment(s.text))
            if s.unless_post:
                # the statement alone, one level deeper
                w.add(indent, f"if {w.array(Layout.last_spike(self.proj.post))}[_i] != _k:")
                assigned |= self.statements(w, [replace(s, unless_post=False, text="unless_post")], indent + 1, side)
                continue
            if s.name == TARGET:
                if len(targets) > 1:  # computed once, added to each target
                    w.add(indent, f"_add = {tr(s.rhs)}")
                    w.add(indent, *(f"{target}[_i] {s.op} _add" for target in targets))
                else:
                    w.add(indent, f"{targets[0]}[_i] {s.op} {tr(s.rhs)}")
                continue
            w.add(indent, f"{s.name} {s.op} {tr(s.rhs)}")
            low, high = self.bounds.get(s.name, (None, None))
            for bound, func in ((s.min, "max"), (s.max, "min"), (low, "max"), (high, "min")):
                if bound:
                    w.add(indent, f"{s.name} = {func}({s.name}, {tr(bound)})")
            assigned.add(s.name)
        return assigned

    def store(self, w: _Writer, assigned: set[str], indent: int) -> None:
        for name in self.synapse.attribute_names:
            if name in assigned:
                w.add(indent, f"{self.array(w, name)}[{self.index(name)}] = {name}")

    def event_body(self, w: _Writer, statements, learning: bool, indent: int, side: str) -> None:
        """Per synapse ``_q`` of post neuron ``_i`` (and pre neuron ``_j``): update, statements, store.

        Held traces (:meth:`Synapse.held_traces`): the neuron's trace plus the synapse's
        difference, brought to ``_k``; a pre-synaptic event then holds the synapse's value one
        step while the neuron's goes on. A post-synaptic event leaves the difference alone
        unless the synapse's last event moves (its own event-driven variables).
        """
        use_event_driven = bool(self.own) and (learning or self.frozen_event_driven)
        names = _statement_names(self, statements, learning)
        if use_event_driven:
            names |= {e.name for e in self.own} | _reads([e.rhs for e in self.own])
        held = self.held_for(learning)
        if side == "pre":
            names |= {e.name for e in held} | _reads([e.rhs for e in held])
        read_held = [e for e in held if e.name in names]
        self.load(w, names, indent, ("postsynaptic", ""))
        for owner in ("pre", "post"):
            self.shared_reads(w, names, owner, indent)
        restamp = use_event_driven or (side == "pre" and held)
        if restamp:
            self.event_driven(w, indent, side)
        elif read_held:
            w.add(indent, f"_steps = _k - {w.array(Layout.synapse_last(self.j))}[_q]")
        differences = held if restamp else read_held
        for eq in differences:
            difference = w.array(Layout.held(self.j, eq.name))
            w.add(indent, f"_held_{eq.name} = {difference}[_q]")
            self.decay(w, eq, "_steps", indent, f"_held_{eq.name}", homogeneous=True)
            if eq in read_held:
                w.add(indent, f"_neuron_{eq.name} = {eq.name}", f"{eq.name} = {eq.name} + _held_{eq.name}")
        assigned = self.statements(w, statements, indent, side)
        if use_event_driven:
            assigned |= {e.name for e in self.own}
        self.store(w, assigned - set(self.shared), indent)
        for eq in differences if restamp else ():
            difference = w.array(Layout.held(self.j, eq.name))
            if side == "pre":  # the synapse's value stays at step _k, the neuron's goes on to _k + 1
                self.decay(w, eq, "1", indent, f"_neuron_{eq.name}")
                w.add(indent, f"{difference}[_q] = {eq.name} - _neuron_{eq.name}")
            else:
                w.add(indent, f"{difference}[_q] = _held_{eq.name}")


def _statement_names(plan: _Plan, statements, learning: bool = True) -> set[str]:
    """Names a block reads: its statements', their bounds', and those of the event-driven equations."""
    names = _reads([s.rhs for s in statements] + [b for s in statements for b in (s.min, s.max) if b]
                   + [b for s in statements for b in plan.bounds.get(s.name, ()) if b])
    names |= {s.name for s in statements}
    shared = [e for e in plan.synapse.event_driven if e.name in names and e.name in plan.shared]
    if plan.own and (learning or plan.frozen_event_driven):
        names |= {e.name for e in plan.own} | _reads([e.rhs for e in plan.own])
    names |= _reads([e.rhs for e in shared])
    return names


def _open(w: _Writer, plan: _Plan, names: set[str], learning: bool, indent: int) -> None:
    """Values read once per step: projection parameters and hoisted rates."""
    plan.load_projection(w, names, indent)
    plan.rates(w, indent, names)


def prologue(w: _Writer, j: int, proj: ProjectionSpec) -> None:
    """Per call: the decay tables of event-driven equations whose rate is made of projection
    parameters (filled lazily, -1 marks a gap not seen yet)."""
    plan = _Plan(j, proj)
    for eq in proj.synapse.event_driven:
        if plan.hoisted(eq):
            w.add(1, f"_j{j}_decay_{eq.name} = _np.full({DECAY_TABLE}, -1.0)")


def pre_synaptic(w: _Writer, j: int, proj: ProjectionSpec) -> None:
    """The pre-synaptic pathway of a projection with a synapse model (replaces static delivery)."""
    plan = _Plan(j, proj)
    synapse = proj.synapse
    spk, nspk = w.array(Layout.spikes(proj.pre)), w.array(Layout.spike_count(proj.pre))
    rowptr, post = plan.array(w, "rowptr"), plan.array(w, "post")
    learn = w.array(Layout.learning(j))
    w.add(2, comment(f"projection j{j}: p{proj.pre} -> p{proj.post}.{proj.target_text} ({synapse.name}): "
                     "pre-synaptic events"))
    if synapse.axon_defs:
        w.add(2, f"if {learn}[0] != 0:")
        w.add(3, f"for _s in range({nspk}[0]):", f"    _j = {spk}[_s]",
              f"    for _q in range({rowptr}[_j], {rowptr}[_j + 1]):", f"        _i = {post}[_q]")
        names = _statement_names(plan, synapse.axon_defs)
        _open(w, plan, names, True, 5)
        plan.load_neurons(w, names, 5, "pre")
        plan.load_neurons(w, names, 5, "post")
        plan.event_body(w, synapse.axon_defs, True, 5, "pre")
    if proj.delayed:
        hist, nhist = w.array(Layout.spike_history(j)), w.array(Layout.spike_history_count(j))
        w.add(2, f"_row = _k % {hist}.shape[0]", f"{nhist}[_row] = {nspk}[0]",
              f"for _s in range({nspk}[0]):", f"    {hist}[_row, _s] = {spk}[_s]")
    for learning in (True, False):
        statements = synapse.pre_defs if learning else [s for s in synapse.pre_defs if s in plan.frozen_kept]
        w.add(2, f"if {learn}[0] != 0:" if learning else "else:")
        if not statements:
            w.add(3, "pass")
            continue
        names = _statement_names(plan, statements, learning)
        held = plan.held_for(learning)  # brought to the event and held (Plan.event_body)
        names |= {e.name for e in held} | _reads([e.rhs for e in held])
        _open(w, plan, names, learning, 3)
        if proj.delayed:
            dorder, dptr = w.array(Layout.delay_order(j)), w.array(Layout.delay_pointer(j))
            w.add(3, f"_depth = {hist}.shape[0]", "for _d in range(_depth):", "    _r = (_k - _d) % _depth",
                  f"    for _s in range({nhist}[_r]):", f"        _j = {hist}[_r, _s]")
            plan.load_neurons(w, names, 5, "pre")
            w.add(5, "_b = _j * _depth + _d", f"for _o in range({dptr}[_b], {dptr}[_b + 1]):",
                  f"    _q = {dorder}[_o]")
            indent = 6
        else:
            w.add(3, f"for _s in range({nspk}[0]):", f"    _j = {spk}[_s]")
            plan.load_neurons(w, names, 4, "pre")
            statements = plan.neuron_events(w, statements, "pre", 4)
            w.add(4, f"for _q in range({rowptr}[_j], {rowptr}[_j + 1]):")
            indent = 5
        w.add(indent, f"_i = {post}[_q]")
        plan.load_neurons(w, names, indent, "post")
        plan.event_body(w, statements, learning, indent, "pre")


def post_synaptic(w: _Writer, j: int, proj: ProjectionSpec) -> None:
    """The post-synaptic pathway: the synapses of each post neuron that spiked, in post order."""
    synapse = proj.synapse
    if not synapse.post_defs:
        return
    plan = _Plan(j, proj)
    spk, nspk = w.array(Layout.spikes(proj.post)), w.array(Layout.spike_count(proj.post))
    learn = w.array(Layout.learning(j))
    postptr, order = w.array(Layout.post_pointer(j)), w.array(Layout.post_order(j))
    w.add(2, comment(f"projection j{j}: p{proj.pre} -> p{proj.post}.{proj.target_text} ({synapse.name}): "
                     "post-synaptic events"))
    for learning in (True, False):
        statements = synapse.post_defs if learning else [s for s in synapse.post_defs if s in plan.frozen_kept]
        if not statements:
            continue
        names = _statement_names(plan, statements, learning)
        w.add(2, f"if {learn}[0] != 0:" if learning else "else:")
        _open(w, plan, names, learning, 3)
        w.add(3, f"for _s in range({nspk}[0]):", f"    _i = {spk}[_s]")
        plan.load_neurons(w, names, 4, "post")
        statements = plan.neuron_events(w, statements, "post", 4)
        w.add(4, f"for _o in range({postptr}[_i], {postptr}[_i + 1]):", f"    _q = {order}[_o]")
        rest = _statement_names(plan, statements, learning)
        if any(n.startswith("pre.") or plan.shared.get(n) == "pre" for n in rest) or "t_pre" in rest:
            w.add(5, f"_j = {w.array(Layout.post_order_pre(j))}[_o]")
            plan.load_neurons(w, rest, 5, "pre")
        plan.event_body(w, statements, learning, 5, "post")
