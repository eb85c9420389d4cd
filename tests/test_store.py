"""Sweep stores: run order whatever the order runs finish, indexed coordinates, reads that never
go through a cluster, few files, atomic creation, resume after a client is killed, versions.

The runs' networks have a plastic projection with random connectivity, so every test also
covers ragged synapses (final weights, and recorded weights on ``(time, synapse)``), whose
number differs from run to run, as it covers ragged spike events."""

import itertools
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import xarray as xr
import zarr
from distributed import Client, LocalCluster
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dasksnn as ann
from dasksnn.errors import ArgumentError
from dasksnn.parallel.sweep import _run_one
from dasksnn.results.staging import Staging
from dasksnn.results.store import DONE, STORE_ATTR, MemorySink, Outcome, ZarrSink

RATES = np.linspace(10.0, 80.0, 40)
# 40 runs of ~1 MB (v of 30 neurons for 400 ms): blocks of 8 runs, so runs are placed mid-sweep
SWEEP = dict(params={"rate": RATES}, duration=400.0, seed=3)


def build(rate, w=0.5):
    """Poisson input onto 30 LIF neurons; spikes (more with the rate) and v recorded; a plastic
    projection whose weights are recorded every 50 ms."""
    ann.setup(dt=0.1)
    inp = ann.PoissonPopulation(40, rates=rate, name="inp")
    pop = ann.Population(30, ann.IF_curr_exp(), name="pop")
    ann.Projection(inp, pop, "exc").connect_fixed_probability(0.3, weights=w)
    learn = ann.Projection(inp, pop, "exc", synapse=ann.STDP(w_max=0.5, A_plus=0.05), name="learn")
    learn.connect_fixed_probability(0.2, weights=ann.Uniform(0.0, 0.3))
    ann.Monitor(pop, ["spike", "v"])
    ann.Monitor(learn, "w", period=50.0)


def logged_build(rate):
    """build(), logging each call to the file named by $DASKSNN_TEST_LOG (calls happen in several processes)."""
    with open(os.environ["DASKSNN_TEST_LOG"], "a") as handle:
        handle.write(f"{rate}\n")
    build(rate)


def small_build(we, wi):
    ann.setup(dt=0.1)
    inp = ann.PoissonPopulation(20, rates=40.0, name="inp")
    pop = ann.Population(10, ann.IF_curr_exp(), name="pop")
    ann.Projection(inp, pop, "exc", synapse=ann.STDP(w_max=2.0), name="learn") \
        .connect_fixed_probability(0.3, weights=we)
    ann.Projection(pop, pop, "inh").connect_fixed_probability(0.3, weights=wi)
    ann.Monitor(pop, "spike")


SMALL = dict(params={"we": [0.5, 1.0, 2.0], "wi": [0.0, 2.0]}, trials=2, duration=50.0, seed=5)


