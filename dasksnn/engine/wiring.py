"""Connectivity rules in compiled code: each writes the synapses of its rows into CSR arrays.

Rows are independent: a row draws from its own stream (:mod:`dasksnn.engine.streams`),
so a threaded, batched or GPU build gives the same synapses. Called by
:func:`dasksnn.engine.connectivity.build_synapses`.
"""

from __future__ import annotations

import numba
import numpy as np

from dasksnn.engine.draws import _ARRAY, _CONSTANT, _GIVEN, _NUMPY, _fill_steps, _fill_values
from dasksnn.engine.streams import (
    _COLUMN_DELAY,
    _COLUMN_STRUCTURE,
    _COLUMN_WEIGHT,
    _ONE,
    _ROW_DELAY,
    _ROW_STRUCTURE,
    _ROW_WEIGHT,
    _U64,
    _as_bits,
    _below,
    _log,
    _stream,
    _uniform_pos,
)

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")  # no ZeroDivisionError checks: loops vectorise
_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")


# ---------------------------------------------------------------- choosing k of n
_EXPONENT_SHIFT = _U64(52)


@_inline
def _bit_index(bit):
    """Position of the one set bit of ``bit``: the exponent of its exact conversion to double."""
    return np.int64(_as_bits(np.float64(bit)) >> _EXPONENT_SHIFT) - 1023


@_jit
def _choose(words, n, k, seed, out):
    """``k`` distinct integers of ``[0, n)``, increasing, into ``out[:k]`` (Floyd's algorithm).

    ``words`` is a zeroed bitset of at least ``n`` bits (uint64), zeroed again on return.
    For ``k > n / 2`` the ``n - k`` left out are chosen instead. The chosen set is read off
    the bitset in order when that costs less than sorting it (``n / 64 <= 8 k`` words).
    """
    if k == 0:
        return
    dense = 2 * k > n
    m = n - k if dense else k
    for t in range(m):
        jj = n - m + t
        r = _below(seed, t, jj + 1)
        if (words[r >> 6] >> _U64(r & 63)) & _ONE:
            r = jj
        words[r >> 6] |= _ONE << _U64(r & 63)
        if not dense:
            out[t] = r
    n_words = (n + 63) >> 6
    if dense or n_words <= 8 * k:
        c = 0
        for q in range(n_words):
            w = words[q]
            words[q] = 0
            if dense:
                w = ~w
                if q == n_words - 1 and n & 63:
                    w &= (_ONE << _U64(n & 63)) - _ONE
            while w:
                low = w & (~w + _ONE)
                out[c] = (q << 6) + _bit_index(low)
                c += 1
                w ^= low
    else:
        out[:k].sort()
        for t in range(k):
            words[out[t] >> 6] = 0


# ---------------------------------------------------------------- row-wise rules
@_jit
def _layout(pre_ranks, counts, n_population):
    """CSR row pointers over the population and the first synapse of each local row."""
    rowptr = np.zeros(n_population + 1, np.int64)
    for i in range(pre_ranks.size):
        rowptr[pre_ranks[i] + 1] += counts[i]
    for r in range(n_population):
        rowptr[r + 1] += rowptr[r]
    cursor = rowptr[:-1].copy()
    starts = np.empty(pre_ranks.size, np.int64)
    for i in range(pre_ranks.size):  # a rank twice in the view: its rows follow each other
        starts[i] = cursor[pre_ranks[i]]
        cursor[pre_ranks[i]] += counts[i]
    return rowptr, starts


@_jit
def _all_to_all(post, starts, counts, sorted_post, low, high):
    for i in range(starts.size):
        s0, lo, hi = starts[i], low[i], high[i]
        post[s0:s0 + lo] = sorted_post[:lo]
        post[s0 + lo:s0 + counts[i]] = sorted_post[hi:]


@_jit
def _one_to_one(post, starts, counts, post_ranks):
    for i in range(starts.size):
        if counts[i]:
            post[starts[i]] = post_ranks[i]


