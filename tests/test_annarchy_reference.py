"""ANNarchy's documented examples under ANNarchy 4.8 and under dasksnn, the import the only
change: the same numbers where no random number is drawn.

Runs where ``DASKSNN_ANNARCHY_PYTHON`` names an interpreter with ANNarchy 4.8 (and a C++
compiler); skipped otherwise (the ``both`` fixture, ``annarchy_reference.py``). The scripts
are those of ``annarchy_scripts/`` (ANNarchy's notebooks for ANNarchy 4, plotting removed);
the statistics of the notebooks that draw random numbers are checked against ANNarchy's in
``test_annarchy_examples.py``.
"""

import numpy as np
import pytest
from annarchy_reference import script

pytestmark = pytest.mark.reference

# static and short-term plastic projections with delays of 0 to 3 steps
DELAYS = """
from ANNarchy import *
setup(dt=1.0)
N = Neuron(equations="x = g_exc", spike="x > 1e9", reset="")
src = SpikeSourceArray([[5.0, 9.0, 30.0], [7.0, 20.0]])
STPs = Synapse(parameters="tau_rec = 20.0 : projection\\nU = 0.5 : projection",
               equations="dz/dt = (1 - z)/tau_rec : init = 1.0, event-driven",
               pre_spike="g_target += w * U * z\\nz *= (1 - U)")
ms = []
for d in range(4):
    p = Population(1, N)
    Projection(src, p, 'exc').connect_all_to_all(weights=1.0, delays=float(d))
    q = Population(1, N)
    Projection(src, q, 'exc', synapse=STPs).connect_all_to_all(weights=1.0, delays=float(d))
    ms += [Monitor(p, 'x'), Monitor(q, 'x')]
compile()
simulate(40.0)
result = {"x": [m.get('x')[:, 0].tolist() for m in ms]}
"""

# the analysis methods of Monitor
MONITOR_METHODS = """
from ANNarchy import *
import numpy as np
setup(dt=0.5)
src = SpikeSourceArray([[3.0, 7.5, 12.0, 30.0, 31.0], [], [5.0, 10.0, 15.0, 20.0], [40.0]])
m = Monitor(src, 'spike')
compile()
simulate(50.0)
spikes = m.get('spike')
result = {"times": m.times(), "hist": m.histogram(spikes, bins=2.0).tolist(),
          "per_neuron": np.asarray(m.histogram(spikes, bins=5.0, per_neuron=True)).tolist(),
          "isi": m.inter_spike_interval(spikes), "cv": [float(c) for c in m.coefficient_of_variation(spikes)],
          "mean_fr": m.mean_fr(spikes), "population_rate": m.population_rate(spikes, smooth=5.0).tolist(),
          "smoothed_rate": m.smoothed_rate(spikes, smooth=10.0).tolist()}
m.pause()
simulate(10.0)
m.resume()
simulate(20.0)
m.get('spike')
result["times_paused"] = m.times()
"""


def _close(ours, theirs, rtol=1e-9, atol=1e-12):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float), rtol=rtol, atol=atol)


def test_adex_notebook_as_annarchy(both):
    """Spikes equal (the refractory period holds w as ANNarchy does); v row by row below -45 mV:
    the exponential term makes rounding differences of the two compilers (1e-15) grow, to 1e-9
    in the first 100 ms and to 0.03 mV after hundreds of spikes (the spikes stay the same)."""
    theirs, ours = both(script("adex"))
    assert ours["spikes"] == theirs["spikes"]
    v_theirs, v_ours = np.array(theirs["v"]), np.array(ours["v"])
    below = v_theirs < -45.0
    assert below.mean() > 0.9
    _close(v_ours[below], v_theirs[below], rtol=0, atol=0.05)
    _close(v_ours[:1000][below[:1000]], v_theirs[:1000][below[:1000]], rtol=1e-9)


def test_hodgkin_huxley_notebook_as_annarchy(both):
    """ANNarchy's coupled midpoint: traces equal to 1e-9 over 20100 steps."""
    theirs, ours = both(script("hodgkin_huxley"))
    assert ours["spike"] == theirs["spike"]
    for name in ("V", "n", "m", "h"):
        _close(ours[name], theirs[name])


def test_synaptic_transmission_notebook_as_annarchy(both):
    theirs, ours = both(script("synaptic_transmission"))
    for name in ("g_a", "g_b", "alpha_c"):
        _close(ours[name], theirs[name])


def test_stdp1_notebook_as_annarchy(both):
    """Projections onto spike sources and clear() of their clocks, as ANNarchy's."""
    theirs, ours = both(script("stdp_pairs"))
    _close(ours["dw"], theirs["dw"], rtol=1e-12)


def test_pynn_notebook_as_annarchy(both):
    """IF_curr_alpha (ANNarchy's gmax), IF_cond_exp with delays, EIF_cond_exp_isfa_ista, and
    the NMDA synapse (continuous equations before post-synaptic events, after the
    pre-synaptic events of the step before)."""
    theirs, ours = both(script("pynn"))
    for name in ("alpha_spikes", "cond_spikes", "adex_spikes"):
        assert ours[name] == theirs[name]
    for name in ("alpha_v", "cond_v", "adex_v", "adex_w", "nmda_v", "nmda_g"):
        _close(ours[name], theirs[name])


def test_ramp_model_with_fixed_inputs_as_annarchy(both):
    """The Ramp notebook's neurons and synapses (functions, two targets, w += ... with t_pre and
    t_post, post.r of compute_firing_rate) on fixed inputs: rates and weights equal."""
    theirs, ours = both(script("ramp_fixed_inputs"))
    for name in ("r1_trace", "r2_trace"):
        _close(ours[name], theirs[name])
    for name in ("w1_final", "w2_final", "w1", "w2"):
        _close(ours[name], theirs[name], atol=1e-15)


def test_coba_neuron_with_fixed_inputs_as_annarchy(both):
    theirs, ours = both(script("coba_fixed_inputs"))
    assert ours["spikes"] == theirs["spikes"]
    _close(ours["v"], theirs["v"])
    _close(ours["g"], theirs["g"])


def test_delays_as_annarchy(both):
    """A delay of d >= 1 steps takes the place of the step every spike waits, static or plastic."""
    theirs, ours = both(DELAYS)
    _close(ours["x"], theirs["x"], rtol=1e-12)


def test_monitor_methods_as_annarchy(both):
    """ANNarchy computes the smoothed rates in single precision: 1e-6."""
    theirs, ours = both(MONITOR_METHODS)
    for name in ("times", "times_paused", "hist", "per_neuron", "isi", "mean_fr"):
        assert ours[name] == theirs[name], name
    _close(ours["cv"], theirs["cv"], rtol=1e-12)
    for name in ("population_rate", "smoothed_rate"):
        _close(ours[name], theirs[name], rtol=1e-6)


def test_stp_notebook_network_with_fixed_connectivity_as_annarchy(both):
    """Short-term plasticity (event-driven x and u from ANNarchy's step -10000), views, refractory
    periods: every excitatory spike of 3 s equal."""
    theirs, ours = both(script("stp_fixed_connectivity"))
    assert ours["spikes_e"] == theirs["spikes_e"]
    assert ours["n_inh"] == theirs["n_inh"] and ours["bursts"] == theirs["bursts"]
