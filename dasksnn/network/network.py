"""The :class:`Network`: a container of populations, projections and monitors.

A network holds the description (its objects, their copies and names) and its seeds;
``compile()`` hands it to the engine (:mod:`dasksnn.engine`: builder, backend,
simulator) and ``simulate()`` runs the engine's simulator. Objects created at module
level belong to the default network of :mod:`dasksnn.network.scope`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from dasksnn.errors import NetworkError, NotCompiledError, did_you_mean
from dasksnn.network.monitor import Monitor
from dasksnn.network.population import Population, PopulationView
from dasksnn.network.projection import Projection
from dasksnn.network.scope import scope

if TYPE_CHECKING:
    from dasksnn.engine.simulator import Simulator

__all__ = ["Network", "check_dt"]


def check_dt(dt: Any) -> float:
    """A time step in ms: a finite number > 0."""
    if isinstance(dt, bool) or not isinstance(dt, int | float | np.number) or not float(dt) > 0 \
            or not np.isfinite(dt):
        raise NetworkError(f"Network: dt must be a number of ms > 0, got {dt!r}")
    return float(dt)


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
        self.dt = check_dt(dt if dt is not None else scope().dt)
        self._populations: list[Population] = []
        self._projections: list[Projection] = []
        self._monitors: list[Monitor] = []
        self._copies: dict[tuple[str, str], Any] = {}
        self._named: dict[str, int] = {}  # objects named automatically so far, by kind
        self._simulator: Simulator | None = None
        self._step = 0
        self.set_seed(seed if seed is not None else scope().seed)
        if everything:
            self.add(scope().network._objects())

    def __repr__(self) -> str:
        return (f"<Network dt={self.dt} ms, {len(self._populations)} populations, "
                f"{len(self._projections)} projections, {len(self._monitors)} monitors"
                f"{', compiled' if self._simulator else ''}>")

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
        self.seed_sequence = sequence
        init, connect, run = sequence.spawn(3)
        self.init_rng = np.random.default_rng(init)
        self.connectivity_rng = np.random.default_rng(connect)
        self.runtime_rng = np.random.default_rng(run)

    @property
    def seed_entropy(self) -> int:
        """Entropy of the network's seed: pass it as ``seed`` to repeat a run."""
        return int(self.seed_sequence.entropy)

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
        if self._simulator is not None:
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
        if self is scope().network:
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
            if obj._network is not scope().network:
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

    def replica(self, seed: int | np.random.SeedSequence | None = None) -> Network:
        """A new, uncompiled network with copies of this network's objects, seeded with ``seed``.

        The copies start where this network started (its values when it was compiled).
        ``replica.get(obj)`` finds the copy of an object of this network (or of the
        original it was copied from), also after both travelled to another process.

        Parameters
        ----------
        seed : int or numpy.random.SeedSequence, optional
            Seed of the replica (default: fresh entropy).
        """
        replica = Network(dt=self.dt, seed=seed)
        replica._add_copies(self._objects())
        if self._simulator is not None:  # start where this network started, not where it is now
            for pop, initial in zip(replica._populations, self._simulator.initial, strict=True):
                pop.value_arrays.update({name: values.copy() for name, values in initial.items()})
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
        if self._simulator is not None:
            return
        if not self._populations:
            raise NetworkError(f"{self!r} has no population to compile")
        for mon in self._monitors:  # a copy's period may not fit this dt: refuse before any work
            mon._period_steps(self.dt)
        from dasksnn.engine.simulator import Simulator

        self._simulator = Simulator(self)
        self._simulator.warm_up()

    def structure(self) -> Any:
        """The structure that decides the kernel (a :class:`~dasksnn.codegen.NetworkSpec`):
        networks of equal structure share one compiled kernel."""
        from dasksnn.engine.builder import structure

        return structure(self)

    @property
    def compiled(self) -> bool:
        """Whether :meth:`compile` was called."""
        return self._simulator is not None

    @property
    def simulator(self) -> Simulator:
        """The engine's simulator of this network (after :meth:`compile`)."""
        return self._require_compiled("simulator")

    def generated_source(self) -> str:
        """Source of the generated kernel (after :meth:`compile`)."""
        return self._require_compiled("generated_source()").source

    def _require_compiled(self, what: str) -> Simulator:
        if self._simulator is None:
            raise NotCompiledError(f"{what} needs a compiled network: call compile() first")
        return self._simulator

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
        simulator = self._require_compiled("simulate()")
        if isinstance(duration, bool) or not isinstance(duration, int | float | np.number) \
                or not duration >= 0 or not np.isfinite(duration):
            raise NetworkError(f"simulate: duration must be a number of ms >= 0, got {duration!r}")
        start = time.perf_counter()
        self._advance(simulator, round(duration / self.dt))
        if measure_time:
            print(f"Simulating {duration / 1000.0} seconds of the network took "
                  f"{time.perf_counter() - start} seconds.")

    def step(self) -> None:
        """Simulate one step."""
        self._advance(self._require_compiled("step()"), 1)

    def _advance(self, simulator: Simulator, n_steps: int) -> None:
        try:
            self._step = simulator.run(self._step, n_steps)
        except Exception as exc:
            self._step = getattr(exc, "step", self._step)
            raise

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
        simulator = self._require_compiled("reset()")
        simulator.reset(populations)
        if projections:
            for proj in self._projections:
                proj.restore_weights()
        if monitors:
            for mon in self._monitors:
                mon.reset()
                mon.forget_phase()
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


def _key(obj: Any) -> tuple[str, str]:
    """Identity of an original object, shared by its copies."""
    kind = "population" if isinstance(obj, Population) else type(obj).__name__
    return kind, obj._uid
