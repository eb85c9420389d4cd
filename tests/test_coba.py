"""The COBA benchmark network (Brette et al. 2007, benchmark 1) against published rates."""

import numpy as np
import pytest

import dasksnn as ann

COBA = ann.Neuron(
    name="COBA",
    parameters="""
        El = -60.0 : population
        Vr = -60.0 : population
        Erev_exc = 0.0 : population
        Erev_inh = -80.0 : population
        Vt = -50.0 : population
        tau = 20.0 : population
        tau_exc = 5.0 : population
        tau_inh = 10.0 : population
        I = 20.0 : population
    """,
    equations="""
        tau * dv/dt = (El - v) + g_exc * (Erev_exc - v) + g_inh * (Erev_inh - v) + I
        tau_exc * dg_exc/dt = -g_exc
        tau_inh * dg_inh/dt = -g_inh
    """,
    spike="v > Vt",
    reset="v = Vr",
    refractory=5.0,
)


@pytest.mark.parametrize("seed", [1, 2])
def test_coba_rate_matches_reference_simulators(seed):
    """4000 neurons, p=0.02, we=0.6, wi=6.7: Brian2, NEST and ANNarchy give 21.0-21.9 Hz."""
    P = ann.Population(4000, COBA, name="P")
    Ce = ann.Projection(P[:3200], P, "exc").connect_fixed_probability(0.02, weights=0.6)
    Ci = ann.Projection(P[3200:], P, "inh").connect_fixed_probability(0.02, weights=6.7)
    m = ann.Monitor(P, "spike")
    net = ann.Network(dt=0.1, seed=seed)
    net.add([P, Ce, Ci, m])
    net.get(P).v = ann.Uniform(-60.0, -50.0)
    net.compile()
    net.simulate(1000.0)
    mon = net.get(m)
    rate = mon.mean_fr()
    assert 21.0 * 0.9 <= rate <= 21.0 * 1.1, rate
    # irregular, not clock-like, spike trains: CV of the inter-spike intervals above 0.8
    spikes = mon.get("spike")
    cvs = [np.std(np.diff(s)) / np.mean(np.diff(s)) for s in spikes.values() if len(s) > 5]
    assert np.mean(cvs) > 0.8
