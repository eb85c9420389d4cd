"""The model of ANNarchy's notebook Ramp (v4/Ramp.ipynb) fed with fixed spike trains instead of
Poisson inputs and fixed initial weights, for 10 s: no random number is drawn, so ANNarchy
4.8 and dasksnn give the same rates and weights.
"""



import numpy as np

import ANNarchy as ann
ann.clear()


RSNeuron = ann.Neuron(
    parameters = """
        a = 0.02 : population
        b = 0.2 : population
        c = -65. : population
        d = 8. : population
        tau_ampa = 5. : population
        tau_nmda = 150. : population
        vrev = 0.0 : population
    """ ,
    equations="""
        # Inputs
        I = g_ampa * (vrev - v) + g_nmda * nmda(v, -80.0, 60.0) * (vrev -v)  
        # Membrane potential and recovery variable are solved using the midpoint method for stability     
        dv/dt = (0.04 * v + 5.0) * v + 140.0 - u + I : init=-65., midpoint
        du/dt = a * (b*v - u) : init=-13., midpoint
        # AMPA and NMDA conductances
        tau_ampa * dg_ampa/dt = -g_ampa : exponential
        tau_nmda * dg_nmda/dt = -g_nmda : exponential
    """ , 
    spike = """
        v >= 30.
    """, 
    reset = """
        v = c
        u += d
    """,
    functions = """
        nmda(v, t, s) = ((v-t)/(s))^2 / (1.0 + ((v-t)/(s))^2)
    """
)



rng = np.random.default_rng(7)
T_ms = 10000.0
rates = np.linspace(0.2, 20., 100)
trains = [sorted(set(np.round(rng.uniform(0, T_ms - 10, rng.poisson(r * T_ms / 1000))).tolist())) for r in rates]
inp = ann.SpikeSourceArray(trains)


pop1 = ann.Population(1, RSNeuron)

pop2 = ann.Population(1, RSNeuron)


nearest_neighbour_stdp = ann.Synapse(
    parameters="""
        tau_plus = 20. : projection
        tau_minus = 60. : projection
        A_plus = 0.0002 : projection
        A_minus = 0.000066 : projection
        w_max = 0.03 : projection
    """,
    equations = """
        # Traces
        tau_plus  * dltp/dt = -ltp : exponential
        tau_minus * dltd/dt = -ltd : exponential
        # Nearest-neighbour
        w += if t_post >= t_pre: ltp else: - ltd : min=0.0, max=w_max
    """,
    pre_spike="""
        g_target += w
        ltp = A_plus
    """,         
    post_spike="""
        ltd = A_minus 
    """
)


homeo_stdp = ann.Synapse(
    parameters="""
        # STDP
        tau_plus = 20. : projection
        tau_minus = 60. : projection
        A_plus = 0.0002 : projection
        A_minus = 0.000066 : projection
        w_min = 0.0 : projection
        w_max = 0.03 : projection

        # Homeostatic regulation
        alpha = 0.1 : projection
        beta = 1.0 : projection
        gamma = 50. : projection
        Rtarget = 35. : projection
        T = 5000. : projection
    """,
    equations = """
        # Traces
        tau_plus  * dltp/dt = -ltp : exponential
        tau_minus * dltd/dt = -ltd : exponential
        # Homeostatic values
        R = post.r : postsynaptic
        K = R/(T*(1.+fabs(1. - R/Rtarget) * gamma)) : postsynaptic
        # Nearest-neighbour
        stdp = if t_post >= t_pre: ltp else: - ltd 
        w += (alpha * w * (1- R/Rtarget) + beta * stdp ) * K : min=w_min, max=w_max
    """,
    pre_spike="""
        g_target += w
        ltp = A_plus
    """,         
    post_spike="""
        ltd = A_minus 
    """ 
)


pop1.compute_firing_rate(5000.)
pop2.compute_firing_rate(5000.)


proj1 = ann.Projection(inp, pop1, ['ampa', 'nmda'], synapse=nearest_neighbour_stdp)
proj1.connect_all_to_all(0.02)

proj2 = ann.Projection(inp, pop2, ['ampa', 'nmda'], synapse=homeo_stdp)
proj2.connect_all_to_all(weights=0.02)



ann.compile()

m1 = ann.Monitor(pop1, 'r')
m2 = ann.Monitor(pop2, 'r')
m3 = ann.Monitor(proj1[0], 'w', period=1000.)
m4 = ann.Monitor(proj2[0], 'w', period=1000.)

T = 10
ann.simulate(T*1000., True)

data1 = m1.get('r')
data2 = m2.get('r')
data3 = m3.get('w')
data4 = m4.get('w')

print('Mean Firing Rate without homeostasis:', np.mean(data1[:, 0]))
print('Mean Firing Rate with homeostasis:', np.mean(data2[:, 0]))





result = {"r1_trace": data1[:, 0].tolist(), "r2_trace": data2[:, 0].tolist(), "w1_final": list(proj1.w[0]), "w2_final": list(proj2.w[0]), "r1": float(np.mean(data1[:, 0])), "r2": float(np.mean(data2[:, 0])), "w1": data3.tolist(), "w2": data4.tolist(),
          "w1_end": float(np.mean(proj1.w[0])), "w2_end": float(np.mean(proj2.w[0]))}
