"""Synapses in results: the final weights of plastic projections in ``Network.results()``, in
sweep datasets and in stores (ragged along ``<proj>_synapse``, as spikes are along
``<pop>_spike``), recorded synaptic variables whose number of synapses differs from run to run,
and ``ds.snn.weights`` / ``ds.snn.results`` to read one run."""

import os

import numpy as np
import pytest
import xarray as xr
from distributed import Client, LocalCluster

import dasksnn as ann
from dasksnn.errors import ArgumentError

DURATION = 200.0


def plastic(rate):
    """Poisson input onto 8 neurons through STDP synapses drawn at random (their number differs
    from run to run) and through static ones; recorded weights every 20 ms."""
    ann.setup(dt=1.0)
    inp = ann.PoissonPopulation(30, rates=rate, name="inp")
    pop = ann.Population(8, ann.IF_cond_exp, name="pop")
    learn = ann.Projection(inp, pop, "exc", synapse=ann.STDP(w_max=0.05, A_plus=0.05), name="learn")
    learn.connect_fixed_probability(0.3, weights=ann.Uniform(0.01, 0.03))
    ann.Projection(inp, pop, "inh", name="fixed").connect_fixed_probability(0.2, weights=0.01)
    ann.Monitor(learn, "w", period=20.0)
    ann.Monitor(pop, "spike")


def flaky(rate):
    """plastic(), failing at rate 40 while the file named by $DASKSNN_TEST_FAIL exists."""
    if rate == 40.0 and os.path.exists(os.environ.get("DASKSNN_TEST_FAIL", "/nonexistent")):
        raise RuntimeError("flaky")
    plastic(rate)


PLASTIC = dict(params={"rate": [20.0, 40.0, 60.0]}, trials=2, duration=DURATION, seed=11, progress=False)


@pytest.fixture(scope="module")
def memory():
    """The sweep in memory, in this process."""
    return ann.sweep(plastic, **PLASTIC, sequential=True)


def _alone(seed, rate):
    """The network of one run, done alone (``clear(); setup(seed=...); build(...)``), simulated."""
    with ann.building(seed=seed) as made:
        plastic(rate)
    net = made.network
    net.compile()
    net.simulate(DURATION)
    return net


def test_results_of_one_network_hold_the_final_weights_of_plastic_projections():
    net = _alone(3, 40.0)
    learn = net.get_projection("learn")
    ds = net.results()
    np.testing.assert_array_equal(ds.learn_final_w.values, np.concatenate(learn.w))
    assert not np.array_equal(ds.learn_final_w.values, ds.learn_w.values[0])  # STDP changed them
    pre = np.concatenate([learn.dendrite(r).pre_ranks for r in learn.post_ranks])
    post = np.repeat(learn.post_ranks, [len(w) for w in learn.w])
    np.testing.assert_array_equal(ds.learn_pre.values, pre)
    np.testing.assert_array_equal(ds.learn_post.values, post)
    # the monitor of the projection shares the synapse dim and its ranks
    assert ds.learn_final_w.dims == ("learn_synapse",) and ds.learn_w.dims == ("learn_time", "learn_synapse")
    assert ds.learn_final_w.attrs == {"long_name": "weights of the synapses of learn at the end of the simulation",
                                      "units": "uS"}  # those of g_exc of IF_cond_exp
    assert ds.learn_w.attrs["units"] == "uS" and ds.learn_pre.attrs["units"] == "1"
    assert "fixed_final_w" not in ds and "fixed_synapse" not in ds.dims  # static weights are as given
    got_pre, got_post, w = ds.snn.weights()
    np.testing.assert_array_equal(got_pre, pre)
    np.testing.assert_array_equal(got_post, post)
    np.testing.assert_array_equal(w, np.concatenate(learn.w))


def test_sweep_weights_are_those_of_each_run_done_alone(memory):
    """Run i of the sweep is the run done alone with the seed of run i: its final weights,
    recorded weights and spikes, though each run has its own number of synapses."""
    counts = (memory.learn_synapse_stop - memory.learn_synapse_start).values
    assert np.unique(counts).size > 2
    assert memory.learn_final_w.size == counts.sum() and memory.learn_w.shape == (10, counts.sum())
    for r in range(6):
        net = _alone(int(memory.seed[r]), float(memory.rate[r]))
        learn = net.get_projection("learn")
        pre, post, w = memory.snn.weights(run=r)
        np.testing.assert_array_equal(w, np.concatenate(learn.w))
        assert pre.size == post.size == learn.nb_synapses == counts[r]
        alone, one = net.results(), memory.snn.results(run=r)
        for name in ("learn_final_w", "learn_w", "learn_pre", "learn_post", "pop_spike_time", "pop_spike_count"):
            xr.testing.assert_identical(one[name].reset_coords(drop=True), alone[name].reset_coords(drop=True))
        assert one.rate.item() == memory.rate.values[r] and one.trial.item() == r % 2


