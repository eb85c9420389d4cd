"""Many runs in one Dataset along ``run``, in memory or streamed into a Zarr store.

A sweep dataset has a ``run`` dimension whose coordinates are the swept parameters,
``trial`` and ``seed``. Per-run variables gain a leading ``run`` dimension (one Zarr
chunk per run); ragged spike events of all runs are concatenated along
``<pop>_spike``, and ``<pop>_spike_start`` / ``<pop>_spike_stop`` give each run's slice
(as an Awkward ``ListArray``; in a store, slices follow the order runs finished).
``status`` says which runs are missing (0), done (1) or failed (2), ``error`` why.

The client is the only writer of a store: runs are written as they finish, in
batches, then marked done, so an interrupted sweep loses nothing and a re-run computes
only the runs not marked done.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from dasksnn.errors import ArgumentError

__all__ = ["Outcome", "MemorySink", "ZarrSink", "open_results", "MISSING", "DONE", "FAILED"]

MISSING, DONE, FAILED = 0, 1, 2
# chunk length of ragged spike arrays in a store, in events
_EVENT_CHUNK = 1 << 18


@dataclass
class Outcome:
    """What one run sent back: its result, or the error it raised, and how long it took."""

    run: int
    value: Any = None  # a run's dataset in a sweep, the method's return value in parallel_run
    error: str = ""
    timings: dict[str, Any] = field(default_factory=dict)


def ragged_dims(ds: xr.Dataset) -> list[str]:
    """Dims of spike events (``<pop>_spike``), whose lengths differ from run to run."""
    return [dim for dim in ds.dims if dim.endswith("_spike") and f"{dim}_time" in ds]


_BOOKKEEPING = ("status", "error")


def _layout(ds: xr.Dataset) -> tuple[list[str], list[str], list[str]]:
    """Per-run (dense) variables, ragged variables and ragged dims of a run or sweep dataset."""
    ragged = ragged_dims(ds)
    offsets = {f"{dim}_{end}" for dim in ragged for end in ("start", "stop")}
    ragged_vars = [name for name, var in ds.data_vars.items() if set(var.dims) & set(ragged)]
    dense = [name for name in ds.data_vars
             if name not in ragged_vars and name not in offsets and name not in _BOOKKEEPING]
    return dense, ragged_vars, ragged


def _fill(dtype: np.dtype) -> Any:
    return np.nan if np.issubdtype(dtype, np.floating) else 0


def _template(first: xr.Dataset, coords: dict[str, np.ndarray], attrs: dict[str, Any],
              full: Callable[[tuple[int, ...], np.dtype, Any, tuple[int, ...]], Any]) -> xr.Dataset:
    """The sweep dataset with nothing written: ``full(shape, dtype, fill, chunks)`` makes arrays."""
    n = len(coords["run"])
    dense, ragged_vars, ragged = _layout(first)
    data: dict[str, xr.Variable] = {}
    for name in dense:
        var = first[name].variable
        shape = (n, *var.shape)
        data[name] = xr.Variable(("run", *var.dims), full(shape, var.dtype, _fill(var.dtype), (1, *var.shape)),
                                 var.attrs)
    for name in ragged_vars:
        var = first[name].variable
        data[name] = xr.Variable(var.dims, np.zeros(0, var.dtype), var.attrs)
    for dim in ragged:
        for end in ("start", "stop"):
            data[f"{dim}_{end}"] = xr.Variable("run", np.zeros(n, np.int64), {
                "long_name": f"{end} of each run's events in the {dim} arrays"})
    data["status"] = xr.Variable("run", np.zeros(n, np.int8), {
        "long_name": "run status", "flag_values": [MISSING, DONE, FAILED], "flag_meanings": "missing done failed"})
    data["error"] = xr.Variable("run", np.full(n, "", dtype=object), {"long_name": "error message of a failed run"})
    run_coords = {name: ("run", np.asarray(values)) for name, values in coords.items() if name != "run"}
    other = {name: coord.variable for name, coord in first.coords.items()}
    ds = xr.Dataset(data, {"run": coords["run"], **run_coords, **other})
    ds.attrs = {**{k: v for k, v in first.attrs.items() if k != "seed"}, **attrs}
    return ds


def _check_shape(outcome: Outcome, template: xr.Dataset, dense: list[str]) -> str:
    """Why a run's dataset does not fit the sweep ("" if it does)."""
    for name in dense:
        if name not in outcome.value or outcome.value.variables[name].shape != template.variables[name].shape[1:]:
            got = outcome.value[name].shape if name in outcome.value else "missing"
            return (f"its results do not fit the sweep: '{name}' has shape {got}, the first run gave "
                    f"{template[name].shape[1:]} (every run must record the same things for the same duration)")
    return ""


