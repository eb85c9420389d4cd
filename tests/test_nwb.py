"""Spike trains and rates written to NWB and read back with pynwb (the nwb extra)."""

import json

import numpy as np
import pytest

import dasksnn as ann

pynwb = pytest.importorskip("pynwb")


def read(path):
    io = pynwb.NWBHDF5IO(str(path), "r")
    return io, io.read()


def test_sweep_round_trip_by_hand(hand_sweep, tmp_path):
    hand_sweep.snn.to_nwb(tmp_path / "s.nwb")
    io, nwb = read(tmp_path / "s.nwb")
    with io:
        units = nwb.units.to_dataframe()
        assert len(units) == 4 * 3  # every run done, 3 neurons each
        row = units[(units.run == 2) & (units.neuron == 1)].iloc[0]
        np.testing.assert_allclose(row.spike_times, [0.001, 0.002, 0.004, 0.008])  # seconds
        assert row.firing_rate == pytest.approx(400.0) and row.we == 2.0 and row.trial == 0
        assert units[units.run == 3].spike_times.map(len).sum() == 0
        for r in range(4):  # every run's spikes, in ms, back as ds.snn.spikes gives them
            t, n = hand_sweep.snn.spikes(run=r)
            part = units[units.run == r]
            back = np.concatenate([np.asarray(s) for s in part.spike_times]) * 1000.0
            np.testing.assert_allclose(np.sort(back), np.sort(t))
        assert "excitatory weight (mV)" in nwb.units["we"].description
        assert json.loads(nwb.notes)["duration"] == 10.0


def test_run_selection_and_single_run_with_rates(tmp_path):
    def build(we):
        ann.setup(dt=0.5)
        inp = ann.PoissonPopulation(20, rates=50.0, name="inp")
        pop = ann.Population(30, ann.IF_curr_exp(tau_refrac=2.0), name="pop")
        ann.Projection(inp, pop, "exc").connect_fixed_probability(0.3, weights=we)
        ann.Monitor(pop, "spike")

    ds = ann.sweep(build, params={"we": [1.0, 2.0]}, trials=2, duration=50.0, seed=4, sequential=True,
                   progress=False)
    ds.snn.to_nwb(tmp_path / "two.nwb", run=[1, 3])
    io, nwb = read(tmp_path / "two.nwb")
    with io:
        units = nwb.units.to_dataframe()
        assert sorted(set(units.run)) == [1, 3] and list(units.seed.unique()) == [int(ds.seed[1]), int(ds.seed[3])]
        np.testing.assert_allclose(units.firing_rate.values.reshape(2, 30), ds.pop_spike_count.values[[1, 3]] / 0.05)
        rate = nwb.processing["rates"]["pop_rate"]
        np.testing.assert_allclose(rate.data[:], ds.pop_rate.values[[1, 3]].T)
        np.testing.assert_allclose(rate.timestamps[:], ds.time.values / 1000.0)
    net = ann.Network(dt=0.5, seed=4)
    pop = ann.Population(30, ann.IF_curr_exp(i_offset=1.0), name="pop")
    net.add([pop, ann.Monitor(pop, "spike")])
    net.compile()
    net.simulate(50.0)
    one = net.results()
    one.snn.to_nwb(tmp_path / "one.nwb")
    io, nwb = read(tmp_path / "one.nwb")
    with io:
        units = nwb.units.to_dataframe()
        assert len(units) == 30 and "run" not in units
        np.testing.assert_array_equal(units.spike_times.map(len), one.pop_spike_count)
    with pytest.raises(ann.ArgumentTypeError, match="path must be a file path"):
        ds.snn.to_nwb(3)
