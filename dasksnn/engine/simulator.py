"""Simulator: owns a network's arrays and kernel, and runs steps.

It calls the kernel once per :meth:`Simulator.run` (again only when a spike monitor's
buffer must grow), gives monitors their recordings, decodes the kernel's status into
errors, and resets. It reaches the network's objects through their public methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dasksnn.codegen.layout import STATUS_SIZE, STATUS_WHERE, Control, Layout, RateWindow, Status
from dasksnn.engine.backend import Kernel, NumbaCPU
from dasksnn.engine.builder import NEVER, Build, build, first_event, monitor_arrays, rate_arrays, structure
from dasksnn.errors import SimulationError
from dasksnn.network.synapse_monitor import SynapseMonitor

if TYPE_CHECKING:
    from dasksnn.network import Monitor, Network

__all__ = ["Simulator"]

# initial capacity of a spike monitor buffer, in spikes per neuron of the population
_SPIKE_BUFFER_PER_NEURON = 16


class Simulator:
    """The compiled form of a network: its build, its kernel, and how to step them.

    Parameters
    ----------
    network : Network
        The description; its populations' value arrays are shared, not copied.
    backend : NumbaCPU, optional
        Where the kernel comes from (default: Numba on the CPU).
    """

    def __init__(self, network: Network, backend: NumbaCPU | None = None) -> None:
        self._network = network
        self.backend = backend or NumbaCPU()
        made: Build = build(network)
        self.arrays = made.arrays
        self.initial = made.initial
        self.kernel: Kernel = self.backend.load(made.spec)
        self._capacity = [_SPIKE_BUFFER_PER_NEURON * mon.population.size
                          for mon in network.get_monitors()]

    def monitors_changed(self) -> None:
        """A monitor was made after compile (as ANNarchy's scripts do): lay out the monitors'
        arrays again; the next run takes the kernel of the new structure."""
        monitors = self._network.get_monitors()
        self._capacity += [_SPIKE_BUFFER_PER_NEURON * mon.population.size
                           for mon in monitors[len(self._capacity):]]
        monitor_arrays(self._network, self.arrays)

    @property
    def source(self) -> str:
        """Source of the kernel that runs."""
        return self.kernel.source

    def warm_up(self) -> None:
        """Compile the kernel (or load its machine code) with a call of no step; nothing
        if this process already did for another network of the same structure."""
        if not self.kernel.compiled_here:
            self.run(0, 0)

    def _current_kernel(self) -> Kernel:
        """The kernel for the network as it is now.

        Parameters with one value for all neurons are read once per step (faster);
        giving one of them different values per neuron needs another kernel, which is
        generated and compiled once (then taken from the disk cache).
        """
        spec = structure(self._network)
        if spec != self.kernel.spec:
            self.kernel = self.backend.load(spec)
        return self.kernel

    def run(self, step: int, n_steps: int) -> int:
        """Simulate ``n_steps`` steps from ``step``; return the step reached.

        :attr:`reached` is the step the monitors' data goes to, also when this raises.

        Raises
        ------
        SimulationError
            If a variable became NaN or infinite (what was recorded until then is kept).
        """
        self.reached = step
        kernel = self._current_kernel()
        if kernel.compiled_here:
            return self._run(kernel, step, n_steps)
        with kernel.first_call_lock():  # one process compiles; the others then read Numba's cache
            return self._run(kernel, step, n_steps)

    def _run(self, kernel: Kernel, step: int, n_steps: int) -> int:
        network = self._network
        function = kernel.loaded()
        arrays = self.arrays
        for i, pop in enumerate(network.get_populations()):
            if pop.spike_source:
                steps, ranks = pop.spike_events(network.dt)
                arrays[Layout.event_steps(i)], arrays[Layout.event_ranks(i)] = steps, ranks
                arrays[Layout.event_pointer(i)][0] = np.searchsorted(steps, step)
        monitors = network.get_monitors()
        synaptic = list(enumerate(network.get_synapse_monitors(), start=len(monitors)))
        status = np.zeros(STATUS_SIZE, np.int64)
        end = step + n_steps
        while True:
            grids = [self._prepare(m, mon, step, end) for m, mon in enumerate(monitors)]
            grids += [self._prepare(m, mon, step, end) for m, mon in synaptic]
            stop = int(function(step, end - step, network.dt, network.runtime_rng, status,
                                *[arrays[name] for name in kernel.arguments]))
            self.reached = stop
            for m, mon in enumerate(monitors):
                self._hand_over(m, mon, step, stop, *grids[m])
            for m, mon in synaptic:
                self._hand_over_synapses(m, mon, step, *grids[m])
            step = stop
            if status[0] == Status.RATE_BUFFER_FULL:
                self._grow_rate_buffer(int(status[STATUS_WHERE]))
            if status[0] == Status.INVALID_VALUE:
                pop = network.get_populations()[status[STATUS_WHERE]]
                raise SimulationError(
                    f"{pop!r} ({pop.neuron.name}): a variable became NaN or infinite at step {step} "
                    f"(t = {step * network.dt} ms); data recorded until then is kept. Check the "
                    "parameters, or use a smaller dt or another integration method.",
                    pop.name, step)
            if step >= end:
                return step

    def _prepare(self, m: int, mon: Monitor | SynapseMonitor, step: int, end: int) -> tuple[int, int]:
        """Buffers of monitor ``m`` for steps [step, end); returns its sampling (period, phase)."""
        arrays = self.arrays
        active, period, phase = mon.schedule(step, self._network.dt)
        control = arrays[Layout.control(m)]
        control[Control.ACTIVE], control[Control.PERIOD], control[Control.PHASE] = int(active), period, phase
        control[Control.ROWS] = 0
        rows = 0
        if active:
            first = step + (-(step - phase)) % period
            rows = max(0, -(-(end - first) // period))
        if isinstance(mon, SynapseMonitor):
            for var in mon.variables:
                arrays[Layout.recorded(m, var)] = np.empty((rows, arrays[Layout.recorded_synapses(m, var)].size))
            return period, phase
        for var in mon.recorded_variables:
            arrays[Layout.recorded(m, var)] = np.empty((rows, mon.object.size))
        if "spike" in mon.variables:
            capacity = self._capacity[m]
            arrays[Layout.spike_steps(m)] = np.empty(capacity, np.int64)
            arrays[Layout.spike_ranks(m)] = np.empty(capacity, np.int32)
            arrays[Layout.spike_total(m)] = np.zeros(1, np.int64)
        return period, phase

    def _hand_over(self, m: int, mon: Monitor, step: int, stop: int, period: int, phase: int) -> None:
        """Give monitor ``m`` what it recorded in steps [step, stop)."""
        arrays = self.arrays
        rows = int(arrays[Layout.control(m)][Control.ROWS])
        values = {var: arrays[Layout.recorded(m, var)][:rows] for var in mon.recorded_variables}
        steps = np.zeros(0, np.int64)
        if rows:
            steps = step + (-(step - phase)) % period + period * np.arange(rows)
        spike_steps = spike_ranks = None
        if "spike" in mon.variables:
            count = int(arrays[Layout.spike_total(m)][0])
            spike_steps = arrays[Layout.spike_steps(m)][:count].copy()
            spike_ranks = arrays[Layout.spike_ranks(m)][:count].copy()
            if count + mon.population.size > self._capacity[m]:
                self._capacity[m] *= 2  # the kernel stopped early to make room
        mon.receive(step, stop, steps, values, spike_steps, spike_ranks)

    def _hand_over_synapses(self, m: int, mon: SynapseMonitor, step: int, period: int, phase: int) -> None:
        """Give monitor ``m`` of synaptic variables the rows it recorded from ``step`` on."""
        arrays = self.arrays
        rows = int(arrays[Layout.control(m)][Control.ROWS])
        steps = step + (-(step - phase)) % period + period * np.arange(rows)
        mon.receive(steps, {var: arrays[Layout.recorded(m, var)][:rows] for var in mon.variables})

    def firing_rate_changed(self, index: int) -> None:
        """Population ``index`` computes its mean firing rate over a new window (ANNarchy's
        ``compute_firing_rate`` after compile): lay out or update its ring of spikes; the next
        run takes the kernel of the new structure."""
        rate_arrays(self._network.get_populations()[index], index, self._network.dt, self.arrays)

    def _grow_rate_buffer(self, index: int) -> None:
        """Double the ring of a firing rate window, its spikes kept in order from the oldest."""
        control = self.arrays[Layout.rate_control(index)]
        head, tail = int(control[RateWindow.HEAD]), int(control[RateWindow.TAIL])
        for name in (Layout.rate_steps(index), Layout.rate_ranks(index)):
            old = self.arrays[name]
            held = old[(tail + np.arange(head - tail)) % old.shape[0]]
            self.arrays[name] = np.zeros(2 * old.shape[0], old.dtype)
            self.arrays[name][:held.size] = held
        control[RateWindow.HEAD], control[RateWindow.TAIL] = head - tail, 0

    def clear_spikes(self, index: int) -> None:
        """Forget the spikes population ``index`` emitted: its refractory counters, spike list
        and last spike steps, and its spikes still travelling through delays."""
        arrays = self.arrays
        for name in (Layout.refractory(index), Layout.spike_count(index), Layout.flags(index)):
            if name in arrays:
                arrays[name][...] = 0
        if Layout.last_spike(index) in arrays:
            arrays[Layout.last_spike(index)][...] = NEVER
        if Layout.rate_control(index) in arrays:  # the firing rate window forgets its spikes
            control = arrays[Layout.rate_control(index)]
            control[RateWindow.HEAD] = control[RateWindow.TAIL] = 0
            arrays[Layout.rate_counts(index)][...] = 0
            self._network.get_populations()[index].value_arrays["r"][...] = 0.0
        for j, proj in enumerate(self._network.get_projections()):
            if proj.pre_population is self._network.get_populations()[index]:
                for name in (Layout.delay_buffer(j), Layout.spike_history_count(j)):
                    if name in arrays:
                        arrays[name][...] = 0

    def reset(self, populations: bool) -> None:
        """Restore the populations' initial values (``populations``); clear refractory
        counters, spike lists and delay buffers."""
        network = self._network
        if populations:
            for pop, initial in zip(network.get_populations(), self.initial, strict=True):
                for name, values in initial.items():
                    pop.value_arrays[name][:] = values
        for name in Layout.transient(len(network.get_populations()), len(network.get_projections())):
            if name in self.arrays:  # a projection with a synapse model has no delay buffer
                self.arrays[name][...] = 0
        for j, proj in enumerate(network.get_projections()):
            if proj.plastic:  # event-driven variables were brought to their last event
                first = first_event(network.event_timing)
                self.arrays[Layout.synapse_last(j)][...] = first
                self.arrays[Layout.spike_history_count(j)][...] = 0
                self.arrays[Layout.neuron_last(j, "pre")][...] = first
                self.arrays[Layout.neuron_last(j, "post")][...] = first
        for i in range(len(network.get_populations())):
            self.arrays[Layout.last_spike(i)][...] = NEVER
