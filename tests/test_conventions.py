"""ANNarchy's numerical conventions by default, others on request: integration method, event
timing, psp timing, ``Monitor.get`` of some variables, ANNarchy's ``compile()`` options."""

import math
import pickle

import numpy as np
import pytest

import dasksnn as ann
from dasksnn.errors import ModelError, NetworkError

DECAY = ann.Neuron(parameters="tau = 10.0", equations="tau * dx/dt = -x : init=1.0", name="decay")


def _decay(dt=0.5, steps=20, **network):
    net = ann.Network(dt=dt, seed=1, **network)
    pop = ann.Population(1, DECAY)
    net.add(pop)
    net.compile()
    net.simulate(steps * dt)
    return float(net.get(pop).x[0])


def test_equations_are_explicit_euler_by_default_as_annarchy():
    assert ann.Network().method == "euler"
    assert _decay() == pytest.approx((1 - 0.05) ** 20, rel=1e-12)
    assert _decay(method="explicit") == pytest.approx((1 - 0.05) ** 20, rel=1e-12)  # ANNarchy's name
    assert _decay(method="auto") == pytest.approx(math.exp(-1.0), rel=1e-12)  # exact where linear
    assert _decay(method="rk4") == pytest.approx(math.exp(-1.0), rel=1e-6)


def test_setup_sets_the_method_of_the_default_network_and_of_new_ones():
    with ann.building(seed=1):
        ann.setup(method="auto", event_timing="exact")
        assert (ann.Network().method, ann.Network().event_timing) == ("auto", "exact")
        pop = ann.Population(1, DECAY)
        ann.compile()
        ann.simulate(10.0)
        assert pop.x[0] == pytest.approx(math.exp(-1.0), rel=1e-12)
        with pytest.raises(NetworkError, match="already compiled"):
            ann.setup(method="euler")
    assert ann.Network().method == "euler"  # the block's setting stayed in the block


def test_a_copy_keeps_the_conventions():
    net = ann.Network(method="midpoint", event_timing="exact")
    for copy in (net.replica(seed=2), pickle.loads(pickle.dumps(net))):
        assert (copy.method, copy.event_timing) == ("midpoint", "exact")


@pytest.mark.parametrize(("argument", "value", "message"), [
    ("method", "eular", "method must be one of .*Did you mean 'euler'"),
    ("method", 3, "method must be one of"),
    ("event_timing", "anarchy", "event_timing must be one of .*Did you mean 'annarchy'"),
])
def test_misspelt_conventions_are_refused(argument, value, message):
    with pytest.raises(NetworkError, match=message):
        ann.Network(**{argument: value})
    with pytest.raises(NetworkError, match=message):
        ann.setup(**{argument: value})


def test_conventions_cannot_change_after_compile():
    net = ann.Network(seed=1)
    net.add(ann.Population(1, DECAY))
    net.compile()
    with pytest.raises(NetworkError, match="before compile"):
        net.event_timing = "exact"


def test_a_network_method_that_cannot_apply_is_refused_at_compile():
    neuron = ann.Neuron(equations="dv/dt = -v * v : init=1.0", name="quadratic")
    net = ann.Network(method="exponential")
    net.add(ann.Population(1, neuron))
    with pytest.raises(ModelError, match=r"quadratic.*network's method 'exponential'.*not linear"):
        net.compile()


def test_psp_acts_from_the_first_step():
    """ANNarchy sums ``psp`` at the start of each step: the first step has it."""
    neuron = ann.Neuron(parameters="tau = 10.0", equations="tau * dv/dt = -v + g_gap", name="leaky")
    with ann.building(seed=1) as made:
        pop = ann.Population(2, neuron)
        pop.v = [0.0, 1.0]
        ann.Projection(pop, pop, "gap", ann.Synapse(psp="w * (pre.v - post.v)")).connect_all_to_all(0.5)
        m = ann.Monitor(pop, ["v", "g_gap"])
    made.network.compile()
    made.network.simulate(1.0)
    np.testing.assert_allclose(m.get("g_gap")[0], [0.5, -0.5])  # recorded with what acts in the step
    np.testing.assert_allclose(pop.v, [0.0 + 0.1 * 0.5, 1.0 + 0.1 * (-1.0 - 0.5)])


def test_getting_some_variables_keeps_the_others():
    """As ANNarchy's Monitor.get: ``v = m.get('v'); s = m.get('spike')`` gets both."""
    with ann.building(seed=1) as made:
        pop = ann.Population(3, ann.Izhikevich)
        pop.i_offset = 10.0
        m = ann.Monitor(pop, ["spike", "v", "u"])
    made.network.compile()
    made.network.simulate(100.0)
    v = m.get("v")
    assert v.shape == (100, 3)
    assert m.get("v").shape == (0, 3)  # handed over
    spikes = m.get("spike")
    assert sum(len(s) for s in spikes.values()) > 3
    np.testing.assert_array_equal(m.sample_times("u"), np.arange(100.0))
    made.network.simulate(10.0)
    assert m.get("v").shape == (10, 3)
    both = m.get(["u", "v"])
    assert both["u"].shape == (110, 3) and both["v"].shape == (0, 3)


