"""Synapse models: STDP and STP against their formulas, learning on and off, delays, psp,
continuous synaptic equations, and the projection and dendrite API as ANNarchy's."""

import math

import numpy as np
import pytest

import dasksnn as ann
from dasksnn.errors import ModelError, NetworkError, NotCompiledError, UnknownAttributeError

# spikes one step after an input of 1.0 on g_exc: a post neuron that spikes when told to
RELAY = ann.Neuron(equations="tau * dv/dt = -v + g_syn", parameters="tau = 10.0", spike="g_exc > 0.5",
                   name="relay")


def _pairs(offsets, synapse, dt=1.0, t_pre=100.0, delay=0.0, w=0.5, timing="annarchy"):
    """One pre/post pair per offset: pre spikes at ``t_pre``, post at ``t_pre + offset``."""
    n = len(offsets)
    with ann.building(seed=1, dt=dt) as made:
        made.network.event_timing = timing
        pre = ann.SpikeSourceArray(spike_times=[[t_pre]] * n)
        teacher = ann.SpikeSourceArray(spike_times=[[t_pre + d - dt] for d in offsets])
        post = ann.Population(n, RELAY)
        ann.Projection(teacher, post, "exc").connect_one_to_one(weights=1.0)
        proj = ann.Projection(pre, post, "syn", synapse=synapse).connect_one_to_one(weights=w, delays=delay)
        spikes = ann.Monitor(post, "spike")
    return made.network, proj, spikes


OFFSETS = [d for d in range(-40, 41) if d != 0]


@pytest.mark.parametrize("timing", ["annarchy", "exact"])
def test_stdp_pair_rule_matches_formula(timing):
    """One pair at offsets -40..40 ms changes w by A_plus*w_max*exp(-d/tau_plus) (post after pre)
    and -A_minus*w_max*exp(d/tau_minus) (post before pre). With ANNarchy's event timing (the
    default) the pre-synaptic trace is one step short when a post spike follows: d - dt."""
    stdp = ann.STDP(tau_plus=20.0, tau_minus=15.0, A_plus=0.01, A_minus=0.012, w_max=1.0)
    net, proj, spikes = _pairs(OFFSETS, stdp, timing=timing)
    net.compile()
    net.simulate(250.0)
    got = spikes.get("spike")
    assert [got[i] for i in range(len(OFFSETS))] == [[100 + d] for d in OFFSETS]  # the pairs happened
    dw = np.array([values[0] for values in proj.w]) - 0.5
    short = 1.0 if timing == "annarchy" else 0.0
    expected = np.array([0.01 * math.exp(-(d - short) / 20.0) if d > 0 else -0.012 * math.exp(d / 15.0)
                         for d in OFFSETS])
    np.testing.assert_allclose(dw, expected, rtol=1e-9)
    if timing == "exact":  # the 1% criterion, on the intervals as they are
        np.testing.assert_allclose(dw, [0.01 * math.exp(-d / 20.0) if d > 0 else -0.012 * math.exp(d / 15.0)
                                        for d in OFFSETS], rtol=0.01)


@pytest.mark.parametrize("timing", ["annarchy", "exact"])
def test_stdp_with_delay_acts_at_arrival(timing):
    """With a delay, pre-synaptic events (and learning) happen when the spike arrives, as ANNarchy's."""
    net, proj, _ = _pairs([10, -10], ann.STDP, delay=4.0, timing=timing)
    net.compile()
    net.simulate(250.0)
    dw = np.array([values[0] for values in proj.w]) - 0.5
    # the spike of step 100 acts at step 104, processed at the end of step 103 (as ANNarchy
    # processes it at the start of 104): the post spike at 110 follows it by 7 steps (6 with
    # ANNarchy's timing, which counts from 104), the one at 90 precedes it by 13
    ltp = 6.0 if timing == "annarchy" else 7.0
    np.testing.assert_allclose(dw, [0.01 * math.exp(-ltp / 20.0), -0.01 * math.exp(-13 / 20.0)], rtol=1e-9)


@pytest.mark.parametrize("timing", ["annarchy", "exact"])
def test_stp_steady_state_depression(timing):
    """At a regular rate, the transmitted efficacy tends to Tsodyks-Markram's steady state (at
    intervals one step short with ANNarchy's event timing)."""
    period, tau_rec, U = 25.0, 200.0, 0.4
    receiver = ann.Neuron(equations="r = g_exc", name="receiver")
    with ann.building(seed=1, dt=0.5) as made:
        made.network.event_timing = timing
        src = ann.SpikeSourceArray(spike_times=[list(np.arange(10.0, 3000.0, period))])
        post = ann.Population(1, receiver)
        ann.Projection(src, post, "exc", synapse=ann.STP(tau_rec=tau_rec, U=U)).connect_one_to_one(1.0)
        m = ann.Monitor(post, "r")
    made.network.compile()
    made.network.simulate(3000.0)
    r = m.get("r")[:, 0]
    efficacy = r[r > 0]
    e = math.exp(-(period - (0.5 if timing == "annarchy" else 0.0)) / tau_rec)
    x_steady = (1 - e) / (1 - (1 - U) * e)
    assert efficacy[0] == pytest.approx(U)  # first spike: w * U * 1
    assert efficacy[-1] == pytest.approx(U * x_steady, rel=0.01)
    assert efficacy[-1] == pytest.approx(U * x_steady, rel=1e-9)  # exact between events
    assert np.all(np.diff(efficacy) <= 0)


