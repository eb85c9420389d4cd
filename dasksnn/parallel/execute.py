"""Running many runs: one after the other in this process, or in Dask tasks on a client.

Both ways give the same :class:`~dasksnn.results.store.Outcome` objects, in batches as
runs finish, so callers (``parallel_run``, ``sweep``) never care which one ran.
"""

from __future__ import annotations

import functools
import inspect
import os
import platform
import time
import traceback
import types
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from dasksnn.errors import ArgumentTypeError
from dasksnn.parallel.faults import cluster_error
from dasksnn.parallel.progress import Progress
from dasksnn.results.store import Outcome

__all__ = ["run_tasks", "run_chunk", "chunk_size", "timed_task", "check_sendable", "callable_name", "Shared"]

# results gathered before they are handed on, so a fast sweep writes in batches of bounded size
_BATCH_RUNS = 64
_BATCH_BYTES = 16 * 2**20
# most runs in one Dask task
_CHUNK_RUNS = 64
# how long a task should last: long enough that its scheduling (milliseconds) is noise, short
# enough that a worker that dies or retires (walltime, pre-emption) loses little
_TASK_SECONDS = 0.5


# values that always pickle: not worth a trial pickling each
_PLAIN = (type(None), bool, int, float, complex, str, bytes, np.generic)


def check_sendable(value: Any, where: str, what: str) -> None:
    """Refuse, on the client, a value that Dask could not send to the workers.

    Pickles ``value`` once with cloudpickle, as Dask does with what it cannot pickle
    plainly (a function defined in a script, a closure, a lambda); plain values and
    numeric arrays are not tried. Without this check a lock or an open file captured by
    a function fails only once the cluster is up, in Dask's words
    ("Could not serialize object of type Shared").

    Parameters
    ----------
    value : object
        What will be sent.
    where, what : str
        The caller (``"parallel_run"``) and the argument (``"method 'simulation'"``),
        for the message.

    Raises
    ------
    ArgumentTypeError
        ``value`` cannot be pickled; the message names the captured variables that
        cannot be (for a function), what the pickler said, and how to fix it.
    """
    if isinstance(value, _PLAIN) or (isinstance(value, np.ndarray) and value.dtype != object):
        return
    try:
        _dumps(value)
    except Exception as exc:
        culprits = [f"{label} (a {_type_name(part)})" for label, part in _parts(value) if not _pickles(part)]
        fix = ("define it at module level and pass what a run needs as arguments (a file name, not an open "
               "file)" if callable(value) else "pass plain data instead (numbers, arrays, strings, file names)")
        raise ArgumentTypeError(
            f"{where}: {what} cannot be sent to the Dask workers: cloudpickle cannot pickle "
            f"{'its ' + ', '.join(culprits) if culprits else 'it'} ({type(exc).__name__}: {exc}). To fix, {fix}: "
            "locks, open files, clients and other live resources cannot travel to another process; or run "
            "with sequential=True") from exc


def callable_name(function: Callable[..., Any]) -> str:
    """``'simulation'`` for a function (its qualified name), the repr of other callables."""
    name = getattr(function, "__qualname__", None)
    return f"'{name}'" if isinstance(name, str) else repr(function)


def _dumps(value: Any) -> None:
    """Pickle ``value`` as Dask would and drop the bytes; arrays go out-of-band (protocol 5), uncopied."""
    import cloudpickle

    cloudpickle.dumps(value, protocol=5, buffer_callback=_out_of_band)


def _out_of_band(buffer: Any) -> bool:
    return False  # the buffer is left out of the pickle: nothing is copied


def _pickles(value: Any) -> bool:
    try:
        _dumps(value)
    except Exception:
        return False
    return True


