"""What a sweep dataset holds, and how its arrays are cut into chunks and shards in a store.

A sweep dataset has a ``run`` dimension. Its coordinates along ``run`` are the swept
parameters, ``trial``, ``seed`` and ``status`` (0 missing, 1 done, 2 failed), held in
memory and indexed, so ``ds.sel(we=0.2)``, ``ds.where(...)`` and ``ds.groupby("we")``
work. Per-run (dense) variables gain a leading ``run`` dimension. Ragged variables, those
along a dim whose length differs from run to run, are concatenated along it in run order,
and ``<dim>_start`` / ``<dim>_stop`` give each run's slice (an Awkward ``ListArray``):
spike events along ``<pop>_spike``, and synapses along ``<proj>_synapse`` (their final
weights, recorded synaptic variables on ``(time, <proj>_synapse)``, their pre and post
ranks), since each run draws its own connectivity. ``error`` holds the message of a
failed run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["MISSING", "DONE", "FAILED", "STORE_ATTR", "spike_dims", "synapse_dims", "ragged_dims", "ragged_names",
           "ragged_axis", "rows_first", "layout", "template", "indexed", "Chunking"]

MISSING, DONE, FAILED = 0, 1, 2
# the attribute that marks a dasksnn store and holds its bookkeeping (left out of datasets)
STORE_ATTR = "dasksnn_store"
_BOOKKEEPING = ("status", "error")

# shards of a store: about this many bytes before compression, so that a sweep makes a few
# files per variable (a burden on Lustre or GPFS otherwise) and a shard is written whole
_SHARD_BYTES = 8 * 2**20
# inner chunks of a shard, the unit read back: about this many bytes
_CHUNK_BYTES = 2**20
# ragged events: inner chunks and shards, in events
_EVENT_CHUNK = 1 << 17
_EVENT_SHARD = 1 << 21


def spike_dims(ds: xr.Dataset) -> list[str]:
    """Dims of spike events, ``<pop>_spike`` (marked by ``<pop>_spike_time``)."""
    return [dim for dim in ds.dims if dim.endswith("_spike") and f"{dim}_time" in ds.variables]


def synapse_dims(ds: xr.Dataset) -> list[str]:
    """Dims of synapses, ``<proj>_synapse`` (marked by the pre-synaptic ranks ``<proj>_pre``)."""
    return [dim for dim in ds.dims
            if dim.endswith("_synapse") and f"{dim.removesuffix('_synapse')}_pre" in ds.variables]


def ragged_dims(ds: xr.Dataset) -> list[str]:
    """Dims whose lengths differ from run to run: spike events, and synapses (each run draws
    its own connectivity)."""
    return [*spike_dims(ds), *synapse_dims(ds)]


def ragged_names(ds: xr.Dataset) -> dict[str, list[str]]:
    """The variables (data and coordinates) along each ragged dim."""
    return {dim: [name for name, var in ds.variables.items() if dim in var.dims] for dim in ragged_dims(ds)}


def ragged_axis(dims: tuple[str, ...], ragged: list[str] | dict[str, list[str]]) -> tuple[str, int]:
    """The ragged dim among ``dims`` (a variable has one) and its axis."""
    dim = next(d for d in dims if d in ragged)
    return dim, dims.index(dim)


def rows_first(var: xr.Variable, dim: str) -> np.ndarray:
    """The values of a ragged variable with its ragged ``dim`` first: one row per event or
    synapse, the form in which runs are staged and concatenated."""
    return np.asarray(var.transpose(dim, ...).values)


def layout(ds: xr.Dataset) -> tuple[list[str], list[str], list[str]]:
    """Per-run (dense) variables, ragged variables (coordinates included) and ragged dims of a
    run or sweep dataset."""
    ragged = ragged_dims(ds)
    offsets = {f"{dim}_{end}" for dim in ragged for end in ("start", "stop")}
    ragged_vars = [name for name, var in ds.variables.items() if set(var.dims) & set(ragged)]
    dense = [name for name in ds.data_vars
             if name not in ragged_vars and name not in offsets and name not in _BOOKKEEPING]
    return dense, ragged_vars, ragged


def fill_value(dtype: np.dtype) -> Any:
    """What an array holds for runs not written: NaN, or 0 for integers."""
    return np.nan if np.issubdtype(dtype, np.floating) else 0


def template(first: xr.Dataset, coords: dict[str, np.ndarray], attrs: dict[str, Any],
             full: Callable[[str, tuple[int, ...], np.dtype, Any], Any]) -> xr.Dataset:
    """The sweep dataset with nothing written; ``full(name, shape, dtype, fill)`` makes dense arrays."""
    n = len(coords["run"])
    dense, ragged_vars, ragged = layout(first)
    data: dict[str, xr.Variable] = {}
    for name in dense:
        var = first[name].variable
        data[name] = xr.Variable(("run", *var.dims), full(name, (n, *var.shape), var.dtype, fill_value(var.dtype)),
                                 var.attrs)
    for name in ragged_vars:
        var = first.variables[name]
        _, axis = ragged_axis(var.dims, ragged)
        data[name] = xr.Variable(var.dims, np.zeros((*var.shape[:axis], 0, *var.shape[axis + 1:]), var.dtype),
                                 var.attrs)
    for dim in ragged:
        for end in ("start", "stop"):
            data[f"{dim}_{end}"] = xr.Variable("run", np.zeros(n, np.int64), {
                "long_name": f"{end} of each run's events in the {dim} arrays"})
    data["error"] = xr.Variable("run", np.full(n, "", dtype=object), {"long_name": "error message of a failed run"})
    run_coords = {name: ("run", np.asarray(values)) for name, values in coords.items() if name != "run"}
    run_coords["status"] = xr.Variable("run", np.zeros(n, np.int8), {
        "long_name": "run status", "flag_values": [MISSING, DONE, FAILED], "flag_meanings": "missing done failed"})
    other = {name: coord.variable for name, coord in first.coords.items() if name not in ragged_vars}
    ds = xr.Dataset(data, {"run": coords["run"], **run_coords, **other})
    ds = ds.set_coords([name for name in ragged_vars if name in first.coords])  # pre and post ranks of synapses
    ds.attrs = {**{k: v for k, v in first.attrs.items() if k != "seed"}, **attrs}
    if "sweep" in attrs:  # the fingerprint covers the time step of the runs' networks
        ds.attrs["sweep"] = json.dumps({**json.loads(attrs["sweep"]), "dt": first.attrs.get("dt")})
    return ds


def run_coordinates(ds: xr.Dataset) -> list[str]:
    """Coordinates along ``run`` that are read eagerly and indexed: parameters, trial, seed, status."""
    names = [*json.loads(ds.attrs.get("parameters", "[]")), "trial", "seed", "status"]
    return [name for name in names if name in ds.variables and ds[name].dims == ("run",)]


def indexed(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with its run coordinates in memory and indexed (one index each), errors as objects.

    Reading them here, in this process, keeps ``sel``, ``where`` and ``groupby`` from ever
    computing on a cluster: only data variables stay lazy.
    """
    if "run" not in ds.dims:
        return ds
    names = run_coordinates(ds)
    ds = ds.set_coords(names)
    ds = ds.assign_coords({name: ds[name].variable.load() for name in names})
    if "error" in ds and ds["error"].dtype != object:  # Zarr's strings, as in memory (``where`` fills them)
        ds["error"] = ds["error"].variable.load().astype(object)
    for name in names:
        if name not in ds.xindexes:
            ds = ds.set_xindex(name)
    from dasksnn.results.accessor import label_coordinates  # accessor imports this module

    return label_coordinates(ds)


