"""Populations of neurons, views on them, and input populations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from dasksnn.errors import NetworkError, UnknownAttributeError, did_you_mean
from dasksnn.model.neuron import Neuron
from dasksnn.model.random import Distribution
from dasksnn.network.recording import steps_of

if TYPE_CHECKING:
    from dasksnn.network.network import Network

__all__ = ["Population", "PopulationView", "as_view", "check_name", "contiguous_range"]



def _geometry(geometry: Any, where: str) -> tuple[int, ...]:
    shape = (geometry,) if np.isscalar(geometry) else tuple(geometry)
    if not shape or not all(isinstance(n, int | np.integer) and not isinstance(n, bool) and n > 0
                            for n in shape):
        raise NetworkError(f"{where}: geometry must be a positive integer or a tuple of positive "
                           f"integers, got {geometry!r}")
    return tuple(int(n) for n in shape)


class _Values:
    """Shared attribute access of populations and views (parameters and variables)."""

    def _names(self) -> tuple[str, ...]:
        return self.neuron.parameter_names + self.neuron.variable_names

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup failed
        if name.startswith("_") or name in ("neuron", "population"):
            raise AttributeError(name)
        return self.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name in self._own_attributes \
                or isinstance(getattr(type(self), name, None), property):
            object.__setattr__(self, name, value)
        else:
            self.set({name: value})

    def _unknown(self, name: str) -> UnknownAttributeError:
        names = self._names()
        return UnknownAttributeError(
            f"{self!r}: unknown parameter or variable '{name}' for {self.neuron.name} "
            f"(valid: {', '.join(names)}).{did_you_mean(name, names)}")

    def get(self, name: str) -> np.ndarray | float:
        """Return the value of a parameter or variable.

        Parameters
        ----------
        name : str
            Parameter or variable name.

        Returns
        -------
        numpy.ndarray or float
            A copy of the values of the neurons (a float for a population-wide
            parameter).
        """
        population = self._population
        if name not in population.value_arrays:
            raise self._unknown(name)
        values = population.value_arrays[name]
        if name in population.neuron.population_parameters:
            return float(values[0])
        return values[self._ranks].copy()

    def set(self, values: dict[str, Any]) -> None:
        """Set parameters or variables: ``pop.set({"v": -65.0, "tau_m": 10.0})``.

        A value is a scalar (all neurons), an array with one value per neuron, or a
        random distribution drawn from the network's seeded generator.
        """
        population = self._population
        for name, value in values.items():
            if name not in population.value_arrays:
                raise self._unknown(name)
            target = population.value_arrays[name]
            if name in population.neuron.population_parameters:
                if not np.isscalar(value) or np.unique(self._ranks).size != population.size:
                    raise NetworkError(f"{self!r}: '{name}' is one value for the whole population "
                                       f"(flag ': population'): assign a number on the population, "
                                       f"got {type(value).__name__}")
                target[0] = float(value)
                continue
            target[self._ranks] = self._expand(name, value)

    def _expand(self, name: str, value: Any) -> np.ndarray | float:
        count = self._ranks.size
        if isinstance(value, Distribution):
            return value.draw(self._population._network.init_rng, count)
        if np.isscalar(value):
            if not isinstance(value, int | float | np.number) or isinstance(value, bool):
                raise NetworkError(f"{self!r}: '{name}' must be a number, an array or a "
                                   f"distribution, got {value!r}")
            return float(value)
        array = np.asarray(value, dtype=np.float64)
        if array.size == 1 and count != 1:  # one value for all, as NumPy broadcasts it (and ANNarchy)
            return float(array.reshape(-1)[0])
        if array.size != count or (array.ndim > 1 and array.shape != getattr(self, "geometry", ())):
            raise NetworkError(f"{self!r}: '{name}' expects a scalar, a distribution or an array "
                               f"of {count} values, got shape {array.shape}")
        return array.reshape(-1)

    def __len__(self) -> int:
        return int(self._ranks.size)

    def __getitem__(self, index: Any) -> PopulationView:
        geometry = getattr(self, "geometry", (len(self),))
        try:
            ranks = np.atleast_1d(np.arange(len(self)).reshape(geometry)[index]).ravel()
        except (IndexError, TypeError, ValueError) as exc:
            raise NetworkError(f"{self!r}: cannot select {index!r} from geometry {geometry} ({exc})") from None
        if ranks.size == 0:
            raise NetworkError(f"{self!r}: the view {index!r} selects no neuron")
        return PopulationView(self._population, self._ranks[ranks])

    def __add__(self, other: Any) -> PopulationView:
        """The neurons of both, in order (ANNarchy's ``pop[0] + pop[5]``); same population only."""
        if not isinstance(other, _Values) or other._population is not self._population:
            raise NetworkError(f"{self!r}: only views of the same population can be added, got {other!r}")
        return PopulationView(self._population, np.concatenate([self._ranks, other._ranks]))


class Population(_Values):
    """A population of neurons of one model.

    Parameters
    ----------
    geometry : int or tuple of int
        Number of neurons, or the shape of a grid of neurons.
    neuron : Neuron
        The neuron model, e.g. ``dasksnn.IF_cond_exp`` or a user-defined :class:`Neuron`.
    name : str, optional
        Unique name in the network (default ``pop<n>``).

    Notes
    -----
    Every parameter and variable is an attribute: ``pop.v`` returns an array with one
    value per neuron; ``pop.v = -65.0``, an array, or ``Uniform(-65, -55)`` sets it.
    Slicing gives a :class:`PopulationView`: ``pop[:800].tau_m = 20.0``.

    Examples
    --------
    >>> import dasksnn as ann
    >>> pop = ann.Population(100, ann.Izhikevich, name="exc")
    >>> pop.v[:3]
    array([-65., -65., -65.])
    """

    _own_attributes = frozenset({"geometry", "size", "neuron", "name"})

    def __init__(self, geometry: int | Sequence[int], neuron: Neuron, name: str | None = None) -> None:
        check_name(name, "Population")
        where = f"Population {name!r}" if name else "Population"
        if isinstance(neuron, type) or not isinstance(neuron, Neuron):
            raise NetworkError(f"{where}: neuron must be a Neuron model (e.g. dasksnn.IF_cond_exp), "
                               f"got {neuron!r}")
        self.geometry = _geometry(geometry, where)
        self.size = int(np.prod(self.geometry))
        self.neuron = neuron
        from dasksnn.network.scope import scope

        self._uid = uuid.uuid4().hex  # identity shared by copies, unique across processes
        self.name = name if name is not None else scope().network._auto_name("pop")
        self._ranks = np.arange(self.size)
        self._population = self
        shared = neuron.population_parameters
        self._values = {key: np.full(1 if key in shared else self.size, value, dtype=np.float64)
                        for key, value in neuron.defaults.items()}
        self._network: Network = scope().network
        self._network._register(self)

    def __repr__(self) -> str:
        return f"Population '{self.name}'"

    @property
    def ranks(self) -> np.ndarray:
        """Ranks of the neurons, ``0 .. size - 1``."""
        return self._ranks.copy()

    @property
    def spike_source(self) -> bool:
        """Whether the population emits given spikes instead of integrating a model."""
        return False

    @property
    def value_arrays(self) -> dict[str, np.ndarray]:
        """Every parameter and variable, by name: the arrays the kernel reads and writes
        (one value for population-wide parameters). Use ``get``/``set`` to change values."""
        return self._values

    @property
    def firing_rate_window(self) -> float | None:
        """Window in ms of the mean firing rate ``r`` (see :meth:`compute_firing_rate`), or ``None``."""
        return getattr(self, "_rate_window", None)

    def compute_firing_rate(self, window: float) -> None:
        """Compute the mean firing rate of each neuron in its variable ``r``, as ANNarchy's:
        ``r`` is 1000 / ``window`` times the neuron's spikes of the last ``window`` ms, updated
        every step (0 until this is called). ``r`` can be recorded and read by synapses
        (``post.r``).

        Parameters
        ----------
        window : float
            Length of the window in ms, a multiple of ``dt``.

        Raises
        ------
        NetworkError
            For a model without ANNarchy's ``r`` (a model that defines ``r`` itself, or does
            not spike), or a window that is not a positive multiple of ``dt``.

        Examples
        --------
        >>> import dasksnn as ann
        >>> pop = ann.Population(10, ann.Izhikevich)
        >>> pop.compute_firing_rate(1000.0)
        >>> pop.firing_rate_window
        1000.0
        """
        if not self.neuron.rate_variable:
            raise NetworkError(f"{self!r}: compute_firing_rate() needs a spiking model that leaves the "
                               f"variable 'r' to ANNarchy's mean firing rate; {self.neuron.name} "
                               + ("defines 'r' itself" if self.neuron.spike_condition else "does not spike"))
        steps_of(window, self._network.dt, repr(self), "compute_firing_rate() window", "a window of whole steps")
        self._rate_window = float(window)
        if self._network.compiled:
            self._network.simulator.firing_rate_changed(self._index())

    def clear(self) -> None:
        """Forget the spikes emitted so far, as ANNarchy's ``Population.clear``: refractory
        periods, last spike times, the spikes of the firing rate window (``r`` is 0 again),
        and spikes still travelling through delays (a
        :class:`~dasksnn.SpikeSourceArray` also counts its spike times from now on).
        Parameters and variables keep their values. Before compile there is nothing to clear.

        Examples
        --------
        >>> import dasksnn as ann
        >>> pop = ann.Population(3, ann.IF_curr_exp(tau_refrac=5.0))
        >>> pop.clear()
        """
        if self._network.compiled:
            self._network.simulator.clear_spikes(self._index())

    def reset(self, attributes: list[str] | None = None) -> None:
        """Give parameters and variables the values they had when the network compiled (all,
        or those named) and :meth:`clear` the spikes, as ANNarchy's ``Population.reset``.

        Parameters
        ----------
        attributes : list of str, optional
            Names of parameters or variables (default: all).

        Raises
        ------
        NotCompiledError
            Before the network is compiled.
        UnknownAttributeError
            For a name that is not a parameter or variable of the model.
        """
        initial = self._network.simulator.initial[self._index()]
        names = list(initial) if attributes is None else [attributes] if isinstance(attributes, str) \
            else list(attributes)
        for name in names:
            if name not in initial:
                raise self._unknown(name)
        for name in names:
            self._values[name][:] = initial[name]
        self.clear()

    def _index(self) -> int:
        return next(i for i, pop in enumerate(self._network.get_populations()) if pop is self)

    def _copy(self, network: Network) -> Population:
        """A copy owned by ``network`` with the same values (see ``Network.add``)."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._values = {key: value.copy() for key, value in self._values.items()}
        clone._population = clone
        clone._network = network
        return clone


class PopulationView(_Values):
    """A subset of a population, made by slicing: ``pop[:800]``, ``pop[[1, 5, 7]]``.

    Attributes read and write the values of the selected neurons only. A view can be
    the source or target of a projection and the object of a monitor.
    """

    _own_attributes = frozenset()

    def __init__(self, population: Population, ranks: np.ndarray) -> None:
        self._population = population
        self._ranks = np.asarray(ranks, dtype=np.int64)

    @property
    def population(self) -> Population:
        """The population this view selects from."""
        return self._population

    @property
    def neuron(self) -> Neuron:
        """The neuron model of the population."""
        return self._population.neuron

    @property
    def ranks(self) -> np.ndarray:
        """Ranks, in the population, of the selected neurons."""
        return self._ranks.copy()

    @property
    def size(self) -> int:
        """Number of selected neurons."""
        return int(self._ranks.size)

    @property
    def name(self) -> str:
        """Name of the population and the selection."""
        return f"{self._population.name}[{_describe(self._ranks)}]"

    def __repr__(self) -> str:
        return f"PopulationView '{self.name}'"


def contiguous_range(ranks: np.ndarray) -> range | None:
    """The range ``ranks`` spans if they are consecutive and increasing, else ``None``.

    This is the one test of "is this selection a slice ``start:stop``" in dasksnn:
    projections use it to map local indices to ranks with an addition, views to name
    themselves, and ``Projection.pre``/``post`` to tell a whole population from a view.
    Comparing only the first and last ranks with the size is not enough: ``[0, 2, 1, 3]``
    and ``[5, 1, 7]`` would pass.

    Parameters
    ----------
    ranks : numpy.ndarray
        Integer ranks, one dimension.

    Returns
    -------
    range or None
        ``range(ranks[0], ranks[-1] + 1)`` when ``ranks[i] == ranks[0] + i`` for every
        ``i``; ``None`` otherwise, and for no rank at all.

    Examples
    --------
    >>> import numpy as np
    >>> contiguous_range(np.array([3, 4, 5]))
    range(3, 6)
    >>> contiguous_range(np.array([0, 2, 1, 3])) is None
    True
    """
    if ranks.size == 0 or not np.all(np.diff(ranks) == 1):
        return None
    return range(int(ranks[0]), int(ranks[-1]) + 1)


def _describe(ranks: np.ndarray) -> str:
    span = contiguous_range(ranks) if ranks.size > 1 else None
    if span is not None:
        return f"{span.start}:{span.stop}"
    return ",".join(map(str, ranks[:5])) + (",..." if ranks.size > 5 else "")


def as_view(obj: Any, role: str, where: str) -> PopulationView:
    """``obj`` as a view (a population is the view of all its neurons), or a NetworkError."""
    if isinstance(obj, Population):
        return obj[:]
    if isinstance(obj, PopulationView):
        return obj
    raise NetworkError(f"{where}: {role} must be a Population or a view of one, got {obj!r}")


def check_name(name: Any, kind: str) -> None:
    """An object's name: ``None`` (named automatically) or non-empty text."""
    if name is not None and (not isinstance(name, str) or not name):
        raise NetworkError(f"{kind}: name must be a non-empty string (or None for an automatic name), "
                           f"got {name!r:.60}")