def _poisson_stdp(synapse, static=False, seed=3):
    with ann.building(seed=seed, dt=0.5) as made:
        inp = ann.PoissonPopulation(100, rates=40.0, name="inp")
        pop = ann.Population(20, ann.IF_cond_exp, name="pop")
        proj = ann.Projection(inp, pop, "exc", synapse=None if static else synapse, name="input")
        proj.connect_fixed_probability(0.3, weights=ann.Uniform(0.0, 0.02))
        m = ann.Monitor(pop, "spike")
    return made.network, proj, m


def test_weight_bounds_are_respected():
    stdp = ann.STDP(A_plus=0.3, A_minus=0.3, w_min=0.001, w_max=0.02)
    net, proj, _ = _poisson_stdp(stdp)
    net.compile()
    net.simulate(2000.0)
    w = proj.values("w")
    assert w.min() >= 0.001 and w.max() <= 0.02
    assert np.any(w == 0.001) and np.any(w == 0.02)  # the rule pushed weights onto both bounds


def test_disable_learning_freezes_weights_and_gives_static_spikes():
    """With learning off, weights do not move and spikes are those of static synapses; switched
    on again, weights change, all without compiling again."""
    net, proj, m = _poisson_stdp(ann.STDP(w_max=0.02))
    net.compile()
    kernel = net.simulator.kernel.function
    before = proj.values("w")
    net.disable_learning()
    net.simulate(500.0)
    np.testing.assert_array_equal(proj.values("w"), before)
    static, _, m_static = _poisson_stdp(None, static=True)
    static.compile()
    static.simulate(500.0)
    plastic_spikes, static_spikes = m.get("spike"), m_static.get("spike")
    assert sum(map(len, static_spikes.values())) > 0
    assert plastic_spikes == static_spikes
    proj.enable_learning()
    net.simulate(500.0)
    assert not np.array_equal(proj.values("w"), before)
    assert net.simulator.kernel.function is kernel and len(kernel.signatures) == 1


def test_same_seed_same_spikes_and_weights():
    runs = []
    for _ in range(2):
        net, proj, m = _poisson_stdp(ann.STDP(w_max=0.02), seed=11)
        net.compile()
        net.simulate(300.0)
        runs.append((proj.values("w"), m.get("spike")))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]


def test_reset_projections_restores_synaptic_variables():
    net, proj, _ = _poisson_stdp(ann.STDP(w_max=0.02))
    net.compile()
    w0 = proj.values("w")
    net.simulate(300.0)
    assert not np.array_equal(proj.values("w"), w0) and np.any(proj.values("x") != 0)
    net.reset(projections=True)
    np.testing.assert_array_equal(proj.values("w"), w0)
    assert np.all(proj.values("x") == 0) and np.all(proj.values("y") == 0)


def test_gap_junction_psp_is_summed_every_step():
    """psp = w * (pre.v - post.v) into an instantaneous input: v relaxes to w V / (1 + w)."""
    gap = ann.Synapse(psp="w * (pre.v - post.v)", name="gap")
    source = ann.Neuron(parameters="V = 10.0", equations="v = V", name="clamp")
    leaky = ann.Neuron(equations="tau * dv/dt = -v + g_gap", parameters="tau = 5.0", name="leaky")
    with ann.building(seed=1, dt=0.1) as made:
        a, b = ann.Population(1, source), ann.Population(1, leaky)
        ann.Projection(a, b, "gap", synapse=gap).connect_all_to_all(weights=0.5)
    made.network.compile()
    made.network.simulate(200.0)
    assert b.get("v")[0] == pytest.approx(0.5 * 10.0 / 1.5, rel=1e-6)


def test_continuous_synaptic_equation_every_step():
    """A synaptic ODE without 'event-driven' is integrated for every synapse at every step (Euler)."""
    decay = ann.Synapse(parameters="tau = 10.0 : projection", equations="tau * dz/dt = -z : init=1.0",
                        name="decay")
    with ann.building(seed=1, dt=1.0) as made:
        a, b = ann.Population(2, RELAY), ann.Population(3, RELAY)
        proj = ann.Projection(a, b, "syn", synapse=decay).connect_all_to_all(weights=0.0)
    made.network.compile()
    made.network.simulate(5.0)
    np.testing.assert_allclose(proj.values("z"), np.full(6, 0.9 ** 5), rtol=1e-12)
    made.network.disable_learning()
    made.network.simulate(5.0)
    np.testing.assert_allclose(proj.values("z"), np.full(6, 0.9 ** 5), rtol=1e-12)
    proj.enable_learning(period=2.0)
    made.network.simulate(4.0)
    np.testing.assert_allclose(proj.values("z"), np.full(6, 0.9 ** 7), rtol=1e-12)


