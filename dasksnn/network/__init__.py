"""Network structure: populations, projections and connectivity, monitors, networks."""

from dasksnn.network.default import building, default_network
from dasksnn.network.inputs import PoissonPopulation, SpikeSourceArray
from dasksnn.network.monitor import Monitor
from dasksnn.network.network import Network
from dasksnn.network.population import Population, PopulationView
from dasksnn.network.projection import Projection
from dasksnn.network.recording import Recording

__all__ = ["Population", "PopulationView", "PoissonPopulation", "SpikeSourceArray", "Projection",
           "Monitor", "Recording", "Network", "default_network", "building"]
