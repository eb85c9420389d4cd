"""Engine: builder, backends, kernel cache and simulator (the only package that imports Numba).

``Network.compile()`` runs ``Simulator(network)``: the builder turns the description into
a :class:`Build` (structure and arrays), the backend loads the structure's kernel, and
the simulator steps it.
"""

from dasksnn.engine.backend import Kernel, NumbaCPU
from dasksnn.engine.builder import Build, build, register, structure
from dasksnn.engine.cache import cache_dir, load_kernel, lock
from dasksnn.engine.simulator import Simulator

__all__ = ["Build", "build", "register", "structure", "Kernel", "NumbaCPU", "Simulator", "cache_dir",
           "load_kernel", "lock"]
