"""Backends: a structure's generated blocks composed into a kernel, and loaded.

A backend turns a :class:`~dasksnn.codegen.NetworkSpec` into a :class:`Kernel` the
simulator calls as ``kernel.function(k0, n_steps, dt, rng, status, *arrays)``, the
arrays being those named by ``kernel.arguments``. Today's backend is :class:`NumbaCPU`:
codegen's module header and step loop, written to the disk cache and compiled by Numba.
See ``docs/architecture.md`` for how batched and CUDA backends plug in here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dasksnn.codegen import NetworkSpec, generate
from dasksnn.engine.cache import load_kernel, lock

__all__ = ["Kernel", "NumbaCPU"]


@dataclass
class Kernel:
    """A loaded kernel: its structure, source, argument names and compiled function.

    The function does not travel when a network is pickled: the receiving process loads
    it again from its cache (or writes the source there and compiles it).
    """

    spec: NetworkSpec
    source: str
    arguments: tuple[str, ...]
    path: Path
    function: Callable[..., int] | None = field(default=None, repr=False)

    def loaded(self) -> Callable[..., int]:
        """The compiled function (imported from the cache the first time)."""
        if self.function is None:
            self.function, self.path = load_kernel(self.source)
        return self.function

    @property
    def compiled_here(self) -> bool:
        """Whether this process already compiled (or loaded) machine code for it."""
        return bool(self.function is not None and self.function.signatures)

    def first_call_lock(self) -> Any:
        """Inter-process lock held during the first call, which compiles: one process
        compiles, the others then read Numba's cache."""
        return lock(self.path)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "function": None}


class NumbaCPU:
    """One serial step loop per structure, compiled by Numba with ``nogil`` and cached on disk."""

    name = "numba-cpu"

    def load(self, spec: NetworkSpec) -> Kernel:
        """Generate the kernel of ``spec`` (memoised) and import it from the disk cache."""
        from dasksnn import __version__

        generated = generate(spec, __version__)
        function, path = load_kernel(generated.source)
        return Kernel(spec, generated.source, generated.arrays, path, function)