_GAP_CHUNK = 32  # gaps drawn at once in a loop that vectorises; at most 31 unused per row
_FAR = 1 << 62  # a gap past any row


@_jit
def _fixed_probability(sorted_post, low, high, probability, kseed, buf):
    """Skip sampling per row: geometric gaps between successes, O(synapses).

    Writes the global post ranks of all rows one after the other into ``buf`` (or into a
    larger copy when it is full) and returns that buffer and the count of each row.
    """
    n_post = sorted_post.size
    u = 1.0 - probability  # log1p(-p) from _log (Goldberg's trick): exact where 1 - p rounds
    inv_log_q = 1.0 / (-probability if u == 1.0 else _log(u) * (-probability) / (u - 1.0))
    counts = np.zeros(low.size, np.int64)
    gaps = np.empty(_GAP_CHUNK, np.int64)
    n = 0
    for i in range(low.size):
        seed = _stream(kseed, i, _ROW_STRUCTURE)
        lo, shift = low[i], high[i] - low[i]
        last = n_post - shift - 1  # last position of the row
        pos = -1
        t = 0
        begin = n
        while pos < last:
            for c in range(_GAP_CHUNK):  # failures before the next success: floor(log(u) / log(1 - p))
                g = np.floor(_log(_uniform_pos(seed, t + c, 0)) * inv_log_q)
                gaps[c] = np.int64(g) if g < _FAR else _FAR  # NaN (p below 1e-308) ends the row too
            t += _GAP_CHUNK
            if n + _GAP_CHUNK > buf.size:
                grown = np.empty(2 * buf.size + _GAP_CHUNK, np.int32)
                grown[:n] = buf[:n]
                buf = grown
            for c in range(_GAP_CHUNK):
                pos += gaps[c] + 1
                if pos > last:
                    break
                buf[n] = sorted_post[pos + shift if pos >= lo else pos]
                n += 1
        counts[i] = n - begin
    return buf, counts


@_jit
def _place_rows(buf, counts, starts, post):
    """Copy rows stored one after the other in ``buf`` to their CSR places."""
    src = 0
    for i in range(counts.size):
        post[starts[i]:starts[i] + counts[i]] = buf[src:src + counts[i]]
        src += counts[i]


@_jit
def _fixed_number_post(post, starts, sorted_post, low, high, k, kseed):
    words = np.zeros((sorted_post.size + 63) >> 6, np.uint64)
    for i in range(starts.size):
        lo, shift = low[i], high[i] - low[i]
        out = post[starts[i]:starts[i] + k]
        _choose(words, sorted_post.size - shift, k, _stream(kseed, i, _ROW_STRUCTURE), out)
        for q in range(k):
            s = out[q]
            out[q] = sorted_post[s + shift if s >= lo else s]


@_jit
def _dense_counts(matrix, pre_ranks, post_ranks, exclude_self):
    counts = np.zeros(matrix.shape[0], np.int64)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            if not np.isnan(matrix[i, j]) and not (exclude_self and pre_ranks[i] == post_ranks[j]):
                counts[i] += 1
    return counts


@_jit
def _dense_fill(post, w, starts, matrix, pre_ranks, post_ranks, column_order, exclude_self):
    for i in range(matrix.shape[0]):
        pos = starts[i]
        for j in column_order:  # columns by increasing global post rank: rows come out sorted
            v = matrix[i, j]
            if not np.isnan(v) and not (exclude_self and pre_ranks[i] == post_ranks[j]):
                post[pos] = post_ranks[j]
                w[pos] = v
                pos += 1


@_jit
def _sparse_counts(indptr, indices, pre_ranks, post_ranks, exclude_self):
    counts = np.zeros(indptr.size - 1, np.int64)
    for i in range(indptr.size - 1):
        for q in range(indptr[i], indptr[i + 1]):
            if not (exclude_self and pre_ranks[i] == post_ranks[indices[q]]):
                counts[i] += 1
    return counts


