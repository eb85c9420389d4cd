"""Counter-based random streams for compiled code, and deterministic log and exp.

Randomness: a counter-based stream
----------------------------------
A random number is a pure function of ``(key, stream, index, counter)``: ``stream`` names
what is drawn (structure, weights, delays), ``index`` is the pre-synaptic row (local index
of the pre view; the post column for ``FixedNumberPre``), ``counter`` the draw within it.
A row's synapses therefore do not depend on the order rows are built in, nor on the other
rows: a multi-threaded, batched or GPU build gives the same synapses for the same key.

The function is SplitMix64's output mix (Stafford's Mix13) of a Weyl sequence,
``mix(seed + counter * golden)``, with ``seed = mix(mix(key ^ salt) ^ (index * 8 + stream))``.
Each (index, stream) is thus a SplitMix64 stream (which passes BigCrush) starting at a
pseudo-random point of the 2**64 cycle; two streams overlap only if their seeds fall
within a row's length of each other on that cycle (odds ~ length / 2**64). Only 64-bit
integer adds, multiplies, shifts and xors: it ports to CUDA as it is. Philox4x32-10
(Random123, what cuRAND uses) was measured beside it (``benchmarks/connectivity.py``, one
core): 1M uniform doubles take 0.30 ms with SplitMix, 0.87 ms with Philox (its ten rounds
unrolled, both 64-bit halves of each call used; ~5.6 ms with the rounds in a loop), so a
1M-synapse all-to-all projection with Uniform weights builds in ~1 ms rather than ~1.6 ms.
NumPy's own ``Philox`` BitGenerator cannot serve: keying it per row means one Python
generator object per row (a Python loop over rows), its ``Generator`` methods cannot be
called from compiled code, and NumPy does not promise the same variates across its
versions for ``normal``, ``gamma`` or ``binomial``.

Draws are bit-identical on any machine: uniforms take the top 53 bits, and every
transcendental function is computed here from IEEE additions, multiplications, divisions
and square roots (log, exp, sine and cosine are musl's algorithms, < 1 ulp), never from
the platform's libm or a vectorised math library (Numba uses Intel SVML where it is
installed). Numba does not contract ``a * b + c`` into FMAs; a CUDA port must compile
with FMA contraction off. Being plain arithmetic, these loops also vectorise (a log costs
~1 ns instead of libm's ~4.5 ns). Normal variates use Box-Muller, exponential ones
inversion, gamma Marsaglia-Tsang, binomial inversion (mean < 10) or Hormann's BTRS.

Draw ``t`` of a stream may use several counters (rejection): counter ``t + (j << 32)``
is its ``j``-th uniform, so that every value is a function of its own index only.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")  # no ZeroDivisionError checks: loops vectorise
_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")


# ---------------------------------------------------------------- counter-based stream
_U64 = np.uint64
_GOLDEN = _U64(0x9E3779B97F4A7C15)
_MIX1 = _U64(0xBF58476D1CE4E5B9)
_MIX2 = _U64(0x94D049BB133111EB)
_KEY_SALT = _U64(0x6A09E667F3BCC909)  # so that key 0 is no special seed
_MASK32 = _U64(0xFFFFFFFF)
_TWO32 = _U64(1 << 32)
_STREAMS = _U64(8)
_S11, _S20, _S27, _S30, _S31, _S32, _S52 = (_U64(s) for s in (11, 20, 27, 30, 31, 32, 52))
_ONE = _U64(1)
_TWO_M53 = 2.0**-53

# what a stream draws; index * _STREAMS + sub names it within a projection
_ROW_STRUCTURE, _ROW_WEIGHT, _ROW_DELAY, _COLUMN_STRUCTURE, _COLUMN_WEIGHT, _COLUMN_DELAY = range(6)


@_inline
def _mix(z):
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


def _key_seed(key: int) -> np.uint64:
    """Seed of a projection's streams: ``_mix(key ^ salt)``, in Python integers."""
    mask = (1 << 64) - 1
    z = (int(key) ^ int(_KEY_SALT)) & mask
    z = ((z ^ (z >> 30)) * int(_MIX1)) & mask
    z = ((z ^ (z >> 27)) * int(_MIX2)) & mask
    return _U64(z ^ (z >> 31))


@_inline
def _stream(kseed, index, sub):
    """Seed of sub-stream ``sub`` of row (or column) ``index``."""
    return _mix(kseed ^ (_U64(index) * _STREAMS + _U64(sub)))


@_inline
def _bits(seed, t, j):
    """64 random bits: the ``j``-th of draw ``t`` (``t, j < 2**32``)."""
    return _mix(seed + (_U64(t) + (_U64(j) << _S32)) * _GOLDEN)


