"""Many runs: dasksnn's parallel_run and sweep against Brian2 and ANNarchy, in one run.

Workloads (see ``_sweep_refs.py`` for the networks and how the reference tools run them):

(a) Brian2's seed sweep: a 4000-neuron CUBA network, excitatory weight over
    ``linspace(0, 3.5, 100)`` mV, 100 runs of 100 ms at dt = 0.1 ms. dasksnn runs it with
    ``ann.sweep`` (each run returns its whole labelled dataset: ragged spikes, counts,
    rates) sequentially and on a LocalCluster of 2 workers; and, as a user would from an
    empty cache, as one fresh script: import, cluster start, compile, sweep.
(b) ANNarchy's seed workload: Izhikevich's 1000-neuron pulse-coupled network, 8 networks
    of 1000 ms with ``ann.parallel_run``, sequentially and on 2 workers; and the compile
    from an empty cache. Against ANNarchy 5 (``annarchy``, in ``.venv-bench``) and
    ANNarchy 4.8 running its parallel-simulations notebook as written (``annarchy-4.8``,
    in ``--ref-python-annarchy48``, default ``.venv-annarchy48``).
(c) Per-task overhead: ``parallel_run`` of 1000 runs of a 10-neuron network.
(d) Client memory: a 2000-run sweep streamed into a Zarr store.

Every dasksnn figure comes from a fresh subprocess (``--worker NAME``) with its own empty
kernel cache; medians of ``--repeats``. Reference simulators run under ``--ref-python``
(default ``.venv-bench``), ANNarchy 4.8 under ``--ref-python-annarchy48``. Usage::

    .venv/bin/python benchmarks/sweep.py --repeats 3
    .venv/bin/python benchmarks/sweep.py --tools dasksnn --skip memory
    .venv/bin/python benchmarks/sweep.py --tools dasksnn annarchy annarchy-4.8 \\
        --skip cuba-script cuba efficiency tiny memory      # workload (b) only
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import MARK, REPO, TOOLS, _env, _run, default_ref_python
from _sweep_refs import (
    CUBA_DT,
    CUBA_DURATION,
    CUBA_WEIGHTS,
    IZH_DT,
    IZH_DURATION,
    IZH_NETWORKS,
    OWN_PYTHON,
    REF_TOOLS,
    dasksnn_cuba,
    dasksnn_izhikevich,
    ref_python,
)
from _sweep_refs import measure as measure_reference

WORKERS = 2
TINY_RUNS = 1000
EFFICIENCY_RUNS, EFFICIENCY_DURATION = 16, 5000.0
MEMORY_RUNS = 2000


# ---------------------------------------------------------------- what runs in the workers
def _cuba_build(we: float) -> None:
    import dasksnn as ann

    ann.setup(dt=CUBA_DT)
    dasksnn_cuba(ann, we)


def _izh_rate(idx: int, net: Any) -> float:
    net.simulate(IZH_DURATION)
    return net.get_monitors()[0].mean_fr()


def _tiny(idx: int, net: Any) -> int:
    net.simulate(10.0)
    return len(net.get_monitors()[0].raster_plot()[0])


def _memory_build(rate: float) -> None:
    import dasksnn as ann

    ann.setup(dt=0.1)
    inp = ann.PoissonPopulation(50, rates=rate, name="inp")
    pop = ann.Population(50, ann.IF_curr_exp(), name="pop")
    ann.Projection(inp, pop, "exc").connect_fixed_probability(0.2, weights=1.0)
    ann.Monitor(pop, ["spike", "v"])  # 400 kB of v per run


@contextlib.contextmanager
def _client():
    """The LocalCluster dasksnn starts by itself (one thread per worker), with 2 workers."""
    from dasksnn.parallel.scheduler import close_local_cluster, get_client

    try:
        yield get_client(WORKERS)
    finally:
        close_local_cluster()


def _timed(fn, *args, **kwargs) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def cuba_script(seed: int) -> dict[str, Any]:
    """(a) as a fresh script from an empty cache: the default LocalCluster, one sweep."""
    start = time.perf_counter()
    import dasksnn as ann

    ds = ann.sweep(_cuba_build, params={"we": list(CUBA_WEIGHTS)}, duration=CUBA_DURATION, seed=seed,
                   max_processes=WORKERS, progress=False)
    rates = ds.P_mean_rate.values.tolist()
    return {"script_s": time.perf_counter() - start, "rates": rates}


def cuba(seed: int) -> dict[str, Any]:
    """(a) with workers up and kernels cached: the sweep on 2 workers and sequentially."""
    import dasksnn as ann

    params = {"we": list(CUBA_WEIGHTS)}
    with _client() as client:
        ann.sweep(_cuba_build, params={"we": list(CUBA_WEIGHTS[:8])}, duration=CUBA_DURATION, client=client,
                  progress=False)  # both workers have run the network once
        ds, par = _timed(ann.sweep, _cuba_build, params=params, duration=CUBA_DURATION, seed=seed, client=client,
                         progress=False)
    _, seq = _timed(ann.sweep, _cuba_build, params=params, duration=CUBA_DURATION, seed=seed, sequential=True,
                    progress=False)
    return {"par2_s": par, "seq_s": seq, "rates": ds.P_mean_rate.values.tolist(),
            "spikes": int(ds.sizes["P_spike"])}


def izhikevich(seed: int) -> dict[str, Any]:
    """(b): compile from an empty cache, then 8 networks sequentially and on 2 workers."""
    start = time.perf_counter()
    import dasksnn as ann

    ann.setup(dt=IZH_DT, seed=seed)
    dasksnn_izhikevich(ann, seed)
    ann.compile()
    compile_s = time.perf_counter() - start
    with _client() as client:
        ann.parallel_run(method=_izh_rate, number=4, seed=seed, client=client, progress=False)  # workers load it
        rates, par = _timed(ann.parallel_run, method=_izh_rate, number=IZH_NETWORKS, seed=seed, client=client,
                            progress=False)
    _, seq = _timed(ann.parallel_run, method=_izh_rate, number=IZH_NETWORKS, seed=seed, sequential=True,
                    progress=False)
    return {"compile_s": compile_s, "par2_s": par, "seq_s": seq, "rates": rates}


def _izh_long(idx: int, net: Any) -> float:
    net.simulate(EFFICIENCY_DURATION)
    return net.get_monitors()[0].mean_fr()


def efficiency(seed: int) -> dict[str, Any]:
    """(e): runs of about 0.1 s (network (b) for 5 s), 16 of them, sequentially and on 2 workers."""
    import dasksnn as ann

    ann.setup(dt=IZH_DT, seed=seed)
    dasksnn_izhikevich(ann, seed)
    with _client() as client:
        ann.parallel_run(method=_izh_long, number=4, seed=seed, client=client, progress=False)
        _, par = _timed(ann.parallel_run, method=_izh_long, number=EFFICIENCY_RUNS, seed=seed, client=client,
                        progress=False)
    _, seq = _timed(ann.parallel_run, method=_izh_long, number=EFFICIENCY_RUNS, seed=seed, sequential=True,
                    progress=False)
    return {"eff_par2_s": par, "eff_seq_s": seq, "run_s": seq / EFFICIENCY_RUNS, "efficiency": seq / (2 * par)}


def tiny(seed: int) -> dict[str, Any]:
    """(c): 1000 runs of a 10-neuron network through the scheduler."""
    import dasksnn as ann

    pop = ann.Population(10, ann.IF_curr_exp(i_offset=1.0), name="tiny")
    ann.Monitor(pop, "spike")
    with _client() as client:
        ann.parallel_run(method=_tiny, number=20, seed=seed, client=client, progress=False)
        _, wall = _timed(ann.parallel_run, method=_tiny, number=TINY_RUNS, seed=seed, client=client, progress=False)
    return {"tiny_s": wall, "runs_per_s": TINY_RUNS / wall}


def memory(seed: int) -> dict[str, Any]:
    """(d): client RSS while 2000 runs stream into a Zarr store (after a 200-run warm-up)."""
    import psutil

    import dasksnn as ann

    process = psutil.Process()
    samples: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(process.memory_info().rss)
            time.sleep(0.05)

    with tempfile.TemporaryDirectory() as tmp, _client() as client:
        ann.sweep(_memory_build, params={"rate": np.linspace(5, 50, 200)}, duration=100.0, client=client,
                  store=f"{tmp}/warm.zarr", progress=False)
        thread = threading.Thread(target=sample)
        thread.start()
        _, wall = _timed(ann.sweep, _memory_build, params={"rate": np.linspace(5, 50, MEMORY_RUNS)},
                         duration=100.0, client=client, store=f"{tmp}/big.zarr", progress=False)
        done.set()
        thread.join()
    mb = np.array(samples) / 2**20
    tenth = max(1, mb.size // 10)
    return {"memory_s": wall, "rss_start_mb": float(mb[0]), "rss_peak_mb": float(mb.max()),
            "growth_mb": float(mb.max() - mb[0]), "first_tenth_peak_mb": float(mb[:tenth].max()),
            "last_tenth_peak_mb": float(mb[-tenth:].max())}


DASKSNN_WORKERS = {"cuba-script": cuba_script, "cuba": cuba, "izhikevich": izhikevich, "efficiency": efficiency,
                   "tiny": tiny, "memory": memory}


# ---------------------------------------------------------------- driver
def run_dasksnn(name: str, repeats: int, seed: int, timeout: float) -> dict[str, Any]:
    """Medians over ``repeats`` fresh subprocesses, each with an empty kernel cache."""
    runs = []
    for _ in range(repeats):
        cache = tempfile.mkdtemp(prefix="bench-sweep-")
        env = {**_env(TOOLS["dasksnn"], sys.executable), "DASKSNN_CACHE_DIR": cache}
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--seed", str(seed)]
        try:
            res, wall, err = _run(cmd, env, str(REPO), timeout)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        if res is None:
            return {"error": err}
        runs.append({**res, "process_s": wall})
    keys = [k for k, v in runs[0].items() if isinstance(v, float)]
    out = {k: statistics.median(r[k] for r in runs) for k in keys}
    out["rates"] = runs[0].get("rates")
    return out


def report(d: dict[str, dict[str, Any]], refs: dict[str, dict[str, Any]]) -> str:
    """The figures, ratios against the reference tools, and the issue's targets."""
    def get(res: dict[str, Any], key: str) -> float | None:
        return res.get(key) if isinstance(res, dict) else None

    lines = [f"{'workload':<58} {'seconds':>9} {'ratio / target':>28}", "-" * 97]

    def row(label: str, value: float | None, note: str = "") -> None:
        cell = "-" if value is None else f"{value:9.2f}"
        lines.append(f"{label:<58} {cell:>9} {note:>28}")

    if {"cuba", "cuba-script"} & d.keys() or {"brian2-cython", "brian2-standalone"} & refs.keys():
        cuba_res, script = d.get("cuba", {}), d.get("cuba-script", {})
        cy, sa = refs.get("brian2-cython", {}), refs.get("brian2-standalone", {})
        sa_runs, sa_total = get(sa, "runs_s"), get(sa, "total_s")
        par = get(cuba_res, "par2_s")
        lines.append("(a) Brian2 seed sweep: 100 runs of 4000 CUBA neurons, 100 ms")
        row("dasksnn sweep, 2 workers (workers up)", par,
            f"{par / sa_runs:.2f}x standalone (<= 0.5)" if par and sa_runs else "")
        seq = get(cuba_res, "seq_s")
        row("dasksnn sweep, sequential", seq, f"efficiency {seq / (2 * par):.0%}" if seq and par else "")
        total = get(script, "process_s")
        row("dasksnn whole script, empty cache, cluster start", total,
            f"{total / sa_total:.2f}x standalone total (< 1)" if total and sa_total else "")
        row("Brian2 Cython, sequential, warm cache", get(cy, "seq_s"))
        row("Brian2 Cython, Pool(2), warm cache", get(cy, "par2_s"))
        row("Brian2 Cython, Pool(2), cold cache", get(cy, "cold_par2_s"))
        row("Brian2 cpp_standalone compile (once)", get(sa, "compile_s"))
        row("Brian2 cpp_standalone 100 runs with run_args, one core", sa_runs)
        row("Brian2 cpp_standalone total", sa_total)
    if "izhikevich" in d or {"annarchy", "annarchy-4.8"} & refs.keys():
        izh, an, an4 = d.get("izhikevich", {}), refs.get("annarchy", {}), refs.get("annarchy-4.8", {})
        lines.append(f"(b) ANNarchy seed workload: {IZH_NETWORKS} Izhikevich networks of 1000 neurons, 1000 ms")
        ipar, an_par, an4_par = get(izh, "par2_s"), get(an, "par2_s"), get(an4, "par2_s")
        row("dasksnn parallel_run, 2 workers (compiled)", ipar,
            f"{ipar / an_par:.2f}x ANNarchy 5 (<= 0.5)" if ipar and an_par else "")
        if ipar and an4_par:
            row("  the same, against ANNarchy 4.8's notebook", ipar, f"{ipar / an4_par:.2f}x ANNarchy 4.8 (<= 0.5)")
        iseq = get(izh, "seq_s")
        row("dasksnn parallel_run, sequential", iseq, f"efficiency {iseq / (2 * ipar):.0%} (>= 90%)"
            if iseq and ipar else "")
        row("dasksnn compile, empty cache (build + compile)", get(izh, "compile_s"), "(< 6 s)")
        if "annarchy" in refs:
            v5 = an.get("version", "5")
            row(f"ANNarchy {v5} parallel_run, max_processes=1", get(an, "seq_s"))
            row(f"ANNarchy {v5} parallel_run, max_processes=2", an_par)
            row(f"ANNarchy {v5} compile", get(an, "compile_s"))
        if "annarchy-4.8" in refs:
            v4 = an4.get("version", "4.8")
            row(f"ANNarchy {v4} notebook parallel_run, sequential=True", get(an4, "seq_s"))
            row(f"ANNarchy {v4} notebook parallel_run, max_processes=2", an4_par)
            row(f"ANNarchy {v4} notebook compile (build + compile)", get(an4, "compile_s"))
    if "efficiency" in d:
        e = d.get("efficiency", {})
        lines.append(f"(e) parallel efficiency: {EFFICIENCY_RUNS} runs of network (b) for 5 s "
                     f"({get(e, 'run_s') or 0:.3f} s per run sequentially)")
        row("dasksnn parallel_run, 2 workers", get(e, "eff_par2_s"),
            f"efficiency {e['efficiency']:.0%} (>= 90%)" if get(e, "efficiency") else "")
        row("dasksnn parallel_run, sequential", get(e, "eff_seq_s"))
    if "tiny" in d:
        lines.append(f"(c) per-task overhead: {TINY_RUNS} runs of a 10-neuron network, 2 workers")
        t = d.get("tiny", {})
        row("dasksnn parallel_run", get(t, "tiny_s"),
            f"{t['runs_per_s']:.0f} runs/s (>= 200)" if get(t, "runs_per_s") else "")
    if "memory" in d:
        lines.append(f"(d) client memory: a {MEMORY_RUNS}-run sweep into Zarr (after a 200-run warm-up)")
        m = d.get("memory", {})
        row("dasksnn sweep to Zarr", get(m, "memory_s"),
            f"RSS +{m['growth_mb']:.0f} MB (< 50)" if get(m, "growth_mb") is not None else "")
        if get(m, "growth_mb") is not None:
            lines.append(f"    client RSS {m['rss_start_mb']:.0f} MB at start, peak {m['rss_peak_mb']:.0f} MB; "
                         f"peak in the first tenth {m['first_tenth_peak_mb']:.0f} MB, last tenth "
                         f"{m['last_tenth_peak_mb']:.0f} MB")
    for name, res in {**d, **refs}.items():
        if isinstance(res, dict) and ("error" in res or "status" in res):
            lines.append(f"{name}: {res.get('error') or res.get('status')}")
    lines += _rates(d, refs)
    return "\n".join(lines)


