"""ANNarchy's notebook PyNN (v4/PyNN.ipynb), its deterministic examples: IF_curr_alpha driven
by given spike times, IF_cond_exp with delayed inputs, EIF_cond_exp_isfa_ista under a
current step, and a non-linear (NMDA-like) synapse. Plotting removed; ``result`` holds
what it plots. (The notebook's EIF network and CUBA network with STP: pynn_networks.py.)
"""
import numpy as np
import ANNarchy as ann
result = {}
# IF_curr_alpha driven by a Poisson-like spike array
ann.setup(dt=0.1)
ann.clear()
tstop = 1000.0
rate = 100.0
number = int(2*tstop*rate/1000.0)
np.random.seed(26278342)
spike_times = np.add.accumulate(np.random.exponential(1000.0/rate, size=number))
inp  = ann.SpikeSourceArray(list(spike_times))
pop = ann.Population(2, ann.IF_curr_alpha)
pop.tau_refrac = 2.0,
pop.v_thresh = -50.0,
pop.tau_syn_E = 2.0,
pop.tau_syn_I = 2.0
proj = ann.Projection(inp, pop, 'exc')
proj.connect_all_to_all(weights=1.0)
m = ann.Monitor(pop, ['spike', 'v'])
ann.compile()
ann.simulate(tstop)
data = m.get()
result["alpha_v"] = data['v'][:, 0].tolist()
result["alpha_spikes"] = [[int(s) for s in data['spike'][n]] for n in range(2)]
# IF_cond_exp, two spike sources with delays
ann.clear()
tstop = 200.0
spike_sourceE = ann.SpikeSourceArray(spike_times= [float(i) for i in range(5,105,10)] )
spike_sourceI = ann.SpikeSourceArray(spike_times= [float(i) for i in range(155,255,10)])
ifcell = ann.Population(1, ann.IF_cond_exp)
ifcell.set(
    {   'i_offset' : 0.1,    'tau_refrac' : 3.0,
        'v_thresh' : -51.0,  'tau_syn_E'  : 2.0,
        'tau_syn_I': 5.0,    'v_reset'    : -70.0,
        'e_rev_E'  : 0.,     'e_rev_I'    : -80.0 } )
connE = ann.Projection(spike_sourceE, ifcell, 'exc')
connE.connect_all_to_all(weights=0.006, delays=2.0)
connI = ann.Projection(spike_sourceI, ifcell, 'inh')
connI.connect_all_to_all(weights=0.02,  delays=4.0)
m = ann.Monitor(ifcell, ['spike', 'v'])
ann.compile()
ann.simulate(tstop)
data = m.get()
result["cond_v"] = data['v'][:, 0].tolist()
result["cond_spikes"] = [int(s) for s in data['spike'][0]]
# EIF_cond_exp_isfa_ista
ann.clear()
pop = ann.Population(geometry=1, neuron=ann.EIF_cond_exp_isfa_ista)
pop.tau_w, pop.a, pop.b, pop.v_reset = 144.0,  4.0, 0.0805, -70.6
m = ann.Monitor(pop, ['spike', 'v', 'w'])
ann.compile()
ann.simulate(20.0)
pop.i_offset = 1.0
ann.simulate(100.0)
pop.i_offset = 0.0
ann.simulate(20.0)
data = m.get()
spikes = data['spike'][0]
v = data['v'][:, 0]
w = data['w'][:, 0]
result["adex_spikes"] = [int(s) for s in spikes]
result["adex_v"] = v.tolist()
result["adex_w"] = w.tolist()
# non-linear synapse
ann.clear()
Linear = ann.Neuron(equations="dv/dt = 0.1", spike="v>1.0", reset="v=0.0")
Integrator = ann.Neuron(equations="dv/dt = 0.1*(g_exc -v)", spike="v>2.0", reset="v=0.0")
NMDA = ann.Synapse(
    parameters = """
        tau = 10.0 : projection
    """,
    equations = """
        tau * dx/dt = -x
        tau * dg/dt = -g +  x * (1 -g)
    """,
    pre_spike = "x += w",
    psp = "g"
)
input = ann.Population(geometry=2, neuron=Linear)
input.v = [0.0, 0.5]
pop = ann.Population(geometry=1, neuron=Integrator)
proj = ann.Projection(
    pre=input, post=pop, target='exc',
    synapse=NMDA)
proj.connect_from_matrix(weights=[[1.0, 10.0]])
m = ann.Monitor(pop, 'v')
w = ann.Monitor(proj, 'g')
ann.compile()
ann.simulate(100.0)
v = m.get('v')[:, 0]
# the notebook takes w.get('g')[:, 0, :]: ANNarchy gives (steps, post, pre), dasksnn (steps, synapses)
s = np.asarray(w.get('g')).reshape(1000, -1)
result["nmda_v"] = v.tolist()
result["nmda_g"] = s.tolist()
