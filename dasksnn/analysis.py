"""Spike train analysis over plain arrays: counts, rates, inter-spike intervals, smoothing.

One implementation, called by :class:`~dasksnn.Monitor`'s ANNarchy-style methods, by the
datasets of results and by ``ds.snn``. Every function takes flat arrays of spike times
(or steps) and of the rank of the neuron that spiked, as monitors and datasets hold them,
and works on all spikes at once (no Python loop over spikes). Where a function takes
``ranks`` and a number of neurons, the ranks may be any integer keys below that number:
``ds.snn`` passes ``run * n_neurons + rank`` to analyse every run of a sweep in one call.

Times are in ms, rates in Hz.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "spike_counts", "mean_rate", "firing_rates", "population_rate", "gaussian_smooth", "smoothed_rate",
    "low_pass", "instantaneous_rates",
    "inter_spike_intervals", "coefficient_of_variation", "isi_histogram", "spikes_by_neuron",
]


def spike_counts(steps: np.ndarray, start: int, stop: int, bin_steps: int = 1, groups: np.ndarray | None = None,
                 n_groups: int = 1) -> np.ndarray:
    """Spikes per bin of ``bin_steps`` steps over the recorded steps ``[start, stop)``.

    The last bin may be shorter. Spike steps outside the span are not counted.

    Parameters
    ----------
    steps : numpy.ndarray of int
        Step of each spike.
    start, stop : int
        Recorded span, in steps.
    bin_steps : int, default 1
        Width of a bin in steps.
    groups : numpy.ndarray of int, optional
        Group of each spike (below ``n_groups``), e.g. its run; the counts then have one
        row per group.
    n_groups : int, default 1
        Number of groups.

    Returns
    -------
    numpy.ndarray of int
        Shape ``(n_bins,)``, or ``(n_groups, n_bins)`` with ``groups``.

    Examples
    --------
    >>> spike_counts(np.array([0, 1, 1, 5]), 0, 6, 2)
    array([3, 0, 1])
    >>> spike_counts(np.array([0, 1, 1, 5]), 0, 6, 2, groups=np.array([0, 1, 1, 0]), n_groups=2)
    array([[1, 0, 1],
           [2, 0, 0]])
    """
    n_bins = max(0, -(-(stop - start) // bin_steps))
    steps = np.asarray(steps, dtype=np.int64)
    inside = (steps >= start) & (steps < stop)
    bins = (steps[inside] - start) // bin_steps
    if groups is None:
        return np.bincount(bins, minlength=n_bins)[:n_bins] if n_bins else np.zeros(0, np.int64)
    keys = np.asarray(groups, dtype=np.int64)[inside] * n_bins + bins
    return np.bincount(keys, minlength=n_groups * n_bins)[:n_groups * n_bins].reshape(n_groups, n_bins)


def mean_rate(n_spikes: int, n_neurons: int, duration_ms: float) -> float:
    """Mean firing rate in Hz of ``n_neurons`` that fired ``n_spikes`` in ``duration_ms``.

    Examples
    --------
    >>> mean_rate(30, 10, 500.0)
    6.0
    """
    return float(n_spikes / (n_neurons * duration_ms / 1000.0)) if n_neurons and duration_ms > 0 else 0.0


def firing_rates(ranks: np.ndarray, n_neurons: int, duration_ms: float) -> np.ndarray:
    """Firing rate in Hz of each neuron (rank ``0 .. n_neurons - 1``) over ``duration_ms``.

    Examples
    --------
    >>> firing_rates(np.array([0, 2, 2, 2]), 3, 500.0)
    array([2., 0., 6.])
    """
    if not duration_ms > 0:
        raise ValueError(f"firing_rates: duration_ms must be > 0, got {duration_ms!r}")
    counts = np.bincount(np.asarray(ranks, dtype=np.int64), minlength=n_neurons)[:n_neurons]
    return counts / (duration_ms / 1000.0)


def population_rate(steps: np.ndarray, n_neurons: int, dt: float, start: int, stop: int, bin_steps: int = 1,
                    groups: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
    """Population rate in Hz: spikes per neuron per second, in bins of ``bin_steps`` steps.

    A shorter last bin is divided by its own width. Parameters as for :func:`spike_counts`;
    ``dt`` is the time step in ms.

    Examples
    --------
    >>> population_rate(np.array([0, 1, 1, 5]), 2, 1.0, 0, 6, 2)
    array([750.,   0., 250.])
    """
    counts = spike_counts(steps, start, stop, bin_steps, groups, n_groups)
    widths = np.minimum(bin_steps, stop - start - bin_steps * np.arange(counts.shape[-1])) * dt / 1000.0
    return counts / (n_neurons * widths) if n_neurons else np.zeros(counts.shape)


def gaussian_smooth(values: np.ndarray, sigma: float) -> np.ndarray:
    """``values`` convolved along their last axis with a normalised Gaussian of ``sigma`` samples.

    The result has the shape of ``values``. Near the edges the kernel is normalised over
    the samples that exist, so that a constant stays constant (no dip at the ends).

    Examples
    --------
    >>> gaussian_smooth(np.array([0.0, 0.0, 4.0, 0.0, 0.0]), 0.0)
    array([0., 0., 4., 0., 0.])
    """
    values = np.asarray(values, dtype=np.float64)
    if sigma <= 0 or values.shape[-1] == 0:
        return values
    half = int(4 * sigma) + 1
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma) ** 2)
    kernel /= kernel.sum()
    flat = values.reshape(-1, values.shape[-1])
    n = flat.shape[-1]
    # the kernel's mass inside the span at each sample: dividing by it corrects the edges
    mass = np.convolve(np.ones(n), kernel, mode="full")[half:half + n]
    # one convolution per row (per run), never per spike
    smoothed = np.stack([np.convolve(row, kernel, mode="full")[half:half + n] for row in flat]) / mass
    return smoothed.reshape(values.shape)


def smoothed_rate(rate: np.ndarray, smooth: float, bin_width: float) -> np.ndarray:
    """A population rate (bins of ``bin_width`` ms) smoothed by a Gaussian of ``smooth`` ms.

    Examples
    --------
    >>> smoothed_rate(np.array([0.0, 10.0, 0.0]), 0.0, 0.1)
    array([ 0., 10.,  0.])
    """
    if not smooth >= 0:
        raise ValueError(f"smoothed_rate: smooth must be a number of ms >= 0, got {smooth!r}")
    return gaussian_smooth(rate, smooth / bin_width)


def low_pass(values: np.ndarray, smooth: float, dt: float) -> np.ndarray:
    """``values`` filtered along their last axis by ANNarchy's first-order low-pass filter.

    ``y[0] = x[0]`` and ``y[t + 1] = y[t] + (x[t + 1] - y[t]) * dt / smooth``: an
    exponential moving average of time constant ``smooth`` ms (ANNarchy's
    ``Monitor.population_rate`` and ``smoothed_rate``). ``smooth <= dt`` leaves the values
    as they are (ANNarchy filters the population rate only then, and this function is its
    one implementation).

    Examples
    --------
    >>> low_pass(np.array([0.0, 10.0, 10.0]), 2.0, 1.0)
    array([0. , 5. , 7.5])
    """
    values = np.asarray(values, dtype=np.float64)
    if smooth <= dt or values.shape[-1] == 0:
        return values
    delta = dt / smooth
    out = np.empty_like(values)
    out[..., 0] = values[..., 0]
    for t in range(1, values.shape[-1]):  # a recurrence: one step after the other
        out[..., t] = out[..., t - 1] + (values[..., t] - out[..., t - 1]) * delta
    return out


def instantaneous_rates(steps: np.ndarray, ranks: np.ndarray, neurons: np.ndarray, start: int, stop: int,
                        dt: float) -> np.ndarray:
    """Each neuron's instantaneous rate in Hz per step of ``[start, stop)``, as ANNarchy's
    ``smoothed_rate`` computes it before smoothing: ``1000 / (dt * isi)`` from each spike to
    the next, zero before a neuron's second spike and after its last (and, as ANNarchy, for
    an interval that begins at ``start`` itself).

    Returns
    -------
    numpy.ndarray
        ``(len(neurons), stop - start)``, rows in the order of ``neurons``.

    Examples
    --------
    >>> instantaneous_rates(np.array([1, 3, 7]), np.array([0, 0, 0]), np.array([0]), 0, 9, 1.0)
    array([[  0., 500., 500., 250., 250., 250., 250.,   0.,   0.]])
    """
    rates = np.zeros((len(neurons), max(0, stop - start)))
    steps, ranks = np.asarray(steps, dtype=np.int64), np.asarray(ranks, dtype=np.int64)
    row_of = {int(n): i for i, n in enumerate(np.asarray(neurons).tolist())}
    intervals, owner = inter_spike_intervals(steps.astype(np.float64), ranks)
    order = np.lexsort((steps, ranks))
    firsts = steps[order][1:][ranks[order][1:] == ranks[order][:-1]] - intervals.astype(np.int64)
    for first, isi, rank in zip(firsts.tolist(), intervals.tolist(), owner.tolist(), strict=True):
        if rank in row_of and isi > 0 and first > start:
            rates[row_of[rank], max(first - start, 0):max(first + int(isi) - start, 0)] = 1000.0 / (dt * isi)
    return rates


def inter_spike_intervals(times: np.ndarray, ranks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intervals between consecutive spikes of each neuron, and the neuron of each interval.

    Returns
    -------
    intervals : numpy.ndarray of float
        In the unit of ``times``, grouped by neuron (ascending rank), in time order.
    ranks : numpy.ndarray of int
        The neuron of each interval.

    Examples
    --------
    >>> isi, ranks = inter_spike_intervals(np.array([1.0, 2.0, 4.0, 7.0]), np.array([0, 1, 0, 0]))
    >>> isi, ranks
    (array([3., 3.]), array([0, 0]))
    """
    times = np.asarray(times, dtype=np.float64)
    ranks = np.asarray(ranks, dtype=np.int64)
    order = np.lexsort((times, ranks))
    times, ranks = times[order], ranks[order]
    same = ranks[1:] == ranks[:-1]
    return np.diff(times)[same], ranks[1:][same]


