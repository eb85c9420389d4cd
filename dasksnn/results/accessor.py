"""The ``ds.snn`` accessor: reshape a sweep and read spikes of one run."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from dasksnn.errors import ArgumentError
from dasksnn.results.layout import ragged_dims

__all__ = ["SnnAccessor"]


@xr.register_dataset_accessor("snn")
class SnnAccessor:
    """dasksnn's views of a result dataset, as ``ds.snn``.

    Examples
    --------
    >>> ds = ann.sweep(build, params={"we": [1.0, 2.0]}, trials=3, duration=100.0)  # doctest: +SKIP
    >>> ds.snn.grid()["exc_mean_rate"].mean("trial")  # doctest: +SKIP
    >>> t, n = ds.snn.spikes(run=4, population="exc")  # doctest: +SKIP
    """

    def __init__(self, ds: xr.Dataset) -> None:
        self._ds = ds

    @property
    def parameters(self) -> list[str]:
        """Names of the swept parameters (empty for a single run)."""
        return json.loads(self._ds.attrs.get("parameters", "[]"))

    def grid(self) -> xr.Dataset:
        """The sweep with one dimension per swept parameter and ``trial`` instead of ``run``.

        Ragged spike events are left out (read them with :meth:`spikes`); runs that
        are missing or failed are NaN (or 0 for integer variables).
        """
        ds = self._require_sweep("grid()")
        ragged = ragged_dims(ds)
        events = [name for name, var in ds.data_vars.items() if set(var.dims) & set(ragged)]
        index = [*self.parameters, "trial"]
        along_run = [c for c in ds.coords if c != "run" and ds[c].dims == ("run",)]
        ds = ds.drop_vars(events).drop_indexes([c for c in along_run if c in ds.xindexes])
        ds = ds.reset_coords([c for c in along_run if c not in index])
        if len(index) == 1:  # no parameters: runs are trials
            return ds.swap_dims(run="trial").drop_vars("run")
        return ds.set_index(run=index).unstack("run").transpose(*index, ...)

    def spikes(self, run: int | None = None, population: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Spike times (ms) and neuron ranks of one run, ready for ``plt.plot(t, n, '.')``.

        Parameters
        ----------
        run : int, optional
            Index along ``run`` (required for a sweep).
        population : str, optional
            Prefix of the variables (the population's name); needed when several
            populations recorded spikes.
        """
        ds = self._ds
        dims = ragged_dims(ds)
        names = [dim.removesuffix("_spike") for dim in dims]
        if population is None:
            if len(dims) != 1:
                raise ArgumentError(f"spikes(): give population= one of {', '.join(names) or 'none recorded spikes'}")
            population = names[0]
        if population not in names:
            raise ArgumentError(f"spikes(): no spikes of '{population}' (recorded: {', '.join(names) or 'none'})")
        dim = f"{population}_spike"
        times, neurons = ds[f"{dim}_time"], ds[f"{dim}_neuron"]
        if "run" in ds.dims:
            if run is None:
                raise ArgumentError("spikes(): this is a sweep; give run= (an index along 'run')")
            start, stop = int(ds[f"{dim}_start"][run]), int(ds[f"{dim}_stop"][run])
            times, neurons = times[start:stop], neurons[start:stop]
        return np.asarray(times.values), np.asarray(neurons.values)

    def _require_sweep(self, what: str) -> xr.Dataset:
        if "run" not in self._ds.dims:
            raise ArgumentError(f"{what} needs a sweep dataset (with a 'run' dimension)")
        return self._ds
