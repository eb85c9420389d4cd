"""Spike trains and rates of a run or a sweep as an NWB file (``pynwb``, the ``nwb`` extra).

Each recorded neuron of each run becomes one row of NWB's ``Units`` table: its spike
times (in seconds, as NWB stores them), and as columns its rank, its firing rate, and the
run's index, trial, seed and parameter values. The population rate of every run is a
``TimeSeries`` (time by run) in the processing module ``rates``; the dataset's attributes
(time step, duration, seed, model, versions, parameters and their units) are kept as JSON
in the file's ``notes``.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from dasksnn.errors import ArgumentTypeError
from dasksnn.results.layout import DONE

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["to_nwb"]


def to_nwb(ds: xr.Dataset, path: str | os.PathLike, population: str | None = None, run: Any = None, *,
           session_description: str | None = None, session_start_time: datetime | None = None) -> None:
    """Write the spike trains and rates of one population of ``ds`` to the NWB file ``path``.

    Parameters
    ----------
    ds : xarray.Dataset
        One run (``net.results()``) or a sweep.
    path : str or path-like
        The NWB (HDF5) file to write.
    population : str, optional
        Prefix of the spike variables; needed when several populations recorded spikes.
    run : int or list of int, optional
        Runs of a sweep to write (default: every run done).
    session_description : str, optional
        NWB's required description (default: names the population and the runs).
    session_start_time : datetime.datetime, optional
        NWB's required start time (default: now, in UTC).

    Examples
    --------
    >>> ds.snn.to_nwb("sweep.nwb", population="exc")  # doctest: +SKIP
    >>> from pynwb import NWBHDF5IO  # doctest: +SKIP
    >>> units = NWBHDF5IO("sweep.nwb", "r").read().units.to_dataframe()  # doctest: +SKIP
    """
    try:
        from hdmf.common import VectorData, VectorIndex
        from pynwb import NWBHDF5IO, NWBFile, TimeSeries
        from pynwb.misc import Units
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("to_nwb needs pynwb: pip install 'dasksnn[nwb]'") from exc
    if not isinstance(path, str | os.PathLike):
        raise ArgumentTypeError(f"to_nwb(): path must be a file path (str or os.PathLike), got {path!r}")
    snn = ds.snn
    pop = snn._population(population, "to_nwb()")
    sweep = "run" in ds.dims
    if sweep:
        runs = snn.select_runs(run) if run is not None else np.flatnonzero(ds["status"].values == DONE) \
            if "status" in ds.coords else np.arange(ds.sizes["run"])
    else:
        runs = None
    times, ranks, owner = snn._events(pop, runs)
    neurons = np.asarray(ds[f"{pop}_neuron"].values, dtype=np.int64)
    n, n_runs = neurons.size, 1 if runs is None else runs.size
    position = np.full(int(neurons.max(initial=-1)) + 1, -1, np.int64)
    position[neurons] = np.arange(n)
    unit = owner * n + position[ranks]  # row of each spike: run, then neuron
    order = np.lexsort((times, unit))
    counts = np.bincount(unit, minlength=n_runs * n)
    duration_s = float(ds.attrs["duration"]) / 1000.0

    spike_times = VectorData(name="spike_times", description="spike times (s)", data=times[order] / 1000.0)
    columns = [
        spike_times,
        VectorIndex(name="spike_times_index", data=np.cumsum(counts), target=spike_times),
        VectorData(name="neuron", description=f"rank of the neuron in population '{pop}'",
                   data=np.tile(neurons, n_runs)),
        VectorData(name="firing_rate", description="firing rate over the simulated duration (Hz)",
                   data=counts / duration_s),
    ]
    if sweep:
        per_run = {"run": ("index of the run in the sweep", runs),
                   "trial": ("trial of the run", ds["trial"].values[runs]),
                   "seed": ("seed of the run's network", ds["seed"].values[runs].astype(np.uint64))}
        for name in snn.parameters:
            attrs = snn.attrs_of(name)
            described = attrs.get("long_name", f"swept parameter {name}")
            per_run[name] = (described + (f" ({attrs['units']})" if attrs.get("units") else ""), ds[name].values[runs])
        columns += [VectorData(name=name, description=text, data=np.repeat(values, n))
                    for name, (text, values) in per_run.items()]
    what = f"{n} neurons of population '{pop}'" + (f" in each of {n_runs} runs" if sweep else "")
    units = Units(name="units", id=np.arange(n_runs * n), columns=columns, description=f"spike trains of {what}")

    attrs = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in ds.attrs.items()}
    nwb = NWBFile(session_description=session_description or f"dasksnn simulation: {what}",
                  identifier=str(uuid.uuid4()), session_start_time=session_start_time or datetime.now(UTC),
                  notes=json.dumps(attrs, default=str))
    nwb.units = units
    rate = ds.get(f"{pop}_rate")
    if rate is not None:
        values = rate.values[runs].T if sweep else rate.values[:, None]
        module = nwb.create_processing_module("rates", "population rates computed by dasksnn")
        module.add(TimeSeries(name=f"{pop}_rate", data=values, unit="Hz",
                              timestamps=rate[rate.dims[-1]].values / 1000.0,
                              description=f"population rate of '{pop}' (Hz); one column per run, as in the units' "
                                          "'run' column" if sweep else f"population rate of '{pop}' (Hz)"))
    with NWBHDF5IO(os.fspath(path), "w") as io:
        io.write(nwb)
