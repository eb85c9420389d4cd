"""The :class:`Network`: objects, seeds, compilation and simulation.

Objects created at module level belong to one default network; ``compile()``,
``simulate()`` and the other module functions act on it. ``Network(...)`` objects work
on copies of the objects added to them, as in ANNarchy.
"""

from __future__ import annotations

import contextvars
import re
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from dasksnn.errors import NetworkError, NotCompiledError, SimulationError, did_you_mean
from dasksnn.network.monitor import Monitor
from dasksnn.network.population import Population, PopulationView
from dasksnn.network.projection import Projection

__all__ = ["Network", "default_network", "setup", "compile", "simulate", "step", "reset",
           "get_time", "set_time", "get_current_step", "set_current_step", "set_seed", "clear",
           "get_population", "get_projection"]

_default: Network | None = None
# seed of networks created without one while a sweep builds a run (see dasksnn.parallel.sweep)
run_seed: contextvars.ContextVar[int | None] = contextvars.ContextVar("dasksnn_run_seed", default=None)
# kernel arrays that reset() clears: refractory counters, spike lists, delay buffers
_INTERNAL_STATE = re.compile(r"^(p\d+__(ref|nspk|flag)|j\d+_buf)$")
# initial capacity of a spike monitor buffer, in spikes per recorded neuron
_SPIKE_BUFFER_PER_NEURON = 16


def _check_dt(dt: Any) -> float:
    if isinstance(dt, bool) or not isinstance(dt, int | float | np.number) or not float(dt) > 0 \
            or not np.isfinite(dt):
        raise NetworkError(f"Network: dt must be a number of ms > 0, got {dt!r}")
    return float(dt)


class _Compiled:
    """What compile() made: the structure, its kernel and the arrays passed to it."""

    def __init__(self, spec: Any, state: dict[str, np.ndarray]) -> None:
        self.state = state
        self.use(spec)

    def use(self, spec: Any) -> None:
        """Generate the kernel of ``spec`` and load it."""
        from dasksnn import __version__
        from dasksnn.codegen import generate

        kernel_source = generate(spec, __version__)
        self.spec, self.source, self.arrays = spec, kernel_source.source, kernel_source.arrays
        self.load()

    def load(self) -> None:
        """Import the kernel from the disk cache (writing the source there if missing)."""
        from dasksnn.engine import load_kernel

        self.kernel, self.path = load_kernel(self.source)

    def __getstate__(self) -> dict:
        # the compiled kernel does not travel: the receiving process loads it from its cache
        return {**self.__dict__, "kernel": None}