def test_t_pre_t_post_read_last_spike_times():
    """t_post - t_pre at a post spike is the interval since the pre spike (ms)."""
    rule = ann.Synapse(parameters="", equations="", pre_spike="g_target += w", post_spike="w = t_post - t_pre",
                       name="interval")
    net, proj, _ = _pairs([7, 12], rule)
    net.compile()
    net.simulate(200.0)
    assert [values[0] for values in proj.w] == [7.0, 12.0]


# --------------------------------------------------------------------- projection API
def _small():
    with ann.building(seed=2, dt=1.0) as made:
        a, b = ann.Population(4, RELAY, name="a"), ann.Population(3, RELAY, name="b")
        proj = ann.Projection(a, b, "syn", synapse=ann.STDP).connect_from_matrix(
            [[1.0, None, 2.0, None], [None, None, None, None], [3.0, 4.0, None, 5.0]])
    made.network.compile()
    return made.network, proj


def test_projection_attributes_per_dendrite():
    net, proj = _small()
    assert proj.size == 2 and proj.post_ranks == [0, 2] and proj.nb_synapses == 5
    assert [list(w) for w in proj.w] == [[1.0, 2.0], [3.0, 4.0, 5.0]]
    assert proj.tau_plus == 20.0
    d = proj.dendrite(2)
    assert d.pre_ranks == [0, 1, 3] and d.size == 3 and list(d.w) == [3.0, 4.0, 5.0]
    assert proj[0].pre_ranks == [0, 2]
    np.testing.assert_array_equal(proj.connectivity_matrix(),
                                  [[1.0, 0, 2.0, 0], [0, 0, 0, 0], [3.0, 4.0, 0, 5.0]])
    proj.w = [[0.1, 0.2], [0.3, 0.4, 0.5]]
    assert [list(w) for w in proj.w] == [[0.1, 0.2], [0.3, 0.4, 0.5]]
    proj.w = [0.7, 0.8]  # one value per dendrite
    assert [list(w) for w in proj.w] == [[0.7, 0.7], [0.8, 0.8, 0.8]]
    proj[2].w = [1.0, 2.0, 3.0]
    assert list(proj.w[1]) == [1.0, 2.0, 3.0]
    proj.w = 0.25
    assert np.all(proj.values("w") == 0.25)
    proj.w = ann.Uniform(0.0, 1.0)
    assert len(set(proj.values("w"))) == 5
    proj.tau_plus = 10.0
    assert proj.tau_plus == 10.0 and proj[0].tau_plus == 10.0


def test_projection_attribute_errors():
    net, proj = _small()
    with pytest.raises(NetworkError, match=r"receives no synapse"):
        proj.dendrite(1)
    with pytest.raises(NetworkError, match=r"dendrite 1 \(post rank 2\) takes 3 values"):
        proj.w = [[0.1, 0.2], [0.3]]
    with pytest.raises(NetworkError, match=r"one value per dendrite \(2\)"):
        proj.w = [0.1, 0.2, 0.3]
    with pytest.raises(UnknownAttributeError, match=r"unknown synaptic attribute 'tau_plu'.*tau_plus"):
        proj.dendrite(0).tau_plu
    with ann.building(seed=1):
        a = ann.Population(2, RELAY)
        early = ann.Projection(a, a, "syn", synapse=ann.STDP).connect_all_to_all(0.1)
        early.tau_plus = 5.0  # projection parameters may be set before compile
        with pytest.raises(NotCompiledError, match=r"synapses exist only after compile"):
            early.w
        with pytest.raises(NetworkError, match=r"reads 'pre.nothing'"):
            ann.Projection(a, a, "syn", synapse=ann.Synapse(pre_spike="g_target += pre.nothing"))
    assert early.tau_plus == 5.0


def test_generated_post_pathway_visits_only_the_spiking_neurons_synapses():
    """The post-synaptic pathway walks the post-ordered synapses of each post spike."""
    net, proj = _small()
    source = net.generated_source()
    post_block = source.split("post-synaptic events")[1].split("pre-synaptic events")[0]
    assert "for _o in range(j0__postptr[_i], j0__postptr[_i + 1]):" in post_block
    assert "j0_rowptr" not in post_block


def test_a_held_trace_reads_per_synapse_and_a_multiplied_one_stays_per_synapse():
    """With ANNarchy's timing, y reads as the neuron's trace plus the synapse's difference; setting
    it forgets the differences; a post trace that a statement multiplies is kept per synapse."""
    net, proj = _teacher_network(ann.STDP)
    net.compile()
    net.simulate(200.0)
    y = proj.values("y")
    post = proj.synapses()[1]
    assert np.unique(np.round(y[post == post[0]], 15)).size > 1  # differences within one dendrite
    proj.y = 0.0
    assert np.all(proj.values("y") == 0.0)
    proj.dendrite(proj.post_ranks[0]).y = -0.5  # one value per post neuron: its dendrite's synapses
    assert np.all(proj.values("y")[post == proj.post_ranks[0]] == -0.5)
    assert np.all(proj.values("y")[post != proj.post_ranks[0]] == 0.0)
    scaled = ann.Synapse(parameters=ann.STDP.parameters, equations=ann.STDP.equations,
                         pre_spike=ann.STDP.pre_spike, post_spike="y = 0.5 * y - A_minus * w_max\nw = clip(w + x, w_min, w_max)",
                         name="scaled")
    assert scaled.shared_traces("exact") == {"x": "pre", "y": "post"}
    assert scaled.shared_traces("annarchy") == {"x": "pre"} and scaled.held_traces("annarchy") == ()


