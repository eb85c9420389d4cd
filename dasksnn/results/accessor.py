"""The ``ds.snn`` accessor: reshape a sweep, read spikes, weights and whole runs, analyse them, plot them.

Analyses call :mod:`dasksnn.analysis` once over the events of every run selected, keyed
by ``run * n_neurons + rank``: a sweep is analysed at once, never spike by spike. Spikes
and synapses are read through one mechanism, the slices ``<dim>_start:<dim>_stop`` of
ragged dims (:mod:`dasksnn.results.layout`).
"""

from __future__ import annotations

import itertools
import json
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from dasksnn import analysis
from dasksnn.errors import ArgumentError, ArgumentTypeError
from dasksnn.results.layout import DONE, ragged_dims, spike_dims, synapse_dims

if TYPE_CHECKING:
    from dasksnn.plotting import SnnPlots

__all__ = ["SnnAccessor", "label_coordinates"]

_RUN_ATTRS = {"trial": {"long_name": "trial", "units": "1"},
              "seed": {"long_name": "seed of the run's network"},
              "run": {"long_name": "run", "units": "1"}}


def label_coordinates(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with CF attributes on its run coordinates: swept parameters' ``units`` and
    ``long_name`` (from :func:`dasksnn.param`, kept in the ``parameter_attrs`` attribute),
    and those of ``trial``, ``seed`` and ``run``. Changes ``ds`` in place and returns it."""
    attrs = {**_RUN_ATTRS, **json.loads(ds.attrs.get("parameter_attrs", "{}") or "{}")}
    for name, extra in attrs.items():
        if name in ds.coords:
            ds.variables[name].attrs.update(extra)  # in place: the variables of indexed coordinates
    return ds


@xr.register_dataset_accessor("snn")
class SnnAccessor:
    """dasksnn's views of a result dataset (one run, or a sweep with a ``run`` dimension), as ``ds.snn``.

    Examples
    --------
    >>> ds = ann.sweep(build, params={"we": [1.0, 2.0]}, trials=3, duration=100.0)  # doctest: +SKIP
    >>> ds.snn.grid()["exc_mean_rate"].mean("trial")  # doctest: +SKIP
    >>> t, n = ds.snn.spikes(run=4, population="exc")  # doctest: +SKIP
    >>> ds.snn.trial_stats("exc_mean_rate")  # mean and standard error per parameter  # doctest: +SKIP
    >>> ds.snn.plot.sweep("exc_mean_rate", x="we")  # doctest: +SKIP
    """

    def __init__(self, ds: xr.Dataset) -> None:
        self._ds = ds

    @property
    def parameters(self) -> list[str]:
        """Names of the swept parameters (empty for a single run)."""
        return json.loads(self._ds.attrs.get("parameters", "[]"))

    def attrs_of(self, name: str) -> dict[str, Any]:
        """Attributes (``units``, ``long_name``) of a variable or coordinate, a swept parameter's included."""
        stored = json.loads(self._ds.attrs.get("parameter_attrs", "{}") or "{}").get(name, {})
        own = dict(self._ds[name].attrs) if name in self._ds.variables else {}
        return {**_RUN_ATTRS.get(name, {}), **stored, **own}

    @property
    def plot(self) -> SnnPlots:
        """Figures of this dataset: ``raster``, ``rate``, ``isi``, ``sweep``, ``heatmap`` (needs matplotlib)."""
        from dasksnn.plotting import SnnPlots

        return SnnPlots(self)

    # ------------------------------------------------------------ shapes
    def grid(self, obj: xr.Dataset | xr.DataArray | None = None) -> Any:
        """The sweep (or ``obj``, per run) with one dimension per swept parameter and ``trial`` instead of ``run``.

        Parameters
        ----------
        obj : xarray.Dataset or xarray.DataArray, optional
            Something with the sweep's ``run`` dimension and coordinates, e.g.
            ``ds.snn.cv()`` (default: the sweep itself).

        Notes
        -----
        Ragged variables are left out: spike events and synapses (read them with
        :meth:`spikes`, :meth:`weights` or :meth:`results`, which take parameter values);
        runs that are missing or failed are NaN (or 0 for integer variables).
        """
        ds = self._require_sweep("grid()")
        target = ds if obj is None else obj
        name = None
        if isinstance(target, xr.DataArray):
            name = target.name if target.name is not None else "values"
            target = target.to_dataset(name=name)
        elif not isinstance(target, xr.Dataset):
            raise ArgumentTypeError(f"grid(): obj must be an xarray Dataset or DataArray along 'run', got {obj!r}")
        if "run" not in target.dims:
            raise ArgumentError("grid(): obj has no 'run' dimension to reshape")
        ragged = ragged_dims(target)
        events = [n for n, var in target.variables.items() if set(var.dims) & set(ragged)]
        index = [*self.parameters, "trial"]
        along_run = [c for c in target.coords if c != "run" and target[c].dims == ("run",)]
        target = target.drop_vars(events).drop_indexes([c for c in along_run if c in target.xindexes])
        target = target.reset_coords([c for c in along_run if c not in index])
        if len(index) == 1:  # no parameters: runs are trials
            out = target.swap_dims(run="trial").drop_vars("run")
        else:
            out = target.set_index(run=index).unstack("run").transpose(*index, ...)
        for coord in index:  # unstack makes new coordinates: carry units and long names over
            out.coords[coord].attrs.update(self.attrs_of(coord))
        return out if name is None else out[name]

    def select_runs(self, run: int | list[int] | np.ndarray | None = None, **values: Any) -> np.ndarray:
        """Indices of the runs given, or of the runs whose coordinates have ``values`` (``we=1.0, trial=0``)."""
        ds = self._require_sweep("select_runs()")
        if run is not None and values:
            raise ArgumentError("give run= or parameter values, not both")
        if run is not None:
            runs = np.atleast_1d(np.asarray(run))
            if runs.ndim != 1 or not np.issubdtype(runs.dtype, np.integer):
                raise ArgumentTypeError(f"run must be an index or a list of indices along 'run', got {run!r}")
            if runs.size and (runs.min() < -ds.sizes["run"] or runs.max() >= ds.sizes["run"]):
                raise ArgumentError(f"run={run!r} is out of range: the sweep has {ds.sizes['run']} runs")
            return runs % ds.sizes["run"]
        mask = np.ones(ds.sizes["run"], bool)
        for name, value in values.items():
            if name not in ds.coords or ds[name].dims != ("run",):
                coords = [c for c in ds.coords if c != "run" and ds[c].dims == ("run",)]
                raise ArgumentError(f"no run coordinate '{name}' (coordinates: {', '.join(coords)})")
            mask &= np.isin(ds[name].values, np.atleast_1d(value))
        if not mask.any():
            raise ArgumentError(f"no run has {', '.join(f'{k}={v!r}' for k, v in values.items())}")
        return np.flatnonzero(mask)

    # ------------------------------------------------------------ spikes
    def spikes(self, run: int | list[int] | None = None, population: str | None = None,
               **values: Any) -> Any:
        """Spike times (ms) and neuron ranks, ready for ``plt.plot(t, n, '.')``.

        Parameters
        ----------
        run : int or list of int, optional
            Index along ``run`` (a sweep needs ``run`` or parameter values).
        population : str, optional
            Prefix of the variables (the population's name); needed when several
            populations recorded spikes.
        **values
            Coordinates of the runs wanted, e.g. ``we=1.0`` or ``we=1.0, trial=2``.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray) or list of them
            ``(t, n)`` for one run (a single run's dataset, or an integer ``run``); a
            list of ``(t, n)``, one per run in run order, for a list of runs or
            parameter values.
        """
        pop = self._population(population, "spikes()")
        if "run" not in self._ds.dims:
            if run is not None or values:
                raise ArgumentError("spikes(): this dataset holds one run; give no run= or parameter values")
            times, ranks, _ = self._events(pop, None)
            return times, ranks
        if run is None and not values:
            raise ArgumentError("spikes(): this is a sweep; give run= (an index or a list of indices along 'run') "
                                "or parameter values (e.g. we=1.0)")
        runs = self.select_runs(run, **values)
        times, ranks, owner = self._events(pop, runs)
        bounds = np.searchsorted(owner, np.arange(runs.size + 1))
        parts = [(times[a:b], ranks[a:b]) for a, b in itertools.pairwise(bounds)]
        return parts[0] if isinstance(run, int | np.integer) else parts

    def isi(self, run: int | list[int] | None = None, population: str | None = None, **values: Any) -> np.ndarray:
        """Inter-spike intervals (ms) of every neuron of the runs selected (as :meth:`spikes`), pooled."""
        pop = self._population(population, "isi()")
        runs = self.select_runs(run, **values) if "run" in self._ds.dims else None
        times, ranks, owner = self._events(pop, runs)
        keys = owner * self._n_ranks(pop) + ranks
        return analysis.inter_spike_intervals(times, keys)[0]

    # ------------------------------------------------------------ synapses, whole runs
    def weights(self, run: int | list[int] | None = None, projection: str | None = None, **values: Any) -> Any:
        """Final weights of a plastic projection's synapses, with their pre and post ranks.

        Parameters
        ----------
        run : int or list of int, optional
            Index along ``run`` (a sweep needs ``run`` or parameter values).
        projection : str, optional
            The projection's name; needed when several plastic projections are in the results.
        **values
            Coordinates of the runs wanted, e.g. ``we=1.0`` or ``we=1.0, trial=2``.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray, numpy.ndarray) or list of them
            ``(pre, post, w)`` for one run, synapses in dendrite order (post rank, then pre
            rank; ``w`` is ``np.concatenate(proj.w)`` of the run's network at its end); a
            list of them, one per run in run order, for a list of runs or parameter values.
            Each run has its own synapses (random connectivity is drawn again each run).

        Examples
        --------
        >>> pre, post, w = ds.snn.weights(run=3, projection="learn")  # doctest: +SKIP
        >>> matrix = scipy.sparse.coo_array((w, (post, pre)))  # doctest: +SKIP
        """
        proj = self._projection(projection, "weights()")
        names = [f"{proj}_pre", f"{proj}_post", f"{proj}_final_w"]
        if "run" not in self._ds.dims:
            if run is not None or values:
                raise ArgumentError("weights(): this dataset holds one run; give no run= or parameter values")
            pre, post, w = self._ragged(f"{proj}_synapse", names, None)[0]
            return pre.astype(np.int64), post.astype(np.int64), w
        if run is None and not values:
            raise ArgumentError("weights(): this is a sweep; give run= (an index or a list of indices along 'run') "
                                "or parameter values (e.g. we=1.0)")
        runs = self.select_runs(run, **values)
        (pre, post, w), owner = self._ragged(f"{proj}_synapse", names, runs)
        bounds = np.searchsorted(owner, np.arange(runs.size + 1))
        parts = [(pre[a:b].astype(np.int64), post[a:b].astype(np.int64), w[a:b]) for a, b in itertools.pairwise(bounds)]
        return parts[0] if isinstance(run, int | np.integer) else parts

    def results(self, run: int | None = None, **values: Any) -> xr.Dataset:
        """One run of a sweep as its network's :meth:`~dasksnn.Network.results` gave it.

        Per-run variables at that run, and its own slice of every ragged dim: its spike
        events, its synapses (final weights, recorded synaptic variables on
        ``(time, <proj>_synapse)``, pre and post ranks). The run's coordinates (parameters,
        ``trial``, ``seed``, ``status``) stay as scalar coordinates. From a store, only
        that run's part of each array is read.

        Parameters
        ----------
        run : int, optional
            Index along ``run``.
        **values
            Coordinates that select one run, e.g. ``we=1.0, trial=2``.

        Examples
        --------
        >>> one = ds.snn.results(run=3)  # doctest: +SKIP
        >>> one.learn_w.plot()  # a monitor of w, over (time, learn_synapse)  # doctest: +SKIP
        """
        ds = self._require_sweep("results()")
        if run is not None and not isinstance(run, int | np.integer):
            raise ArgumentTypeError(f"results(): run must be one index along 'run', got {run!r}")
        runs = self.select_runs(run, **values)
        if runs.size != 1:
            raise ArgumentError(f"results(): {', '.join(f'{k}={v!r}' for k, v in values.items())} selects "
                                f"{runs.size} runs; give values that select one (e.g. trial=0) or run=")
        r = int(runs[0])
        ragged = ragged_dims(ds)
        parts = {dim: slice(int(ds[f"{dim}_start"].values[r]), int(ds[f"{dim}_stop"].values[r])) for dim in ragged}
        offsets = [f"{dim}_{end}" for dim in ragged for end in ("start", "stop")]
        return ds.isel({"run": r, **parts}).drop_vars(offsets)

    # ------------------------------------------------------------ analyses per run
    def rates(self, population: str | None = None) -> xr.DataArray:
        """Firing rate (Hz) of each recorded neuron over the simulated duration, per run."""
        pop = self._population(population, "rates()")
        _, keys, n_keys = self._keyed(pop)
        rates = analysis.firing_rates(keys, n_keys, float(self._ds.attrs["duration"]))
        return self._per_neuron(pop, rates, f"firing rate of {pop}'s neurons", "Hz", f"{pop}_firing_rate")

    def cv(self, population: str | None = None, min_intervals: int = 2) -> xr.DataArray:
        """Coefficient of variation of each recorded neuron's inter-spike intervals, per run.

        NaN for neurons with fewer than ``min_intervals`` intervals; ``.mean(f"{pop}_neuron")``
        skips them.
        """
        pop = self._population(population, "cv()")
        times, keys, n_keys = self._keyed(pop)
        cv = analysis.coefficient_of_variation(times, keys, n_keys, min_intervals)
        return self._per_neuron(pop, cv, f"coefficient of variation of {pop}'s inter-spike intervals", "1",
                                f"{pop}_cv")

    def population_rate(self, population: str | None = None, bin: float | None = None,
                        smooth: float = 0.0) -> xr.DataArray:
        """Population rate (Hz) in bins of ``bin`` ms (default ``dt``), smoothed by a Gaussian of ``smooth`` ms.

        Over the simulated time ``[0, duration)``, per run; the recorded neurons are
        those of the ``<pop>_neuron`` coordinate.
        """
        pop = self._population(population, "population_rate()")
        dt, duration = float(self._ds.attrs["dt"]), float(self._ds.attrs["duration"])
        width = 1 if bin is None else round(bin / dt)
        if bin is not None and (width < 1 or abs(width * dt - bin) > 1e-6 * dt):
            raise ArgumentError(f"population_rate(): bin={bin!r} ms must be a positive multiple of dt = {dt} ms")
        runs = np.arange(self._ds.sizes["run"]) if "run" in self._ds.dims else None
        times, _, owner = self._events(pop, runs)
        stop = round(duration / dt)
        n_groups = 1 if runs is None else runs.size
        rate = analysis.population_rate(np.rint(times / dt).astype(np.int64), self._ds.sizes[f"{pop}_neuron"], dt,
                                        0, stop, width, owner, n_groups)
        rate = analysis.smoothed_rate(rate, smooth, width * dt)
        dim = f"{pop}_rate_bin"
        coords = {dim: xr.Variable(dim, np.arange(rate.shape[-1]) * width * dt,
                                   {"units": "ms", "long_name": "time (start of the bin)"})}
        what = f"population rate of {pop}" + (f", smoothed over {smooth} ms" if smooth else "")
        rate = rate if runs is not None else rate[0]
        return self._per_run(rate, (dim,), coords, what, "Hz", f"{pop}_population_rate")

    # ------------------------------------------------------------ over trials
    def trial_stats(self, var: str | xr.DataArray) -> xr.Dataset:
        """Mean, standard deviation and standard error over trials, one value per combination of parameters.

        Parameters
        ----------
        var : str or xarray.DataArray
            A variable of the sweep, or something per run (e.g. ``ds.snn.cv().mean("pop_neuron")``).

        Returns
        -------
        xarray.Dataset
            ``mean``, ``std`` (``ddof=1``), ``sem`` (``std / sqrt(n)``) and ``n`` (trials
            done), with the parameters as dimensions and coordinates; runs missing or
            failed are left out.
        """
        ds = self._require_sweep("trial_stats()")
        da = ds[var] if isinstance(var, str) else var
        if not isinstance(da, xr.DataArray):
            raise ArgumentTypeError(f"trial_stats(): var must be a variable name or a DataArray, got {var!r}")
        if "status" in ds.coords and "run" in da.dims:
            da = da.where(ds["status"] == DONE)
        grid = self.grid(da)
        with warnings.catch_warnings():  # one trial: std is NaN, as it should be
            warnings.simplefilter("ignore", RuntimeWarning)
            n = grid.notnull().sum("trial")
            mean, std = grid.mean("trial"), grid.std("trial", ddof=1)
        what, units = da.attrs.get("long_name", da.name or "value"), da.attrs.get("units")
        unit = {"units": units} if units else {}
        out = xr.Dataset({
            "mean": mean.assign_attrs(long_name=what, **unit),
            "std": std.assign_attrs(long_name=f"standard deviation over trials of {what}", **unit),
            "sem": (std / np.sqrt(n)).assign_attrs(long_name=f"standard error of the mean of {what}", **unit),
            "n": n.assign_attrs(long_name="trials done", units="1"),
        })
        return out.drop_vars([c for c in out.coords if c not in out.dims])

    def to_nwb(self, path: Any, population: str | None = None, run: Any = None, **kwargs: Any) -> None:
        """Write spike trains and rates to an NWB file (needs pynwb); see :func:`dasksnn.results.nwb.to_nwb`."""
        from dasksnn.results.nwb import to_nwb

        to_nwb(self._ds, path, population, run, **kwargs)

    # ------------------------------------------------------------ helpers
    def _population(self, population: str | None, what: str) -> str:
        names = [dim.removesuffix("_spike") for dim in spike_dims(self._ds)]
        if population is None:
            if len(names) != 1:
                raise ArgumentError(f"{what}: give population= one of {', '.join(names) or 'none recorded spikes'}")
            return names[0]
        if population not in names:
            raise ArgumentError(f"{what}: no spikes of '{population}' (recorded: {', '.join(names) or 'none'})")
        return population

    def _projection(self, projection: str | None, what: str) -> str:
        names = [name for dim in synapse_dims(self._ds)
                 if f"{(name := dim.removesuffix('_synapse'))}_final_w" in self._ds.variables]
        if projection is None:
            if len(names) != 1:
                raise ArgumentError(f"{what}: give projection= one of {', '.join(names) or 'none is plastic'}")
            return names[0]
        if projection not in names:
            raise ArgumentError(f"{what}: no final weights of '{projection}' (plastic projections: "
                                f"{', '.join(names) or 'none'})")
        return projection

    def _events(self, pop: str, runs: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Times, ranks and position in ``runs`` of the events of ``runs`` (all events of one run's dataset)."""
        dim = f"{pop}_spike"
        (times, ranks), owner = self._ragged(dim, [f"{dim}_time", f"{dim}_neuron"], runs)
        return times, ranks.astype(np.int64), owner

    def _ragged(self, dim: str, names: list[str], runs: np.ndarray | None) -> tuple[list[np.ndarray], np.ndarray]:
        """The rows (along ragged ``dim``, which comes first) of variables ``names`` of ``runs``, run after
        run (all rows of one run's dataset), and the position in ``runs`` of each row's run."""
        variables = [self._ds[name].variable.transpose(dim, ...) for name in names]
        if runs is None:
            return [np.asarray(var.values) for var in variables], np.zeros(self._ds.sizes[dim], np.int64)
        start = np.asarray(self._ds[f"{dim}_start"].values)[runs]
        lengths = np.asarray(self._ds[f"{dim}_stop"].values)[runs] - start
        offsets = np.cumsum(lengths) - lengths
        # the rows of each run in turn, without a loop: run i's slice starts at start[i]
        index = np.arange(lengths.sum()) - np.repeat(offsets - start, lengths)
        if index.size and index.max() - index.min() + 1 < self._ds.sizes[dim] // 2:
            lo = index.min()  # read only the span needed from a store
            values = [np.asarray(var[lo:index.max() + 1].values)[index - lo] for var in variables]
        else:
            values = [np.asarray(var.values)[index] for var in variables]
        return values, np.repeat(np.arange(runs.size), lengths)

    def _n_ranks(self, pop: str) -> int:
        """One more than the highest rank recorded (the size of a view's population may be larger)."""
        neurons = self._ds[f"{pop}_neuron"].values
        return int(neurons.max()) + 1 if neurons.size else 0

    def _keyed(self, pop: str) -> tuple[np.ndarray, np.ndarray, int]:
        """Times, ``run * n + rank`` keys and the number of keys, over every run."""
        runs = np.arange(self._ds.sizes["run"]) if "run" in self._ds.dims else None
        times, ranks, owner = self._events(pop, runs)
        n = self._n_ranks(pop)
        return times, owner * n + ranks, n * (1 if runs is None else runs.size)

    def _per_neuron(self, pop: str, values: np.ndarray, what: str, units: str, name: str) -> xr.DataArray:
        """Per-key values (``run * n + rank``) as a DataArray over the recorded neurons (and runs)."""
        neuron = self._ds[f"{pop}_neuron"]
        values = values.reshape(-1, self._n_ranks(pop))[:, neuron.values]
        return self._per_run(values if "run" in self._ds.dims else values[0], (neuron.name,),
                             {neuron.name: neuron.variable}, what, units, name)

    def _per_run(self, values: np.ndarray, dims: tuple[str, ...], coords: dict[str, Any], what: str,
                 units: str, name: str) -> xr.DataArray:
        ds = self._ds
        if "run" in ds.dims:
            dims = ("run", *dims)
            coords = {**coords, **{c: ds[c].variable for c in ds.coords if ds[c].dims == ("run",)}}
        return xr.DataArray(values, dims=dims, coords=coords, name=name, attrs={"long_name": what, "units": units})

    def _require_sweep(self, what: str) -> xr.Dataset:
        if "run" not in self._ds.dims:
            raise ArgumentError(f"{what} needs a sweep dataset (with a 'run' dimension)")
        return self._ds
