"""Brian2's multiprocessing example, redone with dasksnn's ``sweep``.

Brian's example (``examples/multiprocessing/01_using_cython.py``) runs one network per
excitatory weight in a ``multiprocessing.Pool``. Here one ``sweep`` runs every weight and
trial as Dask tasks on the LocalCluster dasksnn starts, and returns a labelled Dataset:

* 4000 neurons, ``dv/dt = (ge + gi - (v + 49 mV)) / 20 ms``, ``dge/dt = -ge / 5 ms``,
  ``dgi/dt = -gi / 10 ms``, threshold -50 mV, reset -60 mV, ``v`` uniform in [-60, -50] mV;
* 3200 excitatory and 800 inhibitory neurons, connection probability 0.02, inhibitory
  weight -9 mV, excitatory weight over ``linspace(0, 3.5, 100)`` mV;
* 100 ms at dt = 0.1 ms, 5 trials per weight (500 runs).

The figure: the network's spike count against the excitatory weight (mean and standard
deviation over trials), and a raster of one run.

Run: python examples/brian_weight_sweep.py [--quick] [--out DIR]
"""

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import dasksnn as ann

BRIAN_LIF = ann.Neuron(
    name="Brian LIF",
    equations="""
        dv/dt = (ge + gi - (v + 49)) / 20 : init=-60.0
        dge/dt = -ge / 5
        dgi/dt = -gi / 10
    """,
    spike="v > -50",
    reset="v = -60",
    units="v/ge/gi mV",
)


def build(we):
    """One run: Brian's network with excitatory weight ``we`` (mV)."""
    ann.setup(dt=0.1)
    P = ann.Population(4000, BRIAN_LIF, name="P")
    P.v = ann.Uniform(-60.0, -50.0)
    ann.Projection(P[:3200], P, "ge").connect_fixed_probability(0.02, weights=we)
    ann.Projection(P[3200:], P, "gi").connect_fixed_probability(0.02, weights=-9.0)
    ann.Monitor(P, "spike")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 weights, 2 trials (for tests)")
    parser.add_argument("--out", type=Path, default=Path("."), help="folder of the figure")
    args = parser.parse_args()
    weights, trials = (np.linspace(0, 3.5, 8), 2) if args.quick else (np.linspace(0, 3.5, 100), 5)

    start = time.perf_counter()
    ds = ann.sweep(build, params={"we": ann.param(weights, units="mV", long_name="excitatory weight")},
                   trials=trials, duration=100.0, seed=2007, measure_time=True)
    elapsed = time.perf_counter() - start
    print(f"dashboard: {ann.get_client().dashboard_link}")

    count = ds.P_spike_count.sum("P_neuron").assign_attrs(long_name="spikes of the 4000 neurons in 100 ms")
    stats = ds.snn.trial_stats(count)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    ds.snn.plot.sweep(count, ax=left, band="std")
    left.set_title(f"mean ± standard deviation over {trials} trials")
    strongest = int(ds.snn.select_runs(we=weights[-1], trial=0)[0])
    ds.snn.plot.raster(run=strongest, ax=right)
    path = args.out / "brian_weight_sweep.png"
    fig.savefig(path, dpi=100)

    print(f"{ds.sizes['run']} runs ({len(weights)} weights x {trials} trials) in {elapsed:.1f} s; figure {path}")
    for we in weights[:: max(1, len(weights) // 4)]:
        row = stats.sel(we=we)
        print(f"  we = {we:4.2f} mV: {float(row['mean']):8.0f} spikes (std {float(row['std']):6.0f})")


if __name__ == "__main__":
    main()
