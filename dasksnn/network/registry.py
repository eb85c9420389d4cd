"""The objects of a network: registration, names, copies and look-up.

:class:`Registry` is the part of :class:`~dasksnn.network.Network` that holds
populations, projections and monitors: ANNarchy's ``add``, ``get`` and ``get_*``.
A network works on copies of objects made at module level; a copy keeps the identity
(``_uid``) of its original, so ``net.get(obj)`` finds it, also in another process.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dasksnn.errors import NetworkError, did_you_mean
from dasksnn.network.monitor import Monitor
from dasksnn.network.population import Population, PopulationView
from dasksnn.network.projection import Projection
from dasksnn.network.scope import scope
from dasksnn.network.synapse_monitor import SynapseMonitor

__all__ = ["Registry"]


class Registry:
    """Populations, projections and monitors of a network, and the copies it made."""

    def __init__(self) -> None:
        self._populations: list[Population] = []
        self._projections: list[Projection] = []
        self._monitors: list[Monitor] = []
        self._synapse_monitors: list[SynapseMonitor] = []
        self._copies: dict[tuple[str, str], Any] = {}
        self._named: dict[str, int] = {}  # objects named automatically so far, by kind

    @property
    def compiled(self) -> bool:
        """Whether the network was compiled (populations and projections can no longer be added)."""
        raise NotImplementedError

    def _objects(self) -> list[Any]:
        return [*self._populations, *self._projections, *self._monitors, *self._synapse_monitors]

    def _auto_name(self, kind: str) -> str:
        """``pop0``, ``pop1``, ...: numbered per network, so the same script names objects alike
        in every process."""
        used = {obj.name for obj in self._objects()}
        while True:
            number = self._named.get(kind, 0)
            self._named[kind] = number + 1
            if f"{kind}{number}" not in used:
                return f"{kind}{number}"

    def _register(self, obj: Population | Projection | Monitor) -> None:
        """Record an object created while this network is the default one."""
        self._check_open(obj)
        self._check_name(obj)
        self._list_of(obj).append(obj)
        self._added(obj)

    def _added(self, obj: Any) -> None:
        """After ``obj`` joined the network: a monitor of a compiled network needs its arrays."""
        if self.compiled and isinstance(obj, Monitor | SynapseMonitor):
            self.simulator.monitors_changed()

    def _list_of(self, obj: Any) -> list:
        if isinstance(obj, Population):
            return self._populations
        if isinstance(obj, Projection):
            return self._projections
        if isinstance(obj, SynapseMonitor):
            return self._synapse_monitors
        return self._monitors

    def _check_open(self, obj: Any) -> None:
        if self.compiled and not isinstance(obj, Monitor | SynapseMonitor):  # monitors may come later
            raise NetworkError(f"{obj!r} cannot be added: {self!r} is already compiled; create "
                               "populations and projections before compile(), or use a new Network")

    def _check_name(self, obj: Any) -> None:
        if isinstance(obj, Monitor | SynapseMonitor):
            return
        for other in self._list_of(obj):
            if other.name == obj.name:
                raise NetworkError(f"{obj!r}: the name '{obj.name}' is already used in this network; "
                                   "give each object a unique name")

    def add(self, objects: Any) -> None:
        """Add copies of objects (a population, projection, monitor or a list of them).

        Populations are copied first, then projections, then monitors, so the order of
        a list does not matter; the populations of a projection or monitor must be
        added in the same call or before.

        Raises
        ------
        NetworkError
            For a view, an object added twice, an object that is itself a copy owned by
            another network, or a projection whose populations are not in the network.
        """
        items = list(objects) if isinstance(objects, Iterable) and not isinstance(objects, str) \
            else [objects]
        if self is scope().network:
            raise NetworkError("objects created at module level already belong to the default "
                               "network; add them to a Network(...) of your own instead")
        kinds = (Population, Projection, Monitor, SynapseMonitor)
        for obj in items:
            if isinstance(obj, PopulationView):
                raise NetworkError(f"{obj!r}: add the population itself, not a view of it")
            if not isinstance(obj, kinds):
                raise NetworkError(f"Network.add: cannot add {obj!r} (expected Population, "
                                   "Projection or Monitor objects)")
            if obj._network is self:
                raise NetworkError(f"{obj!r} is already a copy in this network")
            if obj._network is not scope().network:
                raise NetworkError(f"{obj!r} is a copy owned by another Network; add the original "
                                   "object (the one created at module level) instead")
            if _key(obj) in self._copies:
                raise NetworkError(f"{obj!r} was already added to this network")
        self._add_copies(items)

    def _add_copies(self, items: list[Any]) -> None:
        """Copy objects into this network, populations first (their views are remapped)."""
        for kind in (Population, Projection, Monitor, SynapseMonitor):
            for obj in (o for o in items if isinstance(o, kind)):
                self._check_open(obj)
                copy = self._copy(obj)
                self._check_name(copy)
                self._list_of(copy).append(copy)
                self._copies[_key(obj)] = copy
                self._added(copy)

    def _copy(self, obj: Any) -> Any:
        if isinstance(obj, Population):
            return obj._copy(self)
        if isinstance(obj, Projection):
            return obj._copy(self, self._view_copy(obj._pre, obj, "pre-synaptic"),
                             self._view_copy(obj._post, obj, "post-synaptic"))
        if isinstance(obj, SynapseMonitor):
            projection = self._copies.get(_key(obj.projection))
            if projection is None:
                raise NetworkError(f"{obj!r}: its projection '{obj.projection.name}' is not in this network; "
                                   "add it in the same call or before")
            return obj._copy(self, projection)
        return obj._copy(self, self._view_copy(obj._obj, obj, "recorded"))

    def _view_copy(self, view: PopulationView | Population, owner: Any, role: str):
        population = view._population
        copy = self._copies.get(_key(population))
        if copy is None:
            raise NetworkError(f"{owner!r}: its {role} population '{population.name}' is not in this "
                               "network; add it in the same call or before")
        if isinstance(view, Population):
            return copy
        return PopulationView(copy, view._ranks)

    def get(self, obj: Any) -> Any:
        """Return this network's copy of ``obj`` (a population, view, projection or monitor).

        Raises
        ------
        NetworkError
            If ``obj`` was not added to this network.
        """
        owner = obj._population if isinstance(obj, PopulationView) else obj
        if getattr(owner, "_network", None) is self:
            return obj
        if isinstance(obj, PopulationView):
            return PopulationView(self.get(obj._population), obj._ranks)
        copy = self._copies.get(_key(obj)) if isinstance(obj, Population | Projection | Monitor | SynapseMonitor) \
            else None
        if copy is None:
            copy = self._same_name(obj)
        if copy is None:
            raise NetworkError(f"{obj!r} is not in this network: add it with net.add() first")
        return copy

    def _same_name(self, obj: Any) -> Any:
        """The copy of a module-level object made again by another process.

        A worker that imports the user's module (a method pickled by reference) creates
        that module's objects anew, with new identities; they are found by kind and
        name, which a script gives alike in every process.
        """
        if not isinstance(obj, Population | Projection | Monitor | SynapseMonitor):
            return None
        matches = [c for c in self._list_of(obj) if c.name == obj.name and type(c) is type(obj)]
        if len(matches) != 1 or (isinstance(obj, Population) and matches[0].size != obj.size):
            return None
        return matches[0]

    def get_population(self, name: str) -> Population:
        """Return the population called ``name``."""
        return self._by_name(self._populations, name, "population")

    def get_projection(self, name: str) -> Projection:
        """Return the projection called ``name``."""
        return self._by_name(self._projections, name, "projection")

    def get_populations(self) -> list[Population]:
        """All populations of the network."""
        return list(self._populations)

    def get_projections(self) -> list[Projection]:
        """All projections of the network."""
        return list(self._projections)

    def get_monitors(self) -> list[Monitor]:
        """All monitors of populations of the network."""
        return list(self._monitors)

    def get_synapse_monitors(self) -> list[SynapseMonitor]:
        """All monitors of synaptic variables of the network."""
        return list(self._synapse_monitors)

    @staticmethod
    def _by_name(objects: list, name: str, kind: str) -> Any:
        for obj in objects:
            if obj.name == name:
                return obj
        names = [o.name for o in objects]
        raise NetworkError(f"Network: no {kind} named '{name}' (names: {', '.join(names) or 'none'})."
                           f"{did_you_mean(name, names)}")



def _key(obj: Any) -> tuple[str, str]:
    """Identity of an original object, shared by its copies."""
    kind = "population" if isinstance(obj, Population) else type(obj).__name__
    return kind, obj._uid
