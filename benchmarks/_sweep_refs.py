"""Reference simulators of the parameter-sweep benchmark (``benchmarks/sweep.py``).

Two seed workloads, each run by the tool it comes from, the way its documentation
runs many simulations:

(a) Brian2 sweep: a 4000-neuron current-based network (Brian2's ``CUBA`` equations,
    no refractory period), 3200 excitatory and 800 inhibitory neurons, connection
    probability 0.02 (self-connections allowed, as Brian2's ``connect(p=...)``),
    inhibitory weight -9 mV on ``gi``, excitatory weight ``linspace(0, 3.5, 100)`` mV on
    ``ge``: 100 runs of 100 ms at dt = 0.1 ms, one per weight, each returning the mean
    rate of a ``SpikeMonitor``. ``v`` starts at ``-60 mV + rand() * 10 mV``, ``ge = gi = 0``.
    Brian2 integrates the linear equations exactly (its default ``method`` for them).
    All runs use the same seed: only the weight changes from one run to the next.

    * ``brian2-cython``: runtime mode, Cython target; the 100 runs one after the other,
      and with ``multiprocessing.Pool(2)`` (fork), with a filled cache; the same with an
      empty cache (cold) once.
    * ``brian2-standalone``: ``cpp_standalone`` compiled once, then re-run 100 times with
      ``device.run(run_args={Ce.w: w})`` on one core, the weight being a shared
      constant of the excitatory ``Synapses`` (Brian2 >= 2.6).

(b) ANNarchy: Izhikevich's (2003) pulse-coupled network as in ANNarchy's notebook
    ``Izhikevich.ipynb``: 1000 neurons, 800 excitatory (a = 0.02, b = 0.2,
    c = -65 + 15 re^2, d = 8 - 6 re^2, noise 5) and 200 inhibitory (a = 0.02 + 0.08 ri,
    b = 0.25 - 0.05 ri, c = -65, d = 2, noise 2), ``I = g_exc - g_inh + noise *
    Normal(0, 1)``, all-to-all without self-connections, excitatory weights
    Uniform(0, 0.5) on ``exc``, inhibitory weights Uniform(0, 1) on ``inh``, v = -65,
    u = b v; 1000 ms at dt = 1 ms. ``re``/``ri`` are drawn from each network's own
    generator. 8 networks (seeds ``seed + 1 .. seed + 8``) by ANNarchy's
    ``Network.parallel_run(method, number=8, max_processes=1)`` (its sequential form:
    ANNarchy 5 has no ``sequential=True``; it is a ``Pool(1)``) and ``max_processes=2``.

    * ``annarchy-4.8``: ANNarchy 4.8's notebook ``MultipleNetworks.ipynb`` as written
      (``_annarchy48.py``: ``from ANNarchy import *``, the built-in ``Izhikevich``, the
      network built at module level, ``parallel_run(method=run_network, number=8, ...)``
      with ``sequential=True``, then on 2 processes), under ``--ref-python-annarchy48``
      (default ``.venv-annarchy48``).

Each measurement runs in a fresh subprocess of the reference interpreter, which
re-invokes this script with ``--worker TOOL`` and prints one JSON line after ``MARK``.
:func:`measure` runs them and returns medians; the ``dasksnn_*`` functions build the
same networks in dasksnn (under the dasksnn interpreter) to check its rates. Usage::

    .venv-bench/bin/python benchmarks/_sweep_refs.py --tools brian2-cython \\
        brian2-standalone annarchy annarchy-4.8 --repeats 3
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _common import MARK, Tool, _env, _run, default_ref_python, probe_tool

# (a) the Brian2 sweep
CUBA_N, CUBA_N_EXC, CUBA_P = 4000, 3200, 0.02
CUBA_WI = -9.0  # mV, on gi
CUBA_WEIGHTS = tuple(float(w) for w in np.linspace(0.0, 3.5, 100))  # mV, on ge
CUBA_DURATION, CUBA_DT = 100.0, 0.1  # ms
# (b) the ANNarchy Izhikevich networks
IZH_N, IZH_N_EXC = 1000, 800
IZH_DURATION, IZH_DT = 1000.0, 1.0  # ms
IZH_NETWORKS = 8
# a cold Brian2 Cython sweep longer than this is measured only with Pool(2)
COLD_LIMIT_S = 120.0

REF_TOOLS: dict[str, Tool] = {
    "brian2-cython": Tool("brian2", "brian2", ref=True, cached=True),
    "brian2-standalone": Tool("brian2", "brian2", ref=True, cached=True),
    "annarchy": Tool("ANNarchy", "annarchy", ref=True, cached=True),
    "annarchy-4.8": Tool("ANNarchy", "annarchy", ref=True, cached=True),
}
# the interpreter of each tool that does not run under --ref-python, and the version it must have
OWN_PYTHON = {"annarchy-4.8": Path(__file__).resolve().parents[1] / ".venv-annarchy48" / "bin" / "python"}
REQUIRED_VERSION = {"annarchy-4.8": "4.8"}


def set_izhikevich_parameters(exc: Any, inh: Any, rng: np.random.Generator) -> None:
    """Izhikevich's (2003) heterogeneous parameters on the excitatory and inhibitory views
    (the same attribute names in ANNarchy and dasksnn)."""
    re, ri = rng.random(IZH_N_EXC), rng.random(IZH_N - IZH_N_EXC)
    exc.noise, inh.noise = 5.0, 2.0
    exc.a, inh.a = 0.02, 0.02 + 0.08 * ri
    exc.b, inh.b = 0.2, 0.25 - 0.05 * ri
    exc.c, inh.c = -65.0 + 15.0 * re**2, -65.0
    exc.d, inh.d = 8.0 - 6.0 * re**2, 2.0


def izh_seeds(seed: int) -> list[int]:
    """Seeds of the networks of workload (b)."""
    return [seed + 1 + i for i in range(IZH_NETWORKS)]


# ---------------------------------------------------------------- Brian2 (a)
def _cuba_brian2(b2: Any, seed: int) -> tuple[Any, Any, Any]:
    """Network (a) in the current Brian2 device: (network, excitatory synapses, monitor)."""
    b2.defaultclock.dt = CUBA_DT * b2.ms
    b2.seed(seed)
    eqs = """
    dv/dt = (ge+gi-(v+49*mV))/(20*ms) : volt
    dge/dt = -ge/(5*ms) : volt
    dgi/dt = -gi/(10*ms) : volt
    """
    pop = b2.NeuronGroup(CUBA_N, eqs, threshold="v>-50*mV", reset="v=-60*mV")
    pop.v = "-60*mV + rand()*10*mV"
    ce = b2.Synapses(pop[:CUBA_N_EXC], pop, "w : volt (constant, shared)", on_pre="ge += w")
    ce.connect(p=CUBA_P)
    ci = b2.Synapses(pop[CUBA_N_EXC:], pop, on_pre=f"gi += {CUBA_WI}*mV")
    ci.connect(p=CUBA_P)
    mon = b2.SpikeMonitor(pop)
    return b2.Network(pop, ce, ci, mon), ce, mon


def _cuba_rate(mon: Any) -> float:
    return int(mon.num_spikes) / CUBA_N / (CUBA_DURATION / 1000.0)


def _brian2_cython_one(args: tuple[float, int]) -> float:
    """One run of the sweep in Brian2's runtime mode: mean rate (Hz) for weight ``w`` mV."""
    import brian2 as b2

    we_mv, seed = args  # not "w": Brian2 would warn that the run namespace shadows Ce.w
    net, ce, mon = _cuba_brian2(b2, seed)
    ce.w = we_mv * b2.mV
    net.run(CUBA_DURATION * b2.ms)
    return _cuba_rate(mon)


