"""Builder: a network description -> the structure and every array its kernel takes.

One build function per kind of object, registered with :func:`register` and found
through the object's class hierarchy (as nengo's ``Builder.register``); a new kind of
object (a synapse model, a rate-coded population) adds a function, not a branch. The
result, :class:`Build`, is plain data: a :class:`~dasksnn.codegen.NetworkSpec` that
decides the kernel, and a dict of arrays named by :class:`~dasksnn.codegen.layout.Layout`.

Arrays of population variables are the populations' own (reading or setting
``pop.v`` after compiling acts on what the kernel uses); projections are bound to the
synapse arrays drawn for them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from dasksnn.codegen import MonitorSpec, NetworkSpec, PopulationSpec, ProjectionSpec, SynapseMonitorSpec
from dasksnn.codegen.layout import CONTROL_SIZE, RATE_WINDOW_SIZE, Layout, RateWindow
from dasksnn.engine.connectivity import build_synapses
from dasksnn.errors import NetworkError
from dasksnn.model.random import Distribution
from dasksnn.network import Monitor, Network, Population, Projection
from dasksnn.network.recording import steps_of
from dasksnn.network.synapse_monitor import SynapseMonitor
from dasksnn.network.synaptic import held_key

__all__ = ["Build", "register", "build", "monitor_arrays", "rate_arrays", "structure", "population_spec", "NEVER",
           "first_event"]

#: the step of the last spike of a neuron that never spiked (``t_pre``, ``t_post``: -1e9 steps)
NEVER = -10**9


def first_event(event_timing: str) -> int:
    """The step a synapse's event-driven variables count their first interval from: ANNarchy
    4.8 starts its ``_last_event`` at step -10000, so that at a first event the variables have
    relaxed from their initial values for 10000 steps more (STP's u is U, not its init);
    exact timing counts from step 0."""
    return -10000 if event_timing == "annarchy" else 0


@dataclass
class Build:
    """What the builder made of a network: its structure and its arrays.

    Attributes
    ----------
    spec : NetworkSpec
        The structure: what decides the generated kernel (its identity).
    arrays : dict of str to numpy.ndarray
        Every array the kernel takes, by :class:`~dasksnn.codegen.layout.Layout` name
        (monitors' recording buffers are added by the simulator before each call).
    initial : list of dict
        Values of every population's parameters and variables when it was built, for
        ``reset()`` and for copies that start where the network started.
    """

    spec: NetworkSpec
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    initial: list[dict[str, np.ndarray]] = field(default_factory=list)


@dataclass
class _Context:
    """What build functions share: the network and the arrays made so far."""

    network: Network
    arrays: dict[str, np.ndarray]


_T = TypeVar("_T")
_BUILDERS: dict[type, Callable[[_Context, Any, int], None]] = {}


def register(kind: type) -> Callable[[Callable[[_Context, _T, int], None]], Callable[[_Context, _T, int], None]]:
    """Register the build function of a kind of object (and of its subclasses).

    The function is called as ``function(context, obj, index)`` and adds the object's
    arrays to ``context.arrays``.
    """
    def decorator(function: Callable[[_Context, _T, int], None]) -> Callable[[_Context, _T, int], None]:
        _BUILDERS[kind] = function
        return function

    return decorator


def _builder_of(obj: Any) -> Callable[[_Context, Any, int], None]:
    for kind in type(obj).__mro__:
        if kind in _BUILDERS:
            return _BUILDERS[kind]
    raise TypeError(f"no build function for {type(obj).__name__}")  # every public kind has one


# --------------------------------------------------------------------- structure
def population_spec(pop: Population, method: str) -> PopulationSpec:
    """How the kernel sees a population: model, spike source, parameters with one value, and
    the network's integration method."""
    shared = pop.neuron.population_parameters
    values = pop.value_arrays
    uniform = frozenset(name for name in pop.neuron.parameter_names
                        if name not in shared and _uniform(values[name]))
    return PopulationSpec(pop.neuron, pop.spike_source, uniform, method, pop.firing_rate_window is not None)


def _uniform(values: np.ndarray) -> bool:
    return bool((values == values[0]).all())  # the method, not np.all: called per parameter per run


def structure(network: Network) -> NetworkSpec:
    """The structure of a network, known before anything is drawn: the kernel's identity."""
    index = {id(p): i for i, p in enumerate(network.get_populations())}
    projections = {id(j): i for i, j in enumerate(network.get_projections())}
    return NetworkSpec(
        tuple(population_spec(p, network.method) for p in network.get_populations()),
        tuple(ProjectionSpec(index[id(j.pre_population)], index[id(j.post_population)], j.target_variable,
                             j.may_delay(network.dt), j.synapse if j.plastic else None, network.event_timing,
                             network.method)
              for j in network.get_projections()),
        tuple(MonitorSpec(index[id(m.population)], m.recorded_variables, "spike" in m.variables)
              for m in network.get_monitors()),
        tuple(SynapseMonitorSpec(projections[id(m.projection)], m.variables) for m in network.get_synapse_monitors()),
    )


def build(network: Network) -> Build:
    """Draw connectivity and lay out the arrays of ``network``'s kernel (the simulator adds
    spike-source events and monitor buffers before each call).

    Synapses are drawn in compiled code from counter-based streams keyed by the network's
    connectivity seed and each projection's name: the same seed gives the same synapses.
    """
    populations = network.get_populations()
    context = _Context(network, {})
    for kind in (populations, network.get_projections()):
        for i, obj in enumerate(kind):
            _builder_of(obj)(context, obj, i)
    monitor_arrays(network, context.arrays)
    initial = [{name: values.copy() for name, values in pop.value_arrays.items()} for pop in populations]
    return Build(structure(network), context.arrays, initial)


def monitor_arrays(network: Network, arrays: dict[str, np.ndarray]) -> None:
    """Lay out the arrays of every monitor in ``arrays`` (also again, for a monitor made after
    compile: indices of synaptic monitors follow those of population monitors)."""
    context = _Context(network, arrays)
    monitors = network.get_monitors()
    for i, obj in enumerate([*monitors, *network.get_synapse_monitors()]):
        _builder_of(obj)(context, obj, i)


# --------------------------------------------------------------------- build functions
@register(Population)
def _build_population(context: _Context, pop: Population, i: int) -> None:
    arrays = context.arrays
    for name, values in pop.value_arrays.items():
        arrays[Layout.variable(i, name)] = values
    arrays[Layout.spikes(i)] = np.zeros(pop.size, np.int32)
    arrays[Layout.spike_count(i)] = np.zeros(1, np.int64)
    arrays[Layout.refractory(i)] = np.zeros(pop.size, np.int32)
    arrays[Layout.flags(i)] = np.zeros(pop.size, np.bool_)
    arrays[Layout.event_pointer(i)] = np.zeros(1, np.int64)
    arrays[Layout.last_spike(i)] = np.full(pop.size, NEVER, np.int64)
    rate_arrays(pop, i, context.network.dt, arrays)


#: initial capacity of a firing rate window, in spikes per neuron
_RATE_BUFFER_PER_NEURON = 4


def rate_arrays(pop: Population, i: int, dt: float, arrays: dict[str, np.ndarray]) -> None:
    """The ring of spikes of population ``i``'s mean firing rate window, if it computes one
    (``Population.compute_firing_rate``); a new window keeps the spikes already held."""
    window = pop.firing_rate_window
    if window is None:
        return
    steps = steps_of(window, dt, repr(pop), "compute_firing_rate() window", "a window of whole steps")
    if Layout.rate_control(i) not in arrays:
        arrays[Layout.rate_control(i)] = np.zeros(RATE_WINDOW_SIZE, np.int64)
        capacity = _RATE_BUFFER_PER_NEURON * pop.size
        arrays[Layout.rate_steps(i)] = np.zeros(capacity, np.int64)
        arrays[Layout.rate_ranks(i)] = np.zeros(capacity, np.int32)
        arrays[Layout.rate_counts(i)] = np.zeros(pop.size, np.int64)
    arrays[Layout.rate_control(i)][RateWindow.WINDOW] = steps


@register(Projection)
def _build_projection(context: _Context, proj: Projection, j: int) -> None:
    network = context.network
    rule, weights, delays, allow_self = proj.connectivity
    pre, post = proj.pre_population, proj.post_population
    try:
        synapses = build_synapses(rule, weights, delays, proj.pre_view_ranks, proj.post_view_ranks, pre.size,
                                  exclude_self=pre is post and not allow_self,
                                  key=projection_key(network.connectivity_seed, proj.name), dt=network.dt)
    except NetworkError as exc:
        raise NetworkError(f"{proj!r}: {exc}") from None
    for name in ("rowptr", "post", "w", "delay"):
        context.arrays[Layout.synapses(j, name)] = getattr(synapses, name)
    lag = context.arrays[Layout.lag(j)] = np.maximum(synapses.delay - 1, 0).astype(np.int32)
    depth = int(lag.max()) + 1 if lag.size else 1
    if not proj.plastic:
        proj.bind(synapses)
        context.arrays[Layout.delay_buffer(j)] = np.zeros((depth, post.size))
        return
    proj.bind(synapses, *plastic_arrays(context.arrays, j, proj, synapses, proj.may_delay(network.dt),
                                        network.init_rng, network.event_timing))


def plastic_arrays(arrays: dict[str, np.ndarray], j: int, proj: Projection, synapses: Any, delayed: bool,
                   rng: np.random.Generator, event_timing: str
                   ) -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, str]]:
    """The arrays of a projection with a synapse model (see :mod:`dasksnn.codegen.synapses`);
    returns its attributes by name (with the per-synapse differences of held traces, see
    :func:`~dasksnn.network.synaptic.held_key`), the synapses sorted by post neuron and the
    shared traces."""
    synapse = proj.synapse
    pre_size, post_size, n = proj.pre_population.size, proj.post_population.size, synapses.size
    shared = proj.shared_traces(delayed, event_timing)
    lag = arrays[Layout.lag(j)]
    depth = int(lag.max()) + 1 if lag.size else 1
    attributes: dict[str, np.ndarray] = {}
    for name in synapse.attribute_names:
        if name == "w":
            continue
        scope = {"pre": "pre", "post": "postsynaptic"}.get(shared.get(name, ""), synapse.scope_of(name))
        size = {"projection": 1, "postsynaptic": post_size, "pre": pre_size}.get(scope, n)
        value = proj.given_value(name)
        values = value.draw(rng, size) if isinstance(value, Distribution) else np.full(size, float(value))
        attributes[name] = arrays[Layout.synapses(j, name)] = np.ascontiguousarray(values, np.float64)
    order = np.argsort(synapses.post, kind="stable").astype(np.int64)
    postptr = np.zeros(post_size + 1, np.int64)
    np.cumsum(np.bincount(synapses.post, minlength=post_size), out=postptr[1:])
    arrays[Layout.post_order(j)], arrays[Layout.post_pointer(j)] = order, postptr
    arrays[Layout.synapse_pre(j)] = synapses.pre()
    arrays[Layout.post_order_pre(j)] = arrays[Layout.synapse_pre(j)][order]
    first = first_event(event_timing)
    arrays[Layout.neuron_last(j, "pre")] = np.full(pre_size, first, np.int64)
    arrays[Layout.neuron_last(j, "post")] = np.full(post_size, first, np.int64)
    arrays[Layout.synapse_last(j)] = np.full(n, first, np.int64)
    for name in () if delayed else synapse.held_traces(event_timing):
        attributes[held_key(name)] = arrays[Layout.held(j, name)] = np.zeros(n)
    arrays[Layout.learning(j)] = proj.learning
    arrays[Layout.spike_history(j)] = np.zeros((depth, proj.pre_population.size), np.int32)
    if delayed:  # a spike arriving after its lag visits only its synapses of that lag
        key = arrays[Layout.synapse_pre(j)].astype(np.int64) * depth + lag
        arrays[Layout.delay_order(j)] = np.argsort(key, kind="stable").astype(np.int64)
        pointer = np.zeros(pre_size * depth + 1, np.int64)
        np.cumsum(np.bincount(key, minlength=pre_size * depth), out=pointer[1:])
        arrays[Layout.delay_pointer(j)] = pointer
    arrays[Layout.spike_history_count(j)] = np.zeros(depth, np.int64)
    return attributes, order, shared


