"""Populations, projections, monitors and networks: the ANNarchy API and its errors."""

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import dasksnn as ann
from dasksnn.errors import (
    NetworkError,
    NotCompiledError,
    SimulationError,
    UnknownAttributeError,
)


def annarchy_example():
    pop1 = ann.PoissonPopulation(100, rates=10.0, name="inp")
    pop2 = ann.Population(100, ann.Izhikevich, name="izh")
    proj = ann.Projection(pop1, pop2, "exc")
    proj.connect_fixed_probability(weights=5.0, probability=0.2)
    m = ann.Monitor(pop2, "spike")
    return pop1, pop2, proj, m


def test_annarchy_example_module_level():
    """The ANNarchy documentation example runs on the default network."""
    ann.setup(seed=3)
    pop1, pop2, proj, m = annarchy_example()
    ann.compile()
    ann.simulate(1000.0)
    t, n = m.raster_plot()
    assert len(t) > 50 and t.max() < 1000.0 and set(n) <= set(range(100))
    assert ann.get_time() == 1000.0 and ann.get_current_step() == 1000
    assert 0.1 < m.mean_fr() < 20.0


def test_explicit_networks_work_on_copies():
    """net.add copies; values set on copies stay there; connectivity is redrawn."""
    pop1, pop2, proj, m = annarchy_example()
    pop2.v = -70.0  # set before the copy: copied
    net1 = ann.Network(dt=1.0, seed=1)
    net1.add([m, proj, pop2, pop1])  # order does not matter
    net2 = ann.Network(dt=1.0, seed=2, everything=True)
    assert net1.get(pop2) is not pop2 and np.all(net1.get(pop2).v == -70.0)
    net1.get(pop2).v = -60.0
    assert np.all(pop2.v == -70.0) and np.all(net2.get(pop2).v == -70.0)
    net1.compile()
    net2.compile()
    assert net1.get(proj).nb_synapses != net2.get(proj).nb_synapses
    net1.simulate(100.0)
    assert ann.get_time() == 0.0 and net1.get_time() == 100.0
    assert net1.get(pop2[:10]).size == 10


def test_same_seed_same_spikes_and_chunking():
    """Same seed: bit-identical spikes; one long simulate equals several short ones."""
    results = []
    for chunks in ([1000.0], [300.0, 200.0, 500.0], [1000.0]):
        pop1, pop2, proj, m = annarchy_example()
        net = ann.Network(seed=7, everything=True)
        net.get(pop2).noise = 2.0
        net.compile()
        for duration in chunks:
            net.simulate(duration)
        results.append(net.get(m).raster_plot())
        ann.clear()
    for t, n in results[1:]:
        np.testing.assert_array_equal(t, results[0][0])
        np.testing.assert_array_equal(n, results[0][1])
    assert len(results[0][0]) > 0


def test_different_seeds_differ():
    """Different seeds draw different connectivity and inputs."""
    spikes = []
    for seed in (1, 2):
        pop1, pop2, proj, m = annarchy_example()
        net = ann.Network(seed=seed, everything=True)
        net.compile()
        net.simulate(500.0)
        spikes.append(net.get(m).raster_plot()[0])
        ann.clear()
    assert not np.array_equal(*spikes)


def test_views_read_and_write_slices():
    """P[:80] and P[80:] read and write their part only."""
    pop = ann.Population(100, ann.IF_cond_exp)
    pop[:80].tau_m = 10.0
    pop[80:].tau_m = ann.Uniform(30.0, 40.0)
    assert np.all(pop.tau_m[:80] == 10.0)
    assert np.all((pop.tau_m[80:] >= 30.0) & (pop.tau_m[80:] < 40.0))
    assert pop[80:].size == 20 and len(pop[::2]) == 50
    np.testing.assert_array_equal(pop[[3, 5]].ranks, [3, 5])
    pop.set({"v": np.arange(100.0)})
    assert pop.get("v")[7] == 7.0


def test_weights_change_without_recompiling():
    """proj.w reads and writes weights after compile; the kernel is not rebuilt."""
    pop1, pop2, proj, m = annarchy_example()
    net = ann.Network(seed=1, everything=True)
    net.compile()
    p = net.get(proj)
    kernel = net.simulator.kernel.function
    assert np.all(p.values("w") == 5.0) and p.values("w").size == p.nb_synapses
    p.w = 0.0
    net.simulate(200.0)
    assert len(net.get(m).raster_plot()[0]) == 0
    p.set_values("w", np.full(p.nb_synapses, 20.0))
    net.get(pop1).rates = 50.0
    net.simulate(200.0)
    assert len(net.get(m).raster_plot()[0]) > 0
    assert net.simulator.kernel.function is kernel and len(kernel.signatures) == 1
    pre, post = p.synapses()
    assert pre.size == p.nb_synapses and post.max() < 100


