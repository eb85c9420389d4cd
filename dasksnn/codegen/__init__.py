"""Code generation: network structure -> Python source of one Numba step loop."""

from dasksnn.codegen.kernel import (
    KernelSource,
    MonitorSpec,
    NetworkSpec,
    PopulationSpec,
    ProjectionSpec,
    generate,
)
from dasksnn.codegen.spec import SynapseMonitorSpec

__all__ = ["generate", "KernelSource", "NetworkSpec", "PopulationSpec", "ProjectionSpec",
           "MonitorSpec", "SynapseMonitorSpec"]
