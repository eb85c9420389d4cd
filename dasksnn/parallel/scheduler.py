"""Which Dask client runs the tasks, and how its workers are prepared.

The client given, else the active ``distributed`` client (a ``SLURMCluster``'s too),
else a ``LocalCluster`` of one-thread worker processes that dasksnn starts once and
reuses for the rest of the session. dasksnn never wraps cluster classes.
"""

from __future__ import annotations

import atexit
import contextlib
import getpass
import numbers
import os
import platform
import stat
import tempfile
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster, WorkerPlugin

from dasksnn.errors import ArgumentError, ArgumentTypeError
from dasksnn.parallel.progress import logger

__all__ = ["get_client", "client_for", "check_client", "processes", "cores", "close_local_cluster",
           "worker_environment", "choose_cache_dir"]

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


def _writable(directory: str) -> bool:
    """Whether this process can create ``directory`` and write a file in it."""
    try:
        os.makedirs(directory, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".dasksnn-probe-"):
            pass
    except OSError:  # read-only file system, no permission, a file where a directory is expected
        return False
    return True


def _node_local() -> str:
    """A kernel cache of this machine's own: ``<tmp>/dasksnn-<user>/cache``.

    The ``dasksnn-<user>`` folder must be this user's and writable by nobody else, since
    kernels found in it are imported: in a ``/tmp`` shared by the users of a node,
    anyone could make that folder first. Otherwise a fresh private folder is used (one
    compile per worker instead of per node).
    """
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        user = str(os.getuid())
    base = Path(tempfile.gettempdir()) / f"dasksnn-{user}"
    try:
        base.mkdir(mode=0o700, exist_ok=True)
        found = base.lstat()
        if stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and not found.st_mode & 0o022:
            return str(base / "cache")
    except OSError:
        pass
    return str(Path(tempfile.mkdtemp(prefix="dasksnn-cache-")))


def choose_cache_dir(own: str | None, client: str) -> tuple[str, str]:
    """The kernel cache directory a worker uses, and why, in words.

    Its own ``dasksnn.cache-dir`` (``own``: the config value or ``$DASKSNN_CACHE_DIR`` the
    worker started with) when set and writable; else the client's directory when the
    worker can write there (a shared filesystem: kernels compiled by the client are
    only loaded); else a node-local directory (:func:`tempfile.gettempdir`), where the
    worker compiles from the source that travels with each network, one compile per
    node (the kernel file is written under a file lock).

    Parameters
    ----------
    own : str or None
        The worker's own setting, if any.
    client : str
        The client's cache directory.
    """
    if own:
        if _writable(own):
            return own, "its own dasksnn.cache-dir"
        logger.warning("kernel cache: this worker's own directory %s (dasksnn.cache-dir or DASKSNN_CACHE_DIR) is "
                       "not writable here; using another", own)
    if _writable(client):
        return client, "the client's"
    try:
        local = _node_local()
    except OSError:  # no temporary directory to write either
        local = tempfile.gettempdir()
    if not _writable(local):
        raise OSError(f"dasksnn: no writable kernel cache on this worker: not its own ({own or 'none set'}), not "
                      f"the client's ({client}), not {local}; set dasksnn.cache-dir or DASKSNN_CACHE_DIR for the "
                      "workers to a directory they can write")
    return local, f"node-local (the client's {client} is not writable here)"


# the worker's own kernel cache setting, read before dasksnn first set DASKSNN_CACHE_DIR in this
# process (a plugin registered again must not take its own earlier choice for the worker's)
_UNREAD = object()
_own: Any = _UNREAD


