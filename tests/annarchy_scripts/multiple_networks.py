"""ANNarchy's notebook MultipleNetworks (v4/MultipleNetworks.ipynb): parallel_run of the
Izhikevich network with different random parameters, 4 networks (8 in the notebook), in
this process and on workers. Plotting removed.
"""
import numpy as np
import ANNarchy as ann
ann.clear()
P = ann.Population(geometry=1000, neuron=ann.Izhikevich)
Exc = P[:800]
re = np.random.random(800)
Exc.noise = 5.0
Exc.a = 0.02
Exc.b = 0.2
Exc.c = -65.0 + 15.0 * re**2
Exc.d = 8.0 - 6.0 * re**2
Exc.v = -65.0
Exc.u = Exc.v * Exc.b
Inh = P[800:]
ri = np.random.random(200)
Inh.noise = 2.0
Inh.a = 0.02 + 0.08 * ri
Inh.b = 0.25 - 0.05 * ri
Inh.c = -65.0
Inh.d = 2.0
Inh.v = -65.0
Inh.u = Inh.v * Inh.b
proj_exc = ann.Projection(Exc, P, 'exc')
proj_inh = ann.Projection(Inh, P, 'inh')
proj_exc.connect_all_to_all(weights=ann.Uniform(0.0, 0.5))
proj_inh.connect_all_to_all(weights=ann.Uniform(0.0, 1.0))
M = ann.Monitor(P, 'spike')
ann.compile()
def run_network(idx, net):
    # Retrieve subpopulations
    P_local = net.get(P)
    Exc = P_local[:800]
    Inh = P_local[800:]
    # Randomize initialization
    re = np.random.random(800)
    Exc.c = -65.0 + 15.0 * re**2
    Exc.d = 8.0 - 6.0 * re**2
    ri = np.random.random(200)
    Inh.noise = 2.0
    Inh.a = 0.02 + 0.08 * ri
    Inh.b = 0.25 - 0.05 * ri
    Inh.u = Inh.v * Inh.b
    # Simulate
    net.simulate(1000.)
    # Recordings
    t, n = net.get(M).raster_plot()
    return t, n
vals = ann.parallel_run(method=run_network, number=4, measure_time=True, sequential=True)
vals2 = ann.parallel_run(method=run_network, number=4, measure_time=True)
t1, n1 = vals[0]
t2, n2 = vals[1]
result = {"counts_seq": [len(v[0]) for v in vals], "counts_par": [len(v[0]) for v in vals2],
          "same": bool(len(t1) == len(t2) and np.array_equal(t1, t2))}
