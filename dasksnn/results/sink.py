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

from dasksnn.results.layout import DONE, FAILED, indexed, layout, ragged_dims, template

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
    of ``shapes`` ("" if it does)."""
    if value.attrs.get("dt") != dt:
        return (f"its network's dt = {value.attrs.get('dt')} ms differs from the sweep's ({dt} ms, of the first "
                "run kept); every run must have the same dt")
    for name, shape in shapes.items():
        if name not in value or value.variables[name].shape != shape:
            got = value[name].shape if name in value else "missing"
            return (f"its results do not fit the sweep: '{name}' has shape {got}, the first run gave {shape} "
                    "(every run must record the same things for the same duration)")
    return ""


def run_shapes(template: xr.Dataset) -> dict[str, tuple[int, ...]]:
    """The shape of one run's value of each per-run variable of a sweep dataset."""
    return {name: template.variables[name].shape[1:] for name in layout(template)[0]}


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
        self._ragged: dict[str, list[np.ndarray]] = {name: [] for name in layout(first)[1]}
        self._lengths = dict.fromkeys(self._ragged, 0)

    def _put(self, good: list[Outcome]) -> None:
        ds = self.template
        dense, ragged_vars, ragged = layout(ds)
        index = np.array([o.run for o in good])
        for name in dense:
            ds[name].values[index] = np.stack([o.value.variables[name].values for o in good])
        for dim in ragged:
            names = [n for n in ragged_vars if ds[n].dims == (dim,)]
            counts = np.array([o.value.sizes.get(dim, 0) for o in good])
            offset = self._lengths[names[0]]
            for name in names:
                values = np.concatenate([o.value.variables[name].values for o in good])
                self._ragged[name].append(values)
                self._lengths[name] += values.size
            starts = offset + np.concatenate([[0], np.cumsum(counts)[:-1]])
            ds[f"{dim}_start"].values[index] = starts
            ds[f"{dim}_stop"].values[index] = starts + counts
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
        events = {name: xr.Variable(ds[name].dims, np.concatenate([ds[name].values, *parts]), ds[name].attrs)
                  for name, parts in self._ragged.items()}
        return indexed(_in_run_order(ds.drop_vars(list(events)).assign(events)[list(ds.data_vars)]))


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
