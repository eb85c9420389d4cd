"""Synaptic attributes of a projection read and written as ANNarchy does, and its dendrites.

A projection's per-synapse values live in CSR order (grouped by pre-synaptic neuron,
see :mod:`dasksnn.engine.connectivity`); ANNarchy shows them per post-synaptic neuron
(a *dendrite*): ``proj.w`` is a list with one array per post neuron of
``proj.post_ranks``, in increasing pre rank. :class:`SynapticState` keeps a projection's
synapse model, the values given before compile, the arrays after, and the learning
switch; :class:`Dendrite` is one post neuron's view of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from dasksnn.errors import NetworkError, NotCompiledError, UnknownAttributeError, did_you_mean
from dasksnn.model.random import Distribution
from dasksnn.model.synapse import Synapse
from dasksnn.network.dendrite import Dendrite, floats, number

if TYPE_CHECKING:
    from dasksnn.engine.connectivity import Synapses

__all__ = ["SynapticState", "SynapticAccess", "check_neuron_reads", "held_key"]


def held_key(name: str) -> str:
    """Key in :attr:`SynapticState.arrays` of the per-synapse difference of held trace ``name``
    (:meth:`~dasksnn.model.Synapse.held_traces`)."""
    return f"__held_{name}"


def check_neuron_reads(synapse: Synapse, pre: Any, post: Any, where: str) -> None:
    """The variables ``pre.x`` and ``post.x`` a synapse model reads exist in the neuron models
    ``pre`` and ``post``; no synaptic name hides an attribute of the projection."""
    for owner, neuron in (("pre", pre), ("post", post)):
        names = neuron.variable_names + neuron.parameter_names
        for attr in sorted(synapse.neuron_reads()[owner]):
            if attr not in names:
                raise NetworkError(f"{where}: the synapse {synapse.name!r} reads '{owner}.{attr}', which "
                                   f"{neuron.name} does not have (valid: {', '.join(names) or 'none'})."
                                   f"{did_you_mean(attr, names)}")
    from dasksnn.network.projection import Projection

    hidden = [name for name in synapse.attribute_names if hasattr(Projection, name)
              or name in ("name", "target", "target_variable")]
    if hidden:
        raise NetworkError(f"{where}: the synapse {synapse.name!r} names an attribute "
                           f"{', '.join(repr(n) for n in hidden)}, which is also an attribute of Projection; "
                           "rename it")


class SynapticState:
    """A projection's synapse model, its values and its learning switch.

    Parameters
    ----------
    synapse : Synapse
        The model.
    where : str
        The projection, for messages.
    """

    def __init__(self, synapse: Synapse, where: str) -> None:
        self.synapse = synapse
        self.where = where
        self.given: dict[str, Any] = {}  # values set before compile
        self.arrays: dict[str, np.ndarray] = {}  # after compile: by attribute name, w included
        self.initial: dict[str, np.ndarray] = {}
        self.built: Synapses | None = None
        self._order: np.ndarray | None = None  # synapses in post order (stable)
        self.learn = np.array([1, 1, 0], np.int64)  # on, period, offset (steps)
        self.shared: dict[str, str] = {}

    def copy(self) -> SynapticState:
        """A copy without anything built (for a network's copy of the projection)."""
        clone = SynapticState(self.synapse, self.where)
        clone.given = dict(self.given)
        clone.learn = self.learn.copy()
        return clone

    # ------------------------------------------------------------ names
    def names(self) -> tuple[str, ...]:
        """Attributes of the synapse model (``w`` included)."""
        return self.synapse.attribute_names

    def unknown(self, name: str) -> UnknownAttributeError:
        names = self.names()
        return UnknownAttributeError(f"{self.where}: unknown synaptic attribute '{name}' for {self.synapse.name} "
                                     f"(valid: {', '.join(names)}).{did_you_mean(name, names)}")

    # ------------------------------------------------------------ building
    def bind(self, built: Synapses, arrays: dict[str, np.ndarray], order: np.ndarray | None,
             shared: dict[str, str] | None = None) -> None:
        """Keep the arrays the engine made: the kernel's own (values set later act on them).
        ``shared`` names the traces kept once per ``"pre"`` or ``"post"`` neuron."""
        self.built, self.arrays, self._order = built, arrays, order
        self.shared = dict(shared or {})
        self.initial = {}
        if not self.synapse.static:  # changed by the kernel: copied now
            self.touch()

    def touch(self) -> None:
        """Before a change: keep the values at compile time, for ``reset(projections=True)``
        (static weights are copied on their first change only)."""
        if not self.initial:
            self.initial = {name: values.copy() for name, values in self.arrays.items()}

    @property
    def order(self) -> np.ndarray:
        """Synapses sorted by post neuron, stably (computed on first use for static synapses:
        building a network does not pay for it)."""
        if self._order is None:
            self._order = np.argsort(self.require().post, kind="stable").astype(np.int64)
        return self._order

    def restore(self) -> None:
        """Values back to those at compile time."""
        for name, values in self.initial.items():
            self.arrays[name][...] = values

    def require(self) -> Synapses:
        if self.built is None:
            raise NotCompiledError(f"{self.where}: synapses exist only after compile()")
        return self.built

    # ------------------------------------------------------------ dendrites
    def post_ranks(self) -> np.ndarray:
        """Post ranks with at least one synapse, increasing."""
        built = self.require()
        return np.unique(built.post).astype(np.int64)

    def bounds(self) -> np.ndarray:
        """Per dendrite of :meth:`post_ranks`, its slice of :attr:`order`."""
        built = self.require()
        counts = np.bincount(built.post, minlength=1)
        counts = counts[counts > 0]
        return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def dendrite(self, post: int) -> np.ndarray | None:
        """The synapses of post rank ``post`` (CSR indices, by increasing pre rank), ``None``
        if it receives none."""
        ranks = self.post_ranks()
        position = int(np.searchsorted(ranks, post))
        if position >= ranks.size or ranks[position] != post:
            return None
        bounds = self.bounds()
        return self.order[bounds[position]:bounds[position + 1]]

    # ------------------------------------------------------------ values
    def per_synapse(self, name: str) -> np.ndarray:
        """A per-synapse attribute in CSR order (a shared trace repeated for each synapse of
        its neuron, plus a held trace's difference: a new array; else the kernel's own)."""
        values, built = self.arrays[name], self.require()
        side = self.shared.get(name)
        if side is None:
            return values
        if side == "pre":
            return values[built.pre()]
        held = self.arrays.get(held_key(name))
        return values[built.post] if held is None else values[built.post] + held

    def prepare_write(self, name: str, value: Any) -> None:
        """Before a write: a shared trace takes one number for all synapses (and forgets the
        differences of a held trace)."""
        side = self.shared.get(name)
        if side is not None and not np.isscalar(value):
            raise NetworkError(f"{self.where}: '{name}' is kept once per {side}-synaptic neuron (all its "
                               "synapses share it); set it to a number")
        held = self.arrays.get(held_key(name))
        if held is not None:
            held[:] = 0.0

    def read(self, name: str) -> Any:
        """ANNarchy's view: a float (projection), an array per post rank (postsynaptic) or a
        list of arrays, one per dendrite (per synapse)."""
        if name not in self.names():
            raise self.unknown(name)
        scope = self.synapse.scope_of(name)
        if self.built is None:
            if scope == "projection":
                return float(self.given.get(name, self.synapse.defaults.get(name, 0.0)))
            self.require()
        values = self.arrays[name]
        if scope == "projection":
            return float(values[0])
        ranks = self.post_ranks()
        if scope == "postsynaptic":
            return values[ranks].copy()
        ordered = self.per_synapse(name)[self.order]
        bounds = self.bounds()
        return [ordered[bounds[d]:bounds[d + 1]] for d in range(ranks.size)]

    def write(self, name: str, value: Any, rng: np.random.Generator) -> None:
        """Set from a scalar, a distribution, one value per dendrite, or a list of lists."""
        if name not in self.names():
            raise self.unknown(name)
        scope = self.synapse.scope_of(name)
        if self.built is None:
            if not isinstance(value, Distribution) and not np.isscalar(value):
                raise NetworkError(f"{self.where}: before compile(), '{name}' takes a number or a "
                                   f"distribution, got {type(value).__name__}; set values per synapse "
                                   "after compile()")
            self.given[name] = value
            return
        self.touch()
        self.prepare_write(name, value)
        values = self.arrays[name]
        if scope == "projection":
            values[0] = number(value, name, self.where)
            return
        if isinstance(value, Distribution):
            values[:] = value.draw(rng, values.size)
            return
        if np.isscalar(value):
            values[:] = number(value, name, self.where)
            return
        ranks = self.post_ranks()
        if scope == "postsynaptic":
            array = floats(value, name, self.where)
            if array.shape != ranks.shape:
                raise NetworkError(f"{self.where}: '{name}' takes one value per post neuron of post_ranks "
                                   f"({ranks.size}), got shape {array.shape}")
            values[ranks] = array
            return
        bounds = self.bounds()
        sizes = np.diff(bounds)
        items = list(value)
        if len(items) != ranks.size:
            raise NetworkError(f"{self.where}: '{name}' takes a number, a distribution, one value per "
                               f"dendrite ({ranks.size}) or one list per dendrite, got {len(items)} items")
        per_dendrite = np.empty(int(bounds[-1]))
        for d, item in enumerate(items):
            if np.isscalar(item):
                per_dendrite[bounds[d]:bounds[d + 1]] = number(item, name, self.where)
                continue
            array = floats(item, name, self.where)
            if array.shape != (sizes[d],):
                raise NetworkError(f"{self.where}: '{name}' of dendrite {d} (post rank {ranks[d]}) takes "
                                   f"{sizes[d]} values, got shape {array.shape}")
            per_dendrite[bounds[d]:bounds[d + 1]] = array
        values[self.order] = per_dendrite


class SynapticAccess:
    """ANNarchy's synaptic API of a projection: attributes per dendrite, dendrites, learning.

    The base class of :class:`~dasksnn.network.Projection`, which provides ``_state``
    (a :class:`SynapticState`), ``_network`` and ``_built_or_raise()``.
    """

    _state: SynapticState

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup failed
        state = self.__dict__.get("_state")
        if name.startswith("_") or state is None or name not in state.names():
            raise AttributeError(f"{type(self).__name__!s} object has no attribute {name!r}")
        return state.read(name)

    def __setattr__(self, name: str, value: Any) -> None:
        state = self.__dict__.get("_state")
        if state is not None and not name.startswith("_") and name in state.names():
            state.write(name, value, self._network.init_rng)
        else:
            object.__setattr__(self, name, value)

    def dendrite_order(self, post: int | None = None) -> np.ndarray:
        """Synapses in dendrite order (by post rank, then pre rank), as indices into
        :meth:`synapses` and :meth:`values`: ``np.concatenate(proj.w)`` is
        ``proj.values("w")[proj.dendrite_order()]``.

        Parameters
        ----------
        post : int, optional
            Only the synapses of the dendrite of this post rank, in the order of its
            ``pre_ranks`` (none if it receives no synapse).
        """
        state = self._state
        self._built_or_raise()
        if post is None:
            return state.order.copy()
        synapses = state.dendrite(int(post))
        return np.zeros(0, np.int64) if synapses is None else synapses.copy()

    def recorded_index(self, name: str, post: int | None = None) -> np.ndarray:
        """For each synapse in dendrite order (of the dendrite of post rank ``post`` only, if
        given), the index of its value of ``name`` in the kernel's array (the synapse, its pre
        or post neuron, or 0), for monitors of synaptic variables."""
        state, built = self._state, self._built_or_raise()
        order = self.dendrite_order(post)
        side = state.shared.get(name) or {"postsynaptic": "post", "projection": "one"}.get(
            state.synapse.scope_of(name), "synapse")
        where = {"synapse": lambda: order, "pre": lambda: built.pre()[order],
                 "post": lambda: built.post[order], "one": lambda: np.zeros(order.size, np.int64)}
        return np.ascontiguousarray(where[side](), np.int64)

    def held_traces(self) -> tuple[str, ...]:
        """Traces kept per neuron with per-synapse differences in the compiled kernel (see
        :meth:`Synapse.held_traces`)."""
        return tuple(name for name in self._state.names() if held_key(name) in self._state.arrays)

    def shared_traces(self, delayed: bool, event_timing: str) -> dict[str, str]:
        """Traces the kernel keeps once per pre or post neuron (none with delays; see
        :meth:`Synapse.shared_traces`)."""
        return {} if delayed else self._state.synapse.shared_traces(event_timing)

    def given_value(self, name: str) -> Any:
        """The value of a synaptic attribute for the build: as set before compile, else the default."""
        return self._state.given.get(name, self._state.synapse.defaults.get(name, 0.0))

    @property
    def synapse(self) -> Synapse:
        """The synapse model."""
        return self._state.synapse

    @property
    def plastic(self) -> bool:
        """Whether the synapse model is not the static one (it has its own kernel code)."""
        return not self._state.synapse.static

    @property
    def size(self) -> int:
        """Number of post-synaptic neurons that receive synapses (dendrites; after compile)."""
        return int(self._state.post_ranks().size)

    @property
    def post_ranks(self) -> list[int]:
        """Ranks of the post-synaptic neurons that receive synapses, increasing (after compile)."""
        return self._state.post_ranks().tolist()

    def dendrite(self, post: int) -> Dendrite:
        """The synapses of post-synaptic neuron ``post`` (a rank of the post population).

        Examples
        --------
        >>> import dasksnn as ann
        >>> net = ann.Network(seed=1)
        >>> a, b = ann.Population(3, ann.Izhikevich), ann.Population(2, ann.Izhikevich)
        >>> proj = ann.Projection(a, b, "exc").connect_all_to_all(weights=0.5)
        >>> net.add([a, b, proj]); net.compile()
        >>> net.get(proj).dendrite(1).pre_ranks
        [0, 1, 2]
        """
        if self._state.built is None:
            raise NotCompiledError(f"{self!r}: synapses exist only after compile(), and so do dendrites (also to "
                                   "monitor one, as in ANNarchy: Monitor(proj.dendrite(i), 'w') after compile()); "
                                   "a Network of your own compiles copies: net.get(proj).dendrite(i)")
        if isinstance(post, bool) or not isinstance(post, int | np.integer):
            raise NetworkError(f"{self!r}: a dendrite is chosen by the rank of its post neuron, got {post!r}")
        return Dendrite(self, int(post))

    def __getitem__(self, post: int) -> Dendrite:
        return self.dendrite(post)

    def connectivity_matrix(self, fill: float = 0.0) -> np.ndarray:
        """Dense weights ``[post rank, pre rank]`` over both populations, ``fill`` where no synapse."""
        built = self._built_or_raise()
        matrix = np.full((self.post_population.size, self.pre_population.size), float(fill))
        matrix[built.post, built.pre()] = self._state.arrays["w"]
        return matrix

    def values(self, name: str) -> np.ndarray:
        """A synaptic attribute with one value per synapse, in the order of :meth:`synapses` (a copy)."""
        self._built_or_raise()
        state = self._state
        if name not in state.names():
            raise state.unknown(name)
        if state.synapse.scope_of(name):
            raise NetworkError(f"{self!r}: '{name}' is not a per-synapse attribute")
        return state.per_synapse(name).copy()

    def set_values(self, name: str, values: Any) -> None:
        """Set a per-synapse attribute from one value per synapse, in the order of :meth:`synapses`."""
        self.values(name)
        state = self._state
        array = floats(values, name, repr(self))
        state.touch()
        state.prepare_write(name, values)
        target = state.arrays[name]
        if array.shape != target.shape:
            raise NetworkError(f"{self!r}: '{name}' takes {target.size} values (one per synapse), got "
                               f"shape {array.shape}")
        target[:] = array

    def enable_learning(self, period: float | None = None, offset: float | None = None) -> None:
        """Switch plasticity on (without compiling again).

        Parameters
        ----------
        period : float, optional
            Continuous synaptic equations are integrated every ``period`` ms (default: every
            step); events always update their synapses.
        offset : float, optional
            Time in ms within the period at which they are integrated (default 0).
        """
        dt = self._network.dt
        for name, value in (("period", period), ("offset", offset)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float | np.number)
                                      or not np.isfinite(value) or value < 0):
                raise NetworkError(f"{self!r}: enable_learning {name} must be a number of ms >= 0 (or None), "
                                   f"got {value!r}")
        steps = 1 if period is None else round(float(period) / dt)
        if steps < 1:
            raise NetworkError(f"{self!r}: enable_learning period must be >= dt ({dt} ms), got {period!r}")
        self._state.learn[:] = (1, steps, 0 if offset is None else round(float(offset) / dt) % steps)

    def disable_learning(self) -> None:
        """Switch plasticity off: weights and learning variables stay as they are, spikes are
        transmitted as before (without compiling again)."""
        self._state.learn[0] = 0
