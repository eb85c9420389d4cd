"""parallel_run and sweep on a real LocalCluster: the ANNarchy forms, seeds, Zarr, resume, errors."""

import getpass
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr
from distributed import Client, LocalCluster

import dasksnn as ann
from dasksnn.errors import ArgumentError, RunError

RATES = [0.0, 10.0, 20.0, 30.0, 40.0]


@pytest.fixture(scope="session")
def client():
    """One LocalCluster of 2 one-thread worker processes for the whole session."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as c:
        yield c


def poisson_network():
    """The ANNarchy documentation network, at module level (the default network)."""
    ann.setup(dt=0.1, seed=2)
    inp = ann.PoissonPopulation(100, rates=10.0, name="inp")
    pop = ann.Population(100, ann.IF_curr_exp(), name="pop")
    ann.Projection(inp, pop, "exc").connect_fixed_probability(0.1, weights=2.0)
    m = ann.Monitor(pop, "spike")
    return inp, pop, m


def spikes_by_rate():
    inp, _, m = poisson_network()

    def simulation(idx, net, rate):
        net.get(inp).rates = rate
        net.simulate(200.0)
        return net.get(m).raster_plot()

    return simulation


def test_parallel_run_number_with_arguments(client):
    """parallel_run(method, number=5, rate=[...]) as in ANNarchy's documentation."""
    simulation = spikes_by_rate()
    results = ann.parallel_run(method=simulation, number=5, rate=RATES, seed=7, client=client)
    counts = [len(t) for t, _ in results]
    assert counts[0] == 0 and counts == sorted(counts) and counts[-1] > 500  # index order kept
    sequential = ann.parallel_run(method=simulation, number=5, rate=RATES, seed=7, sequential=True)
    for (t1, n1), (t2, n2) in zip(results, sequential, strict=True):
        np.testing.assert_array_equal(t1, t2)
        np.testing.assert_array_equal(n1, n2)


def test_measure_time_shows_one_compile(client, caplog):
    """100 runs of one structure: compiled once before the fan-out, loaded by the workers."""
    pop = ann.Population(7, ann.Izhikevich(i_offset=5.0), name="tiny")  # a structure no other test uses
    m = ann.Monitor(pop, "spike")

    def run_network(idx, net):
        net.simulate(20.0)
        return net.get(m).mean_fr()

    rates = ann.parallel_run(method=run_network, number=100, measure_time=True, client=client, progress=False)
    out = caplog.text
    assert len(rates) == 100 and all(r > 0 for r in rates)
    assert "parallel_run: 100 runs on 2 workers" in out
    assert "compile before fan-out" in out and "kernel compiled" in out
    assert "kernels in runs: 0 compiled," in out
    loaded, reused = (int(x) for x in out.split("0 compiled, ")[1].split(" loaded")[0:1] +
                      out.split("disk cache, ")[1].split(" reused")[0:1])
    assert loaded + reused == 100 and loaded <= 2
    caplog.clear()
    ann.parallel_run(method=run_network, number=8, measure_time=True, sequential=True)
    assert "8 runs in this process" in caplog.text


def test_parallel_run_networks(client):
    """parallel_run(method, networks=[net1, net2, net3]): each run on its own network."""
    pop = ann.Population(20, ann.IF_curr_exp(), name="pop")
    m = ann.Monitor(pop, "spike")
    networks = []
    for current in (0.0, 1.0, 2.0):
        net = ann.Network(dt=0.1)
        net.add([pop, m])
        net.get(pop).i_offset = current
        networks.append(net)
    networks[2].compile()
    networks[2].simulate(10.0)  # a compiled network travels with its state

    def simulation(idx, net):
        net.simulate(100.0)
        return net.get(m).mean_fr(), net.get_time()

    results = ann.parallel_run(method=simulation, networks=networks, seed=3, client=client)
    assert results[0] == (0.0, 100.0) and results[1][0] > 0 and results[2][1] == 110.0
    assert results[2][0] > results[1][0]
    # the given networks are not changed
    assert not networks[0].compiled and networks[2].get_time() == 10.0
    assert results == ann.parallel_run(method=simulation, networks=networks, seed=3, sequential=True)


def _spikes(idx, net):
    net.simulate(300.0)
    return net.get_monitors()[0].raster_plot()