def projection_key(seed: np.random.SeedSequence, name: str) -> int:
    """The 64-bit key of a projection's connectivity stream, from the network's connectivity
    seed and the projection's name: a projection's synapses do not depend on the other
    projections, but on its name (automatic names ``proj<n>`` follow creation order)."""
    digest = hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    words = tuple(int.from_bytes(digest[k:k + 4], "little") for k in range(0, 16, 4))
    child = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, *words), pool_size=seed.pool_size)
    return int(child.generate_state(1, np.uint64)[0])


@register(Monitor)
def _build_monitor(context: _Context, mon: Monitor, m: int) -> None:
    population = mon.population
    ranks = mon.object.ranks
    context.arrays[Layout.control(m)] = np.zeros(CONTROL_SIZE, np.int64)
    mask = np.zeros(population.size, np.bool_)
    mask[ranks] = True
    context.arrays[Layout.spike_mask(m)] = mask
    context.arrays[Layout.recorded_index(m)] = ranks.astype(np.int32)


@register(SynapseMonitor)
def _build_synapse_monitor(context: _Context, mon: SynapseMonitor, m: int) -> None:
    context.arrays[Layout.control(m)] = np.zeros(CONTROL_SIZE, np.int64)
    held = mon.projection.held_traces()
    for var in mon.variables:
        context.arrays[Layout.recorded_synapses(m, var)] = mon.recorded_index(var)
        if var in held:
            context.arrays[Layout.held_at(m, var)] = mon.synapse_order()
