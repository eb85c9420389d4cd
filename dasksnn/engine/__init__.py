"""Engine: the kernel cache on disk and the calls into compiled kernels.

The only package that imports Numba.
"""

from dasksnn.engine.cache import cache_dir, load_kernel, lock

__all__ = ["cache_dir", "load_kernel", "lock"]
