"""Shared machinery for the COBA/CUBA benchmarks: subprocess workers, medians, tables.

Every measurement runs in a fresh subprocess that re-invokes the benchmark script
with ``--worker TOOL``; the worker builds and simulates one network and prints a
single JSON line (prefixed by ``MARK``).  Reference simulators run under the
``--ref-python`` interpreter, dasksnn under the current one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MARK = "@@BENCH_RESULT@@ "


@dataclass(frozen=True)
class WorkerArgs:
    """What one worker process simulates."""

    n: int
    p: float
    cache: str
    seed: int
    duration: float
    dt: float

    @property
    def n_exc(self) -> int:
        """Size of the excitatory part (first 80 %)."""
        return int(0.8 * self.n)


WorkerFn = Callable[[WorkerArgs], dict[str, Any]]


@dataclass(frozen=True)
class Tool:
    """A simulator: module to probe, distribution name, interpreter, cache use."""

    module: str
    dist: str
    ref: bool  # runs under --ref-python
    cached: bool  # has a compile cache: measure cold and warm separately
    python: str | None = None  # its own interpreter, instead of --ref-python


TOOLS: dict[str, Tool] = {
    "dasksnn": Tool("dasksnn", "dasksnn", ref=False, cached=True),
    "brian2-runtime": Tool("brian2", "brian2", ref=True, cached=True),
    "brian2-standalone": Tool("brian2", "brian2", ref=True, cached=True),
    "nest": Tool("nest", "nest-simulator", ref=True, cached=False),
    "annarchy": Tool("ANNarchy", "annarchy", ref=True, cached=True),
}

_PROBE = """
import importlib, importlib.metadata as md, json, sys
mod = importlib.import_module(sys.argv[1])
try:
    v = md.version(sys.argv[2])
except Exception:
    v = str(getattr(mod, "__version__", "dev"))
print({mark!r} + json.dumps(v))
"""


def run_dasksnn_network(a: WorkerArgs, neuron: dict[str, Any], exc: tuple[str, float],
                        inh: tuple[str, float], v_range: tuple[float, float], exc_synapse: Any = None,
                        learning: bool = True) -> dict[str, Any]:
    """Build and simulate the benchmark network in dasksnn.

    ``neuron`` holds the keyword arguments of ``ann.Neuron``; ``exc`` and ``inh`` are
    (target, weight) of the excitatory and inhibitory projections; ``v`` starts uniform
    in ``v_range``. Compile time is ``Network.compile()`` plus one step (the first call
    of a kernel compiles it or loads it from the cache). ``exc_synapse`` is the synapse
    model of the excitatory projection (default static), with ``learning`` on or off.
    """
    import dasksnn as ann

    t0 = time.perf_counter()
    net = ann.Network(dt=a.dt, seed=a.seed)
    pop = ann.Population(a.n, ann.Neuron(**neuron), name="P")
    ce = ann.Projection(pop[: a.n_exc], pop, exc[0], synapse=exc_synapse)
    ce.connect_fixed_probability(probability=a.p, weights=exc[1])
    ci = ann.Projection(pop[a.n_exc :], pop, inh[0])
    ci.connect_fixed_probability(probability=a.p, weights=inh[1])
    m = ann.Monitor(pop, "spike")
    net.add([pop, ce, ci, m])
    net.get(pop).v = ann.Uniform(*v_range)  # drawn from the network's seeded generator
    net.compile()
    if not learning:
        net.disable_learning()
    net.simulate(a.dt)
    t1 = time.perf_counter()
    net.simulate(a.duration)
    sim = time.perf_counter() - t1
    t, _ = net.get(m).raster_plot()
    return {"setup_s": t1 - t0, "sim_s": sim, "spikes": len(t)}


def run_brian2_network(a: WorkerArgs, standalone: bool, eqs: str, namespace: Callable[[Any], dict],
                       on_pre: tuple[str, str], refractory_ms: float) -> dict[str, Any]:
    """Build and simulate the benchmark network in Brian2 (Cython runtime or cpp_standalone).

    ``namespace(brian2)`` returns the model constants with units; ``on_pre`` holds the
    excitatory and inhibitory spike statements. Explicit Euler, as ANNarchy and dasksnn.
    The simulation time is Brian2's own timing of its run loop.
    """
    import brian2 as b2

    t0 = time.perf_counter()
    if standalone:
        b2.set_device("cpp_standalone", directory=a.cache, build_on_run=False)
    else:
        b2.prefs.codegen.target = "cython"
        b2.prefs.codegen.runtime.cython.cache_dir = a.cache
    b2.defaultclock.dt = a.dt * b2.ms
    b2.seed(a.seed)
    ns = namespace(b2)
    pop = b2.NeuronGroup(a.n, eqs, threshold="v > Vt", reset="v = Vr", refractory=refractory_ms * b2.ms,
                         method="euler", namespace=ns)
    pop.v = "Vr + rand() * (Vt - Vr)"
    ce = b2.Synapses(pop, pop, on_pre=on_pre[0], namespace=ns)
    ce.connect(f"i < {a.n_exc}", p=a.p)
    ci = b2.Synapses(pop, pop, on_pre=on_pre[1], namespace=ns)
    ci.connect(f"i >= {a.n_exc}", p=a.p)
    mon = b2.SpikeMonitor(pop)
    net = b2.Network(pop, ce, ci, mon)
    net.run(a.duration * b2.ms)
    if standalone:
        b2.device.build(directory=a.cache, compile=True, run=True)
    total = time.perf_counter() - t0
    sim = float(b2.device._last_run_time)
    return {"setup_s": total - sim, "sim_s": sim, "spikes": int(mon.num_spikes)}


def default_ref_python() -> str:
    """The benchmark venv's interpreter if present, else the current one."""
    cand = REPO / ".venv-bench" / "bin" / "python"
    return str(cand) if cand.exists() else sys.executable


