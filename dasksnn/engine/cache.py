"""Kernel cache on disk: generated source files, imported and compiled by Numba.

Numba caches compiled code next to a real source file (it cannot cache code made by
``exec``), so each kernel is a module ``<cache-dir>/dasksnn_<hash>.py``, written
atomically under a file lock. The hash covers the source and the versions of dasksnn,
Numba, NumPy and Python, so an upgrade never loads stale machine code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import platform
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np
from filelock import FileLock

__all__ = ["cache_dir", "kernel_path", "load_kernel", "lock"]


def cache_dir() -> Path:
    """Directory of generated kernels.

    ``$DASKSNN_CACHE_DIR`` if set, else the ``dasksnn.cache-dir`` Dask config value,
    else ``$XDG_CACHE_HOME/dasksnn`` (``~/.cache/dasksnn``).
    """
    path = os.environ.get("DASKSNN_CACHE_DIR")
    if not path:
        from dasksnn.config import get_config

        path = get_config("cache-dir")
    if not path:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        path = os.path.join(base, "dasksnn")
    directory = Path(path)
    if path not in _MADE:  # once per process and directory: a run's network asks for it
        directory.mkdir(parents=True, exist_ok=True)
        _MADE.add(path)
    return directory


_MADE: set[str] = set()


def _digest(source: str) -> str:
    from dasksnn import __version__

    key = "\n".join([source, __version__, numba.__version__, np.__version__, platform.python_version()])
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def kernel_path(source: str) -> Path:
    """Path of the file that holds ``source`` in the cache directory."""
    return cache_dir() / f"dasksnn_{_digest(source)}.py"


def lock(path: Path) -> FileLock:
    """Inter-process lock guarding the first compile of the kernel at ``path``."""
    return FileLock(str(path.with_suffix(".lock")))


def load_kernel(source: str) -> tuple[Callable, Path]:
    """Write ``source`` to the cache (once) and import its ``kernel`` function.

    Returns
    -------
    (callable, pathlib.Path)
        The Numba dispatcher (compiled lazily, from Numba's disk cache when present)
        and the path of the source file.
    """
    path = kernel_path(source)
    module_name = path.stem
    module = sys.modules.get(module_name)
    if module is None:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)  # removed since cache_dir() made it, say
            with lock(path):
                if not path.exists():
                    # a file that cannot even be parsed never enters the cache
                    compile(source, str(path), "exec", dont_inherit=True)
                    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
                    try:
                        with os.fdopen(fd, "w", encoding="utf-8") as handle:
                            handle.write(source)
                        os.replace(tmp, path)
                    finally:
                        if os.path.exists(tmp):
                            os.unlink(tmp)
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[module_name] = module
    return module.kernel, path
