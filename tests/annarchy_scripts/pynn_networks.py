"""ANNarchy's notebook PyNN (v4/PyNN.ipynb), its two random networks: an EIF network driven
by Poisson inputs and a CUBA network with short-term plasticity. Plotting removed;
``result`` holds statistics of what it plots.
"""
import numpy as np
import ANNarchy as ann
result = {}
ann.setup(dt=0.1)
# 3: EIF network with Poisson inputs
EIF = ann.Neuron(
    parameters = """
        v_rest = -70.0 : population
        cm = 0.2 : population
        tau_m = 10.0 : population
        tau_syn_E = 5.0 : population
        tau_syn_I = 10.0 : population
        e_rev_E = 0.0 : population
        e_rev_I = -80.0 : population
        delta_T = 3.0 : population
        v_thresh = -55.0 : population
        v_reset = -70.0 : population
        v_spike = -20.0 : population
    """,
    equations="""
        dv/dt = (v_rest - v +  delta_T * exp( (v-v_thresh)/delta_T) )/tau_m + ( g_exc * (e_rev_E - v) + g_inh * (e_rev_I - v) )/cm
        tau_syn_E * dg_exc/dt = - g_exc
        tau_syn_I * dg_inh/dt = - g_inh
    """,
    spike = """
        v > v_spike
    """,
    reset = """
        v = v_reset
    """,
    refractory = 2.0
)
i_exc = ann.PoissonPopulation(geometry=200, rates="if t < 200.0 : 2000.0 else : 0.0")
i_inh = ann.PoissonPopulation(geometry=200, rates="if t < 100.0 : 2000.0 else : 0.0")
P = ann.Population(geometry=4000, neuron=EIF)
Pe = P[:3200]
Pi = P[3200:]
we = 1.5 / 1000.0 # excitatory synaptic weight
wi = 2.5 * we # inhibitory synaptic weight
Ce = ann.Projection(Pe, P, 'exc')
Ce.connect_fixed_probability(weights=we, probability=0.05)
Ci = ann.Projection(Pi, P, 'inh')
Ci.connect_fixed_probability(weights=wi, probability=0.05)
Ie = ann.Projection(i_exc, P[:200], 'exc') # inputs to excitatory cells
Ie.connect_one_to_one(weights=we)
Ii = ann.Projection(i_inh, P[3200:3400], 'exc')# inputs to inhibitory cells
Ii.connect_one_to_one(weights=we)
P.v = -70.0 + 10.0 * np.random.rand(P.size)
P.g_exc = (np.random.randn(P.size) * 2.0 + 5.0) * we
P.g_inh = (np.random.randn(P.size) * 2.0 + 5.0) * wi
m = ann.Monitor(P, 'spike')
ann.compile()
ann.simulate(500.0, measure_time=True)
data = m.get()
t, n = m.raster_plot(data['spike'])
result["eif_nspikes"] = len(t)
result["eif_hist"] = np.histogram(t, bins=10, range=(0, 500))[0].tolist()
result["eif_exc_frac"] = float(np.mean(n < 3200))
# 6: CUBA with STP
ann.clear()
duration = 1000.0
LIF = ann.Neuron(
    parameters = """
        tau_m = 20.0 : population
        tau_e = 5.0 : population
        tau_i = 10.0 : population
        E_rest = -49.0 : population
        E_thresh = -50.0 : population
        E_reset = -60.0 : population
    """,
    equations = """
        tau_m * dv/dt = E_rest -v + g_exc - g_inh
        tau_e * dg_exc/dt = -g_exc
        tau_i * dg_inh/dt = -g_inh
    """,
    spike = "v > E_thresh",
    reset = "v = E_reset"
)
STP = ann.Synapse(
    parameters = """
        tau_rec = 200.0 : projection
        tau_facil = 20.0 : projection
        U = 0.2 : projection
    """,
    equations = """
        dx/dt = (1 - x)/tau_rec : init = 1.0, event-driven
        du/dt = (U - u)/tau_facil : init = 0.2, event-driven
    """,
    pre_spike="""
        g_target += w * u * x
        x *= (1 - u)
        u += U * (1 - u)
    """
)
P = ann.Population(geometry=4000, neuron=LIF)
P.v = ann.Uniform(-60.0, -50.0)
Pe = P[:3200]
Pi = P[3200:]
con_e = ann.Projection(pre=Pe, post=P, target='exc', synapse = STP)
con_e.connect_fixed_probability(weights=1.62, probability=0.02)
con_i = ann.Projection(pre=Pi, post=P, target='inh')
con_i.connect_fixed_probability(weights=9.0, probability=0.02)
m = ann.Monitor(P, 'spike')
ann.compile()
ann.simulate(duration, measure_time=True)
data = m.get()
t, n = m.raster_plot(data['spike'])
rates = m.population_rate(data['spike'], 5.0)
print('Total number of spikes: ' + str(len(t)))
result["stp_nspikes"] = len(t)
result["stp_rate_mean"] = float(np.mean(rates))
result["stp_rate_std"] = float(np.std(rates))
