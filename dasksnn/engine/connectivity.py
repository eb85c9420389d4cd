"""Connectivity drawn in compiled code, straight into CSR arrays.

:func:`build_synapses` turns a connectivity rule (``dasksnn.network.connectivity``) and
its weights and delays into the CSR arrays the kernel reads: ``rowptr`` over the whole
pre-synaptic population (indexed by global rank), then per synapse the global post rank
(int32, increasing within a row), the weight (float64) and the delay in steps (int32).
Every rule and distribution is one pass (or two) of Numba code over the synapses; Python
only dispatches on the rule. Random structure is drawn over the post view's ranks taken
in increasing order (the pre view's, for ``FixedNumberPre``), so that rows come out
sorted without a sort, whatever the order of the views.

Random numbers come from :mod:`dasksnn.engine.streams`, keyed by projection, row and
what is drawn; distributions are drawn by :mod:`dasksnn.engine.draws`, rules by
:mod:`dasksnn.engine.wiring`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from dasksnn.engine.draws import _NUMPY, _delay_values, _Values, _weight_values
from dasksnn.engine.streams import _ROW_DELAY, _ROW_WEIGHT, _key_seed
from dasksnn.engine.wiring import (
    _all_to_all,
    _dense_counts,
    _dense_fill,
    _fill_rows,
    _fixed_number_post,
    _fixed_number_pre_fill,
    _fixed_number_pre_rows,
    _fixed_probability,
    _layout,
    _one_to_one,
    _place_rows,
    _sort_segments,
    _sparse_counts,
    _sparse_fill,
)
from dasksnn.errors import NetworkError
from dasksnn.network import connectivity as rules

__all__ = ["Synapses", "build_synapses"]


@dataclass(frozen=True, eq=False)
class Synapses:
    """Synapses of one projection in CSR form, grouped by pre-synaptic neuron.

    Attributes
    ----------
    rowptr : numpy.ndarray
        int64, ``n_pre_population + 1`` values: the synapses of the pre-synaptic neuron
        of global rank ``r`` are ``rowptr[r]:rowptr[r + 1]`` (empty outside the pre view).
    post : numpy.ndarray
        int32, global rank of the post-synaptic neuron of each synapse, increasing within
        a row.
    w : numpy.ndarray
        float64, weight of each synapse.
    delay : numpy.ndarray
        int32, delay of each synapse in steps of ``dt``.
    """

    rowptr: np.ndarray
    post: np.ndarray
    w: np.ndarray
    delay: np.ndarray

    @property
    def size(self) -> int:
        """Number of synapses."""
        return int(self.post.size)

    def pre(self) -> np.ndarray:
        """Global pre-synaptic rank of each synapse (int32; a new array, for inspection)."""
        return np.repeat(np.arange(self.rowptr.size - 1, dtype=np.int32), np.diff(self.rowptr))


def _ranks(ranks: np.ndarray, bound: int | None, side: str) -> np.ndarray:
    array = np.ascontiguousarray(ranks, dtype=np.int64)
    if array.ndim != 1:
        raise NetworkError(f"{side}_ranks must be one-dimensional, got shape {array.shape}")
    limit = bound if bound is not None else 2**31 - 1
    if array.size and (array.min() < 0 or array.max() >= limit):
        raise NetworkError(f"{side}_ranks must lie in [0, {limit}), got values in "
                           f"[{array.min()}, {array.max()}]")
    return array


def _increasing(ranks: np.ndarray, strict: bool) -> bool:
    step = np.diff(ranks)
    return bool(np.all(step > 0) if strict else np.all(step >= 0))


def _sorted_int32(ranks: np.ndarray) -> np.ndarray:
    return (ranks if _increasing(ranks, strict=False) else np.sort(ranks)).astype(np.int32)


def _excluded(sorted_other: np.ndarray, ranks: np.ndarray, exclude_self: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per neuron, the block ``[low, high)`` of ``sorted_other`` holding its own rank."""
    if not exclude_self:
        zeros = np.zeros(ranks.size, np.int64)
        return zeros, zeros
    return (np.searchsorted(sorted_other, ranks, "left").astype(np.int64),
            np.searchsorted(sorted_other, ranks, "right").astype(np.int64))