def test_connectivity_patterns():
    """Each connect_* method gives the synapses it promises."""
    a = ann.Population(20, ann.IF_curr_exp, name="a")
    b = ann.Population(10, ann.IF_curr_exp, name="b")
    projs = {
        "all": ann.Projection(a, b, "exc").connect_all_to_all(1.0),
        "self_all": ann.Projection(a, a, "exc").connect_all_to_all(1.0),
        "one": ann.Projection(a[:10], b, "inh").connect_one_to_one(np.arange(10.0)),
        "npre": ann.Projection(a, b, "exc").connect_fixed_number_pre(5, 1.0),
        "npost": ann.Projection(a, a, "exc").connect_fixed_number_post(3, ann.Normal(1.0, 0.1)),
        "matrix": ann.Projection(a[:2], b[:3], "exc").connect_from_matrix(
            [[1.0, None], [None, 2.0], [3.0, 4.0]]),
        "delays": ann.Projection(a, b, "exc").connect_fixed_probability(
            0.5, 1.0, delays=ann.DiscreteUniform(1, 3)),
    }
    net = ann.Network(dt=1.0, seed=0, everything=True)
    net.compile()
    got = {k: net.get(p) for k, p in projs.items()}
    assert got["all"].nb_synapses == 200
    pre, post = got["self_all"].synapses()
    assert got["self_all"].nb_synapses == 380 and not np.any(pre == post)
    pre, post = got["one"].synapses()
    np.testing.assert_array_equal(pre, post)
    np.testing.assert_array_equal(got["one"].values("w"), np.arange(10.0))
    assert np.all(np.bincount(got["npre"].synapses()[1], minlength=10) == 5)
    pre, post = got["npost"].synapses()
    assert np.all(np.bincount(pre, minlength=20) == 3) and not np.any(pre == post)
    pre, post = got["matrix"].synapses()
    assert list(zip(pre.tolist(), post.tolist(), got["matrix"].values("w").tolist(), strict=True)) == [
        (0, 0, 1.0), (0, 2, 3.0), (1, 1, 2.0), (1, 2, 4.0)]
    assert set(np.unique(got["delays"].delay)) == {1.0, 2.0, 3.0}
    net.simulate(10.0)


def test_monitor_controls_and_periods():
    """start/pause/resume, periods and get() with keep."""
    pop = ann.Population(3, ann.IF_curr_exp)
    pop.i_offset = 2.0
    m = ann.Monitor(pop, ["v", "spike"], period=2.0, start=False)
    net = ann.Network(dt=0.5, seed=0)
    net.add([pop, m])
    net.compile()
    mon = net.get(m)
    net.simulate(10.0)
    assert mon.get("v", keep=True).shape == (0, 3)
    mon.start()
    net.simulate(10.0)
    np.testing.assert_allclose(mon.sample_times(), np.arange(10.0, 20.0, 2.0))
    mon.pause()
    net.simulate(10.0)
    mon.resume()
    net.simulate(4.0)
    np.testing.assert_allclose(mon.sample_times(), [10, 12, 14, 16, 18, 30, 32])
    data = mon.get()
    assert set(data) == {"v", "spike"} and data["v"].shape == (7, 3)
    assert mon.get("v").shape == (0, 3)  # handed over by the previous get()


def test_reset_restores_compile_time_state():
    """reset() goes back to time 0 and the compiled values; the run repeats exactly."""
    pop1, pop2, proj, m = annarchy_example()
    net = ann.Network(seed=5, everything=True)
    net.compile()
    net.simulate(300.0)
    net.get(m).get("spike")
    net.get(proj).w = 0.0
    net.reset(projections=True)
    net.set_seed(5)
    assert net.get_time() == 0.0 and np.all(net.get(proj).values("w") == 5.0)
    assert np.all(net.get(pop2).v == -65.0)


