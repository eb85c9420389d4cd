"""parallel_run and sweep on a real SLURM through dask-jobqueue: identical to sequential runs,
also when workers retire (walltime recipe) or their jobs are cancelled.

Needs a running SLURM with an idle node (as root: ``.ci/slurm/start``); skipped otherwise.
Runs in a SLURM job can be made slower on purpose (``SLOW_RUN_SECONDS`` in the job's
environment): the sweeps then last long enough for workers to retire or be cancelled
mid-sweep while the cores stay free, and the sequential reference, computed in this
process without the delay, stays cheap.
"""

import contextlib
import importlib.util
import os
import shlex
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import dask
import numpy as np
import pytest
import xarray as xr

import dasksnn as ann

pytestmark = [pytest.mark.slurm, pytest.mark.skipif(importlib.util.find_spec("dask_jobqueue") is None,
                                                    reason="dask-jobqueue is not installed (the 'hpc' extra)")]

# workers import this module, and the dasksnn this process imported (a checkout's, say)
PYTHONPATH = os.pathsep.join([str(Path(__file__).parent), str(Path(ann.__file__).parent.parent)])


@contextlib.contextmanager
def slurm_client(job_name, tmp_path, jobs=2, adapt=False, worker_extra_args=(), environment=None):
    """A Client of a SLURMCluster of one-core jobs called ``job_name``, each one worker with
    dasksnn's worker environment.

    ``adapt``: keep ``jobs`` jobs with ``cluster.adapt`` (replacing jobs that end); else
    ``cluster.scale(jobs=...)``. Workers find this module and this process's dasksnn
    (PYTHONPATH), and run in ``tmp_path``, where their logs and scratch space go too.
    """
    # imported here, not at module level: workers import this module (for build) in a task's
    # thread, and importing dask_jobqueue installs a SIGINT handler, which only a main thread may
    from dask_jobqueue import SLURMCluster
    from distributed import Client

    exported = {**ann.worker_environment(), "PYTHONPATH": PYTHONPATH, **(environment or {})}
    cluster = SLURMCluster(
        cores=1, processes=1, memory="1GB", walltime="00:10:00", job_name=job_name,
        python=sys.executable, interface="lo", scheduler_options={"dashboard_address": ":0"},
        log_directory=str(tmp_path / "logs"), local_directory=str(tmp_path / "scratch"),
        job_extra_directives=[f"--chdir={tmp_path}"],
        job_script_prologue=[f"export {k}={shlex.quote(v)}" for k, v in exported.items()],
        worker_extra_args=list(worker_extra_args))
    try:
        if adapt:
            cluster.adapt(minimum_jobs=jobs, maximum_jobs=jobs)
        else:
            cluster.scale(jobs=jobs)
        with Client(cluster) as client:
            client.wait_for_workers(jobs, timeout=60)
            yield cluster, client
    finally:
        cluster.close()


def job_ids(job_name):
    """Ids of the jobs called ``job_name`` pending or running."""
    out = subprocess.run(["squeue", "-h", "-n", job_name, "-t", "PENDING,RUNNING", "-o", "%i"],
                         capture_output=True, text=True, check=True)
    return out.stdout.split()


# ---------------------------------------------------------------- networks
def poisson_network():
    """The ANNarchy documentation network, at module level (the default network)."""
    ann.setup(dt=0.1, seed=2)
    inp = ann.PoissonPopulation(100, rates=10.0, name="inp")
    pop = ann.Population(100, ann.IF_curr_exp(), name="pop")
    ann.Projection(inp, pop, "exc").connect_fixed_probability(0.1, weights=2.0)
    m = ann.Monitor(pop, "spike")
    return inp, m


def spikes_by_rate():
    inp, m = poisson_network()

    def simulation(idx, net, rate):
        net.get(inp).rates = rate
        net.simulate(200.0)
        return net.get(m).raster_plot()

    return simulation


