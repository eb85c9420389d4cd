"""Monitors: record spikes and variables of a population during simulations."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from dasksnn.analysis import (
    coefficient_of_variation,
    instantaneous_rates,
    inter_spike_intervals,
    low_pass,
    mean_rate,
    spike_counts,
    spikes_by_neuron,
)
from dasksnn.errors import NetworkError, did_you_mean
from dasksnn.network.population import Population, PopulationView, check_name
from dasksnn.network.recording import Recording, Samples, Span, Switchable, steps_of

if TYPE_CHECKING:
    from dasksnn.network.network import Network

__all__ = ["Monitor"]

_EVERY_STEP = "period=None to record every step"


class Monitor(Switchable):
    """Records spikes and variables of a population or view.

    Parameters
    ----------
    obj : Population or PopulationView
        What to record (a Projection, or a dendrite ``proj.dendrite(i)`` after compile,
        gives a :class:`~dasksnn.network.synapse_monitor.SynapseMonitor` of its synapses).
    variables : str or list of str
        ``"spike"`` and/or names of variables (or parameters) of the neuron model.
    period : float, optional
        Recording period of variables in ms, a multiple of the network's ``dt``
        (default: every step). Checked against ``dt`` here, when changed, and when a
        network compiles (a copy in a network of another ``dt``).
    start : bool, default True
        Whether to record from the first simulation on (else call :meth:`start`).
    name : str, optional
        Name in the network (default ``monitor<n>``).

    Notes
    -----
    As ANNarchy records them, the row of a recorded step ``t`` holds each variable after
    the step's update (its value at ``t + dt``), and the synaptic inputs ``g_<target>``
    with what acts during the step (their value at ``t``); rows are labelled with ``t``
    (``t0, t0 + period, ...``). A spike is recorded with the time of the step in which
    its condition became true. Ranks are those of the population, also for a view.

    Examples
    --------
    >>> import dasksnn as ann
    >>> pop = ann.Population(10, ann.Izhikevich)
    >>> m = ann.Monitor(pop, ["spike", "v"])
    >>> m.variables
    ('spike', 'v')
    """

    def __new__(cls, obj: Any = None, *args: Any, **kwargs: Any) -> Any:
        from dasksnn.network.synapse_monitor import SynapseMonitor  # Monitor(proj, "w"), as ANNarchy's

        return SynapseMonitor.made(obj, args, kwargs) or object.__new__(cls)

    def __init__(self, obj: Population | PopulationView, variables: str | list[str],
                 period: float | None = None, start: bool = True, name: str | None = None) -> None:
        check_name(name, "Monitor")
        self._uid = uuid.uuid4().hex  # identity shared by copies, unique across processes
        if not isinstance(obj, Population | PopulationView):
            raise NetworkError(f"Monitor '{name or ''}': can record a Population or a view of one, "
                               f"got {obj!r}")
        self.name = name if name is not None else obj._population._network._auto_name("monitor")
        names = [variables] if isinstance(variables, str) else list(variables) \
            if isinstance(variables, Iterable) else None
        valid = ("spike", *obj.neuron.variable_names, *obj.neuron.parameter_names)
        if names is None or not all(isinstance(var, str) for var in names):
            raise NetworkError(f"Monitor '{self.name}': variables must be a name or a list of names "
                               f"(among {', '.join(valid)}), got {variables!r}")
        for var in names:
            if var not in valid:
                raise NetworkError(f"Monitor '{self.name}': {obj!r} has no variable '{var}' to record "
                                   f"(valid: {', '.join(valid)}).{did_you_mean(var, valid)}")
        if not names:
            raise NetworkError(f"Monitor '{self.name}': give at least one variable to record")
        self._obj = obj
        self._network: Network = obj._population._network
        self.variables = tuple(dict.fromkeys(names))
        self._period: float | None = None
        self.period = period
        self._active = bool(start)
        self._phase: int | None = None
        self._clear()
        self._network._register(self)

    def __repr__(self) -> str:
        return f"Monitor '{self.name}'"

    @property
    def object(self) -> Population | PopulationView:
        """The recorded population or view."""
        return self._obj

    @property
    def population(self) -> Population:
        """The population of the recorded neurons (also for a view)."""
        return self._obj._population

    @property
    def period(self) -> float | None:
        """Recording period of variables in ms (``None``: every step).

        Assigning checks it against the network's ``dt``; a refused value leaves the
        period as it was.
        """
        return self._period

    @period.setter
    def period(self, value: float | None) -> None:
        if value is None:
            self._period = None
            return
        steps_of(value, self._network.dt, repr(self), "period", _EVERY_STEP)
        self._period = float(value)

    def _period_steps(self, dt: float) -> int:
        """The recording period in steps of ``dt`` (1 without a period); a NetworkError if it is
        not a whole number of steps (``Network.compile`` checks copies made for another ``dt``)."""
        return 1 if self._period is None else steps_of(self._period, dt, repr(self), "period", _EVERY_STEP)

    @property
    def recorded_variables(self) -> tuple[str, ...]:
        """Recorded variables other than ``"spike"``."""
        return tuple(v for v in self.variables if v != "spike")

    def _clear(self) -> None:
        """Forget the data and the recorded time spans."""
        self._handed_span = Span()
        self._span = Span()
        now = self._network.get_current_step()
        # ANNarchy's start and stop steps of each variable's recordings (see times())
        self._times = {var: {"start": [now], "stop": [None]} for var in self.variables}
        self._last_times = copy.deepcopy(self._times)
        self._clear_data()

    def _clear_data(self, names: list[str] | None = None) -> None:
        """Forget the data of ``names`` (default: all); the time span of spikes handed over is
        kept for analyses of them."""
        if names is None or "spike" in names:
            self._spike_chunks: list[tuple[np.ndarray, np.ndarray]] = []
            if self._span.steps:
                self._handed_span = self._span
            self._span = Span()
        if names is None:
            self._samples = Samples(self.recorded_variables)
        else:
            self._samples.clear([name for name in names if name != "spike"])

    def _span_of(self, spikes: dict | None) -> Span:
        """Recorded time span of the held data, or of the data last handed over by get()."""
        return self._span if spikes is None or self._span.steps else self._handed_span

    # ------------------------------------------------------------ what the simulator asks
    def schedule(self, step: int, dt: float) -> tuple[bool, int, int]:
        """When to record variables from ``step`` on: (active, period in steps, phase).

        Samples are taken at the steps ``k`` with ``(k - phase) % period == 0``; the phase
        is the first step simulated after the recording started.
        """
        if self._active and self._phase is None:
            self._phase = step
        return self._active, self._period_steps(dt), step if self._phase is None else self._phase

    def receive(self, start: int, stop: int, steps: np.ndarray, values: dict[str, np.ndarray],
                spike_steps: np.ndarray | None, spike_ranks: np.ndarray | None) -> None:
        """Take what the simulator recorded for steps ``[start, stop)`` (arrays it gives away)."""
        self._samples.add(steps, values)
        if spike_steps is not None and spike_steps.size:
            self._spike_chunks.append((spike_steps, spike_ranks))
        if self._active and stop > start:
            span = self._span
            span.start = start if span.start is None else span.start
            span.stop, span.steps = stop, span.steps + stop - start

    def forget_phase(self) -> None:
        """Start the sampling grid again at the next simulated step (after a reset)."""
        self._phase = None

    def recording(self) -> Recording:
        """What the monitor holds now, as plain data (the monitor keeps it)."""
        population, ranks, span = self.population, self._obj._ranks.astype(np.int64), self._span
        siblings = [m for m in self._network.get_monitors() if m.population is population]
        spike_steps, spike_ranks = self._spike_arrays()
        steps, values = self._samples.aligned(ranks.size)
        return Recording(
            prefix=population.name if len(siblings) <= 1 else self.name, object_name=self._obj.name,
            population=population.name, population_size=population.size, neuron=self._obj.neuron,
            ranks=ranks, variables=self.recorded_variables, spikes="spike" in self.variables,
            dt=self._network.dt, period_steps=self._period_steps(self._network.dt),
            steps=steps, values=values,
            spike_steps=spike_steps, spike_ranks=spike_ranks,
            span_start=-1 if span.start is None else span.start, span_stop=span.stop, span_steps=span.steps)

    # ------------------------------------------------------------ control
    def start(self, variables: list[str] | None = None, period: float | None = None) -> None:
        """Start recording (from the next simulated step).

        Parameters
        ----------
        variables : list of str, optional
            Must be the monitor's variables, which are fixed when it is created.
        period : float, optional
            New recording period in ms, a multiple of the network's ``dt`` (default:
            keep the current one).

        Raises
        ------
        NetworkError
            For other variables, or a period that is not a whole number of steps (the
            monitor then keeps its period and does not start).
        """
        if variables is not None and tuple(variables) != self.variables:
            raise NetworkError(f"{self!r}: variables are fixed when the monitor is created "
                               f"({', '.join(self.variables)}); create another Monitor")
        if period is not None:
            self.period = period
        self._active = True
        self._phase = None

    def pause(self) -> None:
        """Pause recording; :meth:`resume` continues."""
        super().pause()
        for times in self._times.values():
            times["stop"][-1] = self._network.get_current_step()

    def resume(self) -> None:
        """Resume a paused recording."""
        super().resume()
        for times in self._times.values():
            times["start"].append(self._network.get_current_step())
            times["stop"].append(None)

    # ------------------------------------------------------------ data
    def get(self, variables: str | list[str] | None = None, keep: bool = False,
            reshape: bool = False) -> Any:
        """Return recorded data.

        Parameters
        ----------
        variables : str or list of str, optional
            What to return (default: everything recorded).
        keep : bool, default False
            Keep the data in the monitor (by default the data of ``variables`` is handed
            over and removed, the others kept, as in ANNarchy).
        reshape : bool, default False
            Give variable arrays the population's geometry (for a whole population).

        Returns
        -------
        dict or numpy.ndarray
            For one name, its data; for several, or all (``variables=None``), a dict of
            name to data, as ANNarchy's. Variables are
            arrays of shape ``(n_records, n_neurons)``; ``"spike"`` is a dict of rank to
            the list of spike steps (multiply by ``dt`` for ms).
        """
        names = self.variables if variables is None else (
            [variables] if isinstance(variables, str) else list(variables)
            if isinstance(variables, Iterable) else None)
        if names is None:
            raise NetworkError(f"{self!r}: variables must be a name, a list of names (among "
                               f"{', '.join(self.variables)}) or None, got {variables!r}")
        result: dict[str, Any] = {}
        for var in names:
            if var not in self.variables:
                raise NetworkError(f"{self!r} does not record '{var}' (records: "
                                   f"{', '.join(self.variables)}).{did_you_mean(var, self.variables)}")
            if var == "spike":
                result[var] = spikes_by_neuron(*self._spike_arrays(), self._obj._ranks)
            else:
                data = self._samples.rows(var, self._obj.size)
                if reshape and isinstance(self._obj, Population):
                    data = data.reshape((-1, *self._obj.geometry))
                result[var] = data
        now = self._network.get_current_step()
        for var in names:  # as ANNarchy: what was handed over, then a new recording from now
            self._times[var]["stop"][-1] = now
            self._last_times[var] = copy.deepcopy(self._times[var])
            if not keep:
                self._times[var] = {"start": [now], "stop": [None]}
        if not keep:
            self._clear_data(names)
        # as ANNarchy's: a dict for several names or for all (get() of a monitor of one variable)
        return result[names[0]] if len(names) == 1 and variables is not None else result

    def times(self, variables: str | list[str] | None = None) -> dict[str, dict[str, list]]:
        """Start and stop steps of the recordings of the data last handed over by :meth:`get`,
        as ANNarchy gives them.

        Parameters
        ----------
        variables : str or list of str, optional
            Recorded variables (default: all).

        Returns
        -------
        dict
            ``{var: {"start": [steps], "stop": [steps]}}``: one entry per recording
            between :meth:`pause` and :meth:`resume` (``stop`` is ``None`` before the first
            ``get()``). Steps, as ANNarchy's: row ``k`` of ``get(var)`` is step
            ``start[0] + k * period`` for a recording that was never paused.

        Examples
        --------
        >>> import dasksnn as ann
        >>> net = ann.Network(dt=0.5)
        >>> pop = ann.Population(1, ann.IF_curr_exp)
        >>> m = ann.Monitor(pop, "v")
        >>> net.add([pop, m]); net.compile(); net.simulate(10.0)
        >>> v = net.get(m).get("v")
        >>> net.get(m).times()
        {'v': {'start': [0], 'stop': [20]}}
        """
        names = self.variables if variables is None else [variables] if isinstance(variables, str) \
            else list(variables)
        for var in names:
            if var not in self.variables:
                raise NetworkError(f"{self!r} does not record '{var}' (records: "
                                   f"{', '.join(self.variables)}).{did_you_mean(var, self.variables)}")
        return {var: copy.deepcopy(self._last_times[var]) for var in names}

    def sample_times(self, variable: str | None = None) -> np.ndarray:
        """Times (ms) of the samples of ``variable`` held (default: the first recorded one;
        call it before ``get()`` hands them over)."""
        return self._samples.steps(variable) * self._network.dt

    def _spike_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._spike_chunks:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        steps = np.concatenate([c[0] for c in self._spike_chunks])
        ranks = np.concatenate([c[1] for c in self._spike_chunks]).astype(np.int64)
        return steps, ranks

    def _spikes_ms(self, spikes: dict | None) -> tuple[np.ndarray, np.ndarray]:
        if spikes is None:
            steps, ranks = self._spike_arrays()
        else:
            ranks = np.concatenate([np.full(len(s), r) for r, s in spikes.items()] or [np.zeros(0)])
            steps = self._spike_steps(spikes)
        return steps * self._network.dt, ranks.astype(np.int64)

    def _spikes_of(self, spikes: dict | None) -> tuple[np.ndarray, np.ndarray]:
        """Steps and ranks of the held spikes, or of those in a dict handed over by get()."""
        if spikes is None:
            return self._spike_arrays()
        if "spike" in spikes and isinstance(spikes["spike"], dict):  # get() of several variables
            spikes = spikes["spike"]
        ranks = np.concatenate([np.full(len(s), r, np.int64) for r, s in spikes.items()] or [np.zeros(0, np.int64)])
        return self._spike_steps(spikes), ranks

    def _spike_steps(self, spikes: dict | None) -> np.ndarray:
        """Steps of the held spikes, or of those in a dict handed over by get()."""
        if spikes is None:
            return self._spike_arrays()[0]
        return np.concatenate([np.asarray(s, dtype=np.int64) for s in spikes.values()] or [np.zeros(0, np.int64)])

    def raster_plot(self, spikes: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Spike times (ms) and ranks, ready for ``plt.plot(t, n, '.')``.

        Without ``spikes``, uses the recorded spikes and keeps them in the monitor.
        """
        self._require_spikes()
        return self._spikes_ms(spikes)

    def histogram(self, spikes: dict | None = None, bins: float | None = None, per_neuron: bool = False,
                  recording_window: tuple[int, int] | None = None) -> np.ndarray:
        """Number of spikes in bins of ``bins`` ms (default dt), as ANNarchy counts them.

        Bins start at the first spike and reach the last one (``int((last - first) / bin)
        + 1`` bins), or cover ``recording_window``.

        Parameters
        ----------
        spikes : dict, optional
            What ``get("spike")`` handed over (default: the spikes held).
        bins : float, optional
            Bin width in ms, a multiple of ``dt`` (default: one step).
        per_neuron : bool, default False
            One row per rank (up to the highest rank that spiked) instead of a sum.
        recording_window : tuple of int, optional
            ``(first, last)`` step of the bins instead of the first and last spike.

        Returns
        -------
        numpy.ndarray of int
            ``(n_bins,)``, or ``(max rank + 1, n_bins)`` with ``per_neuron``; empty
            without spikes.
        """
        self._require_spikes()
        dt = self._network.dt
        width = 1 if bins is None else steps_of(bins, dt, repr(self), "bins", "bins=None for one step")
        steps, ranks = self._spikes_of(spikes)
        if recording_window is not None:
            first, last = (int(x) for x in recording_window)
        elif steps.size:
            first, last = int(steps.min()), int(steps.max())
        else:
            return np.zeros((0, 0) if per_neuron else 0, np.int64)
        stop = first + ((last - first) // width + 1) * width
        if not per_neuron:
            return spike_counts(steps, first, stop, width)
        n_rows = int(ranks.max()) + 1 if ranks.size else 0
        return spike_counts(steps, first, stop, width, groups=ranks, n_groups=n_rows)

    def mean_fr(self, spikes: dict | None = None) -> float:
        """Mean firing rate (Hz) of the recorded neurons over the time they were recorded."""
        self._require_spikes()
        return mean_rate(self._spike_steps(spikes).size, self._obj.size, self._span_of(spikes).steps * self._network.dt)

    def inter_spike_interval(self, spikes: dict | None = None, ranks: list[int] | None = None,
                             per_neuron: bool = False) -> list[float] | dict[int, list[float]]:
        """Inter-spike intervals (ms) of the recorded neurons, as ANNarchy gives them.

        Parameters
        ----------
        spikes : dict, optional
            What ``get("spike")`` handed over (default: the spikes held).
        ranks : list of int, optional
            Only these neurons (ranks in the population).
        per_neuron : bool, default False
            A dict of rank to its intervals instead of one list (neurons with at least two
            spikes).

        Returns
        -------
        list or dict
            Intervals of each neuron in time order, neurons by rank.
        """
        self._require_spikes()
        steps, owner = self._spikes_of(spikes)
        intervals, of = inter_spike_intervals(steps * self._network.dt, owner)
        if ranks is not None:
            keep = np.isin(of, np.asarray(ranks, dtype=np.int64))
            intervals, of = intervals[keep], of[keep]
        if not per_neuron:
            return intervals.tolist()
        neurons, first = np.unique(of, return_index=True)
        return {int(n): part.tolist() for n, part in zip(neurons, np.split(intervals, first[1:]), strict=True)}

    def coefficient_of_variation(self, spikes: dict | None = None, ranks: list[int] | None = None,
                                 per_neuron: bool = False) -> list[float] | dict[int, float]:
        """Coefficient of variation of each neuron's inter-spike intervals (standard deviation
        over mean, ``ddof=0``), for the neurons with at least two intervals, as ANNarchy.

        Parameters are those of :meth:`inter_spike_interval`.

        Returns
        -------
        list or dict
            One value per neuron, by rank (a dict of rank to value with ``per_neuron``).
        """
        self._require_spikes()
        steps, owner = self._spikes_of(spikes)
        population = self.population.size
        cv = coefficient_of_variation(steps * self._network.dt, owner, population)
        neurons = np.flatnonzero(~np.isnan(cv))
        if ranks is not None:
            neurons = neurons[np.isin(neurons, np.asarray(ranks, dtype=np.int64))]
        if per_neuron:
            return {int(n): float(cv[n]) for n in neurons}
        return cv[neurons].tolist()

    def _recorded_steps(self, spikes: dict | None) -> tuple[int, int]:
        """ANNarchy's window of a rate: the start and stop steps of the last recording of the
        spikes held, or of those ``get()`` handed over."""
        times = self._times["spike"] if spikes is None else self._last_times["spike"]
        stop = times["stop"][-1]
        return times["start"][-1], self._network.get_current_step() if stop is None else stop

    def population_rate(self, spikes: dict | None = None, smooth: float = 0.0) -> np.ndarray:
        """Population rate (Hz) per step, as ANNarchy computes it.

        Spikes per step of the last recording (from its start step to its stop step
        included) divided by the number of recorded neurons, then, if ``smooth`` is larger
        than ``dt``, filtered by ANNarchy's first-order low-pass filter of time constant
        ``smooth`` ms (:func:`dasksnn.analysis.low_pass`).

        Parameters
        ----------
        spikes : dict, optional
            What ``get("spike")`` handed over (default: the spikes held).
        smooth : float, default 0.0
            Time constant of the filter in ms.

        Returns
        -------
        numpy.ndarray
            One value per step.
        """
        self._check_smooth(smooth)
        self._require_spikes()
        start, stop = self._recorded_steps(spikes)
        steps = self._spike_steps(spikes)
        rate = spike_counts(steps, start, stop + 1) / (self._obj.size * self._network.dt / 1000.0)
        return low_pass(rate, float(smooth), self._network.dt)

    def smoothed_rate(self, spikes: dict | None = None, smooth: float = 0.0) -> np.ndarray:
        """Instantaneous firing rate (Hz) of each recorded neuron per step, as ANNarchy's.

        Between two spikes a neuron's rate is ``1000 / interval``; it is zero before its
        second spike and after its last. With ``smooth > 0`` each row is filtered by
        ANNarchy's first-order low-pass filter of time constant ``smooth`` ms.

        Parameters
        ----------
        spikes : dict, optional
            What ``get("spike")`` handed over (default: the spikes held).
        smooth : float, default 0.0
            Time constant of the filter in ms.

        Returns
        -------
        numpy.ndarray
            ``(recorded neurons, steps of the last recording)``.
        """
        self._check_smooth(smooth)
        self._require_spikes()
        start, stop = self._recorded_steps(spikes)
        steps, ranks = self._spikes_of(spikes)
        neurons = self._obj._ranks if spikes is None else np.asarray(list(spikes), dtype=np.int64)
        rates = instantaneous_rates(steps, ranks, neurons, start, stop, self._network.dt)
        return low_pass(rates, float(smooth), self._network.dt) if smooth > 0 else rates

    def _check_smooth(self, smooth: Any) -> None:
        if isinstance(smooth, bool) or not isinstance(smooth, int | float | np.number) \
                or not np.isfinite(smooth) or smooth < 0:
            raise NetworkError(f"{self!r}: smooth must be a number of ms >= 0 (0: no smoothing), "
                               f"got {smooth!r}")

    def to_xarray(self, rate_bin: float | None = None) -> Any:
        """The recorded data as a labelled :class:`xarray.Dataset` (the monitor keeps it).

        Parameters
        ----------
        rate_bin : float, optional
            Width in ms of the bins of the population rate (a multiple of ``dt``;
            default ``dt``).

        Returns
        -------
        xarray.Dataset
            With ``<pop>`` the population's name (the monitor's name if the population
            has several monitors): ``<pop>_<var>`` on ``(time, <pop>_neuron)`` for each
            recorded variable; for spikes, ragged events ``<pop>_spike_time`` (ms) and
            ``<pop>_spike_neuron`` on ``<pop>_spike``, ``<pop>_spike_count`` per neuron,
            the population rate ``<pop>_rate`` (Hz) on ``time`` and ``<pop>_mean_rate``.
            Variables carry ``units`` and ``long_name``.

        Examples
        --------
        >>> import dasksnn as ann
        >>> net = ann.Network(dt=0.1, seed=1)
        >>> pop = ann.Population(20, ann.IF_curr_exp(i_offset=1.0), name="pop")
        >>> net.add([pop, ann.Monitor(pop, ["spike", "v"])])
        >>> net.compile(); net.simulate(50.0)
        >>> ds = net.get_monitors()[0].to_xarray()
        >>> ds.pop_v.dims
        ('time', 'pop_neuron')
        """
        from dasksnn.results import monitor_dataset

        return monitor_dataset(self, rate_bin)

    def _require_spikes(self) -> None:
        if "spike" not in self.variables:
            raise NetworkError(f"{self!r} does not record spikes: create it with 'spike' among "
                               "its variables")

    def _copy(self, network: Network, obj: Population | PopulationView) -> Monitor:
        clone = object.__new__(Monitor)
        clone.__dict__.update(self.__dict__)
        clone._obj, clone._network = obj, network
        clone._clear()
        return clone
