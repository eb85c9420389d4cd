"""``parallel_run``: ANNarchy's way of running one method on many networks, on Dask."""

from __future__ import annotations

import inspect
import pickle
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from dasksnn.errors import ArgumentError, ArgumentTypeError, NetworkError, RunError
from dasksnn.network import Network, default_network
from dasksnn.parallel.execute import callable_name, check_sendable, run_tasks
from dasksnn.parallel.progress import logger
from dasksnn.parallel.scheduler import check_client, client_for, processes
from dasksnn.parallel.seeds import run_seeds
from dasksnn.parallel.timing import compile_timed, report, warm
from dasksnn.results.store import Outcome

__all__ = ["parallel_run"]


def parallel_run(method: Callable[..., Any], networks: Sequence[Network] | None = None, number: int = 0,
                 max_processes: int = -1, measure_time: bool = False, sequential: bool = False,
                 same_seed: bool = False, seed: int | np.random.SeedSequence | None = None,
                 client: Any = None, progress: bool = True, **args: Sequence[Any]) -> list[Any]:
    """Run ``method(idx, net, **args_i)`` on many networks at once, one Dask task each.

    Parameters
    ----------
    method : callable
        ``method(idx, net, **args_i)``: ``idx`` is the run's index, ``net`` its
        compiled network; what it returns comes back in index order.
    networks : list of Network, optional
        Run once per network (a copy of it travels to the worker; the given networks
        are not changed).
    number : int, default 0
        Without ``networks``: run on ``number`` copies of the default network (the
        objects created at module level), each made and compiled on its worker.
    max_processes : int, default -1
        Worker processes of the LocalCluster dasksnn starts when no client is given
        or active (-1: one per core).
    measure_time : bool, default False
        Report (through the ``dasksnn`` logger) the wall time and how it split: compile
        before the fan-out, starting and waiting for workers, compile and run inside the
        runs, scheduling and transfer; and the workers that ran runs.
    sequential : bool, default False
        Run one after the other in this process (same results, for debugging).
    same_seed : bool, default False
        Give every run the same seed (else run ``i`` gets child ``i`` of
        ``SeedSequence(seed)``).
    seed : int or numpy.random.SeedSequence, optional
        Root seed. ``None``: with ``number=``, the seed given to :func:`setup` or
        :func:`set_seed` (as ANNarchy's global seed), else fresh entropy; with
        ``networks=``, each network keeps its own seed (and state). The seed of a run
        is ``net.seed_entropy``; ``measure_time`` reports the root.
    client : distributed.Client, optional
        Where to run (default: the active client, else dasksnn's LocalCluster).
    progress : bool, default True
        Show the runs done and failed: a bar in a notebook or a terminal, else a line in
        the log every ``dasksnn.progress-interval`` (5 s).
    **args : list
        One list per extra argument of ``method``, with one value per run.

    Returns
    -------
    list
        What ``method`` returned, in run order.

    Raises
    ------
    ArgumentTypeError
        Before anything starts or compiles: an argument of the wrong type, a
        ``method`` that cannot be called as ``method(idx, net, **args_i)``, or (unless
        ``sequential``) a ``method`` or argument value that cannot be pickled to be
        sent to the workers.
    ArgumentError
        Before anything starts or compiles: an argument with a wrong value (lists of
        the wrong length, ``number < 1``, ...).
    NetworkError
        ``number=`` with a default network that has no population.
    RunError
        After cancelling the other runs, if a run raised (the message gives its
        index, arguments, seed and traceback).
    ClusterError
        After cancelling the other runs, if the cluster lost runs that Dask could not
        recover (their workers kept dying, the scheduler was lost, no workers came): the
        runs raised nothing. Runs on a worker that dies are run again elsewhere first.

    Notes
    -----
    The kernel is compiled (or read from the disk cache) once in this process before
    the fan-out, so workers only load it. Run ``i``'s network is seeded with the
    64-bit word of child ``i`` of ``SeedSequence(seed)``: the same ``seed`` gives the
    same results sequentially, on one worker or on many. From a script, call it
    inside ``if __name__ == "__main__":``.

    Examples
    --------
    >>> def simulation(idx, net, rate):
    ...     net.get(inp).rates = rate
    ...     net.simulate(1000.0)
    ...     return net.get(m).raster_plot()
    >>> results = ann.parallel_run(method=simulation, number=4, rate=[5., 10., 15., 20.])  # doctest: +SKIP
    """
    # every check of the arguments comes first: nothing starts or compiles for a call that fails
    if not callable(method):
        raise ArgumentTypeError(f"parallel_run: method must be a function method(idx, net, ...), got {method!r}")
    template, sources, n = _sources(networks, number)
    _check_args(method, args, n)
    processes(max_processes)
    check_client(client)
    keep_own = seed is None and template is None and not same_seed
    if seed is None and template is not None and default_network().seeded:
        seed = default_network().seed_sequence  # ANNarchy's setup(seed=...) seeds parallel runs too
    root, seeds = run_seeds(seed, n, same_seed)
    if not sequential:  # what a worker gets must pickle; a run in this process needs no pickling
        check_sendable(method, "parallel_run", f"method {callable_name(method)}")
        for name, values in args.items():
            for i, value in enumerate(values):
                check_sendable(value, "parallel_run", f"value {i} of argument '{name}'")
    if keep_own:
        seeds = [None] * n  # type: ignore[list-item]
    per_run = [(source, seeds[i], {name: values[i] for name, values in args.items()})
               for i, source in enumerate(sources)]

    start = time.perf_counter()
    before: dict[str, Any] = {}
    first = sources[0] or template
    if template is not None or not first.compiled:  # compile once here; workers only load the kernel
        warm(first.replica(seeds[0] if seeds[0] is not None else first.seed_sequence), before)
    target = client_for(sequential, client, max_processes, before)
    # sequential runs get copies, as workers do, so that both give the same results
    shared = (method, sequential, template)
    outcomes: list[Outcome] = []
    results: list[Any] = [None] * n
    tasks = run_tasks(_run_method, range(n), per_run, shared, target, "parallel_run", progress)
    try:
        for batch in tasks:
            for outcome in batch:
                if outcome.error:
                    _, run_seed, kwargs = per_run[outcome.run]
                    raise RunError(f"parallel_run: run {outcome.run} failed (arguments {kwargs}, seed "
                                   f"{run_seed}; the other runs were cancelled):\n{outcome.error}",
                                   outcome.run, kwargs, run_seed)
                results[outcome.run] = outcome.value
                outcomes.append(outcome)
    finally:
        tasks.close()
    if measure_time:
        logger.info("%s", report("parallel_run", outcomes, time.perf_counter() - start, before, target, root))
    return results


