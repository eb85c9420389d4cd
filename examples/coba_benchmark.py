"""Brette et al. (2007), benchmark 1: the COBA network, with raster, rate and ISI plots.

4000 leaky integrate-and-fire neurons with conductance-based exponential synapses
(3200 excitatory, 800 inhibitory), connection probability 0.02, excitatory weight 0.6,
inhibitory weight 6.7, ``v`` uniform in [-60, -50] mV, 1000 ms at dt = 0.1 ms: the
network fires irregularly at about 21 Hz (Brian2, NEST and ANNarchy give 21.0-21.9 Hz).

The figure: a raster of the first 200 neurons, the population rate (5 ms low-pass), and
the histogram of inter-spike intervals with their coefficient of variation.

Run: python examples/coba_benchmark.py [--quick] [--out DIR]
"""

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import dasksnn as ann
from dasksnn import analysis, plotting

COBA = ann.Neuron(
    name="COBA",
    parameters="""
        El = -60.0 : population
        Vr = -60.0 : population
        Erev_exc = 0.0 : population
        Erev_inh = -80.0 : population
        Vt = -50.0 : population
        tau = 20.0 : population
        tau_exc = 5.0 : population
        tau_inh = 10.0 : population
        I = 20.0 : population
    """,
    equations="""
        tau * dv/dt = (El - v) + g_exc * (Erev_exc - v) + g_inh * (Erev_inh - v) + I
        tau_exc * dg_exc/dt = -g_exc
        tau_inh * dg_inh/dt = -g_inh
    """,
    spike="v > Vt",
    reset="v = Vr",
    refractory=5.0,
    units="v/El/Vr/Erev_*/Vt mV, tau* ms",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 ms instead of 1000 ms (for tests)")
    parser.add_argument("--out", type=Path, default=Path("."), help="folder of the figure")
    args = parser.parse_args()
    duration = 300.0 if args.quick else 1000.0

    ann.setup(dt=0.1, seed=2007)
    P = ann.Population(4000, COBA, name="P")
    P.v = ann.Uniform(-60.0, -50.0)
    ann.Projection(P[:3200], P, "exc").connect_fixed_probability(0.02, weights=0.6)
    ann.Projection(P[3200:], P, "inh").connect_fixed_probability(0.02, weights=6.7)
    mon = ann.Monitor(P, "spike")
    start = time.perf_counter()
    ann.compile()
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    ann.simulate(duration)
    sim_s = time.perf_counter() - start
    t, n = mon.raster_plot()
    rate = mon.population_rate(smooth=5.0)
    cv = analysis.coefficient_of_variation(t, n, 4000)
    intervals, _ = analysis.inter_spike_intervals(t, n)

    fig = plt.figure(figsize=(11, 6), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.2, 1])
    raster_ax = top.subplots()
    first = n < 200
    plotting.raster(t[first], n[first], raster_ax, title=f"COBA, 4000 neurons: {mon.mean_fr():.1f} Hz "
                    f"(raster of the first 200)")
    rate_ax, isi_ax = bottom.subplots(1, 2)
    plotting.population_rate(np.arange(rate.size) * 0.1, rate, rate_ax, title="population rate (5 ms low-pass)")
    plotting.isi_histogram(intervals, 1.0, isi_ax, max_isi=100.0,
                           title=f"inter-spike intervals; mean CV {np.nanmean(cv):.2f}")
    path = args.out / "coba_benchmark.png"
    fig.savefig(path, dpi=100)

    print(f"COBA 4000 neurons, {duration:.0f} ms: compile {compile_s:.2f} s, simulate {sim_s:.2f} s; "
          f"mean rate {mon.mean_fr():.2f} Hz (reference 21.0-21.9), mean CV {np.nanmean(cv):.2f}; figure {path}")


if __name__ == "__main__":
    main()
