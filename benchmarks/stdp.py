"""COBA 4000 with pair STDP on its excitatory synapses: dasksnn vs Brian2 and ANNarchy.

The network of ``coba.py`` (Brette et al. 2007, benchmark 1) whose excitatory synapses
follow ANNarchy's online STDP (traces ``x`` and ``y`` integrated at events,
``w = clip(w + trace, w_min, w_max)``), 1 s at dt = 0.1 ms. Tools: dasksnn with learning on
(``dasksnn``), with learning disabled (``dasksnn-frozen``), the static network
(``dasksnn-static``), Brian2 (Cython runtime and cpp_standalone), ANNarchy 5 and ANNarchy
4.8 (its interpreter from ``DASKSNN_ANNARCHY_PYTHON``; skipped when unset). Usage::

    python benchmarks/stdp.py --sizes 4000 --repeats 3
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from _common import TOOLS, Tool, WorkerArgs, main, run_dasksnn_network
from coba import EE, EI, EL, I_DRIVE, NEURON, TAUE, TAUI, TAUM, TREF, VR, VT, WE, WI

TAU_PLUS, TAU_MINUS, A_PLUS, A_MINUS, W_MIN, W_MAX = 20.0, 20.0, 0.01, 0.0105, 0.0, 2 * WE
STDP_PARAMETERS = dict(tau_plus=TAU_PLUS, tau_minus=TAU_MINUS, A_plus=A_PLUS, A_minus=A_MINUS,
                       w_min=W_MIN, w_max=W_MAX)


def run_dasksnn(a: WorkerArgs, learning: bool = True, plastic: bool = True) -> dict[str, Any]:
    """dasksnn's COBA with ``STDP`` on the excitatory projection (or static synapses)."""
    import dasksnn as ann

    synapse = ann.STDP(**STDP_PARAMETERS) if plastic else None
    return run_dasksnn_network(a, NEURON, ("exc", WE), ("inh", WI), (VR, VT), synapse, learning)


def run_brian2(a: WorkerArgs, standalone: bool) -> dict[str, Any]:
    """Brian2 with the same rule (traces as event-driven equations)."""
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
    ns = {"taum": TAUM * ms, "taue": TAUE * ms, "taui": TAUI * ms, "El": EL * mv, "Vr": VR * mv,
          "Vt": VT * mv, "Ee": EE * mv, "Ei": EI * mv, "I": I_DRIVE * mv, "taupre": TAU_PLUS * ms,
          "taupost": TAU_MINUS * ms, "dApre": A_PLUS * W_MAX, "dApost": -A_MINUS * W_MAX,
          "wmin": W_MIN, "wmax": W_MAX}
    eqs = """
    dv/dt = (El - v + ge*(Ee - v) + gi*(Ei - v) + I) / taum : volt (unless refractory)
    dge/dt = -ge / taue : 1
    dgi/dt = -gi / taui : 1
    """
    pop = b2.NeuronGroup(a.n, eqs, threshold="v > Vt", reset="v = Vr", refractory=TREF * ms,
                         method="euler", namespace=ns)
    pop.v = "Vr + rand() * (Vt - Vr)"
    ce = b2.Synapses(pop, pop, model="""w : 1
        dApre/dt = -Apre / taupre : 1 (event-driven)
        dApost/dt = -Apost / taupost : 1 (event-driven)""",
                     on_pre="ge += w\nApre += dApre\nw = clip(w + Apost, wmin, wmax)",
                     on_post="Apost += dApost\nw = clip(w + Apre, wmin, wmax)", namespace=ns)
    ce.connect(f"i < {a.n_exc}", p=a.p)
    ce.w = WE
    ci = b2.Synapses(pop, pop, on_pre=f"gi += {WI}", namespace=ns)
    ci.connect(f"i >= {a.n_exc}", p=a.p)
    mon = b2.SpikeMonitor(pop)
    net = b2.Network(pop, ce, ci, mon)
    net.run(a.duration * b2.ms)
    if standalone:
        b2.device.build(directory=a.cache, compile=True, run=True)
    total = time.perf_counter() - t0
    sim = float(b2.device._last_run_time)
    return {"setup_s": total - sim, "sim_s": sim, "spikes": int(mon.num_spikes)}