def test_annarchy_build_options_are_accepted():
    with ann.building(seed=1) as made:
        ann.Population(1, DECAY)
        with pytest.raises(NetworkError, match=r"unknown option 'directorx'.*Did you mean 'directory'"):
            ann.compile(directorx="annarchy")
        with pytest.raises(NetworkError, match=r"populations= .* not supported"):
            ann.compile(populations=[])
        ann.compile(directory="annarchy", clean=True, silent=True)
    assert made.network.compiled


def test_monitors_made_after_compile_record_from_then_on():
    """ANNarchy's scripts often create monitors after compile(): they record from the next
    simulate() on, the others keep theirs; populations and projections are refused."""
    with ann.building(seed=1) as made:
        pop = ann.Population(3, ann.Izhikevich)
        pop.i_offset = 10.0
        first = ann.Monitor(pop, "v")
        stdp = ann.Projection(pop, pop, "exc", synapse=ann.STDP).connect_all_to_all(0.1)
        net = made.network
        net.compile()
        net.simulate(50.0)
        later = ann.Monitor(pop, ["spike", "u"])
        weights = ann.Monitor(stdp, "w", period=10.0)
        net.simulate(100.0)
        with pytest.raises(NetworkError, match="populations and projections before compile"):
            ann.Population(2, ann.Izhikevich)
    assert first.get("v").shape == (150, 3)
    u = later.get("u")
    assert u.shape == (100, 3)
    assert all(min(s) >= 50 for s in later.get("spike").values())
    assert weights.get("w").shape == (10, 6)  # all to all without self-connections
    # the same network recording u from the start: the same values from 50 ms on
    reference = net.replica()
    reference.compile()
    reference.simulate(150.0)
    np.testing.assert_array_equal(reference.get(later).get("u")[50:], u)


def test_refractory_holds_every_equation_but_the_conductances():
    """ANNarchy 4.8 during the refractory period: differential equations other than g_* and
    assignments keep their values, and an instantaneous input is not cleared (it acts when
    the period ends). The rows are those ANNarchy 4.8 records for this script."""
    with ann.building(dt=1.0) as made:
        neuron = ann.Neuron(parameters="tau = 10.0", equations="""
            I = g_exc + 1.0
            tau * dv/dt = -v + I
            dw/dt = 0.1
            tau * dg_slow/dt = -g_slow
        """, spike="v > 0.5", reset="v = 0.0; g_slow = 1.0", refractory=3.0)
        src = ann.SpikeSourceArray([[float(t) for t in range(1, 40)]])
        pop = ann.Population(1, neuron)
        ann.Projection(src, pop, "exc").connect_all_to_all(weights=0.3)
        m = ann.Monitor(pop, ["v", "w", "I", "g_exc", "g_slow", "spike"])
    made.network.compile()
    made.network.simulate(20.0)
    data = m.get()
    assert data["spike"][0] == [5, 12, 19]
    np.testing.assert_allclose(data["w"][:13, 0], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.6, 0.6, 0.6, 0.7, 0.8, 0.9, 1.0])
    np.testing.assert_allclose(data["I"][:12, 0], [1.0, 1.0, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 2.2, 1.3, 1.3])
    np.testing.assert_allclose(data["g_exc"][:11, 0], [0, 0, 0.3, 0.3, 0.3, 0.3, 0.3, 0.6, 0.9, 1.2, 0.3])
    np.testing.assert_allclose(data["v"][5:11, 0], [0.0, 0.0, 0.0, 0.0, 0.22, 0.328])
    # a conductance decays through the refractory period
    np.testing.assert_allclose(data["g_slow"][5:9, 0], [0.0, 1.0, 0.9, 0.81])  # recorded as an input


def test_equations_are_evaluated_in_annarchy_order():
    """A run of differential equations is updated at once; an assignment written after it
    reads the new values, one written before it the old ones."""
    with ann.building(dt=1.0) as made:
        pop = ann.Population(1, ann.Neuron(equations="""
            before = v
            dv/dt = 1.0
            du/dt = v
            after = v + u
        """))
    made.network.compile()
    made.network.simulate(3.0)
    # v: 1, 2, 3; u reads v of the start of each step: 0, 1, 3
    assert (pop.v[0], pop.u[0], pop.before[0], pop.after[0]) == (3.0, 3.0, 2.0, 6.0)


def test_midpoint_as_annarchy():
    """midpoint evaluates the derivatives at x + dt/2 * k for the variables of all midpoint
    equations, and assignments at the start of the step (ANNarchy's coupled midpoint)."""
    with ann.building(dt=0.1) as made:
        pop = ann.Population(1, ann.Neuron(equations="""
            a = 2.0 * x
            dx/dt = -y : init=1.0, midpoint
            dy/dt = a : init=1.0, midpoint
        """))
    made.network.compile()
    made.network.simulate(0.1)
    dt, x, y = 0.1, 1.0, 1.0
    ky = 2.0 * x  # the derivative of y at the start of the step
    assert pop.x[0] == pytest.approx(x + dt * -(y + 0.5 * dt * ky), rel=1e-15)
    assert pop.y[0] == pytest.approx(y + dt * 2.0 * x, rel=1e-15)