def build(we, wi):
    """A small E/I network whose weights are swept; slower in a SLURM job when asked (see the module's docstring).

    In a job with ``SLOW_RUN_MARKS`` set, each run leaves a file named after its job in
    that directory when it starts, so a test can act once some runs started and tell
    which jobs ran runs.
    """
    marks = os.environ.get("SLOW_RUN_MARKS")
    if marks:
        Path(marks, f"{os.environ['SLURM_JOB_ID']}-{uuid.uuid4().hex}").touch()
        time.sleep(float(os.environ["SLOW_RUN_SECONDS"]))
    ann.setup(dt=0.1)
    inp = ann.PoissonPopulation(60, rates=40.0, name="inp")
    pop = ann.Population(40, ann.IF_curr_exp(), name="pop")
    ann.Projection(inp, pop, "exc").connect_fixed_probability(0.2, weights=we)
    ann.Projection(pop, pop, "inh").connect_fixed_probability(0.2, weights=wi)
    ann.Monitor(pop, "spike")


SWEEP = dict(params={"we": [0.5, 1.0, 1.5], "wi": [0.0, 2.0]}, trials=2, duration=100.0, seed=5)


def sweep_of(runs):
    """Sweep arguments for ``runs`` runs (a multiple of 6)."""
    return {**SWEEP, "trials": runs // 6}


def slow_runs(marks, seconds):
    """Job environment making each run ``seconds`` slower and leaving a mark in ``marks``."""
    marks.mkdir()
    return {"SLOW_RUN_MARKS": str(marks), "SLOW_RUN_SECONDS": str(seconds)}


def jobs_that_ran(marks):
    return {path.name.split("-")[0] for path in marks.iterdir()}


class WhenRunsStarted(threading.Thread):
    """Calls ``action()`` once ``count`` runs started in SLURM jobs (marks in ``marks``)."""

    def __init__(self, marks, count, action, timeout=60.0):
        super().__init__(daemon=True)
        self.marks, self.count, self.action, self.timeout = marks, count, action, timeout
        self.started_then = None  # runs started when the action ran
        self.result = self.error = None

    def run(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            started = len(os.listdir(self.marks))
            if started >= self.count:
                self.started_then = started
                try:
                    self.result = self.action()
                except Exception as exc:  # reported by the test
                    self.error = exc
                return
            time.sleep(0.05)
        self.error = TimeoutError(f"fewer than {self.count} runs started in {self.timeout} s")

    def check(self, total):
        """The action ran, while runs were still to start."""
        self.join(10)
        if self.error is not None:
            raise self.error
        assert self.started_then is not None and self.started_then < total, (self.started_then, total)


def scancel(*jobs):
    subprocess.run(["scancel", *jobs], check=True)
    return list(jobs)


# ---------------------------------------------------------------- tests
def test_job_script_gives_workers_dasksnn_environment(tmp_path, slurm_queue):
    """The environment of ann.worker_environment() is in the job script and in the workers."""
    with slurm_client(slurm_queue, tmp_path) as (cluster, client):
        script = cluster.job_script()
        for name, value in ann.worker_environment().items():
            assert f"export {name}={value}\n" in script
        seen = client.run(lambda: {k: os.environ.get(k) for k in ann.worker_environment()})
    assert len(seen) == 2 and all(env == ann.worker_environment() for env in seen.values())


def test_parallel_run_and_sweep_identical_to_sequential(tmp_path, slurm_queue):
    simulation = spikes_by_rate()
    rates = [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    sequential = ann.parallel_run(method=simulation, number=6, rate=rates, seed=7, sequential=True, progress=False)
    expected = ann.sweep(build, **SWEEP, sequential=True, progress=False)
    with slurm_client(slurm_queue, tmp_path) as (_, client):
        on_slurm = ann.parallel_run(method=simulation, number=6, rate=rates, seed=7, client=client, progress=False)
        ds = ann.sweep(build, **SWEEP, client=client, progress=False)
        ran_on = client.run(lambda: os.environ.get("SLURM_JOB_ID"))
    assert len(set(ran_on.values())) == 2  # two workers, each its own job
    assert sum(len(t) for t, _ in sequential) > 500
    for (t1, n1), (t2, n2) in zip(on_slurm, sequential, strict=True):
        np.testing.assert_array_equal(t1, t2)
        np.testing.assert_array_equal(n1, n2)
    assert (ds.status == 1).all()
    xr.testing.assert_identical(ds, expected)


# workers retire every 15 +- 2 s and run about 22 of these runs in that time: the sweep takes about 40 s,
# two generations of workers retire under it, and a third finishes it
# 45 s of runs on 2 workers: three generations of 15 s workers, whatever the tasks' size
LIFETIME_RUNS, LIFETIME_RUN_SECONDS = 120, 0.75


def test_sweep_outlives_retiring_workers(tmp_path, slurm_queue):
    """dask-jobqueue's walltime recipe: workers with --lifetime, replaced by adapt, under one sweep.

    The sweep outlives its workers twice and completes in one call, identical to the
    same sweep in this process. (Dask hard-closes a lost worker's job and adapt replaces
    it only after ``distributed.deploy.lost-worker-timeout``: 15 s by default, which would
    leave the cluster without workers for that long each time; set short here.)
    """
    marks = tmp_path / "marks"
    sweep = sweep_of(LIFETIME_RUNS)
    expected = ann.sweep(build, **sweep, sequential=True, progress=False)
    retiring = dict(adapt=True, worker_extra_args=["--lifetime", "15s", "--lifetime-stagger", "2s"],
                    environment=slow_runs(marks, LIFETIME_RUN_SECONDS))
    with dask.config.set({"distributed.deploy.lost-worker-timeout": "1s"}), \
            slurm_client(slurm_queue, tmp_path, **retiring) as (_, client):
        ds = ann.sweep(build, **sweep, client=client, progress=False)
    jobs = jobs_that_ran(marks)
    assert len(jobs) >= 5, sorted(jobs)  # three generations of workers ran runs
    assert (ds.status == 1).all()
    xr.testing.assert_identical(ds, expected)


SCANCEL_RUNS, SCANCEL_RUN_SECONDS = 24, 0.2


def test_sweep_completes_when_one_job_is_cancelled(tmp_path, slurm_queue):
    """scancel of one of two worker jobs mid-sweep: the other finishes the sweep."""
    marks = tmp_path / "marks"
    sweep = sweep_of(SCANCEL_RUNS)
    expected = ann.sweep(build, **sweep, sequential=True, progress=False)
    with slurm_client(slurm_queue, tmp_path, environment=slow_runs(marks, SCANCEL_RUN_SECONDS)) as (_, client):
        first, second = job_ids(slurm_queue)
        killer = WhenRunsStarted(marks, 4, lambda: scancel(first))
        killer.start()
        ds = ann.sweep(build, **sweep, client=client, progress=False)
        killer.check(SCANCEL_RUNS)
        assert job_ids(slurm_queue) == [second]
    assert (ds.status == 1).all()
    xr.testing.assert_identical(ds, expected)


def test_sweep_completes_when_all_jobs_are_cancelled_and_replaced(tmp_path, slurm_queue):
    """scancel of every worker job mid-sweep: adapt brings new jobs, which finish the sweep."""
    marks = tmp_path / "marks"
    sweep = sweep_of(SCANCEL_RUNS)
    expected = ann.sweep(build, **sweep, sequential=True, progress=False)
    replaced = dict(adapt=True, environment=slow_runs(marks, SCANCEL_RUN_SECONDS))
    with dask.config.set({"distributed.deploy.lost-worker-timeout": "1s"}), \
            slurm_client(slurm_queue, tmp_path, **replaced) as (_, client):
        killer = WhenRunsStarted(marks, 4, lambda: scancel(*job_ids(slurm_queue)))
        killer.start()
        ds = ann.sweep(build, **sweep, client=client, progress=False)
        killer.check(SCANCEL_RUNS)
        cancelled = set(killer.result)
    assert len(cancelled) == 2
    assert jobs_that_ran(marks) - cancelled  # replacements ran runs
    assert (ds.status == 1).all()
    xr.testing.assert_identical(ds, expected)
