"""Plastic networks give the same spikes and weights sequentially and on Dask workers."""

import numpy as np
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
    return net.get_projection("learn").values("w"), net.get_monitors()[0].raster_plot()


def test_plastic_runs_equal_sequential_and_on_workers():
    _plastic_network()
    sequential = ann.parallel_run(method=_weights_and_spikes, number=3, seed=5, sequential=True, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, Client(cluster) as c:
        workers = ann.parallel_run(method=_weights_and_spikes, number=3, seed=5, client=c, progress=False)
    for (w1, (t1, n1)), (w2, (t2, n2)) in zip(sequential, workers, strict=True):
        np.testing.assert_array_equal(w1, w2)
        np.testing.assert_array_equal(t1, t2)
        np.testing.assert_array_equal(n1, n2)
    assert not np.array_equal(sequential[0][0], sequential[1][0])  # runs differ
    assert len(sequential[0][1][0]) > 0
