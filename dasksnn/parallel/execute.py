"""Running many runs: one after the other in this process, or in Dask tasks on a client.

Both ways give the same :class:`~dasksnn.results.store.Outcome` objects, in batches as
runs finish, so callers (``parallel_run``, ``sweep``) never care which one ran.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from dasksnn.results.store import Outcome

__all__ = ["run_tasks", "run_chunk", "chunk_size", "timed_task", "Shared", "Progress"]

# results gathered before they are handed on, so a fast sweep writes in batches of bounded size
_BATCH_RUNS = 64
_BATCH_BYTES = 16 * 2**20
# most runs in one Dask task
_CHUNK_RUNS = 16


class Progress:
    """A text progress bar on stderr (Dask's widget in Jupyter, when it can show one)."""

    def __init__(self, total: int, label: str, enabled: bool) -> None:
        self.total, self.label, self.enabled = total, label, enabled and total > 0
        self.redraw = sys.stderr.isatty()  # in a log file, only the final line
        self.done, self.start, self._shown = 0, time.perf_counter(), 0.0

    def widget(self, futures: list) -> bool:
        """Show Dask's progress widget in a notebook; False where none can be shown."""
        if not self.enabled:
            return False
        from distributed.utils import is_kernel

        if not is_kernel():
            return False
        try:
            from distributed import progress
            from IPython.display import display

            display(progress(futures, notebook=True, multi=False))
        except Exception:  # no ipywidgets: fall back to the text bar
            return False
        self.enabled = False
        return True

    def update(self, count: int) -> None:
        self.done += count
        now = time.perf_counter()
        finished = self.done == self.total
        if self.enabled and (finished or (self.redraw and now - self._shown > 0.2)):
            self._shown = now
            width = 30
            filled = int(width * self.done / self.total)
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{' ' * (width - filled)}] "
                             f"{self.done}/{self.total} runs | {now - self.start:.1f} s")
            if finished:
                sys.stderr.write("\n")
            sys.stderr.flush()


class Shared:
    """Arguments common to every task, sent to each worker once."""

    def __init__(self, items: Sequence[Any]) -> None:
        self.items = tuple(items)


def timed_task(work: Callable[..., Any], run: int, shared: Shared, *args: Any) -> Outcome:
    """Run ``work(run, timings, *shared, *args)`` and wrap what it returns or raises in an Outcome."""
    timings: dict[str, Any] = {"worker": f"{platform.node()}:{os.getpid()}"}
    start = time.perf_counter()
    try:
        value = work(run, timings, *shared.items, *args)
        error = ""
    except Exception as exc:
        value = None
        error = f"{type(exc).__name__}: {exc}\n{''.join(traceback.format_exception(exc))}"
    timings["total"] = time.perf_counter() - start
    return Outcome(run, value, error, timings)


def run_chunk(work: Callable[..., Any], runs: Sequence[int], shared: Shared,
              per_run: Sequence[Sequence[Any]]) -> list[Outcome]:
    """One Dask task: a few runs one after the other, each with its own outcome."""
    return [timed_task(work, run, shared, *args) for run, args in zip(runs, per_run, strict=True)]


def chunk_size(runs: int, workers: int) -> int:
    """Runs per task: about 8 tasks per worker thread (for balance), at most 16 runs each.

    One task per run costs the scheduler milliseconds, as much as a small run takes;
    grouping them keeps the client from competing with the workers for the cores.
    """
    return max(1, min(_CHUNK_RUNS, runs // (8 * max(1, workers))))


def run_tasks(work: Callable[..., Any], runs: Sequence[int], per_run: Sequence[Sequence[Any]],
              shared: Sequence[Any], client: Any, label: str, progress: bool) -> Iterator[list[Outcome]]:
    """Yield batches of outcomes of ``work(run, timings, *shared, *per_run[k])`` for each run.

    With ``client=None`` runs go one after the other in this process. On a client, runs
    go in Dask tasks of :func:`chunk_size` runs (``pure=False``); the first failure does
    not stop the others: the caller decides, and cancels the rest by closing the generator.
    """
    bar = Progress(len(runs), label, progress)
    if client is None:
        for k, run in enumerate(runs):
            outcome = timed_task(work, run, Shared(shared), *per_run[k])
            bar.update(1)
            yield [outcome]
        return
    from dask.sizeof import sizeof
    from distributed import as_completed

    shared_future = client.scatter(Shared(shared), hash=False)
    size = chunk_size(len(runs), sum(client.nthreads().values()))
    chunks = [(list(runs[k:k + size]), list(per_run[k:k + size])) for k in range(0, len(runs), size)]
    futures = client.map(run_chunk, [work] * len(chunks), [c[0] for c in chunks], [shared_future] * len(chunks),
                         [c[1] for c in chunks], pure=False)
    runs_of = {future.key: chunk[0] for future, chunk in zip(futures, chunks, strict=True)}
    bar.widget(futures)
    pending = as_completed(futures, loop=client.loop)
    try:
        batch: list[Outcome] = []
        nbytes = 0
        for future in pending:
            outcomes = _results(future, runs_of[future.key])
            future.release()
            batch.extend(outcomes)
            nbytes += sum(sizeof(o.value) for o in outcomes)
            if len(batch) >= _BATCH_RUNS or nbytes >= _BATCH_BYTES or not pending.has_ready():
                bar.update(len(batch))
                yield batch
                batch, nbytes = [], 0
        if batch:
            bar.update(len(batch))
            yield batch
    finally:
        unfinished = [f for f in futures if not f.done()]
        if unfinished:
            client.cancel(unfinished)


def _results(future: Any, runs: list[int]) -> list[Outcome]:
    """The outcomes of a task, also when the task itself failed (a worker died, say)."""
    try:
        return future.result()
    except Exception as exc:  # e.g. KilledWorker: recorded against each of its runs
        return [Outcome(run, None, f"{type(exc).__name__}: {exc}") for run in runs]
