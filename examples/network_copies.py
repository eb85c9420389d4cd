"""The three conditions of ANNarchy's Network manual, with explicit ``Network`` objects.

100 Poisson inputs drive 100 Izhikevich neurons (probability 0.2, weight 5). The manual
compares the firing of the Izhikevich neurons with no input, with inputs at 10 Hz and
with inputs at 20 Hz, each condition a ``Network`` holding copies of the objects:

* ``net1``: only the Izhikevich population and its monitor (no input);
* ``net2``: everything, inputs at 10 Hz;
* ``net3 = Network(everything=True)`` with ``net3.get(pop1).rates = 20.0``.

They are simulated one after the other, then again with
``parallel_run(method=simulation, networks=[net1, net2, net3])`` on the LocalCluster dasksnn
starts (each run on a copy: the networks here are not changed).

The figure: a raster per condition.

Run: python examples/network_copies.py [--quick] [--out DIR]
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

ann.setup(seed=7)
pop1 = ann.PoissonPopulation(100, rates=10.0, name="pop1")
pop2 = ann.Population(100, ann.Izhikevich, name="pop2")
proj = ann.Projection(pop1, pop2, "exc")
proj.connect_fixed_probability(weights=5.0, probability=0.2)
m = ann.Monitor(pop2, "spike")

CONDITIONS = ["no input", "input at 10 Hz", "input at 20 Hz"]


def networks() -> list:
    """The manual's three networks, compiled."""
    net1 = ann.Network(seed=1)
    net1.add([pop2, m])
    net2 = ann.Network(seed=2)
    net2.add([pop1, pop2, proj, m])
    net3 = ann.Network(everything=True, seed=3)
    net3.get(pop1).rates = 20.0
    for net in (net1, net2, net3):
        net.compile()
    return [net1, net2, net3]


def simulation(idx, net, duration):
    """One condition: simulate, return the raster of the Izhikevich neurons."""
    net.simulate(duration)
    return net.get(m).raster_plot()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 ms instead of 1000 ms (for tests)")
    parser.add_argument("--out", type=Path, default=Path("."), help="folder of the figure")
    args = parser.parse_args()
    duration = 200.0 if args.quick else 1000.0

    nets = networks()
    start = time.perf_counter()
    sequential = [simulation(idx, net, duration) for idx, net in enumerate(networks())]
    seq_s = time.perf_counter() - start
    start = time.perf_counter()
    results = ann.parallel_run(method=simulation, networks=nets, duration=[duration] * 3)
    par_s = time.perf_counter() - start
    print(f"dashboard: {ann.get_client().dashboard_link}")
    same = all(np.array_equal(a[0], b[0]) for a, b in zip(sequential, results, strict=True))
    assert all(net.get_time() == 0.0 for net in nets), "parallel_run works on copies"

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharex=True, sharey=True, layout="constrained")
    rates = []
    for (t, n), name, ax in zip(results, CONDITIONS, axes, strict=True):
        rates.append(len(t) / 100 / (duration / 1000.0))
        plotting.raster(t, n, ax, title=f"{name}: {rates[-1]:.1f} Hz")
    axes[0].set_xlim(0.0, duration)
    axes[0].set_ylim(-1, 100)
    for ax in axes[1:]:
        ax.set_ylabel("")
    path = args.out / "network_copies.png"
    fig.savefig(path, dpi=100)

    print(f"3 networks, {duration:.0f} ms: one after the other {seq_s:.2f} s, "
          f"parallel_run {par_s:.2f} s (starting the workers included); "
          f"same spikes both ways: {same}; figure {path}")
    for name, rate in zip(CONDITIONS, rates, strict=True):
        print(f"  {name:>15}: {rate:6.2f} Hz")


if __name__ == "__main__":
    main()