def test_same_results_sequential_one_and_two_workers(client):
    """Run i gets child i of SeedSequence(seed): bit-identical on any scheduler."""
    poisson_network()
    two = ann.parallel_run(method=_spikes, number=6, seed=11, client=client, progress=False)
    sequential = ann.parallel_run(method=_spikes, number=6, seed=11, sequential=True, progress=False)
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster, Client(cluster) as one:
        single = ann.parallel_run(method=_spikes, number=6, seed=11, client=one, progress=False)
    for a, b, c in zip(two, sequential, single, strict=True):
        for x, y, z in zip(a, b, c, strict=True):
            np.testing.assert_array_equal(x, y)
            np.testing.assert_array_equal(x, z)
    # runs differ from each other, and another seed gives other spikes
    assert not np.array_equal(two[0][0], two[1][0])
    other = ann.parallel_run(method=_spikes, number=1, seed=12, sequential=True, progress=False)
    assert not np.array_equal(other[0][0], two[0][0])


def test_same_seed_and_fresh_entropy():
    poisson_network()

    def entropy(idx, net):
        return net.seed_entropy, _spikes(idx, net)[0]

    same = ann.parallel_run(method=entropy, number=3, same_seed=True, sequential=True, progress=False)
    assert len({s for s, _ in same}) == 1
    np.testing.assert_array_equal(same[0][1], same[2][1])
    # without seed=, the seed given to setup() is the root, as ANNarchy's global seed
    seeded = ann.parallel_run(method=entropy, number=3, sequential=True, progress=False)
    assert [s for s, _ in seeded] == [s for s, _ in ann.parallel_run(method=entropy, number=3, sequential=True,
                                                                      progress=False)]
    ann.set_seed(None)  # no seed given: fresh entropy every call
    fresh = ann.parallel_run(method=entropy, number=3, sequential=True, progress=False)
    again = ann.parallel_run(method=entropy, number=3, sequential=True, progress=False)
    assert len({s for s, _ in fresh}) == 3 and {s for s, _ in fresh}.isdisjoint(s for s, _ in again)


def _failing(idx, net):
    if idx == 2:
        raise ValueError("diverged")
    net.simulate(5.0)
    return idx


def test_parallel_run_failure_names_the_run(client):
    poisson_network()
    with pytest.raises(RunError, match=r"run 2 failed \(arguments \{\}, seed \d+; the other runs were "
                                       r"cancelled\):\nValueError: diverged") as info:
        ann.parallel_run(method=_failing, number=4, seed=1, client=client, progress=False)
    assert (info.value.run, info.value.arguments) == (2, {})


# ---------------------------------------------------------------------------- sweeps
def build(we, wi):
    """A small E/I network whose weights are swept."""
    ann.setup(dt=0.1)
    inp = ann.PoissonPopulation(60, rates=40.0, name="inp")
    pop = ann.Population(40, ann.IF_curr_exp(), name="pop")
    ann.Projection(inp, pop, "exc").connect_fixed_probability(0.2, weights=we)
    ann.Projection(pop, pop, "inh").connect_fixed_probability(0.2, weights=wi)
    ann.Monitor(pop, "spike")


SWEEP = dict(params={"we": [0.5, 1.0, 1.5], "wi": [0.0, 2.0]}, trials=2, duration=100.0, seed=5)


def test_sweep_dataset_grid_and_spikes(client):
    ds = ann.sweep(build, **SWEEP, client=client, progress=False)
    assert ds.sizes["run"] == 12 and (ds.status == 1).all()
    assert list(ds.we.values[:4]) == [0.5, 0.5, 0.5, 0.5] and list(ds.trial.values[:4]) == [0, 1, 0, 1]
    assert ds.seed.dtype == np.uint64 and len(set(ds.seed.values.tolist())) == 12
    grid = ds.snn.grid()
    assert grid.pop_mean_rate.dims == ("we", "wi", "trial") and grid.pop_rate.dims == ("we", "wi", "trial", "time")
    rates = grid.pop_mean_rate.mean("trial")
    assert (rates.sel(wi=0.0).diff("we") > 0).all()  # more excitation, more spikes
    assert (rates.sel(wi=2.0) < rates.sel(wi=0.0)).all()  # inhibition lowers the rate
    # spikes of one run are that run's own: repeat run 7 from its seed
    t, n = ds.snn.spikes(run=7)
    assert len(t) == int(ds.pop_spike_count.isel(run=7).sum()) > 0
    ann.clear()
    ann.setup(seed=int(ds.seed[7]))
    build(we=float(ds.we[7]), wi=float(ds.wi[7]))
    ann.compile()
    ann.simulate(100.0)
    again_t, again_n = ann.default_network().get_monitors()[0].raster_plot()
    np.testing.assert_array_equal(t, again_t)
    np.testing.assert_array_equal(n, again_n)
    # the same sweep in this process gives the same dataset
    xr.testing.assert_identical(ds, ann.sweep(build, **SWEEP, sequential=True, progress=False))


