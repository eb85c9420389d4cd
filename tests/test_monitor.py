"""Monitor's ANNarchy methods give ANNarchy 4.8's numbers: start and stop steps of recordings
(times()), histograms, inter-spike intervals, coefficients of variation, population and
smoothed rates. Expected values are those ANNarchy 4.8.2 returns for the same script."""

import numpy as np
import pytest

import dasksnn as ann
from dasksnn.errors import NetworkError

TIMES = [[3.0, 7.5, 12.0, 30.0, 31.0], [], [5.0, 10.0, 15.0, 20.0], [40.0]]


@pytest.fixture
def recorded():
    """Four spike trains recorded for 50 ms at dt = 0.5; the monitor and what get() handed over."""
    with ann.building(dt=0.5) as made:
        src = ann.SpikeSourceArray(TIMES)
        m = ann.Monitor(src, "spike")
    made.network.compile()
    made.network.simulate(50.0)
    return made.network, m, m.get("spike")


def test_times_are_start_and_stop_steps_of_the_recordings(recorded):
    net, m, _ = recorded
    assert m.times() == {"spike": {"start": [0], "stop": [100]}}
    m.pause()
    net.simulate(10.0)
    m.resume()
    net.simulate(20.0)
    assert m.times() == {"spike": {"start": [0], "stop": [100]}}  # only get() updates them
    m.get("spike")
    assert m.times("spike") == {"spike": {"start": [100, 120], "stop": [100, 160]}}
    with pytest.raises(NetworkError, match=r"does not record 'v'"):
        m.times("v")


def test_times_before_get_and_sample_times():
    with ann.building(dt=0.5) as made:
        pop = ann.Population(2, ann.IF_curr_exp)
        m = ann.Monitor(pop, ["v", "spike"], period=1.0)
    made.network.compile()
    made.network.simulate(3.0)
    assert m.times() == {"v": {"start": [0], "stop": [None]}, "spike": {"start": [0], "stop": [None]}}
    np.testing.assert_allclose(m.sample_times(), [0.0, 1.0, 2.0])  # the rows held, in ms


def test_histogram_from_the_first_spike(recorded):
    _, m, spikes = recorded
    hist = m.histogram(spikes)
    assert hist.size == 75 and hist.sum() == 10  # steps 6 .. 80
    assert m.histogram(spikes, bins=2.0).tolist() == [1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1]
    assert m.histogram(spikes, bins=5.0, per_neuron=True).tolist() == [
        [2, 1, 0, 0, 0, 2, 0, 0], [0] * 8, [1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 1]]
    assert m.histogram(spikes, bins=5.0, recording_window=(0, 99)).tolist() == [1, 2, 2, 1, 1, 0, 2, 0, 1, 0]


def test_inter_spike_intervals_and_cv(recorded):
    _, m, spikes = recorded
    assert m.inter_spike_interval(spikes) == [4.5, 4.5, 18.0, 1.0, 5.0, 5.0, 5.0]
    assert m.inter_spike_interval(spikes, per_neuron=True) == {0: [4.5, 4.5, 18.0, 1.0], 2: [5.0, 5.0, 5.0]}
    assert m.inter_spike_interval(spikes, ranks=[2]) == [5.0, 5.0, 5.0]
    np.testing.assert_allclose(m.coefficient_of_variation(spikes), [0.9299440404493955, 0.0], rtol=1e-12)
    assert list(m.coefficient_of_variation(spikes, per_neuron=True)) == [0, 2]
    assert m.mean_fr(spikes) == 50.0


def test_population_rate_and_smoothed_rate_as_annarchy(recorded):
    _, m, spikes = recorded
    rate = m.population_rate(spikes)
    assert rate.size == 101  # the recorded steps 0 .. 100, both included
    assert np.flatnonzero(rate).tolist() == [6, 10, 15, 20, 24, 30, 40, 60, 62, 80]
    np.testing.assert_allclose(rate[rate > 0], 500.0)
    # ANNarchy's first-order low-pass filter (float32 in ANNarchy: 1e-6)
    np.testing.assert_allclose(m.population_rate(spikes, smooth=5.0)[:16],
                               [0, 0, 0, 0, 0, 0, 50.0, 45.0, 40.5, 36.45, 82.805, 74.5245, 67.07205,
                                60.364845, 54.328361, 98.895525], rtol=1e-6)
    smoothed = m.smoothed_rate(spikes)
    assert smoothed.shape == (4, 100)
    row = np.zeros(100)
    row[6:24], row[24:60], row[60:62] = 1000.0 / 4.5, 1000.0 / 18.0, 1000.0
    np.testing.assert_allclose(smoothed[0], row)
    assert np.all(smoothed[2, 10:40] == 200.0) and smoothed[2].sum() == 200.0 * 30
    assert np.all(smoothed[[1, 3]] == 0.0)
    filtered = m.smoothed_rate(spikes, smooth=10.0)
    np.testing.assert_allclose(filtered[0, :8], [0, 0, 0, 0, 0, 0, 1000 / 4.5 / 20, 1000 / 4.5 * (1 - 0.95 ** 2)])
    with pytest.raises(NetworkError, match=r"smooth must be a number of ms >= 0"):
        m.smoothed_rate(spikes, smooth=-1.0)


def test_get_of_everything_is_a_dict_as_annarchy():
    """``data = m.get()`` of a monitor of spikes alone is ``{"spike": ...}`` (ANNarchy's PyNN
    notebook reads ``data['spike']``); ``m.get("spike")`` is the spikes."""
    with ann.building(dt=1.0) as made:
        m = ann.Monitor(ann.SpikeSourceArray([[2.0]]), "spike")
    made.network.compile()
    made.network.simulate(5.0)
    assert m.get(keep=True) == {"spike": {0: [2]}}
    assert m.get("spike") == {0: [2]}