def _check_number(number: int, available: np.ndarray, rule: rules.Rule, side: str, other: str) -> None:
    if number < 0:
        raise NetworkError(f"{type(rule).__name__}: number must be >= 0, got {number}")
    if available.size and number > available.min():
        where = int(np.argmin(available))
        raise NetworkError(
            f"{type(rule).__name__}: cannot choose {number} distinct {side}-synaptic neurons for "
            f"{other}-synaptic neuron {where} of the view: only {int(available[where])} available "
            "(self-connections are excluded unless allowed)")


def build_synapses(rule: rules.Rule, weights: Any, delays: Any, pre_ranks: np.ndarray, post_ranks: np.ndarray,
                   n_pre_population: int, exclude_self: bool, key: int, dt: float) -> Synapses:
    """Draw the synapses of a projection into CSR arrays, in compiled code.

    Parameters
    ----------
    rule : dasksnn.network.connectivity.Rule
        ``AllToAll``, ``OneToOne``, ``FixedProbability``, ``FixedNumberPre``,
        ``FixedNumberPost``, ``FromMatrix`` (``matrix[post, pre]``, or ``[pre, post]``
        with ``pre_post=True``; NaN or None: no synapse) or ``FromSparse``
        (``matrix[pre, post]``, a SciPy sparse matrix; stored entries are synapses,
        duplicates summed).
    weights : float, Distribution or numpy.ndarray
        Weight of every synapse, a distribution drawn per synapse, or (``OneToOne`` only)
        one value per pre neuron. Ignored for ``FromMatrix`` and ``FromSparse``.
    delays : float or Distribution
        Delay in ms, rounded to steps (``rint(d / dt)``); one number must be a multiple
        of ``dt``.
    pre_ranks, post_ranks : numpy.ndarray
        Global rank of each neuron of the pre and post views, in the views' order (any
        order, repeats allowed).
    n_pre_population : int
        Size of the pre-synaptic population: ``rowptr`` has ``n_pre_population + 1``
        values.
    exclude_self : bool
        Pre and post are views of one population and self-connections are not allowed:
        a pre neuron never connects to a post neuron of the same global rank.
    key : int
        Key of the projection's random streams (64 bits used): same key, same synapses,
        bit for bit, on any machine. Give each projection its own key.
    dt : float
        Time step in ms.

    Returns
    -------
    Synapses
        ``rowptr`` (int64), ``post`` (int32), ``w`` (float64), ``delay`` (int32 steps).

    Raises
    ------
    NetworkError
        Impossible requests (more distinct partners than available, a matrix of the wrong
        shape, a delay that is not a multiple of ``dt``) and values of the wrong kind.

    Notes
    -----
    Rows are keyed by the pre neuron's index in the view: row ``i`` is the same whether
    the view is ``P[0:100]`` or ``P[0:50]``. ``FixedNumberPre`` is keyed by the post
    neuron's index. A Distribution subclass this module does not know is drawn by NumPy
    (seeded with ``key``) in synapse order, not per row.

    Examples
    --------
    >>> import numpy as np
    >>> from dasksnn.model.random import Uniform
    >>> from dasksnn.network.connectivity import FixedProbability
    >>> ranks = np.arange(100)
    >>> syn = build_synapses(FixedProbability(0.1), Uniform(0.0, 1.0), 1.0, ranks, ranks, 100,
    ...                      exclude_self=True, key=7, dt=0.5)
    >>> syn.rowptr.size, syn.post.dtype.name, int(syn.delay[0])
    (101, 'int32', 2)
    """
    pre = _ranks(pre_ranks, n_pre_population, "pre")
    post = _ranks(post_ranks, None, "post")
    w_values = _weight_values(weights, rule, pre.size)
    d_values = _delay_values(delays, dt)
    kseed = _key_seed(key)
    if isinstance(rule, rules.FixedNumberPre):
        synapses = _build_fixed_number_pre(rule, pre, post, n_pre_population, exclude_self, kseed,
                                           w_values, d_values, dt)
    else:
        synapses = _build_rows(rule, pre, post, n_pre_population, exclude_self, kseed, w_values, d_values, dt)
    _draw_with_numpy(synapses, w_values, d_values, key, dt)
    return synapses


_HUGE_PAGES_FROM = 1 << 22  # NumPy asks Linux for transparent huge pages from 4 MiB on


