"""The :class:`Neuron` model description."""

from __future__ import annotations

import ast
import fnmatch
import keyword
import math
import re
from dataclasses import dataclass, field, replace

from dasksnn.errors import ModelError, did_you_mean
from dasksnn.model.equations import (
    INTEGRATION_METHODS,
    Equation,
    Parameter,
    check_equation,
    one_line,
    parameters_text,
    parse_parameters,
    split_equations,
)
from dasksnn.model.expressions import (
    FUNCTIONS,
    RANDOM_FUNCTIONS,
    RESERVED,
    linear_split,
    parse_expression,
)
from dasksnn.model.statements import Statement, parse_functions, parse_statements

__all__ = ["Neuron"]

# names the generated code uses besides the user's own
_GENERATED = {"range", "int", "float", "bool", "len", "math", "np", "njit"}
# generated kernels name their arrays p<i>_<var>, j<i>_<name>, m<i>_<name>
_KERNEL_NAME = re.compile(r"^[pjm]\d+_")
_FORBIDDEN = set(FUNCTIONS) | set(RANDOM_FUNCTIONS) | set(RESERVED) | set(keyword.kwlist) | _GENERATED


@dataclass(frozen=True)
class Neuron:
    """A neuron model written in the equation language.

    Parameters
    ----------
    parameters : str or dict
        One ``name = value`` per line, optionally flagged ``: population`` for a value
        shared by the whole population; or a dict of name to default value.
    equations : str
        One equation per line: ``dv/dt = rhs``, ``tau * dv/dt = rhs`` or ``x = rhs``
        (recomputed every step; ANNarchy's ``x += rhs`` and ``-=``, ``*=``, ``/=`` too),
        each optionally followed by flags ``: init=..., min=..., max=...`` and an
        integration method (``euler``, ``exponential``, ``midpoint``,
        ``rk4``). As in ANNarchy, equations are evaluated in the order written, each run
        of consecutive differential equations updated together from the values before it.
        A name ``g_<target>`` that no line defines is a synaptic input: projections
        with target ``<target>`` add their weights to it, and unless it has its own
        differential equation it is cleared after every step.
    spike : str, optional
        Spike condition, e.g. ``"v >= v_thresh"``. Without it the model never spikes.
    reset : str, optional
        Statements run after a spike, separated by newlines or ``;``: ``"v = c; u += d"``.
    refractory : float or str, optional
        Refractory period in ms (a number or the name of a parameter). During it no spike
        is emitted and, as in ANNarchy, every equation keeps its value except the
        conductances (differential equations of ``g_*``), which keep evolving.
    name : str, default "Neuron"
        Name used in messages and generated code.
    description : str, optional
        Free text.
    method : {"euler", "exponential", "midpoint", "rk4"}, optional
        Integration method for every differential equation without a method flag. By
        default, the network's (``setup(method=...)``): explicit Euler, as ANNarchy's
        ``explicit``, unless changed; ``auto`` there integrates exactly an equation linear
        in its variable with a time constant made of parameters only (``tau * dg/dt =
        -g``, ``tau * dv/dt = E - v + I``), every other one by explicit Euler.
    units : str or dict, optional
        Units of parameters and variables, for labelled results (no unit checking):
        ``"v/v_thresh mV, tau_* ms"`` (names joined by ``/``, ``*`` matches anything,
        then the unit) or a dict of name to unit.
    functions : str, optional
        One ``name(x, y) = expression`` per line: functions of their parameters that the
        equations, spike condition and reset may call (their calls are replaced by their
        bodies), as ANNarchy's ``functions``.

    Examples
    --------
    >>> LIF = Neuron(
    ...     parameters="tau = 10.0 : population\\nv_thresh = -50.0\\nI = 0.0",
    ...     equations="tau * dv/dt = -65.0 - v + I : init=-65.0",
    ...     spike="v >= v_thresh", reset="v = -65.0", refractory=2.0)
    >>> LIF.variable_names
    ('v',)

    Calling a model returns a copy with other parameter defaults:

    >>> LIF(tau=20.0).defaults["tau"]
    20.0
    """

    parameters: str | dict = ""
    equations: str = ""
    spike: str | None = None
    reset: str = ""
    refractory: float | str | None = None
    name: str = "Neuron"
    description: str = field(default="", compare=False)
    method: str | None = None
    units: str | dict = field(default="", compare=False)
    functions: str | None = None

    parameter_defs: tuple[Parameter, ...] = field(init=False, repr=False, compare=False)
    equation_defs: tuple[Equation, ...] = field(init=False, repr=False, compare=False)
    reset_defs: tuple[Statement, ...] = field(init=False, repr=False, compare=False)
    spike_condition: str | None = field(init=False, repr=False, compare=False)
    inputs: tuple[str, ...] = field(init=False, repr=False, compare=False)
    unit_patterns: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise ModelError(f"Neuron: name must be a string, got {type(self.name).__name__} {self.name!r:.60}")
        where = f"Neuron {self.name!r:.80}"
        for block in ("equations", "reset"):
            if not isinstance(getattr(self, block), str):
                raise ModelError(f"{where}: {block} must be text, got {type(getattr(self, block)).__name__}")
        if self.functions is not None and not isinstance(self.functions, str):
            raise ModelError(f"{where}: functions must be text, got {type(self.functions).__name__}")
        functions = parse_functions(self.functions or "", where)
        if self.spike is not None and not isinstance(self.spike, str):
            raise ModelError(f"{where}: spike must be text such as 'v > v_thresh', got "
                             f"{type(self.spike).__name__}")
        object.__setattr__(self, "unit_patterns", _parse_units(self.units, where))
        if isinstance(self.parameters, dict):
            object.__setattr__(self, "parameters", parameters_text(self.parameters, where))
        if self.method is not None and self.method not in INTEGRATION_METHODS:
            raise ModelError(f"{where}: unknown method {self.method!r} (valid: "
                             f"{', '.join(INTEGRATION_METHODS)}).{did_you_mean(self.method, INTEGRATION_METHODS)}")
        params = parse_parameters(self.parameters, where)
        raw = split_equations(self.equations, where)
        param_names = [p.name for p in params]
        var_names = [r.name for r in raw]
        self._check_unique(param_names, var_names, raw, where)
        used: set[str] = set()
        for text in [r.rhs for r in raw] + [self.spike or ""] + self._reset_rhs():
            used |= _loose_names(text)
        defined = set(param_names) | set(var_names)
        inputs = tuple(sorted(n for n in used if n.startswith("g_") and n not in defined))
        names = defined | set(inputs)
        values = {p.name: p.value for p in params}
        equations = tuple(check_equation(r, names, values, functions=functions) for r in raw)
        for eq, line in zip(equations, raw, strict=True):
            method = eq.method or (self.method if eq.ode else None)
            if method == "exponential" and linear_split(ast.parse(eq.rhs, mode="eval").body, eq.name) is None:
                raise line.source.error(f"'{eq.name}' cannot be integrated with 'exponential': the "
                                        f"equation is not linear in {eq.name} (use euler, midpoint or rk4)")
        spike = None
        if self.spike and _fragment_text(self.spike):
            # a condition may be written over several lines, as ANNarchy's examples do
            location = one_line(self.spike, f"{where} spike")
            tree = parse_expression(location.line.split("#", 1)[0][location.offset:], names, location,
                                    functions=functions)
            if not _is_condition(tree):
                raise location.error("a spike condition must be a comparison such as 'v > v_thresh' "
                                     "(or several joined with and/or)")
            spike = ast.unparse(tree)
        reset = parse_statements(self.reset, f"{where} reset", set(var_names) | set(inputs), names,
                                 functions=functions)
        if isinstance(self.refractory, str) and self.refractory not in param_names:
            try:
                object.__setattr__(self, "refractory", float(self.refractory))
            except ValueError:
                raise ModelError(
                    f"{where}: refractory={self.refractory!r} is neither a number nor a "
                    f"parameter (parameters: {', '.join(param_names)})."
                    f"{did_you_mean(self.refractory, param_names)}") from None
        if self.refractory is not None and not isinstance(self.refractory, str):
            ref = float(self.refractory)
            if not math.isfinite(ref) or ref < 0:
                raise ModelError(f"{where}: refractory must be a number of ms >= 0, got {self.refractory!r}")
            object.__setattr__(self, "refractory", ref)
        object.__setattr__(self, "parameter_defs", params)
        object.__setattr__(self, "equation_defs", equations)
        object.__setattr__(self, "reset_defs", reset)
        object.__setattr__(self, "spike_condition", spike)
        object.__setattr__(self, "inputs", inputs)

    def _reset_rhs(self) -> list[str]:
        return [s.split("=", 1)[-1] for s in self.reset.replace("\n", ";").split(";") if "=" in s]

    @staticmethod
    def _check_unique(param_names, var_names, raw, where) -> None:
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
        for name in seen:
            if name in _FORBIDDEN or name.startswith("_") or _KERNEL_NAME.match(name):
                raise ModelError(f"{where}: '{name}' cannot be used as a parameter or variable "
                                 "name (it is reserved: a function, t, dt, pi, a Python keyword, "
                                 "starts with '_', or looks like a kernel array such as 'p0_v')")

    # ------------------------------------------------------------------ queries
    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Names of the parameters, in order of definition."""
        return tuple(p.name for p in self.parameter_defs)

    @property
    def variable_names(self) -> tuple[str, ...]:
        """Names of the variables (equation left sides, then synaptic inputs, then the mean
        firing rate ``r`` of a spiking model that does not define ``r``)."""
        return tuple(e.name for e in self.equation_defs) + self.inputs + self.rate_variable

    @property
    def rate_variable(self) -> tuple[str, ...]:
        """``("r",)`` for a spiking model that does not define ``r`` itself: as in ANNarchy,
        its mean firing rate in Hz over the window of ``Population.compute_firing_rate``
        (0 until that is called); ``()`` otherwise."""
        if self.spike_condition is None or "r" in self.parameter_names \
                or any(e.name == "r" for e in self.equation_defs):
            return ()
        return ("r",)

    @property
    def defaults(self) -> dict[str, float]:
        """Default value of every parameter and initial value of every variable."""
        values = {p.name: p.value for p in self.parameter_defs}
        values.update({e.name: e.init for e in self.equation_defs})
        values.update({name: 0.0 for name in self.inputs + self.rate_variable})
        return values

    def unit_of(self, name: str) -> str | None:
        """Unit of a parameter or variable as given in ``units`` (``None`` if not given)."""
        for pattern, unit in self.unit_patterns:
            if fnmatch.fnmatchcase(name, pattern):
                return unit
        return None

    @property
    def population_parameters(self) -> frozenset[str]:
        """Parameters flagged ``: population`` (one value per population)."""
        return frozenset(p.name for p in self.parameter_defs if p.population)

    @property
    def refractory_held(self) -> tuple[str, ...]:
        """Variables that keep their value while a neuron is refractory: every equation's but
        the conductances (differential equations of ``g_*``), as in ANNarchy 4.8."""
        return tuple(e.name for e in self.equation_defs if not (e.ode and e.name.startswith("g_")))

    def __call__(self, **defaults: float) -> Neuron:
        """Return a copy of this model with other parameter defaults.

        Parameters
        ----------
        **defaults : float
            New default value of each named parameter.

        Raises
        ------
        ModelError
            If a name is not a parameter of this model.
        """
        names = self.parameter_names
        for key in defaults:
            if key not in names:
                raise ModelError(f"Neuron '{self.name}': unknown parameter '{key}' "
                                 f"(valid: {', '.join(names)}).{did_you_mean(key, names)}")
        text = "\n".join(
            f"{p.name} = {float(defaults.get(p.name, p.value))!r}"
            + (" : population" if p.population else "") for p in self.parameter_defs)
        return replace(self, parameters=text)


def _parse_units(units: str | dict, where: str) -> tuple[tuple[str, str], ...]:
    """``"v/v_thresh mV, tau_* ms"`` or ``{"v": "mV"}`` -> ((pattern, unit), ...)."""
    if isinstance(units, dict):
        return tuple((str(name), str(unit)) for name, unit in units.items())
    patterns = []
    for item in filter(None, (part.strip() for part in str(units).split(","))):
        names, _, unit = item.partition(" ")
        if not unit.strip():
            raise ModelError(f"{where}: units item {item!r} needs names and a unit, e.g. 'v/v_thresh mV'")
        patterns.extend((name, unit.strip()) for name in names.split("/") if name)
    return tuple(patterns)


def _fragment_text(block: str) -> str:
    """A block without its comments and blank space."""
    return "".join(line.split("#", 1)[0] for line in block.splitlines()).strip()


def _is_condition(node: ast.expr) -> bool:
    """Whether an expression is a comparison or a boolean combination of them."""
    if isinstance(node, ast.Compare):
        return True
    if isinstance(node, ast.BoolOp):
        return all(_is_condition(v) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _is_condition(node.operand)
    return isinstance(node, ast.Constant) and isinstance(node.value, bool)


def _loose_names(text: str) -> set[str]:
    """Names in a piece of text, without checking anything (to find synaptic inputs).

    Only ASCII identifiers: Python folds other letters into other names (NFKC), and an
    input named so would reach the generated source as an identifier.
    """
    return set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", text, re.ASCII))
