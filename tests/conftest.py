"""Shared fixtures: a private kernel cache per test session, a clean default network, and
for tests marked ``slurm`` a SLURM to run on and a queue left as it was found."""

import functools
import os
import shutil
import subprocess
import time

import pytest


def pytest_configure(config):
    # one kernel cache per session, so tests never read kernels of another version
    if "DASKSNN_CACHE_DIR" not in os.environ:
        import tempfile

        os.environ["DASKSNN_CACHE_DIR"] = tempfile.mkdtemp(prefix="dasksnn-test-cache-")


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """``both(script)``: the results of a script under ANNarchy 4.8 and under dasksnn (see
    ``annarchy_reference.py``); skips where ``DASKSNN_ANNARCHY_PYTHON`` is not set."""
    import sys

    from annarchy_reference import ANNARCHY_PYTHON, run

    python = os.environ.get(ANNARCHY_PYTHON)
    if not python:
        pytest.skip(f"{ANNARCHY_PYTHON} (an interpreter with ANNarchy 4.8) is not set")

    def results(script: str) -> tuple[dict, dict]:
        folder = tmp_path_factory.mktemp("reference")
        return run(python, script, folder, "ANNarchy"), run(sys.executable, script, folder, "dasksnn")

    return results


@pytest.fixture(autouse=True)
def clean_default_network():
    """Every test starts with an empty default network with ANNarchy's dt of 1 ms."""
    import dasksnn as ann

    ann.clear()
    ann.setup(dt=1.0)
    yield
    ann.clear()


# ---------------------------------------------------------------- SLURM
_START = "as root, .ci/slurm/start installs and starts a single-node SLURM"
# the name of this session's SLURM jobs: others' jobs in the same queue are not this session's business
SLURM_JOB_NAME = f"dasksnn-test-{os.getpid()}"


def _squeue(name):
    """Ids of the jobs called ``name`` in the queue, whatever their state (completing ones too)."""
    out = subprocess.run(["squeue", "-h", "-n", name, "-o", "%i"], capture_output=True, text=True, timeout=30,
                         check=True)
    return set(out.stdout.split())


@functools.cache
def _slurm_missing():
    """Why tests marked slurm cannot run here; None when SLURM runs with an idle node."""
    if shutil.which("sbatch") is None or shutil.which("sinfo") is None:
        return f"SLURM is not installed (no sbatch); {_START}"
    try:
        out = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"sinfo failed ({exc}); {_START}"
    if out.returncode != 0:
        return f"SLURM does not answer (sinfo: {out.stderr.strip()}); {_START}"
    states = out.stdout.split()
    if "idle" not in states:
        return f"no SLURM node is idle (node states: {', '.join(states) or 'none'})"
    return None


@pytest.fixture(autouse=True)
def slurm_queue(request):
    """For tests marked slurm: the name their SLURM jobs must have.

    Skips the test without SLURM (fails it on CI, where .ci/run starts SLURM); after the
    test, waits for its jobs to leave the queue, and cancels them and fails the test if
    they do not.
    """
    if request.node.get_closest_marker("slurm") is None:
        yield None
        return
    missing = _slurm_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {missing}")
        pytest.skip(missing)
    yield SLURM_JOB_NAME
    deadline = time.monotonic() + 30  # a cancelled job completes within KillWait (5 s in .ci/slurm)
    while (left := _squeue(SLURM_JOB_NAME)) and time.monotonic() < deadline:
        time.sleep(0.25)
    if left:
        subprocess.run(["scancel", *sorted(left)], capture_output=True, timeout=30)
        pytest.fail(f"jobs left in the SLURM queue after the test (now cancelled): {', '.join(sorted(left))}")


# ---------------------------------------------------------------- a small sweep, by hand
# four runs of three neurons, dt = 1 ms, 10 ms each: (times, ranks) per run
RUNS = [
    ([1.0, 2.0, 3.0, 7.0], [0, 1, 0, 0]),    # we=1, trial 0
    ([0.0, 5.0, 9.0], [2, 2, 0]),            # we=1, trial 1
    ([1.0, 2.0, 4.0, 8.0], [1, 1, 1, 1]),    # we=2, trial 0
    ([], []),                                # we=2, trial 1
]


@pytest.fixture
def hand_sweep():
    """A sweep dataset laid out as ann.sweep makes it, holding RUNS (see tests/test_analysis.py)."""
    import json

    import numpy as np
    import xarray as xr

    import dasksnn.results  # noqa: F401  (registers ds.snn)

    lengths = [len(t) for t, _ in RUNS]
    stop = np.cumsum(lengths)
    times = np.concatenate([np.asarray(t, float) for t, _ in RUNS])
    ranks = np.concatenate([np.asarray(r, np.int64) for _, r in RUNS])
    mean_rate = [n / (3 * 0.010) for n in lengths]
    ds = xr.Dataset(
        {"pop_spike_time": ("pop_spike", times, {"units": "ms"}),
         "pop_spike_neuron": ("pop_spike", ranks),
         "pop_spike_start": ("run", stop - lengths), "pop_spike_stop": ("run", stop),
         "pop_mean_rate": ("run", mean_rate, {"units": "Hz", "long_name": "mean firing rate of pop"})},
        {"run": np.arange(4), "we": ("run", [1.0, 1.0, 2.0, 2.0]), "trial": ("run", [0, 1, 0, 1]),
         "seed": ("run", np.arange(4, dtype=np.uint64)), "status": ("run", np.ones(4, np.int8)),
         "pop_neuron": np.arange(3)},
        {"parameters": json.dumps(["we"]), "dt": 1.0, "duration": 10.0,
         "parameter_attrs": json.dumps({"we": {"units": "mV", "long_name": "excitatory weight"}})})
    for name in ("we", "trial", "seed", "status"):
        ds = ds.set_xindex(name)
    return ds
