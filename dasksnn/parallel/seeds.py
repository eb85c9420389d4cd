"""Seeds of runs: run ``i`` gets child ``i`` of ``SeedSequence(seed)``, wherever it runs."""

from __future__ import annotations

import numpy as np

from dasksnn.errors import ArgumentError, ArgumentTypeError

__all__ = ["run_seeds"]


def run_seeds(seed: int | np.random.SeedSequence | None, n: int, same_seed: bool = False,
              where: str = "parallel_run") -> tuple[int, list[int]]:
    """Root entropy and one 64-bit seed per run.

    Run ``i``'s seed is the first word of child ``i`` of ``SeedSequence(seed)``, so it
    does not depend on the worker or the order runs go in; ``Network(seed=s)`` with it
    repeats the run exactly. ``same_seed`` gives every run the root's own word.
    ``seed=None`` draws fresh entropy, returned so it can be recorded. ``where`` names
    the caller in error messages.

    Raises
    ------
    ArgumentTypeError
        ``seed`` is not a whole number, a SeedSequence or None.
    ArgumentError
        ``seed`` is a negative whole number.
    """
    message = f"{where}: seed must be a whole number >= 0, a numpy SeedSequence or None, got {seed!r}"
    if isinstance(seed, np.random.SeedSequence):
        root = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
    elif seed is None:
        root = np.random.SeedSequence(None)
    elif isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ArgumentTypeError(message)
    elif seed < 0:
        raise ArgumentError(message)
    else:
        root = np.random.SeedSequence(int(seed))
    if same_seed:
        return int(root.entropy), [int(root.generate_state(1, np.uint64)[0])] * n
    return int(root.entropy), [int(child.generate_state(1, np.uint64)[0]) for child in root.spawn(n)]
