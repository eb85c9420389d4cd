"""The names of every array a kernel takes, and the codes it reports back.

Code generation decides these names; the engine's builder fills arrays under them and
its simulator reads them back. Both go through this module, so that the convention is
written once. Population ``i`` owns ``p<i>_*``, projection ``j`` owns ``j<j>_*`` and
monitor ``m`` owns ``m<m>_*``; a user's names can never take that form (see
:class:`dasksnn.model.neuron.Neuron`).
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["Status", "STATUS_WHERE", "STATUS_SIZE", "Control", "CONTROL_SIZE", "RateWindow", "RATE_WINDOW_SIZE",
           "Layout"]


class Status(IntEnum):
    """Why a kernel call returned: ``status[0]`` after the call."""

    #: every step asked for was simulated
    DONE = 0
    #: a spike monitor's buffer might overflow in the next step: grow it and call again
    SPIKE_BUFFER_FULL = 1
    #: population ``status[STATUS_WHERE]`` holds a NaN or infinite value
    INVALID_VALUE = 2
    #: the spikes population ``status[STATUS_WHERE]`` counts for its mean firing rate might
    #: overflow their buffer in the next step: grow it and call again
    RATE_BUFFER_FULL = 3


class RateWindow(IntEnum):
    """Entries of a population's mean firing rate control ``p<i>__frc`` (ANNarchy's
    ``compute_firing_rate``): its spikes of the window wait in a ring of (step, rank)."""

    #: number of spikes ever pushed (the next one goes to HEAD % capacity)
    HEAD = 0
    #: number of spikes ever left the window (the oldest held is at TAIL % capacity)
    TAIL = 1
    #: the window in steps: a spike of step s counts while s > k - WINDOW
    WINDOW = 2


#: length of a population's mean firing rate control
RATE_WINDOW_SIZE = 3

#: index of the status vector that names the population of INVALID_VALUE or RATE_BUFFER_FULL
STATUS_WHERE = 1
#: length of the status vector
STATUS_SIZE = 2


class Control(IntEnum):
    """Entries of a state monitor's control vector ``m<m>__ctl``."""

    #: 1 while recording, 0 when paused
    ACTIVE = 0
    #: record every PERIOD steps ...
    PERIOD = 1
    #: ... at the steps k with (k - PHASE) % PERIOD == 0
    PHASE = 2
    #: rows written in this call (set to 0 before the call)
    ROWS = 3


#: length of a monitor's control vector
CONTROL_SIZE = 4