class _Sink:
    """Writes outcomes of runs into the arrays of a sweep dataset."""

    template: xr.Dataset | None

    def __init__(self, coords: dict[str, np.ndarray], attrs: dict[str, Any]) -> None:
        self.coords, self.attrs = coords, attrs
        self.template = None
        self._unwritten: list[Outcome] = []  # failures that came before any template

    def _arrays(self) -> dict[str, Any]:
        raise NotImplementedError

    def _create(self, first: xr.Dataset) -> None:
        raise NotImplementedError

    def _length(self, name: str) -> int:
        """Number of ragged values held in ``name``."""
        raise NotImplementedError

    def _append(self, name: str, values: np.ndarray) -> None:
        """Append ragged values."""
        raise NotImplementedError

    def write(self, outcomes: Sequence[Outcome]) -> None:
        """Store a batch of finished runs: data first, then their status."""
        if self.template is None:
            first = next((o.value for o in outcomes if o.value is not None), None)
            if first is None:
                self._unwritten.extend(outcomes)
                return
            self._create(first)
        dense, ragged_vars, ragged = _layout(self.template)
        for outcome in outcomes:
            if outcome.value is not None and not outcome.error:
                outcome.error = _check_shape(outcome, self.template, dense)
                if outcome.error:
                    outcome.value = None
        good = [o for o in outcomes if o.value is not None]
        if good:
            arrays = self._arrays()
            index = np.array([o.run for o in good])
            for name in dense:
                values = np.stack([o.value.variables[name].values for o in good])
                _setter(arrays[name])[(index, *[slice(None)] * (values.ndim - 1))] = values
            for dim in ragged:
                names = [n for n in ragged_vars if self.template[n].dims == (dim,)]
                counts = np.array([o.value.sizes.get(dim, 0) for o in good])
                offset = self._length(names[0])
                for name in names:
                    self._append(name, np.concatenate([o.value.variables[name].values for o in good]))
                starts = offset + np.concatenate([[0], np.cumsum(counts)[:-1]])
                _setter(arrays[f"{dim}_start"])[index] = starts
                _setter(arrays[f"{dim}_stop"])[index] = starts + counts
        self._status(outcomes)

    def _status(self, outcomes: Sequence[Outcome]) -> None:
        outcomes, self._unwritten = [*self._unwritten, *outcomes], []
        arrays = self._arrays()
        index = np.array([o.run for o in outcomes])
        _setter(arrays["error"])[index] = np.array([o.error for o in outcomes], dtype=object)
        _setter(arrays["status"])[index] = np.array([FAILED if o.error else DONE for o in outcomes], np.int8)

    def _failures_only(self) -> xr.Dataset:
        """The sweep when no run succeeded: coordinates, status and errors."""
        n = len(self.coords["run"])
        status, error = np.zeros(n, np.int8), np.full(n, "", dtype=object)
        for outcome in self._unwritten:
            status[outcome.run], error[outcome.run] = FAILED, outcome.error
        coords = {name: ("run", np.asarray(values)) for name, values in self.coords.items()}
        return xr.Dataset({"status": ("run", status), "error": ("run", error)}, coords, attrs=self.attrs)


def _setter(array: Any) -> Any:
    return array.oindex if hasattr(array, "oindex") else array


class MemorySink(_Sink):
    """Collects runs into a sweep dataset held in memory."""

    def done(self) -> np.ndarray:
        """Runs already held: none, a new sweep starts empty."""
        return np.zeros(len(self.coords["run"]), bool)

    def _create(self, first: xr.Dataset) -> None:
        self.template = _template(first, self.coords, self.attrs,
                                  lambda shape, dtype, fill, _: np.full(shape, fill, dtype))
        self._ragged: dict[str, list[np.ndarray]] = {name: [] for name in _layout(first)[1]}
        self._lengths = dict.fromkeys(self._ragged, 0)

    def _arrays(self) -> dict[str, Any]:
        return {name: var.values for name, var in self.template.data_vars.items()}

    def _length(self, name: str) -> int:
        return self._lengths[name]

    def _append(self, name: str, values: np.ndarray) -> None:
        self._ragged[name].append(values)
        self._lengths[name] += values.size

    def result(self) -> xr.Dataset:
        """The sweep dataset (runs in run order)."""
        if self.template is None:
            return self._failures_only()
        ds = self.template
        events = {name: xr.Variable(ds[name].dims, np.concatenate([ds[name].values, *parts]), ds[name].attrs)
                  for name, parts in self._ragged.items()}
        return _in_run_order(ds.drop_vars(list(events)).assign(events)[list(ds.data_vars)])


