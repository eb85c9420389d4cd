"""Figures of spikes and sweeps with matplotlib (the ``plot`` extra): rasters, rates, ISI
histograms, sweep curves with error bands, heat maps of two parameters.

Every function draws on ``ax`` (default: a new figure's axes), labels its axes with names
and units, and returns the axes. ``ds.snn.plot`` offers the same figures for result
datasets, reading names and units from the dataset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from dasksnn import analysis
from dasksnn.errors import ArgumentError

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes

    from dasksnn.results.accessor import SnnAccessor

__all__ = ["label", "raster", "population_rate", "isi_histogram", "sweep_curve", "heatmap", "SnnPlots"]


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("dasksnn.plotting needs matplotlib: pip install 'dasksnn[plot]'") from exc
    return plt.figure(figsize=(6.4, 4.0), layout="constrained").add_subplot()


def label(name: str, attrs: dict[str, Any] | None = None) -> str:
    """An axis label: the ``long_name`` (else ``name``) and the ``units`` in parentheses (none for ``"1"``).

    Examples
    --------
    >>> label("we", {"units": "mV", "long_name": "excitatory weight"})
    'excitatory weight (mV)'
    >>> label("trial", {"units": "1"})
    'trial'
    """
    attrs = attrs or {}
    text = attrs.get("long_name") or name
    units = attrs.get("units")
    return f"{text} ({units})" if units and units != "1" else text


def raster(times: np.ndarray, ranks: np.ndarray, ax: Axes | None = None, *, title: str | None = None,
           neuron_label: str = "neuron (rank)", **kwargs: Any) -> Axes:
    """Raster plot: one dot per spike at (time in ms, rank).

    The dot size shrinks as spikes get denser; ``kwargs`` go to ``ax.plot``.
    """
    ax = _axes(ax)
    size = float(np.clip(5.0 / np.sqrt(max(1.0, np.asarray(times).size / 1000.0)), 0.5, 3.0))
    ax.plot(times, ranks, ".", **{"markersize": size, "color": "k", "rasterized": True, **kwargs})
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(neuron_label)
    if title:
        ax.set_title(title)
    return ax


def population_rate(time: np.ndarray, rate: np.ndarray, ax: Axes | None = None, *, title: str | None = None,
                    **kwargs: Any) -> Axes:
    """Population rate (Hz) against time (ms); ``rate`` may have one row per curve."""
    ax = _axes(ax)
    ax.plot(time, np.asarray(rate).T, **kwargs)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("population rate (Hz)")
    if title:
        ax.set_title(title)
    return ax


def isi_histogram(intervals: np.ndarray, bin_width: float | None = None, ax: Axes | None = None, *,
                  max_isi: float | None = None, title: str | None = None, **kwargs: Any) -> Axes:
    """Histogram of inter-spike intervals (ms), bins of ``bin_width`` ms (default: about 50 bins)."""
    ax = _axes(ax)
    intervals = np.asarray(intervals, dtype=np.float64)
    if bin_width is None:
        top = max_isi if max_isi is not None else (intervals.max() if intervals.size else 1.0)
        bin_width = float(top) / 50 or 1.0
    counts, edges = analysis.isi_histogram(intervals, bin_width, max_isi)
    ax.stairs(counts, edges, fill=True, **{"color": "0.4", **kwargs})
    ax.set_xlabel("inter-spike interval (ms)")
    ax.set_ylabel("intervals")
    if title:
        ax.set_title(title)
    return ax


def sweep_curve(stats: xr.Dataset, x: str, hue: str | None = None, ax: Axes | None = None, *,
                band: str = "sem", title: str | None = None) -> Axes:
    """Mean over trials against parameter ``x``, with an error band, one curve per value of ``hue``.

    Parameters
    ----------
    stats : xarray.Dataset
        ``mean`` and ``sem``/``std`` over trials, as ``ds.snn.trial_stats(var)`` gives.
    x, hue : str
        Dimensions of ``stats``: the x axis and, optionally, one curve per value.
    band : {"sem", "std"}, default "sem"
        The half-width of the band around the mean.
    """
    if band not in ("sem", "std"):
        raise ArgumentError(f"sweep_curve: band must be 'sem' or 'std', got {band!r}")
    extra = [d for d in stats["mean"].dims if d not in (x, hue)]
    if extra or x not in stats["mean"].dims:
        raise ArgumentError(f"sweep_curve: the mean has dims {stats['mean'].dims}: x={x!r} must be one of them, and "
                            f"the others ({', '.join(extra)}) need hue= or a selection first (.sel(...))")
    ax = _axes(ax)
    curves = [(None, stats)] if hue is None else [(value, stats.sel({hue: value})) for value in stats[hue].values]
    for value, part in curves:
        mean, half = part["mean"].values, part[band].values
        xs = part[x].values
        name = None if value is None else _value(hue, value, stats[hue].attrs)
        (line,) = ax.plot(xs, mean, "-", marker="o", markersize=3, label=name)
        ax.fill_between(xs, mean - half, mean + half, color=line.get_color(), alpha=0.25, linewidth=0)
    ax.set_xlabel(label(x, stats[x].attrs))
    ax.set_ylabel(label("mean", stats["mean"].attrs))
    what = "standard error" if band == "sem" else "standard deviation"
    trials = f" over {int(stats['n'].max())} trials" if "n" in stats else ""
    ax.set_title(title if title is not None else f"mean ± {what}{trials}")
    if hue is not None:
        ax.legend(fontsize="small")
    return ax


def heatmap(values: xr.DataArray, x: str, y: str, ax: Axes | None = None, *, title: str | None = None,
            **kwargs: Any) -> Axes:
    """A 2-D map of ``values`` over parameters ``x`` and ``y``, with a labelled colour bar."""
    if set(values.dims) != {x, y}:
        raise ArgumentError(f"heatmap: the values have dims {values.dims}; they must be exactly {x!r} and {y!r} "
                            "(reduce or select the others first)")
    ax = _axes(ax)
    grid = values.transpose(y, x)
    mesh = ax.pcolormesh(_edges(grid[x].values), _edges(grid[y].values), grid.values,
                         **{"cmap": "viridis", "shading": "flat", **kwargs})
    ax.figure.colorbar(mesh, ax=ax, label=label(str(values.name), values.attrs))
    ax.set_xlabel(label(x, grid[x].attrs))
    ax.set_ylabel(label(y, grid[y].attrs))
    if title:
        ax.set_title(title)
    return ax


def _value(name: str, value: Any, attrs: dict[str, Any]) -> str:
    """``name = value units``, for legends and titles."""
    units = attrs.get("units")
    text = f"{value:g}" if isinstance(value, int | float | np.number) else str(value)
    return f"{name} = {text}{' ' + units if units and units != '1' else ''}"


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around (sorted) centres, half way between neighbours."""
    c = np.asarray(centres, dtype=np.float64)
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = (c[1:] + c[:-1]) / 2
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


