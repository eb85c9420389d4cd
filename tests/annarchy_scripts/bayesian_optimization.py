"""ANNarchy's notebook BayesianOptimization (v4/BayesianOptimization.ipynb) without hyperopt and
tensorboard: the COBA network simulated, then reset() and simulated again with other
weights at a few fixed points of the notebook's search space.
"""
import numpy as np
import ANNarchy as ann
ann.clear()
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
P = ann.Population(geometry=4000, neuron=COBA)
Pe = P[:3200]
Pi = P[3200:]
P.v = ann.Normal(-55.0, 5.0)
P.g_exc = ann.Normal(4.0, 1.5)
P.g_inh = ann.Normal(20.0, 12.0)
Ce = ann.Projection(pre=Pe, post=P, target='exc')
Ce.connect_fixed_probability(weights=0.6, probability=0.02)
Ci = ann.Projection(pre=Pi, post=P, target='inh')
Ci.connect_fixed_probability(weights=6.7, probability=0.02)
ann.compile()
m = ann.Monitor(P, ['spike'])
ann.simulate(1000.0)
data = m.get('spike')
fr = m.mean_fr(data)
def trial(args):
    w_exc = args[0]
    w_inh = args[1]
    ann.reset()
    Ce.w = w_exc
    Ci.w = w_inh
    ann.simulate(1000.0)
    spikes = m.get('spike')
    fr = m.mean_fr(spikes)
    loss = 0.001*(fr - 30.0)**2   
    return {'loss': loss, 'fr': fr}
# the notebook's hyperopt search, replaced by a few fixed points
res = [trial(a) for a in ([0.6, 6.7], [0.3, 6.7], [0.9, 3.0], [0.6, 2.0])]
result = {"fr0": fr, "trials": [r["fr"] for r in res]}
