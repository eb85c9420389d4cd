"""Figures of ds.snn.plot and dasksnn.plotting: what they draw and how their axes are labelled."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import dasksnn as ann
from dasksnn import plotting


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_raster_and_rate_of_one_run(hand_sweep):
    ds = hand_sweep
    ax = ds.snn.plot.raster(run=2)
    (line,) = ax.lines
    np.testing.assert_array_equal(line.get_xdata(), [1.0, 2.0, 4.0, 8.0])
    assert ax.get_xlabel() == "time (ms)" and ax.get_ylabel() == "neuron (rank)"
    assert ax.get_title() == "run 2: we = 2 mV, trial = 0"
    ax = ds.snn.plot.rate(run=0, bin=5.0)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [200.0, 1 / 0.015])
    assert ax.get_ylabel() == "population rate (Hz)"
    with pytest.raises(ann.ArgumentError, match="shows one run"):
        ds.snn.plot.raster(we=1.0)


def test_isi_histogram_pools_the_runs_selected(hand_sweep):
    ax = hand_sweep.snn.plot.isi(we=1.0, bin_width=1.0)
    assert ax.get_xlabel() == "inter-spike interval (ms)" and ax.get_title() == "we = 1 mV: 2 runs"
    assert ax.patches[0].get_path().vertices[:, 1].max() == 1  # intervals 2, 4 and 5: one per bin


def test_sweep_curve_has_an_error_band_and_units(hand_sweep):
    ds = hand_sweep
    ax = ds.snn.plot.sweep("pop_mean_rate")
    assert ax.get_xlabel() == "excitatory weight (mV)" and ax.get_ylabel() == "mean firing rate of pop (Hz)"
    assert ax.get_title() == "mean ± standard error over 2 trials"
    stats = ds.snn.trial_stats("pop_mean_rate")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), stats["mean"])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.max() == pytest.approx(float((stats["mean"] + stats["sem"]).max()))


def test_heatmap_of_two_parameters(hand_sweep):
    ds = hand_sweep.assign_coords(wi=("run", [0.0, 0.0, 0.0, 0.0]))  # a second parameter of one value
    ds.attrs["parameters"] = '["we", "wi"]'
    grid = ds.snn.trial_stats("pop_mean_rate")["mean"].rename("rate")
    ax = plotting.heatmap(grid, "we", "wi")
    assert ax.get_xlabel() == "excitatory weight (mV)" and ax.get_ylabel() == "wi"
    assert ax.figure.axes[1].get_ylabel() == "mean firing rate of pop (Hz)"
    with pytest.raises(ann.ArgumentError, match="must be exactly 'we' and 'trial'"):
        plotting.heatmap(grid, "we", "trial")


def test_label():
    assert plotting.label("we", {"units": "mV"}) == "we (mV)"
    assert plotting.label("cv", {"units": "1", "long_name": "CV"}) == "CV"
