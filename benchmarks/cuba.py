"""CUBA benchmark (Brette et al. 2007, benchmark 2): dasksnn vs Brian2, NEST, ANNarchy.

Current-based LIF network as in Brian2's ``CUBA`` example (synaptic variables in mV):
``dv/dt = (ge + gi - (v - El)) / taum``.  Usage::

    python benchmarks/cuba.py --sizes 4000 16000 64000 --repeats 3 --json cuba.json
"""

from __future__ import annotations

import sys
import time
from typing import Any

from _common import WorkerArgs, main, run_brian2_network, run_dasksnn_network

WE, WI = 60 * 0.27 / 10, -20 * 4.5 / 10  # mV
TAUM, TAUE, TAUI = 20.0, 5.0, 10.0  # ms
EL, VR, VT, TREF = -49.0, -60.0, -50.0, 5.0  # mV, ms


def run_dasksnn(a: WorkerArgs) -> dict[str, Any]:
    """dasksnn: compile = Network.compile() + one step (numba compiles lazily)."""
    neuron = dict(
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
    return run_dasksnn_network(a, neuron, ("ge", WE), ("gi", WI), (VR, VT))


def run_brian2(a: WorkerArgs, standalone: bool) -> dict[str, Any]:
    """Brian2, Cython runtime or cpp_standalone; sim = Brian2's timing of the loop."""
    def namespace(b2: Any) -> dict:
        ms, mv = b2.ms, b2.mV
        return {
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
    return run_brian2_network(a, standalone, eqs, namespace, ("ge += we", "gi += wi"), TREF)


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