@_inline
def _uniform(seed, t, j):
    """Uniform double in [0, 1) from 53 bits."""
    return np.float64(_bits(seed, t, j) >> _S11) * _TWO_M53


@_inline
def _uniform_pos(seed, t, j):
    """Uniform double in (0, 1], for logarithms."""
    return np.float64((_bits(seed, t, j) >> _S11) + _ONE) * _TWO_M53


@_jit
def _below(seed, t, n):
    """Uniform integer in ``[0, n)``, ``1 <= n <= 2**32``, exactly (Lemire's method)."""
    n64 = _U64(n)
    j = 0
    while True:
        m = (_bits(seed, t, j) >> _S32) * n64
        low = m & _MASK32
        if low >= n64 or low >= (_TWO32 - n64) % n64:
            return np.int64(m >> _S32)
        j += 1


# ---------------------------------------------------------------- deterministic log, exp
def _f64(bits: int) -> float:
    return float(np.array(bits, dtype=np.uint64).view(np.float64))


@intrinsic
def _as_bits(typingctx, x):
    if x != types.float64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.uint64(types.float64), codegen


@intrinsic
def _from_bits(typingctx, i):
    if i != types.uint64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.uint64), codegen


_LN2_HI, _LN2_LO = _f64(0x3FE62E42FEE00000), _f64(0x3DEA39EF35793C76)
_LG1, _LG2, _LG3, _LG4 = (_f64(b) for b in (0x3FE5555555555593, 0x3FD999999997FA04, 0x3FD2492494229359,
                                            0x3FCC71C51D8E78AF))
_LG5, _LG6, _LG7 = (_f64(b) for b in (0x3FC7466496CB03DE, 0x3FC39A09D078C69F, 0x3FC2F112DF3E5244))
_LOG_SHIFT = _U64(0x3FF00000 - 0x3FE6A09E)
_LOG_BASE = _U64(0x3FE6A09E)
_MANT20 = _U64(0x000FFFFF)


@_inline
def _log(x):
    """Natural logarithm of a finite normal ``x > 0`` (musl's ``log``, < 1 ulp), branch free."""
    ix = _as_bits(x)
    hx = (ix >> _S32) + _LOG_SHIFT  # reduce x to 2**k * (1 + f), sqrt(2)/2 < 1 + f < sqrt(2)
    k = np.float64(np.int64(hx >> _S20) - 1023)
    hx = (hx & _MANT20) + _LOG_BASE
    f = _from_bits((hx << _S32) | (ix & _MASK32)) - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    r = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7))) + w * (_LG2 + w * (_LG4 + w * _LG6))
    return s * (hfsq + r) + k * _LN2_LO - hfsq + f + k * _LN2_HI


_INV_LN2 = _f64(0x3FF71547652B82FE)
_P1, _P2, _P3, _P4, _P5 = (_f64(b) for b in (0x3FC555555555553E, 0xBF66C16C16BEBD93, 0x3F11566AAF25DE2C,
                                             0xBEBBBD41C5D26BF1, 0x3E66376972BEA4D0))
_EXP_MAX, _EXP_MIN = 709.782712893383973096, -745.13321910194110842
_TWO_P1023, _TWO_M969 = 2.0**1023, 2.0**-969  # 2**-969 = 2**-1022 * 2**53
_EXP_BIAS = 1023


@_jit
def _scalbn(y, n):
    """``y * 2**n`` with one rounding (musl's ``scalbn``)."""
    if n > 1023:
        y *= _TWO_P1023
        n -= 1023
        if n > 1023:
            y *= _TWO_P1023
            n = min(n - 1023, 1023)
    elif n < -1022:
        y *= _TWO_M969
        n += 1022 - 53
        if n < -1022:
            y *= _TWO_M969
            n = max(n + 1022 - 53, -1022)
    return y * _from_bits(_U64(_EXP_BIAS + n) << _S52)


@_jit
def _exp(x):
    """``e**x`` (musl's ``exp``, < 1 ulp)."""
    if x != x:
        return x
    if x > _EXP_MAX:
        return math.inf
    if x < _EXP_MIN:
        return 0.0
    ax = abs(x)
    if ax > 0.5 * _LN2_HI:
        k = int(_INV_LN2 * x + (0.5 if x > 0.0 else -0.5))
        hi = x - k * _LN2_HI  # exact: _LN2_HI has 32 trailing zero bits
        lo = k * _LN2_LO
        r = hi - lo
    elif ax > 2.0**-28:
        k, hi, lo, r = 0, x, 0.0, x
    else:
        return 1.0 + x
    rr = r * r
    c = r - rr * (_P1 + rr * (_P2 + rr * (_P3 + rr * (_P4 + rr * _P5))))
    y = 1.0 + (r * c / (2.0 - c) - lo + hi)
    return y if k == 0 else _scalbn(y, k)
