"""What monitors hand over: plain-data recordings, and durations in steps of dt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dasksnn.errors import NetworkError

__all__ = ["Recording", "Samples", "Span", "Switchable", "steps_of"]


@dataclass
class Span:
    """Recorded time: from step ``start`` to step ``stop``, ``steps`` of them recorded."""

    start: int | None = None
    stop: int = 0
    steps: int = 0


@dataclass(frozen=True, eq=False)
class Recording:
    """What a monitor holds, as plain data (for results and analyses).

    Attributes
    ----------
    prefix : str
        Name for result variables: the population's, or the monitor's when its population
        has several monitors.
    object_name : str
        Name of the recorded population or view.
    population : str
        Name of the recorded population.
    population_size : int
        Its number of neurons.
    neuron : Neuron
        Its model (names, units).
    ranks : numpy.ndarray
        Ranks of the recorded neurons (int64).
    variables : tuple of str
        Recorded variables other than ``"spike"``.
    spikes : bool
        Whether spikes are recorded.
    dt : float
        Time step (ms).
    period_steps : int
        Steps between variable samples.
    steps : numpy.ndarray
        Step of each variable sample (int64).
    values : dict of str to numpy.ndarray
        Each variable, (samples, recorded neurons).
    spike_steps, spike_ranks : numpy.ndarray
        Step and rank of each recorded spike (int64), in time order.
    span_start, span_stop, span_steps : int
        First and end step of the recorded time, and how many steps were recorded
        (``span_start`` is -1 when nothing was recorded).
    """

    prefix: str
    object_name: str
    population: str
    population_size: int
    neuron: Any
    ranks: np.ndarray
    variables: tuple[str, ...]
    spikes: bool
    dt: float
    period_steps: int
    steps: np.ndarray
    values: dict[str, np.ndarray]
    spike_steps: np.ndarray
    spike_ranks: np.ndarray
    span_start: int
    span_stop: int
    span_steps: int


class Samples:
    """Rows a monitor recorded, per variable with their steps, held until handed over.

    As ANNarchy's ``Monitor.get``, handing over some variables keeps the others.
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        self._rows: dict[str, list[np.ndarray]] = {name: [] for name in names}
        self._steps: dict[str, list[np.ndarray]] = {name: [] for name in names}

    def add(self, steps: np.ndarray, rows: dict[str, np.ndarray]) -> None:
        """Take the rows recorded at ``steps``."""
        if steps.size:
            for name, values in rows.items():
                self._rows[name].append(values)
                self._steps[name].append(steps)

    def rows(self, name: str, width: int) -> np.ndarray:
        """The held rows of ``name``, ``(samples, width)``."""
        chunks = self._rows[name]
        return np.concatenate(chunks) if chunks else np.zeros((0, width))

    def steps(self, name: str | None = None) -> np.ndarray:
        """Steps of the held rows of ``name`` (default: the first variable)."""
        if name is None:
            name = next(iter(self._steps), None)
        chunks = self._steps.get(name, []) if name is not None else []
        return np.concatenate(chunks) if chunks else np.zeros(0, np.int64)

    def aligned(self, width: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The steps held for every variable and the rows of each at those steps (the latest
        rows: a variable handed over alone has fewer)."""
        counts = [sum(len(c) for c in chunks) for chunks in self._steps.values()]
        keep = min(counts, default=0)
        return (self.steps()[len(self.steps()) - keep:],
                {name: self.rows(name, width)[counts[i] - keep:] for i, name in enumerate(self._rows)})

    def clear(self, names: list[str] | tuple[str, ...] | None = None) -> None:
        """Forget the rows of ``names`` (default: all)."""
        for name in self._rows if names is None else names:
            self._rows[name], self._steps[name] = [], []


def steps_of(value: Any, dt: float, where: str, what: str, otherwise: str) -> int:
    """A duration in ms as a whole number of steps of ``dt``.

    The one check of "a positive multiple of dt" for durations given in ms (a monitor's
    period, histogram bins).

    Parameters
    ----------
    value : float
        Duration in ms.
    dt : float
        Time step in ms.
    where, what : str
        The object and the parameter, for the message: ``"Monitor 'm'"``, ``"period"``.
    otherwise : str
        The alternative to a number, for the message: ``"period=None to record every
        step"``.

    Returns
    -------
    int
        ``value / dt``, at least 1.

    Raises
    ------
    NetworkError
        If ``value`` is not a finite number > 0, or not a whole number of steps.

    Examples
    --------
    >>> steps_of(0.3, 0.1, "Monitor 'm'", "period", "period=None")
    3
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.number) \
            or not np.isfinite(value) or not value > 0:
        raise NetworkError(f"{where}: {what} must be a number of ms > 0 (a multiple of dt = {dt} ms) "
                           f"or None, got {value!r}")
    steps = round(float(value) / dt)
    if steps < 1 or abs(steps * dt - float(value)) > 1e-6 * dt:
        low = max(1, int(np.floor(float(value) / dt))) * dt
        raise NetworkError(f"{where}: {what} {float(value)} ms is not a multiple of dt = {dt} ms; "
                           f"give a whole number of steps (e.g. {low:.10g} or {low + dt:.10g} ms), or "
                           f"{otherwise}")
    return steps


class Switchable:
    """Pausing, resuming, stopping and resetting a monitor's recording (the monitor defines
    ``start`` and ``_clear``, and keeps ``_active``)."""

    _active: bool

    def _clear(self) -> None:
        raise NotImplementedError

    def pause(self) -> None:
        """Pause recording; :meth:`resume` continues."""
        self._active = False

    def resume(self) -> None:
        """Resume a paused recording."""
        self._active = True

    def stop(self) -> None:
        """Stop recording and discard what was recorded and not yet retrieved."""
        self._active = False
        self._clear()

    def reset(self) -> None:
        """Discard what was recorded."""
        self._clear()
