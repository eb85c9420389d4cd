"""Spike analysis (dasksnn.analysis) and ds.snn's analyses, against hand computations on a small spike set."""

import numpy as np
import pytest

import dasksnn as ann
import dasksnn.results
from dasksnn import analysis
from dasksnn.results.accessor import label_coordinates


def test_counts_and_rates_by_hand():
    steps = np.array([1, 2, 3, 7])
    np.testing.assert_array_equal(analysis.spike_counts(steps, 0, 10, 5), [3, 1])
    np.testing.assert_array_equal(analysis.spike_counts(steps, 0, 10, 4), [3, 1, 0])  # a shorter last bin
    np.testing.assert_array_equal(analysis.spike_counts(steps, 0, 10, 5, groups=np.array([1, 1, 0, 0]), n_groups=2),
                                  [[1, 1], [2, 0]])
    np.testing.assert_allclose(analysis.firing_rates(np.array([0, 1, 0, 0]), 3, 10.0), [300.0, 100.0, 0.0])
    # 3 spikes in [0, 5) of 3 neurons: 3 / (3 * 0.005 s); 1 in [5, 10)
    np.testing.assert_allclose(analysis.population_rate(steps, 3, 1.0, 0, 10, 5), [200.0, 1 / 0.015])
    # last bin of 2 steps out of 4: divided by its own width
    np.testing.assert_allclose(analysis.population_rate(steps, 1, 1.0, 0, 10, 4), [3 / 0.004, 1 / 0.004, 0.0])
    assert analysis.mean_rate(4, 3, 10.0) == pytest.approx(4 / 0.03)


def test_intervals_and_cv_by_hand():
    times, ranks = np.array([1.0, 2.0, 3.0, 7.0, 0.0, 5.0]), np.array([0, 1, 0, 0, 2, 2])
    isi, owner = analysis.inter_spike_intervals(times, ranks)
    np.testing.assert_allclose(isi, [2.0, 4.0, 5.0])
    np.testing.assert_array_equal(owner, [0, 0, 2])
    # neuron 0: intervals 2 and 4, std 1, mean 3; neurons 1 and 2 have fewer than 2 intervals
    np.testing.assert_allclose(analysis.coefficient_of_variation(times, ranks, 3), [1 / 3, np.nan, np.nan])
    np.testing.assert_allclose(analysis.coefficient_of_variation(times, ranks, 3, min_intervals=1), [1 / 3, np.nan, 0])
    counts, edges = analysis.isi_histogram(isi, 2.0)
    np.testing.assert_array_equal(counts, [0, 1, 2])  # 2 | 4, 5
    np.testing.assert_allclose(edges, [0, 2, 4, 6])


def test_smoothing_keeps_length_and_mass():
    rate = np.zeros(61)
    rate[30] = 7.0
    smooth = analysis.smoothed_rate(rate, 2.0, 0.5)  # 2 ms over bins of 0.5 ms: sigma of 4 bins
    assert smooth.shape == (61,) and smooth.sum() == pytest.approx(7.0, rel=1e-3)
    assert smooth[30] == smooth.max() and smooth[26] == pytest.approx(smooth[34])
    assert smooth[26] == pytest.approx(smooth[30] * np.exp(-0.5), rel=1e-3)  # one sigma away
    short = analysis.gaussian_smooth(np.ones(3), 5.0)  # shorter than the kernel: still 3 values
    np.testing.assert_allclose(short, 1.0)  # a constant stays constant up to the edges
    np.testing.assert_allclose(analysis.gaussian_smooth(np.full(50, 4.0), 3.0), 4.0)
    two = analysis.gaussian_smooth(np.stack([rate, 2 * rate]), 1.0)  # one row per run
    np.testing.assert_allclose(two[1], 2 * two[0])


def test_spikes_by_neuron():
    assert analysis.spikes_by_neuron(np.array([3, 1, 4, 2]), np.array([2, 0, 2, 2]), np.array([0, 1, 2])) == \
        {0: [1], 1: [], 2: [2, 3, 4]}


def test_snn_spikes_of_several_runs_and_by_parameter(hand_sweep):
    ds = hand_sweep
    t, n = ds.snn.spikes(run=1)
    np.testing.assert_array_equal(t, [0.0, 5.0, 9.0])
    both = ds.snn.spikes(run=[1, 2])
    assert len(both) == 2
    np.testing.assert_array_equal(both[1][1], [1, 1, 1, 1])
    by_value = ds.snn.spikes(we=2.0)
    assert len(by_value) == 2 and by_value[1][0].size == 0
    np.testing.assert_array_equal(ds.snn.spikes(we=1.0, trial=1)[0][0], t)
    with pytest.raises(ann.ArgumentError, match="no run coordinate 'wx'"):
        ds.snn.spikes(wx=1.0)
    with pytest.raises(ann.ArgumentError, match="out of range"):
        ds.snn.spikes(run=4)


