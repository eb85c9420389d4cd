"""Failures of the cluster, told apart from the failures of runs.

A run's own exception is caught in its task and comes back as the run's outcome
(a :class:`~dasksnn.errors.RunError` for the caller). Anything else that fails a task
is the infrastructure's doing: its runs raised nothing, they were lost. Dask already
resubmits the runs of a worker that dies (up to ``distributed.scheduler.allowed-failures``
deaths per task), and recomputes the inputs the runs share (they are tasks, never
scattered data); what it cannot recover is raised as a :class:`ClusterError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dasksnn.errors import ClusterError

__all__ = ["ClusterError", "cluster_error"]


def _spans(runs: Sequence[int]) -> str:
    """``"3, 8 to 11"`` for runs 3, 8, 9, 10, 11."""
    parts: list[str] = []
    ordered = sorted(runs)
    k = 0
    while k < len(ordered):
        j = k
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[k]) if j == k else f"{ordered[k]} to {ordered[j]}")
        k = j + 1
    return ", ".join(parts)


def cluster_error(exc: BaseException, runs: Sequence[int], label: str, client: Any) -> ClusterError | None:
    """The :class:`ClusterError` a task's exception ``exc`` stands for; ``None`` if it is not the cluster's.

    Parameters
    ----------
    exc : BaseException
        What ``future.result()`` raised for the task of ``runs``.
    runs : list of int
        The runs of that task.
    label : str
        The caller (``"sweep"``), at the start of the message.
    client : distributed.Client
        The client the task was submitted with (for the scheduler's address).
    """
    from distributed.client import FutureCancelledError
    from distributed.comm.core import CommClosedError
    from distributed.scheduler import KilledWorker, NoValidWorkerError, NoWorkerError

    which = f"run{'s' if len(runs) > 1 else ''} {_spans(runs)}"
    after = "A sweep with a store keeps the runs that finished: the same call again computes the others."
    if isinstance(exc, KilledWorker):
        worker = getattr(exc.last_worker, "address", None) or str(exc.last_worker)
        tries = exc.allowed_failures + 1
        started = "once, and its worker" if tries == 1 else f"{tries} times, and each time its worker"
        return ClusterError(
            f"{label}: the cluster lost {which}: Dask started their task {started} died while running it (the "
            f"last: {worker}). The runs raised nothing; a worker dies when its job ends (walltime, pre-emption, "
            "scancel) or when a run takes more memory than the worker may use, which its log says. To tell, run "
            "one of these runs with sequential=True, or allow more deaths per task "
            f"(distributed.scheduler.allowed-failures). {after}", runs, worker)
    if isinstance(exc, NoWorkerError | NoValidWorkerError):
        return ClusterError(
            f"{label}: {which} could not start: no worker came within {exc.timeout:g} s "
            "(distributed.scheduler.no-workers-timeout). Start workers (cluster.scale(...) or cluster.adapt(...)), "
            f"check that their jobs are not stuck in the batch queue, or raise the timeout. {after}", runs)
    if isinstance(exc, FutureCancelledError):
        address = getattr(getattr(client, "scheduler", None), "address", None) or "?"
        if exc.reason == "scheduler-connection-lost":
            what = f"lost the connection to the scheduler at {address}"
        elif exc.reason == "lost dependencies":
            what = (f"the scheduler at {address} does not hold the inputs the runs share (it could not load them, "
                    "its log says why: it needs dasksnn, in the same version as here)")
        else:
            what = f"Dask cancelled their task (reason: {exc.reason}{'; ' + exc.msg if exc.msg else ''})"
        return ClusterError(f"{label}: {which} did not finish: {what}. {after}", runs)
    if isinstance(exc, CommClosedError | ConnectionError):
        return ClusterError(f"{label}: {which} did not finish: a connection was lost ({type(exc).__name__}: "
                            f"{exc}). {after}", runs)
    return None
