"""Where each run's time went, for ``measure_time``."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from dasksnn.results.store import Outcome

__all__ = ["compile_timed", "kernel_origin", "report", "warm"]

# kernels this process has already used, by source path
_used: set[str] = set()
# structures compiled before a fan-out in this process
_warmed: set[Any] = set()


def kernel_origin(net: Any) -> str:
    """How this process got ``net``'s kernel: "compiled", "disk cache" or "memory"."""
    kernel = net.simulator.kernel
    function = kernel.loaded()  # a compiled network unpickled here loads its kernel when it runs
    if str(kernel.path) in _used:
        return "memory"
    _used.add(str(kernel.path))
    stats = function.stats
    return "compiled" if sum(stats.cache_misses.values()) else "disk cache"


def warm(net: Any, timings: dict[str, Any]) -> None:
    """Compile ``net`` before a fan-out, unless a network of its structure was compiled so here."""
    structure = (net.dt, net.structure())
    if structure not in _warmed:
        compile_timed(net, timings)
        _warmed.add(structure)
    else:
        timings["kernel"] = "compiled before, by an earlier fan-out"


def compile_timed(net: Any, timings: dict[str, Any]) -> None:
    """Compile ``net``, recording the time and where its kernel came from in ``timings``."""
    start = time.perf_counter()
    net.compile()
    timings["build"] = timings["compile"] = time.perf_counter() - start
    timings["kernel"] = kernel_origin(net)


def _workers(outcomes: Sequence[Outcome]) -> tuple[int, int]:
    """Workers that ran runs over the whole call, and the most of them busy at once.

    A worker's span is from the start of its first run to the end of its last; workers
    that retired early and workers that joined late are counted.
    """
    spans: dict[str, list[float]] = {}
    for o in outcomes:
        start = o.timings.get("started")
        if start is None:
            continue
        end = start + o.timings.get("total", 0.0)
        span = spans.setdefault(o.timings.get("worker", "?"), [start, end])
        span[0], span[1] = min(span[0], start), max(span[1], end)
    edges = sorted([(a, 1) for a, _ in spans.values()] + [(b, -1) for _, b in spans.values()],
                   key=lambda edge: (edge[0], edge[1]))  # an end before a start at the same time
    most = busy = 0
    for _, step in edges:
        busy += step
        most = max(most, busy)
    return len(spans), most


def report(label: str, outcomes: Sequence[Outcome], wall: float, client_compile: dict[str, Any],
           client: Any, seed: int) -> str:
    """A few lines saying where the time of ``outcomes`` went (``client=None``: in this process).

    Workers are those that ran runs, counted over the whole call; waiting for workers
    (a batch queue, workers starting) is the time from handing the runs to Dask to the
    start of the first run, apart from scheduling and transfer.
    """
    origins = Counter(o.timings.get("kernel", "none") for o in outcomes)
    busy: dict[str, float] = defaultdict(float)
    for o in outcomes:
        busy[o.timings.get("worker", "?")] += o.timings.get("total", 0.0)
    build = sum(o.timings.get("build", 0.0) for o in outcomes)
    run = sum(o.timings.get("run", 0.0) for o in outcomes)
    busiest = max(busy.values(), default=0.0)
    before = client_compile.get("build", 0.0)
    start = client_compile.get("start", 0.0)
    started = [o.timings["started"] for o in outcomes if "started" in o.timings]
    submitted = [o.timings["submitted"] for o in outcomes if "submitted" in o.timings]
    waiting = max(0.0, min(started) - min(submitted)) if client is not None and started and submitted else 0.0
    overhead = max(0.0, wall - before - start - waiting - busiest)
    if client is None:
        where = "in this process"
    else:
        workers, most = _workers(outcomes)
        where = f"on {workers} worker{'s' if workers != 1 else ''}" + (f" (at most {most} at once)"
                                                                       if most < workers else "")
    return "\n".join([
        f"{label}: {len(outcomes)} runs {where} took {wall:.3f} s (seed {seed})",
        f"  compile before fan-out: {before:.3f} s, kernel {client_compile.get('kernel', 'none')}",
        *([f"  starting the workers: {start:.3f} s"] if start > 0.01 else []),
        *([f"  waiting for workers (batch queue, worker start): {waiting:.3f} s"] if waiting > 0.1 else []),
        f"  kernels in runs: {origins['compiled']} compiled, {origins['disk cache']} loaded from the disk "
        f"cache, {origins['memory']} reused in memory",
        f"  in runs (sum over runs): build and compile {build:.3f} s, run {run:.3f} s; busiest worker "
        f"{busiest:.3f} s",
        f"  scheduling and transfer: {overhead:.3f} s",
    ])