def _teacher_network(synapse, seed=4):
    """Poisson pre neurons onto relay neurons that a Poisson teacher makes spike: the weights do
    not change the spikes, so two rules can be compared on the same spike trains."""
    with ann.building(seed=seed, dt=0.5) as made:
        inp = ann.PoissonPopulation(60, rates=30.0, name="inp")
        teacher = ann.PoissonPopulation(15, rates=30.0, name="teacher")
        post = ann.Population(15, RELAY, name="post")
        ann.Projection(teacher, post, "exc", name="teach").connect_one_to_one(weights=1.0)
        proj = ann.Projection(inp, post, "syn", synapse=synapse, name="learn")
        proj.connect_fixed_probability(0.5, weights=ann.Uniform(0.2, 0.8))
    return made.network, proj


@pytest.mark.parametrize("timing", ["annarchy", "exact"])
def test_shared_traces_equal_per_synapse_traces(timing):
    """STDP's traces are kept once per neuron (Synapse.shared_traces; with ANNarchy's timing, y
    per neuron plus a per-synapse difference, Synapse.held_traces); a variant whose traces must
    stay per synapse (its statements read w) gives the same weights."""
    assert ann.STDP.shared_traces(timing) == {"x": "pre", "y": "post"}
    assert ann.STDP.held_traces(timing) == (("y",) if timing == "annarchy" else ())
    per_synapse = ann.Synapse(parameters=ann.STDP.parameters, equations=ann.STDP.equations,
                              pre_spike="g_target += w\nx += A_plus * w_max + 0.0 * w\nw = clip(w + y, w_min, w_max)",
                              post_spike="y -= A_minus * w_max + 0.0 * w\nw = clip(w + x, w_min, w_max)",
                              name="per_synapse")
    assert per_synapse.shared_traces() == {}
    weights = []
    for model in (ann.STDP(A_plus=0.05, A_minus=0.05), per_synapse(A_plus=0.05, A_minus=0.05)):
        net, proj = _teacher_network(model)
        net.event_timing = timing
        net.compile()
        net.simulate(1000.0)
        weights.append(proj.values("w"))
    assert not np.allclose(weights[0], weights[0].mean())  # the rule moved the weights
    np.testing.assert_allclose(weights[0], weights[1], rtol=1e-9, atol=1e-12)
    net, shared = _teacher_network(ann.STDP)
    net.compile()
    net.simulate(100.0)
    pre, _ = shared.synapses()
    x = shared.values("x")  # one value per synapse, equal within a pre neuron
    assert np.all(x[np.argsort(pre, kind="stable")] == np.repeat(x[np.unique(pre, return_index=True)[1]],
                                                                 np.bincount(pre)[np.unique(pre)]))
    with pytest.raises(NetworkError, match=r"'x' is kept once per pre-synaptic neuron"):
        shared.x = [np.zeros(n) for n in map(len, shared.w)]
    shared.x = 0.0
    assert np.all(shared.values("x") == 0.0)


def test_monitor_of_synaptic_variables():
    """Monitor(proj, ...) records synaptic variables at the start of each recorded step, one column
    per synapse in dendrite order."""
    with ann.building(seed=4, dt=0.5) as made:
        inp = ann.PoissonPopulation(20, rates=40.0, name="inp")
        post = ann.Population(5, ann.IF_cond_exp, name="post")
        proj = ann.Projection(inp, post, "exc", synapse=ann.STDP(A_plus=0.05, w_max=0.05))
        proj.connect_fixed_probability(0.5, weights=0.02)
        m = ann.Monitor(proj, ["w", "y", "tau_plus"])
        sparse = ann.Monitor(proj, "w", period=5.0, start=False)
    net = made.network
    net.compile()
    net.simulate(49.0)
    w49 = np.concatenate(proj.w)
    sparse.start()
    net.simulate(51.0)
    assert m.times().tolist() == [0.5 * k for k in range(200)]
    data = m.get()
    assert data["w"].shape == (200, proj.nb_synapses) and np.all(data["tau_plus"] == 20.0)
    np.testing.assert_array_equal(data["w"][98], w49)  # t = 49 ms: after 98 steps
    assert not np.array_equal(data["w"][0], data["w"][-1])
    assert sparse.get("w").shape == (11, proj.nb_synapses)  # from 49 ms, every 5 ms, until 100 ms
    with pytest.raises(NetworkError, match=r"has no synaptic variable 'z'.*valid: tau_plus"):
        ann.Monitor(proj, "z")