def _type_name(value: Any) -> str:
    kind = type(value)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _parts(value: Any) -> list[tuple[str, Any]]:
    """What pickling ``value`` pickles too, labelled: captured and global variables of a
    function, the object of a bound method, a partial's arguments, an object's attributes."""
    if isinstance(value, types.MethodType):
        return [*((f"{label} of the method's object", part) for label, part in _parts(value.__self__)),
                *_parts(value.__func__)]
    if isinstance(value, functools.partial):
        return [("partial function", value.func),
                *((f"partial argument {k}", arg) for k, arg in enumerate(value.args)),
                *((f"partial argument '{name}'", arg) for name, arg in value.keywords.items())]
    if isinstance(value, types.FunctionType):
        try:
            found = inspect.getclosurevars(value)
            parameters = inspect.signature(value).parameters
        except (TypeError, ValueError):  # pragma: no cover - a function inspect cannot read
            return []
        return [*((f"captured variable '{name}'", part) for name, part in found.nonlocals.items()),
                *((f"global '{name}'", part) for name, part in found.globals.items()),
                *((f"default value of '{name}'", p.default) for name, p in parameters.items()
                  if p.default is not p.empty)]
    if isinstance(value, list | tuple):
        return [(f"item {k}", item) for k, item in enumerate(value)]
    if isinstance(value, dict):
        return [(f"item {key!r}", item) for key, item in value.items()]
    return [(f"attribute '{name}'", part) for name, part in getattr(value, "__dict__", {}).items()]


class Shared:
    """Arguments common to every task, sent to the cluster once.

    They travel pickled, as the argument of a task of their own (:func:`_shared`) on
    which every run's task depends, so they are part of the task graph: when the worker
    that holds them dies or retires, the scheduler computes them again elsewhere.
    Scattered data (``client.scatter``) cannot be recomputed, and its loss failed every
    remaining run. Pickled here, they stay bytes on the scheduler, which then needs
    neither the user's modules nor the time to unpickle them. Putting them in each
    task instead would send them once per task: the template of a 1000-neuron network
    with its method pickles to 243 KiB, 150 MB for 625 tasks.
    """

    def __init__(self, items: Sequence[Any]) -> None:
        self.items = tuple(items)


def _shared(pickled: bytes) -> Shared:
    """The task that holds the shared arguments, unpickled on the worker."""
    import cloudpickle

    return cloudpickle.loads(pickled)


def timed_task(work: Callable[..., Any], run: int, shared: Shared, *args: Any) -> Outcome:
    """Run ``work(run, timings, *shared, *args)`` and wrap what it returns or raises in an Outcome.

    ``timings`` gets the worker (``host:pid``), the wall-clock time the run started
    (``started``, seconds since the epoch) and its duration (``total``); ``work`` adds its own.
    """
    timings: dict[str, Any] = {"worker": f"{platform.node()}:{os.getpid()}", "started": time.time()}
    start = time.perf_counter()
    try:
        value = work(run, timings, *shared.items, *args)
        error = ""
    except Exception as exc:
        value = None
        error = f"{type(exc).__name__}: {exc}\n{''.join(traceback.format_exception(exc))}"
    timings["total"] = time.perf_counter() - start
    return Outcome(run, value, error, timings)


def run_chunk(work: Callable[..., Any], runs: Sequence[int], shared: Shared, per_run: Sequence[Sequence[Any]],
              after: Callable[[list[Outcome]], list[Outcome]] | None = None) -> list[Outcome]:
    """One Dask task: a few runs one after the other, each with its own outcome; then
    ``after(outcomes)`` on the worker, if given (a sweep's worker writing its runs itself)."""
    outcomes = [timed_task(work, run, shared, *args) for run, args in zip(runs, per_run, strict=True)]
    return outcomes if after is None else after(outcomes)


