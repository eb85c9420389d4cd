"""Connectivity build: the NumPy path against the compiled builder, and two counter-based RNGs.

The NumPy path is what ``Projection._build`` did before the compiled build
(``_numpy_connectivity.py``): from the network's generator, the weight and delay draws,
global ranks, the sort by (pre, post) and the row pointers. The compiled path is
``dasksnn.engine.connectivity.build_synapses``. Times are medians of ``--repeats`` builds
in one process, after a warm-up build (Numba cache warm).

    .venv/bin/python benchmarks/connectivity.py [--repeats 15] [--dask-malloc]

``--dask-malloc`` runs with ``MALLOC_TRIM_THRESHOLD_=65536``, as Dask's nanny sets it in
workers: glibc then returns freed memory at once, and every build pays the page faults of
fresh memory (the default lets a process reuse it from one build to the next).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from _numpy_connectivity import pairs

from dasksnn.engine import connectivity as conn
from dasksnn.engine import draws, streams
from dasksnn.model.random import Distribution, Normal, Uniform
from dasksnn.network import connectivity as rules

DT = 0.1


def median_ms(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up: Numba's cache, NumPy's first allocations
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


# ---------------------------------------------------------------- the NumPy path
def numpy_build(rule: rules.Rule, weights: Any, delays: Any, pre_ranks: np.ndarray, post_ranks: np.ndarray,
                n_pre_population: int, n_post_population: int, exclude_self: bool,
                rng: np.random.Generator) -> int:
    """``Projection._build`` as of this commit, on plain arrays; returns the synapse count."""
    forbidden = np.full(pre_ranks.size, -1)
    if exclude_self:
        position = {rank: i for i, rank in enumerate(post_ranks)}
        forbidden = np.array([position.get(r, -1) for r in pre_ranks], dtype=np.int64)
    pre, post = pairs(rule, pre_ranks.size, post_ranks.size, forbidden, rng)
    count = pre.size
    if isinstance(weights, Distribution):
        w = weights.draw(rng, count)
    else:
        w = np.broadcast_to(np.asarray(weights, dtype=np.float64), (count,)).copy()
    if isinstance(delays, Distribution):
        steps = np.rint(delays.draw(rng, count) / DT).astype(np.int32)
    else:
        steps = np.full(count, round(float(delays) / DT), np.int32)
    global_pre = (pre + pre_ranks[0]).astype(np.int32)  # slice views: an addition, as _ranks_of
    global_post = (post + post_ranks[0]).astype(np.int32)
    key = global_pre.astype(np.int64) * n_post_population + global_post
    order = slice(None) if np.all(key[1:] > key[:-1]) else np.argsort(key, kind="stable")
    del key
    per_pre = np.bincount(global_pre, minlength=n_pre_population)
    rowptr = np.concatenate([[0], np.cumsum(per_pre)]).astype(np.int64)
    built = (rowptr, global_post[order], global_pre[order], w[order], steps[order])
    return int(built[1].size)


# ---------------------------------------------------------------- cases
@dataclass(frozen=True)
class Projection:
    rule: rules.Rule
    weights: Any
    delays: Any
    pre: slice
    post: slice


@dataclass(frozen=True)
class Case:
    name: str
    n: int  # one population; projections between slices of it, no self-connections
    projections: tuple[Projection, ...]


def coba(n: int) -> tuple[Projection, ...]:
    exc, inh = slice(0, int(0.8 * n)), slice(int(0.8 * n), n)
    rule = rules.FixedProbability(0.02)
    return tuple(Projection(rule, w, 0.0, pre, post) for pre, w in ((exc, 0.6), (inh, 6.7)) for post in (exc, inh))


CASES = [
    Case("Izhikevich 1000: all-to-all 800+200 -> 1000, Uniform w", 1000,
         (Projection(rules.AllToAll(), Uniform(0.0, 0.5), 0.0, slice(0, 800), slice(0, 1000)),
          Projection(rules.AllToAll(), Uniform(0.0, 1.0), 0.0, slice(800, 1000), slice(0, 1000)))),
    Case("COBA 4000: 4 x fixed_probability 0.02, scalar w", 4000, coba(4000)),
    Case("all-to-all 1000 -> 1000, Normal w, Uniform delays", 1000,
         (Projection(rules.AllToAll(), Normal(0.0, 1.0), Uniform(0.0, 2.0), slice(0, 1000), slice(0, 1000)),)),
    Case("fixed_number_post 4000 x 80, Uniform w", 4000,
         (Projection(rules.FixedNumberPost(80), Uniform(0.0, 1.0), 0.0, slice(0, 4000), slice(0, 4000)),)),
    Case("fixed_number_pre 4000 x 80, Uniform w", 4000,
         (Projection(rules.FixedNumberPre(80), Uniform(0.0, 1.0), 0.0, slice(0, 4000), slice(0, 4000)),)),
]


def run_numpy(case: Case, rng: np.random.Generator) -> int:
    ranks = np.arange(case.n)
    return sum(numpy_build(p.rule, p.weights, p.delays, ranks[p.pre], ranks[p.post], case.n, case.n, True, rng)
               for p in case.projections)


def run_compiled(case: Case) -> int:
    ranks = np.arange(case.n)
    return sum(conn.build_synapses(p.rule, p.weights, p.delays, ranks[p.pre], ranks[p.post], case.n, True, key, DT).size
               for key, p in enumerate(case.projections))


# ---------------------------------------------------------------- generators
_PHILOX_M0, _PHILOX_M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_PHILOX_W0, _PHILOX_W1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)
_MASK32, _S32, _S11 = np.uint64(0xFFFFFFFF), np.uint64(32), np.uint64(11)


@numba.njit(inline="always")
def _philox_round(c0, c1, c2, c3, k0, k1):
    p0, p1 = _PHILOX_M0 * c0, _PHILOX_M1 * c2
    return ((p1 >> _S32) ^ c1 ^ k0) & _MASK32, p1 & _MASK32, ((p0 >> _S32) ^ c3 ^ k1) & _MASK32, p0 & _MASK32


@numba.njit(inline="always")
def philox4x32_10(c0, c1, c2, c3, k0, k1):
    """Random123's Philox4x32-10 on 32-bit words held in uint64 (rounds unrolled: 4x faster)."""
    c0, c1, c2, c3 = _philox_round(c0, c1, c2, c3, k0, k1)
    for _ in range(9):  # unrolled by LLVM: a fixed trip count
        k0, k1 = (k0 + _PHILOX_W0) & _MASK32, (k1 + _PHILOX_W1) & _MASK32
        c0, c1, c2, c3 = _philox_round(c0, c1, c2, c3, k0, k1)
    return c0, c1, c2, c3