@pytest.fixture(scope="module")
def cluster_client():
    """A LocalCluster of 2 one-thread worker processes for this module's cluster tests."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as c:
        yield c


@pytest.fixture(scope="module")
def runs():
    """Outcomes of the 40 runs of SWEEP, computed once, as workers send them back."""
    ann.clear()
    ann.setup(dt=0.1)
    seeds = np.random.SeedSequence(3).spawn(40)
    seeds = [int(s.generate_state(1, np.uint64)[0]) for s in seeds]
    outcomes = [Outcome(r, _run_one(r, {}, build, 0.1, 400.0, None, {"rate": float(RATES[r])}, seeds[r]))
                for r in range(40)]
    ann.clear()
    return outcomes


@pytest.fixture(scope="module")
def undisturbed(tmp_path_factory):
    """SWEEP streamed into a store in this process, nothing interrupted."""
    path = tmp_path_factory.mktemp("undisturbed") / "s.zarr"
    ann.clear()
    ann.setup(dt=1.0)
    ann.sweep(build, **SWEEP, sequential=True, progress=False, store=path)
    ann.clear()
    return ann.open_results(path).load()


@pytest.fixture(scope="module")
def undisturbed_logged(tmp_path_factory):
    """The same with logged_build, the build of the sweeps that are killed."""
    folder = tmp_path_factory.mktemp("undisturbed_logged")
    before = os.environ.get("DASKSNN_TEST_LOG")
    os.environ["DASKSNN_TEST_LOG"] = str(folder / "calls.txt")
    try:
        ann.clear()
        ann.setup(dt=1.0)
        ann.sweep(logged_build, **SWEEP, sequential=True, progress=False, store=folder / "s.zarr")
    finally:
        ann.clear()
        if before is None:
            del os.environ["DASKSNN_TEST_LOG"]
        else:
            os.environ["DASKSNN_TEST_LOG"] = before
    return ann.open_results(folder / "s.zarr").load()


def _coords(n=40):
    return {"run": np.arange(n), "rate": RATES[:n], "trial": np.zeros(n, np.int64),
            "seed": np.arange(n, dtype=np.uint64)}


ATTRS = {"parameters": json.dumps(["rate"]), "sweep": json.dumps({"build": "build"}), "seed": "3"}


def _batches(order, cuts, failed, runs):
    """Outcomes of ``runs`` in finishing ``order``, cut into batches; ``failed`` runs raised."""
    outcomes = [Outcome(r, None, f"RuntimeError: run {r} failed") if r in failed else
                Outcome(r, runs[r].value.copy()) for r in order]
    bounds = [0, *sorted(set(cuts)), len(order)]
    return [outcomes[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def _no_batches(store):
    """The store's staging directory holds no batch, no temporary and no probe (its lock file stays)."""
    staging = store / "_staging"
    return not staging.exists() or set(os.listdir(staging)) <= {"zarr.json", ".lock"}


# ---------------------------------------------------------------------------- (a) run order
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(40)), cuts=st.lists(st.integers(1, 39), max_size=8),
       failed=st.sets(st.integers(0, 39), max_size=4))
def test_store_is_identical_whatever_order_runs_finish(runs, tmp_path_factory, order, cuts, failed):
    """Any finishing order and batching gives the store that runs written in order give in memory."""
    memory = MemorySink(_coords(), dict(ATTRS))
    for batch in _batches(range(40), [], failed, runs):
        memory.write(batch)
    path = tmp_path_factory.mktemp("order") / "s.zarr"
    sink = ZarrSink(path, _coords(), dict(ATTRS))
    for batch in _batches(order, cuts, failed, runs):
        sink.write(batch)
    sink.finish()
    stored = ann.open_results(path).load()
    xr.testing.assert_identical(memory.result(), stored)
    assert _no_batches(path)


def test_a_second_sweep_takes_the_store_over(runs, tmp_path):
    """Two calls on one store: the second claims it, the first then stops with a clear error at
    its next write, losing nothing it staged; the second completes the store."""
    memory = MemorySink(_coords(), dict(ATTRS))
    for batch in _batches(range(40), [], set(), runs):
        memory.write(batch)
    path = tmp_path / "s.zarr"
    first = ZarrSink(path, _coords(), dict(ATTRS))
    first.write(_batches(range(10), [], set(), runs)[0])
    second = ZarrSink(path, _coords(), dict(ATTRS))
    assert second.done()[:10].all()
    second.write(_batches(range(20, 30), [], set(), runs)[0])
    with pytest.raises(ArgumentError, match="now written by another sweep"):
        first.write(_batches(range(10, 20), [], set(), runs)[0])
    second.write(_batches([*range(10, 20), *range(30, 40)], [], set(), runs)[0])
    second.finish()
    xr.testing.assert_identical(memory.result(), ann.open_results(path).load())


def _mtimes(path):
    return {os.path.join(folder, name): os.stat(os.path.join(folder, name)).st_mtime_ns
            for folder, _, names in os.walk(path) for name in names}


