"""Exceptions raised by dasksnn.

Every class derives from :class:`DasksnnError` and from the built-in exception it
resembles, so ``except ValueError`` keeps working in user code.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "DasksnnError",
    "ModelError",
    "NetworkError",
    "NotCompiledError",
    "RunError",
    "SimulationError",
    "ClusterError",
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


class ArgumentError(DasksnnError, ValueError):
    """A function was given an argument of the right type but a wrong value.

    For example ``sweep(duration=-1.0)``, ``parallel_run(number=0)`` or a ``store``
    that holds another sweep.
    """


class ArgumentTypeError(DasksnnError, TypeError):
    """A function was given an argument of the wrong type.

    Also raised for a function argument that cannot be called as documented, and for
    one that cannot be pickled to be sent to Dask workers.
    """


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


class RunError(DasksnnError, RuntimeError):
    """One run of :func:`~dasksnn.parallel_run` or :func:`~dasksnn.sweep` raised.

    The message holds the run's traceback, as text: the run may have raised in another
    process.

    Attributes
    ----------
    run : int
        Index of the run.
    arguments : dict
        Arguments of the run (``parallel_run``'s ``**args`` values, a sweep's parameters).
    seed : int or None
        Seed of the run's network (``None``: the network kept its own).
    """

    def __init__(self, message: str, run: int, arguments: dict, seed: int | None) -> None:
        super().__init__(message)
        self.run = run
        self.arguments = arguments
        self.seed = seed

    def __reduce__(self) -> tuple:
        # rebuilt with all its attributes when pickled (from a task that called parallel_run, say)
        return type(self), (self.args[0], self.run, self.arguments, self.seed)


class ClusterError(DasksnnError, RuntimeError):
    """The cluster lost runs that Dask could not recover; the runs themselves raised nothing.

    Raised when a task's workers kept dying (Dask's ``KilledWorker``, after it
    resubmitted the task on other workers), when the connection to the scheduler was
    lost, or when no worker came within ``distributed.scheduler.no-workers-timeout``.
    Runs that finished before were handed on: a sweep with a store keeps them, and the
    same call again computes only the others.

    Attributes
    ----------
    runs : list of int
        The runs lost with the task that failed.
    worker : str or None
        Address of the worker involved (the last one that died running the task), if known.
    """

    def __init__(self, message: str, runs: Sequence[int], worker: str | None = None) -> None:
        super().__init__(message)
        self.runs = list(runs)
        self.worker = worker

    def __reduce__(self) -> tuple:
        return type(self), (self.args[0], self.runs, self.worker)


def did_you_mean(name: str, valid: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest valid name, or ``""``."""
    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""