class WorkerSetup(WorkerPlugin):
    """Prepares each worker once: the kernel cache directory and one thread for Numba.

    The cache is the worker's own ``dasksnn.cache-dir`` if it has one, else the client's
    directory when writable, else node-local: see :func:`choose_cache_dir`. The choice
    reaches the engine through ``DASKSNN_CACHE_DIR`` of the worker process. A worker
    thread in the client's own process (``LocalCluster(processes=False)``) shares the
    client's settings and is left as it is.
    """

    name = "dasksnn"

    def __init__(self, cache_dir: str) -> None:
        self.cache_dir = cache_dir
        self.client_process = (platform.node(), os.getpid())

    def setup(self, worker: Any) -> None:
        global _own
        if (platform.node(), os.getpid()) == self.client_process:
            return
        if _own is _UNREAD:
            from dasksnn.config import get_config

            _own = os.environ.get("DASKSNN_CACHE_DIR") or get_config("cache-dir")
        directory, why = choose_cache_dir(_own, self.cache_dir)
        os.environ["DASKSNN_CACHE_DIR"] = directory
        if directory not in (_own, self.cache_dir):
            logger.info("worker %s: kernel cache %s, %s", getattr(worker, "address", "?"), directory, why)
        for name, value in _SINGLE_THREAD.items():
            os.environ.setdefault(name, value)
        # dask_jobqueue installs a signal handler when imported, which only the main thread
        # may do: import it here (the worker's main thread), before a run's task thread
        # unpickles a user's module that imports it
        with contextlib.suppress(ImportError):
            import dask_jobqueue  # noqa: F401


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


_FAN_OUT = {"parallel_run", "sweep"}


def _script_runs_unguarded() -> bool:
    """Whether this process runs a script that calls ``parallel_run`` or ``sweep`` outside
    ``if __name__ == "__main__":``, as ANNarchy's examples do.

    Workers started by "spawn" (Dask's default) run the main script again on import, which
    would start another cluster there; such a script gets workers started by "fork", which
    run nothing again (where the platform has it).
    """
    import ast
    import multiprocessing
    import sys

    path = getattr(sys.modules.get("__main__"), "__file__", None)
    if not path or not os.path.isfile(path) or "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (SyntaxError, ValueError, OSError):
        return False
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) or _is_main_guard(statement):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in _FAN_OUT:
                return True
    return False


def _is_main_guard(statement: Any) -> bool:
    import ast

    return isinstance(statement, ast.If) and "__main__" in ast.unparse(statement.test) \
        and "__name__" in ast.unparse(statement.test)


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
    settings = {"distributed.nanny.pre-spawn-environ": {**environ, **wanted}}
    if _script_runs_unguarded():
        settings["distributed.worker.multiprocessing-method"] = "fork"
    with dask.config.set(settings), _environment(wanted):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True)
    _local = Client(cluster, set_as_default=False)
    logger.info("started a LocalCluster of %d worker process%s (1 thread each); dashboard: %s", n,
                "es" if n > 1 else "", _local.dashboard_link)
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


def get_client(max_processes: int | None = None) -> Client:
    """The Dask client that :func:`parallel_run` and :func:`sweep` use when given none.

    The active ``distributed`` client (made by ``Client(cluster)``), else the
    ``LocalCluster`` dasksnn started (started now if it is not running), with
    dasksnn's worker plugin registered. Use it to open the dashboard
    (``client.dashboard_link``), to watch or scale the workers, or to close them.

    Parameters
    ----------
    max_processes : int, optional
        Worker processes of dasksnn's LocalCluster (-1: one per core). ``None``: the
        running one whatever its size, else one per core. A running one of another
        size is replaced.

    Returns
    -------
    distributed.Client

    Raises
    ------
    ArgumentTypeError, ArgumentError
        ``max_processes`` is not a whole number >= 1 or -1.

    Examples
    --------
    >>> client = ann.get_client(max_processes=2)  # doctest: +SKIP
    >>> client.dashboard_link  # doctest: +SKIP
    'http://127.0.0.1:8787/status'
    """
    n = None if max_processes is None else processes(max_processes, "get_client")  # checked in any case
    try:
        from distributed import default_client

        client = default_client()
    except ValueError:
        if n is None and _local is not None and _local.status == "running":
            client = _local
        else:
            client = _local_client(n or cores())
    _prepare(client)
    return client


def client_for(sequential: bool, client: Client | None, max_processes: int | None,
               timings: dict[str, Any]) -> Client | None:
    """The client runs go to (``None``: in this process), timing its start in ``timings``."""
    if sequential:
        return None
    start = time.perf_counter()
    if client is None:
        target = get_client(processes(max_processes))
    else:
        check_client(client)
        _prepare(client)
        target = client
    timings["start"] = time.perf_counter() - start
    return target


def _prepare(client: Client) -> None:
    """Register the worker plugin once per client and cache directory."""
    from dasksnn.engine import cache_dir

    directory = str(cache_dir())
    if _prepared.get(client) != directory:
        client.register_plugin(WorkerSetup(directory), name=WorkerSetup.name)
        _prepared[client] = directory