def brian2_cython(cache: str, processes: int, seed: int) -> dict[str, Any]:
    """The 100 runs with Brian2's Cython target, caching compiled code in ``cache``.

    ``processes`` 1: one after the other in this process; more: a fork
    ``multiprocessing.Pool(processes)`` (the workers share the cache). ``sweep_s`` is
    the time of the 100 runs (Pool creation included, ``import brian2`` not).
    """
    import brian2 as b2

    b2.prefs.codegen.target = "cython"
    b2.prefs.codegen.runtime.cython.cache_dir = cache
    b2.prefs.logging.file_log = False
    jobs = [(w, seed) for w in CUBA_WEIGHTS]
    t0 = time.perf_counter()
    if processes == 1:
        rates = [_brian2_cython_one(job) for job in jobs]
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            rates = pool.map(_brian2_cython_one, jobs)
    return {"sweep_s": time.perf_counter() - t0, "processes": processes, "rates": rates}


def brian2_standalone(cache: str, seed: int) -> dict[str, Any]:
    """Compile network (a) once with cpp_standalone, then run it for every weight.

    ``compile_s``: model construction, code generation and compilation (empty project
    directory), of which ``make_s`` is the ``make`` call; ``runs_s``: the 100
    ``device.run(run_args={Ce.w: w})`` calls and the reading of their spike counts, one
    binary at a time, of which ``binary_s`` is the binaries' own run time.
    """
    import brian2 as b2

    b2.prefs.logging.file_log = False
    project = os.path.join(cache, "standalone")
    t0 = time.perf_counter()
    b2.set_device("cpp_standalone", directory=project, build_on_run=False)
    net, ce, mon = _cuba_brian2(b2, seed)
    net.run(CUBA_DURATION * b2.ms)
    b2.device.build(directory=project, compile=True, run=False)
    t1 = time.perf_counter()
    rates, binary_s = [], 0.0
    for w in CUBA_WEIGHTS:
        b2.device.run(run_args={ce.w: w * b2.mV}, with_output=False)
        binary_s += b2.device.timers["run_binary"]
        rates.append(_cuba_rate(mon))
    t2 = time.perf_counter()
    return {"compile_s": t1 - t0, "make_s": b2.device.timers["compile"]["make"], "runs_s": t2 - t1,
            "binary_s": binary_s, "total_s": t2 - t0, "rates": rates}


