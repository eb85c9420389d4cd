"""Weights and delays drawn from distributions in compiled code, from counter-based streams.

Every distribution of :mod:`dasksnn.model.random` has a code; ``_fill_values`` draws a
row's values from its own stream (see :mod:`dasksnn.engine.streams`), so values do not
depend on the other rows. Distribution subclasses unknown here are drawn by NumPy.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numba
import numpy as np

from dasksnn.engine.streams import _below, _exp, _log, _uniform, _uniform_pos
from dasksnn.errors import NetworkError
from dasksnn.model import random as dists
from dasksnn.network import connectivity as rules

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")  # no ZeroDivisionError checks: loops vectorise
_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")


# ---------------------------------------------------------------- distributions
_CONSTANT, _UNIFORM, _DISCRETE_UNIFORM, _NORMAL, _LOGNORMAL, _EXPONENTIAL, _GAMMA, _BINOMIAL = range(8)
_ARRAY = 8  # one value per pre neuron (one-to-one weights)
_GIVEN = 9  # weights the rule carries (matrices), already in place
_NUMPY = 10  # a Distribution subclass this module does not know: drawn by NumPy afterwards

_CODES = {dists.Uniform: _UNIFORM, dists.DiscreteUniform: _DISCRETE_UNIFORM, dists.Normal: _NORMAL,
          dists.LogNormal: _LOGNORMAL, dists.Exponential: _EXPONENTIAL, dists.Gamma: _GAMMA,
          dists.Binomial: _BINOMIAL}

# Stirling-series tail log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi)/2], k = 0..9 (BTRS)
_STIRLING_TAIL = np.array([0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
                           0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
                           0.00925546218271273, 0.00833056343336287])


@_inline
def _clip(v, low, high):
    # np.clip's order: maximum first, then minimum (so low > high gives high)
    return min(max(v, low), high)


_TWO_PI = 6.28318530717958647693
_SIN1, _SIN2, _SIN3 = -1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04
_SIN4, _SIN5, _SIN6 = 2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10
_COS1, _COS2, _COS3 = 4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05
_COS4, _COS5, _COS6 = -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11


@_inline
def _cos_sin_turns(u):
    """``cos(2 pi u)`` and ``sin(2 pi u)`` for ``0 <= u < 1``, branch free.

    ``u`` is reduced exactly to ``[-1/8, 1/8]`` turns around a quarter; musl's kernels
    ``__cos`` and ``__sin`` (< 1 ulp on ``[-pi/4, pi/4]``) do the rest.
    """
    n = np.floor(4.0 * u + 0.5)
    x = (u - 0.25 * n) * _TWO_PI  # u - n/4 is exact (Sterbenz)
    z = x * x
    w = z * z
    r = _SIN2 + z * (_SIN3 + z * _SIN4) + z * w * (_SIN5 + z * _SIN6)
    sin = x + z * x * (_SIN1 + z * r)
    r = z * (_COS1 + z * (_COS2 + z * _COS3)) + w * w * (_COS4 + z * (_COS5 + z * _COS6))
    hz = 0.5 * z
    v = 1.0 - hz
    cos = v + (((1.0 - v) - hz) + z * r)
    q = np.int64(n) & 3  # rotate by q quarters, in selects (no branch: the loop vectorises)
    swap = (q & 1) == 1
    c = sin if swap else cos
    s = cos if swap else sin
    c = -c if (q == 1 or q == 2) else c
    s = -s if q >= 2 else s
    return c, s


@_inline
def _box_muller(seed, t, j):
    """Two independent standard normals from uniforms ``(t, j)`` and ``(t, j + 1)``."""
    radius = math.sqrt(-2.0 * _log(_uniform_pos(seed, t, j)))
    c, s = _cos_sin_turns(_uniform(seed, t, j + 1))
    return radius * c, radius * s


@_jit
def _standard_gamma(seed, t, alpha):
    """Gamma(alpha, 1) variate, draw ``t`` (Marsaglia and Tsang 2000)."""
    shape = alpha + 1.0 if alpha < 1.0 else alpha  # alpha < 1: Gamma(alpha + 1) * U**(1/alpha)
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    j = 0
    while True:
        x = _box_muller(seed, t, j)[0]
        j += 2
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = _uniform_pos(seed, t, j)
        j += 1
        xx = x * x
        if u < 1.0 - 0.0331 * xx * xx or _log(u) < 0.5 * xx + d * (1.0 - v + _log(v)):
            break
    g = d * v
    if alpha < 1.0:
        g *= _exp(_log(_uniform_pos(seed, t, j)) / alpha)
    return g


@_inline
def _stirling_tail(k):
    if k <= 9.0:
        return _STIRLING_TAIL[int(k)]
    kp1sq = (k + 1.0) * (k + 1.0)
    return (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / kp1sq) / kp1sq) / (k + 1.0)


@_jit
def _binomial(seed, t, n, p):
    """Binomial(n, p) variate, draw ``t``: inversion if the mean is < 10, else BTRS."""
    if n == 0.0 or p == 0.0:
        return 0.0
    if p == 1.0:
        return n
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    q = 1.0 - pp
    mean = n * pp
    j = 0
    if mean < 10.0:  # inversion, as NumPy's legacy generator
        qn = _exp(n * _log(q))
        bound = min(n, mean + 10.0 * math.sqrt(mean * q + 1.0))
        x = 0.0
        px = qn
        u = _uniform(seed, t, j)
        j += 1
        while u > px:
            x += 1.0
            if x > bound:
                x, px = 0.0, qn
                u = _uniform(seed, t, j)
                j += 1
            else:
                u -= px
                px = ((n - x + 1.0) * pp * px) / (x * q)
    else:  # Hormann (1993) transformed rejection with squeeze, as TensorFlow's
        stddev = math.sqrt(mean * q)
        b = 1.15 + 2.53 * stddev
        a = -0.0873 + 0.0248 * b + 0.01 * pp
        c = mean + 0.5
        v_r = 0.92 - 4.2 / b
        r = pp / q
        alpha = (2.83 + 5.1 / b) * stddev
        m = np.floor((n + 1.0) * pp)
        while True:
            u = _uniform(seed, t, j) - 0.5
            v = _uniform_pos(seed, t, j + 1)
            j += 2
            us = 0.5 - abs(u)
            if us == 0.0:
                continue
            x = np.floor((2.0 * a / us + b) * u + c)
            if us >= 0.07 and v <= v_r:
                break
            if x < 0.0 or x > n:
                continue
            lv = _log(v * alpha / (a / (us * us) + b))
            upper = ((m + 0.5) * _log((m + 1.0) / (r * (n - m + 1.0)))
                     + (n + 1.0) * _log((n - m + 1.0) / (n - x + 1.0))
                     + (x + 0.5) * _log(r * (n - x + 1.0) / (x + 1.0))
                     + _stirling_tail(m) + _stirling_tail(n - m) - _stirling_tail(x) - _stirling_tail(n - x))
            if lv <= upper:
                break
    return n - x if flip else x


@_jit
def _fill_values(out, start, count, seed, code, p):
    """``out[start:start + count]`` = draws ``0 .. count-1`` of stream ``seed``.

    ``p`` holds the parameters ``(a, b, low, high)``; ``low``/``high`` clip as
    ``Distribution.draw`` does (infinite when the distribution has no bound).
    """
    a, b, low, high = p[0], p[1], p[2], p[3]  # locals: stores to out cannot change them
    o = out[start:start + count]  # indices from range() are known >= 0: no wraparound test, loops vectorise
    if code == _CONSTANT:
        o[:] = a
    elif code == _UNIFORM:
        width = b - a
        for t in range(count):
            o[t] = _clip(a + width * _uniform(seed, t, 0), low, high)
    elif code == _DISCRETE_UNIFORM:
        n = b - a + 1.0
        for t in range(count):
            if n <= 4294967296.0:
                k = np.float64(_below(seed, t, np.int64(n)))
            else:  # beyond 2**32 values: 53-bit resolution
                k = min(np.floor(_uniform(seed, t, 0) * n), n - 1.0)
            o[t] = _clip(a + k, low, high)
    elif code == _NORMAL:  # draw m gives values 2m and 2m + 1
        for m in range(count // 2):
            z1, z2 = _box_muller(seed, m, 0)
            o[2 * m] = _clip(a + b * z1, low, high)
            o[2 * m + 1] = _clip(a + b * z2, low, high)
        if count % 2:
            o[count - 1] = _clip(a + b * _box_muller(seed, count // 2, 0)[0], low, high)
    elif code == _LOGNORMAL:
        for m in range(count // 2):
            z1, z2 = _box_muller(seed, m, 0)
            o[2 * m] = _clip(_exp(a + b * z1), low, high)
            o[2 * m + 1] = _clip(_exp(a + b * z2), low, high)
        if count % 2:
            o[count - 1] = _clip(_exp(a + b * _box_muller(seed, count // 2, 0)[0]), low, high)
    elif code == _EXPONENTIAL:
        for t in range(count):
            o[t] = _clip(-_log(_uniform_pos(seed, t, 0)) * a, low, high)
    elif code == _GAMMA:
        for t in range(count):
            o[t] = _clip(_standard_gamma(seed, t, a) * b, low, high)
    elif code == _BINOMIAL:
        for t in range(count):
            o[t] = _clip(_binomial(seed, t, a, b), low, high)


@_jit
def _fill_steps(out, start, count, seed, code, p, dt, scratch):
    """Delays in steps, ``rint(value / dt)``, drawn like :func:`_fill_values`."""
    if code == _CONSTANT:
        out[start:start + count] = np.int32(p[0])
        return
    _fill_values(scratch, 0, count, seed, code, p)
    o = out[start:start + count]
    for t in range(count):
        o[t] = np.int32(np.rint(scratch[t] / dt))


# ---------------------------------------------------------------- Python side
_NO_PARAMS = np.zeros(4)
_NO_ARRAY = np.zeros(0)


class _Values(NamedTuple):
    """How weights or delays are drawn: a code of the compiled switch and its parameters."""

    code: int
    params: np.ndarray = _NO_PARAMS
    array: np.ndarray = _NO_ARRAY
    distribution: dists.Distribution | None = None  # for _NUMPY


def _encode(dist: dists.Distribution) -> _Values:
    code = _CODES.get(type(dist))
    if code is None:
        return _Values(_NUMPY, distribution=dist)
    low, high = getattr(dist, "min", None), getattr(dist, "max", None)
    if code in (_UNIFORM, _DISCRETE_UNIFORM):
        a, b = dist.min, dist.max
    elif code in (_NORMAL, _LOGNORMAL):
        a, b = dist.mu, dist.sigma
    elif code == _EXPONENTIAL:
        a, b = 1.0 / dist.Lambda, 0.0
    elif code == _GAMMA:
        a, b = dist.alpha, dist.beta
    else:
        a, b = dist.n, dist.p
    bounds = (-math.inf if low is None else low, math.inf if high is None else high)
    return _Values(code, np.array([a, b, *bounds], dtype=np.float64))


def _weight_values(weights: Any, rule: rules.Rule, n_pre: int) -> _Values:
    if isinstance(rule, rules.FromMatrix | rules.FromSparse):
        return _Values(_GIVEN)
    if isinstance(weights, dists.Distribution):
        return _encode(weights)
    if isinstance(weights, bool | str | bytes) or weights is None:
        raise NetworkError(f"weights must be a number or a distribution, got {weights!r}")
    array = np.asarray(weights, dtype=np.float64)
    if array.ndim == 0:
        return _Values(_CONSTANT, np.array([float(array), 0.0, -math.inf, math.inf]))
    if not isinstance(rule, rules.OneToOne) or array.shape != (n_pre,):
        expected = (f"a number, a distribution or {n_pre} values (one per pre-synaptic neuron)"
                    if isinstance(rule, rules.OneToOne) else "a number or a distribution")
        raise NetworkError(f"weights of {type(rule).__name__} must be {expected}, got an array of "
                           f"shape {array.shape}")
    return _Values(_ARRAY, array=np.ascontiguousarray(array))


def _delay_values(delays: Any, dt: float) -> _Values:
    if isinstance(delays, dists.Distribution):
        low = delays.bounds()[0]
        if not low >= 0.0:
            raise NetworkError(f"delays must be >= 0 ms, but {delays!r} can draw values down to {low}; "
                               "give it a min")
        return _encode(delays)
    if isinstance(delays, bool | str | bytes) or delays is None or not np.isscalar(delays):
        raise NetworkError(f"delays must be a number or a distribution, got {delays!r}")
    value = float(delays)
    step = round(value / dt)
    if not value >= 0.0:
        raise NetworkError(f"delay {value} ms must be >= 0")
    if abs(step * dt - value) > 1e-6 * dt:
        raise NetworkError(f"delay {value} ms is not a multiple of dt = {dt} ms")
    return _Values(_CONSTANT, np.array([float(step), 0.0, -math.inf, math.inf]))
