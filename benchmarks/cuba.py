"""CUBA benchmark (Brette et al. 2007, benchmark 2): dasksnn vs Brian2, NEST, ANNarchy.

Current-based LIF network as in Brian2's ``CUBA`` example (synaptic variables in mV):
``dv/dt = (ge + gi - (v - El)) / taum``.  Usage::

    python benchmarks/cuba.py --sizes 4000 16000 64000 --repeats 3 --json cuba.json
"""

from __future__ import annotations

import sys
import time
from typing import Any

from _common import WorkerArgs, main

WE, WI = 60 * 0.27 / 10, -20 * 4.5 / 10  # mV
TAUM, TAUE, TAUI = 20.0, 5.0, 10.0  # ms
EL, VR, VT, TREF = -49.0, -60.0, -50.0, 5.0  # mV, ms


def run_dasksnn(a: WorkerArgs) -> dict[str, Any]:
    """dasksnn: compile = Network.compile() + one step (numba compiles lazily)."""
    import dasksnn as ann

    t0 = time.perf_counter()
    net = ann.Network(dt=a.dt, seed=a.seed)
    neuron = ann.Neuron(
        parameters=f"""
            El = {EL}
            Vr = {VR}
            Vt = {VT}
            taum = {TAUM}
            taue = {TAUE}
            taui = {TAUI}
        """,
        equations="""
            dv/dt = (ge + gi - (v - El)) / taum
            dge/dt = -ge / taue
            dgi/dt = -gi / taui
        """,
        spike="v > Vt",
        reset="v = Vr",
        refractory=TREF,
    )
    pop = ann.Population(a.n, neuron, name="P")
    ce = ann.Projection(pop[: a.n_exc], pop, "ge")
    ce.connect_fixed_probability(probability=a.p, weights=WE)
    ci = ann.Projection(pop[a.n_exc :], pop, "gi")
    ci.connect_fixed_probability(probability=a.p, weights=WI)
    m = ann.Monitor(pop, "spike")
    net.add([pop, ce, ci, m])
    net.get(pop).v = ann.Uniform(VR, VT)  # drawn from the network's seeded generator
    net.compile()
    net.simulate(a.dt)
    t1 = time.perf_counter()
    net.simulate(a.duration)
    sim = time.perf_counter() - t1
    t, _ = net.get(m).raster_plot()
    return {"setup_s": t1 - t0, "sim_s": sim, "spikes": len(t)}


def run_brian2(a: WorkerArgs, standalone: bool) -> dict[str, Any]:
    """Brian2, Cython runtime or cpp_standalone; sim = Brian2's timing of the loop."""
    import brian2 as b2

    t0 = time.perf_counter()
    if standalone:
        b2.set_device("cpp_standalone", directory=a.cache, build_on_run=False)
    else:
        b2.prefs.codegen.target = "cython"
        b2.prefs.codegen.runtime.cython.cache_dir = a.cache
    b2.defaultclock.dt = a.dt * b2.ms
    b2.seed(a.seed)
    ms, mv = b2.ms, b2.mV
    ns = {
        "taum": TAUM * ms,
        "taue": TAUE * ms,
        "taui": TAUI * ms,
        "El": EL * mv,
        "Vr": VR * mv,
        "Vt": VT * mv,
        "we": WE * mv,
        "wi": WI * mv,
    }
    eqs = """
    dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
    dge/dt = -ge / taue : volt
    dgi/dt = -gi / taui : volt
    """
    # explicit Euler like ANNarchy and dasksnn (Brian2's example uses method="exact")
    pop = b2.NeuronGroup(
        a.n,
        eqs,
        threshold="v > Vt",
        reset="v = Vr",
        refractory=TREF * ms,
        method="euler",
        namespace=ns,
    )
    pop.v = "Vr + rand() * (Vt - Vr)"
    ce = b2.Synapses(pop, pop, on_pre="ge += we", namespace=ns)
    ce.connect(f"i < {a.n_exc}", p=a.p)
    ci = b2.Synapses(pop, pop, on_pre="gi += wi", namespace=ns)
    ci.connect(f"i >= {a.n_exc}", p=a.p)
    mon = b2.SpikeMonitor(pop)
    net = b2.Network(pop, ce, ci, mon)
    net.run(a.duration * ms)
    if standalone:
        b2.device.build(directory=a.cache, compile=True, run=True)
    total = time.perf_counter() - t0
    sim = float(b2.device._last_run_time)  # the run loop, as timed by Brian2
    return {"setup_s": total - sim, "sim_s": sim, "spikes": int(mon.num_spikes)}


