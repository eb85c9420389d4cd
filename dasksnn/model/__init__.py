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

__all__ = ["Neuron", "Distribution", "Uniform", "DiscreteUniform", "Normal", "LogNormal",
           "Exponential", "Gamma", "Binomial"]