def _in_run_order(ds: xr.Dataset) -> xr.Dataset:
    """Reorder ragged events so that runs follow each other in run order."""
    for dim in ragged_dims(ds):
        start, stop = ds[f"{dim}_start"].values, ds[f"{dim}_stop"].values
        order = np.concatenate([np.arange(a, b) for a, b in zip(start, stop, strict=True)] or [np.zeros(0, int)])
        counts = stop - start
        ds = ds.isel({dim: order})
        new_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        ds[f"{dim}_start"].values[:] = new_start
        ds[f"{dim}_stop"].values[:] = new_start + counts
    return ds


class ZarrSink(_Sink):
    """Streams runs into a Zarr store; finds which runs a store already holds."""

    def __init__(self, path: str | os.PathLike, coords: dict[str, np.ndarray], attrs: dict[str, Any]) -> None:
        super().__init__(coords, attrs)
        self.path = os.fspath(path)
        self.group = None
        if os.path.exists(os.path.join(self.path, "zarr.json")):
            self._open_existing()
        elif os.path.exists(self.path) and (not os.path.isdir(self.path) or os.listdir(self.path)):
            raise ArgumentError(f"store '{self.path}' exists and is not a Zarr store; choose another path")

    def _open_existing(self) -> None:
        import zarr

        group = zarr.open_group(self.path, mode="r+")
        stored = group.attrs.get("sweep")
        if stored is None or "status" not in group:
            raise ArgumentError(f"store '{self.path}' exists but is not a dasksnn sweep; choose another path "
                                "or delete it")
        if json.loads(stored) != json.loads(self.attrs["sweep"]):
            raise ArgumentError(f"store '{self.path}' holds another sweep (parameters, trials, duration or "
                                f"seed differ):\n  stored: {stored}\n  asked:  {self.attrs['sweep']}\n"
                                "use another store, or delete it to start again")
        self.group = group
        self._drop_unfinished()
        self.template = xr.open_zarr(self.path, consolidated=False)

    def _drop_unfinished(self) -> None:
        """Cut ragged arrays to the events of runs marked done.

        A sweep interrupted between writing events and marking their runs done leaves
        events that belong to no run (or arrays of unequal lengths); they are dropped,
        and those runs are computed again.
        """
        group = self.group
        status = np.asarray(group["status"][:])
        for name in list(group.array_keys()):
            if name.endswith("_spike_stop"):
                dim = name.removesuffix("_stop")
                stops = np.asarray(group[name][:])[status == DONE]
                keep = int(stops.max()) if stops.size else 0
                for events in (f"{dim}_time", f"{dim}_neuron"):
                    if events in group and group[events].shape[0] != keep:
                        group[events].resize((keep,))

    def done(self) -> np.ndarray:
        """Runs the store already holds (status done)."""
        if self.group is None:
            return np.zeros(len(self.coords["run"]), bool)
        return np.asarray(self.group["status"][:]) == DONE

    def _create(self, first: xr.Dataset) -> None:
        import dask.array as da
        import zarr

        template = _template(first, self.coords, self.attrs,
                             lambda shape, dtype, fill, chunks: da.full(shape, fill, dtype=dtype, chunks=chunks))
        encoding = {name: {"chunks": (_EVENT_CHUNK,)} for name in _layout(first)[1]}
        template.to_zarr(self.path, mode="w-", compute=False, consolidated=False, encoding=encoding)
        self.group = zarr.open_group(self.path, mode="r+")
        self.template = template

    def _arrays(self) -> dict[str, Any]:
        return self.group

    def _length(self, name: str) -> int:
        return self.group[name].shape[0]

    def _append(self, name: str, values: np.ndarray) -> None:
        self.group[name].append(values)

    def result(self) -> xr.Dataset:
        """The store, opened lazily (in memory if no run succeeded: nothing was written)."""
        if self.group is None:
            return self._failures_only()
        return open_results(self.path)


def open_results(path: str | os.PathLike) -> xr.Dataset:
    """Open a sweep's Zarr store lazily (dask-backed), with the ``ds.snn`` accessor.

    Parameters
    ----------
    path : str or path-like
        The ``store`` given to :func:`dasksnn.sweep` (or a dataset written with
        ``to_zarr``).

    Examples
    --------
    >>> ds = ann.open_results("sweep.zarr")  # doctest: +SKIP
    >>> ds.snn.grid()["exc_mean_rate"].mean("trial")  # doctest: +SKIP
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"open_results: no store at '{path}'")
    return xr.open_zarr(path, consolidated=False)