@numba.njit(nogil=True)
def philox_uniform(out, key):
    """Two 53-bit doubles per Philox call (counter = pair index, key = 64 bits)."""
    k0, k1 = np.uint64(key) & _MASK32, np.uint64(key) >> _S32
    for m in range(out.size // 2):
        r0, r1, r2, r3 = philox4x32_10(np.uint64(m), np.uint64(0), np.uint64(0), np.uint64(0), k0, k1)
        out[2 * m] = np.float64(((r0 << _S32) | r1) >> _S11) * 2.0**-53
        out[2 * m + 1] = np.float64(((r2 << _S32) | r3) >> _S11) * 2.0**-53


@numba.njit(nogil=True)
def splitmix_uniform(out, key):
    """The keyed SplitMix64 stream of dasksnn.engine.connectivity, one double per counter."""
    seed = streams._stream(np.uint64(key), 0, 0)
    for t in range(out.size):
        out[t] = streams._uniform(seed, t, 0)


@numba.njit
def philox_known_answer():
    return philox4x32_10(np.uint64(0), np.uint64(0), np.uint64(0), np.uint64(0), np.uint64(0), np.uint64(0))


def generators(repeats: int) -> list[tuple[str, float]]:
    expected = (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)  # Random123's known answer, key = counter = 0
    assert tuple(int(v) for v in philox_known_answer()) == expected
    out = np.empty(1_000_000)
    params = np.array([0.0, 1.0, 0.0, 1.0])
    numpy_rng = np.random.Generator(np.random.Philox(1))
    return [
        ("SplitMix64 keyed hash (compiled loop)", median_ms(lambda: splitmix_uniform(out, 7), repeats)),
        ("SplitMix64 keyed hash (dasksnn Uniform fill)",
         median_ms(lambda: draws._fill_values(out, 0, out.size, np.uint64(7), draws._UNIFORM, params), repeats)),
        ("Philox4x32-10 (compiled loop, 2 doubles a call)", median_ms(lambda: philox_uniform(out, 7), repeats)),
        ("NumPy Generator(Philox).random", median_ms(lambda: numpy_rng.random(out.size), repeats)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--dask-malloc", action="store_true", help="MALLOC_TRIM_THRESHOLD_=65536, as in Dask workers")
    args = parser.parse_args()
    if args.dask_malloc and os.environ.get("MALLOC_TRIM_THRESHOLD_") != "65536":
        argv = [sys.executable, *sys.argv]
        os.execve(sys.executable, argv, {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"})

    print(f"malloc: MALLOC_TRIM_THRESHOLD_={os.environ.get('MALLOC_TRIM_THRESHOLD_', 'glibc default')}; "
          f"numba {numba.__version__}, numpy {np.__version__}; medians of {args.repeats}")
    print("\n1M uniform doubles                                  ms")
    for name, ms in generators(args.repeats):
        print(f"  {name:<48} {ms:6.2f}")

    width = max(len(case.name) for case in CASES)
    print(f"\n{'connectivity build':<{width + 2}} {'synapses':>9} {'numpy ms':>9} {'compiled ms':>12} {'speed-up':>9}")
    rng = np.random.default_rng(1)
    for case in CASES:
        count = run_compiled(case)
        t_numpy = median_ms(lambda case=case: run_numpy(case, rng), args.repeats)
        t_compiled = median_ms(lambda case=case: run_compiled(case), args.repeats)
        print(f"  {case.name:<{width}} {count:>9} {t_numpy:>9.2f} {t_compiled:>12.2f} {t_numpy / t_compiled:>8.1f}x")


if __name__ == "__main__":
    main()
