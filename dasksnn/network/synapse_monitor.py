"""Monitors of synaptic variables: ``Monitor(proj, "w")`` records a projection's synapses,
``Monitor(proj.dendrite(i), "w")`` those of one post-synaptic neuron."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from dasksnn.errors import NetworkError, did_you_mean
from dasksnn.network.population import check_name
from dasksnn.network.recording import Samples, Switchable, steps_of

if TYPE_CHECKING:
    from dasksnn.network.dendrite import Dendrite
    from dasksnn.network.network import Network
    from dasksnn.network.projection import Projection

__all__ = ["SynapseMonitor"]


class SynapseMonitor(Switchable):
    """Records synaptic variables of every synapse of a projection (``Monitor(proj, ["w"])``), or
    of one dendrite (``Monitor(proj.dendrite(i), "w")``: the synapses of post neuron ``i``).

    Parameters
    ----------
    obj : Projection or Dendrite
        What to record. A dendrite exists once its network is compiled: its monitor is
        made after ``compile()`` (as in ANNarchy) and records from the next simulated step.
    variables : str or list of str
        Synaptic attributes of the projection's synapse model (``"w"``, traces, parameters).
    period : float, optional
        Recording period in ms, a multiple of ``dt`` (default: every step). One row holds
        a value per synapse: mind the memory of large projections.
    start : bool, default True
        Whether to record from the first simulation on (else call :meth:`start`).
    name : str, optional
        Name in the network (default ``monitor<n>``).

    Notes
    -----
    Values are recorded at the end of each recorded step (as ANNarchy), one column per synapse in the
    order of the dendrites (``np.concatenate(proj.w)`` is a row of ``"w"``), or of the
    dendrite's ``pre_ranks``. An event-driven variable shows its value at the synapse's
    last event (as ANNarchy's monitors do). A monitor of a dendrite keeps its post rank:
    in a copy of the network (``Network(everything=True)``, a replica, a run of
    :func:`~dasksnn.parallel_run`) it records that post neuron's synapses as the copy drew
    them (none, if it receives none there).

    Examples
    --------
    >>> import dasksnn as ann
    >>> net = ann.Network(dt=1.0, seed=1)
    >>> a = ann.PoissonPopulation(5, rates=50.0)
    >>> b = ann.Population(2, ann.IF_cond_exp)
    >>> proj = ann.Projection(a, b, "exc", synapse=ann.STDP).connect_all_to_all(weights=0.01)
    >>> m = ann.Monitor(proj, "w", period=10.0)
    >>> net.add([a, b, proj, m]); net.compile(); net.simulate(100.0)
    >>> net.get(m).get("w").shape
    (10, 10)
    >>> d = ann.Monitor(net.get(proj).dendrite(1), "w")  # after compile, as in ANNarchy
    >>> net.simulate(20.0)
    >>> d.get("w").shape
    (20, 5)
    """

    def __init__(self, obj: Projection | Dendrite, variables: str | list[str], period: float | None = None,
                 start: bool = True, name: str | None = None) -> None:
        from dasksnn.network.dendrite import Dendrite

        check_name(name, "Monitor")
        self._uid = uuid.uuid4().hex
        projection = obj.proj if isinstance(obj, Dendrite) else obj
        self.name = name if name is not None else projection._network._auto_name("monitor")
        valid = projection.synapse.attribute_names
        names = [variables] if isinstance(variables, str) else list(variables) \
            if isinstance(variables, Iterable) else None
        if not names or not all(isinstance(var, str) for var in names):
            raise NetworkError(f"Monitor '{self.name}': variables must be a name or a list of names (among "
                               f"{', '.join(valid)}), got {variables!r}")
        for var in names:
            if var not in valid:
                raise NetworkError(f"Monitor '{self.name}': {projection!r} has no synaptic variable '{var}' to "
                                   f"record (valid: {', '.join(valid)}).{did_you_mean(var, valid)}")
        self._projection = projection
        self._post: int | None = obj.post_rank if isinstance(obj, Dendrite) else None
        self._network: Network = projection._network
        self.variables = tuple(dict.fromkeys(names))
        self._period: float | None = None
        self.period = period
        self._active = bool(start)
        self._phase: int | None = None
        self._clear()
        self._network._register(self)

    @staticmethod
    def made(obj: Any, args: tuple, kwargs: dict) -> SynapseMonitor | None:
        """The monitor ``Monitor(obj, *args, **kwargs)`` makes when ``obj`` is a projection or a
        dendrite (else None)."""
        from dasksnn.network.dendrite import Dendrite
        from dasksnn.network.projection import Projection

        if not isinstance(obj, Projection | Dendrite):
            return None
        monitor = object.__new__(SynapseMonitor)
        monitor.__init__(obj, *args, **kwargs)
        return monitor

    def __repr__(self) -> str:
        return f"Monitor '{self.name}'"

    @property
    def projection(self) -> Projection:
        """The recorded projection (of the dendrite, for a monitor of one)."""
        return self._projection

    @property
    def post_rank(self) -> int | None:
        """Post rank of the recorded dendrite (``None``: every synapse of the projection)."""
        return self._post

    def recorded_index(self, name: str) -> np.ndarray:
        """For each recorded synapse, the index of its value of ``name`` in the kernel's array
        (see :meth:`Projection.recorded_index`)."""
        return self._projection.recorded_index(name, self._post)

    def synapse_order(self) -> np.ndarray:
        """The recorded synapses, one per column of the recorded rows, as indices into
        ``projection.synapses()`` (see :meth:`Projection.dendrite_order`)."""
        return self._projection.dendrite_order(self._post)

    @property
    def period(self) -> float | None:
        """Recording period in ms (``None``: every step)."""
        return self._period

    @period.setter
    def period(self, value: float | None) -> None:
        if value is not None:
            steps_of(value, self._network.dt, repr(self), "period", "period=None to record every step")
        self._period = None if value is None else float(value)

    def period_steps(self, dt: float) -> int:
        """The recording period in steps of ``dt`` (1: every step)."""
        return 1 if self._period is None else steps_of(self._period, dt, repr(self), "period",
                                                       "period=None to record every step")

    def _clear(self) -> None:
        self._samples = Samples(self.variables)

    # ------------------------------------------------------------ what the simulator asks
    def schedule(self, step: int, dt: float) -> tuple[bool, int, int]:
        """When to record from ``step`` on: (active, period in steps, phase), as :class:`Monitor`'s."""
        if self._active and self._phase is None:
            self._phase = step
        return self._active, self.period_steps(dt), step if self._phase is None else self._phase

    def receive(self, steps: np.ndarray, values: dict[str, np.ndarray]) -> None:
        """Take the rows recorded at ``steps`` (arrays the simulator gives away)."""
        self._samples.add(steps, values)

    def forget_phase(self) -> None:
        """Start the sampling grid again at the next simulated step (after a reset)."""
        self._phase = None

    # ------------------------------------------------------------ control
    def start(self) -> None:
        """Start recording (from the next simulated step)."""
        self._active, self._phase = True, None

    # ------------------------------------------------------------ data
    def get(self, variables: str | list[str] | None = None, keep: bool = False) -> Any:
        """Recorded values: for one name an array ``(n_records, n_synapses)``, else a dict of them.

        For a dendrite, ``n_synapses`` is its size, columns in the order of its ``pre_ranks``
        (ANNarchy squeezes this array, so that a dendrite of one synapse gives
        ``(n_records,)``; here it keeps both dimensions).

        Parameters
        ----------
        variables : str or list of str, optional
            What to return (default: everything recorded).
        keep : bool, default False
            Keep the data in the monitor (by default the data of ``variables`` is handed
            over, the others kept, as in ANNarchy).
        """
        names = self.variables if variables is None else [variables] if isinstance(variables, str) \
            else list(variables)
        result = {}
        for var in names:
            if var not in self.variables:
                raise NetworkError(f"{self!r} does not record '{var}' (records: {', '.join(self.variables)})."
                                   f"{did_you_mean(var, self.variables)}")
            result[var] = self._samples.rows(var, 0)
        if not keep:
            self._samples.clear(names)
        return result[names[0]] if len(names) == 1 else result

    def held(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The steps held for every variable and each variable's rows at them (the monitor keeps them)."""
        return self._samples.aligned(0)

    def times(self, variable: str | None = None) -> np.ndarray:
        """Times in ms of the rows of ``variable`` not yet handed over (default: the first)."""
        return self._samples.steps(variable) * self._network.dt

    def _copy(self, network: Network, projection: Projection) -> SynapseMonitor:
        clone = object.__new__(SynapseMonitor)
        clone.__dict__.update(self.__dict__)
        clone._projection, clone._network = projection, network
        clone._phase = None
        clone._clear()
        return clone