def test_pickle_round_trip_in_another_process(tmp_path):
    """A compiled network pickles without its kernel and continues identically elsewhere."""
    pop1, pop2, proj, m = annarchy_example()
    net = ann.Network(seed=11, everything=True)
    net.compile()
    net.simulate(100.0)
    blob = pickle.dumps(net)
    assert len(blob) < 500_000
    path = tmp_path / "net.pkl"
    path.write_bytes(blob)
    net.simulate(400.0)
    expected = net.get(m).raster_plot()
    script = textwrap.dedent(f"""
        import pickle, sys, numpy as np
        net = pickle.loads(open({str(path)!r}, 'rb').read())
        net.simulate(400.0)
        mon = net.get_monitors()[0]
        t, n = mon.raster_plot()
        np.save(sys.argv[1], np.stack([t, n]))
    """)
    out = tmp_path / "out.npy"
    subprocess.run([sys.executable, "-c", script, str(out)], check=True)
    t, n = np.load(out)
    np.testing.assert_array_equal(t, expected[0])
    np.testing.assert_array_equal(n, expected[1])


def test_spike_monitor_buffers_grow():
    """A spike monitor never drops spikes, however many there are."""
    pop = ann.PoissonPopulation(50, rates=900.0)
    m = ann.Monitor(pop, "spike")
    net = ann.Network(dt=1.0, seed=1)
    net.add([pop, m])
    net.compile()
    net.simulate(2000.0)
    t, n = net.get(m).raster_plot()
    assert len(t) > 50 * 2000 * 0.85  # far more than the initial 16 spikes per neuron
    assert np.all(np.diff(t) >= 0)


def test_nan_raises_simulation_error_and_keeps_records():
    """A variable becoming NaN stops the run with the population and step named."""
    bad = ann.Neuron(parameters="k = 1.0", equations="dv/dt = k * v * v : init=1.0", name="blowup")
    pop = ann.Population(2, bad, name="unstable")
    m = ann.Monitor(pop, "v")
    net = ann.Network(dt=0.1, seed=0)
    net.add([pop, m])
    net.compile()
    with pytest.raises(SimulationError, match=r"Population 'unstable' \(blowup\): a variable became NaN or infinite at step \d+"):
        net.simulate(1000.0)
    assert 0 < net.get(m).get("v").shape[0] < 10000


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: ann.Population(0, ann.Izhikevich), NetworkError, r"geometry must be a positive integer"),
        (lambda: ann.Population(-3, ann.Izhikevich), NetworkError, r"got -3"),
        (lambda: ann.Population(10, "Izhikevich"), NetworkError, r"neuron must be a Neuron model"),
        (lambda: setattr(ann.Population(10, ann.IF_cond_exp, name="exc"), "tau", 1.0),
         UnknownAttributeError,
         r"Population 'exc': unknown parameter or variable 'tau' for IF_cond_exp \(valid: .*\)\. Did you mean 'tau_m'\?"),
        (lambda: ann.Population(10, ann.IF_cond_exp).v.__len__() and
         setattr(ann.Population(10, ann.IF_cond_exp, name="x"), "v", np.zeros(5)),
         NetworkError, r"'v' expects a scalar, a distribution or an array of 10 values, got shape \(5,\)"),
        (lambda: ann.Projection(ann.Population(5, ann.IF_cond_exp), ann.Population(5, ann.IF_cond_exp, name="post"), "ampa"),
         NetworkError, r"unknown target 'ampa' for Population 'post'.*valid targets: exc, inh"),
        (lambda: ann.Projection(ann.Population(5, ann.Izhikevich), ann.Population(5, ann.Izhikevich), "exc")
         .connect_fixed_probability(1.5, 1.0), NetworkError, r"probability must be a number in \[0, 1\], got 1.5"),
        (lambda: ann.Projection(ann.Population(5, ann.Izhikevich), ann.Population(5, ann.Izhikevich), "exc")
         .connect_all_to_all(1.0, delays=-1.0), NetworkError, r"delays must be >= 0 ms, got -1.0"),
        (lambda: ann.Projection(ann.Population(5, ann.Izhikevich), ann.Population(5, ann.Izhikevich), "exc")
         .connect_all_to_all(np.ones(3)), NetworkError, r"weights must be a number or a distribution"),
        (lambda: ann.Projection(ann.Population(5, ann.Izhikevich), ann.Population(4, ann.Izhikevich), "exc")
         .connect_one_to_one(), NetworkError, r"same size, got 5 and 4"),
        (lambda: ann.Projection(ann.Population(5, ann.Izhikevich), ann.Population(4, ann.Izhikevich), "exc")
         .connect_fixed_number_pre(9, 1.0), NetworkError, r"number must be an integer in \[0, 5\]"),
        (lambda: ann.Monitor(ann.Population(5, ann.Izhikevich), "vv"), NetworkError,
         r"has no variable 'vv' to record.*Did you mean 'v'\?"),
        (lambda: ann.Network(dt=0.0), NetworkError, r"dt must be a number of ms > 0, got 0.0"),
        (lambda: ann.Network(dt=-0.1), NetworkError, r"dt must be a number of ms > 0"),
        (lambda: ann.PoissonPopulation(3, rates=-1.0), NetworkError, r"rates must be finite and >= 0 Hz"),
        (lambda: ann.Population(3, ann.Izhikevich, name="dup") and ann.Population(3, ann.Izhikevich, name="dup"),
         NetworkError, r"the name 'dup' is already used"),
    ],
)
def test_bad_input_is_rejected_with_clear_errors(build, error, message):
    """Each bad input raises a dasksnn error naming object, parameter and expectation."""
    with pytest.raises(error, match=message):
        build()


