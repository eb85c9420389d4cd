"""Connectivity rules: which pre-synaptic neuron connects to which post-synaptic one.

A rule is a frozen description. The engine draws it when a network compiles
(:func:`dasksnn.engine.connectivity.build_synapses`), from the network's seed, so each
network draws its own connectivity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Rule", "AllToAll", "OneToOne", "FixedProbability", "FixedNumberPre",
           "FixedNumberPost", "FromMatrix", "FromSparse"]


@dataclass(frozen=True)
class Rule:
    """Base class of connectivity rules."""

    def stored_weights(self) -> np.ndarray | None:
        """Weights the rule itself carries (matrices), to check them; ``None`` for other rules."""
        return None


@dataclass(frozen=True)
class AllToAll(Rule):
    """Every pre-synaptic neuron connects to every post-synaptic neuron."""


@dataclass(frozen=True)
class OneToOne(Rule):
    """Pre-synaptic neuron ``i`` connects to post-synaptic neuron ``i``."""


@dataclass(frozen=True)
class FixedProbability(Rule):
    """Each possible synapse exists independently with probability ``probability``."""

    probability: float


@dataclass(frozen=True)
class FixedNumberPost(Rule):
    """Each pre-synaptic neuron connects to ``number`` distinct post-synaptic neurons."""

    number: int


@dataclass(frozen=True)
class FixedNumberPre(Rule):
    """Each post-synaptic neuron receives from ``number`` distinct pre-synaptic neurons."""

    number: int


@dataclass(frozen=True, eq=False)
class FromMatrix(Rule):
    """Synapses and weights from a dense matrix; ``None`` or NaN entries are absent.

    ``matrix[post, pre]`` by default (ANNarchy's convention for dense matrices),
    ``matrix[pre, post]`` with ``pre_post=True``.
    """

    matrix: Any
    pre_post: bool = False

    def given_shape(self) -> tuple[int, ...]:
        """Shape of the matrix as given (``(n_post, n_pre)``, or ``(n_pre, n_post)`` with
        ``pre_post=True``)."""
        return np.shape(np.array(self.matrix, dtype=object))

    def stored_weights(self) -> np.ndarray:
        """The weights of the synapses (entries that are neither None nor NaN)."""
        array = np.array(self.matrix, dtype=object)
        values = np.where(np.equal(array, None), np.nan, array).astype(np.float64)
        return values[~np.isnan(values)]


@dataclass(frozen=True, eq=False)
class FromSparse(Rule):
    """Synapses and weights from a SciPy sparse matrix ``matrix[pre, post]``.

    The first index is the pre-synaptic rank, as in ANNarchy (the opposite of the dense
    default of :class:`FromMatrix`); every stored entry is a synapse (duplicates summed,
    as SciPy does).
    """

    matrix: Any

    def given_shape(self) -> tuple[int, ...]:
        """Shape of the matrix as given, ``(n_pre, n_post)``."""
        return tuple(int(n) for n in self.matrix.shape)

    def stored_weights(self) -> np.ndarray:
        """The weights of the stored entries."""
        return np.asarray(self.matrix.tocoo().data, dtype=np.float64)