# ---------------------------------------------------------------- ANNarchy (b)
def _izhikevich_network_class() -> type:
    """ANNarchy ``Network`` subclass of workload (b), made a global of this module.

    ``parallel_run`` needs a subclass and pickles it (and the simulation method) by
    name; ANNarchy is imported only here, so that this module imports without it.
    """
    cls = globals().get("IzhikevichNetwork")
    if cls is not None:
        return cls
    import ANNarchy as ann

    neuron = ann.Neuron(
        parameters=dict(
            noise=ann.Parameter(5.0, locality="local"),
            a=ann.Parameter(0.02, locality="local"),
            b=ann.Parameter(0.2, locality="local"),
            c=ann.Parameter(-65.0, locality="local"),
            d=ann.Parameter(2.0, locality="local"),
            v_thresh=30.0,
        ),
        equations=[
            "I = g_exc - g_inh + noise * Normal(0.0, 1.0)",
            "dv/dt = 0.04 * v^2 + 5.0 * v + 140.0 - u + I",
            "du/dt = a * (b*v - u)",
        ],
        spike="v >= v_thresh",
        reset="v = c\nu += d",
    )

    class IzhikevichNetwork(ann.Network):
        def __init__(self) -> None:
            pop = self.create(geometry=IZH_N, neuron=neuron)
            exc, inh = pop[:IZH_N_EXC], pop[IZH_N_EXC:]
            rng = self.default_rng
            set_izhikevich_parameters(exc, inh, rng)
            exc.v, inh.v = -65.0, -65.0
            exc.u, inh.u = exc.v * exc.b, inh.v * inh.b
            self.connect(exc, pop, "exc").all_to_all(weights=ann.Uniform(0.0, 0.5, rng=rng))
            self.connect(inh, pop, "inh").all_to_all(weights=ann.Uniform(0.0, 1.0, rng=rng))
            self.m = self.monitor(pop, ["spike"])

    IzhikevichNetwork.__module__ = __name__
    IzhikevichNetwork.__qualname__ = "IzhikevichNetwork"
    globals()["IzhikevichNetwork"] = IzhikevichNetwork
    return IzhikevichNetwork


def _izh_simulate(net: Any) -> float:
    """``parallel_run`` method: simulate one network, return its mean rate (Hz)."""
    net.simulate(IZH_DURATION)
    spikes = net.m.get("spike")
    return sum(len(s) for s in spikes.values()) / IZH_N / (IZH_DURATION / 1000.0)