def test_sweep_zarr_round_trip(tmp_path, client):
    in_memory = ann.sweep(build, **SWEEP, sequential=True, progress=False)
    stored = ann.sweep(build, **SWEEP, sequential=True, progress=False, store=tmp_path / "s.zarr")
    assert not stored.pop_mean_rate.variable._in_memory  # opened lazily
    xr.testing.assert_identical(in_memory, stored.load())
    # on workers, runs finish in any order: the store is the same, events in run order
    parallel = ann.sweep(build, **SWEEP, client=client, progress=False, store=tmp_path / "p.zarr").load()
    xr.testing.assert_identical(in_memory, parallel)
    reopened = ann.open_results(tmp_path / "p.zarr")
    assert reopened.snn.grid().pop_mean_rate.shape == (3, 2, 2)


def counted_build(we, wi, log, fail_at=None):
    """build(), logging each call to a file (calls happen in several processes)."""
    with open(log, "a") as handle:
        handle.write(f"{we} {wi}\n")
    if fail_at is not None and (we, wi) == fail_at and os.path.exists(f"{log}.fail"):
        raise RuntimeError(f"interrupted at we={we}, wi={wi}")
    build(we, wi)


def test_sweep_resumes_only_missing_runs(tmp_path):
    log = tmp_path / "calls.txt"
    (tmp_path / "calls.txt.fail").touch()
    store = tmp_path / "resume.zarr"

    def interrupted(we, wi):
        counted_build(we, wi, log, fail_at=(1.5, 0.0))

    with pytest.raises(RunError, match=r"run 8 failed \(parameters \{'we': 1.5, 'wi': 0.0\}, trial 0, seed \d+; the other runs were "
                                           r"cancelled, finished runs are in the store\):\nRuntimeError: "
                                           r"interrupted at we=1.5, wi=0.0"):
        ann.sweep(interrupted, **SWEEP, sequential=True, progress=False, store=store)
    partial = ann.open_results(store)
    assert list(partial.status.values) == [1] * 8 + [2, 0, 0, 0]
    assert partial.error.values[8].startswith("RuntimeError: interrupted")
    os.remove(f"{log}.fail")
    log.write_text("")
    resumed = ann.sweep(interrupted, **SWEEP, sequential=True, progress=False, store=store)
    calls = log.read_text().splitlines()
    assert len(calls) == 1 + 4  # one compile before the fan-out, then only runs 8 to 11
    assert (resumed.status == 1).all()
    full = ann.sweep(build, **SWEEP, sequential=True, progress=False)
    xr.testing.assert_identical(full.pop_mean_rate, resumed.pop_mean_rate.load())
    # a finished store computes nothing; another sweep on it is refused
    log.write_text("")
    ann.sweep(interrupted, **SWEEP, sequential=True, progress=False, store=store)
    assert log.read_text() == ""
    with pytest.raises(ArgumentError, match=r"holds another sweep"):
        ann.sweep(build, **{**SWEEP, "trials": 3}, sequential=True, progress=False, store=store)


def broken_build(we, wi):
    if we == 1.0:
        raise ValueError(f"no network for we={we}")
    build(we, wi)


def test_sweep_records_failures(client, tmp_path):
    ds = ann.sweep(broken_build, **SWEEP, errors="record", client=client, progress=False,
                   store=tmp_path / "f.zarr").load()
    failed = ds.we.values == 1.0
    assert (ds.status.values[failed] == 2).all() and (ds.status.values[~failed] == 1).all()
    assert all(e.startswith("ValueError: no network for we=1.0") for e in ds.error.values[failed])
    assert np.isnan(ds.pop_mean_rate.values[failed]).all() and (ds.pop_mean_rate.values[~failed] > 0).all()


