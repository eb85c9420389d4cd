"""Building a run's copy of a network: its cost against simulating, alone and two at once,
and what it leaves of parallel efficiency.

Three measurements, medians of ``--repeats``; every build has the kernel in memory
already (the process compiled or loaded it once before):

(1) build vs simulate. A *build* is what a ``parallel_run`` worker does for each run
    before calling the user's method: make the run's copy of the network with its own
    seed and compile it, until it is ready to simulate (``Network(seed=s,
    everything=True)``, then ``net.compile()``, which draws the connectivity and fills
    the kernel's arrays). It is timed against ``net.simulate(1000.0)`` of the copy, in
    ``--builds`` cycles of build + simulate in a row, as a worker runs one run after
    another (a build's time depends on whether the allocator reuses the memory of the
    previous run: the table shows the fastest and slowest build too), for
    (i) the network of ANNarchy's parallel-simulations notebook (Izhikevich, 1000
    neurons, all-to-all, dt = 1 ms; ``dasksnn_izhikevich`` of ``_sweep_refs.py``) and
    (ii) the COBA network of ``coba.py`` with 4000 neurons (fan-in 80, dt = 0.1 ms).
    Target: build / simulate <= 0.3.
(2) two builds at once. Two spawned worker processes (with the environment dasksnn gives
    its workers, ``dasksnn.worker_environment()``) each build ``--builds`` copies in a
    row, started together, against one of them building alone while the other waits:
    median time per build. Target: at once / alone <= 1.3 (a build should not be bound
    by the memory bandwidth the two cores share). The same for ``--builds``
    simulations of 1000 ms of one built network, to compare: what two runs at once cost
    on this machine whatever dasksnn does.
(3) parallel efficiency. ``--runs`` runs of network (i) simulated for
    ``--run-duration`` ms (about 0.1 s per run, build included) by dasksnn's
    ``parallel_run`` on its LocalCluster of 2 workers (started and kernel loaded by a
    first call), and, in the same process, by a ``multiprocessing.Pool(2)`` whose
    processes make and simulate the same networks directly (same seeds). Efficiency:
    (sequential time in this process) / (2 x parallel time). Targets: dasksnn >= 85 %,
    and >= 95 % of the Pool's.

Before each measurement the script waits (up to ``--quiet-wait`` s) until other
processes use less than 0.3 CPU, and reports the CPUs they used meanwhile ("other
load"): on a shared 2-core machine that load, not dasksnn, can decide the figures.

Only public API is used (``Network``, ``add``/``everything``, ``get_monitors``,
``compile``, ``simulate``, ``parallel_run``, ``close_local_cluster``) so that the script
follows the engine through refactoring. Usage::

    .venv/bin/python benchmarks/build.py                 # --repeats 5
    .venv/bin/python benchmarks/build.py --repeats 3 --json build.json
    .venv/bin/python benchmarks/build.py --skip efficiency --builds 20
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _sweep_refs import IZH_DT, _children_cpu_s, _cpu_busy_s, dasksnn_izhikevich, wait_quiet
from coba import NEURON as COBA_NEURON
from coba import VR, VT, WE, WI


def _worker_environment() -> dict[str, str]:
    """The environment dasksnn gives its workers (one thread, arrays from the heap)."""
    import dasksnn

    return dasksnn.worker_environment()

WORKERS = 2
SIM_MS = 1000.0
COBA_N, COBA_FAN_IN, COBA_DT = 4000, 80.0, 0.1
TARGET_RATIO, TARGET_TOGETHER, TARGET_EFF, TARGET_VS_POOL = 0.3, 1.3, 0.85, 0.95


# ---------------------------------------------------------------- the networks, in the default network
def _izhikevich(ann: Any, seed: int) -> None:
    ann.setup(dt=IZH_DT, seed=seed)
    dasksnn_izhikevich(ann, seed)


def _coba(ann: Any, seed: int) -> None:
    ann.setup(dt=COBA_DT, seed=seed)
    n_exc, p = int(0.8 * COBA_N), COBA_FAN_IN / COBA_N
    pop = ann.Population(COBA_N, ann.Neuron(**COBA_NEURON), name="P")
    pop.v = ann.Uniform(VR, VT)
    ann.Projection(pop[:n_exc], pop, "exc").connect_fixed_probability(probability=p, weights=WE)
    ann.Projection(pop[n_exc:], pop, "inh").connect_fixed_probability(probability=p, weights=WI)
    ann.Monitor(pop, "spike")


NETWORKS: dict[str, tuple[str, Callable[[Any, int], None]]] = {
    "izhikevich": ("(i) notebook: Izhikevich 1000, all-to-all, dt 1 ms", _izhikevich),
    "coba": (f"(ii) COBA {COBA_N}, fan-in {COBA_FAN_IN:g}, dt {COBA_DT:g} ms", _coba),
}


def _setup(network: str, seed: int) -> Any:
    """Import dasksnn, create ``network`` in its default network, load its kernel once."""
    import dasksnn as ann

    ann.clear()
    NETWORKS[network][1](ann, seed)
    build(ann, seed)
    return ann


def build(ann: Any, seed: int) -> Any:
    """What a parallel_run worker does before a run: the run's copy of the default network,
    seeded, compiled (connectivity drawn), ready to simulate."""
    net = ann.Network(seed=seed, everything=True)
    net.compile()
    return net


def _seeds(seed: int, n: int) -> list[int]:
    """Run ``i``'s seed as ``parallel_run`` gives it: the first 64-bit word of child ``i`` of
    ``SeedSequence(seed)``."""
    return [int(c.generate_state(1, np.uint64)[0]) for c in np.random.SeedSequence(seed).spawn(n)]


class _Load:
    """Wall time and the CPUs other processes used meanwhile (this one and its children excluded)."""

    def __init__(self, quiet_wait: float) -> None:
        self.quiet_wait = quiet_wait

    def __enter__(self) -> _Load:
        if self.quiet_wait > 0:
            wait_quiet(self.quiet_wait)
        self.b0, self.c0, self.s0 = _cpu_busy_s(), _cpu_self(), time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wall = time.perf_counter() - self.s0
        b1 = _cpu_busy_s()
        own = _cpu_self() - self.c0
        self.other = None if self.b0 is None or self.wall <= 0 else max(0.0, (b1 - self.b0 - own) / self.wall)


def _cpu_self() -> float:
    """CPU seconds of this process, of its live descendants (the build workers, the Pool's,
    Dask's nannies and workers) and of its children that ended."""
    import psutil  # a dependency of distributed

    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += sum(child.cpu_times()[:2])
    return total + _children_cpu_s()


# ---------------------------------------------------------------- (1) build vs simulate
def build_vs_simulate(network: str, repeats: int, count: int, seed: int, quiet_wait: float) -> dict[str, Any]:
    """(1): per repeat, ``count`` cycles of build + simulate in a row in this process (as a
    worker runs one run after another); medians over the repeats of each repeat's median."""
    ann = _setup(network, seed)
    builds, sims, rates, other, every = [], [], [], [], []
    for r in range(repeats):
        b, s = [], []
        with _Load(quiet_wait) as load:
            for run_seed in _seeds(seed + 1 + r, count):
                start = time.perf_counter()
                net = build(ann, run_seed)
                b.append(time.perf_counter() - start)
                start = time.perf_counter()
                net.simulate(SIM_MS)
                s.append(time.perf_counter() - start)
                rates.append(float(net.get_monitors()[0].mean_fr()))
                del net
        builds.append(statistics.median(b))
        sims.append(statistics.median(s))
        other.append(load.other)
        every += b
    b, s = statistics.median(builds), statistics.median(sims)
    return {"build_s": b, "sim_s": s, "ratio": b / s, "rate_hz": statistics.median(rates), "build_min_s": min(every),
            "build_max_s": max(every), "builds": every, "other": _median(other)}


# ---------------------------------------------------------------- (2) two builds at once
def _builder(conn: Any, barrier: Any, network: str, seed: int) -> None:
    """A worker process: set up once, then on request (alone, or after the barrier) time
    ``count`` builds, or ``count`` simulations of SIM_MS of one built network."""
    ann = _setup(network, seed)
    conn.send("ready")
    while (msg := conn.recv()) is not None:
        what, count, together, first = msg
        net = build(ann, first) if what == "simulate" else None
        if together:
            barrier.wait()
        times = []
        for s in _seeds(first, count):
            start = time.perf_counter()
            if what == "build":
                net = build(ann, s)
            else:
                net.simulate(SIM_MS)
            times.append(time.perf_counter() - start)
        del net
        conn.send(times)


def together(network: str, repeats: int, count: int, seed: int, quiet_wait: float) -> dict[str, Any]:
    """(2): builds (and, to compare, simulations) in one process alone and in two at once."""
    ctx = multiprocessing.get_context("spawn")
    os.environ.update(_worker_environment())  # as dasksnn's workers: inherited by the spawned processes
    barrier = ctx.Barrier(WORKERS)
    pipes, procs = [], []
    for _ in range(WORKERS):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_builder, args=(child, barrier, network, seed), daemon=True)
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    out: dict[str, Any] = {}
    try:
        for conn in pipes:
            conn.recv()  # "ready": kernel loaded
        for what in ("build", "simulate"):
            times: dict[str, list[float]] = {"alone": [], "together": []}
            other: dict[str, list[float | None]] = {"alone": [], "together": []}
            for r in range(repeats):
                for mode, users in (("alone", pipes[:1]), ("together", pipes)):
                    with _Load(quiet_wait) as load:
                        for k, conn in enumerate(users):
                            conn.send((what, count, mode == "together", seed + 1000 * r + 100 * k))
                        runs = [t for conn in users for t in conn.recv()]
                    times[mode].append(statistics.median(runs))
                    other[mode].append(load.other)
            a, t = statistics.median(times["alone"]), statistics.median(times["together"])
            out[what] = {"alone_s": a, "together_s": t, "ratio": t / a, "other_alone": _median(other["alone"]),
                         "other_together": _median(other["together"])}
        for conn in pipes:
            conn.send(None)
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()
    return out