@_jit
def _sparse_fill(post, w, starts, indptr, indices, data, pre_ranks, post_ranks, exclude_self):
    for i in range(indptr.size - 1):
        pos = starts[i]
        for q in range(indptr[i], indptr[i + 1]):
            j = indices[q]
            if not (exclude_self and pre_ranks[i] == post_ranks[j]):
                post[pos] = post_ranks[j]
                w[pos] = data[q]
                pos += 1


@_jit
def _sort_segments(starts, counts, post, w, delay):
    """Sort each segment by post rank, carrying weights and delays (stable)."""
    for i in range(starts.size):
        s0, c = starts[i], counts[i]
        if c < 2:
            continue
        order = np.argsort(post[s0:s0 + c], kind="mergesort")
        post[s0:s0 + c] = post[s0:s0 + c][order]
        w[s0:s0 + c] = w[s0:s0 + c][order]
        delay[s0:s0 + c] = delay[s0:s0 + c][order]


@_jit
def _fill_rows(w, delay, starts, counts, kseed, w_code, w_params, w_array, d_code, d_params, dt):
    """Weights and delays of every local row, from the row's own streams."""
    longest = counts.max() if counts.size else 0
    scratch = np.empty(longest if d_code != _CONSTANT else 0)
    for i in range(starts.size):
        s0, c = starts[i], counts[i]
        if c == 0:
            continue
        if w_code == _ARRAY:
            w[s0:s0 + c] = w_array[i]
        elif w_code != _GIVEN and w_code != _NUMPY:
            _fill_values(w, s0, c, _stream(kseed, i, _ROW_WEIGHT), w_code, w_params)
        if d_code != _NUMPY:
            _fill_steps(delay, s0, c, _stream(kseed, i, _ROW_DELAY), d_code, d_params, dt, scratch)


# ---------------------------------------------------------------- column-wise rule
@_jit
def _fixed_number_pre_rows(sorted_pre, low, high, column_order, k, kseed, n_population):
    """``k`` pre neurons per post column: their global ranks, column after column, and the
    CSR row pointers they give."""
    n_cols = column_order.size
    rows = np.empty(n_cols * k, np.int32)
    rowptr = np.zeros(n_population + 1, np.int64)
    words = np.zeros((sorted_pre.size + 63) >> 6, np.uint64)
    chosen = np.empty(k, np.int64)
    for q in range(n_cols):
        c = column_order[q]
        lo, shift = low[c], high[c] - low[c]
        _choose(words, sorted_pre.size - shift, k, _stream(kseed, c, _COLUMN_STRUCTURE), chosen)
        for x in range(k):
            s = chosen[x]
            r = sorted_pre[s + shift if s >= lo else s]
            rows[q * k + x] = r
            rowptr[r + 1] += 1
    for r in range(n_population):
        rowptr[r + 1] += rowptr[r]
    return rows, rowptr


@_jit
def _fixed_number_pre_fill(rows, rowptr, post_ranks, column_order, k, kseed, post, w, delay,
                           w_code, w_params, d_code, d_params, dt):
    """Scatter the columns into CSR rows (a counting sort), with weights and delays drawn
    from each column's streams. Columns come by increasing global post rank, so rows come
    out sorted."""
    cursor = rowptr[:-1].copy()
    w_column = np.empty(k, np.float64)
    d_column = np.empty(k, np.int32)
    scratch = np.empty(k, np.float64)
    for q in range(column_order.size):
        c = column_order[q]
        if w_code != _NUMPY:
            _fill_values(w_column, 0, k, _stream(kseed, c, _COLUMN_WEIGHT), w_code, w_params)
        if d_code != _NUMPY:
            _fill_steps(d_column, 0, k, _stream(kseed, c, _COLUMN_DELAY), d_code, d_params, dt, scratch)
        for x in range(k):
            r = rows[q * k + x]
            pos = cursor[r]
            cursor[r] = pos + 1
            post[pos] = post_ranks[c]
            w[pos] = w_column[x]
            delay[pos] = d_column[x]
