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

from dasksnn.errors import NetworkError, NotCompiledError, did_you_mean
from dasksnn.model.equations import INTEGRATION_METHODS, METHOD_ALIASES
from dasksnn.network.registry import Registry
from dasksnn.network.scope import scope

if TYPE_CHECKING:
    from dasksnn.engine.simulator import Simulator

__all__ = ["Network", "check_dt", "check_method", "check_event_timing", "check_build_options", "NETWORK_METHODS",
           "EVENT_TIMINGS", "BUILD_OPTIONS"]

#: default integration methods a network takes: a method, or ``auto`` (exact where possible)
NETWORK_METHODS = (*INTEGRATION_METHODS, "auto")
#: when a pre-synaptic spike acts on the event-driven variables of its synapses
EVENT_TIMINGS = ("annarchy", "exact")
#: ANNarchy's ``compile()`` options about its C++ build: accepted, and without effect here
BUILD_OPTIONS = ("directory", "clean", "compiler", "compiler_flags", "add_sources", "extra_libs", "cuda_config",
                 "annarchy_json", "silent", "debug_build", "profile_enabled", "net_id")


def check_dt(dt: Any) -> float:
    """A time step in ms: a finite number > 0."""
    if isinstance(dt, bool) or not isinstance(dt, int | float | np.number) or not float(dt) > 0 \
            or not np.isfinite(dt):
        raise NetworkError(f"Network: dt must be a number of ms > 0, got {dt!r}")
    return float(dt)


def check_build_options(options: dict[str, Any], where: str) -> None:
    """Refuse what ANNarchy's ``compile()`` takes and dasksnn cannot honour, and unknown names."""
    for name in ("populations", "projections"):
        if options.get(name) is not None:
            raise NetworkError(f"{where}: {name}= (compiling part of a network) is not supported; make a "
                               "Network of the objects to compile")
    unknown = [name for name in options if name not in (*BUILD_OPTIONS, "populations", "projections")]
    if unknown:
        raise NetworkError(f"{where}: unknown option {unknown[0]!r} (ANNarchy's build options are accepted: "
                           f"{', '.join(BUILD_OPTIONS)}).{did_you_mean(unknown[0], BUILD_OPTIONS)}")


def _choice(value: Any, valid: tuple[str, ...], what: str, aliases: dict[str, str] | None = None) -> str:
    aliases = aliases or {}
    if not isinstance(value, str) or (value not in valid and value not in aliases):
        hint = did_you_mean(value, valid) if isinstance(value, str) else ""
        raise NetworkError(f"Network: {what} must be one of {', '.join(map(repr, valid))}, got {value!r}.{hint}")
    return aliases.get(value, value)


def check_method(method: Any) -> str:
    """A default integration method (ANNarchy's ``explicit`` is ``euler``)."""
    return _choice(method, NETWORK_METHODS, "method", METHOD_ALIASES)