def run_nest(a: WorkerArgs) -> dict[str, Any]:
    """NEST iaf_psc_exp (exact integration); currents in pA = mV * C_m / tau_m."""
    import nest

    t0 = time.perf_counter()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.ResetKernel()
    nest.SetKernelStatus(
        {
            "resolution": a.dt,
            "local_num_threads": 1,
            "rng_seed": a.seed,
            "print_time": False,
        }
    )
    c_m = 200.0  # pF
    params = {
        "C_m": c_m,
        "tau_m": TAUM,
        "E_L": EL,
        "V_th": VT,
        "V_reset": VR,
        "t_ref": TREF,
        "tau_syn_ex": TAUE,
        "tau_syn_in": TAUI,
        "I_e": 0.0,
    }
    pop = nest.Create("iaf_psc_exp", a.n, params=params)
    pop.V_m = nest.random.uniform(VR, VT)
    rule = {"rule": "pairwise_bernoulli", "p": a.p}
    nest.Connect(pop[: a.n_exc], pop, rule, {"weight": WE * c_m / TAUM, "delay": a.dt})
    nest.Connect(pop[a.n_exc :], pop, rule, {"weight": WI * c_m / TAUM, "delay": a.dt})
    sr = nest.Create("spike_recorder")
    nest.Connect(pop, sr)
    nest.Prepare()
    t1 = time.perf_counter()
    nest.Run(a.duration)
    sim = time.perf_counter() - t1
    nest.Cleanup()
    return {"setup_s": t1 - t0, "sim_s": sim, "spikes": int(sr.n_events)}


def run_annarchy(a: WorkerArgs) -> dict[str, Any]:
    """ANNarchy 5, single thread; compile() in a directory under the cache dir."""
    import ANNarchy

    t0 = time.perf_counter()
    net = ANNarchy.Network(dt=a.dt, seed=a.seed)
    neuron = ANNarchy.Neuron(
        parameters={
            "El": EL,
            "Vr": VR,
            "Vt": VT,
            "taum": TAUM,
            "taue": TAUE,
            "taui": TAUI,
        },
        equations="""
            taum * dv/dt = g_exc + g_inh - (v - El)
            taue * dg_exc/dt = -g_exc
            taui * dg_inh/dt = -g_inh
        """,
        spike="v > Vt",
        reset="v = Vr",
        refractory=TREF,
    )
    pop = net.create(a.n, neuron)
    pop.v = ANNarchy.Uniform(VR, VT, rng=net.default_rng)
    ce = net.connect(pop[: a.n_exc], pop, "exc")
    ce.fixed_probability(probability=a.p, weights=WE)
    ci = net.connect(pop[a.n_exc :], pop, "inh")
    ci.fixed_probability(probability=a.p, weights=WI)
    m = net.monitor(pop, ["spike"])
    net.compile(directory=f"{a.cache}/annarchy", silent=True)
    t1 = time.perf_counter()
    net.simulate(a.duration)
    sim = time.perf_counter() - t1
    spikes = sum(len(v) for v in m.get("spike").values())
    return {"setup_s": t1 - t0, "sim_s": sim, "spikes": spikes}


WORKERS = {
    "dasksnn": run_dasksnn,
    "brian2-runtime": lambda a: run_brian2(a, standalone=False),
    "brian2-standalone": lambda a: run_brian2(a, standalone=True),
    "nest": run_nest,
    "annarchy": run_annarchy,
}

if __name__ == "__main__":
    main("CUBA", __file__, WORKERS, sys.argv[1:])