def uneven_build(we, wi):
    """Runs with we = 1.5 also record their input's spikes: more than the first run did."""
    build(we, wi)
    if we == 1.5:
        ann.Monitor(ann.get_population("inp"), "spike")


def test_a_run_that_records_more_than_the_sweep_is_a_failed_run(tmp_path):
    """Its extra variable would be lost in the store (as a store begun by an older dasksnn
    would lose variables it does not have): the run fails, naming the variable."""
    ds = ann.sweep(uneven_build, **SWEEP, sequential=True, errors="record", progress=False,
                   store=tmp_path / "u.zarr").load()
    extra = ds.we.values == 1.5
    assert (ds.status.values[extra] == 2).all() and (ds.status.values[~extra] == 1).all()
    assert all("its results have 'inp_" in e for e in ds.error.values[extra])


# ---------------------------------------------------------------------------- review fixes
def test_store_refuses_a_directory_that_is_not_a_store(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ArgumentError, match=r"exists and is not a Zarr store; choose another path"):
        ann.sweep(build, **SWEEP, sequential=True, progress=False, store=tmp_path)
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_resume_drops_events_of_unfinished_runs(tmp_path):
    """A sweep interrupted between writing events and marking runs done resumes cleanly."""
    import zarr

    store = tmp_path / "cut.zarr"
    ann.sweep(build, **SWEEP, sequential=True, progress=False, store=store)
    group = zarr.open_group(store, mode="r+")
    group["pop_spike_time"].append(np.arange(7.0))  # as if interrupted between the two appends
    status = group["status"][:]
    status[11] = 0  # the last batch written was not marked done
    group["status"][:] = status
    resumed = ann.sweep(build, **SWEEP, sequential=True, progress=False, store=store).load()
    full = ann.sweep(build, **SWEEP, sequential=True, progress=False)
    assert (resumed.status == 1).all() and resumed.sizes["pop_spike"] == full.sizes["pop_spike"]
    for run in range(12):
        for a, b in zip(resumed.snn.spikes(run), full.snn.spikes(run), strict=True):
            np.testing.assert_array_equal(a, b)


def test_objects_made_again_by_another_import_are_found_by_name():
    """A worker that imports the user's module makes its objects anew: get() finds them by name."""
    poisson_network()
    replica = ann.default_network().replica(1)
    ann.clear()
    inp, pop, m = poisson_network()  # the module imported again: same names, new identities
    assert replica.get(inp).name == "inp" and replica.get(m) is replica.get_monitors()[0]
    other = ann.Population(3, ann.Izhikevich, name="other")
    with pytest.raises(ann.NetworkError, match=r"Population 'other'.* is not in this network"):
        replica.get(other)


def test_compiled_network_travels_to_a_process_without_its_kernel(client):
    model = ann.Neuron(equations="13.7 * dv/dt = 1.0 - v", spike="v > 0.9", reset="v = 0.0")  # a new kernel
    pop = ann.Population(5, model, name="fresh")
    m = ann.Monitor(pop, "spike")
    net = ann.Network(dt=0.1, seed=1)
    net.add([pop, m])
    net.compile()
    counts = ann.parallel_run(method=lambda idx, n: len(n.get(m).raster_plot()[0]) if n.simulate(100.0) is None
                              else 0, networks=[net, net], client=client, progress=False)
    assert counts[0] == counts[1] > 0


def test_parallel_run_copies_start_from_the_initial_state():
    _, pop, _ = poisson_network()
    ann.compile()
    ann.simulate(100.0)

    def initial_v(idx, net):
        return float(net.get(pop).v[0]), net.get_time()

    assert ann.parallel_run(method=initial_v, number=1, sequential=True, progress=False) == [(-65.0, 0.0)]


def own_network_build(we, wi):
    """A build that makes its own Network, draws on it, and clears the default network first."""
    ann.clear()
    build(we, wi)
    net = ann.Network(dt=0.1)
    net.add(ann.default_network()._objects())
    net.get(net.get_populations()[1]).v = ann.Uniform(-70.0, -60.0)
    return net


