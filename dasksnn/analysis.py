"""Spike train analysis over plain arrays: counts in bins, rates, smoothing.

One implementation, called by :class:`~dasksnn.Monitor`'s ANNarchy-style methods and by
results; every function takes arrays of spike steps (or times) and the recorded span.
"""

from __future__ import annotations

import numpy as np

__all__ = ["spike_counts", "mean_rate", "gaussian_smooth"]


def spike_counts(steps: np.ndarray, start: int, stop: int, bin_steps: int = 1) -> np.ndarray:
    """Spikes per bin of ``bin_steps`` steps over the recorded steps ``[start, stop)``.

    The last bin may be shorter. Spike steps outside the span are not counted.

    Examples
    --------
    >>> spike_counts(np.array([0, 1, 1, 5]), 0, 6, 2)
    array([3, 0, 1])
    """
    n_bins = -(-(stop - start) // bin_steps)
    if n_bins <= 0:
        return np.zeros(0, np.int64)
    inside = (steps >= start) & (steps < stop)
    return np.bincount((steps[inside] - start) // bin_steps, minlength=n_bins)[:n_bins]


def mean_rate(n_spikes: int, n_neurons: int, duration_ms: float) -> float:
    """Mean firing rate in Hz of ``n_neurons`` that fired ``n_spikes`` in ``duration_ms``."""
    return float(n_spikes / (n_neurons * duration_ms / 1000.0)) if n_neurons and duration_ms > 0 else 0.0


def gaussian_smooth(values: np.ndarray, sigma: float) -> np.ndarray:
    """``values`` convolved with a normalised Gaussian of ``sigma`` samples (same length)."""
    if sigma <= 0:
        return values
    half = int(4 * sigma) + 1
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma) ** 2)
    return np.convolve(values, kernel / kernel.sum(), mode="same")