def test_synaptic_variables_in_network_results():
    with ann.building(seed=4, dt=1.0) as made:
        inp = ann.PoissonPopulation(6, rates=40.0, name="inp")
        post = ann.Population(3, ann.IF_cond_exp, name="post")
        proj = ann.Projection(inp, post, "exc", synapse=ann.STDP(w_max=0.05), name="learn")
        proj.connect_all_to_all(weights=0.02)
        m = ann.Monitor(proj, "w", period=10.0)
        ann.Monitor(post, "spike")
    net = made.network
    net.compile()
    net.simulate(100.0)
    ds = net.results()
    assert ds.learn_w.dims == ("learn_time", "learn_synapse") and ds.learn_w.shape == (10, 18)
    assert ds.learn_time.values.tolist() == [10.0 * k for k in range(10)]
    assert ds.learn_post.values.tolist() == [r for r in range(3) for _ in range(6)]
    assert ds.learn_pre.values.tolist() == list(range(6)) * 3
    np.testing.assert_array_equal(ds.learn_w.values, m.get("w"))
    assert "synapse STDP of learn" in ds.attrs["model"]


def _dendrite_network(seed=4, probability=0.5, pre=20):
    """At module level (the default network): Poisson input onto 5 neurons through STDP."""
    ann.setup(dt=0.5, seed=seed)
    inp = ann.PoissonPopulation(pre, rates=40.0, name="inp")
    post = ann.Population(5, ann.IF_cond_exp, name="post")
    proj = ann.Projection(inp, post, "exc", synapse=ann.STDP(A_plus=0.05, w_max=0.05), name="learn")
    proj.connect_fixed_probability(probability, weights=0.02)
    return proj


def test_monitor_of_a_dendrite():
    """Monitor(proj.dendrite(i), vars), made after compile as in ANNarchy, records the synapses of
    post neuron i in the order of the dendrite's pre_ranks, from the next step on: the columns of
    a monitor of the whole projection."""
    proj = _dendrite_network()
    whole = ann.Monitor(proj, ["w", "x"])
    with pytest.raises(NotCompiledError, match=r"and so do dendrites \(also to monitor one, as in ANNarchy"):
        proj.dendrite(2)
    ann.compile()
    ann.simulate(10.0)
    d = proj.dendrite(2)
    m = ann.Monitor(d, ["w", "x"], period=1.0)
    assert m.post_rank == 2 and m.projection is proj and d.proj is proj
    ann.simulate(20.0)
    assert m.times().tolist() == [10.0 + k for k in range(20)]
    data = m.get(keep=True)
    assert data["w"].shape == data["x"].shape == (20, d.size) and d.size > 0
    columns = np.flatnonzero(np.repeat(proj.post_ranks, [len(w) for w in proj.w]) == 2)
    for var in ("w", "x"):
        np.testing.assert_array_equal(data[var], whole.get(var, keep=True)[20::2, columns])
    ds = ann.default_network().results()
    assert ds.learn_dendrite2_x.dims == ("learn_dendrite2_time", "learn_dendrite2_synapse")
    assert ds.learn_dendrite2_pre.values.tolist() == d.pre_ranks and (ds.learn_dendrite2_post == 2).all()
    np.testing.assert_array_equal(ds.learn_dendrite2_x.values, data["x"])
    assert "learn (the dendrite of post neuron 2) records w, x" in ds.attrs["model"]
    twice = ann.Monitor(proj[2], "w")
    assert set(ann.default_network().results().data_vars) >= {f"{twice.name}_w", f"{m.name}_x", "learn_w"}
    with pytest.raises(NetworkError, match=r"has no synaptic variable 'z' to record \(valid: tau_plus"):
        ann.Monitor(d, "z")
    with pytest.raises(NetworkError, match=r"post neuron 7 receives no synapse of this projection"):
        proj.dendrite(7)


def test_monitor_of_a_dendrite_in_copies_of_its_network():
    """A monitor of a dendrite keeps its post rank: copies of its network record that post
    neuron's synapses as they drew them, also after pickling; none where it receives none."""
    import pickle

    proj = _dendrite_network(seed=7, probability=0.5, pre=4)
    ann.compile()
    m = ann.Monitor(proj.dendrite(1), "w", period=5.0)
    default = ann.default_network()
    copy = ann.Network(everything=True, seed=7)  # the same seed: the same synapses
    copy.compile()
    travelled = pickle.loads(pickle.dumps(default))
    for net in (default, copy, travelled):
        net.simulate(100.0)
    w = m.get("w")
    assert w.shape == (20, len(proj.dendrite(1).pre_ranks))
    np.testing.assert_array_equal(copy.get(m).get("w"), w)
    np.testing.assert_array_equal(travelled.get(m).get("w"), w)
    for seed in range(50):  # a replica whose post neuron 1 receives no synapse
        without = default.replica(seed)
        without.compile()
        if 1 not in without.get(proj).post_ranks:
            break
    without.simulate(20.0)
    assert without.get(m).get("w", keep=True).shape == (4, 0)
    assert without.results().learn_dendrite1_w.shape == (4, 0)


def test_unless_post_skips_statements_when_the_post_neuron_spiked():
    """ANNarchy's 'unless_post' flag (its manual's online STDP): a pre spike arriving in the step of
    a post spike leaves w alone."""
    rule = ann.Synapse(parameters="cApost = 0.1 : projection", equations="",
                       pre_spike="g_target += w\nw -= cApost : unless_post", post_spike="", name="unless")
    net, proj, _ = _pairs([0, 5], rule)
    net.compile()
    net.simulate(250.0)
    assert [values[0] for values in proj.w] == [0.5, 0.4]
    with pytest.raises(ann.ModelError, match=r"'unless_post' applies to pre_spike statements only"):
        ann.Synapse(post_spike="w += 1.0 : unless_post")