class Layout:
    """Names of the kernel arrays (one static method per kind of array)."""

    # ---------------------------------------------------------------- populations
    @staticmethod
    def variable(pop: int, name: str) -> str:
        """A parameter or variable of population ``pop``: one value per neuron (or one)."""
        return f"p{pop}_{name}"

    @staticmethod
    def spikes(pop: int) -> str:
        """Ranks of the neurons that spiked in this step (int32, population size)."""
        return f"p{pop}__spk"

    @staticmethod
    def spike_count(pop: int) -> str:
        """How many entries of :meth:`spikes` are valid (int64, 1)."""
        return f"p{pop}__nspk"

    @staticmethod
    def flags(pop: int) -> str:
        """Spike condition of each neuron in this step (bool, population size)."""
        return f"p{pop}__flag"

    @staticmethod
    def refractory(pop: int) -> str:
        """Refractory steps left per neuron (int32, population size)."""
        return f"p{pop}__ref"

    @staticmethod
    def rate_control(pop: int) -> str:
        """Mean firing rate window of a population (int64, :data:`RATE_WINDOW_SIZE`), see
        :class:`RateWindow`."""
        return f"p{pop}__frc"

    @staticmethod
    def rate_steps(pop: int) -> str:
        """Steps of the spikes in a population's mean firing rate window (int64, capacity; a ring)."""
        return f"p{pop}__frs"

    @staticmethod
    def rate_ranks(pop: int) -> str:
        """Ranks of the spikes of :meth:`rate_steps` (int32, capacity)."""
        return f"p{pop}__frr"

    @staticmethod
    def rate_counts(pop: int) -> str:
        """Spikes of each neuron in its mean firing rate window (int64, population size)."""
        return f"p{pop}__frn"

    @staticmethod
    def event_steps(pop: int) -> str:
        """Steps of a spike source's events, sorted (int64)."""
        return f"p{pop}__evstep"

    @staticmethod
    def event_ranks(pop: int) -> str:
        """Ranks of a spike source's events, in the order of :meth:`event_steps` (int32)."""
        return f"p{pop}__evrank"

    @staticmethod
    def event_pointer(pop: int) -> str:
        """Index of a spike source's next event (int64, 1)."""
        return f"p{pop}__ptr"

    # ---------------------------------------------------------------- projections
    @staticmethod
    def synapses(proj: int, field: str) -> str:
        """CSR arrays grouped by pre neuron: ``rowptr``, ``post``, ``w``, ``delay``."""
        return f"j{proj}_{field}"

    @staticmethod
    def held_at(monitor: int, variable: str) -> str:
        """For each synapse a monitor records, its index in the differences of held trace
        ``variable`` (:meth:`held`; int64)."""
        return f"m{monitor}__held_{variable}"

    @staticmethod
    def lag(proj: int) -> str:
        """Steps each synapse's spikes wait before the step they are delivered at (int32): a
        delay of ``d`` steps acts ``max(d, 1)`` steps after the spike, as in ANNarchy (one step
        is the kernel's own: delivered at the end of a step, a spike acts on the next), so
        the lag is ``max(d - 1, 0)``."""
        return f"j{proj}__lag"

    @staticmethod
    def delay_buffer(proj: int) -> str:
        """Ring buffer of delayed input, (max lag + 1, post population size)."""
        return f"j{proj}_buf"

    @staticmethod
    def learning(proj: int) -> str:
        """Learning control of a projection with a synapse model (int64, 3): on (1) or off (0),
        period and offset in steps of its continuous equations."""
        return f"j{proj}__learn"

    @staticmethod
    def synapse_last(proj: int) -> str:
        """Step of each synapse's last event, to which its event-driven variables are (int64)."""
        return f"j{proj}__last"

    @staticmethod
    def held(proj: int, name: str) -> str:
        """Per synapse, how far a post-synaptic trace kept per neuron differs from the synapse's
        own, through the steps its pre-synaptic events held it (ANNarchy's event timing; at
        the synapse's last event, float64)."""
        return f"j{proj}__held_{name}"

    @staticmethod
    def synapse_pre(proj: int) -> str:
        """Global pre-synaptic rank of each synapse (int32)."""
        return f"j{proj}__pre"

    @staticmethod
    def post_order_pre(proj: int) -> str:
        """Pre-synaptic rank of each synapse in the order of :meth:`post_order` (int32)."""
        return f"j{proj}__opre"

    @staticmethod
    def neuron_last(proj: int, side: str) -> str:
        """Step of the last event of each pre (``side="pre"``) or post neuron, for the traces a
        synapse model keeps once per neuron (int64, population size)."""
        return f"j{proj}__{side}last"

    @staticmethod
    def post_order(proj: int) -> str:
        """Synapse indices sorted by post neuron, stably (CSR order within one post neuron; int64)."""
        return f"j{proj}__order"

    @staticmethod
    def post_pointer(proj: int) -> str:
        """The synapses of post neuron ``r`` are ``order[postptr[r]:postptr[r + 1]]`` (int64,
        post population size + 1)."""
        return f"j{proj}__postptr"

    @staticmethod
    def spike_history(proj: int) -> str:
        """Pre-synaptic spikes of the last steps, for delayed synapse models (int32, (max lag
        + 1, pre population size)): row ``k % depth`` holds the spikes of step ``k``."""
        return f"j{proj}__hist"

    @staticmethod
    def spike_history_count(proj: int) -> str:
        """Number of spikes in each row of :meth:`spike_history` (int64, max lag + 1)."""
        return f"j{proj}__nhist"

    @staticmethod
    def delay_order(proj: int) -> str:
        """Synapse indices sorted by pre neuron, then lag (stably; int64), for delayed synapse models."""
        return f"j{proj}__dorder"

    @staticmethod
    def delay_pointer(proj: int) -> str:
        """The synapses of pre neuron ``j`` with a lag (:meth:`lag`) of ``d`` steps are
        ``dorder[dptr[j * depth + d]:dptr[j * depth + d + 1]]`` (int64, pre population size *
        depth + 1, depth as :meth:`spike_history`)."""
        return f"j{proj}__dptr"

    @staticmethod
    def last_spike(pop: int) -> str:
        """Step of each neuron's last spike, kept where a synapse reads ``t_pre`` or ``t_post``
        (int64, population size)."""
        return f"p{pop}__last"

    # ---------------------------------------------------------------- monitors
    @staticmethod
    def control(mon: int) -> str:
        """Control vector of a monitor (int64, :data:`CONTROL_SIZE`), see :class:`Control`."""
        return f"m{mon}__ctl"

    @staticmethod
    def recorded(mon: int, var: str) -> str:
        """Values of ``var`` recorded in this call (rows, recorded neurons)."""
        return f"m{mon}_{var}"

    @staticmethod
    def recorded_synapses(mon: int, var: str) -> str:
        """For a monitor of synaptic variables: the index in ``j<j>_<var>`` of each recorded
        synapse (int64, synapses in dendrite order)."""
        return f"m{mon}__at_{var}"

    @staticmethod
    def recorded_index(mon: int) -> str:
        """Ranks of the neurons whose variables are recorded (int32)."""
        return f"m{mon}__idx"

    @staticmethod
    def spike_mask(mon: int) -> str:
        """Whether each neuron's spikes are recorded (bool, population size)."""
        return f"m{mon}__mask"

    @staticmethod
    def spike_steps(mon: int) -> str:
        """Steps of recorded spikes (int64, capacity)."""
        return f"m{mon}__t"

    @staticmethod
    def spike_ranks(mon: int) -> str:
        """Ranks of recorded spikes (int32, capacity)."""
        return f"m{mon}__i"

    @staticmethod
    def spike_total(mon: int) -> str:
        """How many recorded spikes the buffers hold (int64, 1)."""
        return f"m{mon}__n"

    # ---------------------------------------------------------------- groups
    @classmethod
    def transient(cls, n_populations: int, n_projections: int) -> list[str]:
        """Arrays that hold no state between steps worth keeping across a reset:
        cleared by ``reset()`` (refractory counters, spike lists, delay buffers)."""
        names = []
        for i in range(n_populations):
            names += [cls.refractory(i), cls.spike_count(i), cls.flags(i)]
        return names + [cls.delay_buffer(j) for j in range(n_projections)]