def test_network_usage_errors():
    """Errors of network operations: order, ownership, compile state, delays."""
    pop1, pop2, proj, m = annarchy_example()
    net = ann.Network(seed=0)
    with pytest.raises(NotCompiledError, match=r"simulate\(\) needs a compiled network"):
        net.simulate(10.0)
    with pytest.raises(NetworkError, match=r"its pre-synaptic population 'inp' is not in this network"):
        net.add([pop2, proj])
    with pytest.raises(NetworkError, match=r"add the population itself, not a view"):
        ann.Network().add(pop1[:3])
    net2 = ann.Network(everything=True)
    with pytest.raises(NetworkError, match=r"is a copy owned by another Network; add the original"):
        ann.Network().add(net2.get(pop1))
    with pytest.raises(NetworkError, match=r"was already added to this network"):
        net2.add(pop1)
    with pytest.raises(NetworkError, match=r"is not in this network"):
        ann.Network().get(pop1)
    with pytest.raises(NotCompiledError, match=r"synapses exist only after compile\(\)"):
        proj.w
    lonely = ann.Projection(pop1, pop2, "inh", name="lonely")
    with pytest.raises(NetworkError, match=r"Projection 'lonely' has no connectivity"):
        ann.compile()
    ann.clear()
    a = ann.Population(3, ann.Izhikevich)
    ann.Projection(a, a, "exc", name="slow").connect_all_to_all(1.0, delays=0.25)
    with pytest.raises(NetworkError, match=r"Projection 'slow': delay 0.25 ms is not a multiple of dt = 1.0 ms"):
        ann.compile()
    assert lonely is not None


def test_spike_source_array_and_setup_dt():
    """SpikeSourceArray spikes at the given times; setup(dt) sets the default network's step."""
    ann.setup(dt=0.5)
    src = ann.SpikeSourceArray([[1.0, 2.5], [], [4.0]])
    m = ann.Monitor(src, "spike")
    ann.compile()
    ann.simulate(10.0)
    assert m.get("spike") == {0: [2, 5], 1: [], 2: [8]}
    src.spike_times = [[11.0], [12.0], []]
    ann.simulate(5.0)
    t, n = m.raster_plot()
    np.testing.assert_array_equal(t, [11.0, 12.0])
    np.testing.assert_array_equal(n, [0, 1])


def test_parameters_made_heterogeneous_after_compile():
    """A parameter read once per population gets its own per-neuron kernel when it varies."""
    pop = ann.Population(10, ann.IF_curr_exp, name="lif")
    pop.i_offset = 2.0
    m = ann.Monitor(pop, "spike")
    net = ann.Network(dt=0.1, seed=0)
    net.add([pop, m])
    net.compile()
    assert "i_offset = p0_i_offset[0]" in net.generated_source()
    net.simulate(100.0)
    assert all(len(s) > 0 for s in net.get(m).get("spike").values())
    net.get(pop)[5:].i_offset = 0.0
    net.simulate(100.0)
    assert "i_offset = p0_i_offset[_i]" in net.generated_source()
    spikes = net.get(m).get("spike")
    assert all(len(spikes[r]) > 0 for r in range(5)) and all(len(spikes[r]) == 0 for r in range(5, 10))


def test_spike_source_clear_and_reset_restart_its_times_as_annarchy():
    """ANNarchy's SpikeSourceArray keeps a clock of its own: clear() (and reset()) start it
    again, so that ``clear(); simulate(T)`` emits the spikes of [0, T) again (its STDP
    notebook's protocol); a copy in another network counts from that network's start."""
    ann.setup(dt=1.0)
    src = ann.SpikeSourceArray([[2.0, 5.0]])
    m = ann.Monitor(src, "spike")
    copy = ann.Network(everything=True)
    ann.compile()
    ann.simulate(10.0)
    src.clear()
    late = ann.Network(everything=True)  # a copy starts at its network's step 0
    ann.simulate(10.0)
    src.spike_times = [[1.0, 3.0, 12.0]]  # from the clock's now: 3 is past, 12 is to come
    ann.simulate(10.0)
    assert m.get("spike")[0] == [2, 5, 12, 15, 22]
    ann.reset()
    ann.simulate(5.0)
    assert m.get("spike")[0] == [1, 3]
    for other in (copy, late):
        other.compile()
        other.simulate(6.0)
        assert other.get(m).get("spike")[0] == [2, 5]


