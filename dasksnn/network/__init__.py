"""Network structure: populations, projections and connectivity, monitors, networks."""

from dasksnn.network.default import building, default_network
from dasksnn.network.monitor import Monitor, Recording
from dasksnn.network.network import Network
from dasksnn.network.population import (
    PoissonPopulation,
    Population,
    PopulationView,
    SpikeSourceArray,
)
from dasksnn.network.projection import Projection

__all__ = ["Population", "PopulationView", "PoissonPopulation", "SpikeSourceArray", "Projection",
           "Monitor", "Recording", "Network", "default_network", "building"]
