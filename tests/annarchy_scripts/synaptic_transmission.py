"""ANNarchy's notebook SynapticTransmission (v4/SynapticTransmission.ipynb): instantaneous,
exponential and alpha-shaped synaptic inputs. Plotting removed.
"""
import numpy as anp
import ANNarchy as ann
ann.clear()
LIF = ann.Neuron(
    parameters="""
        tau = 20.
        E_L = -70.
        v_T = 0.
        v_r = -58.
        tau_b = 10.0
        tau_c = 10.0
    """,
    equations="""
        # Membrane potential
        tau * dv/dt = (E_L - v) + g_a + g_b + alpha_c : init=-70.
        # Exponentially decreasing
        tau_b * dg_b/dt = -g_b : exponential
        # Alpha-shaped
        tau_c * dg_c/dt = -g_c : exponential
        tau_c * dalpha_c/dt = exp((tau_c - dt/2.0)/tau_c) * g_c - alpha_c  : exponential
    """,
    spike="v >= v_T",
    reset="v = v_r",
    refractory = 2.0
)
inp = ann.SpikeSourceArray([10.])
pop = ann.Population(1, LIF)
proj = ann.Projection(inp, pop, 'a')
proj.connect_all_to_all(weights=1.0)
proj = ann.Projection(inp, pop, 'b')
proj.connect_all_to_all(weights=1.0)
proj = ann.Projection(inp, pop, 'c')
proj.connect_all_to_all(weights=1.0)
ann.compile()
m = ann.Monitor(pop, ['g_a', 'g_b', 'alpha_c'])
inp.clear()
ann.simulate(100.)
data = m.get()
result = {k: data[k][:, 0].tolist() for k in ['g_a', 'g_b', 'alpha_c']}
