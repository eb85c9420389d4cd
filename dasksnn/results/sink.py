"""Taking the outcomes of a sweep's runs as they finish: the base of the sinks, and the one in memory.

``MemorySink`` collects runs into a dataset held in memory (a sweep without ``store``);
:class:`dasksnn.results.store.ZarrSink` streams them into a Zarr store. Both give the
dataset described in :mod:`dasksnn.results.layout`, with runs in run order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from dasksnn.results.layout import (
    DONE,
    FAILED,
    indexed,
    layout,
    ragged_axis,
    ragged_dims,
    ragged_names,
    rows_first,
    template,
)

__all__ = ["Outcome", "Sink", "MemorySink"]


@dataclass
class Outcome:
    """What one run sent back: its result, or the error it raised, and how long it took."""

    run: int
    value: Any = None  # a run's dataset in a sweep, the method's return value in parallel_run
    error: str = ""
    timings: dict[str, Any] = field(default_factory=dict)
    staged: str = ""  # the staging batch its worker wrote it into (value is then None)


def check_run(value: xr.Dataset, dt: float, shapes: dict[str, tuple[int, ...]]) -> str:
    """Why a run's dataset does not fit a sweep of time step ``dt`` and per-run variables
    of ``shapes`` ("" if it does; -1 in a shape: any length, along a ragged dim)."""
    if value.attrs.get("dt") != dt:
        return (f"its network's dt = {value.attrs.get('dt')} ms differs from the sweep's ({dt} ms, of the first "
                "run kept); every run must have the same dt")
    for name, shape in shapes.items():
        got = value.variables[name].shape if name in value.variables else None
        if got is None or len(got) != len(shape) or any(w not in (-1, g) for g, w in zip(got, shape, strict=True)):
            want = tuple("any" if w == -1 else w for w in shape)
            return (f"its results do not fit the sweep: '{name}' has shape {got or 'missing'}, the first run gave "
                    f"{want} (every run must record the same things for the same duration)")
    extra = [name for name in value.data_vars if name not in shapes]
    if extra:  # e.g. a store begun by an older dasksnn that did not keep them: they would be lost
        return (f"its results have '{extra[0]}', which the sweep's store or first run does not (every run must "
                "record the same things; a store begun by another version of dasksnn: choose another path)")
    return ""


def run_shapes(template: xr.Dataset) -> dict[str, tuple[int, ...]]:
    """The shape of one run's value of each per-run variable of a sweep dataset: dense ones
    without ``run``, ragged ones with -1 along their ragged dim (any number of events or synapses)."""
    dense, ragged_vars, ragged = layout(template)
    shapes = {name: template.variables[name].shape[1:] for name in dense}
    for name in ragged_vars:
        var = template.variables[name]
        _, axis = ragged_axis(var.dims, ragged)
        shapes[name] = (*var.shape[:axis], -1, *var.shape[axis + 1:])
    return shapes


def run_parts(outcomes: list[Outcome], dense: list[str], ragged: dict[str, list[str]]) -> tuple[
        dict[str, list[np.ndarray]], dict[str, np.ndarray], dict[str, list[np.ndarray]]]:
    """What staging takes of runs' datasets: each dense variable's value per run, the length
    of each ragged dim per run, and each ragged variable's rows per run (ragged dim first)."""
    return ({name: [o.value.variables[name].values for o in outcomes] for name in dense},
            {dim: np.array([o.value.sizes.get(dim, 0) for o in outcomes], np.int64) for dim in ragged},
            {name: [rows_first(o.value.variables[name], dim) for o in outcomes]
             for dim, names in ragged.items() for name in names})


