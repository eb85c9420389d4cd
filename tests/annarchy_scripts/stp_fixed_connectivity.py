"""The network of ANNarchy's notebook STP (v4/STP.ipynb) with its connectivity, synaptic
parameters and initial values drawn by NumPy (the same distributions) instead of by the
simulator, for 3 s: ANNarchy 4.8 and dasksnn then give the same spikes.
"""



import numpy as np
import ANNarchy as ann
ann.clear()

dt=0.25
ann.setup(dt=dt)


LIF = ann.Neuron(
    parameters = """
        tau = 30.0 : population
        I = 15.0
        tau_I = 3.0 : population
    """,
    equations = """
        tau * dv/dt = -v + g_exc - g_inh + I : init=13.5
        
        tau_I * dg_exc/dt = -g_exc
        tau_I * dg_inh/dt = -g_inh
    """,
    spike = "v > 15.0",
    reset = "v = 13.5",
    refractory = 3.0
)

P = ann.Population(geometry=500, neuron=LIF)
P.I = np.linspace(14.625, 15.375, 500)
P.v = np.random.default_rng(5).uniform(0.0, 15.0, 500)
Exc = P[:400]
Inh = P[400:]


STP = ann.Synapse(
    parameters = """
        tau_rec = 1.0
        tau_facil = 1.0
        U = 0.1
    """,
    equations = """
        dx/dt = (1 - x)/tau_rec : init = 1.0, event-driven
        du/dt = (U - u)/tau_facil : init = 0.1, event-driven   
    """,
    pre_spike="""
        g_target += w * u * x
        x *= (1 - u)
        u += U * (1 - u)
    """
)


Aee = 1.8
Aei = 5.4
Aie = 7.2
Aii = 7.2

Uee = 0.5
Uei = 0.5
Uie = 0.04
Uii = 0.04

tau_rec_ee = 800.0
tau_rec_ei = 800.0
tau_rec_ie = 100.0
tau_rec_ii = 100.0

tau_facil_ie = 1000.0
tau_facil_ii = 1000.0

rng = np.random.default_rng(11)
def clipped(mu, sigma, lo=None, hi=None, shape=None):
    x = rng.normal(mu, sigma, shape)
    return np.clip(x, lo if lo is not None else -np.inf, hi if hi is not None else np.inf)
projs = []
for pre, post, target, A, Uu, ulo, uhi, trec, tfac, same in [
        (Exc, Exc, 'exc', Aee, Uee, 0.1, 0.9, tau_rec_ee, None, True),
        (Inh, Exc, 'inh', Aei, Uei, 0.1, 0.9, tau_rec_ei, None, False),
        (Exc, Inh, 'exc', Aie, Uie, 0.001, 0.07, tau_rec_ie, tau_facil_ie, False),
        (Inh, Inh, 'inh', Aii, Uii, 0.001, 0.07, tau_rec_ii, tau_facil_ii, True)]:
    mask = rng.random((post.size, pre.size)) < 0.1
    if same:
        np.fill_diagonal(mask, False)
    w = clipped(A, A / 2.0, 0.2 * A, 2.0 * A, mask.shape)
    matrix = [[float(w[i, j]) if mask[i, j] else None for j in range(pre.size)] for i in range(post.size)]
    proj = ann.Projection(pre=pre, post=post, target=target, synapse=STP)
    proj.connect_from_matrix(weights=matrix)
    values = {"U": clipped(Uu, Uu / 2.0, ulo, uhi, mask.shape), "tau_rec": clipped(trec, trec / 2.0, 5.0, None, mask.shape),
              "tau_facil": np.full(mask.shape, dt) if tfac is None else clipped(tfac, tfac / 2.0, 5.0, None, mask.shape)}
    projs.append((proj, mask, values))
ann.compile()
for proj, mask, values in projs:
    for name, v in values.items():
        setattr(proj, name, [v[i][mask[i]].tolist() for i in range(mask.shape[0])])

Me = ann.Monitor(Exc, 'spike')
Mi = ann.Monitor(Inh, 'spike')

duration = 3000.0
ann.simulate(duration, measure_time=True)


data_exc = Me.get()
data_inh = Mi.get()
te, ne = Me.raster_plot(data_exc['spike'])
ti, ni = Mi.raster_plot(data_inh['spike'])

h = Me.histogram(data_exc['spike'], bins=1.0)

rates = []
for neur in data_exc['spike'].keys():
    rates.append(len(data_exc['spike'][neur])/duration*1000.0)


h = np.asarray(h)
high = h > 40
result = {"spikes_e": {str(k): v for k, v in data_exc["spike"].items()}, "exc_fr": float(np.mean(rates)), "n_exc": len(te), "n_inh": len(ti), "hist_len": int(h.size),
          "hist_max": int(h.max()), "bursts": int(np.sum(high[1:] & ~high[:-1]))}