@dataclass(frozen=True)
class Chunking:
    """How the arrays of a sweep are cut in a store.

    Dense variables are sharded along ``run``: ``block`` runs (a power of two) is the
    unit the store is written in, each variable's shards hold one or more blocks (about
    8 MiB), inner chunks a power of two of runs (about 1 MiB). Ragged variables have
    shards of 2**21 values (events, or synapses times recorded steps), inner chunks of
    2**17. Powers of two divide each other, so blocks never straddle shards.
    """

    block: int
    encoding: dict[str, dict[str, tuple[int, ...]]]

    @classmethod
    def of(cls, first: xr.Dataset, runs: int) -> Chunking:
        """Chunking of a sweep of ``runs`` runs like ``first`` (one run's dataset)."""
        dense, ragged_vars, ragged = layout(first)
        cap = 1 << max(0, math.ceil(math.log2(max(1, runs))))  # no shard longer than the sweep needs
        per_run = {name: max(1, first[name].dtype.itemsize * math.prod(first[name].shape)) for name in dense}
        block = min(cap, _power_below(_SHARD_BYTES // max(per_run.values(), default=1)))
        encoding: dict[str, dict[str, tuple[int, ...]]] = {}
        for name in dense:
            rest = first[name].shape
            shard = min(cap, max(block, _power_below(_SHARD_BYTES // per_run[name])))
            chunk = min(block, _power_below(_CHUNK_BYTES // per_run[name]))
            encoding[name] = {"chunks": (chunk, *rest), "shards": (shard, *rest)}
        for name in ragged_vars:
            var = first.variables[name]
            _, axis = ragged_axis(var.dims, ragged)
            encoding[name] = {"chunks": _ragged_block(var.shape, axis, _EVENT_CHUNK),
                              "shards": _ragged_block(var.shape, axis, _EVENT_SHARD)}
        return cls(block, encoding)

    def dask_chunks(self, name: str, shape: tuple[int, ...]) -> tuple[int, ...]:
        """Dask chunks of a template array: one per shard (xarray checks they align)."""
        shard = self.encoding[name]["shards"][0]
        return (min(shard, shape[0]), *shape[1:])


def _ragged_block(shape: tuple[int, ...], axis: int, values: int) -> tuple[int, ...]:
    """A chunk or shard of a ragged variable of one run's ``shape``: about ``values`` values,
    a power of two of events or synapses along ``axis``, whole along the other dims."""
    row = max(1, math.prod(shape[:axis] + shape[axis + 1:]))  # values per event or synapse (recorded steps)
    return (*shape[:axis], _power_below(max(1, values // row)), *shape[axis + 1:])


def _power_below(value: int) -> int:
    """The largest power of two <= ``value`` (1 for anything below 2)."""
    return 1 << max(0, int(value).bit_length() - 1) if value >= 1 else 1