# ---------------------------------------------------------------- (3) parallel efficiency
_RUN_MS = 3000.0  # set from --run-duration in this process and in the Pool's (initializer)


def _method(idx: int, net: Any) -> float:
    """The runs' method: simulate, return the mean rate (Hz)."""
    net.simulate(_RUN_MS)
    return float(net.get_monitors()[0].mean_fr())


def _pool_init(seed: int, run_ms: float, ready: Any) -> None:
    """A Pool process: the network created and its kernel loaded before any run."""
    global _RUN_MS, _ANN
    _RUN_MS = run_ms
    _ANN = _setup("izhikevich", seed)
    ready.put(os.getpid())


_ANN: Any = None


def _direct(job: tuple[int, int]) -> float:
    """One run without parallel_run: the run's copy built here, then the method."""
    idx, s = job
    return _method(idx, build(_ANN, s))


def efficiency(repeats: int, runs: int, run_ms: float, seed: int, quiet_wait: float) -> dict[str, Any]:
    global _RUN_MS, _ANN
    _RUN_MS = run_ms
    _ANN = ann = _setup("izhikevich", seed)
    jobs = list(enumerate(_seeds(seed, runs)))
    kw = {"method": _method, "number": runs, "seed": seed, "progress": False}
    ann.parallel_run(**{**kw, "number": 2 * WORKERS}, max_processes=WORKERS)  # start the cluster, load the kernel
    ctx = multiprocessing.get_context("spawn")
    os.environ.update(_worker_environment())  # the Pool's processes start as dasksnn's workers do
    ready = ctx.Queue()
    pool = ctx.Pool(WORKERS, initializer=_pool_init, initargs=(seed, run_ms, ready))
    for _ in range(WORKERS):
        ready.get(timeout=600)  # both processes have loaded the kernel
    times: dict[str, list[float]] = {k: [] for k in ("loop", "seq", "pool", "dasksnn")}
    other: dict[str, list[float | None]] = {k: [] for k in times}
    results: dict[str, Any] = {}
    try:
        for _ in range(repeats):
            for key, call in (
                ("dasksnn", lambda: ann.parallel_run(**kw, max_processes=WORKERS)),
                ("pool", lambda: pool.map(_direct, jobs, chunksize=1)),
                ("seq", lambda: ann.parallel_run(**kw, sequential=True)),
                ("loop", lambda: [_direct(job) for job in jobs]),
            ):
                with _Load(quiet_wait) as load:
                    results[key] = call()
                times[key].append(load.wall)
                other[key].append(load.other)
    finally:
        pool.close()
        pool.join()
        ann.close_local_cluster()
    t = {k: statistics.median(v) for k, v in times.items()}
    out: dict[str, Any] = {f"{k}_s": v for k, v in t.items()}
    out |= {"run_s": t["loop"] / runs, "eff_dasksnn": t["loop"] / (WORKERS * t["dasksnn"]),
            "eff_pool": t["loop"] / (WORKERS * t["pool"]), "vs_pool": t["pool"] / t["dasksnn"],
            "same_results": results["dasksnn"] == results["pool"] == results["seq"] == results["loop"],
            "other": {k: _median(v) for k, v in other.items()}}
    return out


