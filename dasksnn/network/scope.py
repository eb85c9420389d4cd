"""Where module-level objects go: the default network, or the one a build is making.

ANNarchy scripts create populations at module level; they belong to one default
network. :func:`building` gives the code inside it a fresh default network (and a seed
for every network made without one), in a context variable: each thread and each
``building`` block has its own, so concurrent builds never see each other's objects.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dasksnn.network.network import Network

__all__ = ["Scope", "scope", "building"]


class Scope:
    """The default network of a context, its time step and the seed of unseeded networks.

    Attributes
    ----------
    dt : float
        Time step (ms) of networks made without one (``setup(dt=...)`` changes it).
    seed : int or None
        Seed of networks made without one (a sweep's run seed), else ``None``.
    method : str
        Integration method of equations without one, for networks made without one
        (``setup(method=...)``; ANNarchy's explicit Euler by default).
    event_timing : str
        When pre-synaptic events act on event-driven variables (``setup(event_timing=...)``).
    """

    def __init__(self, dt: float = 1.0, seed: int | None = None, method: str = "euler",
                 event_timing: str = "annarchy") -> None:
        self.dt = dt
        self.seed = seed
        self.method = method
        self.event_timing = event_timing
        self._network: Network | None = None

    @property
    def network(self) -> Network:
        """The default network of this context (made when first asked for)."""
        if self._network is None:
            from dasksnn.network.network import Network

            self._network = Network(dt=self.dt, seed=self.seed, method=self.method, event_timing=self.event_timing)
        return self._network

    def replace(self) -> Network:
        """Start a new, empty default network (``clear()``), keeping ``dt``."""
        self._network = None
        return self.network


_global = Scope()
_current: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("dasksnn_scope", default=None)


def scope() -> Scope:
    """The scope in force: the innermost :func:`building` block, else the module's."""
    return _current.get() or _global


@contextlib.contextmanager
def building(seed: int | None = None, dt: float | None = None) -> Iterator[Scope]:
    """Make a network as a script makes it at module level, apart from the default network.

    Inside the block, objects created without a network belong to a fresh default
    network, and networks made without a seed get ``seed``. The block's scope is
    yielded: its :attr:`Scope.network` is the network the code made (also after a
    ``clear()`` inside the block). The module's default network is left untouched.

    Parameters
    ----------
    seed : int, optional
        Seed of every network made without one inside the block.
    dt : float, optional
        Time step (ms) of networks made without one (default: the current default's).

    Examples
    --------
    >>> import dasksnn as ann
    >>> with ann.building(seed=1, dt=0.1) as made:
    ...     pop = ann.Population(10, ann.Izhikevich)
    >>> made.network.get_populations() == [pop]
    True
    """
    outer = scope()
    inner = Scope(dt=outer.dt if dt is None else dt, seed=seed, method=outer.method,
                  event_timing=outer.event_timing)
    token = _current.set(inner)
    try:
        yield inner
    finally:
        _current.reset(token)
