"""One run's results as an xarray Dataset: names, dims, units, ragged spikes, attrs."""

import numpy as np
import pytest
import xarray as xr

import dasksnn as ann
from dasksnn.errors import ArgumentError, NetworkError


def _network(seed=1, **monitor):
    net = ann.Network(dt=0.1, seed=seed)
    inp = ann.PoissonPopulation(40, rates=80.0, name="inp")
    pop = ann.Population(30, ann.IF_cond_exp(), name="exc")
    ann.Projection(inp, pop, "exc").connect_fixed_probability(0.3, weights=0.02)
    mon = ann.Monitor(pop, ["spike", "v", "g_exc"], **monitor)
    net.add([inp, pop, mon, *ann.default_network().get_projections()])
    return net, net.get(mon)


def test_monitor_to_xarray_names_dims_units():
    net, mon = _network()
    net.compile()
    net.simulate(200.0)
    steps = mon.get("spike", keep=True)
    ds = mon.to_xarray()
    assert ds.exc_v.dims == ("time", "exc_neuron") and ds.exc_v.shape == (2000, 30)
    assert ds.exc_v.attrs == {"long_name": "v of exc (IF_cond_exp)", "units": "mV"}
    assert net.results().exc_v.attrs == ds.exc_v.attrs and net.results().time.attrs["units"] == "ms"
    assert ds.exc_g_exc.attrs["units"] == "uS"
    assert ds.time.attrs["units"] == "ms" and ds.time.values[1] == pytest.approx(0.1)
    np.testing.assert_array_equal(ds.exc_neuron, np.arange(30))
    # ragged spikes: every spike of the monitor, none dropped
    total = sum(len(s) for s in steps.values())
    assert total > 50
    assert ds.exc_spike_time.dims == ("exc_spike",) and ds.sizes["exc_spike"] == total
    assert int(ds.exc_spike_count.sum()) == total
    assert ds.exc_spike_time.attrs["units"] == "ms"
    for rank in (0, 7, 29):
        mine = ds.exc_spike_time.values[ds.exc_spike_neuron.values == rank]
        np.testing.assert_allclose(mine, np.array(steps[rank]) * 0.1)
        assert ds.exc_spike_count.sel(exc_neuron=rank) == len(steps[rank])
    # the population rate integrates to the spike count; the mean rate matches mean_fr()
    assert ds.exc_rate.attrs["units"] == "Hz"
    assert float(ds.exc_rate.sum()) * 30 * 0.1e-3 == pytest.approx(total)
    assert float(ds.exc_mean_rate) == pytest.approx(mon.mean_fr())
    # the monitor keeps its data
    assert len(mon.get("spike")) == 30


def test_rate_bin_and_period_grids():
    net, mon = _network(period=1.0)
    net.compile()
    net.simulate(100.0)
    ds = mon.to_xarray(rate_bin=1.0)
    assert ds.sizes["exc_time"] == 100  # samples every 1 ms and 1 ms bins share one grid
    assert ds.exc_rate.dims == ("exc_time",) and ds.exc_v.dims == ("exc_time", "exc_neuron")
    other = mon.to_xarray(rate_bin=0.5)
    assert other.exc_rate.dims == ("exc_rate_time",) and other.sizes["exc_rate_time"] == 200
    assert mon.to_xarray().exc_rate.dims == ("time",)  # every step
    assert net.results().exc_v.shape == (100, 30)  # its own grid: not padded to every step
    with pytest.raises(NetworkError, match=r"rate_bin=0.25 ms must be a positive multiple of dt = 0.1 ms"):
        mon.to_xarray(rate_bin=0.25)


def test_network_results_attrs_and_several_monitors():
    net = ann.Network(dt=0.5, seed=4)
    pop = ann.Population(10, ann.Izhikevich(i_offset=10.0), name="izh")
    spikes, voltage = ann.Monitor(pop, "spike", name="spikes"), ann.Monitor(pop[2:5], "v", name="volt")
    net.add([pop, spikes, voltage])
    net.compile()
    net.simulate(50.0)
    ds = net.results()
    # two monitors on one population: each is named after the monitor
    assert set(ds.data_vars) >= {"spikes_spike_time", "spikes_rate", "volt_v"}
    np.testing.assert_array_equal(ds.volt_neuron, [2, 3, 4])
    assert ds.attrs["dt"] == 0.5 and ds.attrs["duration"] == 50.0
    assert ds.attrs["seed"] == "4"
    assert ds.attrs["dasksnn_version"] == ann.__version__
    assert {"numpy_version", "numba_version", "python_version", "xarray_version"} <= set(ds.attrs)
    assert "population izh: 10 x Izhikevich" in ds.attrs["model"]
    assert "dv/dt = 0.04 * v^2" in ds.attrs["model"]
    t, n = ds.snn.spikes(population="spikes")
    np.testing.assert_array_equal(t, ds.spikes_spike_time)


def test_results_round_trip_through_zarr(tmp_path):
    net, _ = _network()
    net.compile()
    net.simulate(50.0)
    ds = net.results()
    ds.to_zarr(tmp_path / "one.zarr", consolidated=False)
    xr.testing.assert_identical(ds, ann.open_results(tmp_path / "one.zarr").load())


def test_same_seed_same_dataset():
    results = []
    for _ in range(2):
        ann.clear()
        net, _ = _network(seed=9)
        net.compile()
        net.simulate(100.0)
        results.append(net.results())
    xr.testing.assert_identical(*results)


def test_units_of_a_custom_neuron():
    model = ann.Neuron(parameters="tau = 10.0", equations="tau * dv/dt = -v", units="v mV, tau ms")
    assert model.unit_of("v") == "mV" and model.unit_of("tau") == "ms" and model.unit_of("x") is None
    assert ann.Neuron(equations="dv/dt = -v", units={"v": "mV"}).unit_of("v") == "mV"
    with pytest.raises(ann.ModelError, match=r"units item 'v' needs names and a unit"):
        ann.Neuron(equations="dv/dt = -v", units="v")


def test_accessor_errors():
    net, _ = _network()
    net.compile()
    net.simulate(20.0)
    ds = net.results()
    with pytest.raises(ArgumentError, match=r"grid\(\) needs a sweep dataset \(with a 'run' dimension\)"):
        ds.snn.grid()
    with pytest.raises(ArgumentError, match=r"spikes\(\): no spikes of 'inp' \(recorded: exc\)"):
        ds.snn.spikes(population="inp")
    sweep = xr.concat([ds.drop_dims("exc_spike")], dim="run").assign(
        exc_spike_time=ds.exc_spike_time, exc_spike_neuron=ds.exc_spike_neuron)
    with pytest.raises(ArgumentError, match=r"spikes\(\): this is a sweep; give run="):
        sweep.snn.spikes()
