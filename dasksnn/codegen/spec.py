"""The structure of a network as code generation sees it: what decides the kernel."""

from __future__ import annotations

from dataclasses import dataclass

from dasksnn.model.neuron import Neuron
from dasksnn.model.synapse import Synapse

__all__ = ["PopulationSpec", "ProjectionSpec", "MonitorSpec", "SynapseMonitorSpec", "NetworkSpec"]


@dataclass(frozen=True)
class PopulationSpec:
    """A population as the kernel sees it: its model, or a spike source (no model).

    ``uniform`` names per-neuron parameters that currently have one value for all
    neurons: the kernel reads them once per step instead of once per neuron, which
    lets the compiler vectorise the neuron loop. ``method`` integrates the equations
    that neither a flag nor the model's ``method`` choose (the network's).
    ``firing_rate`` says whether the population computes its mean firing rate ``r``
    (ANNarchy's ``compute_firing_rate``).
    """

    neuron: Neuron
    spike_source: bool = False
    uniform: frozenset[str] = frozenset()
    method: str = "euler"
    firing_rate: bool = False

    @property
    def shared(self) -> frozenset[str]:
        """Parameters read once for the whole population."""
        return self.neuron.population_parameters | self.uniform


@dataclass(frozen=True)
class ProjectionSpec:
    """Population ``pre`` adds weights to variable ``target`` of population ``post``, or runs
    a synapse model (``None``: the static synapse; see :mod:`dasksnn.codegen.synapses`),
    its events timed as ``event_timing`` says and its unflagged ODEs integrated by ``method``
    (the network's; see :class:`~dasksnn.network.network.Network`)."""

    pre: int
    post: int
    target: str | tuple[str, ...]
    delayed: bool
    synapse: Synapse | None = None
    event_timing: str = "annarchy"
    method: str = "euler"

    @property
    def targets(self) -> tuple[str, ...]:
        """The post variables a spike adds to (several for ANNarchy's list of targets)."""
        return (self.target,) if isinstance(self.target, str) else self.target

    @property
    def target_text(self) -> str:
        """The targets for comments: ``g_exc`` or ``g_exc+g_nmda``."""
        return "+".join(self.targets)


@dataclass(frozen=True)
class MonitorSpec:
    """A monitor of population ``population``: spikes and/or some variables."""

    population: int
    variables: tuple[str, ...]
    spikes: bool


@dataclass(frozen=True)
class SynapseMonitorSpec:
    """A monitor of synaptic variables of projection ``projection``."""

    projection: int
    variables: tuple[str, ...]


@dataclass(frozen=True)
class NetworkSpec:
    """The whole structure of a network: what decides the generated kernel."""

    populations: tuple[PopulationSpec, ...]
    projections: tuple[ProjectionSpec, ...] = ()
    monitors: tuple[MonitorSpec, ...] = ()
    synapse_monitors: tuple[SynapseMonitorSpec, ...] = ()
