"""Faults of a real LocalCluster: workers killed mid-sweep, runs longer than the worker
time-to-live, workers that keep dying, no workers, a lost scheduler. Runs lost by the
cluster are run again or reported as a ClusterError, never as the runs' own failure."""

import os
import re
import signal
import subprocess
import sys
import threading
import time

import dask.config
import numpy as np
import pytest
import xarray as xr
from distributed import Client, LocalCluster

import dasksnn as ann
from dasksnn.errors import RunError


def build(we, log):
    """A small network; each call is logged (builds run on the workers) and takes 20 ms at least."""
    with open(log, "a") as handle:
        handle.write(f"{we}\n")
    time.sleep(0.02)
    ann.setup(dt=0.1)
    inp = ann.PoissonPopulation(50, rates=30.0, name="inp")
    pop = ann.Population(30, ann.IF_curr_exp(), name="pop")
    ann.Projection(inp, pop, "exc").connect_fixed_probability(0.2, weights=we)
    ann.Monitor(pop, "spike")


def _holders_of_shared(dask_scheduler):
    """Workers holding the inputs every run of a call shares (dasksnn's 'dasksnn-shared' task)."""
    return sorted({ws.address for key, ts in dask_scheduler.tasks.items() if str(key).startswith("dasksnn-shared")
                   for ws in ts.who_has})


def test_sigkill_of_the_workers_holding_the_shared_inputs_mid_sweep(tmp_path):
    """SIGKILL of every worker holding the shared inputs, mid-sweep: the sweep completes in
    the same call, every run done, identical to an undisturbed run (scattered inputs could
    not be recomputed, and every remaining run failed)."""
    log = tmp_path / "calls.txt"
    log.touch()
    params = dict(params={"we": list(np.linspace(0.5, 2.0, 12))}, trials=2, duration=50.0, seed=9)

    def logged(we):
        build(we, log)

    killed = []

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as client:
        def kill_when_under_way():
            deadline = time.monotonic() + 60
            while len(log.read_text().splitlines()) < 6 and time.monotonic() < deadline:
                time.sleep(0.01)
            pids = client.run(os.getpid)
            for address in client.run_on_scheduler(_holders_of_shared):
                os.kill(pids[address], signal.SIGKILL)
                killed.append(address)

        killer = threading.Thread(target=kill_when_under_way)
        killer.start()
        ds = ann.sweep(logged, **params, client=client, progress=False)
        killer.join()
        restarted = len(client.nthreads())
    assert killed, "no worker held the shared inputs"
    calls = len(log.read_text().splitlines())
    assert calls < 1 + 24 + 8 * len(killed)  # runs in flight on a killed worker ran again, nothing else
    assert (ds.status == 1).all() and restarted == 2
    xr.testing.assert_identical(ds, ann.sweep(logged, **params, sequential=True, progress=False))


# ---------------------------------------------------------------------------- a fragile cluster
@pytest.fixture(scope="module")
def fragile():
    """One worker that gets one task at a time; the scheduler's worker time-to-live 1 s (Dask
    makes it at least 10 heartbeats, 5 s), and a task whose worker dies once is not tried again."""
    settings = {"distributed.scheduler.worker-ttl": "1s", "distributed.scheduler.allowed-failures": 0,
                "distributed.scheduler.worker-saturation": 1.0}
    with dask.config.set(settings), \
            LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as client:
        yield client


def izhikevich():
    """No monitor: simulate() is then one call of the kernel, however long."""
    ann.Population(100, ann.Izhikevich(i_offset=5.0), name="izh")


def long_simulation(idx, net, seconds, needed):
    """One call of the kernel lasting about ``seconds`` here (timed on shorter ones first),
    again longer while none lasted ``needed``; where it ran, and the longest call."""
    probe, took = 1000.0, 0.0
    while took < 0.2:  # the first call compiles
        probe *= 2
        start = time.perf_counter()
        net.simulate(probe)
        took = time.perf_counter() - start
    duration, longest = round(seconds * probe / took), 0.0
    for _ in range(3):  # again, longer, if other processes made the estimate wrong
        start = time.perf_counter()
        net.simulate(duration)
        took = time.perf_counter() - start
        longest = max(longest, took)
        if longest > needed:
            break
        duration = round(duration * seconds / took)
    return os.getpid(), longest


