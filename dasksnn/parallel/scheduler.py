"""Which Dask client runs the tasks, and how its workers are prepared.

The client given, else the active ``distributed`` client (a ``SLURMCluster``'s too),
else a ``LocalCluster`` of one-thread worker processes that dasksnn starts once and
reuses for the rest of the session. dasksnn never wraps cluster classes.
"""

from __future__ import annotations

import atexit
import contextlib
import numbers
import os
import sys
import time
import weakref
from collections.abc import Iterator
from typing import Any

from distributed import Client, LocalCluster, WorkerPlugin

from dasksnn.errors import ArgumentError, ArgumentTypeError

__all__ = ["get_client", "client_for", "check_client", "processes", "cores", "close_local_cluster",
           "worker_environment"]

# one thread per worker and nothing else spawning threads: never more busy threads than cores
_SINGLE_THREAD = {name: "1" for name in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                          "MKL_NUM_THREADS")}
_local: Client | None = None
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


class WorkerSetup(WorkerPlugin):
    """Prepares each worker once: the kernel cache directory and one thread for Numba."""

    name = "dasksnn"

    def __init__(self, cache_dir: str) -> None:
        self.cache_dir = cache_dir

    def setup(self, worker: Any) -> None:
        # the client's cache, unless the cluster was given one of its own
        os.environ.setdefault("DASKSNN_CACHE_DIR", self.cache_dir)
        for name, value in _SINGLE_THREAD.items():
            os.environ.setdefault(name, value)


def processes(max_processes: int | None, where: str = "parallel_run") -> int:
    """Worker processes of the LocalCluster for ``max_processes`` (-1 or None: one per core).

    Raises
    ------
    ArgumentTypeError
        ``max_processes`` is not a whole number.
    ArgumentError
        ``max_processes`` is a whole number < 1 other than -1.
    """
    if max_processes is None or (isinstance(max_processes, numbers.Integral) and max_processes == -1):
        return cores()
    message = f"{where}: max_processes must be a whole number >= 1 or -1 (all cores), got {max_processes!r}"
    if isinstance(max_processes, bool) or not isinstance(max_processes, numbers.Integral):
        raise ArgumentTypeError(message)
    if max_processes < 1:
        raise ArgumentError(message)
    return int(max_processes)


def check_client(client: Any, where: str = "parallel_run") -> None:
    """Refuse a ``client`` that is neither None nor a ``distributed.Client``, before anything starts."""
    if client is not None and not isinstance(client, Client):
        raise ArgumentTypeError(f"{where}: client must be a distributed.Client (or None: the active client, else "
                                f"a LocalCluster dasksnn starts), got {client!r}; for a cluster object, pass "
                                "Client(cluster)")


# largest array glibc serves from the heap in dasksnn's workers (bytes)
_HEAP_ARRAYS = 256 * 2**20


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables of this process for the duration of the block."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def worker_environment() -> dict[str, str]:
    """Environment variables dasksnn gives the worker processes it starts.

    One thread per worker for Numba and BLAS (Dask supplies the parallelism), and glibc
    serving arrays up to 256 MiB from the heap and keeping up to as much freed (instead of
    Dask's ``MALLOC_TRIM_THRESHOLD_=65536``), so that a run reuses the memory of the run
    before instead of mapping fresh pages (a page fault per 4 KiB; two workers building
    networks at once then contend). Give a cluster of your own the same before its
    workers start (``distributed.nanny.pre-spawn-environ``, or the job script's
    environment): environment variables set after a process started do not reach glibc.

    Examples
    --------
    >>> import dasksnn as ann
    >>> ann.worker_environment()["NUMBA_NUM_THREADS"]
    '1'
    """
    heap = str(_HEAP_ARRAYS)
    return {**_SINGLE_THREAD, "MALLOC_MMAP_THRESHOLD_": heap, "MALLOC_TRIM_THRESHOLD_": heap}


def _local_client(n: int) -> Client:
    """The session's LocalCluster client, started on first use (again if the size changes)."""
    global _local
    if _local is not None and _local.status == "running" and len(_local.nthreads()) == n:
        return _local
    close_local_cluster()
    import dask.config

    # Dask sets MALLOC_TRIM_THRESHOLD_=65536 in workers (and it is inherited from this process
    # once any Dask cluster started here), which makes glibc map and unmap every large array:
    # building a network's synapses ran 2.4 to 6 times slower than in a plain process.
    # Dask lets this process's environment override its pre-spawn config: set both
    wanted = worker_environment()
    environ = dask.config.get("distributed.nanny.pre-spawn-environ")
    with dask.config.set({"distributed.nanny.pre-spawn-environ": {**environ, **wanted}}), _environment(wanted):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, env=dict(_SINGLE_THREAD))
    _local = Client(cluster, set_as_default=False)
    print(f"dasksnn: started a LocalCluster of {n} worker process{'es' if n > 1 else ''} "
          f"(1 thread each); dashboard: {_local.dashboard_link}", file=sys.stderr)
    return _local


def close_local_cluster() -> None:
    """Shut down the LocalCluster dasksnn started (done at exit anyway)."""
    global _local
    if _local is not None:
        cluster = _local.cluster
        _local.close()
        if cluster is not None:
            cluster.close()
        _local = None


atexit.register(close_local_cluster)


def get_client(client: Client | None, max_processes: int | None) -> Client:
    """The client to run on (see the module docstring), with its workers prepared."""
    if client is None:
        try:
            from distributed import default_client

            client = default_client()
        except ValueError:
            client = _local_client(processes(max_processes))
    else:
        check_client(client)
    _prepare(client)
    return client


def client_for(sequential: bool, client: Client | None, max_processes: int | None,
               timings: dict[str, Any]) -> Client | None:
    """The client runs go to (``None``: in this process), timing its start in ``timings``."""
    if sequential:
        return None
    start = time.perf_counter()
    target = get_client(client, max_processes)
    timings["start"] = time.perf_counter() - start
    return target


def _prepare(client: Client) -> None:
    """Register the worker plugin once per client and cache directory."""
    from dasksnn.engine import cache_dir

    directory = str(cache_dir())
    if _prepared.get(client) != directory:
        client.register_plugin(WorkerSetup(directory), name=WorkerSetup.name)
        _prepared[client] = directory