class Sink:
    """Takes outcomes of runs as they finish; the subclass keeps them."""

    template: xr.Dataset | None

    def __init__(self, coords: dict[str, np.ndarray], attrs: dict[str, Any]) -> None:
        self.coords, self.attrs = coords, attrs
        self.template = None
        self._unwritten: list[Outcome] = []  # failures that came before any template

    def _create(self, first: xr.Dataset) -> None:
        raise NotImplementedError

    def check_dt(self, dt: float) -> None:
        """Refuse runs whose networks have another time step than those already kept."""

    def _put(self, good: list[Outcome]) -> None:
        raise NotImplementedError

    def _fail(self, failed: list[Outcome]) -> None:
        raise NotImplementedError

    def write(self, outcomes: Sequence[Outcome]) -> None:
        """Keep a batch of finished runs (failures too)."""
        if self.template is None:
            first = next((o.value for o in outcomes if o.value is not None), None)
            if first is None:
                self._unwritten.extend(outcomes)
                return
            self._create(first)
        shapes = run_shapes(self.template)
        for outcome in outcomes:
            if outcome.value is not None and not outcome.error:
                outcome.error = check_run(outcome.value, self.template.attrs.get("dt"), shapes)
                if outcome.error:
                    outcome.value = None
        failed = [*self._unwritten, *(o for o in outcomes if o.value is None)]
        self._unwritten = []
        good = [o for o in outcomes if o.value is not None]
        if good:
            self._put(good)
        if failed:
            self._fail(failed)

    def _failures_only(self) -> xr.Dataset:
        """The sweep when no run succeeded: coordinates, status and errors."""
        n = len(self.coords["run"])
        status, error = np.zeros(n, np.int8), np.full(n, "", dtype=object)
        for outcome in self._unwritten:
            status[outcome.run], error[outcome.run] = FAILED, outcome.error
        coords = {name: ("run", np.asarray(values)) for name, values in self.coords.items()}
        return indexed(xr.Dataset({"error": ("run", error)}, {**coords, "status": ("run", status)}, attrs=self.attrs))


class MemorySink(Sink):
    """Collects runs into a sweep dataset held in memory."""

    def done(self) -> np.ndarray:
        """Runs already held: none, a new sweep starts empty."""
        return np.zeros(len(self.coords["run"]), bool)

    def finish(self) -> None:
        """Nothing to do: runs are placed in run order by :meth:`result`."""

    def _create(self, first: xr.Dataset) -> None:
        self.template = template(first, self.coords, self.attrs,
                                 lambda name, shape, dtype, fill: np.full(shape, fill, dtype))
        self._ragged: dict[str, list[np.ndarray]] = {name: [] for name in layout(first)[1]}  # rows, run after run
        self._lengths = dict.fromkeys(ragged_dims(first), 0)

    def _put(self, good: list[Outcome]) -> None:
        ds = self.template
        dense, _, _ = layout(ds)
        ragged = ragged_names(ds)
        index = np.array([o.run for o in good])
        values, counts, rows = run_parts(good, dense, ragged)
        for name in dense:
            ds[name].values[index] = np.stack(values[name])
        for name, parts in rows.items():
            self._ragged[name].extend(parts)
        for dim, count in counts.items():
            starts = self._lengths[dim] + np.concatenate([[0], np.cumsum(count)[:-1]])
            ds[f"{dim}_start"].values[index] = starts
            ds[f"{dim}_stop"].values[index] = starts + count
            self._lengths[dim] += int(count.sum())
        ds["status"].values[index] = DONE

    def _fail(self, failed: list[Outcome]) -> None:
        if self.template is None:
            self._unwritten.extend(failed)
            return
        index = np.array([o.run for o in failed])
        self.template["error"].values[index] = np.array([o.error for o in failed], dtype=object)
        self.template["status"].values[index] = FAILED

    def result(self) -> xr.Dataset:
        """The sweep dataset (runs in run order)."""
        if self.template is None:
            return self._failures_only()
        ds = self.template
        ragged = ragged_dims(ds)
        events = {}
        for name, parts in self._ragged.items():
            var = ds.variables[name]
            dim, _ = ragged_axis(var.dims, ragged)
            rows = np.concatenate([rows_first(var, dim), *parts])
            events[name] = xr.Variable((dim, *(d for d in var.dims if d != dim)), rows, var.attrs).transpose(*var.dims)
        coords = [name for name in events if name in ds.coords]
        merged = ds.drop_vars(list(events)).assign(events).set_coords(coords)
        return indexed(_in_run_order(merged[list(ds.data_vars)]))


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