# the synapses of ANNarchy's manual page "Spiking synapses", as written there
FATIGUE = ann.Synapse(
    parameters="""
        tau = 1000 : postsynaptic # Time constant of the trace is 1 second
        dec = 0.05 : postsynaptic # Decrement of the trace
    """,
    equations="""
        tau * dtrace/dt + trace = 1.0 : min = 0.0
    """,
    pre_spike="""
        g_target += w * trace
        trace -= dec
    """)
NMDA = ann.Synapse(
    parameters="""
        tau = 10.0 : projection
    """,
    equations="""
        tau * dx/dt = -x
        tau * dg/dt = -g +  x * (1 -g)
    """,
    pre_spike="x += w",
    psp="g")
STDP_SPIKE_TIMES = ann.Synapse(
    parameters="""
        tau_pre = 10.0 : projection
        tau_post = 10.0 : projection
        cApre = 0.01 : projection
        cApost = 0.0105 : projection
        wmax = 0.01 : projection
    """,
    pre_spike="""
        g_target += w
        w = clip(w - cApost * exp((t_post - t)/tau_post) , 0.0 , wmax)
    """,
    post_spike="""
        w = clip(w + cApre * exp((t_pre - t)/tau_pre) , 0.0 , wmax)
    """)


def test_annarchy_manual_synapses_run():
    """Fatigue (tau * dx/dt + x = ..., postsynaptic parameters), NMDA (continuous equations and
    psp) and spike-time STDP (t_pre, t_post) of ANNarchy's manual, as written there."""
    with ann.building(seed=5, dt=1.0) as made:
        inp = ann.PoissonPopulation(50, rates=20.0)
        pop = ann.Population(10, ann.IF_cond_exp)
        fatigue = ann.Projection(inp, pop, "exc", synapse=FATIGUE).connect_all_to_all(0.001)
        nmda = ann.Projection(inp, pop, "inh", synapse=NMDA).connect_all_to_all(0.001)
        stdp = ann.Projection(inp, pop, "exc", synapse=STDP_SPIKE_TIMES).connect_all_to_all(0.005)
        m = ann.Monitor(pop, "spike")
    made.network.compile()
    made.network.simulate(1000.0)
    trace = fatigue.values("trace")
    assert np.all(trace >= 0.0) and trace.mean() < 0.5  # 20 Hz of 0.05 decrements outrun a 1 s recovery
    assert fatigue.dec.tolist() == [0.05] * 10
    assert np.all(nmda.values("g") > 0.0) and np.all(nmda.values("x") >= 0.0)
    w = stdp.values("w")
    assert m.mean_fr() > 0 and np.all((w >= 0.0) & (w <= 0.01)) and np.unique(w).size > 10


def test_functions_of_a_synapse_are_inlined():
    """functions= defines functions of their parameters that the other fields call."""
    with_functions = ann.Synapse(parameters="tau = 20.0 : projection\nA = 0.01 : projection",
                                 functions="decay(d, tau) = exp(-d / tau)\nltp(d, tau, A) = A * decay(d, tau)",
                                 pre_spike="g_target += w", post_spike="w += ltp(t_post - t_pre, tau, A)",
                                 name="with_functions")
    assert with_functions.post_defs[0].rhs == "A * exp(-(t_post - t_pre) / tau)"
    net, proj, _ = _pairs([5, 15], with_functions)
    net.compile()
    net.simulate(200.0)
    np.testing.assert_allclose([w[0] - 0.5 for w in proj.w], [0.01 * math.exp(-5 / 20), 0.01 * math.exp(-15 / 20)],
                               rtol=1e-12)


@pytest.mark.parametrize("timing", ["annarchy", "exact"])
def test_pre_axon_spike_runs_at_emission_pre_spike_at_arrival(timing):
    """The spike of step 100 with a delay of 5 steps: pre_axon_spike at once, pre_spike when it
    arrives, 4 steps later (processed at the end of step 104, acting on 105); with ANNarchy's
    timing both read t one step later, as ANNarchy processes them at the next step."""
    rule = ann.Synapse(equations="da/dt = 0.0 : event-driven", pre_axon_spike="a = t",
                       pre_spike="g_target += w\nw = t - a", name="axon")
    net, proj, _ = _pairs([50], rule, delay=5.0, timing=timing)
    net.compile()
    net.simulate(200.0)
    emission = 101.0 if timing == "annarchy" else 100.0
    assert proj.w[0].tolist() == [4.0] and proj.values("a").tolist() == [emission]


@pytest.mark.parametrize("synapse", [None, ann.STP(U=0.5)])
def test_list_of_targets_adds_to_each(synapse):
    """ANNarchy's list of targets: g_target += ... adds to every target."""
    receiver = ann.Neuron(equations="a = g_exc\nb = g_inh", name="two_inputs")
    with ann.building(seed=1, dt=1.0) as made:
        src = ann.SpikeSourceArray(spike_times=[[5.0]])
        post = ann.Population(1, receiver)
        proj = ann.Projection(src, post, ["exc", "inh"], synapse=synapse).connect_one_to_one(2.0)
        m = ann.Monitor(post, ["a", "b"])
    assert proj.target_variable == ("g_exc", "g_inh")
    made.network.compile()
    made.network.simulate(10.0)
    expected = 2.0 * (0.5 if synapse else 1.0)
    data = m.get()
    # a and b after each step: the spike of step 5 acts on step 6
    assert data["a"][:, 0].tolist() == data["b"][:, 0].tolist() == [0.0] * 6 + [expected] + [0.0] * 3


