"""Trials of one network, and where they run: hnn-core's backends as context managers.

``with DaskBackend(client=...):`` or ``with SequentialBackend():`` around
``simulate_trials(net, n_trials=...)`` chooses where the trials run, as hnn-core's
``with MPIBackend(...): simulate_dipole(net, ...)`` does. A backend is only the
``client=``/``sequential=`` arguments of :func:`sweep`, held in a context variable:
trials are a sweep without parameters, run and stored by the same machinery.
"""

from __future__ import annotations

import contextvars
import functools
import os
import pickle
from typing import Any

import numpy as np

from dasksnn.errors import ArgumentError, ArgumentTypeError
from dasksnn.network import Network

__all__ = ["SequentialBackend", "DaskBackend", "simulate_trials"]

_BACKEND: contextvars.ContextVar[_Backend | None] = contextvars.ContextVar("dasksnn_trials_backend", default=None)


class _Backend:
    """Where trials run: the arguments it gives :func:`sweep` (a context manager setting itself as current)."""

    def __init__(self) -> None:
        self._tokens: list[contextvars.Token] = []

    def sweep_args(self) -> dict[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def __enter__(self) -> _Backend:
        self._tokens.append(_BACKEND.set(self))
        return self

    def __exit__(self, *exc: object) -> None:
        _BACKEND.reset(self._tokens.pop())


class SequentialBackend(_Backend):
    """Run trials one after the other in this process (``sweep(..., sequential=True)``).

    Examples
    --------
    >>> with SequentialBackend():  # doctest: +SKIP
    ...     ds = simulate_trials(net, n_trials=5, duration=200.0)
    """

    def sweep_args(self) -> dict[str, Any]:
        return {"sequential": True}

    def __repr__(self) -> str:
        return "SequentialBackend()"


class DaskBackend(_Backend):
    """Run trials as Dask tasks: on ``client``, else the active client, else dasksnn's LocalCluster.

    Parameters
    ----------
    client : distributed.Client, optional
        Where to run (as ``client=`` of :func:`sweep`).
    max_processes : int, default -1
        Worker processes of the LocalCluster dasksnn starts when there is no client
        (-1: one per core).

    Examples
    --------
    >>> from distributed import Client  # doctest: +SKIP
    >>> with DaskBackend(client=Client(cluster)):  # doctest: +SKIP
    ...     ds = simulate_trials(net, n_trials=20, duration=200.0)
    """

    def __init__(self, client: Any = None, max_processes: int = -1) -> None:
        super().__init__()
        self.client, self.max_processes = client, max_processes

    def sweep_args(self) -> dict[str, Any]:
        return {"client": self.client, "max_processes": self.max_processes}

    def __repr__(self) -> str:
        return f"DaskBackend(client={self.client!r}, max_processes={self.max_processes})"


def _trial_network(blob: bytes) -> Network:
    """A fresh copy of the network of :func:`simulate_trials`, for one trial (the sweep seeds it)."""
    return pickle.loads(blob)


def simulate_trials(net: Network, n_trials: int, duration: float, *, signal: str | None = None,
                    seed: int | np.random.SeedSequence | None = None, rate_bin: float | None = None,
                    store: str | os.PathLike | None = None, progress: bool = True) -> Any:
    """Simulate ``n_trials`` copies of ``net``, each with its own seed, where the current backend says.

    Parameters
    ----------
    net : Network
        The network, not compiled: each trial compiles a copy seeded with its own seed
        (connectivity, initial values and noise are drawn again).
    n_trials : int
        Number of trials.
    duration : float
        Simulated time of each trial in ms.
    signal : str, optional
        A recorded variable ``<pop>_<var>`` (e.g. a synaptic current) summed over the
        population into ``signal``, on ``(trial, time)``: a population signal such as an
        LFP proxy (hnn-core's dipole).
    seed : int or numpy.random.SeedSequence, optional
        Root seed: trial ``i`` gets child ``i`` (as in :func:`sweep`).
    rate_bin, store, progress
        As for :func:`sweep`.

    Returns
    -------
    xarray.Dataset
        The dense variables of :meth:`Network.results` with a leading ``trial``
        dimension (the ``grid()`` of a sweep of ``n_trials`` trials; its spikes are in
        ``store`` when given), and ``signal`` when asked.

    Notes
    -----
    Where trials run: inside ``with SequentialBackend():`` in this process; inside
    ``with DaskBackend(client=...):`` on that client; otherwise as a :func:`sweep` does
    (the active client, else dasksnn's LocalCluster).

    Examples
    --------
    >>> with DaskBackend():  # doctest: +SKIP
    ...     ds = simulate_trials(net, n_trials=10, duration=500.0, signal="pop_I_syn")
    >>> ds.signal.mean("trial").plot()  # doctest: +SKIP
    """
    from dasksnn.parallel.sweep import sweep

    if not isinstance(net, Network):
        raise ArgumentTypeError(f"simulate_trials: net must be a Network, got {net!r}")
    if net.compiled:
        raise ArgumentError("simulate_trials: give the network before compile(); each trial compiles its own "
                            "copy, seeded with its own seed")
    backend = _BACKEND.get() or DaskBackend()
    ds = sweep(functools.partial(_trial_network, pickle.dumps(net)), {}, trials=n_trials, duration=duration,
               seed=seed, rate_bin=rate_bin, store=store, progress=progress, **backend.sweep_args())
    trials = ds.snn.grid()
    if signal is not None:
        if signal not in trials:
            recorded = [n for n, v in trials.data_vars.items() if "time" in v.dims and v.ndim == 3]
            raise ArgumentError(f"simulate_trials: signal={signal!r} is not a recorded variable (recorded on time "
                                f"and neurons: {', '.join(recorded) or 'none'}); record it with a Monitor")
        var = trials[signal]
        neuron_dim = next(d for d in var.dims if d.endswith("_neuron"))
        attrs = {"long_name": f"{var.attrs.get('long_name', signal)}, summed over the population"}
        if "units" in var.attrs:
            attrs["units"] = var.attrs["units"]
        trials["signal"] = var.sum(neuron_dim).assign_attrs(attrs)
    trials.attrs["backend"] = repr(backend)
    return trials
