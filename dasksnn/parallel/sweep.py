"""``sweep``: every combination of parameter values, times trials, as one labelled Dataset."""

from __future__ import annotations

import inspect
import itertools
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from dasksnn.config import get_config
from dasksnn.errors import ArgumentError, ArgumentTypeError, DasksnnError, NetworkError, RunError
from dasksnn.network import Network, building, default_network
from dasksnn.parallel.execute import callable_name, check_sendable, run_tasks
from dasksnn.parallel.params import parameter_attrs
from dasksnn.parallel.progress import logger
from dasksnn.parallel.scheduler import check_client, client_for, processes
from dasksnn.parallel.seeds import run_seeds
from dasksnn.parallel.timing import compile_timed, report, warm
from dasksnn.results.store import RESUME, MemorySink, ZarrSink

__all__ = ["sweep"]

_RESERVED = ("run", "trial", "seed", "status", "error")


def sweep(build: Callable[..., Network | None], params: Mapping[str, Sequence[Any]] | None = None, *,
          trials: int = 1, duration: float, seed: int | np.random.SeedSequence | None = None,
          store: str | os.PathLike | None = None, errors: str = "raise", rate_bin: float | None = None,
          client: Any = None, max_processes: int = -1, sequential: bool = False, progress: bool = True,
          measure_time: bool = False, resume: str = "same-version") -> Any:
    """Simulate a network for every combination of parameter values, ``trials`` times each.

    Parameters
    ----------
    build : callable
        ``build(**values)`` builds the network of one run: it creates populations,
        projections and monitors as at module level (they go into a fresh default
        network, seeded for the run) and returns nothing, or returns a
        :class:`Network` it made. It may call ``setup(dt=...)``. The run's network is
        seeded with the run's seed before it is compiled.
    params : dict of str to list, optional
        Values of each parameter; runs are all combinations (the first parameter
        varies slowest), then ``trials``. Values made by :func:`param` carry units
        and a long name into the result (``ds.snn.attrs_of(name)``, plots).
    trials : int, default 1
        Runs per combination, each with its own seed.
    duration : float
        Simulated time of each run in ms.
    seed : int or numpy.random.SeedSequence, optional
        Root seed: run ``i`` gets child ``i`` of ``SeedSequence(seed)``. ``None`` draws
        fresh entropy (stored in the result; resuming a store reuses its seed).
    store : str or path-like, optional
        Zarr store the runs stream into as they finish, placed in run order whatever
        the order they finish in (see ``docs/store.md``). Running the same sweep with
        the same store again computes only the runs not done yet, also after the
        client was killed.
    errors : {"raise", "record"}, default "raise"
        On a failing run: cancel the others and raise (what finished is kept in the
        store), or record its error in ``status``/``error`` and go on.
    rate_bin : float, optional
        Bin width in ms of the population rates (default ``dt``).
    client, max_processes, sequential, progress, measure_time
        As for :func:`parallel_run`.
    resume : {"same-version", "any-version"}, default "same-version"
        A ``store`` made by another dasksnn version is refused, since runs computed now
        could differ from the stored ones; ``"any-version"`` adds the missing runs to it
        anyway (the versions that did are listed in its ``dasksnn_resumed_by`` attribute).

    Returns
    -------
    xarray.Dataset
        Variables of :meth:`Network.results` with a leading ``run`` dimension whose
        coordinates are the parameters, ``trial`` and ``seed`` (repeat run ``i`` with
        ``clear(); setup(seed=int(ds.seed[i])); build(**values)``); spikes of all runs are ragged events with
        ``<pop>_spike_start``/``_stop`` per run, and so are synapses (final weights of
        plastic projections, recorded synaptic variables, pre and post ranks), whose
        number differs from run to run, along ``<proj>_synapse`` with
        ``<proj>_synapse_start``/``_stop``; ``status`` (0 missing, 1 done, 2 failed) and
        ``error``. ``ds.snn.spikes(run=i)``, ``ds.snn.weights(run=i)`` and
        ``ds.snn.results(run=i)`` read one run. Coordinates along ``run`` (parameters, ``trial``,
        ``seed``, ``status``) are in memory and indexed (``ds.sel(we=0.2)``,
        ``ds.groupby("we")``). With ``store`` it is opened lazily from the store with
        :func:`open_results`: data are read in this process when used, never on a
        cluster's workers. ``ds.snn.grid()`` gives one dimension per parameter and
        ``trial``.

    Raises
    ------
    ArgumentTypeError
        Before anything starts or compiles: an argument of the wrong type, a
        ``build`` that cannot be called with the parameters, or (unless
        ``sequential``) one that cannot be pickled to be sent to the workers.
    ArgumentError
        Before anything starts or compiles: an argument with a wrong value, or a
        ``store`` that holds something else.
    NetworkError
        ``rate_bin`` is not a multiple of the ``dt`` of the network ``build`` makes
        (found by building run 0 here, before anything starts or compiles).
    RunError
        With ``errors="raise"``, after cancelling the other runs, if a run raised.
        Run 0 is built here first: an exception it raises (with ``errors="raise"``,
        or any dasksnn error) comes out as it is, with a note naming the run.

    Examples
    --------
    >>> def build(we):
    ...     ann.setup(dt=0.1)
    ...     pop = ann.Population(100, ann.IF_curr_exp(i_offset=0.5), name="pop")
    ...     inp = ann.PoissonPopulation(100, rates=20.0)
    ...     ann.Projection(inp, pop, "exc").connect_fixed_probability(0.1, weights=we)
    ...     ann.Monitor(pop, "spike")
    >>> ds = ann.sweep(build, params={"we": [0.1, 0.2]}, trials=2, duration=100.0)  # doctest: +SKIP
    >>> ds.snn.grid()["pop_mean_rate"].mean("trial")  # doctest: +SKIP
    """
    # every check of the arguments comes first: nothing starts or compiles for a call that fails
    grid = _check(build, params if params is not None else {}, trials, duration, errors, rate_bin, store, resume)
    processes(max_processes, "sweep")
    check_client(client, "sweep")
    writers = get_config("store-writers")
    if writers not in ("workers", "client"):
        raise ArgumentError(f"sweep: the configuration dasksnn.store-writers must be 'workers' or 'client', got "
                            f"{writers!r} (dasksnn.yaml, DASK_DASKSNN__STORE_WRITERS or dask.config.set)")
    if not sequential:  # a run in this process needs no pickling
        check_sendable(build, "sweep", f"build {callable_name(build)}")
    names = list(grid)
    combos = list(itertools.product(*grid.values()))
    n = len(combos) * trials
    stored_seed = _stored_seed(store) if seed is None and store is not None else None
    root, seeds = run_seeds(stored_seed if stored_seed is not None else seed, n, where="sweep")
    values = [{name: value.item() for name, value in zip(names, combos[r // trials], strict=True)} for r in range(n)]
    coords = {"run": np.arange(n), **{name: np.array([v[name] for v in values]) for name in names},
              "trial": np.tile(np.arange(trials), len(combos)), "seed": np.array(seeds, dtype=np.uint64)}
    # workers start from the dt of this process's default network, as sequential runs do
    dt = default_network().dt
    fingerprint = json.dumps({"build": getattr(build, "__qualname__", repr(build)),
                              "parameters": {k: np.asarray(v).tolist() for k, v in grid.items()},
                              "trials": trials, "duration": float(duration), "seed": str(root),
                              "rate_bin": rate_bin})  # the store adds the dt of the runs' networks
    attrs = {"parameters": json.dumps(names), "sweep": fingerprint, "seed": str(root),
             "parameter_attrs": parameter_attrs(params or {})}
    sink = ZarrSink(store, coords, attrs, resume) if store is not None else MemorySink(coords, attrs)
    todo = np.flatnonzero(~sink.done()).tolist()

    start = time.perf_counter()
    before: dict[str, Any] = {}
    outcomes = []
    if todo:
        _prepare(build, values, seeds, dt, rate_bin, errors, sink, before)
        target = client_for(sequential, client, max_processes, before)
        after = None
        if target is not None and isinstance(sink, ZarrSink) and writers == "workers":
            sink.use_workers(target)  # workers that see the store write their runs there
            after = sink.worker_writes()
        tasks = run_tasks(_run_one, todo, [(values[r], seeds[r]) for r in todo],
                          (build, dt, float(duration), rate_bin), target, "sweep", progress, after)
        try:
            for batch in tasks:
                sink.write(batch)  # failures too: nothing finished is lost
                for outcome in batch:
                    outcome.value = None  # written: the client keeps only timings
                outcomes.extend(batch)
                failed = next((o for o in batch if o.error), None)
                if failed is not None and errors == "raise":
                    raise RunError(
                        f"sweep: run {failed.run} failed (parameters {values[failed.run]}, trial "
                        f"{failed.run % trials}, seed {seeds[failed.run]}; the other runs were cancelled"
                        f"{', finished runs are in the store' if store is not None else ''}):\n{failed.error}",
                        failed.run, values[failed.run], seeds[failed.run])
        finally:
            tasks.close()
            sink.finish()  # staged runs placed in run order, also when interrupted
        if measure_time:
            logger.info("%s", report("sweep", outcomes, time.perf_counter() - start, before, target, root))
    else:
        sink.finish()  # runs staged by a call that was killed
    return sink.result()


def _prepare(build: Callable[..., Network | None], values: list[dict[str, Any]], seeds: list[int], dt: float,
             rate_bin: float | None, errors: str, sink: MemorySink | ZarrSink, before: dict[str, Any]) -> None:
    """Build run 0 here: check what a run would reject (also the store's dt), describe the
    model, and compile the kernel once before the fan-out, so workers only load it."""
    from dasksnn.results.dataset import bin_steps, describe

    try:
        first = _built(build, values[0], seeds[0], dt)
    except Exception as exc:
        if errors == "raise" or isinstance(exc, DasksnnError):
            # raised as it is (a ModelError stays a ValueError), with the run it comes from
            exc.add_note(f"sweep: raised by run 0 (parameters {values[0]}, trial 0, seed {seeds[0]}), built in "
                         "this process before any run started")
            raise
        return  # recorded by its task, like any other failing run
    bin_steps(rate_bin, first.dt, "sweep")  # a NetworkError, as for Monitor.to_xarray(rate_bin)
    sink.check_dt(first.dt)
    sink.attrs["model"] = describe(first)
    warm(first, before)


def _number(value: Any, message: str, whole: bool = False) -> None:
    """``value`` is a finite number > 0 (a whole one if ``whole``), else the error of ``message``."""
    kinds = (int, np.integer) if whole else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ArgumentTypeError(message)
    if not value > 0 or not np.isfinite(value):
        raise ArgumentError(message)


def _check(build: Any, params: Any, trials: Any, duration: Any, errors: Any, rate_bin: Any,
           store: Any, resume: Any) -> dict[str, np.ndarray]:
    """Validate the sweep's arguments before anything runs; the grid as arrays."""
    if not callable(build):
        raise ArgumentTypeError(f"sweep: build must be a function build(**params) that makes the network, got "
                                f"{build!r}")
    if not isinstance(params, Mapping):
        raise ArgumentTypeError(f"sweep: params must be a dict of parameter name to a list of values, got "
                                f"{params!r}")
    grid = {}
    for name, values in params.items():
        message = f"sweep: parameter name {name!r} must be a Python identifier other than {', '.join(_RESERVED)}"
        if not isinstance(name, str):
            raise ArgumentTypeError(message)
        if not name.isidentifier() or name in _RESERVED:
            raise ArgumentError(message)
        array = np.asarray(values)
        if array.ndim != 1 or array.size == 0 or array.dtype == object:
            raise ArgumentError(f"sweep: parameter '{name}' needs a non-empty 1-D list of numbers or strings, "
                                f"got {values!r}")
        if np.unique(array).size != array.size:
            raise ArgumentError(f"sweep: parameter '{name}' repeats a value ({values!r}); use trials= to "
                                "repeat runs")
        grid[name] = array
    _number(trials, f"sweep: trials must be a whole number >= 1, got {trials!r}", whole=True)
    _number(duration, f"sweep: duration must be a number of ms > 0, got {duration!r}")
    if rate_bin is not None:
        _number(rate_bin, f"sweep: rate_bin must be a number of ms > 0 (a multiple of dt) or None, got "
                          f"{rate_bin!r}")
    if errors not in ("raise", "record"):
        raise ArgumentError(f"sweep: errors must be 'raise' or 'record', got {errors!r}")
    if store is not None and not isinstance(store, str | os.PathLike):
        raise ArgumentTypeError(f"sweep: store must be a path (str or os.PathLike) or None, got {store!r}")
    if resume not in RESUME:
        raise ArgumentError(f"sweep: resume must be one of {', '.join(map(repr, RESUME))}, got {resume!r}")
    try:
        inspect.signature(build).bind(**{name: array[0] for name, array in grid.items()})
    except TypeError as exc:
        raise ArgumentTypeError(f"sweep: build cannot be called with the parameters "
                                f"{', '.join(grid) or '(none)'}: {exc}") from None
    except ValueError:  # no signature to check
        pass
    return grid


def _stored_seed(store: str | os.PathLike) -> int | None:
    """Root seed of the sweep already in ``store``, so a resumed run reuses it."""
    if not os.path.exists(os.path.join(os.fspath(store), "zarr.json")):
        return None
    import zarr

    stored = zarr.open_group(os.fspath(store), mode="r").attrs.get("seed")
    return None if stored is None else int(stored)


def _built(build: Callable[..., Network | None], values: dict[str, Any], seed: int, dt: float) -> Network:
    """The network ``build`` makes for one run, seeded with the run's seed.

    Equivalent to ``clear(); setup(dt=dt, seed=seed); build(**values)`` on the default
    network, which is how a user repeats one run.
    """
    with building(seed=seed, dt=dt) as scope:
        made = build(**values)
        default = scope.network  # build may have called clear()
    if made is None:
        made = default
    elif not isinstance(made, Network):
        raise ArgumentTypeError(f"sweep: build({', '.join(f'{k}={v!r}' for k, v in values.items())}) returned "
                                f"{made!r}; it must return a Network or nothing (objects made at module level)")
    if not made.get_populations():
        raise NetworkError(f"sweep: build({', '.join(f'{k}={v!r}' for k, v in values.items())}) made a network "
                           "without populations; create them in build, or return the Network that holds them")
    if made is not default and not made.compiled:
        made.set_seed(seed)
    return made


def _run_one(run: int, timings: dict[str, Any], build: Callable[..., Network | None], dt: float, duration: float,
             rate_bin: float | None, values: dict[str, Any], seed: int) -> Any:
    """One run of a sweep: build, compile, simulate, results."""
    start = time.perf_counter()
    net = _built(build, values, seed, dt)
    compile_timed(net, timings)
    timings["build"] = time.perf_counter() - start
    start = time.perf_counter()
    net.simulate(duration)
    ds = net.results(rate_bin)
    timings["run"] = time.perf_counter() - start
    return ds