def _sources(networks: Sequence[Network] | None, number: int) -> tuple[Network | None, list[Network | None], int]:
    """The network all runs copy (``number=``) or the one of each run (``networks=``), and how many runs."""
    if networks is not None:
        message = f"parallel_run: networks must be a non-empty list of Network objects, got {networks!r}"
        if isinstance(networks, Network | str) or not isinstance(networks, Sequence):
            raise ArgumentTypeError(f"{message} (for one network, pass networks=[net])")
        if not networks:
            raise ArgumentError(message)
        for k, net in enumerate(networks):
            if not isinstance(net, Network):
                raise ArgumentTypeError(f"parallel_run: networks must hold Network objects, got {net!r} at "
                                        f"index {k}")
        if number and number != len(networks):
            raise ArgumentError(f"parallel_run: number={number} but {len(networks)} networks were given; "
                                "give one of them")
        return None, list(networks), len(networks)
    message = (f"parallel_run: give networks=[...] or number >= 1 (copies of the default network), got "
               f"number={number!r}")
    if isinstance(number, bool) or not isinstance(number, int | np.integer):
        raise ArgumentTypeError(message)
    if number < 1:
        raise ArgumentError(message)
    default = default_network()
    if not default.get_populations():
        raise NetworkError("parallel_run: number= runs copies of the default network, which has no "
                           "population; create the objects at module level, or pass networks=[...]")
    # an uncompiled copy travels to the workers: objects and values, not synapses or kernel state
    return default.replica(0), [None] * int(number), int(number)


def _check_args(method: Callable[..., Any], args: dict[str, Sequence[Any]], n: int) -> None:
    """Each extra argument is a list of n values, and method accepts (idx, net, **args)."""
    for name, values in args.items():
        try:
            length = None if isinstance(values, str | bytes | Mapping) else len(values)
        except TypeError:  # a 0-d array, or an object whose __len__ refuses
            length = None
        if length is None:
            raise ArgumentTypeError(f"parallel_run: argument '{name}' must be a list with one value per run "
                                    f"({n}), got {values!r}")
        if length != n:
            raise ArgumentError(f"parallel_run: argument '{name}' has {length} values for {n} runs; "
                                "give one value per run")
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError):  # a builtin without a signature: let the call decide
        return
    try:
        signature.bind(0, None, **{name: values[0] for name, values in args.items()})
    except TypeError as exc:
        raise ArgumentTypeError(f"parallel_run: method{signature} cannot be called as method(idx, net"
                                f"{''.join(f', {name}=...' for name in args)}): {exc}") from None


def _run_method(run: int, timings: dict[str, Any], method: Callable[..., Any], copy: bool,
                template: Network | None, source: Network | None, seed: int | None, kwargs: dict[str, Any]) -> Any:
    """One run: its network (a copy, seeded with the run's seed), compiled, then the user's method.

    A compiled network given in ``networks=`` keeps its state and synapses; any other
    is rebuilt as a fresh copy, so its connectivity comes from the run's seed.
    ``seed=None``: the given network keeps its own seed.
    """
    if source is not None and source.compiled:
        net = pickle.loads(pickle.dumps(source)) if copy else source
        if seed is not None:
            net.set_seed(seed)
    else:
        net = (template if source is None else source).replica(seed if seed is not None else source.seed_sequence)
    compile_timed(net, timings)
    start = time.perf_counter()
    value = method(run, net, **kwargs)
    timings["run"] = time.perf_counter() - start
    return value