def chunk_size(runs: int, workers: int, run_seconds: float | None = None) -> int:
    """Runs per task: tasks of about half a second (``run_seconds`` a run, when known), at
    least 8 tasks per worker thread (for balance), at most 64 runs each.

    One task per run costs the scheduler milliseconds, as much as a small run takes;
    grouping small runs keeps the client from competing with the workers for the cores.
    Long runs go one per task: a worker that retires loses at most one run in flight.
    """
    by_time = _CHUNK_RUNS if not run_seconds else int(_TASK_SECONDS / run_seconds)
    return max(1, min(_CHUNK_RUNS, by_time, runs // (8 * max(1, workers))))


def _run_seconds(outcomes: Sequence[Outcome]) -> float | None:
    """What a run costs, from the first runs of a fan-out: the whole run where the kernel was in
    memory, else all but its compile (the first run on a worker also loads the kernel)."""
    costs = [o.timings["total"] - (0.0 if o.timings.get("kernel") == "memory" else o.timings.get("compile", 0.0))
             for o in outcomes if not o.error and "total" in o.timings]
    return max(costs) if costs else None


def run_tasks(work: Callable[..., Any], runs: Sequence[int], per_run: Sequence[Sequence[Any]],
              shared: Sequence[Any], client: Any, label: str, progress: bool,
              after: Callable[[list[Outcome]], list[Outcome]] | None = None) -> Iterator[list[Outcome]]:
    """Yield batches of outcomes of ``work(run, timings, *shared, *per_run[k])`` for each run.

    With ``client=None`` runs go one after the other in this process. On a client, runs
    go in Dask tasks of :func:`chunk_size` runs that depend on one task holding
    ``shared`` (see :class:`Shared`); the first failure of a run does not stop the
    others: the caller decides, and cancels the rest by closing the generator. Runs of
    a worker that dies are run again by Dask; a task the cluster lost for good (see
    :mod:`dasksnn.parallel.faults`) ends the generator with a
    :class:`~dasksnn.parallel.faults.ClusterError`, after the outcomes gathered so far
    were yielded.

    Each outcome's timings hold ``submitted``: when this process handed the runs to
    Dask (seconds since the epoch), for ``measure_time``. ``after`` is applied to each
    task's outcomes on its worker (not in this process).
    """
    bar = Progress(len(runs), label, progress, client)
    try:
        if client is None:
            submitted = time.time()
            for k, run in enumerate(runs):
                outcome = timed_task(work, run, Shared(shared), *per_run[k])
                outcome.timings["submitted"] = submitted
                bar.update([outcome])
                yield [outcome]
        else:
            for batch in _on_cluster(work, runs, per_run, shared, client, label, after):
                bar.update(batch)
                yield batch
    finally:
        bar.close()


def _on_cluster(work: Callable[..., Any], runs: Sequence[int], per_run: Sequence[Sequence[Any]],
                shared: Sequence[Any], client: Any, label: str,
                after: Callable[[list[Outcome]], list[Outcome]] | None) -> Iterator[list[Outcome]]:
    """:func:`run_tasks` on a client: batches of outcomes as tasks finish."""
    import cloudpickle
    from dask.sizeof import sizeof
    from distributed import as_completed

    token = uuid.uuid4().hex
    submitted = time.time()
    shared_future = client.submit(_shared, cloudpickle.dumps(Shared(shared), protocol=5),
                                  key=f"dasksnn-shared-{token}")
    futures: list[Any] = []
    runs_of: dict[str, list[int]] = {}

    def submit(first: int, last: int, size: int) -> list[Any]:
        """Tasks of ``size`` runs for runs[first:last], named "<caller>-runs" on the dashboard."""
        chunks = [(list(runs[k:k + size]), list(per_run[k:k + size])) for k in range(first, last, size)]
        made = client.map(run_chunk, [work] * len(chunks), [c[0] for c in chunks], [shared_future] * len(chunks),
                          [c[1] for c in chunks], [after] * len(chunks),
                          key=[f"{label}-runs-{token}-{k}" for k in range(first, last, size)])
        runs_of.update({future.key: chunk[0] for future, chunk in zip(made, chunks, strict=True)})
        futures.extend(made)
        return made

    # a first run per worker thread, one per task, says how long a run takes; the others then go
    # in tasks of about half a second each (chunk_size)
    threads = max(1, sum(client.nthreads().values()))
    first = min(len(runs), threads)
    pending = as_completed(submit(0, first, 1), loop=client.loop)
    rest = first < len(runs)
    try:
        batch: list[Outcome] = []
        nbytes = 0
        for future in pending:
            try:
                outcomes = future.result()
            except Exception as exc:
                lost = cluster_error(exc, runs_of[future.key], label, client)
                if lost is not None:
                    if batch:
                        yield batch
                    raise lost from exc
                # the task itself raised outside its runs (its arguments did not unpickle on the
                # worker, say): recorded against each of its runs, which could not run
                outcomes = [Outcome(run, None, f"{type(exc).__name__}: {exc}") for run in runs_of[future.key]]
            future.release()
            if rest:
                size = chunk_size(len(runs) - first, max(1, sum(client.nthreads().values())), _run_seconds(outcomes))
                pending.update(submit(first, len(runs), size))
                rest = False
            for outcome in outcomes:
                outcome.timings["submitted"] = submitted
            batch.extend(outcomes)
            nbytes += sum(sizeof(o.value) for o in outcomes)
            if len(batch) >= _BATCH_RUNS or nbytes >= _BATCH_BYTES or not pending.has_ready():
                yield batch
                batch, nbytes = [], 0
        if batch:
            yield batch
    finally:
        unfinished = [f for f in futures if not f.done()]
        if unfinished and client.status == "running":
            client.cancel(unfinished)