def coefficient_of_variation(times: np.ndarray, ranks: np.ndarray, n_neurons: int,
                             min_intervals: int = 2) -> np.ndarray:
    """Coefficient of variation (standard deviation / mean) of each neuron's inter-spike intervals.

    The standard deviation is that of the intervals themselves (``ddof=0``, as ANNarchy
    and Elephant compute it). Neurons with fewer than ``min_intervals`` intervals get NaN.

    Examples
    --------
    >>> coefficient_of_variation(np.array([0.0, 1.0, 4.0, 0.0, 2.0, 4.0]), np.array([0, 0, 0, 1, 1, 1]), 3)
    array([0.5, 0. , nan])
    """
    intervals, owner = inter_spike_intervals(times, ranks)
    count = np.bincount(owner, minlength=n_neurons)[:n_neurons]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(owner, intervals, minlength=n_neurons)[:n_neurons] / count
        # deviations from each neuron's own mean: no cancellation as in E[x^2] - E[x]^2
        var = np.bincount(owner, (intervals - mean[owner]) ** 2, minlength=n_neurons)[:n_neurons] / count
        cv = np.sqrt(var) / mean
    cv[count < max(1, min_intervals)] = np.nan
    return cv


def isi_histogram(intervals: np.ndarray, bin_width: float, max_isi: float | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of inter-spike intervals in bins of ``bin_width`` (from 0 to ``max_isi``).

    Returns
    -------
    counts, edges : numpy.ndarray
        ``len(edges) == len(counts) + 1``; without ``max_isi`` the bins reach the longest
        interval.

    Examples
    --------
    >>> isi_histogram(np.array([1.0, 1.5, 4.0]), 2.0)
    (array([2, 0, 1]), array([0., 2., 4., 6.]))
    """
    if not bin_width > 0:
        raise ValueError(f"isi_histogram: bin_width must be > 0, got {bin_width!r}")
    intervals = np.asarray(intervals, dtype=np.float64)
    top = max_isi if max_isi is not None else (intervals.max() if intervals.size else bin_width)
    n_bins = max(1, int(np.floor(top / bin_width)) + (max_isi is None))
    edges = np.arange(n_bins + 1) * bin_width
    return np.histogram(intervals, edges)[0], edges


def spikes_by_neuron(steps: np.ndarray, ranks: np.ndarray, neurons: np.ndarray) -> dict[int, list[int]]:
    """Spike steps of each of ``neurons``, in time order: ANNarchy's ``Monitor.get('spike')`` form.

    Examples
    --------
    >>> spikes_by_neuron(np.array([3, 1, 4]), np.array([2, 0, 2]), np.array([0, 1, 2]))
    {0: [1], 1: [], 2: [3, 4]}
    """
    steps, ranks = np.asarray(steps, dtype=np.int64), np.asarray(ranks, dtype=np.int64)
    order = np.lexsort((steps, ranks))
    steps, ranks = steps[order], ranks[order]
    neurons = np.asarray(neurons, dtype=np.int64)
    lo, hi = np.searchsorted(ranks, neurons, "left"), np.searchsorted(ranks, neurons, "right")
    return {int(n): steps[a:b].tolist() for n, a, b in zip(neurons.tolist(), lo.tolist(), hi.tolist(), strict=True)}