def check_event_timing(timing: Any) -> str:
    """An event timing convention, ``annarchy`` or ``exact``."""
    return _choice(timing, EVENT_TIMINGS, "event_timing")


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
    method : {"euler", "exponential", "midpoint", "rk4", "auto"}, optional
        Integration method of the differential equations that neither their flags nor
        their model's ``method`` choose (default: the one set by :func:`setup`, ``euler``
        unless changed, as ANNarchy's explicit Euler). ``auto`` integrates exactly each
        equation linear in its variable with a time constant made of parameters, and any
        other by explicit Euler (Brian2's choice).
    event_timing : {"annarchy", "exact"}, optional
        When a pre-synaptic spike acts on its synapses' event-driven variables (default:
        the one set by :func:`setup`, ``annarchy`` unless changed). ``annarchy``: as
        ANNarchy 4.8, which processes a spike of step ``k`` at step ``k + 1``, bringing
        the variables to step ``k`` but recording ``k + 1`` as the synapse's last event,
        so that their next update is one step short (a post-synaptic spike ``d`` ms after
        a pre-synaptic one sees ``d - dt``; the first event counts from step -10000, as
        ANNarchy's, so that event-driven variables have relaxed from their initial
        values), and ``pre_spike`` statements read ``t`` of the step the spike acts on.
        ``exact``: every interval as it is (the first from step 0), ``t`` of the step the
        spike is processed in. Under both, a spike acts ``max(delay, dt)`` after it was
        emitted, as in ANNarchy.

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
                 everything: bool = False, method: str | None = None, event_timing: str | None = None) -> None:
        super().__init__()
        self.dt = check_dt(dt if dt is not None else scope().dt)
        self._simulator: Simulator | None = None
        self.method = method if method is not None else scope().method
        self.event_timing = event_timing if event_timing is not None else scope().event_timing
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
        replica = Network(dt=self.dt, seed=seed, method=self.method, event_timing=self.event_timing)
        replica._add_copies(self._objects())
        if self._simulator is not None:  # start where this network started, not where it is now
            for pop, initial in zip(replica._populations, self._simulator.initial, strict=True):
                pop.value_arrays.update({name: values.copy() for name, values in initial.items()})
        return replica

    # ------------------------------------------------------------ compile
    def compile(self, **annarchy_options: Any) -> None:
        """Draw connectivity, generate the kernel and compile it (or load it from cache).

        Compiling again a network that is compiled does nothing.

        Parameters
        ----------
        **annarchy_options
            ANNarchy's options about its C++ build (``directory``, ``clean``, ``compiler``,
            ``silent``, ...) are accepted so that ANNarchy scripts run as written; they have
            no effect (the kernel is Numba code, cached in ``dasksnn.cache-dir``).
            ANNarchy's ``populations``/``projections`` (compiling a part) are refused.
        """
        check_build_options(annarchy_options, f"{self!r}.compile()")
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
    def method(self) -> str:
        """Integration method of equations that name none (see the class docstring)."""
        return self._method

    @method.setter
    def method(self, value: str) -> None:
        self._refuse_if_compiled("method")
        self._method = check_method(value)

    @property
    def event_timing(self) -> str:
        """When pre-synaptic spikes act on event-driven variables (see the class docstring)."""
        return self._event_timing

    @event_timing.setter
    def event_timing(self, value: str) -> None:
        self._refuse_if_compiled("event_timing")
        self._event_timing = check_event_timing(value)

    def _refuse_if_compiled(self, what: str) -> None:
        if self._simulator is not None:
            raise NetworkError(f"{self!r}: {what} decides the compiled kernel; set it before compile()")

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
        """Everything the monitors recorded, and the final weights of plastic projections, as one
        labelled :class:`xarray.Dataset`.

        The monitors keep their data. Variables are those of :meth:`Monitor.to_xarray`,
        recorded synaptic variables on ``(time, <proj>_synapse)``, and, for every
        projection whose synapse model is not static (:attr:`Projection.plastic`), its
        weights now, ``<proj>_final_w`` on ``<proj>_synapse`` (``np.concatenate(proj.w)``,
        with the pre and post rank of each synapse as coordinates ``<proj>_pre`` and
        ``<proj>_post``). They are always there, unasked: what plasticity made of the
        weights is what a study of plasticity looks at, and a sweep keeps them per run
        for 16 bytes a synapse before compression (a monitor of ``w`` takes 8 per synapse
        per recorded step); static weights are as given, and left out. Attrs give ``dt``
        and ``duration`` (ms), the ``seed`` entropy (pass it as ``seed`` to repeat the
        run), a ``model`` description and the versions of dasksnn, NumPy, Numba, xarray
        and Python.

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
        self._step = 0  # monitors and spike sources start again from step 0
        for pop in self._populations:
            pop.clear()
        if projections:
            for proj in self._projections:
                proj.restore_weights()
        if monitors:
            for mon in (*self._monitors, *self._synapse_monitors):
                mon.reset()
                mon.forget_phase()

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