def test_an_orphaned_placement_writes_nothing(runs, tmp_path):
    """A placement task of a call that no longer writes the store (its client gave up on the
    workers, or was killed and another call took over) finds another writer and stops."""
    from dasksnn.results.placing import NotWriterError, place_on_worker

    path = tmp_path / "s.zarr"
    sink = ZarrSink(path, _coords(), dict(ATTRS))
    sink.write(_batches(range(20), [], set(), runs)[0])
    before = _mtimes(path)
    batches = [os.path.join(path, "_staging", name) for name in os.listdir(path / "_staging") if name[0] == "b"]
    with pytest.raises(NotWriterError, match="nothing placed"):
        place_on_worker(str(path), "another-host:1:stale", 40, 0, 20, np.arange(20), batches, ["pop_v"],
                        {"pop_spike": ["pop_spike_time", "pop_spike_neuron"]}, {"pop_spike": 0}, {"pop_spike": 1},
                        64)
    after = _mtimes(path)
    assert after == before
    # the same call's placement run again by Dask after its block was marked placed writes nothing
    sink.finish()
    from dasksnn.results.placing import read_book

    book = read_book(str(path))
    before = _mtimes(path)
    assert place_on_worker(str(path), book["writer"], 40, 0, 20, np.arange(20), [], ["pop_v"],
                           {"pop_spike": ["pop_spike_time", "pop_spike_neuron"]}, {"pop_spike": 0},
                           {"pop_spike": 123}, 64) == {"pop_spike": 123}
    assert _mtimes(path) == before


def test_runs_are_placed_in_blocks_as_the_sweep_goes(runs, tmp_path):
    """A run's place never waits for the sweep's end: whole blocks of runs are placed in run order."""
    sink = ZarrSink(tmp_path / "s.zarr", _coords(), dict(ATTRS))
    assert sink.block == 1  # nothing created yet
    sink.write([runs[r] for r in range(17, 39)])  # the first 17 runs and the last finish last
    assert sink.block == 8 and sink.placed == 0  # run 0 missing: nothing placed
    sink.write([runs[r] for r in range(17)])
    assert sink.placed == 32  # runs 0-38 settled: whole blocks placed, run 32 on waits for run 39
    partial = ann.open_results(tmp_path / "s.zarr")
    assert (partial.status.values == DONE).sum() == 32  # staged runs are missing until placed
    np.testing.assert_array_equal(partial.snn.spikes(31)[0], runs[31].value.pop_spike_time.values)
    sink.write([runs[39]])
    assert sink.placed == 40
    sink.finish()
    done = ann.open_results(tmp_path / "s.zarr")
    assert (done.status == DONE).all()
    for r in (0, 16, 31, 39):
        np.testing.assert_array_equal(done.snn.spikes(r)[0], runs[r].value.pop_spike_time.values)
        np.testing.assert_array_equal(done.snn.weights(r)[2], runs[r].value.learn_final_w.values)
        np.testing.assert_array_equal(done.snn.results(run=r).learn_w.values, runs[r].value.learn_w.values)


def test_sweep_on_a_cluster_gives_the_store_of_a_sequential_sweep(cluster_client, tmp_path, undisturbed):
    """Bit for bit, spikes and synapses: workers write their runs and place them."""
    parallel = ann.sweep(build, **SWEEP, client=cluster_client, progress=False, store=tmp_path / "p.zarr")
    xr.testing.assert_identical(undisturbed, parallel.load())
    synapses = (undisturbed.learn_synapse_stop - undisturbed.learn_synapse_start).values
    assert np.unique(synapses).size > 10 and undisturbed.learn_final_w.size == synapses.sum()
    assert undisturbed.learn_w.dims == ("learn_time", "learn_synapse") and undisturbed.learn_time.size == 8