def _env(tool: Tool, python: str) -> dict[str, str]:
    """Subprocess environment: venv activated (ANNarchy's CMake needs it)."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    if tool.ref:
        env["OMP_NUM_THREADS"] = "1"
        bindir = Path(python).parent  # not resolved: keep the venv's symlink
        if (bindir.parent / "pyvenv.cfg").exists():
            env["VIRTUAL_ENV"] = str(bindir.parent)
            env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
            env.pop("PYTHONHOME", None)
    else:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _last_error(text: str) -> str:
    """The most telling line of a failed process's output."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "Error" in ln or "error" in ln or "failed" in ln:
            return ln[:200]
    return lines[-1][:200] if lines else "no output"


def _run(cmd: list[str], env: dict[str, str], cwd: str, timeout: float) -> tuple[Any, float, str]:
    """Run a subprocess; return (MARK payload or None, wall seconds, error text)."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            check=False,
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - t0, f"timeout after {timeout:.0f} s"
    wall = time.perf_counter() - t0
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :]), wall, ""
    return None, wall, _last_error(proc.stderr + "\n" + proc.stdout)


def probe(name: str, python: str) -> tuple[str | None, str]:
    """(version, "") if the tool imports under ``python``, else (None, reason)."""
    return probe_tool(TOOLS[name], python)


def probe_tool(tool: Tool, python: str) -> tuple[str | None, str]:
    """:func:`probe` for a tool that is not in :data:`TOOLS`."""
    cmd = [python, "-c", _PROBE.format(mark=MARK), tool.module, tool.dist]
    version, _, err = _run(cmd, _env(tool, python), tempfile.gettempdir(), 300)
    return version, err


def measure(script: str, name: str, python: str, wa: WorkerArgs, timeout: float) -> list[dict[str, Any]]:
    """One repeat: a cold run in an empty cache dir, then (if cached) a warm one."""
    tool = TOOLS[name]
    cache = tempfile.mkdtemp(prefix=f"bench-{name}-")
    env = _env(tool, python)
    if tool.module == "dasksnn":
        env["DASKSNN_CACHE_DIR"] = cache
    opts = {"--n": wa.n, "--p": wa.p, "--cache": cache, "--seed": wa.seed}
    opts |= {"--duration": wa.duration, "--dt": wa.dt}
    cmd = [python, script, "--worker", name]
    cmd += [str(x) for kv in opts.items() for x in kv]
    runs = []
    try:
        for mode in ("cold", "warm") if tool.cached else ("cold",):
            res, wall, err = _run(cmd, env, cache, timeout)
            rec = {"tool": name, "n": wa.n, "mode": mode, "wall_s": wall}
            rec.update(res if res is not None else {"error": err})
            runs.append(rec)
            if res is None:
                break
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return runs


def worker_main(workers: dict[str, WorkerFn], argv: list[str]) -> None:
    """Entry point of a worker subprocess: simulate once, print one MARK line."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", required=True, choices=sorted(workers))
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--p", type=float, required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--duration", type=float, default=1000.0)
    ap.add_argument("--dt", type=float, default=0.1)
    a = ap.parse_args(argv)
    wa = WorkerArgs(a.n, a.p, a.cache, a.seed, a.duration, a.dt)
    sys.argv = sys.argv[:1]  # ANNarchy parses sys.argv on import
    res = workers[a.worker](wa)
    res["rate_hz"] = res["spikes"] / wa.n / (wa.duration / 1000.0)
    sys.stdout.flush()
    print(MARK + json.dumps(res), flush=True)