class Network:
    """A network: populations, projections and monitors simulated together.

    Parameters
    ----------
    dt : float, optional
        Time step in ms (default: the one set by :func:`setup`, 1.0 ms unless changed).
    seed : int or numpy.random.SeedSequence, optional
        Seed of all random draws of the network: initial values, connectivity, Poisson
        inputs and noise. ``None`` draws fresh entropy, available as
        :attr:`seed_entropy`.
    everything : bool, default False
        Add copies of all objects of the default network.

    Notes
    -----
    A network works on copies of the objects added to it; :meth:`get` returns the copy
    of an object. Random connectivity is drawn again by each network when it compiles.
    The same seed gives bit-identical spikes wherever the network runs.

    Examples
    --------
    >>> import dasksnn as ann
    >>> pop = ann.Population(10, ann.Izhikevich)
    >>> net = ann.Network(dt=0.1, seed=1)
    >>> net.add(pop)
    >>> net.get(pop).v = -70.0
    """

    def __init__(self, dt: float | None = None, seed: int | np.random.SeedSequence | None = None,
                 everything: bool = False) -> None:
        self.dt = _check_dt(dt if dt is not None else (_default.dt if _default is not None else 1.0))
        self._populations: list[Population] = []
        self._projections: list[Projection] = []
        self._monitors: list[Monitor] = []
        self._copies: dict[tuple[str, int], Any] = {}
        self._named: dict[str, int] = {}  # objects named automatically so far, by kind
        self._compiled: _Compiled | None = None
        self._step = 0
        self.set_seed(seed if seed is not None else run_seed.get())
        if everything:
            self.add(default_network()._objects())

    def __repr__(self) -> str:
        return (f"<Network dt={self.dt} ms, {len(self._populations)} populations, "
                f"{len(self._projections)} projections, {len(self._monitors)} monitors"
                f"{', compiled' if self._compiled else ''}>")

    # ------------------------------------------------------------ seeds
    def set_seed(self, seed: int | np.random.SeedSequence | None) -> None:
        """Seed every random draw of the network that comes after this call.

        Parameters
        ----------
        seed : int, numpy.random.SeedSequence or None
            ``None`` draws fresh entropy.
        """
        if isinstance(seed, np.random.SeedSequence):  # a copy: spawning below must not change the caller's
            sequence = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size)
        else:
            sequence = np.random.SeedSequence(seed)
        self.seeded = seed is not None  # given by the user, not fresh entropy
        self._seed_sequence = sequence
        init, connect, run = sequence.spawn(3)
        self._init_rng = np.random.default_rng(init)
        self._connect_rng = np.random.default_rng(connect)
        self._rng = np.random.default_rng(run)

    @property
    def seed_entropy(self) -> int:
        """Entropy of the network's seed: pass it as ``seed`` to repeat a run."""
        return int(self._seed_sequence.entropy)

    # ------------------------------------------------------------ objects
    def _objects(self) -> list[Any]:
        return [*self._populations, *self._projections, *self._monitors]

    def _auto_name(self, kind: str) -> str:
        """``pop0``, ``pop1``, ...: numbered per network, so the same script names objects alike
        in every process."""
        used = {obj.name for obj in self._objects()}
        while True:
            number = self._named.get(kind, 0)
            self._named[kind] = number + 1
            if f"{kind}{number}" not in used:
                return f"{kind}{number}"

    def _register(self, obj: Population | Projection | Monitor) -> None:
        """Record an object created while this network is the default one."""
        self._check_open(obj)
        self._check_name(obj)
        self._list_of(obj).append(obj)

    def _list_of(self, obj: Any) -> list:
        if isinstance(obj, Population):
            return self._populations
        if isinstance(obj, Projection):
            return self._projections
        return self._monitors

    def _check_open(self, obj: Any) -> None:
        if self._compiled is not None:
            raise NetworkError(f"{obj!r} cannot be added: {self!r} is already compiled; create "
                               "objects before compile(), or use a new Network")

    def _check_name(self, obj: Any) -> None:
        if isinstance(obj, Monitor):
            return
        for other in self._list_of(obj):
            if other.name == obj.name:
                raise NetworkError(f"{obj!r}: the name '{obj.name}' is already used in this network; "
                                   "give each object a unique name")

    def add(self, objects: Any) -> None:
        """Add copies of objects (a population, projection, monitor or a list of them).

        Populations are copied first, then projections, then monitors, so the order of
        a list does not matter; the populations of a projection or monitor must be
        added in the same call or before.

        Raises
        ------
        NetworkError
            For a view, an object added twice, an object that is itself a copy owned by
            another network, or a projection whose populations are not in the network.
        """
        items = list(objects) if isinstance(objects, Iterable) and not isinstance(objects, str) \
            else [objects]
        if self is _default:
            raise NetworkError("objects created at module level already belong to the default "
                               "network; add them to a Network(...) of your own instead")
        kinds = (Population, Projection, Monitor)
        for obj in items:
            if isinstance(obj, PopulationView):
                raise NetworkError(f"{obj!r}: add the population itself, not a view of it")
            if not isinstance(obj, kinds):
                raise NetworkError(f"Network.add: cannot add {obj!r} (expected Population, "
                                   "Projection or Monitor objects)")
            if obj._network is self:
                raise NetworkError(f"{obj!r} is already a copy in this network")
            if obj._network is not _default:
                raise NetworkError(f"{obj!r} is a copy owned by another Network; add the original "
                                   "object (the one created at module level) instead")
            if _key(obj) in self._copies:
                raise NetworkError(f"{obj!r} was already added to this network")
        self._add_copies(items)

    def _add_copies(self, items: list[Any]) -> None:
        """Copy objects into this network, populations first (their views are remapped)."""
        for kind in (Population, Projection, Monitor):
            for obj in (o for o in items if isinstance(o, kind)):
                self._check_open(obj)
                copy = self._copy(obj)
                self._check_name(copy)
                self._list_of(copy).append(copy)
                self._copies[_key(obj)] = copy

    def _replica(self, seed: int | np.random.SeedSequence | None) -> Network:
        """A new, uncompiled network with copies of this network's objects, seeded with ``seed``.

        ``replica.get(obj)`` finds the copy of an object of this network (or of the
        original it was copied from), also after both travelled to another process.
        """
        replica = Network(dt=self.dt, seed=seed)
        replica._add_copies(self._objects())
        if self._compiled is not None:  # start where this network started, not where it is now
            for pop, initial in zip(replica._populations, self._initial, strict=True):
                pop._values = {name: values.copy() for name, values in initial.items()}
        return replica

    def _copy(self, obj: Any) -> Any:
        if isinstance(obj, Population):
            return obj._copy(self)
        if isinstance(obj, Projection):
            return obj._copy(self, self._view_copy(obj._pre, obj, "pre-synaptic"),
                             self._view_copy(obj._post, obj, "post-synaptic"))
        return obj._copy(self, self._view_copy(obj._obj, obj, "recorded"))

    def _view_copy(self, view: PopulationView | Population, owner: Any, role: str):
        population = view._population
        copy = self._copies.get(_key(population))
        if copy is None:
            raise NetworkError(f"{owner!r}: its {role} population '{population.name}' is not in this "
                               "network; add it in the same call or before")
        if isinstance(view, Population):
            return copy
        return PopulationView(copy, view._ranks)

    def get(self, obj: Any) -> Any:
        """Return this network's copy of ``obj`` (a population, view, projection or monitor).

        Raises
        ------
        NetworkError
            If ``obj`` was not added to this network.
        """
        owner = obj._population if isinstance(obj, PopulationView) else obj
        if getattr(owner, "_network", None) is self:
            return obj
        if isinstance(obj, PopulationView):
            return PopulationView(self.get(obj._population), obj._ranks)
        copy = self._copies.get(_key(obj)) if isinstance(obj, Population | Projection | Monitor) else None
        if copy is None:
            copy = self._same_name(obj)
        if copy is None:
            raise NetworkError(f"{obj!r} is not in this network: add it with net.add() first")
        return copy

    def _same_name(self, obj: Any) -> Any:
        """The copy of a module-level object made again by another process.

        A worker that imports the user's module (a method pickled by reference) creates
        that module's objects anew, with new identities; they are found by kind and
        name, which a script gives alike in every process.
        """
        if not isinstance(obj, Population | Projection | Monitor):
            return None
        matches = [c for c in self._list_of(obj) if c.name == obj.name and type(c) is type(obj)]
        if len(matches) != 1 or (isinstance(obj, Population) and matches[0].size != obj.size):
            return None
        return matches[0]

    def get_population(self, name: str) -> Population:
        """Return the population called ``name``."""
        return self._by_name(self._populations, name, "population")

    def get_projection(self, name: str) -> Projection:
        """Return the projection called ``name``."""
        return self._by_name(self._projections, name, "projection")

    def get_populations(self) -> list[Population]:
        """All populations of the network."""
        return list(self._populations)

    def get_projections(self) -> list[Projection]:
        """All projections of the network."""
        return list(self._projections)

    def get_monitors(self) -> list[Monitor]:
        """All monitors of the network."""
        return list(self._monitors)

    @staticmethod
    def _by_name(objects: list, name: str, kind: str) -> Any:
        for obj in objects:
            if obj.name == name:
                return obj
        names = [o.name for o in objects]
        raise NetworkError(f"Network: no {kind} named '{name}' (names: {', '.join(names) or 'none'})."
                           f"{did_you_mean(name, names)}")

    # ------------------------------------------------------------ compile
    def compile(self) -> None:
        """Draw connectivity, generate the kernel and compile it (or load it from cache).

        Compiling again a network that is compiled does nothing.
        """
        if self._compiled is not None:
            return
        if not self._populations:
            raise NetworkError(f"{self!r} has no population to compile")
        for mon in self._monitors:  # a copy's period may not fit this dt: refuse before any work
            mon._period_steps(self.dt)
        for proj in self._projections:
            proj._build(self._connect_rng, self.dt)
        compiled = _Compiled(self._spec(), self._state())
        self._compiled = compiled
        self._initial = [{k: v.copy() for k, v in p._values.items()} for p in self._populations]
        if compiled.kernel.signatures:  # already compiled in this process
            self._run(0)
            return
        from dasksnn.engine import lock

        with lock(compiled.path):  # one process compiles; the others then read Numba's cache
            self._run(0)

    def _spec(self):
        from dasksnn.codegen import MonitorSpec, NetworkSpec, PopulationSpec, ProjectionSpec

        index = {id(p): i for i, p in enumerate(self._populations)}
        return NetworkSpec(
            tuple(PopulationSpec(p.neuron, p.spike_source, _uniform_parameters(p)) for p in self._populations),
            tuple(ProjectionSpec(index[id(j._pre.population)], index[id(j._post.population)],
                                 j.target_variable, j.delayed) for j in self._projections),
            tuple(MonitorSpec(index[id(m._obj._population)], m.recorded_variables, "spike" in m.variables)
                  for m in self._monitors),
        )

    def _structure(self) -> tuple:
        """What decides the kernel, known before compiling: equal structures share a kernel
        (but for delays drawn from a distribution, which decide after drawing)."""
        index = {id(p): i for i, p in enumerate(self._populations)}
        return (self.dt,
                tuple((p.neuron, p.spike_source, _uniform_parameters(p)) for p in self._populations),
                tuple((index[id(j._pre.population)], index[id(j._post.population)], j.target_variable,
                       repr(j._delays)) for j in self._projections),
                tuple((index[id(m._obj._population)], m.variables) for m in self._monitors))

    def _state(self) -> dict[str, np.ndarray]:
        state: dict[str, np.ndarray] = {}
        for i, pop in enumerate(self._populations):
            for name, values in pop._values.items():
                state[f"p{i}_{name}"] = values
            state[f"p{i}__spk"] = np.zeros(pop.size, np.int32)
            state[f"p{i}__nspk"] = np.zeros(1, np.int64)
            state[f"p{i}__ref"] = np.zeros(pop.size, np.int32)
            state[f"p{i}__flag"] = np.zeros(pop.size, np.bool_)
            state[f"p{i}__ptr"] = np.zeros(1, np.int64)
        for j, proj in enumerate(self._projections):
            built = proj._built
            for name in ("rowptr", "post", "w", "delay"):
                state[f"j{j}_{name}"] = built[name]
            depth = int(built["delay"].max()) + 1 if built["delay"].size else 1
            state[f"j{j}_buf"] = np.zeros((depth, proj._post.population.size))
        for m, mon in enumerate(self._monitors):
            state[f"m{m}__ctl"] = np.zeros(4, np.int64)
            mask = np.zeros(mon._obj._population.size, np.bool_)
            mask[mon._obj._ranks] = True
            state[f"m{m}__mask"] = mask
            state[f"m{m}__idx"] = mon._obj._ranks.astype(np.int32)
        return state

    @property
    def compiled(self) -> bool:
        """Whether :meth:`compile` was called."""
        return self._compiled is not None

    def generated_source(self) -> str:
        """Source of the generated kernel (after :meth:`compile`)."""
        return self._require_compiled("generated_source()").source

    def _require_compiled(self, what: str) -> _Compiled:
        if self._compiled is None:
            raise NotCompiledError(f"{what} needs a compiled network: call compile() first")
        return self._compiled

    # ------------------------------------------------------------ simulate
    def simulate(self, duration: float, measure_time: bool = False) -> None:
        """Simulate for ``duration`` ms (rounded to a whole number of steps).

        Parameters
        ----------
        duration : float
            Biological time in ms.
        measure_time : bool, default False
            Print the wall-clock time the simulation took.

        Raises
        ------
        NotCompiledError
            Before :meth:`compile`.
        SimulationError
            If a variable becomes NaN or infinite; what was recorded until then is kept.
        """
        self._require_compiled("simulate()")
        if isinstance(duration, bool) or not isinstance(duration, int | float | np.number) \
                or not duration >= 0 or not np.isfinite(duration):
            raise NetworkError(f"simulate: duration must be a number of ms >= 0, got {duration!r}")
        start = time.perf_counter()
        self._run(round(duration / self.dt))
        if measure_time:
            print(f"Simulating {duration / 1000.0} seconds of the network took "
                  f"{time.perf_counter() - start} seconds.")

    def step(self) -> None:
        """Simulate one step."""
        self._require_compiled("step()")
        self._run(1)

    def _check_uniform(self) -> None:
        """Regenerate the kernel if a parameter it reads once per population now varies.

        Parameters with one value for all neurons are read once per step (faster);
        giving one of them different values per neuron needs another kernel, which is
        generated and compiled once (then taken from the disk cache).
        """
        compiled = self._compiled
        if all(_uniform(pop._values[name]) for spec, pop in zip(compiled.spec.populations, self._populations,
                                                                strict=True) for name in spec.uniform):
            return
        compiled.use(self._spec())

    def _run(self, n_steps: int) -> None:
        compiled = self._compiled
        self._check_uniform()
        if compiled.kernel is None:
            compiled.load()
        state = compiled.state
        for i, pop in enumerate(self._populations):
            if pop.spike_source:
                steps, ranks = pop._events(self.dt)
                state[f"p{i}__evstep"], state[f"p{i}__evrank"] = steps, ranks
                state[f"p{i}__ptr"][0] = np.searchsorted(steps, self._step)
        status = np.zeros(2, np.int64)
        step, end = self._step, self._step + n_steps
        while True:
            buffers = [self._monitor_buffers(m, mon, step, end) for m, mon in enumerate(self._monitors)]
            args = [state[name] for name in compiled.arrays]
            stop = compiled.kernel(step, end - step, self.dt, self._rng, status, *args)
            for m, mon in enumerate(self._monitors):
                self._collect(m, mon, step, stop, buffers[m])
            step = self._step = int(stop)
            if status[0] == 2:
                pop = self._populations[status[1]]
                raise SimulationError(
                    f"{pop!r} ({pop.neuron.name}): a variable became NaN or infinite at step {step} "
                    f"(t = {step * self.dt} ms); data recorded until then is kept. Check the "
                    "parameters, or use a smaller dt or another integration method.",
                    pop.name, step)
            if step >= end:
                return

    def _monitor_buffers(self, m: int, mon: Monitor, step: int, end: int) -> int:
        """Put monitor m's buffers for steps [step, end) into the kernel state."""
        state = self._compiled.state
        ctl = state[f"m{m}__ctl"]
        period = 1 if mon.period is None else round(mon.period / self.dt)
        if mon.period is not None and (period < 1 or abs(period * self.dt - mon.period) > 1e-6 * self.dt):
            raise NetworkError(f"{mon!r}: period {mon.period} ms is not a multiple of dt = {self.dt} ms")
        if mon._active and mon._phase is None:
            mon._phase = step
        phase = step if mon._phase is None else mon._phase
        ctl[:] = (int(mon._active), period, phase, 0)
        if mon._active:
            first = step + (-(step - phase)) % period
            rows = max(0, -(-(end - first) // period))
        else:
            rows = 0
        for var in mon.recorded_variables:
            state[f"m{m}_{var}"] = np.empty((rows, mon._obj.size))
        if "spike" in mon.variables:
            capacity = getattr(mon, "_capacity", _SPIKE_BUFFER_PER_NEURON * mon._obj._population.size)
            mon._capacity = capacity
            state[f"m{m}__t"] = np.empty(capacity, np.int64)
            state[f"m{m}__i"] = np.empty(capacity, np.int32)
            state[f"m{m}__n"] = np.zeros(1, np.int64)
        return period

    def _collect(self, m: int, mon: Monitor, step: int, stop: int, period: int) -> None:
        state = self._compiled.state
        rows = int(state[f"m{m}__ctl"][3])
        if rows:
            for var in mon.recorded_variables:
                mon._value_chunks[var].append(state[f"m{m}_{var}"][:rows])
            first = step + (-(step - mon._phase)) % period
            mon._time_chunks.append(first + period * np.arange(rows))
        if "spike" in mon.variables:
            count = int(state[f"m{m}__n"][0])
            if count:
                mon._spike_chunks.append((state[f"m{m}__t"][:count].copy(),
                                          state[f"m{m}__i"][:count].copy()))
            if count + mon._obj._population.size > mon._capacity:
                mon._capacity *= 2  # the kernel stopped early to make room
        if mon._active and stop > step:
            span = mon._span
            span.start = step if span.start is None else span.start
            span.stop, span.steps = stop, span.steps + stop - step

    def results(self, rate_bin: float | None = None) -> Any:
        """Everything the monitors recorded, as one labelled :class:`xarray.Dataset`.

        The monitors keep their data. Variables are those of
        :meth:`Monitor.to_xarray`; attrs give ``dt`` and ``duration`` (ms), the
        ``seed`` entropy (pass it as ``seed`` to repeat the run), a ``model``
        description and the versions of dasksnn, NumPy, Numba, xarray and Python.

        Parameters
        ----------
        rate_bin : float, optional
            Width in ms of the bins of population rates (default ``dt``).

        Examples
        --------
        >>> import dasksnn as ann
        >>> net = ann.Network(dt=0.1, seed=1)
        >>> pop = ann.Population(20, ann.IF_curr_exp(i_offset=1.0), name="pop")
        >>> net.add([pop, ann.Monitor(pop, "spike")])
        >>> net.compile(); net.simulate(100.0)
        >>> float(net.results().pop_mean_rate) > 0
        True
        """
        from dasksnn.results import network_dataset

        return network_dataset(self, rate_bin)

    # ------------------------------------------------------------ time and reset
    def reset(self, populations: bool = True, projections: bool = False, monitors: bool = True) -> None:
        """Go back to time 0 and to the values the network had when it was compiled.

        Parameters
        ----------
        populations : bool, default True
            Restore parameters and variables of all populations.
        projections : bool, default False
            Restore the weights.
        monitors : bool, default True
            Discard recorded data.
        """
        compiled = self._require_compiled("reset()")
        if populations:
            for pop, initial in zip(self._populations, self._initial, strict=True):
                for name, values in initial.items():
                    pop._values[name][:] = values
        if projections:
            for proj in self._projections:
                proj._built["w"][:] = proj._initial_w
        for name, array in compiled.state.items():
            if _INTERNAL_STATE.match(name):
                array[...] = 0
        if monitors:
            for mon in self._monitors:
                mon.reset()
                mon._phase = None
        self._step = 0

    def get_time(self) -> float:
        """Current time in ms."""
        return self._step * self.dt

    def set_time(self, t: float) -> None:
        """Set the current time in ms (rounded to a step)."""
        self.set_current_step(round(t / self.dt))

    def get_current_step(self) -> int:
        """Current step."""
        return self._step

    def set_current_step(self, step: int) -> None:
        """Set the current step."""
        if step < 0:
            raise NetworkError(f"Network: the current step must be >= 0, got {step}")
        self._step = int(step)


def _uniform(values: np.ndarray) -> bool:
    return bool(np.all(values == values[0]))


def _uniform_parameters(pop: Population) -> frozenset[str]:
    """Per-neuron parameters of ``pop`` whose values are all equal."""
    shared = pop.neuron.population_parameters
    return frozenset(name for name in pop.neuron.parameter_names
                     if name not in shared and _uniform(pop._values[name]))


def _key(obj: Any) -> tuple[str, str]:
    """Identity of an original object, shared by its copies."""
    kind = "population" if isinstance(obj, Population) else type(obj).__name__
    return kind, obj._uid


def default_network() -> Network:
    """The network that module-level objects and functions belong to."""
    global _default
    if _default is None:
        _default = Network()
    return _default


def setup(dt: float | None = None, seed: int | None = None) -> None:
    """Set the time step and seed of the default network (and the default ``dt`` of new
    networks), as ANNarchy's ``setup``.

    Parameters
    ----------
    dt : float, optional
        Time step in ms (ANNarchy's default is 1.0).
    seed : int, optional
        Seed of the default network.
    """
    net = default_network()
    if dt is not None:
        if net._compiled is not None:
            raise NetworkError("setup(dt=...): the default network is already compiled; call "
                               "clear() first")
        net.dt = _check_dt(dt)
    if seed is not None:
        net.set_seed(seed)


def clear() -> None:
    """Forget every object of the default network (its dt is kept)."""
    global _default
    dt = default_network().dt
    _default = None
    _default = Network(dt=dt)


def compile() -> None:
    """Compile the default network (see :meth:`Network.compile`)."""
    default_network().compile()


def simulate(duration: float, measure_time: bool = False) -> None:
    """Simulate the default network (see :meth:`Network.simulate`)."""
    default_network().simulate(duration, measure_time)


def step() -> None:
    """Simulate the default network for one step."""
    default_network().step()


def reset(populations: bool = True, projections: bool = False, monitors: bool = True) -> None:
    """Reset the default network (see :meth:`Network.reset`)."""
    default_network().reset(populations, projections, monitors)


def get_time() -> float:
    """Current time of the default network in ms."""
    return default_network().get_time()


def set_time(t: float) -> None:
    """Set the current time of the default network in ms."""
    default_network().set_time(t)


def get_current_step() -> int:
    """Current step of the default network."""
    return default_network().get_current_step()


def set_current_step(step: int) -> None:
    """Set the current step of the default network."""
    default_network().set_current_step(step)


def set_seed(seed: int | None) -> None:
    """Seed the default network (see :meth:`Network.set_seed`)."""
    default_network().set_seed(seed)


def get_population(name: str) -> Population:
    """Population of the default network called ``name``."""
    return default_network().get_population(name)


def get_projection(name: str) -> Projection:
    """Projection of the default network called ``name``."""
    return default_network().get_projection(name)
