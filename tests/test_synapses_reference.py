"""STDP and STP against ANNarchy 4.8 run in a subprocess, with the import changed.

Runs where ``DASKSNN_ANNARCHY_PYTHON`` names an interpreter with ANNarchy 4.8 (and a C++
compiler); skipped otherwise. ANNarchy processes a pre-synaptic spike one step after it
was emitted and decays the traces to the emission step while it stores the next step as
the synapse's last event: a post spike ``d`` ms after a pre spike sees ``d - dt`` ms.
dasksnn is exact in time, so the two agree for ``d < 0`` and within that one step for ``d > 0``;
for STP, ANNarchy's intervals between pre-synaptic events are one step short.
"""

import json
import math
import os
import subprocess
import textwrap

import numpy as np
import pytest
from test_synapses import _pairs

import dasksnn as ann

pytestmark = pytest.mark.reference

OFFSETS = [-30, -12, -3, 3, 12, 30]
PERIOD, TAU_REC, U = 25.0, 200.0, 0.4

_SCRIPT = """
import json, sys
import numpy as np
from ANNarchy import *
setup(dt=1.0)
offsets = {offsets}
relay = Neuron(parameters="tau = 10.0", equations="tau * dv/dt = -v + g_syn; gate = g_exc", spike="gate > 0.5",
               reset="v = 0.0")
pre = SpikeSourceArray(spike_times=[[100.0]] * len(offsets))
teacher = SpikeSourceArray(spike_times=[[100.0 + d - 1.0] for d in offsets])
post = Population(len(offsets), relay)
Projection(teacher, post, "exc").connect_one_to_one(weights=1.0)
stdp = Projection(pre, post, "syn", synapse=STDP(tau_plus=20.0, tau_minus=15.0, A_plus=0.01, A_minus=0.012))
stdp.connect_one_to_one(weights=0.5)
receiver = Neuron(equations="psc = g_exc", spike="psc > 1e9", reset="psc = 0.0")
src = SpikeSourceArray(spike_times=[list(np.arange(10.0, 1000.0, {period}))])
out = Population(1, receiver)
Projection(src, out, "exc", synapse=STP(tau_rec={tau_rec}, U={U})).connect_one_to_one(weights=1.0)
m = Monitor(out, "psc")
compile(directory=sys.argv[1], silent=True)
simulate(1000.0)
r = m.get("psc")[:, 0]
print("@@" + json.dumps({{"dw": [w[0] - 0.5 for w in stdp.w], "stp": r[r > 0].tolist()}}))
"""


@pytest.fixture(scope="module")
def annarchy(tmp_path_factory):
    python = os.environ.get("DASKSNN_ANNARCHY_PYTHON")
    if not python:
        pytest.skip("DASKSNN_ANNARCHY_PYTHON (an interpreter with ANNarchy 4.8) is not set")
    folder = tmp_path_factory.mktemp("annarchy")
    script = folder / "reference.py"
    script.write_text(textwrap.dedent(_SCRIPT.format(offsets=OFFSETS, period=PERIOD, tau_rec=TAU_REC, U=U)))
    env = dict(os.environ, PATH=os.pathsep.join([os.path.dirname(python), os.environ.get("PATH", "")]))
    done = subprocess.run([python, str(script), str(folder / "build")], capture_output=True, text=True,
                          env=env, cwd=folder, timeout=900, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("@@")]
    assert lines, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(lines[-1][2:])


def test_stdp_pairs_as_annarchy(annarchy):
    net, proj, _ = _pairs(OFFSETS, ann.STDP(tau_plus=20.0, tau_minus=15.0, A_plus=0.01, A_minus=0.012))
    net.compile()
    net.simulate(250.0)
    ours = np.array([w[0] for w in proj.w]) - 0.5
    theirs = np.array(annarchy["dw"])
    for d, mine, other in zip(OFFSETS, ours, theirs, strict=True):
        # ANNarchy's one-step convention: LTP sees the interval shortened by dt
        expected = mine * math.exp(1.0 / 20.0) if d > 0 else mine
        assert other == pytest.approx(expected, rel=0.01), (d, mine, other)


def _tsodyks_markram(n, gap):
    """Efficacies w u x of ``n`` regular spikes ``gap`` ms apart (tau_facil -> 0: u = U at each spike)."""
    x, out = 1.0, []
    for _ in range(n):
        out.append(U * x)
        x = 1.0 - (1.0 - x * (1.0 - U)) * math.exp(-gap / TAU_REC)
    return np.array(out)


def test_stp_efficacies_as_annarchy(annarchy):
    """dasksnn's efficacies follow the Tsodyks-Markram recurrence at the true interval; ANNarchy's
    the same recurrence at one step less (its convention), so they agree within 1% of that."""
    receiver = ann.Neuron(equations="r = g_exc", name="receiver")
    with ann.building(seed=1, dt=1.0) as made:
        src = ann.SpikeSourceArray(spike_times=[list(np.arange(10.0, 1000.0, PERIOD))])
        out = ann.Population(1, receiver)
        ann.Projection(src, out, "exc", synapse=ann.STP(tau_rec=TAU_REC, U=U)).connect_one_to_one(1.0)
        m = ann.Monitor(out, "r")
    made.network.compile()
    made.network.simulate(1000.0)
    r = m.get("r")[:, 0]
    ours, theirs = r[r > 0], np.array(annarchy["stp"])
    assert ours.size == theirs.size > 30
    np.testing.assert_allclose(ours, _tsodyks_markram(ours.size, PERIOD), rtol=1e-9)
    np.testing.assert_allclose(theirs, _tsodyks_markram(theirs.size, PERIOD - 1.0), rtol=1e-6)
