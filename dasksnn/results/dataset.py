"""One run's recordings as a labelled :class:`xarray.Dataset`.

Names follow the CF conventions and the project's style: dims ``time`` (ms) and
``<prefix>_neuron``; variables ``<prefix>_<var>``, where the prefix is the population's
name (or the monitor's, when a population has several monitors). Spikes are ragged
events, as NWB stores spike trains: flat ``<prefix>_spike_time`` and
``<prefix>_spike_neuron`` arrays along ``<prefix>_spike``, nothing dropped. Synapses are
along ``<proj>_synapse``, in dendrite order, with their pre and post ranks as coordinates
``<proj>_pre`` and ``<proj>_post``: the final weights of plastic projections
(``<proj>_final_w``) and recorded synaptic variables.
"""

from __future__ import annotations

import functools
import importlib.metadata
import platform
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from dasksnn.analysis import mean_rate, spike_counts
from dasksnn.errors import ArgumentTypeError, NetworkError

if TYPE_CHECKING:
    from dasksnn.network import Monitor, Network, Recording
    from dasksnn.network.projection import Projection
    from dasksnn.network.synapse_monitor import SynapseMonitor

__all__ = ["bin_steps", "monitor_dataset", "recording_dataset", "synapse_monitor_dataset", "final_weights_dataset",
           "network_dataset", "versions"]