class SnnPlots:
    """Figures of a result dataset, as ``ds.snn.plot``: the functions of :mod:`dasksnn.plotting`
    with names, units and runs read from the dataset.

    Examples
    --------
    >>> ds.snn.plot.raster(run=0)  # doctest: +SKIP
    >>> ds.snn.plot.sweep("pop_mean_rate", x="we", hue="wi")  # doctest: +SKIP
    >>> ds.snn.plot.heatmap("pop_mean_rate", x="we", y="wi")  # doctest: +SKIP
    """

    def __init__(self, snn: SnnAccessor) -> None:
        self._snn = snn

    def _title(self, run: int | None, values: dict[str, Any]) -> str | None:
        ds = self._snn._ds
        if "run" not in ds.dims:
            return None
        runs = self._snn.select_runs(run, **values)
        if runs.size != 1:
            chosen = ", ".join(_value(k, v, self._snn.attrs_of(k)) for k, v in values.items())
            return f"{chosen + ': ' if chosen else ''}{runs.size} runs"
        coords = [*self._snn.parameters, "trial"]
        return f"run {runs[0]}: " + ", ".join(_value(c, ds[c].values[runs[0]], self._snn.attrs_of(c)) for c in coords)

    def raster(self, run: int | None = None, population: str | None = None, ax: Axes | None = None,
               **values: Any) -> Axes:
        """Raster of one run (``run=`` or parameter values that pick one)."""
        spikes = self._snn.spikes(run, population, **values)
        times, ranks = spikes if isinstance(spikes, tuple) else self._one(spikes)
        return raster(times, ranks, ax, title=self._title(run, values))

    def rate(self, run: int | None = None, population: str | None = None, bin: float | None = None,
             smooth: float = 0.0, ax: Axes | None = None, **values: Any) -> Axes:
        """Population rate of one run (or of each run selected), in bins of ``bin`` ms, smoothed over ``smooth`` ms."""
        da = self._snn.population_rate(population, bin, smooth)
        if "run" in da.dims:
            da = da.isel(run=self._snn.select_runs(run, **values))
        ax = population_rate(da[da.dims[-1]].values, da.values, ax, title=self._title(run, values))
        ax.set_ylabel(label(str(da.name), {"long_name": "population rate", "units": "Hz"}))
        return ax

    def isi(self, run: int | list[int] | None = None, population: str | None = None, bin_width: float | None = None,
            ax: Axes | None = None, max_isi: float | None = None, **values: Any) -> Axes:
        """Histogram of the inter-spike intervals of the runs selected, pooled."""
        intervals = self._snn.isi(run, population, **values)
        if bin_width is None:  # whole steps per bin: intervals are multiples of dt
            dt = float(self._snn._ds.attrs["dt"])
            top = max_isi if max_isi is not None else (intervals.max() if intervals.size else dt)
            bin_width = dt * max(1, round(top / 50 / dt))
        return isi_histogram(intervals, bin_width, ax, max_isi=max_isi, title=self._title(run, values))

    def sweep(self, var: str | xr.DataArray, x: str | None = None, hue: str | None = None, ax: Axes | None = None,
              band: str = "sem", **selection: Any) -> Axes:
        """Mean over trials of ``var`` against ``x`` (default the first parameter), ±1 standard error.

        ``hue`` draws a curve per value of another parameter; ``selection`` (``wi=-9.0``)
        fixes the others.
        """
        stats = self._snn.trial_stats(var).sel(selection)
        params = [p for p in self._snn.parameters if p not in selection]
        x = x if x is not None else (params[0] if params else None)
        if x is None:
            raise ArgumentError("plot.sweep: the sweep has no parameter left to put on the x axis")
        if hue is None and len(params) == 2:
            hue = next(p for p in params if p != x)
        return sweep_curve(stats, x, hue, ax, band=band)

    def heatmap(self, var: str | xr.DataArray, x: str | None = None, y: str | None = None, ax: Axes | None = None,
                **selection: Any) -> Axes:
        """Mean over trials of ``var`` over two parameters (default the first two)."""
        stats = self._snn.trial_stats(var).sel(selection)
        params = [p for p in self._snn.parameters if p not in selection]
        if x is None or y is None:
            if len(params) < 2:
                raise ArgumentError("plot.heatmap needs two swept parameters (x= and y=)")
            x = x or next(p for p in params if p != y)
            y = y or next(p for p in params if p != x)
        mean = stats["mean"].rename(str(var if isinstance(var, str) else var.name))
        return heatmap(mean, x, y, ax, title=f"mean of {int(stats['n'].max())} trials")

    @staticmethod
    def _one(spikes: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        if len(spikes) != 1:
            raise ArgumentError(f"plot.raster shows one run; the selection gives {len(spikes)} (add trial=...)")
        return spikes[0]
