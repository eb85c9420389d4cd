"""ANNarchy's notebook BoldMonitoring1 (v4/BoldMonitoring1.ipynb) without its BOLD monitor (the
extension ANNarchy.extensions.bold is not in dasksnn): two Izhikevich populations computing
their mean firing rate r over 100 ms, one driven harder from 5 to 10 s. Plotting removed.
"""
import numpy as np
import ANNarchy as ann
ann.clear()
pop0 = ann.Population(100, neuron=ann.Izhikevich)
pop1 = ann.Population(100, neuron=ann.Izhikevich)
pop0.noise = 5.0; pop1.noise = 5.0
pop0.compute_firing_rate(window=100.0)
pop1.compute_firing_rate(window=100.0)
mon_pop0 = ann.Monitor(pop0, ["r"], start=False)
mon_pop1 = ann.Monitor(pop1, ["r"], start=False)
ann.compile()
ann.simulate(1000)
mon_pop0.start()
mon_pop1.start()
ann.simulate(5000)
pop0.noise = 7.5
ann.simulate(5000)
pop0.noise = 5
ann.simulate(10000)
mean_fr1 = np.mean(mon_pop0.get("r"), axis=1)
mean_fr2 = np.mean(mon_pop1.get("r"), axis=1)
result = {"len": len(mean_fr1), "p0": [float(np.mean(mean_fr1[a:b])) for a, b in ((0, 5000), (5000, 10000), (10000, 20000))],
          "p1": [float(np.mean(mean_fr2[a:b])) for a, b in ((0, 5000), (5000, 10000), (10000, 20000))]}
