"""The :class:`Network`: a container of populations, projections and monitors.

A network holds the description (its objects, their copies and names) and its seeds;
``compile()`` hands it to the engine (:mod:`dasksnn.engine`: builder, backend,
simulator) and ``simulate()`` runs the engine's simulator. Objects created at module
level belong to the default network of :mod:`dasksnn.network.scope`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from dasksnn.errors import NetworkError, NotCompiledError
from dasksnn.network.registry import Registry
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


class Network(Registry):
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
        super().__init__()
        self.dt = check_dt(dt if dt is not None else scope().dt)
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
        self.connectivity_seed = connect  # keys the compiled connectivity streams of projections
        self.runtime_rng = np.random.default_rng(run)

    @property
    def seed_entropy(self) -> int:
        """Entropy of the network's seed: pass it as ``seed`` to repeat a run."""
        return int(self.seed_sequence.entropy)

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
        for mon in self._synapse_monitors:
            mon.period_steps(self.dt)
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
            simulator.run(self._step, n_steps)
        finally:  # also after an error: time stands where the monitors' data ends
            self._step = simulator.reached

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

    # ------------------------------------------------------------ learning
    def enable_learning(self, projections: list | None = None, period: float | None = None,
                        offset: float | None = None) -> None:
        """Switch plasticity on for ``projections`` (default: all), without compiling again.

        Parameters
        ----------
        projections : list of Projection, optional
            The projections (or the originals they were copied from).
        period, offset : float, optional
            See :meth:`Projection.enable_learning`.
        """
        for proj in self._learning_targets(projections):
            proj.enable_learning(period, offset)

    def disable_learning(self, projections: list | None = None) -> None:
        """Switch plasticity off for ``projections`` (default: all): weights stay as they are."""
        for proj in self._learning_targets(projections):
            proj.disable_learning()

    def _learning_targets(self, projections: list | None) -> list:
        return list(self._projections) if projections is None else [self.get(p) for p in projections]

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
            for mon in (*self._monitors, *self._synapse_monitors):
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

