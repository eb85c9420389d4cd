"""COBA benchmark (Brette et al. 2007, benchmark 1): dasksnn vs Brian2, NEST, ANNarchy.

Conductance-based LIF network, conductances in units of the leak conductance:
``tau dv/dt = (El - v) + ge (Ee - v) + gi (Ei - v) + I``.  Usage::

    python benchmarks/coba.py --sizes 4000 16000 64000 --repeats 3 --json coba.json
"""

from __future__ import annotations

import sys
import time
from typing import Any

from _common import WorkerArgs, main, run_brian2_network, run_dasksnn_network

WE, WI = 0.6, 6.7  # synaptic weights, in units of the leak conductance
TAUM, TAUE, TAUI = 20.0, 5.0, 10.0  # ms
EL, VR, VT, EE, EI = -60.0, -60.0, -50.0, 0.0, -80.0  # mV
I_DRIVE, TREF = 20.0, 5.0  # mV, ms


# keyword arguments of dasksnn's ``Neuron`` for the COBA neuron (also used by build.py)
NEURON: dict[str, Any] = dict(
    parameters=f"""
        El = {EL}
        Vr = {VR}
        Erev_exc = {EE}
        Erev_inh = {EI}
        Vt = {VT}
        tau = {TAUM}
        tau_exc = {TAUE}
        tau_inh = {TAUI}
        I = {I_DRIVE}
    """,
    equations="""
        tau * dv/dt = (El - v) + g_exc * (Erev_exc - v) + g_inh * (Erev_inh - v) + I
        tau_exc * dg_exc/dt = -g_exc
        tau_inh * dg_inh/dt = -g_inh
    """,
    spike="v > Vt",
    reset="v = Vr",
    refractory=TREF,
)


def run_dasksnn(a: WorkerArgs) -> dict[str, Any]:
    """dasksnn: compile = Network.compile() + one step (numba compiles lazily)."""
    return run_dasksnn_network(a, NEURON, ("exc", WE), ("inh", WI), (VR, VT))


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
            "Ee": EE * mv,
            "Ei": EI * mv,
            "I": I_DRIVE * mv,
        }

    eqs = """
    dv/dt = (El - v + ge*(Ee - v) + gi*(Ei - v) + I) / taum : volt (unless refractory)
    dge/dt = -ge / taue : 1
    dgi/dt = -gi / taui : 1
    """
    return run_brian2_network(a, standalone, eqs, namespace, (f"ge += {WE}", f"gi += {WI}"), TREF)


def run_nest(a: WorkerArgs) -> dict[str, Any]:
    """NEST iaf_cond_exp, same parameters (adaptive RKF45: compare rates only)."""
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
    g_l = 10.0  # nS; C_m = g_L * tau_m, weights in nS = w * g_L, I_e = g_L * 20 mV
    params = {
        "C_m": g_l * TAUM,
        "g_L": g_l,
        "E_L": EL,
        "V_th": VT,
        "V_reset": VR,
        "t_ref": TREF,
        "E_ex": EE,
        "E_in": EI,
        "tau_syn_ex": TAUE,
        "tau_syn_in": TAUI,
        "I_e": g_l * I_DRIVE,
    }
    pop = nest.Create("iaf_cond_exp", a.n, params=params)
    pop.V_m = nest.random.uniform(VR, VT)
    rule = {"rule": "pairwise_bernoulli", "p": a.p}
    nest.Connect(pop[: a.n_exc], pop, rule, {"weight": WE * g_l, "delay": a.dt})
    nest.Connect(pop[a.n_exc :], pop, rule, {"weight": -WI * g_l, "delay": a.dt})
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
            "Erev_exc": EE,
            "Erev_inh": EI,
            "Vt": VT,
            "tau": TAUM,
            "tau_exc": TAUE,
            "tau_inh": TAUI,
            "I": I_DRIVE,
        },
        **{key: NEURON[key] for key in ("equations", "spike", "reset", "refractory")},
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
    main("COBA", __file__, WORKERS, sys.argv[1:])
