"""dasksnn's main example: one network, then many runs of it on a local Dask cluster.

1. The ANNarchy documentation network (100 Poisson inputs driving 100 Izhikevich
   neurons), simulated once, as in ANNarchy.
2. ``parallel_run``: the same network for five input rates, one Dask task each, on the
   LocalCluster dasksnn starts (one worker process per core, its dashboard address is
   printed).
3. ``sweep``: a small excitatory-inhibitory network over a grid of two weights and three
   trials, streamed into a Zarr store, returned as a labelled xarray Dataset.

Run: python examples/quickstart.py
"""

import tempfile
from pathlib import Path

import numpy as np

import dasksnn as ann

ann.setup(seed=1)  # dt stays at ANNarchy's default of 1.0 ms
inp = ann.PoissonPopulation(100, rates=10.0, name="input")
pop = ann.Population(100, ann.Izhikevich, name="izhikevich")
proj = ann.Projection(inp, pop, "exc")
proj.connect_fixed_probability(weights=5.0, probability=0.2)
m = ann.Monitor(pop, "spike")


def simulation(idx, net, rate):
    """One run of parallel_run: the network ``net`` with input rate ``rate``."""
    net.get(inp).rates = rate
    net.simulate(1000.0)
    return net.get(m).mean_fr()


def build(we, wi):
    """One network of the sweep: 400 LIF neurons driven by Poisson inputs, with E and I weights."""
    ann.setup(dt=0.1)
    noise = ann.PoissonPopulation(200, rates=20.0, name="noise")
    cells = ann.Population(400, ann.IF_curr_exp(tau_refrac=2.0), name="cells")
    exc, inh = cells[:320], cells[320:]
    ann.Projection(noise, cells, "exc").connect_fixed_probability(0.1, weights=0.5)
    ann.Projection(exc, cells, "exc").connect_fixed_probability(0.05, weights=we)
    ann.Projection(inh, cells, "inh").connect_fixed_probability(0.05, weights=wi)
    ann.Monitor(cells, "spike")


def main() -> None:
    ann.compile()
    ann.simulate(1000.0, measure_time=True)
    print(f"one network: mean rate {m.mean_fr():.2f} Hz, {ann.get_projection(proj.name).nb_synapses} synapses")

    rates = [0.0, 5.0, 10.0, 20.0, 40.0]
    results = ann.parallel_run(method=simulation, number=len(rates), rate=rates, seed=1, measure_time=True)
    for rate, fr in zip(rates, results, strict=True):
        print(f"  input {rate:4.1f} Hz -> Izhikevich neurons {fr:6.2f} Hz")

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "sweep.zarr"
        ds = ann.sweep(build, params={"we": np.linspace(0.0, 0.6, 4), "wi": [0.0, 2.0]}, trials=3,
                       duration=200.0, seed=1, store=store)
        rate = ds.snn.grid()["cells_mean_rate"].mean("trial").load()
        print(f"sweep: {ds.sizes['run']} runs in {store.name}; mean rate (Hz) by we (rows) and wi (columns):")
        print(rate.to_pandas().round(2).to_string())


if __name__ == "__main__":
    main()
