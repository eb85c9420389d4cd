"""Many runs at once on Dask: ``parallel_run``, ``sweep``, seeds and scheduling.

The only package that imports ``distributed``.
"""

from dasksnn.errors import ClusterError
from dasksnn.parallel.run import parallel_run
from dasksnn.parallel.scheduler import close_local_cluster, get_client
from dasksnn.parallel.sweep import sweep

__all__ = ["parallel_run", "sweep", "get_client", "close_local_cluster", "ClusterError"]
