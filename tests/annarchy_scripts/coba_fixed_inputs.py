"""The COBA neuron of ANNarchy's notebook COBA (v4/COBA.ipynb) driven by fixed spike trains
(excitatory and inhibitory conductances, refractory period): no random number is drawn, so
ANNarchy 4.8 and dasksnn give the same spikes and traces.
"""
import numpy as np
import ANNarchy as ann
ann.setup(dt=0.1)
COBA = ann.Neuron(
    parameters="""
        El = -60.0          : population
        Vr = -60.0          : population
        Erev_exc = 0.0      : population
        Erev_inh = -80.0    : population
        Vt = -50.0          : population
        tau = 20.0          : population
        tau_exc = 5.0       : population
        tau_inh = 10.0      : population
        I = 20.0            : population
    """,
    equations="""
        tau * dv/dt = (El - v) + g_exc * (Erev_exc - v) + g_inh * (Erev_inh - v ) + I
        tau_exc * dg_exc/dt = - g_exc
        tau_inh * dg_inh/dt = - g_inh
    """,
    spike = "v > Vt",
    reset = "v = Vr",
    refractory = 5.0
)
rng = np.random.default_rng(3)
T = 300.0
def trains(n, rate):
    return [sorted(set(np.round(rng.uniform(0, T, rng.poisson(rate * T / 1000)), 1).tolist())) for _ in range(n)]
E = ann.SpikeSourceArray(trains(80, 50.0))
I = ann.SpikeSourceArray(trains(20, 50.0))
P = ann.Population(10, COBA)
P.v = np.linspace(-60, -50, 10)
ce = ann.Projection(E, P, 'exc'); ce.connect_all_to_all(weights=0.3)
ci = ann.Projection(I, P, 'inh'); ci.connect_all_to_all(weights=1.0)
m = ann.Monitor(P, ['spike', 'v', 'g_exc'])
ann.compile()
ann.simulate(T)
d = m.get()
result = {"spikes": {int(k): [int(s) for s in v] for k, v in d['spike'].items()}, "v": d['v'][:, :3].tolist(), "g": d['g_exc'][:, :3].tolist()}
