"""Model descriptions: the equation language, neuron models and random distributions."""

from dasksnn.model.neuron import Neuron
from dasksnn.model.random import (
    Binomial,
    DiscreteUniform,
    Distribution,
    Exponential,
    Gamma,
    LogNormal,
    Normal,
    Uniform,
)
from dasksnn.model.synapse import Synapse

__all__ = ["Neuron", "Synapse", "Distribution", "Uniform", "DiscreteUniform", "Normal", "LogNormal",
           "Exponential", "Gamma", "Binomial"]