def _annarchy_neuron(ANNarchy: Any) -> Any:
    return ANNarchy.Neuron(
        parameters=f"El = {EL}\nVr = {VR}\nErev_exc = {EE}\nErev_inh = {EI}\nVt = {VT}\ntau = {TAUM}\n"
                   f"tau_exc = {TAUE}\ntau_inh = {TAUI}\nI = {I_DRIVE}",
        **{key: NEURON[key] for key in ("equations", "spike", "reset", "refractory")})


def run_annarchy(a: WorkerArgs) -> dict[str, Any]:
    """ANNarchy 5, single thread, its built-in STDP."""
    import ANNarchy

    t0 = time.perf_counter()
    net = ANNarchy.Network(dt=a.dt, seed=a.seed)
    pop = net.create(a.n, _annarchy_neuron(ANNarchy))
    pop.v = ANNarchy.Uniform(VR, VT, rng=net.default_rng)
    ce = net.connect(pop[: a.n_exc], pop, "exc", synapse=ANNarchy.STDP(**STDP_PARAMETERS))
    ce.fixed_probability(probability=a.p, weights=WE)
    ci = net.connect(pop[a.n_exc :], pop, "inh")
    ci.fixed_probability(probability=a.p, weights=WI)
    m = net.monitor(pop, ["spike"])
    net.compile(directory=f"{a.cache}/annarchy", silent=True)
    t1 = time.perf_counter()
    net.simulate(a.duration)
    sim = time.perf_counter() - t1
    return {"setup_s": t1 - t0, "sim_s": sim, "spikes": sum(len(v) for v in m.get("spike").values())}


def run_annarchy48(a: WorkerArgs) -> dict[str, Any]:
    """ANNarchy 4.8, single thread, its built-in STDP (the 4.x API)."""
    import ANNarchy

    t0 = time.perf_counter()
    ANNarchy.setup(dt=a.dt, seed=a.seed)
    pop = ANNarchy.Population(a.n, _annarchy_neuron(ANNarchy))
    pop.v = ANNarchy.Uniform(VR, VT)
    ce = ANNarchy.Projection(pop[: a.n_exc], pop, "exc", synapse=ANNarchy.STDP(**STDP_PARAMETERS))
    ce.connect_fixed_probability(probability=a.p, weights=WE)
    ci = ANNarchy.Projection(pop[a.n_exc :], pop, "inh")
    ci.connect_fixed_probability(probability=a.p, weights=WI)
    m = ANNarchy.Monitor(pop, ["spike"])
    ANNarchy.compile(directory=f"{a.cache}/annarchy48", silent=True)
    t1 = time.perf_counter()
    ANNarchy.simulate(a.duration)
    sim = time.perf_counter() - t1
    return {"setup_s": t1 - t0, "sim_s": sim, "spikes": sum(len(v) for v in m.get("spike").values())}


WORKERS = {
    "dasksnn": run_dasksnn,
    "dasksnn-frozen": lambda a: run_dasksnn(a, learning=False),
    "dasksnn-static": lambda a: run_dasksnn(a, plastic=False),
    "brian2-runtime": lambda a: run_brian2(a, standalone=False),
    "brian2-standalone": lambda a: run_brian2(a, standalone=True),
    "annarchy": run_annarchy,
    "annarchy-4.8": run_annarchy48,
}
TOOLS.update({
    "dasksnn-frozen": Tool("dasksnn", "dasksnn", ref=False, cached=True),
    "dasksnn-static": Tool("dasksnn", "dasksnn", ref=False, cached=True),
    "annarchy-4.8": Tool("ANNarchy", "annarchy", ref=True, cached=True,
                         python=os.environ.get("DASKSNN_ANNARCHY_PYTHON") or "unset: DASKSNN_ANNARCHY_PYTHON"),
})
TOOLS.pop("nest", None)

if __name__ == "__main__":
    main("COBA + STDP", __file__, WORKERS, sys.argv[1:])
