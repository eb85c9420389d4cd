"""Generated source of the built-in models, pinned as golden files.

A change to code generation shows in review as a diff of tests/golden/. After an
intended change, regenerate with ``DASKSNN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py``.
"""

import os
from pathlib import Path

import pytest

import dasksnn as ann
from dasksnn.codegen import MonitorSpec, NetworkSpec, PopulationSpec, ProjectionSpec, generate
from dasksnn.engine.backend import NumbaCPU

GOLDEN = Path(__file__).parent / "golden"
MODELS = {
    "Izhikevich": ann.Izhikevich,
    "IF_curr_exp": ann.IF_curr_exp,
    "IF_cond_exp": ann.IF_cond_exp,
    "IF_curr_alpha": ann.IF_curr_alpha,
    "IF_cond_alpha": ann.IF_cond_alpha,
    "EIF_cond_exp_isfa_ista": ann.EIF_cond_exp_isfa_ista,
    "HH_cond_exp": ann.HH_cond_exp,
}


def _source(neuron) -> str:
    spec = NetworkSpec(
        (PopulationSpec(ann.PoissonPopulation(10).neuron), PopulationSpec(neuron)),
        (ProjectionSpec(0, 1, "g_exc", False), ProjectionSpec(0, 1, "g_inh", True)),
        (MonitorSpec(1, ("v",), True),),
    )
    return NumbaCPU.module(generate(spec), "golden")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_generated_source_is_pinned(name):
    """The kernel of a Poisson input onto each built-in model matches its golden file."""
    path = GOLDEN / f"{name}.py"
    source = _source(MODELS[name])
    if os.environ.get("DASKSNN_UPDATE_GOLDEN"):
        path.write_text(source)
    assert path.exists(), f"missing golden file {path}: run with DASKSNN_UPDATE_GOLDEN=1"
    assert source == path.read_text()


def test_generation_is_deterministic():
    """The same structure always gives the same text (and so the same cache file)."""
    assert _source(ann.IF_cond_exp) == _source(ann.IF_cond_exp)
    assert _source(ann.IF_cond_exp) != _source(ann.IF_curr_exp)


def test_network_shows_its_source():
    """net.generated_source() is the file that runs, with each equation as a comment."""
    pop = ann.Population(5, ann.IF_cond_exp)
    ann.compile()
    source = ann.default_network().generated_source()
    assert "# cm * dv/dt = cm / tau_m * (v_rest - v)" in source
    assert "@njit(cache=True, nogil=True, error_model=\"numpy\")" in source
    assert pop.size == 5


SYNAPSES = {"STDP": ann.STDP, "STP": ann.STP}


def _synapse_source(synapse) -> str:
    """A Poisson input onto IF_cond_exp through the synapse, without and with delays, the post
    population recorded (the kernel of each pathway, shared traces and the delayed form)."""
    spec = NetworkSpec(
        (PopulationSpec(ann.PoissonPopulation(10).neuron), PopulationSpec(ann.IF_cond_exp)),
        (ProjectionSpec(0, 1, "g_exc", False, synapse), ProjectionSpec(0, 1, "g_inh", True, synapse)),
        (MonitorSpec(1, ("v",), True),),
    )
    return NumbaCPU.module(generate(spec), "golden")


@pytest.mark.parametrize("name", sorted(SYNAPSES))
def test_generated_synapse_source_is_pinned(name):
    """The kernel of each built-in synapse model matches its golden file."""
    path = GOLDEN / f"synapse_{name}.py"
    source = _synapse_source(SYNAPSES[name])
    if os.environ.get("DASKSNN_UPDATE_GOLDEN"):
        path.write_text(source)
    assert path.exists(), f"missing golden file {path}: run with DASKSNN_UPDATE_GOLDEN=1"
    assert source == path.read_text()