def annarchy(cache: str, seed: int) -> dict[str, Any]:
    """Compile network (b) in an empty directory, then run 8 copies with ``parallel_run``.

    ``compile_s``: construction and compilation; ``seq_s``/``par2_s``: ``parallel_run``
    with ``max_processes`` 1 and 2 (each copy builds its connectivity and loads the
    compiled library in a fresh worker); ``sim_s``: ``simulate`` of one network.
    """
    cls = _izhikevich_network_class()
    t0 = time.perf_counter()
    net = cls(dt=IZH_DT, seed=seed)
    net.compile(directory=os.path.join(cache, "annarchy"), silent=True)
    out: dict[str, Any] = {"compile_s": time.perf_counter() - t0}
    for procs, key in ((1, "seq"), (2, "par2")):
        t = time.perf_counter()
        rates = net.parallel_run(method=_izh_simulate, number=IZH_NETWORKS, max_processes=procs,
                                 seeds=izh_seeds(seed))
        out[f"{key}_s"] = time.perf_counter() - t
        out[f"{key}_rates"] = [float(r) for r in rates]
    t = time.perf_counter()
    net.simulate(IZH_DURATION)
    out["sim_s"] = time.perf_counter() - t
    out["rates"] = out["seq_rates"]
    return out


def annarchy48(cache: str, seed: int) -> dict[str, Any]:
    """ANNarchy 4.8's notebook (``_annarchy48.py``), compiled in ``cache``: ``compile_s``,
    ``seq_s`` (``sequential=True``), ``par2_s`` (``max_processes=2``), ``sim_s``."""
    import _annarchy48  # imports ANNarchy 4.8

    return _annarchy48.notebook(os.path.join(cache, "annarchy"), seed)


WORKERS = {
    "brian2-cython": lambda a: brian2_cython(a.cache, a.processes, a.seed),
    "brian2-standalone": lambda a: brian2_standalone(a.cache, a.seed),
    "annarchy": lambda a: annarchy(a.cache, a.seed),
    "annarchy-4.8": lambda a: annarchy48(a.cache, a.seed),
}