def _median(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


# ---------------------------------------------------------------- table
def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _load(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f} CPU"


def report(res: dict[str, Any], a: argparse.Namespace) -> str:
    lines = [f"dasksnn build benchmark: medians of {a.repeats}, kernel in memory; other load = CPUs used by "
             "other processes"]
    w = 52
    if "build" in res:
        lines += ["", f"(1) build a run's copy (Network(seed, everything=True) + compile) vs simulate {SIM_MS:g} ms, "
                      f"{a.builds} cycles in a row",
                  f"{'network':<{w}} {'build s':>9} {'simulate s':>10} {'build/sim':>10} {'target':>14} "
                  f"{'other load':>10} {'rate Hz':>8} {'builds min-max s':>16}"]
        for name, r in res["build"].items():
            lines.append(f"{NETWORKS[name][0]:<{w}} {r['build_s']:>9.4f} {r['sim_s']:>10.4f} {r['ratio']:>10.2f} "
                         f"{'<= ' + str(TARGET_RATIO) + ' ' + _mark(r['ratio'] <= TARGET_RATIO):>14} "
                         f"{_load(r['other']):>10} {r['rate_hz']:>8.2f} "
                         f"{r['build_min_s']:>7.4f}-{r['build_max_s']:.4f}")
    if "together" in res:
        lines += ["", f"(2) {a.builds} in a row in 2 processes at once vs in 1 alone, median s each "
                      "(other load: alone/at once)",
                  f"{'network':<{w}} {'alone s':>9} {'at once s':>10} {'ratio':>10} {'target':>14} "
                  f"{'other load':>10}"]
        for name, res2 in res["together"].items():
            for what, r in res2.items():
                label = f"{NETWORKS[name][0].split(':')[0].split(',')[0]}: " + (
                    "build" if what == "build" else f"simulate {SIM_MS:g} ms (for comparison)")
                target = f"<= {TARGET_TOGETHER} {_mark(r['ratio'] <= TARGET_TOGETHER)}" if what == "build" else ""
                lines.append(f"{label:<{w}} {r['alone_s']:>9.4f} {r['together_s']:>10.4f} {r['ratio']:>10.2f} "
                             f"{target:>14} {_load(r['other_alone'])[:4]}/{_load(r['other_together']):>5}")
    e = res.get("efficiency")
    if e:
        lines += ["", f"(3) parallel efficiency: {a.runs} runs of network (i) for {a.run_duration:g} ms "
                      f"({e['run_s']:.3f} s per run with its build), {WORKERS} workers",
                  f"{'how':<{w}} {'seconds':>9} {'efficiency':>10} {'':>10} {'target':>14} {'other load':>10}"]
        o = e["other"]
        rows = (
            ("loop in this process: build + method (baseline)", "loop", None, ""),
            ("dasksnn parallel_run(sequential=True)", "seq", None, ""),
            (f"multiprocessing.Pool({WORKERS}) (spawn), same runs directly", "pool", e["eff_pool"], ""),
            (f"dasksnn parallel_run, LocalCluster of {WORKERS} (started)", "dasksnn", e["eff_dasksnn"],
             f">= {TARGET_EFF:.0%} {_mark(e['eff_dasksnn'] >= TARGET_EFF)}"),
        )
        for label, key, eff, target in rows:
            cell = "" if eff is None else f"{eff:.0%}"
            lines.append(f"{label:<{w}} {e[key + '_s']:>9.3f} {cell:>10} {'':>10} {target:>14} {_load(o[key]):>10}")
        lines.append(f"{'dasksnn efficiency / Pool efficiency':<{w}} {'':>9} {e['vs_pool']:>10.0%} {'':>10} "
                     f"{'>= ' + format(TARGET_VS_POOL, '.0%') + ' ' + _mark(e['vs_pool'] >= TARGET_VS_POOL):>14}")
        lines.append(f"same rates in all four (same seeds): {'yes' if e['same_results'] else 'NO'}")
        lines.append("efficiency = loop time / (2 x parallel time)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--builds", type=int, default=10,
                    help="build + simulate cycles in a row per repeat in (1); builds (and simulations) in a row "
                         "per process in (2)")
    ap.add_argument("--runs", type=int, default=32, help="runs in (3)")
    ap.add_argument("--run-duration", type=float, default=3000.0, help="ms simulated per run in (3)")
    ap.add_argument("--networks", nargs="+", choices=list(NETWORKS), default=list(NETWORKS))
    ap.add_argument("--skip", nargs="*", choices=["build", "together", "efficiency"], default=[])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--quiet-wait", type=float, default=60.0,
                    help="s to wait for an idle machine before each measurement (0: never)")
    ap.add_argument("--json", help="write the figures to this file")
    a = ap.parse_args(argv)
    own_cache = "DASKSNN_CACHE_DIR" not in os.environ
    if own_cache:  # an empty kernel cache, inherited by every process started below
        os.environ["DASKSNN_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-build-")
    res: dict[str, Any] = {}
    try:
        if "build" not in a.skip:
            res["build"] = {n: build_vs_simulate(n, a.repeats, a.builds, a.seed, a.quiet_wait) for n in a.networks}
            print("  (1) done", flush=True)
        if "together" not in a.skip:
            res["together"] = {n: together(n, a.repeats, a.builds, a.seed, a.quiet_wait) for n in a.networks}
            print("  (2) done", flush=True)
        if "efficiency" not in a.skip:
            res["efficiency"] = efficiency(a.repeats, a.runs, a.run_duration, a.seed, a.quiet_wait)
            print("  (3) done", flush=True)
    finally:
        if own_cache:
            shutil.rmtree(os.environ["DASKSNN_CACHE_DIR"], ignore_errors=True)
    print(report(res, a))
    if a.json:
        Path(a.json).write_text(json.dumps({"args": vars(a), "results": res}, indent=1, default=str))


if __name__ == "__main__":
    main()