def test_a_simulation_longer_than_the_worker_ttl_is_not_killed(fragile):
    """The kernel releases the GIL (nogil=True): the worker keeps sending heartbeats during a
    single simulate() call longer than the scheduler's worker time-to-live."""
    izhikevich()
    before = set(fragile.run(os.getpid).values())
    # the scheduler restarts a worker silent for 5 s, checking every 1 s: 6 s of GIL held would be caught
    [(pid, took)] = ann.parallel_run(method=long_simulation, number=1, seconds=[6.8], needed=[6.0], client=fragile,
                                     progress=False)
    assert took > 6.0, f"the simulation took {took:.1f} s, not long enough to show anything"
    assert pid in before and set(fragile.run(os.getpid).values()) == before
    events = [e for _, e in fragile.get_events("scheduler") if e.get("action") == "worker-ttl-timed-out"]
    assert events == []


def suicidal(idx, net):
    """Run 1 kills its worker, as a node lost to walltime or memory does."""
    if idx == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    net.simulate(5.0)
    return idx


def test_a_task_whose_workers_die_is_a_cluster_error(fragile):
    """KilledWorker (after Dask's retries) is a ClusterError naming the runs and the worker,
    not a RunError."""
    pop = ann.Population(3, ann.IF_curr_exp(i_offset=1.0), name="few")
    ann.Monitor(pop, "spike")
    with pytest.raises(ann.ClusterError, match=r"parallel_run: the cluster lost run 1: Dask started their task "
                                               r"once, and its worker died while running it \(the last: "
                                               r"tcp://.*\)\. The runs raised nothing") as info:
        ann.parallel_run(method=suicidal, number=4, client=fragile, progress=False)
    assert not isinstance(info.value, RunError) and isinstance(info.value, RuntimeError)
    assert info.value.runs == [1] and info.value.worker.startswith("tcp://")
    fragile.wait_for_workers(1, timeout=30)  # the nanny starts it again


def test_no_workers_for_too_long_is_a_cluster_error():
    pop = ann.Population(3, ann.IF_curr_exp(i_offset=1.0), name="few")
    ann.Monitor(pop, "spike")
    with dask.config.set({"distributed.scheduler.no-workers-timeout": "0.5s"}), \
            LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as client, \
            pytest.raises(ann.ClusterError, match=r"parallel_run: run \d could not start: no worker came within "
                                                  r"0\.5 s \(distributed\.scheduler\.no-workers-timeout\)"):
        ann.parallel_run(method=suicidal, number=3, client=client, progress=False)


def _sleepy(idx, net, started):
    with open(started, "a"):
        pass
    time.sleep(0.3)
    return idx


def test_a_lost_scheduler_is_a_cluster_error(tmp_path):
    """SIGKILL of the scheduler process mid-run: a ClusterError naming the scheduler."""
    pop = ann.Population(3, ann.IF_curr_exp(i_offset=1.0), name="few")
    ann.Monitor(pop, "spike")
    file = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": os.path.dirname(__file__)}  # the worker imports this module
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", "0", "--dashboard-address", ":0", "--scheduler-file", str(file)],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        for _ in range(300):
            if file.exists() and file.stat().st_size:
                break
            time.sleep(0.05)
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file",
                                   str(file), "--nthreads", "1", "--no-nanny", "--no-dashboard"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
                Client(scheduler_file=str(file), set_as_default=False) as client:
            client.wait_for_workers(1, timeout=30)
            address = client.scheduler.address
            started = tmp_path / "started"

            def kill_when_under_way():
                while not started.exists():
                    time.sleep(0.01)
                scheduler.kill()

            threading.Thread(target=kill_when_under_way, daemon=True).start()
            with pytest.raises(ann.ClusterError, match=r"parallel_run: runs? .* did not finish: lost the connection "
                                                       rf"to the scheduler at {re.escape(address)}"):
                ann.parallel_run(method=_sleepy, number=8, started=[started] * 8, client=client, progress=False)
    finally:
        for process in (scheduler, worker):
            if process is not None:
                process.kill()
                process.wait()