def test_learning_off_keeps_what_the_input_depends_on():
    """A post-synaptic trace that scales the input (kept once per post neuron) still follows spikes
    with learning off: the input is that of learning on, and decays exactly between events."""
    rule = ann.Synapse(parameters="tau = 20.0 : projection", equations="tau * dy/dt = -y : event-driven",
                       pre_spike="g_target += w * (1 + y)", post_spike="y += 0.1", name="post_facilitation")
    assert rule.shared_traces() == {"y": "post"}
    inputs = []
    for learning in (True, False):
        with ann.building(seed=1, dt=1.0) as made:
            src = ann.SpikeSourceArray(spike_times=[[5.0, 10.0, 15.0]])
            post = ann.Population(1, ann.Neuron(equations="a = g_exc", spike="a > 0.5", name="r"))
            ann.Projection(src, post, "exc", synapse=rule).connect_one_to_one(1.0)
            m = ann.Monitor(post, "a")
        made.network.compile()
        if not learning:
            made.network.disable_learning()
        made.network.simulate(20.0)
        inputs.append(m.get("a")[:, 0])
    np.testing.assert_array_equal(inputs[0], inputs[1])
    # post spike at 6, pre at 10 acting on step 11: a after step 11
    assert inputs[1][11] == pytest.approx(1.0 + 0.1 * math.exp(-4.0 / 20.0))


def test_learning_off_keeps_continuous_equations_of_the_input():
    """NMDA's g (a continuous equation read by psp) still evolves with learning off: the input,
    and so the spikes, are those of learning on (w never changes in this model)."""
    spikes = []
    for learning in (True, False):
        with ann.building(seed=3, dt=0.5) as made:
            inp = ann.PoissonPopulation(50, rates=30.0)
            pop = ann.Population(10, ann.IF_cond_exp)
            ann.Projection(inp, pop, "exc", synapse=NMDA).connect_fixed_probability(0.5, weights=0.005)
            m = ann.Monitor(pop, "spike")
        made.network.compile()
        if not learning:
            made.network.disable_learning()
        made.network.simulate(200.0)
        spikes.append(m.get("spike"))
    assert spikes[0] == spikes[1] and sum(map(len, spikes[0].values())) > 0


@pytest.mark.parametrize(("method", "network_method", "factor"), [
    (None, None, (1 - 0.5 / 10.0) ** 20),  # explicit Euler, as ANNarchy
    ("exponential", None, math.exp(-1.0)),
    ("rk4", None, None),
    ("midpoint", None, (1 - 0.05 + 0.05 ** 2 / 2) ** 20),
    (None, "auto", math.exp(-1.0)),
])
def test_continuous_synaptic_equations_use_the_neurons_integration_rules(method, network_method, factor):
    """A per-synapse decay integrated by its flag, else by the network's method."""
    flag = f" : {method}" if method else ""
    decay = ann.Synapse(parameters="tau = 10.0 : projection",
                        equations=f"tau * dg/dt = -g{flag}", pre_spike="g += w", psp="g", name="decaying")
    receiver = ann.Neuron(equations="r = g_exc", name="receiver")
    with ann.building(seed=1, dt=0.5) as made:
        if network_method:
            made.network.method = network_method
        src = ann.SpikeSourceArray(spike_times=[[1.0]])
        post = ann.Population(1, receiver)
        proj = ann.Projection(src, post, "exc", synapse=decay).connect_one_to_one(weights=2.0)
    made.network.compile()
    made.network.simulate(1.5)  # steps 0 to 2: the spike of step 2 sets g = 2 after the step's equations
    made.network.simulate(10.0)  # steps 3 to 22: 20 steps of decay
    expected = 2.0 * (factor if factor is not None else math.exp(-1.0))
    assert proj.values("g")[0] == pytest.approx(expected, rel=1e-6 if factor is None else 1e-12)


def test_a_synaptic_equation_flagged_exponential_must_be_linear():
    rule = ann.Synapse(equations="dg/dt = -g * g : exponential", pre_spike="g += w", psp="g", name="quadratic")
    receiver = ann.Neuron(equations="r = g_exc", name="receiver")
    with ann.building(seed=1) as made:
        ann.Projection(ann.SpikeSourceArray(spike_times=[[1.0]]), ann.Population(1, receiver), "exc",
                       synapse=rule).connect_one_to_one(1.0)
    with pytest.raises(ModelError, match=r"quadratic.*'g' cannot be integrated with 'exponential'"):
        made.network.compile()


