"""Reading a sweep's store: coordinates at once and indexed, data in this process unless asked."""

from __future__ import annotations

import os
from typing import Any

import xarray as xr

from dasksnn.results.layout import STORE_ATTR, indexed

__all__ = ["open_results"]


def open_results(path: str | os.PathLike, *, chunks: Any = None) -> xr.Dataset:
    """Open a sweep's Zarr store lazily, with the ``ds.snn`` accessor.

    Coordinates along ``run`` (parameters, ``trial``, ``seed``, ``status``) are read at
    once and indexed, so ``ds.sel(we=0.2)``, ``ds.where(...)`` and ``ds.groupby("we")``
    work. Data variables are read when used, in this process: never on a Dask cluster's
    workers, which may not see the store's path.

    Parameters
    ----------
    path : str or path-like
        The ``store`` given to :func:`dasksnn.sweep` (or a dataset written with
        ``to_zarr``).
    chunks : None or dict or "auto", optional
        ``None`` (default): lazily indexed arrays, read in this process when indexed or
        computed. Otherwise dask-backed data variables with these chunks (as for
        :func:`xarray.open_zarr`; ``{}`` for the store's shards): computing them with a
        distributed client active runs on its workers, which must see ``path`` (a
        shared filesystem); ``with dask.config.set(scheduler="threads"):`` keeps such a
        computation in this process.

    Examples
    --------
    >>> ds = ann.open_results("sweep.zarr")  # doctest: +SKIP
    >>> ds.snn.grid()["exc_mean_rate"].mean("trial")  # doctest: +SKIP
    >>> big = ann.open_results("sweep.zarr", chunks={})  # doctest: +SKIP
    >>> big["exc_rate"].mean("run").compute()  # on the cluster's workers  # doctest: +SKIP
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"open_results: no store at '{path}'")
    ds = indexed(_without_bookkeeping(xr.open_zarr(path, consolidated=False, chunks=None)))
    if chunks is not None:
        lazy = _without_bookkeeping(xr.open_zarr(path, consolidated=False, chunks=chunks))
        ds = lazy.drop_vars([name for name in ds.coords if name in lazy.coords]).assign_coords(ds.coords)
    return ds


def _without_bookkeeping(ds: xr.Dataset) -> xr.Dataset:
    ds.attrs.pop(STORE_ATTR, None)
    return ds