def _rates(d: dict[str, dict[str, Any]], refs: dict[str, dict[str, Any]]) -> list[str]:
    """Mean rates of each tool: the same networks should fire alike."""
    out = ["mean rates (Hz), same network in each tool:"]
    for name, res in (("dasksnn", d.get("cuba", {})), *((k, refs.get(k, {})) for k in ("brian2-cython",
                                                                                         "brian2-standalone"))):
        rates = res.get("rates") if isinstance(res, dict) else None
        if rates:
            picks = ", ".join(f"{CUBA_WEIGHTS[i]:.2f} mV: {rates[i]:.1f}" for i in (0, 33, 66, 99))
            out.append(f"  (a) {name:<18} {picks}; mean {np.mean(rates):.2f}")
    for name, res in (("dasksnn", d.get("izhikevich", {})), ("annarchy", refs.get("annarchy", {})),
                      ("annarchy-4.8", refs.get("annarchy-4.8", {}))):
        rates = res.get("rates") if isinstance(res, dict) else None
        if rates:
            out.append(f"  (b) {name:<18} mean over {len(rates)} networks {np.mean(rates):.2f}")
    return out


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if "--worker" in argv:
        ap = argparse.ArgumentParser()
        ap.add_argument("--worker", choices=sorted(DASKSNN_WORKERS), required=True)
        ap.add_argument("--seed", type=int, default=42)
        a = ap.parse_args(argv)
        res = DASKSNN_WORKERS[a.worker](a.seed)
        print(MARK + json.dumps(res), flush=True)
        os._exit(0)  # skip interpreter teardown: the cluster is closed already
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tools", nargs="+", choices=["dasksnn", *REF_TOOLS], default=["dasksnn", *REF_TOOLS])
    ap.add_argument("--skip", nargs="*", choices=sorted(DASKSNN_WORKERS), default=[])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--ref-python", default=default_ref_python())
    ap.add_argument("--ref-python-annarchy48", default=str(OWN_PYTHON["annarchy-4.8"]),
                    help="interpreter with ANNarchy 4.8 (tool annarchy-4.8)")
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--no-cold", action="store_true", help="skip the cold Brian2 Cython runs (minutes)")
    ap.add_argument("--json", help="write all figures to this file")
    a = ap.parse_args(argv)
    results: dict[str, dict[str, Any]] = {}
    if "dasksnn" in a.tools:
        for name in DASKSNN_WORKERS:
            if name not in a.skip:
                repeats = 1 if name == "memory" else a.repeats
                results[name] = run_dasksnn(name, repeats, a.seed, a.timeout)
                print(f"  dasksnn {name}: done", flush=True)
    refs = {}
    for name in (t for t in a.tools if t != "dasksnn"):
        python = ref_python(name, a.ref_python, {"annarchy-4.8": a.ref_python_annarchy48})
        refs[name] = measure_reference(name, python, a.repeats, a.seed, a.timeout, not a.no_cold, 0.0)
        print(f"  {name}: done", flush=True)
    print(report(results, refs))
    if a.json:
        Path(a.json).write_text(json.dumps({"dasksnn": results, "references": refs}, indent=1))


if __name__ == "__main__":
    main()