def test_networks_made_in_build_are_seeded_by_the_run():
    params = dict(params={"we": [1.0], "wi": [0.0]}, trials=2, duration=50.0, seed=3, sequential=True, progress=False)
    first, second = ann.sweep(own_network_build, **params), ann.sweep(own_network_build, **params)
    xr.testing.assert_identical(first, second)
    t0, _ = first.snn.spikes(0)
    assert not np.array_equal(t0, first.snn.spikes(1)[0])  # trials differ


def test_sweep_on_threaded_workers():
    """Builds swap the default network: two threads of one worker must not mix runs."""
    with LocalCluster(n_workers=1, threads_per_worker=2, dashboard_address=":0") as cluster, Client(cluster) as c:
        ds = ann.sweep(build, **SWEEP, client=c, progress=False)
    assert (ds.status == 1).all()
    xr.testing.assert_identical(ds, ann.sweep(build, **SWEEP, sequential=True, progress=False))


def test_embedded_local_cluster_started_once_and_reused(caplog):
    """Without a client, dasksnn starts a LocalCluster, logs its dashboard and reuses it;
    ann.get_client() reaches it."""
    from distributed import default_client

    with pytest.raises(ValueError):
        default_client()  # no active client: the embedded default is used
    ann.close_local_cluster()  # one an earlier test started
    poisson_network()
    try:
        first = ann.parallel_run(method=_spikes, number=2, seed=4, max_processes=1, progress=False)
        assert "started a LocalCluster of 1 worker process (1 thread each); dashboard: http" in caplog.text
        caplog.clear()
        local = ann.get_client()
        assert len(local.nthreads()) == 1 and list(local.nthreads().values()) == [1]
        assert ann.get_client(max_processes=1) is local
        # the workers got dasksnn's environment before they started, not Dask's trim threshold
        seen = local.run(lambda: {k: os.environ.get(k) for k in ann.worker_environment()})
        assert next(iter(seen.values())) == ann.worker_environment()
        assert ann.worker_environment()["MALLOC_TRIM_THRESHOLD_"] != "65536"
        again = ann.parallel_run(method=_spikes, number=2, seed=4, max_processes=1, progress=False)
        assert "started a LocalCluster" not in caplog.text  # reused
        for a, b in zip(first, again, strict=True):
            np.testing.assert_array_equal(a[0], b[0])
    finally:
        ann.close_local_cluster()
    assert local.status == "closed"


# ---------------------------------------------------------------------------- kernel cache on workers
def test_a_worker_chooses_its_kernel_cache(tmp_path, monkeypatch, caplog):
    """Its own setting if writable, else the client's if writable, else node-local."""
    from dasksnn.parallel.scheduler import choose_cache_dir

    (tmp_path / "node").mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "node"))
    (tmp_path / "file").write_text("a file where a directory is expected")
    unwritable = str(tmp_path / "file" / "cache")
    own, client = str(tmp_path / "own"), str(tmp_path / "client")
    assert choose_cache_dir(own, client) == (own, "its own dasksnn.cache-dir")
    assert choose_cache_dir(None, client) == (client, "the client's")
    local = os.path.join(tmp_path, "node", f"dasksnn-{getpass.getuser()}", "cache")
    assert choose_cache_dir(None, unwritable) == (local, f"node-local (the client's {unwritable} is not writable here)")
    assert choose_cache_dir(unwritable, client) == (client, "the client's")
    assert f"this worker's own directory {unwritable} (dasksnn.cache-dir or DASKSNN_CACHE_DIR) is not writable" \
        in caplog.text
    assert os.listdir(local) == [] and os.listdir(own) == []  # the probes leave nothing behind
    # a node-local folder that others may write (made first by another user in a shared /tmp): not used
    os.chmod(os.path.dirname(local), 0o777)
    directory, why = choose_cache_dir(None, unwritable)
    assert os.path.basename(directory).startswith("dasksnn-cache-") and os.stat(directory).st_mode & 0o077 == 0


