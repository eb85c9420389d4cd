"""ANNarchy 4.8 scripts run as written and with the import changed: the same results.

Runs where ``DASKSNN_ANNARCHY_PYTHON`` names an interpreter with ANNarchy 4.8 (and a C++
compiler); skipped otherwise. Each script runs in its own process under both simulators
(the ``both`` fixture, ``annarchy_reference.py``); the only change is ``from ANNarchy
import *`` -> ``from dasksnn import *``. With the
defaults (explicit Euler, ANNarchy's event timing) spikes are identical and weights equal
to rounding: the inputs are spike arrays, so no random stream is involved.
"""

import math

import numpy as np
import pytest

pytestmark = pytest.mark.reference

OFFSETS = [-30, -12, -3, 3, 12, 30]
PERIOD, TAU_REC, U = 25.0, 200.0, 0.4

PAIRS = f"""
from ANNarchy import *
setup(dt=1.0)
offsets = {OFFSETS}
relay = Neuron(parameters="tau = 10.0", equations="tau * dv/dt = -v + g_syn; gate = g_exc", spike="gate > 0.5",
               reset="v = 0.0")
pre = SpikeSourceArray(spike_times=[[100.0]] * len(offsets))
teacher = SpikeSourceArray(spike_times=[[100.0 + d - 1.0] for d in offsets])
post = Population(len(offsets), relay)
Projection(teacher, post, "exc").connect_one_to_one(weights=1.0)
stdp = Projection(pre, post, "syn", synapse=STDP(tau_plus=20.0, tau_minus=15.0, A_plus=0.01, A_minus=0.012))
stdp.connect_one_to_one(weights=0.5)
receiver = Neuron(equations="psc = g_exc", spike="psc > 1e9", reset="psc = 0.0")
src = SpikeSourceArray(spike_times=[[float(t) for t in range(10, 1000, {int(PERIOD)})]])
out = Population(1, receiver)
Projection(src, out, "exc", synapse=STP(tau_rec={TAU_REC}, U={U})).connect_one_to_one(weights=1.0)
m = Monitor(out, "psc")
compile()
simulate(1000.0)
r = m.get("psc")[:, 0]
result = {{"dw": [w[0] - 0.5 for w in stdp.w], "stp": r[r > 0].tolist()}}
"""

# ANNarchy's "Simple STDP" neuron and rule (its own definition, per-synapse traces), fed with
# fixed Poisson-like spike trains instead of a PoissonPopulation; inputs stop 10 ms before
# the end, so that no pre-synaptic event is pending when the simulation stops
SONG_ABBOTT = """
from ANNarchy import *
import numpy as np
setup(dt=1.0)
rng = np.random.default_rng(5)
N, T = 200, 5000.0
times = [sorted(set(np.round(rng.uniform(0, T - 10.0, rng.poisson(15 * T / 1000))).tolist())) for _ in range(N)]
IF = Neuron(
    parameters=\"\"\"
        tau_m = 10.0
        tau_e = 5.0
        vt = -54.0
        vr = -60.0
        El = -74.0
        Ee = 0.0
    \"\"\",
    equations=\"\"\"
        tau_m * dv/dt = El - v + g_exc * (Ee - vr) : init = -60.0
        tau_e * dg_exc/dt = - g_exc
    \"\"\",
    spike="v > vt",
    reset="v = vr")
STDP_rule = Synapse(
    parameters=\"\"\"
        tau_pre = 20.0 : postsynaptic
        tau_post = 20.0 : postsynaptic
        cApre = 0.01 : postsynaptic
        cApost = -0.0105 : postsynaptic
        wmax = 0.05 : postsynaptic
    \"\"\",
    equations=\"\"\"
        tau_pre * dApre/dt = -Apre : event-driven
        tau_post * dApost/dt = -Apost : event-driven
    \"\"\",
    pre_spike=\"\"\"
        g_target += w
        Apre += cApre * wmax
        w = clip(w + Apost, 0.0 , wmax)
    \"\"\",
    post_spike=\"\"\"
        Apost += cApost * wmax
        w = clip(w + Apre, 0.0 , wmax)
    \"\"\")
Input = SpikeSourceArray(spike_times=times)
Output = Population(geometry=1, neuron=IF)
own = Projection(pre=Input, post=Output, target='exc', synapse=STDP_rule)
own.connect_all_to_all(weights=Uniform(0.0, 0.05))
Twin = Population(geometry=1, neuron=IF)
builtin = Projection(pre=Input, post=Twin, target='exc', synapse=STDP(tau_plus=20.0, tau_minus=20.0,
                     A_plus=0.01, A_minus=0.0105, w_max=0.05))
builtin.connect_all_to_all(weights=0.0)
Late = Population(geometry=1, neuron=IF)
delayed = Projection(pre=Input, post=Late, target='exc', synapse=STDP(tau_plus=20.0, tau_minus=20.0,
                     A_plus=0.01, A_minus=0.0105, w_max=0.05))
delayed.connect_all_to_all(weights=0.0, delays=5.0)
Mo = Monitor(Output, 'spike')
Mt = Monitor(Twin, 'spike')
Ml = Monitor(Late, 'spike')
compile()
w0 = np.random.default_rng(1).uniform(0.0, 0.05, N)
for proj in (own, builtin, delayed):
    proj.w = [w0.tolist()]
simulate(T)
result = {"spikes": [int(s) for s in Mo.get('spike')[0]], "twin": [int(s) for s in Mt.get('spike')[0]],
          "late": [int(s) for s in Ml.get('spike')[0]],
          "w": list(own.w[0]), "builtin": list(builtin.w[0]), "delayed": list(delayed.w[0])}
"""

