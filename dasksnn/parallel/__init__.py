"""Many runs at once on Dask: ``parallel_run``, ``sweep``, seeds and scheduling.

The only package that imports ``distributed``.
"""

from dasksnn.parallel.run import parallel_run
from dasksnn.parallel.scheduler import close_local_cluster
from dasksnn.parallel.sweep import sweep

__all__ = ["parallel_run", "sweep", "close_local_cluster"]
