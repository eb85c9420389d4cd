"""The ANNarchy documentation example, with dasksnn in place of ANNarchy.

100 Poisson neurons at 10 Hz drive 100 Izhikevich neurons; spikes are recorded, and the
same network is then run again as an explicit, seeded Network.

Run: python examples/quickstart.py
"""

import dasksnn as ann


def main() -> None:
    ann.setup(seed=1)  # dt stays at ANNarchy's default of 1.0 ms
    pop1 = ann.PoissonPopulation(100, rates=10.0, name="input")
    pop2 = ann.Population(100, ann.Izhikevich, name="izhikevich")
    proj = ann.Projection(pop1, pop2, "exc")
    proj.connect_fixed_probability(weights=5.0, probability=0.2)
    m = ann.Monitor(pop2, "spike")

    # module-level style: the default network
    ann.compile()
    ann.simulate(1000.0, measure_time=True)
    t, _ranks = m.raster_plot()
    print(f"default network: {len(t)} spikes, mean rate {m.mean_fr():.2f} Hz")

    # explicit style: a seeded copy of everything, with its own connectivity
    net = ann.Network(seed=42, everything=True)
    net.get(pop2).v = ann.Uniform(-70.0, -60.0)
    net.compile()
    net.simulate(1000.0)
    t, _n = net.get(m).raster_plot()
    print(f"Network(seed=42): {len(t)} spikes, mean rate {net.get(m).mean_fr():.2f} Hz, "
          f"{net.get(proj).nb_synapses} synapses")


if __name__ == "__main__":
    main()