def _unshare_mounts():
    """Whether this process may make a private mount namespace with a read-only bind (root on Linux)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind -o ro / / && ! touch /proc/1/.probe"],
                           capture_output=True)
    return probe.returncode == 0


def cache_and_spikes(idx, net):
    net.simulate(100.0)
    return os.environ["DASKSNN_CACHE_DIR"], str(net.simulator.kernel.path), net.get_monitors()[0].raster_plot()


@pytest.mark.skipif(not _unshare_mounts(), reason="needs unshare -m and mount (root on Linux) for a read-only view")
def test_worker_that_cannot_write_the_clients_cache_compiles_node_local(tmp_path, monkeypatch):
    """Two workers of one cluster: one sees the client's kernel cache read-only (its own mount
    namespace, as a node that mounts it read-only), one has its own DASKSNN_CACHE_DIR. Both
    compile the kernel from the source the work carries and run; same spikes as here."""
    client_cache, own = tmp_path / "client-cache", tmp_path / "own-cache"
    client_cache.mkdir()
    monkeypatch.setenv("DASKSNN_CACHE_DIR", str(client_cache))
    model = ann.Neuron(equations="17.3 * dv/dt = 1.2 - v", spike="v > 1.0", reset="v = 0.0")  # a kernel of its own
    pop = ann.Population(8, model, name="fresh")
    ann.Monitor(pop, "spike")
    env = {name: value for name, value in os.environ.items() if name != "DASKSNN_CACHE_DIR"}
    env.update(PYTHONPATH=os.path.dirname(__file__), TMPDIR=str(tmp_path))  # the workers import this module
    workers = []
    with LocalCluster(n_workers=0, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as c:
        worker = [sys.executable, "-m", "distributed.cli.dask_worker", cluster.scheduler_address, "--nthreads", "1",
                  "--no-nanny", "--no-dashboard"]
        try:
            workers.append(subprocess.Popen(
                ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(client_cache),
                 *worker, "--name", "read-only"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            workers.append(subprocess.Popen([*worker, "--name", "own"], env={**env, "DASKSNN_CACHE_DIR": str(own)},
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            c.wait_for_workers(2, timeout=30)
            results = ann.parallel_run(method=cache_and_spikes, number=8, seed=3, client=c, progress=False)
            names = {address: info["name"] for address, info in c.scheduler_info()["workers"].items()}
            chosen = {names[address]: path for address, path in c.run(lambda: os.environ["DASKSNN_CACHE_DIR"]).items()}
        finally:
            for process in workers:
                process.kill()
                process.wait()
    local = os.path.join(tmp_path, f"dasksnn-{getpass.getuser()}", "cache")
    assert chosen == {"read-only": local, "own": str(own)}
    used = {directory for directory, _, _ in results}
    assert used <= {local, str(own)} and all(os.path.dirname(path) == directory for directory, path, _ in results)
    for directory in used:  # each compiled the kernel into its own cache
        assert any(name.endswith(".py") for name in os.listdir(directory))
    sequential = ann.parallel_run(method=cache_and_spikes, number=8, seed=3, sequential=True, progress=False)
    for (_, _, a), (_, _, b) in zip(results, sequential, strict=True):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])


UNGUARDED = """
import dasksnn as ann
pop = ann.PoissonPopulation(50, rates=20.0, name="inp")
m = ann.Monitor(pop, "spike")
ann.compile()

def run(idx, net):
    net.simulate(100.0)
    return net.get(m).mean_fr()

def build(rate):
    ann.Monitor(ann.PoissonPopulation(10, rates=rate, name="inp"), "spike")

print("rates", len(ann.parallel_run(method=run, number=4, seed=1, max_processes=2)))
print("runs", ann.sweep(build, {"rate": [10.0, 20.0]}, duration=50.0, seed=1, max_processes=2).sizes["run"])
"""


def test_script_without_main_guard_runs_on_the_local_cluster(tmp_path):
    """A script that calls parallel_run and sweep at module level, as ANNarchy's examples do,
    runs on dasksnn's LocalCluster (its workers do not run the script again)."""
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "rates 4" in result.stdout and "runs 2" in result.stdout


@pytest.mark.parametrize(("source", "unguarded"), [
    (UNGUARDED, True),
    ("import dasksnn as ann\nif __name__ == '__main__':\n    ann.parallel_run(method=f, number=2)\n", False),
    ("import dasksnn as ann\ndef main():\n    ann.sweep(b, {}, duration=1.0)\n", False),
])
def test_which_scripts_get_forked_workers(source, unguarded, tmp_path, monkeypatch):
    """Only a main script that fans out outside a __main__ guard or a function gets forked workers."""
    import types

    from dasksnn.parallel.scheduler import _script_runs_unguarded

    script = tmp_path / "main.py"
    script.write_text(source)
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    assert _script_runs_unguarded() is unguarded