# ---------------------------------------------------------------------------- (b) coordinates
def test_coordinates_are_in_memory_and_indexed(tmp_path):
    ds = ann.sweep(small_build, **SMALL, sequential=True, progress=False, store=tmp_path / "s.zarr")
    memory = ann.sweep(small_build, **SMALL, sequential=True, progress=False)
    for result in (ds, ann.open_results(tmp_path / "s.zarr"), memory):
        assert {"we", "wi", "trial", "seed", "status"} <= set(result.xindexes)
        assert all(result[name].variable._in_memory for name in ("we", "wi", "trial", "seed", "status"))
        assert not result.pop_mean_rate.variable._in_memory or result is memory  # data stays lazy
        picked = result.where((result.we == 1.0) & (result.wi == 2.0), drop=True)
        assert picked.sizes["run"] == 2 and (picked.trial.values == [0, 1]).all()
        np.testing.assert_array_equal(result.sel(we=1.0).sel(wi=2.0).pop_mean_rate, picked.pop_mean_rate)
        means = result.pop_mean_rate.groupby("we").mean()
        assert means.dims == ("we",) and (np.diff(means.values) > 0).all()  # more excitation, more spikes
        assert result.sel(status=1).sizes["run"] == 12
        assert result.snn.grid().pop_mean_rate.dims == ("we", "wi", "trial")
    xr.testing.assert_identical(memory, ds.load())


# ---------------------------------------------------------------------------- (c) reads off the cluster
def _in_thread(function, timeout=60.0):
    """``function()`` in a thread; its value, or a failure if it hangs."""
    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("value", function()), daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "the read hung"
    return box["value"]


def test_reading_never_computes_on_a_cluster_without_workers(tmp_path, undisturbed):
    """With a default client whose cluster has no worker, reading a store completes in this process."""
    ann.sweep(build, **SWEEP, sequential=True, progress=False, store=tmp_path / "s.zarr")
    with LocalCluster(n_workers=0, dashboard_address=":0") as cluster, Client(cluster):  # the default client
        def read():
            ds = ann.open_results(tmp_path / "s.zarr")
            return ds.pop_mean_rate.mean().values, ds.snn.spikes(7), ds.snn.grid().pop_rate.max().values, ds.load()

        mean, (t, _), peak, whole = _in_thread(read)
        again = _in_thread(lambda: ann.sweep(build, **SWEEP, sequential=True, progress=False,
                                             store=tmp_path / "s.zarr").pop_v.isel(run=3).values)
    assert mean == undisturbed.pop_mean_rate.mean().values and peak == undisturbed.pop_rate.max().values
    np.testing.assert_array_equal(t, undisturbed.snn.spikes(7)[0])
    xr.testing.assert_identical(whole, undisturbed)
    np.testing.assert_array_equal(again, undisturbed.pop_v.isel(run=3).values)


