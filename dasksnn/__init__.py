"""dasksnn: fast spiking neural networks on one core, thousands of them in parallel.

The API follows ANNarchy's names, so ``import dasksnn as ann`` runs ANNarchy scripts.
Units are plain floats: ms, mV, nA, uS/nS (as each model documents), nF, Hz.
"""

__version__ = "0.2.0"

from dasksnn.errors import (
    ArgumentError,
    ArgumentTypeError,
    ClusterError,
    DasksnnError,
    ModelError,
    NetworkError,
    NotCompiledError,
    RunError,
    SimulationError,
    UnknownAttributeError,
)
from dasksnn.model import (
    Binomial,
    DiscreteUniform,
    Exponential,
    Gamma,
    LogNormal,
    Neuron,
    Normal,
    Synapse,
    Uniform,
)
from dasksnn.models import (
    STDP,
    STP,
    EIF_cond_exp_isfa_ista,
    HH_cond_exp,
    IF_cond_alpha,
    IF_cond_exp,
    IF_curr_alpha,
    IF_curr_exp,
    Izhikevich,
)
from dasksnn.network import (
    Monitor,
    Network,
    PoissonPopulation,
    Population,
    PopulationView,
    Projection,
    SpikeSourceArray,
)
from dasksnn.network.default import (
    building,
    clear,
    compile,
    default_network,
    disable_learning,
    enable_learning,
    get_current_step,
    get_population,
    get_projection,
    get_time,
    reset,
    set_current_step,
    set_seed,
    set_time,
    setup,
    simulate,
    step,
)

# parallel runs and results import dask, distributed and xarray: loaded on first use (PEP 562),
# so that ``import dasksnn`` stays cheap
_LAZY = {
    "parallel_run": "dasksnn.parallel",
    "sweep": "dasksnn.parallel",
    "param": "dasksnn.parallel.params",
    "simulate_trials": "dasksnn.parallel.trials",
    "SequentialBackend": "dasksnn.parallel.trials",
    "DaskBackend": "dasksnn.parallel.trials",
    "close_local_cluster": "dasksnn.parallel",
    "get_client": "dasksnn.parallel",
    "worker_environment": "dasksnn.parallel.scheduler",
    "open_results": "dasksnn.results.reading",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        import dasksnn.results  # noqa: F401  (registers ds.snn)

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dasksnn' has no attribute {name!r}")


__all__ = [
    "__version__",
    # models
    "Neuron", "Synapse",
    "Izhikevich", "IF_curr_exp", "IF_cond_exp", "IF_curr_alpha", "IF_cond_alpha",
    "EIF_cond_exp_isfa_ista", "HH_cond_exp", "STDP", "STP",
    # random distributions
    "Uniform", "DiscreteUniform", "Normal", "LogNormal", "Exponential", "Gamma", "Binomial",
    # structure
    "Population", "PopulationView", "PoissonPopulation", "SpikeSourceArray", "Projection",
    "Monitor", "Network",
    # the default network
    "default_network", "building", "setup", "compile", "simulate", "step", "reset", "clear", "get_time", "set_time",
    "get_current_step", "set_current_step", "set_seed", "get_population", "get_projection",
    "enable_learning", "disable_learning",
    # many runs and their results
    "parallel_run", "sweep", "param", "open_results", "get_client", "close_local_cluster", "worker_environment",
    "simulate_trials", "SequentialBackend", "DaskBackend",
    # errors
    "DasksnnError", "ModelError", "NetworkError", "ArgumentError", "ArgumentTypeError", "NotCompiledError",
    "SimulationError", "RunError", "ClusterError", "UnknownAttributeError",
]
