"""Connectivity rules: which pre-synaptic neuron connects to which post-synaptic one.

A rule is a frozen description; ``rule.pairs(...)`` draws the synapses from a network's
generator when that network compiles, so each network draws its own connectivity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Rule", "AllToAll", "OneToOne", "FixedProbability", "FixedNumberPre",
           "FixedNumberPost", "FromMatrix", "FromSparse"]


@dataclass(frozen=True)
class Rule:
    """Base class of connectivity rules.

    ``pairs(n_pre, n_post, forbidden, rng)`` returns the (pre, post) local indices of
    the synapses; ``forbidden[i]`` is the post index pre neuron ``i`` must not reach
    (itself, when self-connections are not allowed), or -1.
    """

    def pairs(self, n_pre: int, n_post: int, forbidden: np.ndarray,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def given_weights(self) -> np.ndarray | None:
        """Weights the rule itself carries (matrices), in the order of ``pairs``."""
        return None


def _without_forbidden(pre: np.ndarray, post: np.ndarray, forbidden: np.ndarray):
    keep = post != forbidden[pre]
    return pre[keep], post[keep]


@dataclass(frozen=True)
class AllToAll(Rule):
    """Every pre-synaptic neuron connects to every post-synaptic neuron."""

    def pairs(self, n_pre, n_post, forbidden, rng):
        pre = np.repeat(np.arange(n_pre), n_post)
        post = np.tile(np.arange(n_post), n_pre)
        return _without_forbidden(pre, post, forbidden)


@dataclass(frozen=True)
class OneToOne(Rule):
    """Pre-synaptic neuron ``i`` connects to post-synaptic neuron ``i``."""

    def pairs(self, n_pre, n_post, forbidden, rng):
        index = np.arange(n_pre)
        return index, index.copy()


def _choose(rng: np.random.Generator, n: int, k: int, forbidden: int) -> np.ndarray:
    """``k`` distinct indices among ``0 .. n-1``, skipping ``forbidden`` (if >= 0)."""
    available = n - (forbidden >= 0)
    if k > available:
        raise ValueError(f"cannot choose {k} distinct neurons among {available}")
    chosen = rng.choice(available, size=k, replace=False)
    if forbidden >= 0:
        chosen[chosen >= forbidden] += 1
    chosen.sort()
    return chosen


@dataclass(frozen=True)
class FixedProbability(Rule):
    """Each possible synapse exists independently with probability ``probability``."""

    probability: float

    def pairs(self, n_pre, n_post, forbidden, rng):
        excluded = forbidden >= 0
        if excluded.any() and not excluded.all():
            # pre and post views overlap in part: row by row
            counts = rng.binomial(n_post - excluded, self.probability)
            posts = [_choose(rng, n_post, int(k), int(f)) for k, f in zip(counts, forbidden, strict=True)]
            return np.repeat(np.arange(n_pre), counts), _concat(posts)
        # one Bernoulli trial per possible synapse, drawn as geometric gaps between
        # successes over all rows at once: O(synapses), not O(n_pre * n_post)
        width = n_post - int(excluded.any())
        positions = _bernoulli_positions(n_pre * width, self.probability, rng)
        pre, post = np.divmod(positions, width)
        if excluded.any():
            post += post >= forbidden[pre]
        return pre, post


def _bernoulli_positions(total: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of successes among ``total`` independent trials of probability ``p``."""
    if total == 0 or p == 0.0:
        return np.zeros(0, np.int64)
    if p == 1.0:
        return np.arange(total, dtype=np.int64)
    parts, last = [], -1
    while last < total:
        expected = (total - last) * p
        gaps = rng.geometric(p, size=int(expected + 5.0 * np.sqrt(expected) + 16))
        positions = last + np.cumsum(gaps, dtype=np.int64)
        parts.append(positions)
        last = int(positions[-1])
    positions = np.concatenate(parts)
    return positions[positions < total]


@dataclass(frozen=True)
class FixedNumberPost(Rule):
    """Each pre-synaptic neuron connects to ``number`` distinct post-synaptic neurons."""

    number: int

    def pairs(self, n_pre, n_post, forbidden, rng):
        posts = [_choose(rng, n_post, self.number, int(f)) for f in forbidden]
        return np.repeat(np.arange(n_pre), self.number), _concat(posts)


@dataclass(frozen=True)
class FixedNumberPre(Rule):
    """Each post-synaptic neuron receives from ``number`` distinct pre-synaptic neurons."""

    number: int

    def pairs(self, n_pre, n_post, forbidden, rng):
        # the pre neuron that is the same cell as post j, if any
        same = np.full(n_post, -1)
        has_self = forbidden >= 0
        same[forbidden[has_self]] = np.nonzero(has_self)[0]
        pres = [_choose(rng, n_pre, self.number, int(s)) for s in same]
        return _concat(pres), np.repeat(np.arange(n_post), self.number)


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

    def _dense(self) -> np.ndarray:
        """The weights as ``[pre, post]`` floats, NaN where there is no synapse."""
        array = np.array(self.matrix, dtype=object)
        values = np.where(np.equal(array, None), np.nan, array).astype(np.float64)
        return values if self.pre_post else values.T

    def pairs(self, n_pre, n_post, forbidden, rng):
        pre, post = np.nonzero(~np.isnan(self._dense()))
        return pre, post

    def given_weights(self):
        dense = self._dense()
        return dense[~np.isnan(dense)]


@dataclass(frozen=True, eq=False)
class FromSparse(Rule):
    """Synapses and weights from a SciPy sparse matrix ``matrix[pre, post]``.

    The first index is the pre-synaptic rank, as in ANNarchy (the opposite of the dense
    default of :class:`FromMatrix`); every stored entry is a synapse.
    """

    matrix: Any

    def given_shape(self) -> tuple[int, ...]:
        """Shape of the matrix as given, ``(n_pre, n_post)``."""
        return tuple(int(n) for n in self.matrix.shape)

    def _sorted(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pre ranks, post ranks and weights of the stored entries, sorted by (pre, post)."""
        coo = self.matrix.tocoo()
        order = np.lexsort((coo.col, coo.row))
        return (coo.row[order].astype(np.int64), coo.col[order].astype(np.int64),
                np.asarray(coo.data, dtype=np.float64)[order])

    def pairs(self, n_pre, n_post, forbidden, rng):
        pre, post, _ = self._sorted()
        return pre, post

    def given_weights(self):
        return self._sorted()[2]


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