def _hidden_worker(scheduler, hidden):
    """A ``dask worker`` process in its own mount namespace, where ``hidden`` is an empty directory
    (as a compute node that does not mount the login node's disk); None where that cannot be made."""
    probe = subprocess.run(["unshare", "-Urm", "sh", "-c", f"mount -t tmpfs none {hidden}"], capture_output=True)
    if probe.returncode != 0:
        return None
    return subprocess.Popen(
        ["unshare", "-Urm", "sh", "-c", f"mount -t tmpfs none {hidden} && exec {sys.executable} -m "
         f"distributed.cli.dask_worker {scheduler} --nthreads 1 --no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,  # this module's build functions import there
        env={**os.environ, "PYTHONPATH": os.pathsep.join([os.path.dirname(__file__), os.environ.get("PYTHONPATH", "")])})


def test_workers_that_cannot_see_the_store(tmp_path, undisturbed):
    """Workers in another mount namespace see an empty directory where the store is: reading
    never uses them; asking for a cluster read (chunks=) does, and shows what they see."""
    hidden = tmp_path / "shared"
    hidden.mkdir()
    ann.sweep(build, **SWEEP, sequential=True, progress=False, store=hidden / "s.zarr")
    with LocalCluster(n_workers=0, dashboard_address=":0") as cluster:
        worker = _hidden_worker(cluster.scheduler_address, hidden)
        if worker is None:
            pytest.skip("no mount namespaces here (unshare -Urm fails)")
        try:
            with Client(cluster) as client:
                client.wait_for_workers(1, timeout=60)
                ds = ann.open_results(hidden / "s.zarr")
                np.testing.assert_array_equal(ds.pop_mean_rate.values, undisturbed.pop_mean_rate.values)
                xr.testing.assert_identical(ds.load(), undisturbed)
                asked = ann.open_results(hidden / "s.zarr", chunks={})
                assert asked.pop_mean_rate.chunks is not None
                on_workers = asked.pop_mean_rate.values  # computed by the worker, which sees nothing
                assert np.isnan(on_workers).all()
                import dask

                with dask.config.set(scheduler="threads"):  # the documented way to keep it here
                    np.testing.assert_array_equal(asked.pop_mean_rate.values, undisturbed.pop_mean_rate.values)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(30)


def test_the_client_writes_every_run_when_asked(cluster_client, tmp_path, undisturbed, caplog):
    """dasksnn.store-writers = client: every run passes through the client, as before workers wrote."""
    import dask

    with dask.config.set({"dasksnn.store-writers": "client"}), caplog.at_level(logging.DEBUG, logger="dasksnn"):
        ds = ann.sweep(build, **SWEEP, client=cluster_client, progress=False, store=tmp_path / "c.zarr")
    xr.testing.assert_identical(ds.load(), undisturbed)
    assert any("0 runs written into" in r.getMessage() and "40 by this process" in r.getMessage()
               for r in caplog.records)


def test_a_misspelt_store_writers_setting_is_refused(tmp_path):
    import dask

    with dask.config.set({"dasksnn.store-writers": "worker"}), \
            pytest.raises(ArgumentError, match=r"dasksnn\.store-writers must be 'workers' or 'client', got 'worker'"):
        ann.sweep(build, **SWEEP, sequential=True, progress=False, store=tmp_path / "s.zarr")
    assert not (tmp_path / "s.zarr").exists()


def test_workers_write_their_runs_where_they_see_the_store(tmp_path, undisturbed, caplog):
    """One worker sees the store, one (another mount namespace) does not: the first writes its
    runs itself, the second sends them to the client; a placement task that lands on the second
    fails and the client places the rest. The store is that of a sequential sweep."""
    hidden = tmp_path / "shared"
    hidden.mkdir()
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster:
        worker = _hidden_worker(cluster.scheduler_address, hidden)
        if worker is None:
            pytest.skip("no mount namespaces here (unshare -Urm fails)")
        try:
            with Client(cluster, set_as_default=False) as client:
                client.wait_for_workers(2, timeout=60)
                with caplog.at_level(logging.DEBUG, logger="dasksnn"):
                    ds = ann.sweep(build, **SWEEP, client=client, progress=False, store=hidden / "s.zarr")
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(30)
    xr.testing.assert_identical(ds.load(), undisturbed)
    line = next(r.getMessage() for r in caplog.records if "runs written into" in r.getMessage())
    by_workers, by_client = (int(word) for word in re.findall(r"(\d+) (?:runs written|by this)", line))
    assert by_workers > 0 and by_client > 0 and by_workers + by_client == 40, line
    assert _no_batches(hidden / "s.zarr")


# ---------------------------------------------------------------------------- (d) files
def test_240_runs_make_a_few_files_per_variable(tmp_path):
    store = tmp_path / "s.zarr"
    ann.sweep(small_build, params={"we": np.linspace(0.5, 2.0, 12), "wi": [0.0, 2.0]}, trials=10, duration=20.0,
              seed=1, sequential=True, progress=False, store=store)
    files = sum(len(names) for _, _, names in os.walk(store))
    group = zarr.open_group(store, mode="r")
    arrays = len(list(group.array_keys()))
    assert files <= 2 * arrays + 2, files  # metadata and one shard per array (once: 1 chunk per run, 749 files)
    assert group["pop_rate"].shards == (256, 200) and group["pop_spike_time"].shards == (2**21,)


# ---------------------------------------------------------------------------- (e) atomic creation, resume
def _recorded(path):
    """Runs a killed sweep left in ``path``: done, or staged."""
    if not os.path.exists(path / "zarr.json"):
        return np.zeros(40, bool)
    group = zarr.open_group(path, mode="r")
    staging = Staging(str(path), 40)
    staging.scan(group.attrs[STORE_ATTR]["placed"])
    return (np.asarray(group["status"][:]) == DONE) | staging.staged()


def _kill_at(moment, store, log):
    """Run SWEEP into ``store`` in a subprocess and SIGKILL it at ``moment``; how many runs it had started."""
    code = ("import sys; sys.path.insert(0, sys.argv[2]); import dasksnn as ann; import test_store as t; "
            "ann.sweep(t.logged_build, **t.SWEEP, store=sys.argv[1], sequential=True, progress=False)")
    env = {**os.environ, "DASKSNN_TEST_LOG": str(log)}
    process = subprocess.Popen([sys.executable, "-c", code, str(store), os.path.dirname(__file__)], env=env)
    started = 0
    try:
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            started = len(log.read_text().splitlines()) - 1 if log.exists() else 0  # the first call only builds
            if moment == "creation":
                if any(name.startswith(".s.zarr.creating-") for name in os.listdir(store.parent)):
                    break
            elif started >= {"mid-sweep": 20, "near the end": 40}[moment]:
                break
            time.sleep(0.0005)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    return started


@pytest.mark.parametrize("moment", ["creation", "mid-sweep", "near the end"])
def test_a_killed_client_resumes(moment, tmp_path, undisturbed_logged, monkeypatch):
    """SIGKILL of the client while the store is created, mid-sweep, or near the end; the same call
    again computes only the runs not recorded, and gives the store of an undisturbed sweep."""
    store, log = tmp_path / "s.zarr", tmp_path / "calls.txt"
    started = _kill_at(moment, store, log)
    recorded = _recorded(store)
    if moment == "creation":
        assert not store.exists() and recorded.sum() == 0  # the template was in a temporary directory
        assert [n for n in os.listdir(tmp_path) if n.startswith(".s.zarr.creating-")]
    else:
        assert recorded.sum() >= started - 2  # at most the run in flight is lost (and one started meanwhile)
    monkeypatch.setenv("DASKSNN_TEST_LOG", str(log))
    log.write_text("")
    ds = ann.sweep(logged_build, **SWEEP, store=store, sequential=True, progress=False)
    computed = [float(line) for line in log.read_text().splitlines()][1:]  # after the build of run 0
    assert sorted(computed) == sorted(RATES[~recorded].tolist())  # only the missing runs
    xr.testing.assert_identical(ds.load(), undisturbed_logged)
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".s.zarr.creating-")]
    assert _no_batches(store)


