"""Placing staged runs into a store's arrays, on the client or on a worker, and who may write.

A store has one writer at a time: the sweep call that claimed it, named by a token in the
store's bookkeeping (``dasksnn_store["writer"]``). Every write of the arrays or of the
bookkeeping happens under the store's lock (a file lock beside ``zarr.json``) after
checking that token, so an orphaned write (a placement task of a client that was killed,
or that gave up on its workers) never interleaves with, or follows, the writes of the
sweep that took over: it finds another token and writes nothing.

Workers that see the store's path write their own runs into staging (:class:`WorkerWrites`)
and place blocks of runs (:func:`place_on_worker`), so the runs' data never pass through
the client; the client keeps the status and the bookkeeping (``docs/store.md``, section 7).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dasksnn.results.layout import STORE_ATTR, fill_value
from dasksnn.results.staging import Staging, ensure_dir, staging_dir, write_batch

__all__ = ["store_lock", "read_book", "place", "axis_of", "cut", "read_rows", "place_on_worker", "WorkerPlacements",
           "PlacementError", "WorkerWrites", "write_probe", "remove_probe"]

# waiting for a placement task: how often the cluster is looked at, and how long it may
# have no worker before the client places the runs itself
_AWAIT_STEP = 5.0
_NO_WORKERS = 30.0
_LOCK = ".lock"  # in the staging directory: Zarr warns of unknown files at the root
_PROBE = "writers.json"


@contextlib.contextmanager
def store_lock(path: str) -> Iterator[None]:
    """Hold the store's lock (a ``filelock.FileLock``: ``flock``, which NFS and Lustre mounted
    with ``flock`` honour across nodes)."""
    from filelock import FileLock

    root = staging_dir(path)
    ensure_dir(root)
    with FileLock(os.path.join(root, _LOCK)):
        yield


def read_book(path: str) -> dict[str, Any]:
    """The store's bookkeeping as it is on disk now (not a cached copy)."""
    with open(os.path.join(path, "zarr.json")) as handle:
        return json.load(handle).get("attributes", {}).get(STORE_ATTR, {})


# ---------------------------------------------------------------------------- placing
def place(group: Any, staging: Staging, block: int, start: int, end: int, runs: np.ndarray, dense: Sequence[str],
          ragged: dict[str, list[str]], events: dict[str, int]) -> dict[str, int]:
    """Write staged ``runs`` (those of ``start:end`` that are staged) into the arrays of ``group``.

    Dense variables a block at a time (each shard written once); ragged variables (events,
    synapses) appended in run order after the first ``events[dim]`` along their ragged dim,
    which is where the arrays are cut first (what an interrupted step appended is dropped
    and written again). Returns the length of each ragged dim afterwards. Writes data only: the caller marks
    the runs done and moves ``placed``.
    """
    for name in dense:
        _place_dense(group[name], staging, name, block, start, end, runs)
    return {dim: _place_events(group, staging, dim, names, start, end, runs, events[dim])
            for dim, names in ragged.items()}


