"""The default network and the module-level functions of ANNarchy's API.

Objects created at module level belong to the default network (see
:mod:`dasksnn.network.scope`); ``compile()``, ``simulate()`` and the other functions
here are one-line delegations to it.
"""

from __future__ import annotations

from typing import Any

from dasksnn.errors import NetworkError
from dasksnn.network.network import Network, check_dt, check_event_timing, check_method
from dasksnn.network.population import Population
from dasksnn.network.projection import Projection
from dasksnn.network.scope import building, scope

__all__ = ["default_network", "building", "setup", "compile", "simulate", "step", "reset", "get_time",
           "set_time", "get_current_step", "set_current_step", "set_seed", "clear", "get_population",
           "get_projection", "enable_learning", "disable_learning"]


def default_network() -> Network:
    """The network that module-level objects and functions belong to (see :func:`building`)."""
    return scope().network


def setup(dt: float | None = None, seed: int | None = None, method: str | None = None,
          event_timing: str | None = None) -> None:
    """Set the time step, seed and numerical conventions of the default network (and the
    defaults of new networks), as ANNarchy's ``setup``.

    Parameters
    ----------
    dt : float, optional
        Time step in ms (ANNarchy's default is 1.0).
    seed : int, optional
        Seed of the default network.
    method : {"euler", "exponential", "midpoint", "rk4", "auto"}, optional
        Integration method of equations that name none (default ``euler``: ANNarchy's
        ``explicit``; see :class:`Network`).
    event_timing : {"annarchy", "exact"}, optional
        When pre-synaptic spikes act on event-driven synaptic variables (see :class:`Network`).
    """
    net = default_network()
    changes = {name: check(value) for name, value, check in (
        ("dt", dt, check_dt), ("method", method, check_method), ("event_timing", event_timing, check_event_timing))
        if value is not None}
    if changes and net.compiled:
        raise NetworkError(f"setup({', '.join(f'{name}=...' for name in changes)}): the default network is "
                           "already compiled; call clear() first")  # before anything changes
    for name, value in changes.items():
        setattr(net, name, value)
        setattr(scope(), name, value)
    if seed is not None:
        net.set_seed(seed)


def clear() -> None:
    """Forget every object of the default network (its dt is kept)."""
    scope().replace()


def compile(**annarchy_options: Any) -> None:
    """Compile the default network (see :meth:`Network.compile`; ANNarchy's build options such as
    ``directory`` are accepted without effect)."""
    default_network().compile(**annarchy_options)


def simulate(duration: float, measure_time: bool = False) -> None:
    """Simulate the default network (see :meth:`Network.simulate`)."""
    default_network().simulate(duration, measure_time)


def step() -> None:
    """Simulate the default network for one step."""
    default_network().step()


def reset(populations: bool = True, projections: bool = False, monitors: bool = True) -> None:
    """Reset the default network (see :meth:`Network.reset`)."""
    default_network().reset(populations, projections, monitors)


def get_time() -> float:
    """Current time of the default network in ms."""
    return default_network().get_time()


def set_time(t: float) -> None:
    """Set the current time of the default network in ms."""
    default_network().set_time(t)


def get_current_step() -> int:
    """Current step of the default network."""
    return default_network().get_current_step()


def set_current_step(step: int) -> None:
    """Set the current step of the default network."""
    default_network().set_current_step(step)


def set_seed(seed: int | None) -> None:
    """Seed the default network (see :meth:`Network.set_seed`)."""
    default_network().set_seed(seed)


def get_population(name: str) -> Population:
    """Population of the default network called ``name``."""
    return default_network().get_population(name)


def get_projection(name: str) -> Projection:
    """Projection of the default network called ``name``."""
    return default_network().get_projection(name)


def enable_learning(projections: list | None = None, period: float | None = None,
                    offset: float | None = None) -> None:
    """Switch plasticity on in the default network (see :meth:`Network.enable_learning`)."""
    default_network().enable_learning(projections, period, offset)


def disable_learning(projections: list | None = None) -> None:
    """Switch plasticity off in the default network (see :meth:`Network.disable_learning`)."""
    default_network().disable_learning(projections)
