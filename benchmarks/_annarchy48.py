# ruff: noqa: F403, F405  (the notebook's star import is the point of this module)
"""ANNarchy 4.8's parallel-simulations notebook, as written, for workload (b) of ``sweep.py``.

The notebook is ``MultipleNetworks.ipynb`` ("Parallel simulations") of ANNarchy's
documentation for the 4.x series: Izhikevich's pulse-coupled network of 1000 neurons
built at module level with ``from ANNarchy import *`` and the built-in ``Izhikevich``
neuron, compiled, then ``run_network`` (new ``c``, ``d`` and inhibitory parameters drawn
with ``np.random``, 1000 ms, raster plot) run on 8 copies by ``parallel_run``: first
``sequential=True``, then in parallel (its second call). Only three things are added: the
seed of numpy's global generator (so that repeats draw alike), the compile directory,
and ``max_processes=2`` (the notebook's default, -1, means all cores).

Imported only by the ``annarchy-4.8`` worker of ``_sweep_refs.py`` under an ANNarchy 4.8
interpreter (``.venv-annarchy48``), after ``sys.argv`` was emptied: ANNarchy 4.8 parses
the command line on import. ``run_network`` is a module-level function reading the
module-level ``P`` and ``M``, as in the notebook, so that the fork ``Pool`` of
``parallel_run`` can call it.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from ANNarchy import *

P: Any = None  # the notebook's population and spike monitor, set by create_network()
M: Any = None
N_NEURONS, NETWORKS, DURATION, WORKERS = 1000, 8, 1000.0, 2


def create_network() -> None:
    """The notebook's first code cell (without ``compile()``)."""
    global P, M
    clear()

    # Create the whole population
    P = Population(geometry=1000, neuron=Izhikevich)

    # Create the excitatory population
    Exc = P[:800]
    re = np.random.random(800)
    Exc.noise = 5.0
    Exc.a = 0.02
    Exc.b = 0.2
    Exc.c = -65.0 + 15.0 * re**2
    Exc.d = 8.0 - 6.0 * re**2
    Exc.v = -65.0
    Exc.u = Exc.v * Exc.b

    # Create the Inh population
    Inh = P[800:]
    ri = np.random.random(200)
    Inh.noise = 2.0
    Inh.a = 0.02 + 0.08 * ri
    Inh.b = 0.25 - 0.05 * ri
    Inh.c = -65.0
    Inh.d = 2.0
    Inh.v = -65.0
    Inh.u = Inh.v * Inh.b

    # Create the projections
    proj_exc = Projection(Exc, P, 'exc')
    proj_inh = Projection(Inh, P, 'inh')

    proj_exc.connect_all_to_all(weights=Uniform(0.0, 0.5))
    proj_inh.connect_all_to_all(weights=Uniform(0.0, 1.0))

    # Create a spike monitor
    M = Monitor(P, 'spike')


def run_network(idx, net):
    """The notebook's simulation method, as written."""
    # Retrieve subpopulations
    P_local = net.get(P)
    Exc = P_local[:800]
    Inh = P_local[800:]
    # Randomize initialization
    re = np.random.random(800)
    Exc.c = -65.0 + 15.0 * re**2
    Exc.d = 8.0 - 6.0 * re**2
    ri = np.random.random(200)
    Inh.noise = 2.0
    Inh.a = 0.02 + 0.08 * ri
    Inh.b = 0.25 - 0.05 * ri
    Inh.u = Inh.v * Inh.b
    # Simulate
    net.simulate(1000.)
    # Recordings
    t, n = net.get(M).raster_plot()
    return t, n


def _rates(vals: list) -> list[float]:
    """Mean rate (Hz) of each network from its raster plot."""
    return [len(t) / N_NEURONS / (DURATION / 1000.0) for t, _ in vals]


def notebook(directory: str, seed: int) -> dict[str, Any]:
    """Run the notebook; seconds of each step and the mean rate of each network.

    ``compile_s``: the first cell (construction and ``compile()`` in the empty
    ``directory``); ``seq_s``: ``parallel_run(..., sequential=True)``; ``par2_s``:
    ``parallel_run(..., max_processes=2)`` (the kernel compiled: each copy is
    instantiated from the compiled library in a forked worker); ``sim_s``:
    ``simulate(1000.)`` of the module-level network.
    """
    np.random.seed(seed)
    t0 = time.perf_counter()
    create_network()
    compile(directory=directory, silent=True)
    out: dict[str, Any] = {"compile_s": time.perf_counter() - t0}

    t = time.perf_counter()
    vals = parallel_run(method=run_network, number=NETWORKS, measure_time=True, sequential=True)
    out["seq_s"] = time.perf_counter() - t
    out["seq_rates"] = _rates(vals)

    t = time.perf_counter()
    vals = parallel_run(method=run_network, number=NETWORKS, max_processes=WORKERS, measure_time=True)
    out["par2_s"] = time.perf_counter() - t
    out["par2_rates"] = _rates(vals)

    t = time.perf_counter()
    simulate(DURATION)
    out["sim_s"] = time.perf_counter() - t
    out["rates"] = out["par2_rates"]
    return out
