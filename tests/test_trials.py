"""simulate_trials and the backends that choose where trials run (hnn-core's pattern)."""

import sys

import numpy as np
import pytest

import dasksnn as ann
import dasksnn.parallel.sweep
from dasksnn import DaskBackend, SequentialBackend, simulate_trials


def network():
    with ann.building(dt=0.5) as made:
        inp = ann.PoissonPopulation(20, rates=40.0, name="inp")
        pop = ann.Population(10, ann.IF_curr_exp, name="pop")
        ann.Projection(inp, pop, "exc").connect_fixed_probability(0.5, weights=0.5)
        ann.Monitor(pop, ["spike", "v"])
    return made.network


def test_trials_have_a_trial_dimension_and_a_summed_signal():
    net = network()
    with SequentialBackend() as backend:
        ds = simulate_trials(net, n_trials=3, duration=50.0, signal="pop_v", seed=5, progress=False)
    assert repr(backend) == ds.attrs["backend"] == "SequentialBackend()"
    assert ds.signal.dims == ("trial", "time") and ds.sizes["trial"] == 3
    np.testing.assert_allclose(ds.signal, ds.pop_v.sum("pop_neuron"))
    assert ds.signal.attrs["units"] == "mV" and "summed over the population" in ds.signal.attrs["long_name"]
    assert not np.array_equal(ds.signal[0], ds.signal[1])  # trials differ: each has its own seed
    assert not net.compiled  # the network given is not changed


def test_backends_are_the_arguments_of_sweep(monkeypatch):
    seen = []

    def fake_sweep(build, params, **kwargs):
        seen.append({k: kwargs.get(k) for k in ("client", "sequential", "max_processes")})
        raise RuntimeError("stop")

    # the package's name 'sweep' is the function; the module is in sys.modules
    monkeypatch.setattr(sys.modules["dasksnn.parallel.sweep"], "sweep", fake_sweep)
    client = object()
    with DaskBackend(client=client, max_processes=3):
        with SequentialBackend(), pytest.raises(RuntimeError):
            simulate_trials(network(), 2, 10.0)
        with pytest.raises(RuntimeError):
            simulate_trials(network(), 2, 10.0)
    with pytest.raises(RuntimeError):
        simulate_trials(network(), 2, 10.0)
    assert seen == [{"client": None, "sequential": True, "max_processes": None},
                    {"client": client, "sequential": None, "max_processes": 3},
                    {"client": None, "sequential": None, "max_processes": -1}]


def test_bad_input_is_named():
    net = network()
    with pytest.raises(ann.ArgumentTypeError, match="net must be a Network"):
        simulate_trials("net", 2, 10.0)
    with SequentialBackend(), pytest.raises(ann.ArgumentError, match="signal='pop_x' is not a recorded variable"):
        simulate_trials(net, 1, 10.0, signal="pop_x", progress=False)
    net.compile()
    with pytest.raises(ann.ArgumentError, match="before compile"):
        simulate_trials(net, 2, 10.0)