def test_snn_rates_cv_population_rate_by_hand(hand_sweep):
    ds = hand_sweep
    rates = ds.snn.rates()
    assert rates.dims == ("run", "pop_neuron") and rates.attrs["units"] == "Hz"
    np.testing.assert_allclose(rates.values, [[300, 100, 0], [100, 0, 200], [0, 400, 0], [0, 0, 0]])
    np.testing.assert_allclose(rates.mean("pop_neuron"), ds.pop_mean_rate)
    cv = ds.snn.cv()
    # run 2, neuron 1: intervals 1, 2, 4
    np.testing.assert_allclose(cv.values[2, 1], np.std([1, 2, 4]) / np.mean([1, 2, 4]))
    assert cv.values[0, 0] == pytest.approx(1 / 3) and np.isnan(cv.values[1, 2])
    assert cv.sel(run=2).we == 2.0  # per run, with the run's coordinates
    rate = ds.snn.population_rate(bin=5.0)
    np.testing.assert_allclose(rate.values[0], [200.0, 1 / 0.015])
    np.testing.assert_allclose(rate.pop_rate_bin, [0.0, 5.0])
    np.testing.assert_allclose(ds.snn.isi(run=[0, 2]), [2.0, 4.0, 1.0, 2.0, 4.0])
    with pytest.raises(ann.ArgumentError, match="multiple of dt"):
        ds.snn.population_rate(bin=2.5)


def test_snn_grid_and_trial_stats_keep_parameters(hand_sweep):
    ds = hand_sweep
    cv = ds.snn.grid(ds.snn.cv())
    assert cv.dims == ("we", "trial", "pop_neuron")
    assert cv.we.attrs == {"units": "mV", "long_name": "excitatory weight"}
    stats = ds.snn.trial_stats("pop_mean_rate")
    assert stats["mean"].dims == ("we",) and list(stats.we.values) == [1.0, 2.0]
    a, b = 4 / 0.03, 3 / 0.03
    np.testing.assert_allclose(stats["mean"], [(a + b) / 2, a / 2])
    np.testing.assert_allclose(stats["std"], [abs(a - b) / np.sqrt(2), a / np.sqrt(2)])
    np.testing.assert_allclose(stats["sem"], stats["std"] / np.sqrt(2))
    assert stats["mean"].attrs["units"] == "Hz" and stats.we.attrs["units"] == "mV"
    failed = ds.assign_coords(status=("run", np.array([1, 1, 1, 2], np.int8)))
    np.testing.assert_allclose(failed.snn.trial_stats("pop_mean_rate")["mean"], [(a + b) / 2, a])
    assert int(failed.snn.trial_stats("pop_mean_rate")["n"].sel(we=2.0)) == 1


def test_snn_on_a_real_sweep_agrees_with_its_variables():
    def build(we):
        ann.setup(dt=0.5)
        inp = ann.PoissonPopulation(20, rates=50.0, name="inp")
        pop = ann.Population(30, ann.IF_curr_exp(tau_refrac=2.0), name="pop")
        ann.Projection(inp, pop, "exc").connect_fixed_probability(0.3, weights=we)
        ann.Monitor(pop, "spike")

    ds = ann.sweep(build, params={"we": ann.param([1.0, 2.0], units="nA")}, trials=2, duration=100.0, seed=3,
                   sequential=True, progress=False)
    assert ds.snn.attrs_of("we") == {"units": "nA"} and ds.attrs["Conventions"].startswith("CF-")
    assert label_coordinates(ds.copy()).we.attrs == {"units": "nA"}
    np.testing.assert_allclose(ds.snn.rates(), ds.pop_spike_count / 0.1)
    np.testing.assert_allclose(ds.snn.population_rate().values, ds.pop_rate.values)
    for run, (t, n) in zip([1, 3], ds.snn.spikes(run=[1, 3]), strict=True):
        ref_t, ref_n = ds.snn.spikes(run=run)
        np.testing.assert_array_equal(t, ref_t)
        np.testing.assert_array_equal(n, ref_n)
    one = ds.isel(run=0)  # a single run's analyses have no run dimension
    assert ds.snn.grid().we.attrs["units"] == "nA"
    assert ann.param([1.0], units="mV").attrs == {"units": "mV"}
    with pytest.raises(ann.ArgumentTypeError, match="units must be text"):
        ann.param([1.0], units=1)
    assert one.pop_mean_rate.values == pytest.approx(float(ds.snn.rates().isel(run=0).mean()))