def _block(capacity: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``post``, ``w`` and ``delay`` for up to ``capacity`` synapses, in one allocation.

    Page faults on fresh memory, not drawing, dominated the build of large projections
    (measured in ``benchmarks/connectivity.py``): NumPy asks Linux for transparent huge
    pages only for allocations of 4 MiB or more, which a 1M int32 array is not. One block
    for the three arrays, rounded up to 4 MiB from 1 MiB on (at most 3 MiB of address
    space, ~2 MiB of memory more), takes a few large pages instead of a thousand small ones.
    """
    size = 16 * capacity
    block = np.empty(max(size, _HUGE_PAGES_FROM) if 4 * size >= _HUGE_PAGES_FROM else size, np.uint8)
    return (block[8 * capacity:12 * capacity].view(np.int32), block[:8 * capacity].view(np.float64),
            block[12 * capacity:size].view(np.int32))


def _build_fixed_number_pre(rule: rules.FixedNumberPre, pre: np.ndarray, post: np.ndarray, n_population: int,
                            exclude_self: bool, kseed: np.uint64, w_values: _Values, d_values: _Values,
                            dt: float) -> Synapses:
    sorted_pre = _sorted_int32(pre)
    low, high = _excluded(sorted_pre, post, exclude_self)
    _check_number(rule.number, pre.size - (high - low), rule, "pre", "post")
    order = (np.arange(post.size) if _increasing(post, strict=False)
             else np.argsort(post, kind="stable")).astype(np.int64)
    k = int(rule.number)
    rows, rowptr = _fixed_number_pre_rows(sorted_pre, low, high, order, k, kseed, n_population)
    post_out, w, delay = _block(rows.size)
    _fixed_number_pre_fill(rows, rowptr, post.astype(np.int32), order, k, kseed, post_out, w, delay,
                           w_values.code, w_values.params, d_values.code, d_values.params, dt)
    return Synapses(rowptr, post_out, w, delay)


def _fixed_probability_rows(p: float, pre: np.ndarray, sorted_post: np.ndarray, low: np.ndarray,
                            high: np.ndarray, kseed: np.uint64) -> tuple[np.ndarray, Any, np.ndarray | None]:
    """Counts per row, and either the filled arrays or a buffer of rows to place.

    Rows in CSR order are drawn straight into views of a block sized for the mean count
    plus 8 standard deviations; that unused tail stays allocated with the arrays.
    """
    if not 0.0 <= p <= 1.0:
        raise NetworkError(f"FixedProbability: probability must be in [0, 1], got {p}")
    if p == 0.0:
        return np.zeros(pre.size, np.int64), _block(0), None
    mean = p * float(pre.size * sorted_post.size - (high - low).sum())
    capacity = int(mean + 8.0 * math.sqrt(mean) + 64)  # grown in the rare case it is short
    if _increasing(pre, strict=True):  # rows in CSR order: draw straight into the arrays
        arrays = _block(capacity)
        buf, counts = _fixed_probability(sorted_post, low, high, p, kseed, arrays[0])
        total = int(counts.sum())
        if buf.ctypes.data == arrays[0].ctypes.data:
            return counts, tuple(a[:total] for a in arrays), None
    else:
        buf, counts = _fixed_probability(sorted_post, low, high, p, kseed, np.empty(capacity, np.int32))
    return counts, None, buf


def _build_rows(rule: rules.Rule, pre: np.ndarray, post: np.ndarray, n_population: int, exclude_self: bool,
                kseed: np.uint64, w_values: _Values, d_values: _Values, dt: float) -> Synapses:
    """Every rule drawn row by row (all but ``FixedNumberPre``)."""
    n_pre, n_post = pre.size, post.size
    sorted_post = _sorted_int32(post)
    low, high = _excluded(sorted_post, pre, exclude_self)
    arrays = buf = given = None  # arrays: (post, w, delay) already holding the structure
    if isinstance(rule, rules.AllToAll) or (isinstance(rule, rules.FixedProbability) and rule.probability == 1.0):
        counts = n_post - (high - low)
    elif isinstance(rule, rules.FixedProbability):
        counts, arrays, buf = _fixed_probability_rows(float(rule.probability), pre, sorted_post, low, high, kseed)
    elif isinstance(rule, rules.FixedNumberPost):
        _check_number(rule.number, n_post - (high - low), rule, "post", "pre")
        counts = np.full(n_pre, int(rule.number), np.int64)
    elif isinstance(rule, rules.OneToOne):
        if n_pre != n_post:
            raise NetworkError(f"OneToOne needs pre and post of the same size, got {n_pre} and {n_post}")
        counts = (~(exclude_self & (pre == post))).astype(np.int64)
    elif isinstance(rule, rules.FromMatrix):
        given = np.asarray(rule.matrix, dtype=np.float64)
        given = given if rule.pre_post else given.T
        _check_shape(given.shape, n_pre, n_post, "FromMatrix")
        counts = _dense_counts(given, pre, post, exclude_self)
    elif isinstance(rule, rules.FromSparse):
        given = rule.matrix.tocsr(copy=True)
        given.sum_duplicates()  # and sorts each row by post index
        _check_shape(given.shape, n_pre, n_post, "FromSparse")
        counts = _sparse_counts(given.indptr, given.indices, pre, post, exclude_self)
    else:
        raise NetworkError(f"no compiled builder for the connectivity rule {type(rule).__name__}")

    counts = np.ascontiguousarray(counts, dtype=np.int64)
    rowptr, starts = _layout(pre, counts, n_population)
    if arrays is None:
        arrays = _block(int(rowptr[-1]))
        _structure(rule, arrays, starts, counts, buf, sorted_post, low, high, pre, post, given, exclude_self,
                   kseed)
    post_out, w, delay = arrays
    _fill_rows(w, delay, starts, counts, kseed, w_values.code, w_values.params, w_values.array,
               d_values.code, d_values.params, dt)
    if not _increasing(pre, strict=True) and not _increasing(np.sort(pre), strict=True):
        # a rank twice in the pre view: its rows follow each other, merge them
        repeated = np.flatnonzero(np.bincount(pre, minlength=n_population) > 1)
        _sort_segments(rowptr[repeated], rowptr[repeated + 1] - rowptr[repeated], post_out, w, delay)
    return Synapses(rowptr, post_out, w, delay)


def _structure(rule: rules.Rule, arrays: tuple[np.ndarray, np.ndarray, np.ndarray], starts: np.ndarray,
               counts: np.ndarray, buf: np.ndarray | None, sorted_post: np.ndarray, low: np.ndarray,
               high: np.ndarray, pre: np.ndarray, post: np.ndarray, given: Any, exclude_self: bool,
               kseed: np.uint64) -> None:
    """Write the post ranks of every row (and the weights matrices carry) at ``starts``."""
    post_out, w, delay = arrays
    if buf is not None:
        _place_rows(buf, counts, starts, post_out)
    elif isinstance(rule, rules.AllToAll | rules.FixedProbability):
        _all_to_all(post_out, starts, counts, sorted_post, low, high)
    elif isinstance(rule, rules.FixedNumberPost):
        _fixed_number_post(post_out, starts, sorted_post, low, high, int(rule.number), kseed)
    elif isinstance(rule, rules.OneToOne):
        _one_to_one(post_out, starts, counts, post.astype(np.int32))
    elif isinstance(rule, rules.FromMatrix):
        order = np.argsort(post, kind="stable").astype(np.int64)
        _dense_fill(post_out, w, starts, given, pre, post, order, exclude_self)
    else:
        _sparse_fill(post_out, w, starts, given.indptr, given.indices, np.asarray(given.data, np.float64),
                     pre, post, exclude_self)
        if not _increasing(post, strict=False):
            _sort_segments(starts, counts, post_out, w, delay)


def _check_shape(shape: tuple[int, ...], n_pre: int, n_post: int, what: str) -> None:
    if tuple(shape) != (n_pre, n_post):
        raise NetworkError(f"{what}: the matrix describes {shape[0]} pre x {shape[1]} post neurons, but "
                           f"the projection has {n_pre} x {n_post}")


def _draw_with_numpy(synapses: Synapses, w_values: _Values, d_values: _Values, key: int, dt: float) -> None:
    """Distributions this module does not compile: NumPy draws them, in synapse order."""
    for sub, values in ((_ROW_WEIGHT, w_values), (_ROW_DELAY, d_values)):
        if values.code != _NUMPY:
            continue
        rng = np.random.default_rng([int(key) & 0xFFFFFFFFFFFFFFFF, sub])
        drawn = values.distribution.draw(rng, synapses.size)
        if sub == _ROW_WEIGHT:
            synapses.w[:] = drawn
        else:
            synapses.delay[:] = np.rint(drawn / dt).astype(np.int32)
