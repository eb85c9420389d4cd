"""The former NumPy connectivity path of dasksnn (before the compiled build), kept as a
baseline for ``benchmarks/connectivity.py``: ``pairs(rule, ...)`` returns the (pre, post)
local indices of the synapses; ``forbidden[i]`` is the post index pre neuron ``i`` must
not reach, or -1.
"""

from __future__ import annotations

import numpy as np

from dasksnn.network import connectivity as rules


def pairs(rule: rules.Rule, n_pre: int, n_post: int, forbidden: np.ndarray,
          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(pre, post) local indices of the synapses ``rule`` draws."""
    if isinstance(rule, rules.AllToAll):
        pre = np.repeat(np.arange(n_pre), n_post)
        post = np.tile(np.arange(n_post), n_pre)
        keep = post != forbidden[pre]
        return pre[keep], post[keep]
    if isinstance(rule, rules.FixedProbability):
        return _fixed_probability(rule.probability, n_pre, n_post, forbidden, rng)
    if isinstance(rule, rules.FixedNumberPost):
        posts = [_choose(rng, n_post, rule.number, int(f)) for f in forbidden]
        return np.repeat(np.arange(n_pre), rule.number), _concat(posts)
    if isinstance(rule, rules.FixedNumberPre):
        same = np.full(n_post, -1)
        has_self = forbidden >= 0
        same[forbidden[has_self]] = np.nonzero(has_self)[0]
        pres = [_choose(rng, n_pre, rule.number, int(s)) for s in same]
        return _concat(pres), np.repeat(np.arange(n_post), rule.number)
    raise NotImplementedError(type(rule).__name__)


def _choose(rng: np.random.Generator, n: int, k: int, forbidden: int) -> np.ndarray:
    available = n - (forbidden >= 0)
    chosen = rng.choice(available, size=k, replace=False)
    if forbidden >= 0:
        chosen[chosen >= forbidden] += 1
    chosen.sort()
    return chosen


def _fixed_probability(p, n_pre, n_post, forbidden, rng):
    excluded = forbidden >= 0
    if excluded.any() and not excluded.all():
        counts = rng.binomial(n_post - excluded, p)
        posts = [_choose(rng, n_post, int(k), int(f)) for k, f in zip(counts, forbidden, strict=True)]
        return np.repeat(np.arange(n_pre), counts), _concat(posts)
    width = n_post - int(excluded.any())
    positions = _bernoulli_positions(n_pre * width, p, rng)
    pre, post = np.divmod(positions, width)
    if excluded.any():
        post += post >= forbidden[pre]
    return pre, post


def _bernoulli_positions(total, p, rng):
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


def _concat(parts):
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