def worker_main(argv: list[str]) -> None:
    """Entry point of a worker subprocess: one measurement, one MARK line."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", required=True, choices=sorted(WORKERS))
    ap.add_argument("--cache", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--processes", type=int, default=1)
    a = ap.parse_args(argv)
    sys.argv = sys.argv[:1]  # ANNarchy parses sys.argv on import
    res = WORKERS[a.worker](a)
    sys.stdout.flush()
    print(MARK + json.dumps(res), flush=True)


# ---------------------------------------------------------------- driver side
# The machine may be shared: before each measurement wait (up to QUIET_WAIT_S) until the
# other processes use less than QUIET_CPUS, and record how many CPUs they used meanwhile.
QUIET_WAIT_S, QUIET_CPUS = 120.0, 0.3


def _cpu_busy_s() -> float | None:
    """Busy CPU seconds of the whole machine since boot (Linux), None elsewhere."""
    try:
        with open("/proc/stat") as fh:
            ticks = [int(x) for x in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait


def _children_cpu_s() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_quiet(max_wait: float = QUIET_WAIT_S, cpus: float = QUIET_CPUS) -> float | None:
    """Wait until other processes use less than ``cpus`` CPUs (2 s windows), at most
    ``max_wait`` seconds; return the load of the last window (None: unknown)."""
    deadline = time.monotonic() + max_wait
    while True:
        b0 = _cpu_busy_s()
        if b0 is None:
            return None
        time.sleep(2.0)
        load = (_cpu_busy_s() - b0) / 2.0
        if load < cpus or time.monotonic() >= deadline:
            return load


def _worker(name: str, cache: str, python: str, seed: int, timeout: float, quiet_wait: float,
            processes: int = 1) -> dict[str, Any]:
    """Run one worker subprocess; its result plus ``process_s`` (wall time) and
    ``background_cpus`` (CPUs used by other processes meanwhile), or ``error``."""
    cmd = [python, str(Path(__file__).resolve()), "--worker", name, "--cache", cache,
           "--seed", str(seed), "--processes", str(processes)]
    if quiet_wait > 0:
        wait_quiet(quiet_wait)
    b0, c0 = _cpu_busy_s(), _children_cpu_s()
    res, wall, err = _run(cmd, _env(REF_TOOLS[name], python), cache, timeout)
    b1, c1 = _cpu_busy_s(), _children_cpu_s()
    bg = max(0.0, (b1 - b0 - (c1 - c0)) / wall) if b0 is not None and wall > 0 else None
    extra = {"process_s": wall, "background_cpus": bg}
    return {**res, **extra} if res is not None else {"error": err, **extra}


def _med(runs: list[dict[str, Any]], key: str) -> float | None:
    vals = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def _first_error(runs: list[dict[str, Any]]) -> str | None:
    return next((r["error"] for r in runs if "error" in r), None)


def _measure_cython(run: Callable[..., dict[str, Any]], repeats: int, cold: bool) -> dict[str, Any]:
    """Cold Pool(2) in an empty cache (and cold sequential if that took < COLD_LIMIT_S),
    then ``repeats`` x (sequential, Pool(2)) with the cache filled."""
    out: dict[str, Any] = {"notes": [], "background": {}}
    cache = tempfile.mkdtemp(prefix="bench-sweep-cython-")
    try:
        if cold:
            first = run("brian2-cython", cache, processes=2)
        else:  # fill the cache
            first = run("brian2-cython", cache, processes=1)
        if "error" in first:
            return {"status": f"failed ({first['error']})"}
        if cold:
            out["cold_par2_s"] = first["sweep_s"]
            out["background"]["cold_par2_s"] = first["background_cpus"]
            if first["sweep_s"] < COLD_LIMIT_S:
                other = tempfile.mkdtemp(prefix="bench-sweep-cython-")
                try:
                    seq = run("brian2-cython", other, processes=1)
                finally:
                    shutil.rmtree(other, ignore_errors=True)
                out["cold_seq_s"] = seq.get("sweep_s")
                out["background"]["cold_seq_s"] = seq.get("background_cpus")
            else:
                out["notes"].append(f"cold Pool(2) took {first['sweep_s']:.0f} s > "
                                    f"{COLD_LIMIT_S:.0f} s: cold sequential not measured")
        seq_runs, par_runs = [], []
        for _ in range(repeats):
            seq_runs.append(run("brian2-cython", cache, processes=1))
            par_runs.append(run("brian2-cython", cache, processes=2))
        err = _first_error(seq_runs + par_runs)
        if err:
            return {"status": f"failed ({err})"}
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    out |= {
        "seq_s": _med(seq_runs, "sweep_s"),
        "par2_s": _med(par_runs, "sweep_s"),
        "seq_process_s": _med(seq_runs, "process_s"),
        "par2_process_s": _med(par_runs, "process_s"),
        "rates": seq_runs[0]["rates"],
        "same_rates_in_pool": seq_runs[0]["rates"] == par_runs[0]["rates"],
    }
    out["background"] |= {"seq_s": _med(seq_runs, "background_cpus"),
                          "par2_s": _med(par_runs, "background_cpus")}
    return out


def _measure_fresh(name: str, keys: tuple[str, ...], run: Callable[..., dict[str, Any]],
                   repeats: int) -> dict[str, Any]:
    """``repeats`` workers, each in an empty directory (cold compile); medians of ``keys``."""
    runs = []
    for _ in range(repeats):
        cache = tempfile.mkdtemp(prefix=f"bench-sweep-{name}-")
        try:
            runs.append(run(name, cache))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        if "error" in runs[-1]:
            return {"status": f"failed ({runs[-1]['error']})"}
    out = {key: _med(runs, key) for key in (*keys, "process_s")}
    bg = _med(runs, "background_cpus")
    out["background"] = {key: bg for key in keys}
    out["rates"] = runs[0]["rates"]
    out["same_rates_each_repeat"] = all(r["rates"] == runs[0]["rates"] for r in runs)
    if name.startswith("annarchy"):
        out["par2_rates"] = runs[0]["par2_rates"]
    out["notes"] = []
    return out


def measure(name: str, python: str | None = None, repeats: int = 3, seed: int = 42,
            timeout: float = 1800.0, cold: bool = True, quiet_wait: float = QUIET_WAIT_S) -> dict[str, Any]:
    """Measure one reference tool; a dict of figures (seconds, medians) and rates (Hz).

    ``brian2-cython``: ``seq_s``, ``par2_s`` (warm cache), ``cold_par2_s``,
    ``cold_seq_s`` (once each, ``cold=True``); ``brian2-standalone``: ``compile_s``
    (``make_s``), ``runs_s`` (``binary_s``), ``total_s``; ``annarchy``, ``annarchy-4.8``:
    ``compile_s``, ``seq_s``, ``par2_s``, ``sim_s``. ``python``: the tool's interpreter
    (default: :func:`ref_python`). ``rates``: the 100 mean rates of the sweep, in the order of
    :data:`CUBA_WEIGHTS`, or the 8 of the Izhikevich networks. ``status`` instead when
    the tool is missing or failed. ``background``: CPUs used by other processes during
    the runs behind each figure; before each run, wait up to ``quiet_wait`` s for an
    idle machine.
    """
    python = python or ref_python(name)
    version, err = probe_tool(REF_TOOLS[name], python)
    if version is None:
        return {"status": f"not installed under {python} ({err})"}
    required = REQUIRED_VERSION.get(name)
    if required and not version.startswith(required):
        return {"status": f"{python} has ANNarchy {version}, not {required}"}
    run = functools.partial(_worker, python=python, seed=seed, timeout=timeout, quiet_wait=quiet_wait)
    if name == "brian2-cython":
        out = _measure_cython(run, repeats, cold)
    elif name == "brian2-standalone":
        out = _measure_fresh(name, ("compile_s", "make_s", "runs_s", "binary_s", "total_s"), run, repeats)
    else:
        out = _measure_fresh(name, ("compile_s", "seq_s", "par2_s", "sim_s"), run, repeats)
    return {"version": version, **out}


def ref_python(name: str, default: str | None = None, own: dict[str, str] | None = None) -> str:
    """The interpreter that runs tool ``name``: ``own[name]`` (else the tool's own venv, see
    :data:`OWN_PYTHON`) for a tool that has one, else ``default`` (else ``.venv-bench``)."""
    if name in OWN_PYTHON:
        return (own or {}).get(name) or str(OWN_PYTHON[name])
    return default or default_ref_python()


# what the table shows: (tool, key, label)
ROWS = (
    ("brian2-cython", "seq_s", "100 runs, sequential, warm cache"),
    ("brian2-cython", "par2_s", "100 runs, Pool(2), warm cache"),
    ("brian2-cython", "cold_seq_s", "100 runs, sequential, cold cache (once)"),
    ("brian2-cython", "cold_par2_s", "100 runs, Pool(2), cold cache (once)"),
    ("brian2-standalone", "compile_s", "build + compile (once)"),
    ("brian2-standalone", "make_s", "  of which make"),
    ("brian2-standalone", "runs_s", "100 runs with run_args, one core"),
    ("brian2-standalone", "binary_s", "  of which the binaries run"),
    ("brian2-standalone", "total_s", "total"),
    ("annarchy", "compile_s", "compile (empty directory)"),
    ("annarchy", "seq_s", "parallel_run 8 nets, max_processes=1"),
    ("annarchy", "par2_s", "parallel_run 8 nets, max_processes=2"),
    ("annarchy", "sim_s", "simulate 1 net, 1000 ms"),
    ("annarchy-4.8", "compile_s", "notebook build + compile (empty directory)"),
    ("annarchy-4.8", "seq_s", "parallel_run 8 nets, sequential=True"),
    ("annarchy-4.8", "par2_s", "parallel_run 8 nets, max_processes=2"),
    ("annarchy-4.8", "sim_s", "simulate 1 net, 1000 ms"),
)
RATE_CHECK = (0, 33, 46, 66, 99)  # indices of CUBA_WEIGHTS shown in the rate table


def table(results: dict[str, dict[str, Any]], repeats: int) -> str:
    """Plain-text tables of the figures and of the mean rates."""
    head = f"{'tool':<18} {'figure':<42} {'seconds':>9} {'other load':>10}"
    out = [f"Sweep reference simulators (medians of {repeats}; cold: once)", head, "-" * len(head)]
    for name, res in results.items():
        if "status" in res:
            out.append(f"{name:<18} {res['status']}")
            continue
        for tool, key, label in ROWS:
            if tool == name and res.get(key) is not None:
                bg = res.get("background", {}).get(key)
                bg_cell = "-" if bg is None else f"{bg:.2f} CPU"
                out.append(f"{name:<18} {label:<42} {res[key]:>9.2f} {bg_cell:>10}")
        out += [f"{name:<18}   note: {n}" for n in res.get("notes", [])]
    out.append("other load: CPUs used by other processes during the measurement (median)")
    out.append("")
    for name in ("brian2-cython", "brian2-standalone"):
        if "rates" in results.get(name, {}):
            rates = results[name]["rates"]
            cells = ", ".join(f"{CUBA_WEIGHTS[i]:.2f} mV: {rates[i]:.1f}" for i in RATE_CHECK)
            out.append(f"{name} mean rate (Hz) by exc. weight: {cells}; "
                       f"mean over the 100: {np.mean(rates):.2f}")
    for name in ("annarchy", "annarchy-4.8"):
        if "rates" in results.get(name, {}):
            rates = results[name]["rates"]
            out.append(f"{name} mean rate (Hz) of the {IZH_NETWORKS} networks: "
                       f"{', '.join(f'{r:.2f}' for r in rates)}; mean {np.mean(rates):.2f}")
    return "\n".join(out)


# ---------------------------------------------------------------- dasksnn equivalents
def dasksnn_cuba(ann: Any, we: float) -> tuple[Any, Any, Any]:
    """Network (a) in ``ann`` (dasksnn) for excitatory weight ``we`` mV, in the default
    network: (population, excitatory projection, spike monitor). Call
    ``ann.setup(dt=CUBA_DT)`` first; self-connections allowed as in Brian2."""
    neuron = ann.Neuron(
        name="CUBA",
        equations="""
            dv/dt = (ge + gi - (v + 49.0)) / 20.0
            5.0 * dge/dt = -ge
            10.0 * dgi/dt = -gi
        """,
        spike="v > -50.0",
        reset="v = -60.0",
    )
    pop = ann.Population(CUBA_N, neuron, name="P")
    pop.v = ann.Uniform(-60.0, -50.0)
    ce = ann.Projection(pop[:CUBA_N_EXC], pop, "ge", name="Ce")
    ce.connect_fixed_probability(CUBA_P, weights=we, allow_self_connections=True)
    ci = ann.Projection(pop[CUBA_N_EXC:], pop, "gi", name="Ci")
    ci.connect_fixed_probability(CUBA_P, weights=CUBA_WI, allow_self_connections=True)
    return pop, ce, ann.Monitor(pop, "spike")


def dasksnn_izhikevich(ann: Any, seed: int) -> tuple[Any, Any]:
    """Network (b) in ``ann`` (dasksnn), in the default network: (population, spike
    monitor); ``re``/``ri`` from ``numpy.random.default_rng(seed)``. Call
    ``ann.setup(dt=IZH_DT, seed=seed)`` first."""
    pop = ann.Population(IZH_N, ann.Izhikevich, name="izh")
    exc, inh = pop[:IZH_N_EXC], pop[IZH_N_EXC:]
    set_izhikevich_parameters(exc, inh, np.random.default_rng(seed))
    pop.v = -65.0
    pop.u = -65.0 * pop.b
    ann.Projection(exc, pop, "exc").connect_all_to_all(weights=ann.Uniform(0.0, 0.5))
    ann.Projection(inh, pop, "inh").connect_all_to_all(weights=ann.Uniform(0.0, 1.0))
    return pop, ann.Monitor(pop, "spike")


def main(argv: list[str] | None = None) -> None:
    """CLI: measure the chosen tools and print the tables."""
    argv = sys.argv[1:] if argv is None else argv
    if "--worker" in argv:
        worker_main(argv)
        return
    ap = argparse.ArgumentParser(description="Sweep benchmark: reference simulators only")
    ap.add_argument("--tools", nargs="+", choices=list(REF_TOOLS), default=list(REF_TOOLS))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-cold", action="store_true", help="skip the cold Brian2 Cython runs")
    ap.add_argument("--ref-python", default=default_ref_python())
    ap.add_argument("--ref-python-annarchy48", default=str(OWN_PYTHON["annarchy-4.8"]),
                    help="interpreter with ANNarchy 4.8 (tool annarchy-4.8)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="s per subprocess")
    ap.add_argument("--quiet-wait", type=float, default=QUIET_WAIT_S,
                    help="s to wait for an idle machine before each measurement (0: never)")
    ap.add_argument("--json", help="dump the figures and rates to this path")
    a = ap.parse_args(argv)
    results = {}
    for name in a.tools:
        t0 = time.perf_counter()
        python = ref_python(name, a.ref_python, {"annarchy-4.8": a.ref_python_annarchy48})
        results[name] = measure(name, python, a.repeats, a.seed, a.timeout, not a.no_cold, a.quiet_wait)
        print(f"  {name}: {results[name].get('version', '')} measured in "
              f"{time.perf_counter() - t0:.0f} s", flush=True)
    print(table(results, a.repeats))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"args": vars(a), "results": results}, fh, indent=1)


if __name__ == "__main__":
    main()