def _med(runs: list[dict[str, Any]], key: str) -> float | None:
    vals = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def summarize(runs: list[dict[str, Any]], cached: bool) -> dict[str, Any]:
    """Medians of cold setup, warm process wall time, sim time, spikes and rate."""
    ok = [r for r in runs if "error" not in r]
    cold = [r for r in ok if r["mode"] == "cold"]
    warm = [r for r in ok if r["mode"] == "warm"] if cached else cold
    return {
        "compile_s": _med(cold, "setup_s") if cached else None,
        "warm_s": _med(warm, "wall_s"),
        "sim_s": _med(ok, "sim_s"),
        "spikes": _med(ok, "spikes"),
        "rate_hz": _med(ok, "rate_hz"),
        "runs": len(ok),
    }


def _cell(val: float | None, ref: float | None, fmt: str) -> str:
    if val is None:
        return "-"
    s = format(val, fmt)
    return f"{s} (x{val / ref:.2f})" if ref else s


def table(title: str, rows: dict[str, dict[str, Any]]) -> str:
    """Plain-text table of one size; ratios are tool / dasksnn."""
    ref = rows.get("dasksnn", {})
    cols = ("cold compile s", "warm start s", "simulate s")
    head = f"{'tool':<18} " + " ".join(f"{c:>18}" for c in cols)
    head += f" {'spikes':>9} {'rate Hz':>8}"
    out = [title, head, "-" * len(head)]
    for name, r in rows.items():
        if "status" in r:
            out.append(f"{name:<18} {r['status']}")
            continue
        out.append(
            f"{name:<18} {_cell(r['compile_s'], ref.get('compile_s'), '.2f'):>18} "
            f"{_cell(r['warm_s'], ref.get('warm_s'), '.2f'):>18} "
            f"{_cell(r['sim_s'], ref.get('sim_s'), '.3f'):>18} "
            f"{r['spikes'] or 0:>9.0f} {r['rate_hz'] or 0:>8.2f}"
        )
    return "\n".join(out)


def _python(tool: Tool, ref_python: str) -> str:
    return tool.python or (ref_python if tool.ref else sys.executable)


def main(model: str, script: str, workers: dict[str, WorkerFn], argv: list[str] | None = None) -> None:
    """Driver: parse args, probe tools, measure every size, print tables, dump JSON."""
    argv = sys.argv[1:] if argv is None else argv
    if "--worker" in argv:
        worker_main(workers, argv)
        return
    ap = argparse.ArgumentParser(description=f"{model} benchmark: dasksnn vs reference simulators")
    ap.add_argument("--sizes", type=int, nargs="+", default=[4000, 16000, 64000])
    ap.add_argument("--fan-in", type=float, default=80.0, help="connection probability = fan-in / N")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--duration", type=float, default=1000.0, help="ms")
    ap.add_argument("--dt", type=float, default=0.1, help="ms")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--tools", nargs="+", choices=list(TOOLS), default=list(TOOLS))
    ap.add_argument("--ref-python", default=default_ref_python())
    ap.add_argument("--timeout", type=float, default=1800.0, help="s per subprocess")
    ap.add_argument("--json", help="dump raw numbers to this path")
    a = ap.parse_args(argv)

    status: dict[str, str] = {}
    print(f"{model}: reference python {a.ref_python}")
    for name in a.tools:
        python = _python(TOOLS[name], a.ref_python)
        version, err = probe(name, python)
        if version is None:
            status[name] = f"failed ({err})" if name == "dasksnn" else f"not installed ({err})"
        print(f"  {name:<18} {version if version else status[name]}")

    raw: list[dict[str, Any]] = []
    summary: dict[str, dict[str, dict[str, Any]]] = {}
    for n in a.sizes:
        wa = WorkerArgs(n, min(1.0, a.fan_in / n), "", a.seed, a.duration, a.dt)
        runs: dict[str, list[dict[str, Any]]] = {t: [] for t in a.tools}
        for _ in range(a.repeats):
            for name in a.tools:
                if name in status or any("error" in r for r in runs[name]):
                    continue
                python = _python(TOOLS[name], a.ref_python)
                runs[name] += measure(script, name, python, wa, a.timeout)
        rows: dict[str, dict[str, Any]] = {}
        for name in a.tools:
            errs = [r["error"] for r in runs[name] if "error" in r]
            if name in status:
                rows[name] = {"status": status[name]}
            elif errs:
                rows[name] = {"status": f"failed ({errs[0]})"}
            else:
                rows[name] = summarize(runs[name], TOOLS[name].cached)
            raw += runs[name]
        summary[str(n)] = rows
        title = (
            f"\n{model}  N={n}  p={wa.p:.5f} (fan-in {a.fan_in:g})  "
            f"{a.duration:g} ms at dt={a.dt:g} ms  median of {a.repeats}; "
            "(xR) = tool / dasksnn"
        )
        print(table(title, rows), flush=True)
    print(
        "\ncold compile: construction + codegen + compile + connect, empty cache,"
        " until ready to simulate;\nwarm start: whole process wall time with the cache"
        " filled; simulate: the simulation loop only."
    )
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(
                {"model": model, "args": vars(a), "summary": summary, "runs": raw},
                fh,
                indent=1,
            )
