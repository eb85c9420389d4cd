"""ANNarchy's parallel-simulations notebook (``MultipleNetworks.ipynb``) with dasksnn.

Izhikevich's pulse-coupled network of 1000 neurons (800 excitatory, 200 inhibitory,
all-to-all with uniform weights) is built at module level as in ANNarchy, compiled, then
``run_network(idx, net)`` draws new neuron parameters for each copy, simulates 1000 ms
and returns the raster. ``parallel_run`` runs it on 8 copies: first
``sequential=True`` (in this process), then in parallel as Dask tasks on the
LocalCluster dasksnn starts. The only change to the notebook besides the import: the
per-network draws come from a generator seeded by the run's seed (``net.seed_entropy``),
so that a run gives the same spikes wherever it runs.

The figure: rasters of the first two networks.

Run: python examples/annarchy_parallel_run.py [--quick] [--out DIR]
"""

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import dasksnn as ann
from dasksnn import plotting

ann.setup(seed=42)
rng = np.random.default_rng(42)

# The whole population, then the excitatory and inhibitory parts, as in the notebook
P = ann.Population(geometry=1000, neuron=ann.Izhikevich, name="P")
Exc = P[:800]
re = rng.random(800)
Exc.noise = 5.0
Exc.a = 0.02
Exc.b = 0.2
Exc.c = -65.0 + 15.0 * re**2
Exc.d = 8.0 - 6.0 * re**2
Exc.v = -65.0
Exc.u = Exc.v * Exc.b

Inh = P[800:]
ri = rng.random(200)
Inh.noise = 2.0
Inh.a = 0.02 + 0.08 * ri
Inh.b = 0.25 - 0.05 * ri
Inh.c = -65.0
Inh.d = 2.0
Inh.v = -65.0
Inh.u = Inh.v * Inh.b

proj_exc = ann.Projection(Exc, P, "exc")
proj_inh = ann.Projection(Inh, P, "inh")
proj_exc.connect_all_to_all(weights=ann.Uniform(0.0, 0.5))
proj_inh.connect_all_to_all(weights=ann.Uniform(0.0, 1.0))

M = ann.Monitor(P, "spike")
ann.compile()

DURATION = 1000.0


def run_network(idx, net, duration):
    """The notebook's method: new parameters for this copy, simulate, return the raster."""
    draw = np.random.default_rng(net.seed_entropy)
    P_local = net.get(P)
    Exc, Inh = P_local[:800], P_local[800:]
    re = draw.random(800)
    Exc.c = -65.0 + 15.0 * re**2
    Exc.d = 8.0 - 6.0 * re**2
    ri = draw.random(200)
    Inh.noise = 2.0
    Inh.a = 0.02 + 0.08 * ri
    Inh.b = 0.25 - 0.05 * ri
    Inh.u = Inh.v * Inh.b
    net.simulate(duration)
    return net.get(M).raster_plot()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 networks of 200 ms (for tests)")
    parser.add_argument("--out", type=Path, default=Path("."), help="folder of the figure")
    args = parser.parse_args()
    number, duration = (4, 200.0) if args.quick else (8, DURATION)

    start = time.perf_counter()
    sequential = ann.parallel_run(method=run_network, number=number, measure_time=True, sequential=True,
                                  duration=[duration] * number)
    seq_s = time.perf_counter() - start
    start = time.perf_counter()
    vals = ann.parallel_run(method=run_network, number=number, measure_time=True, duration=[duration] * number)
    par_s = time.perf_counter() - start
    print(f"dashboard: {ann.get_client().dashboard_link}")
    same = all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(sequential, vals, strict=True))

    fig, axes = plt.subplots(2, 1, figsize=(9, 6), sharex=True, layout="constrained")
    for idx, ax in enumerate(axes):
        t, n = vals[idx]
        plotting.raster(t, n, ax, title=f"network {idx}: {len(t) / 1000 / (duration / 1000):.1f} Hz")
    axes[0].set_xlabel("")
    path = args.out / "annarchy_parallel_run.png"
    fig.savefig(path, dpi=100)

    rates = [len(t) / 1000 / (duration / 1000.0) for t, _ in vals]
    print(f"{number} networks of 1000 neurons, {duration:.0f} ms: sequential {seq_s:.2f} s, "
          f"parallel {par_s:.2f} s (starting the workers included); "
          f"identical spikes: {same}; figure {path}")
    print("  mean rates (Hz): " + ", ".join(f"{r:.2f}" for r in rates))


if __name__ == "__main__":
    main()
