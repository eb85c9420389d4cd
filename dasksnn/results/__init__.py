"""Results: recordings as labelled xarray Datasets, sweeps in Zarr stores, ``ds.snn``.

Importing this package registers the ``ds.snn`` accessor (``import dasksnn`` does not
import xarray, to stay cheap; every function that returns results imports it).
"""

from dasksnn.results import accessor as _accessor  # noqa: F401  (registers ds.snn)
from dasksnn.results.dataset import monitor_dataset, network_dataset, versions

__all__ = ["monitor_dataset", "network_dataset", "versions"]
