"""Connectivity rules: which pre-synaptic neuron connects to which post-synaptic one.

A rule is a frozen description. The engine draws it when a network compiles
(:func:`dasksnn.engine.connectivity.build_synapses`), from the network's seed, so each
network draws its own connectivity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dasksnn.errors import NetworkError
from dasksnn.model.random import Distribution

__all__ = ["Rule", "AllToAll", "OneToOne", "FixedProbability", "FixedNumberPre",
           "FixedNumberPost", "FromMatrix", "FromSparse", "check_probability", "check_number", "check_shape",
           "check_values"]


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


# ------------------------------------------------------------ checks of what connect_* methods get
def check_probability(probability: Any, where: str) -> None:
    """A connection probability: a number in [0, 1]."""
    if isinstance(probability, bool) or not isinstance(probability, int | float | np.number) \
            or not 0.0 <= float(probability) <= 1.0:
        raise NetworkError(f"{where}: probability must be a number in [0, 1], got {probability!r}")


def check_number(number: Any, available: int, side: str, where: str) -> None:
    """A number of partners: an integer in [0, available]."""
    if not isinstance(number, int | np.integer) or isinstance(number, bool) or not 0 <= number <= available:
        raise NetworkError(f"{where}: number must be an integer in [0, {available}] (the "
                           f"{side}-synaptic size), got {number!r}")


def check_shape(where: str, method: str, shape: tuple[int, ...], order: tuple[str, str], n_pre: int,
                n_post: int, transposed_hint: str) -> None:
    """Refuse a matrix whose shape is not (size of order[0], size of order[1])."""
    sizes = {"pre": n_pre, "post": n_post}
    expected = (sizes[order[0]], sizes[order[1]])
    shape = tuple(shape)
    if shape != expected:
        hint = f"; it looks transposed: {transposed_hint}" if shape == expected[::-1] else ""
        raise NetworkError(f"{where}: {method} expects a matrix of shape {expected} "
                           f"({', '.join(order)}), got shape {shape}{hint}")


def check_values(value: Any, what: str, where: str, allow_array: bool, count: int) -> None:
    """Weights or delays: a finite number, a distribution, or (``allow_array``) ``count`` values."""
    if isinstance(value, Distribution):
        return
    if isinstance(value, bool | str | bytes) or value is None:
        raise NetworkError(f"{where}: {what} must be a number or a distribution, got {value!r}")
    if np.isscalar(value):
        if not np.isfinite(float(value)):
            raise NetworkError(f"{where}: {what} must be finite, got {value!r}")
        return
    array = np.asarray(value, dtype=np.float64)
    if not allow_array or array.shape != (count,):
        expected = f"a number, a distribution or {count} values" if allow_array else "a number or a distribution"
        raise NetworkError(f"{where}: {what} must be {expected}, got an array of shape {array.shape}")
