"""hnn-core's pattern: trials of one network, with a backend choosing where they run.

hnn-core writes ``with MPIBackend(n_procs=2): dpls = simulate_dipole(net, tstop=170.,
n_trials=10)``. dasksnn's analogue is ``simulate_trials(net, n_trials=...)`` inside
``with SequentialBackend():`` (this process) or ``with DaskBackend(client=...):`` (Dask
tasks on that client; without one, the active client or dasksnn's LocalCluster). Each
trial is a copy of the network with its own seed; the result is one Dataset with a
``trial`` dimension.

The network: 800 excitatory and 200 inhibitory conductance-based neurons (Brette et al.
2007's COBA model with its synaptic current ``I_syn`` written out), a Poisson background
and an evoked drive between 50 and 70 ms. The aggregate signal, the analogue of
hnn-core's dipole, is the synaptic current summed over 200 recorded excitatory neurons
(an LFP proxy), plotted per trial and averaged.

Run: python examples/trials_backends.py [--quick] [--out DIR]
"""

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster

import dasksnn as ann
from dasksnn import DaskBackend, SequentialBackend, plotting, simulate_trials

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
    """,
    equations="""
        I_syn = g_exc * (Erev_exc - v) + g_inh * (Erev_inh - v)
        tau * dv/dt = (El - v) + I_syn : init=-60.0
        tau_exc * dg_exc/dt = -g_exc
        tau_inh * dg_inh/dt = -g_inh
    """,
    spike="v > Vt",
    reset="v = Vr",
    refractory=5.0,
    units="v/I_syn/El/Vr/Erev_* mV, tau* ms",
)


def network() -> ann.Network:
    """The network of every trial (not compiled: each trial compiles its own copy)."""
    with ann.building(dt=0.1) as made:
        P = ann.Population(1000, COBA, name="P")
        P.v = ann.Uniform(-60.0, -50.0)
        background = ann.PoissonPopulation(200, rates=8.0, name="background")
        evoked = ann.PoissonPopulation(100, rates="60.0 if t >= 50.0 and t < 70.0 else 0.0", name="evoked")
        ann.Projection(background, P, "exc").connect_fixed_probability(0.1, weights=0.4)
        ann.Projection(evoked, P[:800], "exc").connect_fixed_probability(0.1, weights=0.6)
        ann.Projection(P[:800], P, "exc").connect_fixed_probability(0.02, weights=0.6)
        ann.Projection(P[800:], P, "inh").connect_fixed_probability(0.02, weights=6.7)
        ann.Monitor(P[:200], "I_syn", period=0.5, name="lfp")
        ann.Monitor(P, "spike", name="spikes")
    return made.network


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 trials of 120 ms (for tests)")
    parser.add_argument("--out", type=Path, default=Path("."), help="folder of the figure")
    args = parser.parse_args()
    n_trials, duration = (4, 120.0) if args.quick else (20, 170.0)
    net = network()

    start = time.perf_counter()
    with SequentialBackend():
        in_process = simulate_trials(net, n_trials=n_trials, duration=duration, signal="lfp_I_syn", seed=1)
    seq_s = time.perf_counter() - start
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, env=ann.worker_environment()) as cluster, \
            Client(cluster) as client:
        print(f"dashboard: {client.dashboard_link}")
        start = time.perf_counter()
        with DaskBackend(client=client):
            ds = simulate_trials(net, n_trials=n_trials, duration=duration, signal="lfp_I_syn", seed=1)
        par_s = time.perf_counter() - start
    same = bool((in_process.signal == ds.signal).all())

    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    time_ms = ds.signal["lfp_time"].values
    for trial in ds.trial.values:
        ax.plot(time_ms, ds.signal.sel(trial=trial), color="0.6", linewidth=0.6,
                label="trials" if trial == 0 else None)
    ax.plot(time_ms, ds.signal.mean("trial"), color="C3", linewidth=2, label=f"mean of {n_trials} trials")
    ax.axvspan(50.0, 70.0, color="C0", alpha=0.1, label="evoked drive")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(plotting.label("signal", {**ds.signal.attrs, "long_name": "summed I_syn"}))
    ax.set_title("synaptic current summed over 200 excitatory neurons (LFP proxy)")
    ax.legend(fontsize="small", loc="upper right")
    path = args.out / "trials_backends.png"
    fig.savefig(path, dpi=100)

    peak = ds.signal.mean("trial")
    print(f"{n_trials} trials of {duration:.0f} ms: SequentialBackend {seq_s:.2f} s, DaskBackend {par_s:.2f} s; "
          f"same signal both ways: {same}; figure {path}")
    print(f"  mean rate {float(ds.spikes_mean_rate.mean()):.2f} Hz; mean signal at rest "
          f"{float(peak.sel(lfp_time=slice(20, 50)).mean()):.1f}, during the drive "
          f"{float(peak.sel(lfp_time=slice(50, 70)).mean()):.1f} ({ds.signal.attrs.get('units', '')})")
    assert np.isfinite(peak.values).all()


if __name__ == "__main__":
    main()