def test_a_store_made_by_another_version_resumes_only_when_asked(tmp_path):
    store = tmp_path / "s.zarr"
    ann.sweep(small_build, **SMALL, sequential=True, progress=False, store=store)
    group = zarr.open_group(store, mode="r+")
    group.attrs["dasksnn_version"] = "0.1.0"
    with pytest.raises(ArgumentError, match=r"made by dasksnn 0.1.0, this is dasksnn .*not resumed.*"
                                             r"pass resume='any-version'"):
        ann.sweep(small_build, **SMALL, sequential=True, progress=False, store=store)
    with pytest.raises(ArgumentError, match=r"resume must be one of 'same-version', 'any-version', got 'yes'"):
        ann.sweep(small_build, **SMALL, sequential=True, progress=False, store=store, resume="yes")


def test_resume_any_version_and_fingerprint_with_dt(tmp_path):
    store = tmp_path / "s.zarr"
    ann.sweep(no_dt_build, **SMALL, sequential=True, progress=False, store=store, errors="record")
    full = ann.open_results(store)
    assert json.loads(full.attrs["sweep"])["dt"] == 1.0
    group = zarr.open_group(store, mode="r+")
    group.attrs["dasksnn_version"] = "0.1.0"
    status = np.asarray(group["status"][:])
    status[5:] = 0  # as if the version 0.1.0 had stopped after 5 runs
    group["status"][:] = status
    ds = ann.sweep(no_dt_build, **SMALL, sequential=True, progress=False, store=store, resume="any-version")
    assert (ds.status == DONE).all() and ds.attrs["dasksnn_resumed_by"] == [ann.__version__]
    xr.testing.assert_identical(ds.pop_mean_rate.load(), full.pop_mean_rate.load())
    group["status"][11] = 0  # one run left to compute
    ann.setup(dt=0.5)  # the same build, another time step: refused before any run starts
    with pytest.raises(ArgumentError, match=r"holds runs simulated with dt = 1.0 ms; the networks of this sweep "
                                             r"have dt = 0.5 ms"):
        ann.sweep(no_dt_build, **SMALL, sequential=True, progress=False, store=store, resume="any-version")


