"""Exceptions raised by dasksnn.

Every class derives from :class:`DasksnnError` and from the built-in exception it
resembles, so ``except ValueError`` keeps working in user code.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "DasksnnError",
    "ModelError",
    "NetworkError",
    "NotCompiledError",
    "SimulationError",
    "UnknownAttributeError",
    "did_you_mean",
]


class DasksnnError(Exception):
    """Base class of every error raised by dasksnn."""


class ModelError(DasksnnError, ValueError):
    """A neuron or synapse description is invalid (syntax, names, flags)."""


class NetworkError(DasksnnError, ValueError):
    """A population, projection, monitor or network is built or used wrongly."""


class UnknownAttributeError(DasksnnError, AttributeError):
    """An object was asked for a parameter or variable its model does not have."""


class NotCompiledError(DasksnnError, RuntimeError):
    """An operation needs a compiled network."""


class SimulationError(DasksnnError, RuntimeError):
    """A simulation produced an invalid state (for example NaN in a variable).

    Attributes
    ----------
    population : str
        Name of the population where the problem appeared.
    step : int
        Simulation step at which it was detected.
    """

    def __init__(self, message: str, population: str, step: int) -> None:
        super().__init__(message)
        self.population = population
        self.step = step


def did_you_mean(name: str, valid: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest valid name, or ``""``."""
    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""