def test_a_monitored_held_trace_reads_as_the_projection_does():
    """With ANNarchy's timing, a monitor of STDP's y shows the neuron's trace plus each synapse's
    difference, as proj.y reads it (rows are taken before the step's pre-synaptic events)."""
    net, proj = _teacher_network(ann.STDP)
    net.compile()
    monitor = ann.Monitor(proj, "y")  # after compile, in the projection's network
    inputs = ann.Monitor(net.get_population("inp"), "spike")
    net.simulate(200.0)
    last = monitor.get("y")[-1]
    pre = proj.synapses()[0][monitor.synapse_order()]
    quiet = ~np.isin(pre, [r for r, steps in inputs.get("spike").items() if 399 in steps])
    assert quiet.sum() > 0.5 * quiet.size
    np.testing.assert_allclose(last[quiet], proj.values("y")[monitor.synapse_order()][quiet], rtol=0, atol=1e-15)
    assert np.unique(np.round(last, 15)).size > proj.size  # differences within dendrites


@pytest.mark.parametrize("timing", ["annarchy", "exact"])
def test_pre_spike_reads_t_of_the_step_the_spike_acts_on(timing):
    """ANNarchy runs pre_spike at the start of the step a spike acts on: a spike at 100 ms reads
    t = 101 (dt = 1), with a delay of 5 steps t = 105 (as ANNarchy 4.8 gives them); exact timing
    reads the step it is processed in (the step before it acts)."""
    stamp = ann.Synapse(pre_spike="g_target += w\nw = t", name="stamp")
    got = []
    for delay in (0.0, 1.0, 5.0):
        net, proj, _ = _pairs([50], stamp, delay=delay, timing=timing)
        net.compile()
        net.simulate(200.0)
        got.append(proj.w[0][0])
        ann.clear()
    assert got == ([101.0, 101.0, 105.0] if timing == "annarchy" else [100.0, 100.0, 104.0])


def test_continuous_equations_then_post_events_then_pre_events_as_annarchy():
    """ANNarchy's step: update_synapse, then post_event; a pre-synaptic spike's events run at
    the start of the next step, before its update_synapse, and monitors record after
    post_event. A value set by post_spike is recorded as set; one set by pre_spike has decayed
    one step when first recorded, as in ANNarchy."""
    rule = ann.Synapse(parameters="tau = 10.0 : projection", equations="""
        tau * dltp/dt = -ltp
        tau * dltd/dt = -ltd
    """, pre_spike="g_target += w\nltp = 1.0", post_spike="ltd = 1.0", name="traces")
    net, proj, _ = _pairs([5], rule)
    m = ann.Monitor(proj, ["ltp", "ltd"])  # in the projection's network
    net.compile()
    net.simulate(110.0)
    data = m.get()
    ltp, ltd = data["ltp"][:, 0], data["ltd"][:, 0]
    assert np.flatnonzero(ltd)[0] == 105 and ltd[105] == 1.0 and ltd[106] == pytest.approx(0.9, rel=1e-12)
    assert np.flatnonzero(ltp)[0] == 101 and ltp[101] == pytest.approx(0.9, rel=1e-12)


def test_continuous_synaptic_assignment_with_bounds_from_parameters():
    """ANNarchy's ``w += ... : min=0.0, max=w_max`` in a synapse's equations: an assignment
    every step, bounded by expressions of parameters."""
    rule = ann.Synapse(parameters="w_max = 0.7 : projection\nrate = 0.1 : projection",
                       equations="w += rate : min=0.0, max=w_max", name="ramp")
    with ann.building(seed=1, dt=1.0) as made:
        src = ann.SpikeSourceArray(spike_times=[[1.0]])
        post = ann.Population(1, ann.Neuron(equations="x = g_exc", name="sink"))
        proj = ann.Projection(src, post, "exc", synapse=rule).connect_one_to_one(weights=0.0)
    made.network.compile()
    made.network.simulate(3.0)
    assert proj.w[0][0] == pytest.approx(0.3, rel=1e-12)
    made.network.simulate(10.0)
    assert proj.w[0][0] == 0.7


@pytest.mark.parametrize("timing", ["annarchy", "exact"])
def test_first_event_counts_from_annarchys_step_minus_10000(timing):
    """ANNarchy starts a synapse's last event at step -10000: at a first spike at t = 0, STP's u
    has relaxed from its init (0.1) to U (0.5), as ANNarchy 4.8 gives it; exact timing counts
    from step 0."""
    rule = ann.Synapse(parameters="tau_rec = 800.0\ntau_facil = 0.25\nU = 0.5",
                       equations="dx/dt = (1 - x)/tau_rec : init = 1.0, event-driven\n"
                                 "du/dt = (U - u)/tau_facil : init = 0.1, event-driven",
                       pre_spike="g_target += w * u * x\nx *= (1 - u)\nu += U * (1 - u)", name="tm")
    with ann.building(seed=1, dt=0.25) as made:
        made.network.event_timing = timing
        src = ann.SpikeSourceArray([[0.0, 5.0]])
        post = ann.Population(1, ann.Neuron(equations="x = g_exc", name="sink"))
        ann.Projection(src, post, "exc", synapse=rule).connect_one_to_one(weights=1.0)
        m = ann.Monitor(post, "x")
    made.network.compile()
    made.network.simulate(10.0)
    x = m.get("x")[:, 0]
    first = x[x > 0][0]
    assert first == (0.5 if timing == "annarchy" else 0.1)
