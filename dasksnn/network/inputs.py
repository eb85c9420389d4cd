"""Inputs: populations whose neurons fire Poisson spike trains or given spike times."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dasksnn.errors import NetworkError
from dasksnn.model.neuron import Neuron
from dasksnn.network.population import Population

__all__ = ["PoissonPopulation", "SpikeSourceArray"]


def _poisson_neuron(rates: str, parameters: str) -> Neuron:
    equations = f"rates = {rates}" if rates else ""
    return Neuron(parameters=parameters if rates else "rates = 0.0", equations=equations,
                  spike="Uniform(0.0, 1.0) * 1000.0 < rates * dt", name="Poisson", units="rates Hz")


class PoissonPopulation(Population):
    """Neurons that emit Poisson spike trains.

    Parameters
    ----------
    geometry : int or tuple of int
        Number of neurons or grid shape.
    rates : float, array or str
        Firing rate in Hz: one for all, one per neuron, or an expression of ``t`` (ms)
        and of ``parameters``, e.g. ``"10.0 * (1.0 + sin(2 * pi * f * t / 1000.0))"``.
    name : str, optional
        Unique name in the network.
    parameters : str, optional
        Parameters used by a rate expression, e.g. ``"f = 5.0"``.

    Notes
    -----
    Each neuron spikes in a step of length ``dt`` with probability ``rates * dt / 1000``,
    drawn from the network's generator. ``pop.rates = 20.0`` changes numeric rates
    between simulations without compiling again.

    Examples
    --------
    >>> import dasksnn as ann
    >>> inp = ann.PoissonPopulation(100, rates=10.0)
    >>> float(inp.rates[0])
    10.0
    """

    def __init__(self, geometry: int | Sequence[int], rates: float | np.ndarray | str = 10.0,
                 name: str | None = None, parameters: str = "") -> None:
        expression = rates if isinstance(rates, str) else ""
        super().__init__(geometry, _poisson_neuron(expression, parameters), name)
        if not expression:
            rates_array = np.asarray(rates, dtype=np.float64)
            if np.any(rates_array < 0) or not np.all(np.isfinite(rates_array)):
                raise NetworkError(f"{self!r}: rates must be finite and >= 0 Hz, got {rates!r}")
            self.rates = rates


class SpikeSourceArray(Population):
    """Neurons that spike at given times.

    Parameters
    ----------
    spike_times : list of float, or list of lists of float
        Spike times in ms: one list per neuron, or a single list for a single neuron.
        Times are rounded to the nearest step; times of one neuron that round to the
        same step give one spike.
    name : str, optional
        Unique name in the network.

    Examples
    --------
    >>> import dasksnn as ann
    >>> src = ann.SpikeSourceArray([[10.0, 20.0], [15.0]])
    >>> src.size
    2
    """

    _own_attributes = Population._own_attributes | {"spike_times"}

    def __init__(self, spike_times: Sequence[float] | Sequence[Sequence[float]],
                 name: str | None = None) -> None:
        nested = _nested_times(spike_times)
        super().__init__(len(nested), Neuron(name="SpikeSourceArray"), name)
        self.spike_times = nested
        # the step the times count from: ANNarchy's spike sources keep a clock of their own,
        # which clear() and reset() set back to zero
        self._origin = 0

    def clear(self) -> None:
        """Forget the spikes emitted so far and count the spike times from now on, as
        ANNarchy's: ``clear(); simulate(T)`` emits the spikes of ``[0, T)`` again.

        Examples
        --------
        >>> import dasksnn as ann
        >>> src = ann.SpikeSourceArray([[1.0, 2.0]])
        >>> src.clear()
        """
        super().clear()
        self._origin = self._network.get_current_step()

    @property
    def spike_source(self) -> bool:
        return True

    @property
    def spike_times(self) -> list[list[float]]:
        """Spike times in ms, one list per neuron; assign to change them."""
        return [list(map(float, times)) for times in self._times]

    @spike_times.setter
    def spike_times(self, value: Sequence[Sequence[float]]) -> None:
        nested = _nested_times(value)
        if hasattr(self, "_times") and len(nested) != self.size:
            raise NetworkError(f"{self!r}: spike_times needs {self.size} lists (one per neuron), "
                               f"got {len(nested)}")
        for rank, times in enumerate(nested):
            array = np.asarray(times, dtype=np.float64)
            if array.size and (np.any(array < 0) or not np.all(np.isfinite(array))):
                raise NetworkError(f"{self!r}: spike times must be finite and >= 0 ms "
                                   f"(neuron {rank}: {times!r})")
        self._times = [np.sort(np.asarray(t, dtype=np.float64)) for t in nested]

    def spike_events(self, dt: float) -> tuple[np.ndarray, np.ndarray]:
        """All spikes as (step, rank), sorted by step (counted from the last :meth:`clear`)."""
        steps = [np.rint(t / dt).astype(np.int64) + self._origin for t in self._times]
        ranks = [np.full(s.size, r, dtype=np.int32) for r, s in enumerate(steps)]
        all_steps = np.concatenate(steps) if steps else np.zeros(0, np.int64)
        all_ranks = np.concatenate(ranks) if ranks else np.zeros(0, np.int32)
        # a neuron spikes at most once per step: times that round to one step merge
        events = np.unique(np.stack([all_steps, all_ranks.astype(np.int64)]), axis=1)
        return events[0], events[1].astype(np.int32)


    def _copy(self, network: Any) -> SpikeSourceArray:
        clone = super()._copy(network)
        clone._origin = 0  # a copy starts at its network's step 0
        return clone


def _nested_times(times: Any) -> list:
    if isinstance(times, str) or not hasattr(times, "__iter__"):
        raise NetworkError(f"SpikeSourceArray: spike_times must be a list of times (ms) per neuron, "
                           f"or one list for a single neuron, got {times!r}")
    items = list(times)
    if items and all(np.isscalar(t) for t in items):
        items = [items]
    if not items:
        raise NetworkError("SpikeSourceArray: spike_times must hold at least one neuron's list")
    for rank, item in enumerate(items):
        if np.isscalar(item) or not hasattr(item, "__iter__") or any(
                isinstance(t, str | bool) or not np.isscalar(t) for t in item):
            raise NetworkError(f"SpikeSourceArray: spike_times must be a list of numbers per neuron "
                               f"(ms); neuron {rank} has {item!r}")
    return [list(t) for t in items]