@functools.cache  # reading package metadata takes milliseconds; a sweep asks once per run
def versions() -> dict[str, str]:
    """Versions of what made a result, for the attrs of every dataset."""
    found = {"python": platform.python_version()}
    for package in ("dasksnn", "numpy", "numba", "xarray"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
            found[package] = "unknown"
    return {f"{package}_version": version for package, version in found.items()}


def bin_steps(rate_bin: float | None, dt: float, where: str) -> int:
    """Steps per bin of population rates (``rate_bin`` in ms; None: one step)."""
    if rate_bin is None:
        return 1
    if isinstance(rate_bin, bool) or not isinstance(rate_bin, int | float | np.integer | np.floating):
        raise ArgumentTypeError(f"{where}: rate_bin must be a number of ms (a multiple of dt = {dt} ms) or None, "
                                f"got {rate_bin!r}")
    steps = round(float(rate_bin) / dt)
    if steps < 1 or abs(steps * dt - float(rate_bin)) > 1e-6 * dt:
        raise NetworkError(f"{where}: rate_bin={rate_bin!r} ms must be a positive multiple of dt = {dt} ms")
    return steps


def monitor_dataset(mon: Monitor, rate_bin: float | None = None) -> xr.Dataset:
    """Recordings held by ``mon`` as a Dataset (the monitor keeps them).

    See :meth:`dasksnn.Monitor.to_xarray`.
    """
    rec = mon.recording()
    return recording_dataset(rec, bin_steps(rate_bin, rec.dt, repr(mon)), repr(mon))


def recording_dataset(rec: Recording, bin_steps: int = 1, where: str = "Monitor") -> xr.Dataset:
    """A :class:`~dasksnn.network.Recording` as a Dataset, population rates in bins of ``bin_steps``."""
    prefix, dt = rec.prefix, rec.dt
    neuron_dim = f"{prefix}_neuron"
    coords: dict[str, xr.Variable] = {neuron_dim: xr.Variable(
        neuron_dim, rec.ranks, {"long_name": f"rank of the neuron in population '{rec.population}'", "units": "1"})}
    data: dict[str, xr.Variable] = {}
    # every-step grids of all monitors share ``time``; a monitor with a period has its own
    time_dim = "time" if rec.period_steps == 1 else f"{prefix}_time"
    if rec.variables:
        coords[time_dim] = _time(rec.steps, dt, time_dim)
    for var in rec.variables:
        attrs = {"long_name": f"{var} of {prefix} ({rec.neuron.name})"}
        unit = rec.neuron.unit_of(var)
        if unit is not None:
            attrs["units"] = unit
        data[f"{prefix}_{var}"] = xr.Variable((time_dim, neuron_dim), rec.values[var], attrs)
    if rec.spikes:
        data.update(_spike_variables(rec, neuron_dim, bin_steps, coords, time_dim))
    clash = set(data) & set(coords)
    if clash:
        raise NetworkError(f"{where}: recorded variable names clash with result names ({', '.join(sorted(clash))})")
    return xr.Dataset(data, coords)


def synapse_monitor_dataset(mon: SynapseMonitor) -> xr.Dataset:
    """What a monitor of synaptic variables holds (it keeps it): ``<prefix>_<var>`` on
    ``(time, <prefix>_synapse)`` (``<prefix>_time`` with a period), with the pre and post rank of
    each synapse as coordinates ``<prefix>_pre``, ``<prefix>_post``.

    ``<prefix>`` is the projection's name for a monitor of the projection, or
    ``<proj>_dendrite<rank>`` for a monitor of one dendrite; the monitor's name when
    several monitors record the same synapses.
    """
    proj, net = mon.projection, mon.projection._network
    same = [m for m in net.get_synapse_monitors() if m.projection is proj and m.post_rank == mon.post_rank]
    prefix = mon.name if len(same) > 1 else proj.name if mon.post_rank is None \
        else f"{proj.name}_dendrite{mon.post_rank}"
    order = mon.synapse_order()
    # as population monitors: every-step grids share ``time``, one with a period has its own
    time_dim = "time" if mon.period_steps(net.dt) == 1 else f"{prefix}_time"
    steps, values = mon.held()
    dim = f"{prefix}_synapse"
    data = {}
    for var, array in values.items():
        attrs = {"long_name": f"{var} of the synapses of {proj.name}"
                 + ("" if mon.post_rank is None else f" onto post neuron {mon.post_rank}")}
        data[f"{prefix}_{var}"] = xr.Variable((time_dim, dim), array.reshape(steps.size, order.size),
                                              _with_units(attrs, weight_units(proj) if var == "w" else None))
    return xr.Dataset(data, {time_dim: _time(steps, net.dt, time_dim), **_synapse_coords(proj, order, prefix)})


def final_weights_dataset(proj: Projection) -> xr.Dataset:
    """The weights of a compiled projection's synapses now: ``<proj>_final_w`` on
    ``<proj>_synapse``, in dendrite order (``np.concatenate(proj.w)``), with pre and post ranks."""
    order = proj.dendrite_order()
    attrs = _with_units({"long_name": f"weights of the synapses of {proj.name} at the end of the simulation"},
                        weight_units(proj))
    return xr.Dataset({f"{proj.name}_final_w": xr.Variable(f"{proj.name}_synapse", proj.values("w")[order], attrs)},
                      _synapse_coords(proj, order, proj.name))


def weight_units(proj: Projection) -> str | None:
    """Units of a projection's weights: those of the post-synaptic variable its spikes add them
    to (``g_exc`` of ``IF_cond_exp``: uS), unless its synapse model sums a ``psp``."""
    if proj.synapse.psp:
        return None
    targets = proj.target_variable if isinstance(proj.target_variable, tuple) else (proj.target_variable,)
    units = {proj.post_population.neuron.unit_of(target) for target in targets}
    return units.pop() if len(units) == 1 else None


def _synapse_coords(proj: Projection, order: np.ndarray, prefix: str) -> dict[str, xr.Variable]:
    """Pre and post ranks of the synapses ``order`` (indices into ``proj.synapses()``), along ``<prefix>_synapse``."""
    dim = f"{prefix}_synapse"
    pre, post = proj.synapses()
    return {f"{prefix}_{side}": xr.Variable(dim, ranks[order].astype(np.int32), {
        "long_name": f"rank of the {side}-synaptic neuron of each synapse of {proj.name}", "units": "1"})
        for side, ranks in (("pre", pre), ("post", post))}


def _with_units(attrs: dict[str, str], units: str | None) -> dict[str, str]:
    return {**attrs, "units": units} if units else attrs


def _time(steps: np.ndarray, dt: float, dim: str) -> xr.Variable:
    # times are step * dt exactly, so grids of different monitors align in a merge
    return xr.Variable(dim, steps.astype(np.float64) * dt, {"units": "ms", "long_name": "time"})


def _spike_variables(rec: Recording, neuron_dim: str, bin_steps: int, coords: dict[str, xr.Variable],
                     time_dim: str) -> dict[str, xr.Variable]:
    prefix, dt, ranks = rec.prefix, rec.dt, rec.ranks
    steps, neurons = rec.spike_steps, rec.spike_ranks
    spike_dim = f"{prefix}_spike"
    counts = np.bincount(neurons, minlength=rec.population_size)[ranks]
    if rec.span_start < 0:
        edges = np.zeros(1, np.int64)
    else:
        edges = np.append(np.arange(rec.span_start, rec.span_stop, bin_steps), rec.span_stop)
    binned = spike_counts(steps, int(edges[0]), int(edges[-1]), bin_steps)
    widths_s = np.diff(edges) * dt / 1000.0
    rate = binned / (ranks.size * widths_s) if ranks.size else np.zeros(binned.size)
    mean = mean_rate(steps.size, ranks.size, rec.span_steps * dt)
    if bin_steps == 1:
        rate_dim = "time"
    elif time_dim in coords and np.array_equal(coords[time_dim].values, edges[:-1] * dt):
        rate_dim = time_dim  # bins on the grid of the recorded variables
    else:
        rate_dim = f"{prefix}_rate_time"
    rate_time = _time(edges[:-1], dt, rate_dim)
    if rate_dim == "time" and "time" in coords and not np.array_equal(coords["time"].values, rate_time.values):
        rate_dim = f"{prefix}_rate_time"  # recorded over another span than the variables
        rate_time = _time(edges[:-1], dt, rate_dim)
    coords[rate_dim] = rate_time
    name = rec.object_name

    def labelled(dims, values, long_name: str, units: str | None = None) -> xr.Variable:
        return xr.Variable(dims, values, {"long_name": long_name, **({"units": units} if units else {})})

    return {
        f"{prefix}_spike_time": labelled(spike_dim, steps.astype(np.float64) * dt, f"spike times of {name}", "ms"),
        f"{prefix}_spike_neuron": labelled(spike_dim, neurons, f"rank of the neuron that spiked in {name}", "1"),
        f"{prefix}_spike_count": labelled(neuron_dim, counts, f"spikes per neuron of {name}", "1"),
        f"{prefix}_rate": labelled(rate_dim, rate, f"population rate of {name}", "Hz"),
        f"{prefix}_mean_rate": labelled((), mean, f"mean firing rate of {name}", "Hz"),
    }


def describe(net: Network) -> str:
    """Plain-text description of a network's structure, for the ``model`` attribute."""
    lines = []
    neurons = {}
    for pop in net.get_populations():
        lines.append(f"population {pop.name}: {pop.size} x {pop.neuron.name}")
        neurons.setdefault(pop.neuron.name, pop.neuron)
    for proj in net.get_projections():
        lines.append(f"projection {proj.name}: {proj.pre.name} -> {proj.post.name} on "
                     f"{proj.target_variable}, {proj.rule}")
    for mon in net.get_monitors():
        lines.append(f"monitor {mon.name}: {mon.object.name} records {', '.join(mon.variables)}")
    for mon in net.get_synapse_monitors():
        which = "" if mon.post_rank is None else f" (the dendrite of post neuron {mon.post_rank})"
        lines.append(f"monitor {mon.name}: {mon.projection.name}{which} records {', '.join(mon.variables)}")
    for proj in net.get_projections():
        if proj.plastic:
            model = proj.synapse
            text = "\n".join(f"  {line.strip()}" for part in (model.parameters, model.equations, model.pre_spike,
                                                              model.post_spike, model.psp)
                             for line in str(part or "").splitlines() if line.strip())
            lines.append(f"synapse {model.name} of {proj.name}:\n{text}")
    for name, model in neurons.items():
        text = "\n".join(f"  {line.strip()}" for part in (model.parameters, model.equations)
                         for line in str(part).splitlines() if line.strip())
        lines.append(f"neuron {name}:\n{text}\n  spike: {model.spike_condition}\n  reset: "
                     f"{'; '.join(s.text for s in model.reset_defs)}\n  refractory: {model.refractory}")
    return "\n".join(lines)


def network_dataset(net: Network, rate_bin: float | None = None) -> xr.Dataset:
    """Everything ``net``'s monitors hold, and the final weights of its plastic projections,
    merged into one Dataset (monitors keep their data).

    See :meth:`dasksnn.Network.results`.
    """
    parts = [monitor_dataset(mon, rate_bin) for mon in net.get_monitors()]
    parts += [synapse_monitor_dataset(mon) for mon in net.get_synapse_monitors()]
    if net.compiled:  # what plasticity made of the weights: what a study of plasticity looks at
        parts += [final_weights_dataset(proj) for proj in net.get_projections() if proj.plastic]
    merged = xr.merge(parts, join="outer", compat="no_conflicts", combine_attrs="drop_conflicts") \
        if parts else xr.Dataset()
    merged.attrs = {
        "Conventions": "CF-1.11",  # names, units and long_name as the CF conventions give them
        "dt": net.dt, "dt_units": "ms", "duration": net.get_time(), "duration_units": "ms",
        "seed": str(net.seed_entropy),
        "model": describe(net), **versions(),
    }
    return merged