def no_dt_build(we, wi):
    """small_build without its own dt: runs take this process's dt."""
    inp = ann.PoissonPopulation(20, rates=40.0, name="inp")
    pop = ann.Population(10, ann.IF_curr_exp(), name="pop")
    ann.Projection(inp, pop, "exc").connect_fixed_probability(0.3, weights=we)
    ann.Projection(pop, pop, "inh").connect_fixed_probability(0.3, weights=wi)
    ann.Monitor(pop, "spike")


def test_stores_of_the_older_format(tmp_path):
    """A dasksnn 0.2 store (no format marker) is refused with a clear message; one killed while its
    template was written (no status) holds no run and is made again."""
    old = tmp_path / "old.zarr"
    ann.sweep(small_build, **SMALL, sequential=True, progress=False, store=old)
    group = zarr.open_group(old, mode="r+")
    del group.attrs[STORE_ATTR]
    with pytest.raises(ArgumentError, match=r"written by dasksnn .* in store format 1; this dasksnn .* adds runs "
                                             r"only to stores of format 2. Read it with open_results"):
        ann.sweep(small_build, **SMALL, sequential=True, progress=False, store=old)
    assert ann.open_results(old).sizes["run"] == 12  # still readable
    del group["status"]
    ds = ann.sweep(small_build, **SMALL, sequential=True, progress=False, store=old)
    assert (ds.status == DONE).all()


def test_failed_runs_retried_are_placed_in_run_order(tmp_path):
    """Runs after a failed one that is retried move back to staging and come back in run order."""
    store = tmp_path / "s.zarr"
    fails = tmp_path / "fail"
    fails.touch()
    os.environ["DASKSNN_TEST_FAIL"] = str(fails)
    try:
        first = ann.sweep(flaky_build, **SMALL, sequential=True, progress=False, store=store, errors="record")
        assert list(first.status.values) == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1]
        fails.unlink()
        retried = ann.sweep(flaky_build, **SMALL, sequential=True, progress=False, store=store, errors="record")
    finally:
        del os.environ["DASKSNN_TEST_FAIL"]
    xr.testing.assert_identical(retried.load(), ann.sweep(flaky_build, **SMALL, sequential=True, progress=False))
    assert (retried.error == "").all()


def flaky_build(we, wi):
    if we == 1.0 and os.path.exists(os.environ.get("DASKSNN_TEST_FAIL", "/nonexistent")):
        raise RuntimeError("flaky")
    small_build(we, wi)


def test_store_errors_are_argument_errors(tmp_path):
    (tmp_path / "one.zarr").mkdir()
    net = ann.Network(dt=0.1)
    pop = ann.Population(3, ann.Izhikevich(i_offset=5.0), name="pop")
    net.add([pop, ann.Monitor(pop, "spike")])
    net.compile()
    net.simulate(10.0)
    net.results().to_zarr(tmp_path / "one.zarr", consolidated=False, mode="w")
    with pytest.raises(ArgumentError, match=r"exists but is not a dasksnn sweep"):
        ann.sweep(small_build, **SMALL, sequential=True, progress=False, store=tmp_path / "one.zarr")
    with pytest.raises(ArgumentError, match=r"holds another sweep \(parameters, trials, duration or seed differ\); "
                                             r"what differs: seed:"):
        ann.sweep(small_build, **SMALL, sequential=True, progress=False, store=tmp_path / "s.zarr")
        ann.sweep(small_build, **{**SMALL, "seed": 6}, sequential=True, progress=False, store=tmp_path / "s.zarr")