def test_reading_weights_of_runs(memory):
    both = memory.snn.weights(rate=40.0)
    assert len(both) == 2 and [p[2].size for p in both] == [p[2].size for p in memory.snn.weights(run=[2, 3])]
    np.testing.assert_array_equal(both[1][2], memory.snn.weights(run=3)[2])
    np.testing.assert_array_equal(memory.snn.weights(run=-1)[2], memory.snn.weights(run=5)[2])
    grid = memory.snn.grid()
    assert "learn_final_w" not in grid and "learn_pre" not in grid.coords and grid.pop_mean_rate.dims == (
        "rate", "trial")
    with pytest.raises(ArgumentError, match=r"weights\(\): this is a sweep; give run="):
        memory.snn.weights()
    with pytest.raises(ArgumentError, match=r"no final weights of 'fixed' \(plastic projections: learn\)"):
        memory.snn.weights(run=0, projection="fixed")
    with pytest.raises(ArgumentError, match=r"results\(\): rate=60.0 selects 2 runs; give values that select one"):
        memory.snn.results(rate=60.0)
    assert memory.snn.results(rate=60.0, trial=1).run.item() == 5


def test_store_round_trip_and_resume(memory, tmp_path):
    """The store of the sweep is the sweep in memory; runs that failed and are computed again
    are placed in run order, the runs after them moved back (their synapses too)."""
    store = tmp_path / "s.zarr"
    stored = ann.sweep(plastic, **PLASTIC, sequential=True, store=store)
    xr.testing.assert_identical(stored.load(), memory)
    xr.testing.assert_identical(ann.open_results(store).snn.results(run=4).load(), memory.snn.results(run=4))
    fails = tmp_path / "fail"
    fails.touch()
    os.environ["DASKSNN_TEST_FAIL"] = str(fails)
    try:
        first = ann.sweep(flaky, **PLASTIC, sequential=True, store=tmp_path / "f.zarr", errors="record")
        assert list(first.status.values) == [1, 1, 2, 2, 1, 1]
        assert first.learn_synapse_start.values[2] == first.learn_synapse_stop.values[2]  # nothing of a failed run
        fails.unlink()
        retried = ann.sweep(flaky, **PLASTIC, sequential=True, store=tmp_path / "f.zarr", errors="record")
    finally:
        del os.environ["DASKSNN_TEST_FAIL"]
    expected = ann.sweep(flaky, **PLASTIC, sequential=True)
    xr.testing.assert_identical(retried.load(), expected)
    np.testing.assert_array_equal(expected.learn_final_w.values, memory.learn_final_w.values)


def test_sweep_on_a_cluster_gives_the_weights_of_a_sequential_sweep(memory):
    """In memory: runs sent back by worker processes give the same synapses, bit for bit."""
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as client:
        parallel = ann.sweep(plastic, **PLASTIC, client=client)
    xr.testing.assert_identical(parallel, memory)


def test_recorded_synaptic_variables_of_one_dendrite_in_a_sweep():
    """A build may compile its network and monitor a dendrite (as ANNarchy, after compile):
    the dendrite's synapses differ from run to run, and so does their number."""
    def dendrite_build(rate):
        plastic(rate)
        ann.compile()
        ann.Monitor(ann.default_network().get_projection("learn").dendrite(3), ["w", "x"])

    ds = ann.sweep(dendrite_build, params={"rate": [30.0, 50.0]}, trials=2, duration=50.0, seed=2, progress=False,
                   sequential=True)
    assert ds.learn_dendrite3_w.dims == ("time", "learn_dendrite3_synapse")
    counts = (ds.learn_dendrite3_synapse_stop - ds.learn_dendrite3_synapse_start).values
    assert np.unique(counts).size > 1
    for r in range(4):
        one = ds.snn.results(run=r)
        pre, post, w = ds.snn.weights(run=r)
        assert (one.learn_dendrite3_post == 3).all() and one.learn_dendrite3_w.shape == (50, counts[r])
        np.testing.assert_array_equal(one.learn_dendrite3_pre.values, pre[post == 3])
