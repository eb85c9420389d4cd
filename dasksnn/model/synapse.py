"""The :class:`Synapse` model description (ANNarchy's spiking synapses)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

from dasksnn.errors import ModelError, did_you_mean
from dasksnn.model.equations import (
    SYNAPSE_EQUATION_FLAGS,
    SYNAPSE_PARAMETER_FLAGS,
    Equation,
    Parameter,
    check_equation,
    one_line,
    parameters_text,
    parse_parameters,
    split_equations,
)
from dasksnn.model.expressions import linear_split, names_in, parse_expression
from dasksnn.model.neuron import _FORBIDDEN, _KERNEL_NAME, _fragment_text
from dasksnn.model.statements import Statement, parse_functions, parse_statements

__all__ = ["Synapse"]

#: objects whose variables a synapse reads as ``pre.v`` and ``post.v``
OBJECTS = frozenset({"pre", "post"})
#: names every synapse may read besides its own: last spike times of its neurons
SPIKE_TIMES = ("t_pre", "t_post")
#: the post-synaptic input a pre-synaptic spike adds to (``g_target += w``)
TARGET = "g_target"
# projection arrays of the kernel are named j<j>_<field>: fields no synaptic name may take
_PROJECTION_FIELDS = {"rowptr", "post", "pre", "delay", "buf"}


@dataclass(frozen=True)
class Synapse:
    """A spiking synapse model written in the equation language, as ANNarchy's.

    Parameters
    ----------
    parameters : str or dict
        One ``name = value`` per line, flagged ``: projection`` (one value for the
        projection), ``: postsynaptic`` (one per post-synaptic neuron) or unflagged
        (one per synapse); or a dict of name to default value (one per synapse).
    equations : str
        Per-synapse variables, one per line as in :class:`~dasksnn.model.Neuron`, with
        flags ``init=``, ``min=``, ``max=``, ``postsynaptic`` (one value per
        post-synaptic neuron) and ``event-driven``: such an equation must be linear with
        coefficients made of parameters (``tau * dx/dt = -x``, ``dx/dt = (1 - x)/tau``)
        and is integrated exactly at the synapse's events only. Other equations are
        integrated every step for every synapse.
    psp : str, optional
        A continuous post-synaptic input, summed over the synapses of each post neuron
        into the target every step (gap junctions: ``"w * (pre.v - post.v)"``).
    pre_spike : str, optional
        Statements run for each synapse of a pre-synaptic spike when it arrives (after
        its delay): ``g_target += w`` adds to the projection's target. Default: the
        static synapse ``g_target += w`` when neither ``psp`` nor ``pre_spike`` is given.
    post_spike : str, optional
        Statements run for each synapse of a post-synaptic neuron that spikes.
    pre_axon_spike : str, optional
        Statements run when the pre-synaptic neuron spikes (at emission, before delays).
    functions : str, optional
        One ``name(x, y) = expression`` per line: functions of their parameters that the
        other fields may call (their calls are replaced by their bodies).
    name : str, default "Synapse"
        Name used in messages and generated code.
    description : str, optional
        Free text.

    Notes
    -----
    Expressions read the synapse's parameters and variables, ``w`` (the weight, always
    defined), ``pre.<name>`` and ``post.<name>`` (variables of the pre- and
    post-synaptic neurons), ``t``, ``dt``, and ``t_pre``, ``t_post`` (last spike times
    of the two neurons, ms). Statements may end with ``: min=..., max=...``; bounds
    given on an equation also apply after every statement that assigns its variable.
    A ``pre_spike`` statement flagged ``: unless_post`` is skipped when the post-synaptic
    neuron spiked in the step the pre-synaptic spike arrives (ANNarchy's flag).
    ``clip(x, low, high)``, ``min``, ``max`` and the other functions of the language
    are available.

    Examples
    --------
    >>> STDP = Synapse(
    ...     parameters="tau_plus = 20.0 : projection\\ntau_minus = 20.0 : projection\\n"
    ...                "A_plus = 0.01 : projection\\nA_minus = 0.01 : projection\\n"
    ...                "w_max = 1.0 : projection",
    ...     equations="tau_plus * dx/dt = -x : event-driven\\ntau_minus * dy/dt = -y : event-driven",
    ...     pre_spike="g_target += w\\nx += A_plus * w_max\\nw = clip(w + y, 0.0, w_max)",
    ...     post_spike="y -= A_minus * w_max\\nw = clip(w + x, 0.0, w_max)")
    >>> STDP.variable_names
    ('x', 'y', 'w')
    """

    parameters: str | dict = ""
    equations: str = ""
    psp: str | None = None
    pre_spike: str | None = None
    post_spike: str | None = None
    pre_axon_spike: str | None = None
    functions: str | None = None
    name: str = "Synapse"
    description: str = field(default="", compare=False)

    parameter_defs: tuple[Parameter, ...] = field(init=False, repr=False, compare=False)
    equation_defs: tuple[Equation, ...] = field(init=False, repr=False, compare=False)
    pre_defs: tuple[Statement, ...] = field(init=False, repr=False, compare=False)
    post_defs: tuple[Statement, ...] = field(init=False, repr=False, compare=False)
    axon_defs: tuple[Statement, ...] = field(init=False, repr=False, compare=False)
    psp_expression: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise ModelError(f"Synapse: name must be a string, got {type(self.name).__name__} {self.name!r:.60}")
        where = f"Synapse {self.name!r:.80}"
        for block in ("equations", "psp", "pre_spike", "post_spike", "pre_axon_spike", "functions"):
            value = getattr(self, block)
            if value is not None and not isinstance(value, str):
                raise ModelError(f"{where}: {block} must be text, got {type(value).__name__}")
        functions = parse_functions(self.functions or "", where)
        if isinstance(self.parameters, dict):
            object.__setattr__(self, "parameters", parameters_text(self.parameters, where))
        params = parse_parameters(self.parameters, where, SYNAPSE_PARAMETER_FLAGS)
        raw = split_equations(self.equations, where)
        param_names = [p.name for p in params]
        var_names = [r.name for r in raw]
        self._check_names(param_names, raw, where)
        defined = set(param_names) | set(var_names)
        names = defined | {"w", *SPIKE_TIMES}
        values = {p.name: p.value for p in params}
        equations = tuple(check_equation(r, names, values, SYNAPSE_EQUATION_FLAGS, OBJECTS, functions) for r in raw)
        for eq, line in zip(equations, raw, strict=True):
            self._check_equation(eq, line, params, equations)
        writable = set(var_names) | ({"w"} if "w" not in param_names else set())
        pre_spike = self.pre_spike
        if pre_spike is None and not (self.psp and _fragment_text(self.psp)):
            pre_spike = f"{TARGET} += w"
        pre = parse_statements(pre_spike or "", f"{where} pre_spike", writable | {TARGET}, names, OBJECTS, True,
                               functions)
        post = parse_statements(self.post_spike or "", f"{where} post_spike", writable, names, OBJECTS, True,
                                functions)
        axon = parse_statements(self.pre_axon_spike or "", f"{where} pre_axon_spike", writable, names, OBJECTS,
                                True, functions)
        for block, parsed in (("post_spike", post), ("pre_axon_spike", axon)):
            for statement in parsed:
                if statement.unless_post:
                    raise ModelError(f"{where} {block}: '{statement.text}': 'unless_post' applies to pre_spike "
                                     "statements only")
        for statement in pre:
            if statement.name == TARGET and statement.op not in ("+=", "-="):
                raise ModelError(f"{where} pre_spike: '{statement.text}': the target can only be "
                                 f"incremented ('{TARGET} += ...' or '-=')")
            if statement.name == TARGET and (statement.min or statement.max):
                raise ModelError(f"{where} pre_spike: '{statement.text}': the target takes no bounds")
        psp = None
        if self.psp and _fragment_text(self.psp):
            location = one_line(self.psp, f"{where} psp")
            psp = ast.unparse(parse_expression(location.line.split("#", 1)[0][location.offset:], names,
                                               location, objects=OBJECTS, functions=functions))
        object.__setattr__(self, "parameter_defs", params)
        object.__setattr__(self, "equation_defs", equations)
        object.__setattr__(self, "pre_defs", pre)
        object.__setattr__(self, "post_defs", post)
        object.__setattr__(self, "axon_defs", axon)
        object.__setattr__(self, "psp_expression", psp)

    @staticmethod
    def _check_names(param_names: list[str], raw, where: str) -> None:
        seen: set[str] = set()
        for name in param_names:
            if name in seen:
                raise ModelError(f"{where}: parameter '{name}' is defined twice")
            seen.add(name)
        for line in raw:
            if line.name in seen:
                what = "parameter" if line.name in param_names else "variable"
                raise line.source.error(f"'{line.name}' is already defined as a {what}")
            seen.add(line.name)
        reserved = _FORBIDDEN | _PROJECTION_FIELDS | OBJECTS | {TARGET, *SPIKE_TIMES}
        for name in seen:
            if name in reserved or name.startswith("_") or _KERNEL_NAME.match(name):
                raise ModelError(f"{where}: '{name}' cannot be used as a parameter or variable name (it is "
                                 "reserved: a function, t, dt, pi, pre, post, g_target, t_pre, t_post, "
                                 "rowptr, delay, buf, a Python keyword, starts with '_', or looks like a "
                                 "kernel array such as 'j0_w')")

    @staticmethod
    def _check_equation(eq: Equation, line, params: tuple[Parameter, ...], equations: tuple[Equation, ...]) -> None:
        source = line.source
        if eq.event_driven and not eq.ode:
            raise source.error("'event-driven' applies to differential equations only")
        if eq.event_driven and eq.method:
            raise source.error("an event-driven equation is integrated exactly; it takes no method")
        if eq.scope == "postsynaptic" and eq.event_driven:
            raise source.error("an event-driven equation is per synapse; it cannot be 'postsynaptic'")
        reads = names_in(ast.parse(eq.rhs, mode="eval"))
        if eq.scope == "postsynaptic":
            per_synapse = {e.name for e in equations if e.scope != "postsynaptic"} | {"w", "t_pre"} \
                | {p.name for p in params if not p.scope} | {r for r in reads if r.startswith("pre.")}
            if reads & per_synapse:
                raise source.error(f"a 'postsynaptic' variable cannot read per-synapse values "
                                   f"({', '.join(sorted(reads & per_synapse))})")
        if not eq.event_driven:
            return
        split = linear_split(ast.parse(eq.rhs, mode="eval").body, eq.name)
        constants = {p.name for p in params}
        if split is None or not names_in(split[0]) <= constants or not names_in(split[1]) <= constants:
            raise source.error(f"an event-driven equation must be linear in '{eq.name}' with coefficients "
                               f"made of parameters only (such as 'tau * d{eq.name}/dt = -{eq.name}'), to be "
                               "integrated exactly between events; remove 'event-driven' to integrate it "
                               "every step")

    # ------------------------------------------------------------------ queries
    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Names of the parameters, in order of definition."""
        return tuple(p.name for p in self.parameter_defs)

    @property
    def variable_names(self) -> tuple[str, ...]:
        """Names of the variables: equation left sides, then ``w`` unless it is defined."""
        names = tuple(e.name for e in self.equation_defs)
        return names if "w" in names or "w" in self.parameter_names else (*names, "w")

    @property
    def attribute_names(self) -> tuple[str, ...]:
        """Every parameter and variable (``w`` included)."""
        return self.parameter_names + tuple(v for v in self.variable_names if v not in self.parameter_names)

    def scope_of(self, name: str) -> str:
        """``"projection"``, ``"postsynaptic"`` or ``""`` (per synapse) for a parameter or variable."""
        for p in self.parameter_defs:
            if p.name == name:
                return p.scope
        for e in self.equation_defs:
            if e.name == name:
                return e.scope
        return ""

    @property
    def defaults(self) -> dict[str, float]:
        """Default value of every parameter and initial value of every variable (not ``w``)."""
        values = {p.name: p.value for p in self.parameter_defs}
        values.update({e.name: e.init for e in self.equation_defs})
        return values

    @property
    def event_driven(self) -> tuple[Equation, ...]:
        """Equations integrated at events only."""
        return tuple(e for e in self.equation_defs if e.event_driven)

    @property
    def continuous(self) -> tuple[Equation, ...]:
        """Equations evaluated or integrated every step."""
        return tuple(e for e in self.equation_defs if not e.event_driven)

    @property
    def static(self) -> bool:
        """Whether this is the static synapse (``g_target += w`` on a pre-synaptic spike, nothing else)."""
        return (not self.equation_defs and not self.post_defs and not self.axon_defs and self.psp_expression
                is None and [(s.name, s.op, s.rhs, s.min, s.max) for s in self.pre_defs]
                == [(TARGET, "+=", "w", None, None)])

    def shared_traces(self, event_timing: str = "exact") -> dict[str, str]:
        """Event-driven variables equal for all synapses of one neuron: ``{name: "pre" | "post"}``.

        A variable changed only by ``pre_spike`` statements that read nothing per synapse
        (itself, projection parameters, ``pre.*``, ``t_pre``), and that no other statement of
        ``pre_spike`` reads, evolves identically in every synapse of a pre-synaptic neuron
        (without delays): the kernel keeps it once per pre neuron (``post`` likewise).
        ``x`` and ``y`` of :data:`~dasksnn.models.STDP` are such traces. With ANNarchy's event
        timing (``event_timing="annarchy"``) a pre-synaptic spike holds every event-driven
        variable of its synapse for one step, so a post-synaptic trace differs between the
        synapses of a neuron: it is kept once per neuron only when its statements add to it
        (``y -= A``), with a per-synapse difference that the held steps make
        (:meth:`held_traces`); otherwise it is kept per synapse.
        """
        projection = {p.name for p in self.parameter_defs if p.scope == "projection"}
        result: dict[str, str] = {}
        for eq in self.event_driven:
            if eq.min or eq.max or not names_in(ast.parse(eq.rhs, mode="eval")) <= projection | {eq.name}:
                continue
            for side, own, others in (("pre", self.pre_defs, self.post_defs), ("post", self.post_defs, self.pre_defs)):
                mine = [s for s in own if s.name == eq.name]
                if any(s.unless_post for s in mine):
                    continue
                allowed = projection | {eq.name, f"t_{side}"}
                reads = [names_in(ast.parse(t, mode="eval")) for s in mine for t in (s.rhs, s.min, s.max) if t]
                if (mine and not any(s.name == eq.name for s in (*others, *self.axon_defs))
                        and all(r <= allowed or all(n in allowed or n.startswith(f"{side}.") for n in r)
                                for r in reads)
                        and not any(eq.name in names_in(ast.parse(t, mode="eval")) for s in own
                                    if s.name != eq.name for t in (s.rhs, s.min, s.max) if t)):
                    result[eq.name] = side
        if event_timing == "annarchy":
            additive = {name for name, side in result.items() if side == "post" and all(
                s.op in ("+=", "-=") and not s.min and not s.max
                and name not in names_in(ast.parse(s.rhs, mode="eval"))
                for s in self.post_defs if s.name == name)}
            return {name: side for name, side in result.items() if side == "pre" or name in additive}
        return result

    def held_traces(self, event_timing: str) -> tuple[str, ...]:
        """Post-synaptic traces kept once per neuron plus a per-synapse difference (ANNarchy's
        event timing, see :meth:`shared_traces`).

        A pre-synaptic event holds its synapse's trace for one step while the neuron's goes
        on: the difference of the two solutions of one linear equation decays at the
        equation's rate, and additions on post-synaptic spikes leave it unchanged. So the
        kernel keeps the trace per neuron, exactly timed, and per synapse the difference,
        changed only at that synapse's pre-synaptic events.
        """
        if event_timing != "annarchy":
            return ()
        return tuple(name for name, side in self.shared_traces(event_timing).items() if side == "post")

    def neuron_reads(self) -> dict[str, set[str]]:
        """Variables read from the neurons: ``{"pre": {...}, "post": {...}}``."""
        result: dict[str, set[str]] = {"pre": set(), "post": set()}
        for text in self.expressions():
            for name in names_in(ast.parse(text, mode="eval")):
                owner, _, attr = name.partition(".")
                if attr:
                    result[owner].add(attr)
        return result

    def expressions(self) -> list[str]:
        """Every checked expression of the model (right sides and bounds)."""
        texts = [e.rhs for e in self.equation_defs] + [b for e in self.equation_defs for b in (e.min, e.max) if b]
        for s in (*self.pre_defs, *self.post_defs, *self.axon_defs):
            texts += [s.rhs] + [b for b in (s.min, s.max) if b]
        return texts + ([self.psp_expression] if self.psp_expression else [])

    def __call__(self, **defaults: float) -> Synapse:
        """Return a copy of this model with other parameter defaults.

        Raises
        ------
        ModelError
            If a name is not a parameter of this model.
        """
        names = self.parameter_names
        for key in defaults:
            if key not in names:
                raise ModelError(f"Synapse '{self.name}': unknown parameter '{key}' "
                                 f"(valid: {', '.join(names)}).{did_you_mean(key, names)}")
        text = "\n".join(f"{p.name} = {float(defaults.get(p.name, p.value))!r}"
                         + (f" : {p.scope}" if p.scope else "") for p in self.parameter_defs)
        return replace(self, parameters=text)
