"""Runs into a sweep's store: workers writing their own runs against the client writing them all.

Each run returns results of the size of COBA 4000 simulated for 1 s: about 83,000 spikes
(times and neuron ranks), a population rate of 10,000 bins, 4000 spike counts. A Poisson
population of 4000 neurons at 20.5 Hz makes them at a fraction of COBA's simulation time, so
that the store, not the simulation, sets the pace. The scheduler and 2 one-thread workers run
as their own processes (as on a cluster), so the client's CPU time is the client's alone.

For each way of writing (``dasksnn.store-writers``: ``client``, ``workers``), ``--repeats``
sweeps of ``--runs`` runs into a fresh store, after a warm-up: the client's CPU time per
stored run (``time.process_time`` around the call), runs per second, and the ratio. Then the
client's memory while ``--memory-runs`` runs stream in with workers writing (the issue's
target: growth under 50 MB over 2,000 runs). Usage::

    .venv/bin/python benchmarks/store.py                 # 3 x 300 runs each way, 2000 for memory
    .venv/bin/python benchmarks/store.py --runs 100 --repeats 1 --memory-runs 0
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

import numpy as np

NEURONS, RATE, DURATION = 4000, 20.5, 1000.0


def build(rate: float) -> None:
    """One run: 4000 Poisson neurons for 1 s, their spikes and rate recorded (COBA-4000-size results)."""
    import dasksnn as ann

    ann.setup(dt=0.1)
    ann.Monitor(ann.PoissonPopulation(NEURONS, rates=rate, name="P"), "spike")


@contextlib.contextmanager
def cluster(workers: int = 2):
    """A scheduler and ``workers`` one-thread workers, each its own process; a client to them."""
    from distributed import Client

    import dasksnn as ann

    folder = tempfile.mkdtemp(prefix="bench-store-")
    file = os.path.join(folder, "scheduler.json")
    env = {**os.environ, **ann.worker_environment()}
    python = [sys.executable, "-m"]
    procs = [subprocess.Popen([*python, "distributed.cli.dask_scheduler", "--port", "0", "--no-dashboard",
                               "--scheduler-file", file], env=env, stderr=subprocess.DEVNULL)]
    try:
        while not os.path.exists(file):
            time.sleep(0.1)
        procs += [subprocess.Popen([*python, "distributed.cli.dask_worker", "--scheduler-file", file, "--nthreads",
                                    "1", "--no-dashboard", "--memory-limit", "0"], env=env, stderr=subprocess.DEVNULL)
                  for _ in range(workers)]
        with Client(scheduler_file=file, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)
            yield client
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(30)
        shutil.rmtree(folder, ignore_errors=True)


def one_sweep(client: Any, writers: str, runs: int, folder: str, seed: int) -> dict[str, float]:
    """A sweep of ``runs`` runs into a fresh store with ``writers`` writing; client CPU and wall time."""
    import dask

    import dasksnn as ann

    store = os.path.join(folder, f"{writers}-{seed}.zarr")
    with dask.config.set({"dasksnn.store-writers": writers}):
        cpu, wall = time.process_time(), time.perf_counter()
        ds = ann.sweep(build, params={"rate": RATE + np.arange(runs) * 1e-6}, duration=DURATION, seed=seed,
                       client=client, store=store, progress=False)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert int((ds.status == 1).sum()) == runs, "runs missing from the store"
    spikes = ds.sizes["P_spike"] / runs
    shutil.rmtree(store)
    return {"cpu_ms_per_run": 1e3 * cpu / runs, "runs_per_s": runs / wall, "spikes_per_run": spikes}


def memory(client: Any, runs: int, folder: str) -> dict[str, float]:
    """Client RSS while ``runs`` runs stream into a store, workers writing."""
    import psutil

    process, samples, done = psutil.Process(), [], threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(process.memory_info().rss / 2**20)
            time.sleep(0.05)

    thread = threading.Thread(target=sample)
    thread.start()
    try:
        result = one_sweep(client, "workers", runs, folder, seed=99)
    finally:
        done.set()
        thread.join()
    return {**result, "rss_start_mb": samples[0], "rss_peak_mb": max(samples), "growth_mb": max(samples) - samples[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--memory-runs", type=int, default=2000)
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-store-")
    try:
        with cluster() as client:
            for writers in ("client", "workers"):  # warm-up: kernels compiled on both workers
                one_sweep(client, writers, 16, folder, seed=0)
            figures: dict[str, list[dict[str, float]]] = {"client": [], "workers": []}
            for k in range(args.repeats):  # interleaved, so that both ways see the same machine
                for writers in figures:
                    figures[writers].append(one_sweep(client, writers, args.runs, folder, seed=k + 1))
            med = {w: {key: statistics.median(r[key] for r in rs) for key in rs[0]} for w, rs in figures.items()}
            print(f"COBA-4000-size runs ({med['client']['spikes_per_run']:.0f} spikes a run) into a store, "
                  f"{args.runs} runs, median of {args.repeats}, 2 workers:")
            print(f"{'writers':<10} {'client CPU ms/run':>18} {'runs/s':>8}")
            for writers, m in med.items():
                print(f"{writers:<10} {m['cpu_ms_per_run']:>18.2f} {m['runs_per_s']:>8.1f}")
            cpu = med["client"]["cpu_ms_per_run"] / med["workers"]["cpu_ms_per_run"]
            rate = med["workers"]["runs_per_s"] / med["client"]["runs_per_s"]
            print(f"client CPU per run, client / workers writing: {cpu:.1f}x (target >= 5x)")
            print(f"runs per second, workers / client writing: {rate:.2f} (target >= 1)")
            if args.memory_runs:
                m = memory(client, args.memory_runs, folder)
                print(f"client memory over {args.memory_runs} runs, workers writing: {m['rss_start_mb']:.0f} MB at "
                      f"the start, peak {m['rss_peak_mb']:.0f} MB: growth {m['growth_mb']:.0f} MB (target < 50); "
                      f"{m['runs_per_s']:.1f} runs/s, {m['cpu_ms_per_run']:.2f} ms client CPU a run")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