def _place_dense(array: Any, staging: Staging, name: str, block: int, start: int, end: int,
                 runs: np.ndarray) -> None:
    lo = start
    while lo < end:
        hi = min(end, (lo // block + 1) * block)
        mine = runs[(runs >= lo) & (runs < hi)]
        if mine.size:
            values = np.full((hi - lo, *array.shape[1:]), fill_value(array.dtype), array.dtype)
            if mine.size == hi - lo:
                staging.dense(name, mine, values)
            else:
                rows = np.empty((mine.size, *array.shape[1:]), array.dtype)
                staging.dense(name, mine, rows)
                values[mine - lo] = rows
            array[lo:hi] = values
        lo = hi


def _place_events(group: Any, staging: Staging, dim: str, names: list[str], start: int, end: int,
                  runs: np.ndarray, length: int) -> int:
    counts = np.zeros(end - start, np.int64)
    counts[runs - start] = [staging.count(dim, int(run)) for run in runs]
    for name in names:
        array = group[name]
        axis = axis_of(array, dim)  # 1 for synapses' recorded values, on (time, synapse)
        if array.shape[axis] != length:  # events of an interrupted step: dropped, written again
            cut(array, dim, length)
        pieces, size = [], 0
        for run in runs:
            pieces.append(staging.events(name, dim, int(run)))
            size += pieces[-1].shape[0]
            if size >= array.shards[axis]:
                array.append(np.moveaxis(np.concatenate(pieces), 0, axis), axis=axis)
                pieces, size = [], 0
        if size:
            array.append(np.moveaxis(np.concatenate(pieces), 0, axis), axis=axis)
    starts = length + np.concatenate([[0], np.cumsum(counts)[:-1]])
    group[f"{dim}_start"][start:end] = starts
    group[f"{dim}_stop"][start:end] = starts + counts
    return length + int(counts.sum())


def axis_of(array: Any, dim: str) -> int:
    """The axis of a stored array along ``dim``."""
    return list(array.metadata.dimension_names).index(dim)


def cut(array: Any, dim: str, length: int) -> None:
    """Resize a stored ragged array to ``length`` along ``dim`` (its ragged dim)."""
    axis = axis_of(array, dim)
    array.resize((*array.shape[:axis], length, *array.shape[axis + 1:]))


def read_rows(array: Any, dim: str, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of a stored ragged array along ``dim``, that dim first (as staged)."""
    axis = axis_of(array, dim)
    return np.moveaxis(array[(slice(None),) * axis + (slice(start, stop),)], axis, 0)


class NotWriterError(RuntimeError):
    """A placement task found that its sweep no longer writes the store; it wrote nothing."""


def place_on_worker(path: str, writer: str, n_runs: int, start: int, end: int, runs: np.ndarray,
                    batches: list[str], dense: list[str], ragged: dict[str, list[str]], events: dict[str, int],
                    expected: dict[str, int], block: int, after: Any = None) -> dict[str, int]:
    """A Dask task: :func:`place` runs ``start:end`` from the staging ``batches``, on a worker;
    the events of each ragged dim afterwards (the client ``expected`` them).

    ``after`` is the previous placement (a dependency, so that placements run one after
    the other: consecutive blocks share the shards of ragged events). Writes nothing and
    raises :class:`NotWriterError` if ``writer`` no longer holds the store; writes nothing
    if the store says these runs are placed already.
    """
    import zarr

    with store_lock(path):
        book = read_book(path)
        if book.get("writer") != writer:
            raise NotWriterError(f"store '{path}' is written by {book.get('writer')}, not by {writer}: nothing placed")
        if book.get("placed", 0) >= end:
            # run again by Dask (its result was lost with a worker) after the client marked it: writing
            # again would cut the events that the placements after it appended
            return expected
        staging = Staging(path, n_runs)
        for batch in batches:
            staging.adopt(batch, start)
        try:
            return place(zarr.open_group(path, mode="r+"), staging, block, start, end, np.asarray(runs), dense,
                         ragged, events)
        finally:
            staging.release()


class PlacementError(RuntimeError):
    """A placement on a worker failed, or no worker could run it: the client places the rest."""


@dataclass
class Queued:
    """A placement submitted to the workers: its task, its runs, and the events after it."""

    future: Any
    start: int
    end: int
    runs: np.ndarray
    events: dict[str, int]


class WorkerPlacements:
    """Blocks of a store placed by tasks on the workers of ``client``, one after the other.

    Each task depends on the one before (consecutive blocks append events to the same
    shards), runs at high priority, and is marked by the client once it finished
    (:meth:`finished`), in order.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self.queue: deque[Queued] = deque()

    def last(self) -> Queued | None:
        """The placement submitted last, if any is not marked yet."""
        return self.queue[-1] if self.queue else None

    def submit(self, path: str, writer: str, n_runs: int, start: int, end: int, runs: np.ndarray,
               batches: list[str], dense: list[str], ragged: dict[str, list[str]], before: dict[str, int],
               after: dict[str, int], block: int) -> None:
        """Place runs ``start:end`` (:func:`place_on_worker`) after the placement before."""
        previous = self.queue[-1].future if self.queue else None
        future = self.client.submit(place_on_worker, path, writer, n_runs, start, end, runs, batches, dense, ragged,
                                    before, after, block, previous,
                                    key=f"sweep-store-{writer.rsplit(':', 1)[-1]}-{start}", priority=100, pure=False)
        self.queue.append(Queued(future, start, end, runs, after))

    def finished(self, wait: bool) -> Iterator[Queued]:
        """The placements that finished, in order (all of them if ``wait``), each taken off
        the queue once the caller marked it.

        Raises
        ------
        PlacementError
            One failed, ended with other event counts than the client expects, or (``wait``)
            no worker could run it; the queue is cancelled.
        """
        while self.queue:
            queued = self.queue[0]
            if not queued.future.done() and not (wait and self._await(queued.future)):
                if wait:
                    self._fail(queued, "no worker could run it")
                return
            if queued.future.status != "finished":
                self._fail(queued, repr(queued.future.exception()) if queued.future.status == "error"
                           else queued.future.status)
            events = queued.future.result()
            if events != queued.events:
                self._fail(queued, f"it left {events} events, {queued.events} were expected")
            yield queued
            self.queue.popleft()

    def _await(self, future: Any) -> bool:
        """Wait for a placement task; ``False`` when the cluster has had no worker for a while."""
        idle = 0.0
        while True:
            try:
                future.result(timeout=_AWAIT_STEP)
                return True
            except TimeoutError:
                pass
            except Exception:  # it failed: done
                return True
            if self.client.status != "running":
                return False
            idle = idle + _AWAIT_STEP if not self.client.scheduler_info().get("workers") else 0.0
            if idle >= _NO_WORKERS:
                return False

    def _fail(self, queued: Queued, why: str) -> None:
        with contextlib.suppress(Exception):  # a client that lost its scheduler cancels nothing
            self.client.cancel([entry.future for entry in self.queue])
        self.queue.clear()
        raise PlacementError(f"placing runs {queued.start} to {queued.end - 1} into the store on a worker failed "
                             f"({why})")


# ---------------------------------------------------------------------------- staging on workers
def write_probe(path: str, token: str, dt: float, shapes: dict[str, tuple[int, ...]],
                ragged: dict[str, list[str]]) -> None:
    """Tell workers that see ``path`` to stage their runs there: the call's token and what a run
    must hold (``shapes`` of every per-run variable, -1 along ragged dims; ``ragged``: the
    variables along each ragged dim)."""
    root = staging_dir(path)
    ensure_dir(root)
    tmp = os.path.join(root, f".{_PROBE}.{token}")
    with open(tmp, "w") as handle:
        json.dump({"token": token, "dt": dt, "shapes": {k: list(v) for k, v in shapes.items()}, "ragged": ragged},
                  handle)
    os.replace(tmp, os.path.join(root, _PROBE))


def remove_probe(path: str, token: str) -> None:
    """Stop workers staging for this call (the probe stays if another call replaced it)."""
    if _probe(path, token) is not None:
        with contextlib.suppress(OSError):
            os.remove(os.path.join(staging_dir(path), _PROBE))


def _probe(path: str, token: str) -> dict[str, Any] | None:
    """What the probe of this call says, or ``None`` where this worker does not see it."""
    try:
        with open(os.path.join(staging_dir(path), _PROBE)) as handle:
            probe = json.load(handle)
    except (OSError, ValueError):
        return None
    return probe if probe.get("token") == token else None


@dataclass(frozen=True)
class WorkerWrites:
    """Given to every task of a sweep with a store: a worker that sees the store stages the
    task's runs there itself (one batch per task) and sends back only their outcomes.

    A worker that does not see the store (no shared filesystem), or a task that finishes
    before the store exists, sends the runs' data to the client as before.
    """

    path: str
    token: str

    def __call__(self, outcomes: list[Any]) -> list[Any]:
        """Stage the good runs of ``outcomes`` if the store is visible; the outcomes to send back."""
        from dasksnn.results.sink import check_run, run_parts

        probe = _probe(self.path, self.token)
        if probe is None:
            return outcomes
        shapes = {name: tuple(shape) for name, shape in probe["shapes"].items()}
        ragged = probe["ragged"]
        along = {name for names in ragged.values() for name in names}
        good = []
        for outcome in outcomes:
            if outcome.value is not None and not outcome.error:
                outcome.error = check_run(outcome.value, probe["dt"], shapes)
                if outcome.error:
                    outcome.value = None
                else:
                    good.append(outcome)
        if not good:
            return outcomes
        batch = write_batch(staging_dir(self.path), "w", [o.run for o in good],
                            *run_parts(good, [name for name in shapes if name not in along], ragged))
        for outcome in good:
            outcome.value, outcome.staged = None, os.path.basename(batch)
        return outcomes
