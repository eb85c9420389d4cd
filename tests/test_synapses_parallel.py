"""Plastic networks give the same spikes and weights sequentially and on Dask workers, and
the same recordings of a monitor of a dendrite made after compile."""

import numpy as np
import xarray as xr
from distributed import Client, LocalCluster

import dasksnn as ann


def _plastic_network():
    ann.setup(dt=0.5, seed=3)
    inp = ann.PoissonPopulation(80, rates=20.0, name="inp")
    pop = ann.Population(20, ann.IF_cond_exp, name="pop")
    ann.Projection(inp, pop, "exc", synapse=ann.STDP(w_max=0.03, A_plus=0.02), name="learn") \
        .connect_fixed_probability(0.3, weights=ann.Uniform(0.005, 0.02))
    ann.Projection(inp, pop, "inh", synapse=ann.STP(U=0.3)).connect_fixed_probability(0.2, weights=0.01)
    ann.Monitor(pop, "spike")


def _weights_and_spikes(idx, net):
    net.simulate(300.0)
    learn = net.get_projection("learn")
    dendrite = net.get_synapse_monitors()[0]
    assert dendrite.post_rank == 4 and net.get_synapse_monitors()[0].get("w", keep=True).shape[1] == \
        len(learn.dendrite(4).pre_ranks)
    return learn.values("w"), net.get_monitors()[0].raster_plot(), dendrite.get("w"), net.results()


def test_plastic_runs_equal_sequential_and_on_workers():
    _plastic_network()
    ann.compile()  # a dendrite exists once compiled; the runs are copies of the network as it was compiled
    ann.Monitor(ann.default_network().get_projection("learn").dendrite(4), "w", period=10.0)
    sequential = ann.parallel_run(method=_weights_and_spikes, number=3, seed=5, sequential=True, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, Client(cluster) as c:
        workers = ann.parallel_run(method=_weights_and_spikes, number=3, seed=5, client=c, progress=False)
    for (w1, (t1, n1), d1, r1), (w2, (t2, n2), d2, r2) in zip(sequential, workers, strict=True):
        np.testing.assert_array_equal(w1, w2)
        np.testing.assert_array_equal(t1, t2)
        np.testing.assert_array_equal(n1, n2)
        np.testing.assert_array_equal(d1, d2)
        assert d1.shape[0] == 30
        xr.testing.assert_identical(r1, r2)
        assert {"learn_final_w", "proj0_final_w", "learn_dendrite4_w"} <= set(r1.data_vars)  # STDP, STP
    assert not np.array_equal(sequential[0][0], sequential[1][0])  # runs differ
    assert sequential[0][2].shape != sequential[1][2].shape  # their dendrites too
    assert len(sequential[0][1][0]) > 0