def test_population_clear_and_reset_as_annarchy():
    """clear() forgets refractory periods and spikes still in their delays; reset() also
    restores the values of compile time (all or some)."""
    with ann.building(dt=1.0) as made:
        src = ann.SpikeSourceArray([[1.0]])
        cell = ann.Neuron(equations="x = g_exc\ndv/dt = 1.0", spike="v > 2.5", reset="v = 0.0", refractory=5.0)
        pop = ann.Population(1, cell)
        ann.Projection(src, pop, "exc").connect_all_to_all(weights=1.0, delays=4.0)
        m = ann.Monitor(pop, ["x", "v", "spike"])
    net = made.network
    net.compile()
    net.simulate(3.0)  # v: 1, 2, 3 -> spike at step 2; the spike of src (step 1) is on its way
    src.clear()
    pop.clear()
    net.simulate(4.0)
    data = m.get()
    assert data["spike"][0] == [2, 5]  # no refractory period left after clear()
    assert not np.any(data["x"])  # the delayed spike was forgotten
    pop.v = 10.0
    pop.reset(["v"])
    assert pop.v[0] == 0.0
    with pytest.raises(UnknownAttributeError, match=r"unknown parameter or variable 'vv'"):
        pop.reset(["vv"])
    with pytest.raises(NotCompiledError):
        ann.Population(1, cell).reset()


def test_one_value_in_a_sequence_is_for_every_neuron():
    """``pop.tau_refrac = 2.0,`` (a tuple, as in ANNarchy's PyNN notebook) sets every neuron,
    as NumPy broadcasts it and ANNarchy accepts it."""
    pop = ann.Population(3, ann.IF_curr_alpha)
    pop.tau_refrac = 2.0,
    pop[1:].v_thresh = [-50.0]
    assert pop.tau_refrac.tolist() == [2.0] * 3 and pop.v_thresh.tolist() == [-50.0, -50.0, -50.0]
    with pytest.raises(NetworkError, match=r"expects a scalar, a distribution or an array of 3 values"):
        pop.v = [1.0, 2.0]


def test_compute_firing_rate_counts_the_spikes_of_the_window_as_annarchy():
    """r = 1000 / window * (spikes of the last window, this step's included), every step; the
    window's buffer grows as needed; clear() empties it; a model with an 'r' of its own, or one
    that does not spike, cannot."""
    steps = list(range(3, 60, 2))  # 29 spikes, far more than the first buffer holds
    relay = ann.Neuron(equations="x = g_exc", spike="x > 0.5", name="relay")
    with ann.building(dt=1.0) as made:
        src = ann.SpikeSourceArray([[float(s - 1) for s in steps]])
        pop = ann.Population(2, relay)
        ann.Projection(src, pop[0], "exc").connect_all_to_all(weights=1.0)
        m = ann.Monitor(pop, ["r", "spike"])
    pop.compute_firing_rate(20.0)
    made.network.compile()
    made.network.simulate(40.0)
    pop.compute_firing_rate(10.0)  # after compile, as ANNarchy allows
    made.network.simulate(40.0)
    data = m.get()
    assert data["spike"][0] == steps
    for k in range(80):
        window = 20 if k < 40 else 10
        expected = 1000.0 / window * sum(1 for s in steps if k - window < s <= k)
        assert data["r"][k, 0] == pytest.approx(expected, rel=1e-12), k
    assert not np.any(data["r"][:, 1])
    pop.clear()
    assert not np.any(pop.r)
    with pytest.raises(NetworkError, match=r"defines 'r' itself"):
        ann.Population(1, ann.Neuron(equations="r = 1.0", spike="r > 2.0")).compute_firing_rate(10.0)
    with pytest.raises(NetworkError, match=r"does not spike"):
        ann.Population(1, ann.Neuron(equations="x = 1.0")).compute_firing_rate(10.0)
    with pytest.raises(NetworkError, match=r"window 0.5 ms is not a multiple of dt"):
        ann.Population(1, relay).compute_firing_rate(0.5)