GAP_JUNCTIONS = """
from ANNarchy import *
import numpy as np
setup(dt=0.1)
neuron = Neuron(
    parameters="v0 = 1.05: population; tau = 10.0: population",
    equations="tau*dv/dt = v0 - v + g_gap",
    spike="v >  1.",
    reset="v = 0."
)
gap_junction = Synapse(psp="w * (pre.v - post.v)")
pop = Population(10, neuron)
pop.v = np.linspace(0., 1., 10)
proj = Projection(pop, pop, 'gap', gap_junction)
proj.connect_all_to_all(0.02)
spikes = Monitor(pop, 'spike')
compile()
trace = Monitor(pop[0] + pop[5], ['v', 'g_gap'])  # after compile, as the notebook's
simulate(500.)
data = spikes.get('spike')
v = trace.get('v')
result = {"spikes": [[int(s) for s in data[i]] for i in range(10)], "v": v.tolist(),
          "g": trace.get('g_gap').tolist()}
"""

# a monitor of one dendrite made after compile, as ANNarchy's manual shows (Monitor(proj.dendrite(i), 'w')):
# its rows, one per step from the step it was made on, one column per synapse in pre_ranks order
DENDRITE = """
from ANNarchy import *
import numpy as np
setup(dt=1.0)
rng = np.random.default_rng(3)
times = [sorted(set(np.round(rng.uniform(0, 290.0, 12)).tolist())) for _ in range(6)]
relay = Neuron(parameters="tau = 10.0", equations="tau * dv/dt = -v + g_exc; gate = g_exc", spike="gate > 0.005",
               reset="v = 0.0")
inp = SpikeSourceArray(spike_times=times)
post = Population(3, relay)
proj = Projection(inp, post, "exc", synapse=STDP(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.0105,
                                                  w_max=0.05))
proj.connect_from_matrix([[0.01, None, 0.02, 0.01, None, 0.02], [0.02] * 6, [None, 0.01, None, 0.01, None, 0.01]])
spikes = Monitor(post, "spike")
compile()
simulate(100.0)
m = Monitor(proj.dendrite(2), "w")
simulate(200.0)
result = {"w": np.asarray(m.get("w"), dtype=float).tolist(), "pre_ranks": list(proj.dendrite(2).pre_ranks),
          "final": list(proj.dendrite(2).w), "post_spikes": [int(s) for s in spikes.get("spike")[2]],
          "pre_spikes": [[int(t) for t in times[r]] for r in proj.dendrite(2).pre_ranks]}
"""


def test_stdp_pairs_and_stp_as_annarchy(both):
    theirs, ours = both(PAIRS)
    np.testing.assert_allclose(ours["dw"], theirs["dw"], rtol=1e-12)
    # ANNarchy's one-step convention: LTP sees the interval shortened by dt
    expected = [0.01 * math.exp(-(d - 1.0) / 20.0) if d > 0 else -0.012 * math.exp(d / 15.0) for d in OFFSETS]
    np.testing.assert_allclose(ours["dw"], expected, rtol=1e-9)
    assert len(ours["stp"]) == len(theirs["stp"]) > 30
    np.testing.assert_allclose(ours["stp"], theirs["stp"], rtol=1e-12)
    # the Tsodyks-Markram recurrence at intervals one step short (tau_facil -> 0: u = U at each spike)
    x, recurrence = 1.0, []
    for _ in ours["stp"]:
        recurrence.append(U * x)
        x = 1.0 - (1.0 - x * (1.0 - U)) * math.exp(-(PERIOD - 1.0) / TAU_REC)
    np.testing.assert_allclose(ours["stp"], recurrence, rtol=1e-9)


def test_song_abbott_stdp_as_annarchy(both):
    """The "Simple STDP" neuron (explicit Euler at dt = 1 ms) and rule over 5 s of fixed inputs:
    the same post-synaptic spikes and weights, for the example's own rule, the built-in one,
    and the built-in one with a delay of 5 ms (which acts 5 steps after the spike)."""
    theirs, ours = both(SONG_ABBOTT)
    assert len(theirs["spikes"]) > 100
    for key in ("spikes", "twin", "late"):
        assert ours[key] == theirs[key]
    for key in ("w", "builtin", "delayed"):
        np.testing.assert_allclose(ours[key], theirs[key], rtol=0, atol=1e-12)


def test_gap_junction_notebook_as_annarchy(both):
    """Spikes, and recorded traces row by row: v after each step, g_gap (a target) with what
    acts during it, as ANNarchy records them."""
    theirs, ours = both(GAP_JUNCTIONS)
    assert ours["spikes"] == theirs["spikes"]
    assert np.shape(ours["v"]) == np.shape(theirs["v"]) == (5000, 2)
    np.testing.assert_allclose(ours["v"], theirs["v"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours["g"], theirs["g"], rtol=0, atol=1e-12)


def test_monitor_of_a_dendrite_as_annarchy(both):
    """A monitor of a dendrite made after compile: the same synapses in the same order, one row
    per step from the step it was made on, equal row by row (recorded before the step's
    pre-synaptic events, which ANNarchy processes at the next step), and the same final weights."""
    theirs, ours = both(DENDRITE)
    assert ours["pre_ranks"] == theirs["pre_ranks"] == [1, 3, 5]
    assert ours["post_spikes"] == theirs["post_spikes"] and len(ours["post_spikes"]) > 10
    ours_w, theirs_w = np.asarray(ours["w"]), np.asarray(theirs["w"])
    assert ours_w.shape == theirs_w.shape == (200, 3)
    assert np.ptp(ours_w, axis=0).min() > 0  # every weight moved while recorded
    np.testing.assert_allclose(ours_w, theirs_w, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours["final"], theirs["final"], rtol=0, atol=1e-12)
