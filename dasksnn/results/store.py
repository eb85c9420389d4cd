"""A sweep's Zarr store: ``ZarrSink`` writes it as runs finish (``reading.open_results`` reads it).

The layout is in :mod:`dasksnn.results.layout`, the whole scheme in ``docs/store.md``:
(1) the template is written into a temporary directory and renamed into place; (2) each
batch of finished runs goes into its own directory under ``_staging`` (written by the
client, or by the worker that ran them: :mod:`dasksnn.results.placing`); (3) runs are
placed into the arrays in run order, a block at a time, by this process or a task on a
worker, then marked done by this process. A run's place never depends on the order runs
finished, and a store killed at any moment resumes: the same call computes only the runs
neither done nor staged.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import xarray as xr

from dasksnn.errors import ArgumentError
from dasksnn.results.layout import (
    DONE,
    FAILED,
    MISSING,
    STORE_ATTR,
    Chunking,
    layout,
    ragged_axis,
    ragged_dims,
    ragged_names,
    template,
)
from dasksnn.results.placing import (
    PlacementError,
    WorkerPlacements,
    WorkerWrites,
    cut,
    place,
    read_book,
    read_rows,
    remove_probe,
    store_lock,
    write_probe,
)
from dasksnn.results.resume import check_stored_dt, resumable
from dasksnn.results.sink import MemorySink, Outcome, Sink, run_parts, run_shapes
from dasksnn.results.staging import Staging, remove_partial_files, remove_stale_temporaries

# Outcome and MemorySink are defined in sink.py; parallel/ imports them from here
__all__ = ["Outcome", "MemorySink", "ZarrSink", "MISSING", "DONE", "FAILED", "STORE_ATTR", "ragged_dims"]

# the store layout this version writes (1: dasksnn <= 0.2, events in the order runs finished)
FORMAT = 2
RESUME = ("same-version", "any-version")


def _writer_token() -> str:
    """Names one sweep call as the store's writer: host, process, and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class ZarrSink(Sink):
    """Streams runs into a Zarr store; finds which runs a store already holds.

    Parameters
    ----------
    path : str or path-like
        The store.
    coords, attrs : dict
        Coordinates along ``run`` and attributes of the sweep; ``attrs["sweep"]`` is the
        fingerprint a store must match to be resumed.
    resume : {"same-version", "any-version"}, default "same-version"
        Whether a store made by another dasksnn version may be resumed.
    """

    def __init__(self, path: str | os.PathLike, coords: dict[str, np.ndarray], attrs: dict[str, Any],
                 resume: str = "same-version") -> None:
        super().__init__(coords, attrs)
        self.path = os.path.abspath(os.fspath(path))
        self.group: Any = None
        n = len(coords["run"])
        self.staging = Staging(self.path, n)
        self.status = np.zeros(n, np.int8)  # this process's copy of the store's status
        self.failed_before = np.zeros(n, bool)  # failed in an earlier call, computed again in this one
        self.placed = 0  # runs below are in the arrays, in run order; above, only staged
        self.events: dict[str, int] = {}  # events in the arrays of each ragged dim
        self.block = 1
        self.unplace_from: int | None = None
        self.resumed_by: str | None = None  # this version, resuming a store of another
        self.writer = _writer_token()  # written into the store when this call first writes
        self.call = self.writer  # names this call in the probe that tells workers to stage
        self.claimed = False
        self.placements: WorkerPlacements | None = None  # placement tasks on workers (see use_workers)
        self.workers_stage = False  # a worker staged runs: it sees the store
        self.written = {"workers": 0, "client": 0}  # runs staged by each, in this call
        if os.path.exists(os.path.join(self.path, "zarr.json")):
            self._open_existing(resume)
        elif os.path.exists(self.path) and (not os.path.isdir(self.path) or os.listdir(self.path)):
            raise ArgumentError(f"store '{self.path}' exists and is not a Zarr store; choose another path")

    # ------------------------------------------------------------------ opening
    def _open_existing(self, resume: str) -> None:
        import zarr

        group = zarr.open_group(self.path, mode="r+")
        book, self.resumed_by = resumable(self.path, group, self.attrs, resume, FORMAT)
        if book is None:
            # made by dasksnn <= 0.2 and killed while its template was written: it holds no run
            shutil.rmtree(self.path)
            return
        self.group = group
        with store_lock(self.path):  # a placement of an earlier call may still be running
            for name in group.array_keys():  # events of a step interrupted after they were appended
                array = group[name]
                dims = tuple(array.metadata.dimension_names or ())
                if set(dims) & set(book["events"]):
                    dim, axis = ragged_axis(dims, book["events"])
                    if array.shape[axis] > book["events"][dim]:
                        cut(array, dim, book["events"][dim])
            self.template = xr.open_zarr(self.path, consolidated=False, chunks=None)
            self.status = np.asarray(group["status"][:])
            # failed runs are computed again: missing here until they finish, failed in the store until then
            self.failed_before = self.status == FAILED
            self.status[self.failed_before] = MISSING
            self.placed, self.events, self.block = book["placed"], dict(book["events"]), book["block"]
            remove_partial_files(self.path)
            self.staging.scan(self.placed)
        first = np.flatnonzero(~self.done())
        # the first run to compute sits among placed runs: those after it move back before it is written
        self.unplace_from = int(first[0]) if first.size and first[0] < self.placed else None

    def check_dt(self, dt: float) -> None:
        """Refuse a store whose runs were simulated with another time step (before any run starts)."""
        if self.group is not None:
            check_stored_dt(self.path, self.group, dt)

    def done(self) -> np.ndarray:
        """Runs the store already holds: done, or staged by an earlier call."""
        return (self.status == DONE) | self.staging.staged()

    # ------------------------------------------------------------------ creation
    def _create(self, first: xr.Dataset) -> None:
        import dask.array as da
        import zarr

        chunking = Chunking.of(first, len(self.coords["run"]))
        ds = template(first, self.coords, self.attrs, lambda name, shape, dtype, fill: da.full(
            shape, fill, dtype=dtype, chunks=chunking.dask_chunks(name, shape)))
        self.events = dict.fromkeys(layout(first)[2], 0)
        self.block = chunking.block
        ds.attrs[STORE_ATTR] = self._book()
        parent, name = os.path.split(self.path)
        remove_stale_temporaries(parent, name)
        tmp = os.path.join(parent, f".{name}.creating-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        try:
            ds.to_zarr(tmp, mode="w-", compute=False, consolidated=False, encoding=chunking.encoding)
            os.rename(tmp, self.path)  # onto nothing or an empty directory: the store appears whole
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise ArgumentError(f"store '{self.path}' could not be created ({exc}); was it created by another "
                                "process meanwhile? Choose another path") from exc
        self.group = zarr.open_group(self.path, mode="r+")
        self.template = ds
        self.claimed = True  # the writer named in the template
        if self.placements is not None:
            self._write_probe()

    def _book(self) -> dict[str, Any]:
        return {"format": FORMAT, "block": self.block, "placed": self.placed, "events": self.events,
                "writer": self.writer}

    # ------------------------------------------------------------------ who writes
    def use_workers(self, client: Any) -> None:
        """Let the workers of ``client`` that see the store write their runs and place them.

        Tasks given :meth:`worker_writes` stage their own runs where their worker sees the
        store (a probe file tells them, with this call's token); once one has, blocks of
        runs are placed by tasks on the workers too, and this process only marks them done.
        """
        self.placements = WorkerPlacements(client)
        if self.group is not None:
            self._write_probe()

    def worker_writes(self) -> WorkerWrites:
        """What each task runs on its outcomes to stage them itself (see :meth:`use_workers`)."""
        return WorkerWrites(self.path, self.call)

    def _write_probe(self) -> None:
        write_probe(self.path, self.call, self.template.attrs.get("dt"), run_shapes(self.template),
                    self._ragged_names())

    def _ragged_names(self) -> dict[str, list[str]]:
        return ragged_names(self.template)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the store's lock as its writer; another sweep that took the store over stops this one."""
        with store_lock(self.path):
            holder = read_book(self.path).get("writer")
            if holder != self.writer:
                raise ArgumentError(f"store '{self.path}' is now written by another sweep ({holder}): a store takes "
                                    "one sweep at a time. The runs this sweep finished are kept; call it again "
                                    "once the other one ended to add the runs still missing")
            yield

    def _ready(self) -> None:
        """Before the first write of a call: claim the store, make room for runs computed among
        placed ones, and record a resume by another version."""
        if self.claimed:
            return
        with store_lock(self.path):
            self.claimed = True
            self.group.attrs[STORE_ATTR] = self._book()  # this call is the writer now
            if self.unplace_from is not None:
                self._unplace(self.unplace_from)
                self.unplace_from = None
            if self.resumed_by is not None:
                resumed = self.group.attrs.get("dasksnn_resumed_by", [])
                if self.resumed_by not in resumed:
                    self.group.attrs["dasksnn_resumed_by"] = [*resumed, self.resumed_by]
                self.resumed_by = None

    # ------------------------------------------------------------------ writing
    def write(self, outcomes: Sequence[Outcome]) -> None:
        """Keep a batch of finished runs: those staged by their workers are taken as they are."""
        staged = [o for o in outcomes if o.staged]
        if staged:
            self._ready()
            for name in dict.fromkeys(o.staged for o in staged):
                self.staging.adopt(name)
            self.workers_stage = True
            self.written["workers"] += len(staged)
        rest = [o for o in outcomes if not o.staged]
        if rest:
            super().write(rest)  # places what settled
        elif staged:
            self._place(final=False)

    def _put(self, good: list[Outcome]) -> None:
        self._ready()
        self.written["client"] += len(good)
        self.staging.put([o.run for o in good], *run_parts(good, layout(self.template)[0], self._ragged_names()))
        self._place(final=False)

    def _fail(self, failed: list[Outcome]) -> None:
        if self.group is None:
            self._unwritten.extend(failed)
            return
        self._ready()
        index = np.array([o.run for o in failed])
        with self._writing():
            self.group["error"].oindex[index] = np.array([o.error for o in failed], dtype=object)
            self.status[index] = FAILED
            self.failed_before[index] = False
            self.group["status"].oindex[index] = self.status[index]
        self._place(final=False)

    def finish(self) -> None:
        """Place every staged run into the arrays (the end of a sweep, or of an interrupted one)."""
        if self.group is not None and self.unplace_from is None:  # else nothing was written by this call
            try:
                self._place(final=True)
            finally:
                remove_probe(self.path, self.call)
            from dasksnn.parallel.progress import logger

            logger.debug("sweep: %d runs written into '%s' by the workers, %d by this process",
                         self.written["workers"], self.path, self.written["client"])

    def _place(self, final: bool) -> None:
        """Move staged runs into the arrays, in run order, from ``placed`` on.

        During a sweep, whole blocks of settled (staged or failed) runs; at the end
        (``final``), every staged run, missing runs left empty. Each step writes the data,
        then the status, then moves ``placed`` (one write of the group's metadata), then
        deletes the batches it emptied: a step interrupted anywhere is redone whole. Where
        workers stage runs, the data are written by a task on a worker, one step after the
        other, and this process marks each step once its task finished.
        """
        self._collect(wait=False)
        n = len(self.status)
        last = self.placements.last() if self.placements is not None else None
        start = last.end if last is not None else self.placed
        staged = self.staging.staged()
        open_runs = np.flatnonzero(~(staged | (self.status == FAILED))[start:])
        settled = start + int(open_runs[0]) if open_runs.size else n
        if final:
            last = np.flatnonzero(staged[start:])
            end = max(settled, start + int(last[-1]) + 1 if last.size else start)
        else:
            end = settled if settled == n else settled // self.block * self.block
        if end > start:
            self._ready()
            runs = np.flatnonzero(staged[start:end]) + start
            if self.placements is not None and self.workers_stage:
                self._submit(start, end, runs)
            else:
                with self._writing():
                    events = place(self.group, self.staging, self.block, start, end, runs,
                                   layout(self.template)[0], self._ragged_names(), self.events)
                    self._mark(start, end, runs, events)
        if final and self.placements is not None and self.placements.last() is not None:
            self._collect(wait=True)
            if self.placements is None:  # gave up on the workers: this process places what is left
                self._place(final=True)

    def _submit(self, start: int, end: int, runs: np.ndarray) -> None:
        """Place ``start:end`` by a task on a worker, after the placement before it."""
        ragged = self._ragged_names()
        last = self.placements.last()
        before = last.events if last is not None else self.events
        after = {dim: before[dim] + sum(self.staging.count(dim, int(run)) for run in runs) for dim in ragged}
        self.placements.submit(self.path, self.writer, len(self.status), start, end, runs,
                               self.staging.batch_dirs(runs), layout(self.template)[0], ragged, before, after,
                               self.block)

    def _collect(self, wait: bool) -> None:
        """Mark the placements on workers that finished (all of them if ``wait``); on one that
        failed, stop placing on workers and claim the store anew, so that no orphaned placement
        can write after this process (it would find another writer): this process places the rest."""
        if self.placements is None:
            return
        try:
            for done in self.placements.finished(wait):
                with self._writing():
                    self._mark(done.start, done.end, done.runs, done.events)
        except PlacementError as exc:
            from dasksnn.parallel.progress import logger

            logger.warning("sweep: %s; this process places them", exc)
            self.placements = None
            with store_lock(self.path):
                self.writer = _writer_token()
                self.group.attrs[STORE_ATTR] = self._book()

    def _mark(self, start: int, end: int, runs: np.ndarray, events: dict[str, int]) -> None:
        """Runs ``start:end`` are in the arrays: mark them done, then move ``placed`` (under the lock)."""
        retried = runs[self.failed_before[runs]]
        if retried.size:
            self.group["error"].oindex[retried] = np.full(retried.size, "", dtype=object)
            self.failed_before[retried] = False
        self.status[runs] = DONE
        self.group["status"][start:end] = self._stored_status(start, end)
        self.placed, self.events = end, events
        self.group.attrs[STORE_ATTR] = self._book()
        self.staging.drop_below(end)
        self.staging.release()

    def _unplace(self, first: int) -> None:
        """Move runs from ``first`` on back to staging, so that run ``first`` can be placed.

        Runs are re-run from the first one not done (a failed run retried, say); the
        events of every done run after it move back to staging, to be placed again in
        run order behind it. Their copy is staged before ``placed`` moves back, and the
        arrays are cut after: an interruption anywhere loses nothing.
        """
        dense, _, _ = layout(self.template)
        ragged = self._ragged_names()
        done = np.flatnonzero(self.status[first:self.placed] == DONE) + first
        bounds = {dim: (np.asarray(self.group[f"{dim}_start"][:]), np.asarray(self.group[f"{dim}_stop"][:]))
                  for dim in ragged}
        for k in range(0, done.size, self.block):
            runs = done[k:k + self.block]
            lo, hi = int(runs[0]), int(runs[-1]) + 1
            events = {}
            for dim, names in ragged.items():
                start, stop = bounds[dim]
                for name in names:
                    whole = read_rows(self.group[name], dim, int(start[lo]), int(stop[hi - 1]))
                    events[name] = np.concatenate([whole[start[r] - start[lo]:stop[r] - start[lo]] for r in runs])
            self.staging.put(runs.tolist(), {name: list(self.group[name][lo:hi][runs - lo]) for name in dense},
                             {dim: bounds[dim][1][runs] - bounds[dim][0][runs] for dim in ragged},
                             {name: [values] for name, values in events.items()})
        self.placed = first
        self.events = {dim: int(bounds[dim][0][first]) for dim in ragged}
        self.group.attrs[STORE_ATTR] = self._book()
        self.status[done] = MISSING
        self.group["status"][first:] = self._stored_status(first, len(self.status))
        for dim, name in ((dim, name) for dim, names in ragged.items() for name in names):
            cut(self.group[name], dim, self.events[dim])

    def _stored_status(self, start: int, end: int) -> np.ndarray:
        """Status of runs ``start:end`` as the store shows it: failed until retried successfully."""
        status = self.status[start:end].copy()
        status[self.failed_before[start:end]] = FAILED
        return status

    def result(self) -> xr.Dataset:
        """The store, opened lazily (in memory if no run succeeded: nothing was written)."""
        if self.group is None:
            return self._failures_only()
        from dasksnn.results.reading import open_results

        return open_results(self.path)
