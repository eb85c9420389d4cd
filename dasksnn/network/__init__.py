"""Network structure: populations, projections and connectivity, monitors, networks."""

from dasksnn.network.monitor import Monitor
from dasksnn.network.network import Network, default_network
from dasksnn.network.population import (
    PoissonPopulation,
    Population,
    PopulationView,
    SpikeSourceArray,
)
from dasksnn.network.projection import Projection

__all__ = ["Population", "PopulationView", "PoissonPopulation", "SpikeSourceArray", "Projection",
           "Monitor", "Network", "default_network"]
