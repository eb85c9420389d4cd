"""A sweep on SLURM workers that retire every 15 s (dask-jobqueue's walltime recipe) against
the same sweep on workers that do not retire.

Needs a running SLURM with an idle node (as root: ``.ci/slurm/start``). Two one-core jobs,
each one worker with dasksnn's worker environment; retiring workers are started with
``--lifetime 15s --lifetime-stagger 2s`` and kept at two jobs by ``cluster.adapt``, so each
is replaced by a fresh job when it retires. The sweep: the 4000-neuron CUBA network of
``benchmarks/sweep.py``'s workload (a), ``--runs`` runs of ``--duration`` ms (by default about
60 s on 2 workers that do not retire, on this project's 2-core machine). Both sweeps must
give identical datasets. Usage::

    .venv/bin/python benchmarks/walltime.py                  # 1100 runs of 2 s (about 60 s)
    .venv/bin/python benchmarks/walltime.py --runs 80 --duration 300
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _sweep_refs import CUBA_DT, dasksnn_cuba  # workers import it too (PYTHONPATH below)

DURATION = 2000.0


def build(we: float) -> None:
    """One run: the CUBA network of workload (a) with excitatory weight ``we``."""
    import dasksnn as ann

    ann.setup(dt=CUBA_DT)
    dasksnn_cuba(ann, we)


@contextlib.contextmanager
def slurm(folder: str, retire: bool):
    """A client of 2 one-core SLURM jobs, retiring every 15 s (kept at 2 by adapt) or not."""
    from dask_jobqueue import SLURMCluster
    from distributed import Client

    import dasksnn as ann

    here = str(Path(__file__).parent)
    exported = {**ann.worker_environment(), "PYTHONPATH": os.pathsep.join([here, str(Path(ann.__file__).parents[1])])}
    cluster = SLURMCluster(
        cores=1, processes=1, memory="2GB", walltime="00:30:00", job_name=f"walltime-{os.getpid()}",
        python=sys.executable, interface="lo", scheduler_options={"dashboard_address": ":0"},
        log_directory=os.path.join(folder, "logs"), local_directory=os.path.join(folder, "scratch"),
        job_extra_directives=[f"--chdir={folder}"],
        job_script_prologue=[f"export {k}={shlex.quote(v)}" for k, v in exported.items()],
        worker_extra_args=["--lifetime", "15s", "--lifetime-stagger", "2s"] if retire else [])
    try:
        if retire:
            cluster.adapt(minimum_jobs=2, maximum_jobs=2)
        else:
            cluster.scale(jobs=2)
        with Client(cluster) as client:
            client.wait_for_workers(2, timeout=120)
            yield client
    finally:
        cluster.close()


def timed_sweep(client: Any, weights: np.ndarray, duration: float, store: str | None) -> tuple[Any, float]:
    import dasksnn as ann

    start = time.perf_counter()
    ds = ann.sweep(build, params={"we": weights}, duration=duration, seed=7, client=client, store=store,
                   progress=True)
    return ds.load(), time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1100)
    ap.add_argument("--duration", type=float, default=DURATION)
    ap.add_argument("--no-store", action="store_true", help="results in memory, not streamed into a store")
    ap.add_argument("--lost-worker-timeout", default="1s", help="distributed.deploy.lost-worker-timeout")
    args = ap.parse_args()
    import dask
    import xarray as xr

    # the README's walltime recipe: a replacement is asked for this long after a worker left
    # (Dask's default, 15 s, keeps a retired worker's job in the cluster's books that long)
    dask.config.set({"distributed.deploy.lost-worker-timeout": args.lost_worker_timeout})
    weights = np.linspace(0.0, 3.5, args.runs)
    walls, results = {}, {}
    with tempfile.TemporaryDirectory(prefix="bench-walltime-", dir=os.getcwd()) as folder:
        for retire in (False, True):
            with slurm(folder, retire) as client:
                # the kernel compiled once, into the shared cache, before the clock starts
                timed_sweep(client, weights[:2], args.duration, os.path.join(folder, f"warm-{retire}.zarr"))
                store = None if args.no_store else os.path.join(folder, f"sweep-{retire}.zarr")
                results[retire], walls[retire] = timed_sweep(client, weights, args.duration, store)
            print(f"{'retiring every 15 s' if retire else 'not retiring':<22} {walls[retire]:7.1f} s", flush=True)
    xr.testing.assert_identical(results[False], results[True])
    print(f"{args.runs} runs of {args.duration:g} ms on 2 SLURM workers, lost-worker-timeout "
          f"{args.lost_worker_timeout}; identical datasets; wall time retiring / "
          f"not retiring: {walls[True] / walls[False]:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
