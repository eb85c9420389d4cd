"""Projections: synapses from one population (or view) to another."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import numpy as np

from dasksnn.errors import NetworkError, NotCompiledError, did_you_mean
from dasksnn.model.random import Distribution
from dasksnn.model.synapse import Synapse
from dasksnn.network import connectivity as rules
from dasksnn.network.connectivity import check_number, check_probability, check_shape, check_values
from dasksnn.network.population import Population, PopulationView, as_view, check_name, contiguous_range
from dasksnn.network.synaptic import SynapticAccess, SynapticState, check_neuron_reads

if TYPE_CHECKING:
    from dasksnn.engine.connectivity import Synapses
    from dasksnn.network.network import Network

__all__ = ["Projection", "STATIC"]

#: the static synapse: a pre-synaptic spike adds ``w`` to the target
STATIC = Synapse(name="static")


class Projection(SynapticAccess):
    """Synapses from a pre-synaptic to a post-synaptic population.

    Parameters
    ----------
    pre, post : Population or PopulationView
        Source and target neurons.
    target : str or list of str
        Where weights go (a list: to each of them, as ANNarchy): ``"exc"`` adds them to the post variable ``g_exc`` (any
        ``"x"`` to ``g_x``, as in ANNarchy), or the name of a post variable itself
        (``"ge"``, as in Brian).
    synapse : Synapse, optional
        The synapse model (default: static, ``g_target += w`` on each pre-synaptic spike).
    name : str, optional
        Unique name in the network (default ``proj<n>``).

    Notes
    -----
    Call one ``connect_*`` method to choose the connectivity. Random connectivity is
    drawn when the network compiles, from streams keyed by the network's seed and the
    projection's name (renaming a projection changes its synapses). After
    compiling, ``proj.w`` and the other synaptic attributes read and write the values
    without compiling again, as in ANNarchy: a list with one array per post-synaptic
    neuron of :attr:`post_ranks`; see also :meth:`dendrite`, :meth:`values`.

    Examples
    --------
    >>> import dasksnn as ann
    >>> inp = ann.PoissonPopulation(100, rates=10.0)
    >>> pop = ann.Population(100, ann.Izhikevich)
    >>> proj = ann.Projection(inp, pop, "exc").connect_fixed_probability(0.2, weights=5.0)
    >>> proj.target_variable
    'g_exc'
    """

    def __init__(self, pre: Population | PopulationView, post: Population | PopulationView,
                 target: str, synapse: Synapse | None = None, name: str | None = None) -> None:
        check_name(name, "Projection")
        self._uid = uuid.uuid4().hex  # identity shared by copies, unique across processes
        where = f"Projection '{name}'" if name is not None else "Projection"
        self._pre = as_view(pre, "pre", where)
        self.name = name if name is not None else self._pre.population._network._auto_name("proj")
        where = f"Projection '{self.name}'"
        self._post = as_view(post, "post", where)
        self.target = target
        if isinstance(target, list | tuple) and target and all(isinstance(t, str) for t in target):
            variables = tuple(dict.fromkeys(self._resolve_target(t, where) for t in target))
            self.target_variable = variables[0] if len(variables) == 1 else variables
        else:
            self.target_variable = self._resolve_target(target, where)
        self._rule: rules.Rule | None = None
        self._weights: Any = None
        self._delays: Any = 0.0
        self._allow_self = False
        self._built: Synapses | None = None
        self._network: Network = self._pre.population._network
        if self._post.population._network is not self._network:
            raise NetworkError(f"{where}: pre and post belong to different networks")
        if synapse is not None and not isinstance(synapse, Synapse):
            raise NetworkError(f"{where}: synapse must be a Synapse, got {type(synapse).__name__}")
        self._state = SynapticState(synapse or STATIC, where)
        check_neuron_reads(self.synapse, self._pre.neuron, self._post.neuron, where)
        self._network._register(self)

    def _resolve_target(self, target: str, where: str) -> str:
        variables = self._post.neuron.variable_names
        if not isinstance(target, str):
            raise NetworkError(f"{where}: target must be a string such as 'exc', got {target!r}")
        assigned = {eq.name for eq in self._post.neuron.equation_defs if not eq.ode}
        for candidate in (f"g_{target}", target):
            if candidate in assigned:
                raise NetworkError(f"{where}: target '{target}' names '{candidate}', which the model "
                                   "recomputes every step (an assignment), so weights added to it "
                                   "would be lost; target a synaptic input g_<name> or a "
                                   "differential variable")
            if candidate in variables:
                return candidate
        population = self._post.population
        if population.spike_source and isinstance(target, str) and target.isidentifier():
            # ANNarchy lets a spike source receive projections (for their post-synaptic events,
            # as in its STDP notebook): the weights go to an input nothing reads
            name = target if target.startswith("g_") else f"g_{target}"
            population.value_arrays.setdefault(name, np.zeros(population.size))
            return name
        valid = [v[2:] for v in variables if v.startswith("g_")] + list(variables)
        raise NetworkError(
            f"{where}: unknown target '{target}' for {self.post!r} ({self._post.neuron.name}): "
            f"neither 'g_{target}' nor '{target}' is a variable of the model (valid targets: "
            f"{', '.join(valid) or 'none'}).{did_you_mean(target, valid)}")

    def __repr__(self) -> str:
        return f"Projection '{self.name}'"

    @property
    def pre(self) -> Population | PopulationView:
        """Pre-synaptic population, or the view given if it is not the whole population in order."""
        return _population_or_view(self._pre)

    @property
    def post(self) -> Population | PopulationView:
        """Post-synaptic population, or the view given if it is not the whole population in order."""
        return _population_or_view(self._post)

    # ------------------------------------------------------------ connect_* methods
    def _connect(self, rule: rules.Rule, weights: Any, delays: Any,
                 allow_self_connections: bool = False) -> Projection:
        where = f"{self!r}"
        if self._rule is not None:
            raise NetworkError(f"{where}: connectivity is already defined; create another Projection")
        if self._network.compiled:
            raise NetworkError(f"{where}: the network is compiled; connectivity cannot change")
        given = rule.stored_weights()
        if given is not None and not np.all(np.isfinite(given)):
            raise NetworkError(f"{where}: the matrix holds weights that are not finite "
                               f"({given[~np.isfinite(given)][:3].tolist()}); mark a missing synapse "
                               "with None or NaN in a dense matrix, or leave it out of a sparse one")
        if given is None:
            check_values(weights, "weights", where, allow_array=isinstance(rule, rules.OneToOne),
                          count=self._pre.size)
        check_values(delays, "delays", where, allow_array=False, count=0)
        low = delays.bounds()[0] if isinstance(delays, Distribution) else float(delays)
        if low < 0:
            raise NetworkError(f"{where}: delays must be >= 0 ms, got {delays!r}")
        self._rule, self._weights, self._delays = rule, weights, delays
        self._allow_self = bool(allow_self_connections)
        return self

    def connect_all_to_all(self, weights: float | Distribution, delays: float | Distribution = 0.0,
                           allow_self_connections: bool = False) -> Projection:
        """Connect every pre-synaptic neuron to every post-synaptic neuron.

        Parameters
        ----------
        weights : float or Distribution
            Synaptic weight (units of the target variable).
        delays : float or Distribution, default 0.0
            Synaptic delay in ms, a multiple of ``dt`` (distributions are rounded to
            steps).
        allow_self_connections : bool, default False
            Whether a neuron may connect to itself when pre and post overlap.

        Returns
        -------
        Projection
            ``self``, so that calls can be chained.
        """
        return self._connect(rules.AllToAll(), weights, delays, allow_self_connections)

    def connect_one_to_one(self, weights: float | Distribution | np.ndarray = 1.0,
                           delays: float | Distribution = 0.0) -> Projection:
        """Connect pre-synaptic neuron ``i`` to post-synaptic neuron ``i``.

        ``weights`` may also be an array with one value per pair. Sizes must match.
        """
        if self._pre.size != self._post.size:
            raise NetworkError(f"{self!r}: connect_one_to_one needs pre and post of the same size, "
                               f"got {self._pre.size} and {self._post.size}")
        return self._connect(rules.OneToOne(), weights, delays, True)

    def connect_fixed_probability(self, probability: float, weights: float | Distribution,
                                  delays: float | Distribution = 0.0,
                                  allow_self_connections: bool = False) -> Projection:
        """Create each possible synapse independently with ``probability``.

        Parameters
        ----------
        probability : float
            Connection probability, in [0, 1].
        weights, delays, allow_self_connections
            As in :meth:`connect_all_to_all`.
        """
        check_probability(probability, f"{self!r}")
        return self._connect(rules.FixedProbability(float(probability)), weights, delays,
                             allow_self_connections)

    def connect_fixed_number_pre(self, number: int, weights: float | Distribution,
                                 delays: float | Distribution = 0.0,
                                 allow_self_connections: bool = False) -> Projection:
        """Give each post-synaptic neuron ``number`` distinct pre-synaptic neurons."""
        check_number(number, self._pre.size, "pre", repr(self))
        return self._connect(rules.FixedNumberPre(int(number)), weights, delays,
                             allow_self_connections)

    def connect_fixed_number_post(self, number: int, weights: float | Distribution,
                                  delays: float | Distribution = 0.0,
                                  allow_self_connections: bool = False) -> Projection:
        """Connect each pre-synaptic neuron to ``number`` distinct post-synaptic neurons."""
        check_number(number, self._post.size, "post", repr(self))
        return self._connect(rules.FixedNumberPost(int(number)), weights, delays,
                             allow_self_connections)

    def connect_from_matrix(self, weights: Any, delays: float | Distribution = 0.0,
                            pre_post: bool = False) -> Projection:
        """Create the synapses of a dense weight matrix.

        Parameters
        ----------
        weights : array-like
            ``weights[post, pre]``, of shape ``(post.size, pre.size)`` (ANNarchy's
            convention for dense matrices), or ``weights[pre, post]`` with
            ``pre_post=True``; ``None`` or NaN marks a missing synapse.
        delays : float or Distribution, default 0.0
            Synaptic delay in ms.
        pre_post : bool, default False
            Whether the first index is the pre-synaptic neuron.

        Returns
        -------
        Projection
            ``self``, so that calls can be chained.

        Raises
        ------
        NetworkError
            If the shape is not the one of the projection, or an entry is not a number
            (or ``None``).

        Examples
        --------
        >>> import dasksnn as ann
        >>> pre, post = ann.Population(2, ann.Izhikevich), ann.Population(3, ann.Izhikevich)
        >>> proj = ann.Projection(pre, post, "exc").connect_from_matrix(
        ...     [[1.0, None], [None, 2.0], [3.0, 4.0]])  # post 2 receives from pre 0 and 1
        """
        rule = rules.FromMatrix(weights, bool(pre_post))
        order = ("pre", "post") if pre_post else ("post", "pre")
        check_shape(repr(self), "connect_from_matrix", rule.given_shape(), order, self._pre.size, self._post.size,
                    "pass pre_post=True for a matrix indexed [pre, post]" if not pre_post
                    else "pass pre_post=False (the default) for a matrix indexed [post, pre]")
        try:
            rule.stored_weights()
        except (TypeError, ValueError):
            raise NetworkError(f"{self!r}: connect_from_matrix needs numbers (None or NaN for no "
                               f"synapse) in weights, got {weights!r}") from None
        return self._connect(rule, None, delays, True)

    def connect_from_sparse(self, weights: Any, delays: float | Distribution = 0.0) -> Projection:
        """Create the synapses of a SciPy sparse matrix ``weights[pre, post]``.

        Parameters
        ----------
        weights : scipy.sparse matrix or array
            Of shape ``(pre.size, post.size)``: entry ``[i, j]`` is the weight of the
            synapse from pre-synaptic neuron ``i`` to post-synaptic neuron ``j``. The
            first index is the pre-synaptic one, as in ANNarchy, unlike the default of
            :meth:`connect_from_matrix`. Every stored entry is a synapse (an explicitly
            stored zero too); entries not stored are absent.
        delays : float or Distribution, default 0.0
            Synaptic delay in ms.

        Returns
        -------
        Projection
            ``self``, so that calls can be chained.

        Raises
        ------
        NetworkError
            If ``weights`` is not a SciPy sparse matrix, its shape is not
            ``(pre.size, post.size)``, or a stored weight is not finite.

        Examples
        --------
        A ring: pre-synaptic neuron ``i`` projects onto post-synaptic neuron ``i + 1``,
        so post-synaptic neuron 1 receives from pre-synaptic neuron 0.

        >>> import dasksnn as ann
        >>> from scipy.sparse import lil_matrix
        >>> n = 5
        >>> w = lil_matrix((n, n))
        >>> for i in range(n):
        ...     w[i, (i + 1) % n] = 1.0
        >>> pop = ann.Population(n, ann.Izhikevich)
        >>> proj = ann.Projection(pop, pop, "exc").connect_from_sparse(w)
        """
        if not hasattr(weights, "tocoo") or len(getattr(weights, "shape", ())) != 2:
            raise NetworkError(f"{self!r}: connect_from_sparse needs a SciPy sparse matrix "
                               f"weights[pre, post], got {type(weights).__name__} (use "
                               "connect_from_matrix for a dense array)")
        rule = rules.FromSparse(weights)
        check_shape(repr(self), "connect_from_sparse", rule.given_shape(), ("pre", "post"), self._pre.size,
                    self._post.size, "a sparse matrix is indexed [pre, post], as in ANNarchy: pass weights.T")
        return self._connect(rule, None, delays, True)

    # ------------------------------------------------------------ building
    @property
    def rule(self) -> rules.Rule | None:
        """The connectivity rule chosen by a ``connect_*`` method (``None`` before)."""
        return self._rule

    @property
    def pre_view_ranks(self) -> np.ndarray:
        """Ranks of the pre-synaptic neurons in their population, in the view's order."""
        return self._pre._ranks

    @property
    def post_view_ranks(self) -> np.ndarray:
        """Ranks of the post-synaptic neurons in their population, in the view's order."""
        return self._post._ranks

    @property
    def pre_population(self) -> Population:
        """The population of the pre-synaptic neurons (also for a view)."""
        return self._pre.population

    @property
    def post_population(self) -> Population:
        """The population of the post-synaptic neurons (also for a view)."""
        return self._post.population

    def may_delay(self, dt: float) -> bool:
        """Whether the delays, as described, can reach two steps of ``dt`` or more (the kernel
        then delivers through a ring buffer: a delay of one step is the kernel's own, see
        :meth:`~dasksnn.codegen.layout.Layout.lag`); known before anything is drawn."""
        if isinstance(self._delays, Distribution):
            return bool(np.rint(self._delays.bounds()[1] / dt) >= 2)
        return round(float(self._delays) / dt) >= 2

    def bind(self, synapses: Synapses, arrays: dict[str, np.ndarray] | None = None,
             order: np.ndarray | None = None, shared: dict[str, str] | None = None) -> None:
        """Keep the synapses the engine drew for this projection: the arrays the kernel reads
        (``arrays``: the synaptic attributes by name; ``order``: synapses sorted by post neuron;
        ``shared``: traces kept once per pre or post neuron)."""
        self._built = synapses
        self._state.bind(synapses, {"w": synapses.w, **(arrays or {})}, order, shared)

    @property
    def learning(self) -> np.ndarray:
        """The learning control the kernel reads: on (1) or off (0), period and offset in steps."""
        return self._state.learn

    @property
    def connectivity(self) -> tuple[rules.Rule, Any, Any, bool]:
        """The rule, weights, delays and whether self-connections are allowed, as given."""
        if self._rule is None:
            raise NetworkError(f"{self!r} has no connectivity: call one of its connect_* methods "
                               "(e.g. connect_fixed_probability) before compile()")
        return self._rule, self._weights, self._delays, self._allow_self

    def restore_weights(self) -> None:
        """Set the weights (and the synapse model's variables) back to their values at compile."""
        self._state.restore()

    @property
    def delayed(self) -> bool:
        """Whether some synapse has a delay of two steps or more (needs a ring buffer)."""
        return bool(self._built is not None and self._built.delay.size and self._built.delay.max() > 1)

    def _built_or_raise(self) -> Synapses:
        if self._built is None:
            raise NotCompiledError(f"{self!r}: synapses exist only after compile()")
        return self._built

    @property
    def nb_synapses(self) -> int:
        """Number of synapses (after compile)."""
        return self._built_or_raise().size

    def synapses(self) -> tuple[np.ndarray, np.ndarray]:
        """Pre and post ranks of every synapse, in the order of :meth:`values`."""
        built = self._built_or_raise()
        return built.pre().astype(np.int64), built.post.astype(np.int64)

    @property
    def delay(self) -> np.ndarray:
        """Delays in ms, one per synapse in the order of :meth:`synapses`."""
        return self._built_or_raise().delay * self._network.dt

    def _copy(self, network: Network, pre: PopulationView, post: PopulationView) -> Projection:
        clone = object.__new__(Projection)
        clone.__dict__.update(self.__dict__)
        clone._pre, clone._post, clone._network = pre, post, network
        clone._built = None
        clone._state = self._state.copy()
        return clone


def _population_or_view(view: PopulationView) -> Population | PopulationView:
    """The population itself if ``view`` selects all of it in rank order, else the view."""
    whole = contiguous_range(view._ranks) == range(view.population.size)
    return view.population if whole else view
