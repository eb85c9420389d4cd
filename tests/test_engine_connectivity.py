"""Compiled connectivity: CSR layout, statistics of every rule and distribution, views,
determinism of the counter-based streams, and the errors for impossible requests."""

import hashlib
import math
import tracemalloc

import numpy as np
import pytest

from dasksnn.engine import draws, streams, wiring
from dasksnn.engine.connectivity import Synapses, build_synapses
from dasksnn.errors import NetworkError
from dasksnn.model import random as dist
from dasksnn.network import connectivity as rules

DT = 0.1


def build(rule, weights=1.0, delays=0.0, pre=None, post=None, n=200, exclude_self=False, key=1, dt=DT):
    pre = np.arange(n) if pre is None else np.asarray(pre)
    post = np.arange(n) if post is None else np.asarray(post)
    return build_synapses(rule, weights, delays, pre, post, n, exclude_self, key, dt)


def pairs(syn: Synapses) -> np.ndarray:
    """(pre, post) global ranks, one row per synapse."""
    return np.stack([syn.pre(), syn.post], axis=1)


def check_csr(syn: Synapses, n_population: int) -> None:
    """Layout and dtypes every build must give."""
    assert syn.rowptr.dtype == np.int64 and syn.rowptr.size == n_population + 1
    assert syn.post.dtype == np.int32 and syn.w.dtype == np.float64 and syn.delay.dtype == np.int32
    assert syn.rowptr[0] == 0 and np.all(np.diff(syn.rowptr) >= 0)
    assert syn.rowptr[-1] == syn.post.size == syn.w.size == syn.delay.size
    pre = syn.pre()
    order = np.lexsort((syn.post, pre))  # sorted by (pre, post) already
    assert np.array_equal(order, np.arange(order.size))


def within(value, expected, se, k=3.0):
    assert abs(value - expected) <= k * se, f"{value} not within {k} SE ({se}) of {expected}"


# ---------------------------------------------------------------- rules
def test_fixed_probability_count_within_three_standard_errors():
    n, p = 400, 0.05
    syn = build(rules.FixedProbability(p), n=n, exclude_self=True)
    check_csr(syn, n)
    trials = n * (n - 1)
    within(syn.size, p * trials, math.sqrt(trials * p * (1 - p)))
    assert not np.any(syn.pre() == syn.post)


def test_fixed_probability_row_counts_are_binomial():
    n, p = 1000, 0.1
    syn = build(rules.FixedProbability(p), n=n)
    counts = np.diff(syn.rowptr)
    var = n * p * (1 - p)
    within(counts.var(ddof=1), var, var * math.sqrt(2.0 / (n - 1)))
    assert len(np.unique(pairs(syn), axis=0)) == syn.size  # no synapse twice


def test_fixed_probability_positions_are_uniform():
    n, p = 500, 0.1
    syn = build(rules.FixedProbability(p), n=n)
    within(syn.post.mean(), (n - 1) / 2, math.sqrt((n * n - 1) / 12 / syn.size))


def test_fixed_probability_buffer_grows_when_the_estimate_is_short():
    sorted_post = np.arange(300, dtype=np.int32)
    low = high = np.zeros(300, np.int64)
    kseed = streams._key_seed(3)
    grown, counts = wiring._fixed_probability(sorted_post, low, high, 0.2, kseed, np.empty(1, np.int32))
    roomy, same = wiring._fixed_probability(sorted_post, low, high, 0.2, kseed, np.empty(30_000, np.int32))
    assert np.array_equal(counts, same) and np.array_equal(grown[:counts.sum()], roomy[:counts.sum()])


def test_fixed_probability_zero_and_one():
    assert build(rules.FixedProbability(0.0), n=50).size == 0
    full = build(rules.FixedProbability(1.0), n=50, exclude_self=True)
    assert np.array_equal(pairs(full), pairs(build(rules.AllToAll(), n=50, exclude_self=True)))


def test_fixed_probability_view_overlapping_post_in_part():
    pre, post = np.arange(0, 300), np.arange(200, 500)
    syn = build(rules.FixedProbability(0.2), pre=pre, post=post, n=500, exclude_self=True)
    check_csr(syn, 500)
    assert not np.any(syn.pre() == syn.post)
    trials = 300 * 300 - 100
    within(syn.size, 0.2 * trials, math.sqrt(trials * 0.2 * 0.8))


@pytest.mark.parametrize("number", [1, 10, 70, 150, 199])  # Floyd + sort, Floyd + scan, complement
def test_fixed_number_post_exact_distinct_without_self(number):
    n = 200
    syn = build(rules.FixedNumberPost(number), n=n, exclude_self=True)
    check_csr(syn, n)
    assert np.all(np.diff(syn.rowptr) == number)
    assert not np.any(syn.pre() == syn.post)
    for r in range(n):  # distinct: strictly increasing within each row
        assert np.all(np.diff(syn.post[syn.rowptr[r]:syn.rowptr[r + 1]]) > 0)


def test_fixed_number_post_chooses_uniformly():
    n, k = 1000, 20
    syn = build(rules.FixedNumberPost(k), n=n)
    within(syn.post.mean(), (n - 1) / 2, math.sqrt((n * n - 1) / 12 / syn.size))
    hits = np.bincount(syn.post, minlength=n)  # each post chosen by Binomial(n, k/n) rows
    var = n * (k / n) * (1 - k / n)
    within(hits.var(ddof=1), var, var * math.sqrt(2.0 / (n - 1)))


@pytest.mark.parametrize("number", [1, 30, 199])
def test_fixed_number_pre_exact_distinct_without_self(number):
    n = 200
    syn = build(rules.FixedNumberPre(number), n=n, exclude_self=True)
    check_csr(syn, n)
    assert np.all(np.bincount(syn.post, minlength=n) == number)
    assert not np.any(syn.pre() == syn.post)
    assert len(np.unique(pairs(syn), axis=0)) == syn.size


def test_fixed_number_pre_on_views():
    pre, post = np.arange(100, 400)[::-1], np.arange(0, 600, 3)
    syn = build(rules.FixedNumberPre(40), dist.Normal(1.0, 0.1), pre=pre, post=post, n=600, exclude_self=True)
    check_csr(syn, 600)
    assert np.all(np.bincount(syn.post, minlength=600)[post] == 40)
    assert set(syn.pre()) <= set(pre) and not np.any(syn.pre() == syn.post)
    within(syn.w.mean(), 1.0, 0.1 / math.sqrt(syn.size))


@pytest.mark.parametrize("rule, side", [(rules.FixedNumberPost(200), "post"), (rules.FixedNumberPre(200), "pre")])
def test_fixed_number_more_than_available_raises(rule, side):
    with pytest.raises(NetworkError, match=f"cannot choose 200 distinct {side}-synaptic neurons.*only 199"):
        build(rule, n=200, exclude_self=True)


def test_all_to_all_exact():
    syn = build(rules.AllToAll(), pre=[0, 1, 2], post=[1, 2, 3, 4], n=5, exclude_self=True)
    expected = [(i, j) for i in range(3) for j in range(1, 5) if i != j]
    assert pairs(syn).tolist() == [list(p) for p in expected]
    syn = build(rules.AllToAll(), pre=[0, 1, 2], post=[1, 2, 3, 4], n=5)
    assert syn.size == 12


def test_one_to_one_exact_with_weight_array():
    pre, post = np.array([4, 0, 2]), np.array([1, 3, 0])
    syn = build(rules.OneToOne(), np.array([10.0, 20.0, 30.0]), pre=pre, post=post, n=5)
    assert pairs(syn).tolist() == [[0, 3], [2, 0], [4, 1]]
    assert syn.w.tolist() == [20.0, 30.0, 10.0]
    assert build(rules.OneToOne(), pre=[0, 1, 2], post=[0, 1, 5], n=6, exclude_self=True).size == 1


def test_from_matrix_orientation_post_pre_by_default():
    # 2 pre x 3 post: matrix[post, pre]
    m = np.array([[1.0, np.nan], [np.nan, 2.0], [3.0, 4.0]])
    syn = build(rules.FromMatrix(m), pre=[0, 1], post=[0, 1, 2], n=3)
    assert pairs(syn).tolist() == [[0, 0], [0, 2], [1, 1], [1, 2]]
    assert syn.w.tolist() == [1.0, 3.0, 2.0, 4.0]
    syn = build(rules.FromMatrix(m.T.tolist(), pre_post=True), pre=[0, 1], post=[0, 1, 2], n=3)
    assert syn.w.tolist() == [1.0, 3.0, 2.0, 4.0]
    with_none = [[1.0, None, 3.0], [None, 2.0, 4.0]]
    assert build(rules.FromMatrix(with_none, pre_post=True), pre=[0, 1], post=[0, 1, 2], n=3).w.tolist() == [
        1.0, 3.0, 2.0, 4.0]


def test_from_sparse_is_pre_post_ring():
    sparse = pytest.importorskip("scipy.sparse")
    n = 6
    ring = sparse.coo_matrix((np.ones(n), (np.arange(n), (np.arange(n) + 1) % n)), shape=(n, n))
    syn = build(rules.FromSparse(ring), n=n)
    assert syn.post[syn.rowptr[0]:syn.rowptr[1]].tolist() == [1]  # post 1 receives from pre 0
    assert pairs(syn).tolist() == [[i, (i + 1) % n] for i in range(n)]


def test_from_sparse_non_square_and_duplicates():
    sparse = pytest.importorskip("scipy.sparse")
    # 3 pre x 5 post; the (2, 4) entry is given twice: one synapse of summed weight
    m = sparse.coo_matrix(([1.0, 2.0, 3.0, 0.5, 0.25], ([0, 2, 2, 1, 2], [4, 0, 4, 3, 4])), shape=(3, 5))
    syn = build(rules.FromSparse(m), pre=[0, 1, 2], post=[0, 1, 2, 3, 4], n=3)
    assert pairs(syn).tolist() == [[0, 4], [1, 3], [2, 0], [2, 4]]
    assert syn.w.tolist() == [1.0, 0.5, 2.0, 3.25]
    with pytest.raises(NetworkError, match="3 pre x 5 post"):
        build(rules.FromSparse(m), pre=[0, 1, 2, 3, 4], post=[0, 1, 2], n=5)


@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_matrices_on_permuted_views(kind):
    rng = np.random.default_rng(0)
    n = 40
    pre, post = rng.permutation(n)[:25], rng.permutation(n)[:30]
    local = np.add.outer(1000.0 * np.arange(25), np.arange(30))  # [pre, post] -> 1000 i + j
    local[rng.random(local.shape) < 0.5] = np.nan
    if kind == "dense":
        rule = rules.FromMatrix(local, pre_post=True)
    else:
        sparse = pytest.importorskip("scipy.sparse")
        rows, cols = np.nonzero(~np.isnan(local))
        rule = rules.FromSparse(sparse.csr_matrix((local[rows, cols], (rows, cols)), shape=local.shape))
    syn = build(rule, pre=pre, post=post, n=n)
    check_csr(syn, n)
    i = np.argsort(pre)[np.searchsorted(np.sort(pre), syn.pre())]
    j = np.argsort(post)[np.searchsorted(np.sort(post), syn.post)]
    assert np.array_equal(syn.w, 1000.0 * i + j)
    assert syn.size == np.count_nonzero(~np.isnan(local))


# ---------------------------------------------------------------- views
@pytest.mark.parametrize("rule", [rules.AllToAll(), rules.FixedProbability(0.3), rules.FixedNumberPost(7),
                                  rules.FixedNumberPre(7)], ids=lambda r: type(r).__name__)
@pytest.mark.parametrize("views", ["permuted", "reversed", "strided"])
def test_views_give_global_ranks_and_sorted_rows(rule, views):
    n = 120
    if views == "permuted":
        rng = np.random.default_rng(3)
        pre, post = rng.permutation(n)[:60], rng.permutation(n)[:80]
    elif views == "reversed":
        pre, post = np.arange(n)[::-1], np.arange(n)[::-1]
    else:
        pre, post = np.arange(1, n, 2), np.arange(0, n, 3)
    syn = build(rule, pre=pre, post=post, n=n, exclude_self=True)
    check_csr(syn, n)
    assert set(syn.pre()) <= set(pre) and set(syn.post) <= set(post)
    assert not np.any(syn.pre() == syn.post)
    outside = np.setdiff1d(np.arange(n), pre)
    assert np.all(syn.rowptr[outside + 1] == syn.rowptr[outside])
    if isinstance(rule, rules.AllToAll):
        expected = {(a, b) for a in pre for b in post if a != b}
        assert set(map(tuple, pairs(syn).tolist())) == expected and syn.size == len(expected)


def test_pre_view_repeating_a_rank_merges_rows_sorted():
    syn = build(rules.AllToAll(), dist.Uniform(0.0, 1.0), pre=[3, 1, 3], post=[4, 0, 2], n=5)
    check_csr(syn, 5)
    assert np.diff(syn.rowptr).tolist() == [0, 3, 0, 6, 0]
    assert syn.post[3:].tolist() == [0, 0, 2, 2, 4, 4]


# ---------------------------------------------------------------- distributions
CASES = [
    (dist.Uniform(-2.0, 3.0), 0.5, 25.0 / 12.0),
    (dist.DiscreteUniform(1, 6), 3.5, 35.0 / 12.0),
    (dist.Normal(1.0, 2.0), 1.0, 4.0),
    (dist.LogNormal(0.5, 0.4), math.exp(0.5 + 0.08), (math.exp(0.16) - 1.0) * math.exp(1.0 + 0.16)),
    (dist.Exponential(2.0), 0.5, 0.25),
    (dist.Gamma(0.4, 2.0), 0.8, 1.6),
    (dist.Gamma(3.0, 0.5), 1.5, 0.75),
    (dist.Binomial(20, 0.1), 2.0, 1.8),  # inversion
    (dist.Binomial(200, 0.3), 60.0, 42.0),  # BTRS
    (dist.Binomial(100, 0.8), 80.0, 16.0),  # BTRS, p flipped
]


@pytest.mark.parametrize("distribution, mean, var", CASES, ids=lambda c: repr(c) if isinstance(c, dist.Distribution) else "")
def test_distribution_mean_and_variance_within_three_standard_errors(distribution, mean, var):
    syn = build(rules.AllToAll(), distribution, n=300)
    x = syn.w
    within(x.mean(), mean, math.sqrt(var / x.size))
    fourth = np.mean((x - x.mean()) ** 4)
    within(x.var(ddof=1), var, math.sqrt((fourth - var * var) / x.size))
    low, high = distribution.bounds()
    assert x.min() >= low and x.max() <= high
    if isinstance(distribution, dist.DiscreteUniform | dist.Binomial):
        assert np.all(x == np.round(x))


def test_discrete_uniform_hits_every_value_equally():
    x = build(rules.AllToAll(), dist.DiscreteUniform(-2, 2), n=300).w
    counts = np.bincount((x + 2).astype(int), minlength=5)
    assert counts.size == 5
    for c in counts:
        within(c, x.size / 5, math.sqrt(x.size * 0.2 * 0.8))


def normal_cdf(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


@pytest.mark.parametrize("distribution, at_min, at_max", [
    (dist.Normal(0.0, 1.0, min=-0.5, max=0.8), normal_cdf(-0.5), 1.0 - normal_cdf(0.8)),
    (dist.LogNormal(0.0, 1.0, min=0.5), normal_cdf(math.log(0.5)), 0.0),
    (dist.Exponential(1.0, max=0.3), 0.0, math.exp(-0.3)),
    (dist.Gamma(2.0, min=1.0, max=3.0), 1.0 - 2.0 * math.exp(-1.0), 4.0 * math.exp(-3.0)),
], ids=repr)
def test_bounds_clip_as_distribution_draw(distribution, at_min, at_max):
    x = build(rules.AllToAll(), distribution, n=200).w
    low, high = distribution.bounds()
    assert x.min() >= low and x.max() <= high
    for bound, p in ((distribution.min, at_min), (distribution.max, at_max)):
        if bound is not None:
            within(np.mean(x == bound), p, math.sqrt(p * (1 - p) / x.size))


def test_normal_with_zero_sigma_and_min_above_max_follow_np_clip():
    assert np.all(build(rules.AllToAll(), dist.Normal(2.0, 0.0), n=10).w == 2.0)
    assert np.all(build(rules.AllToAll(), dist.Normal(0.0, 1.0, min=1.0, max=-1.0), n=10).w == -1.0)


def test_delay_distribution_rounds_to_steps():
    syn = build(rules.AllToAll(), 1.0, dist.Uniform(0.0, 1.0), n=300, dt=0.25)
    counts = np.bincount(syn.delay, minlength=5)
    assert counts.size == 5  # rint(d / 0.25) in 0..4, the ends half as likely
    for step, share in enumerate([0.125, 0.25, 0.25, 0.25, 0.125]):
        within(counts[step] / syn.size, share, math.sqrt(share * (1 - share) / syn.size))
    assert np.all(build(rules.AllToAll(), 1.0, 1.5, n=20, dt=0.5).delay == 3)


def test_weights_delays_and_structure_are_independent_streams():
    syn = build(rules.FixedProbability(0.5), dist.Uniform(0.0, 1.0), dist.Uniform(0.0, 10.0), n=300, dt=1.0)
    se = 1.0 / math.sqrt(syn.size)
    within(np.corrcoef(syn.w, syn.delay)[0, 1], 0.0, se)
    within(np.corrcoef(syn.w, syn.post)[0, 1], 0.0, se)
    w = syn.w[:syn.rowptr[1]]  # row 0 against row 1, paired by position
    v = syn.w[syn.rowptr[1]:syn.rowptr[1] + w.size]
    within(np.corrcoef(w[:v.size], v)[0, 1], 0.0, 1.0 / math.sqrt(v.size))
    other = build(rules.FixedProbability(0.5), dist.Uniform(0.0, 1.0), n=300, key=2)
    m = min(other.size, syn.size)
    within(np.corrcoef(syn.w[:m], other.w[:m])[0, 1], 0.0, 1.0 / math.sqrt(m))


def test_unknown_distribution_subclass_is_drawn_by_numpy():
    class Half(dist.Distribution):
        def _draw(self, rng, size):
            return np.full(size, 0.5)

        def bounds(self):
            return (0.5, 0.5)

    syn = build(rules.FixedNumberPre(3), Half(), Half(), n=20, dt=0.25)
    assert np.all(syn.w == 0.5) and np.all(syn.delay == 2)


# ---------------------------------------------------------------- determinism
ALL_RULES = [rules.AllToAll(), rules.OneToOne(), rules.FixedProbability(0.1), rules.FixedNumberPost(9),
             rules.FixedNumberPre(9)]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: type(r).__name__)
def test_same_key_same_synapses_other_key_other_synapses(rule):
    args = dict(weights=dist.Normal(0.0, 1.0), delays=dist.Uniform(0.0, 2.0), n=150,
                exclude_self=not isinstance(rule, rules.OneToOne))
    a, b, c = build(rule, key=11, **args), build(rule, key=11, **args), build(rule, key=12, **args)
    assert a.size > 0
    for name in ("rowptr", "post", "w", "delay"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert not (np.array_equal(a.post, c.post) and np.array_equal(a.w, c.w))


@pytest.mark.parametrize("rule", [rules.AllToAll(), rules.FixedProbability(0.1), rules.FixedNumberPost(9)],
                         ids=lambda r: type(r).__name__)
def test_rows_do_not_depend_on_the_other_rows(rule):
    kw = dict(weights=dist.Gamma(2.0), delays=dist.Uniform(0.0, 2.0), post=np.arange(100), n=100, key=5)
    big, small = build(rule, pre=np.arange(100), **kw), build(rule, pre=np.arange(50), **kw)
    end = int(small.rowptr[50])
    assert end > 0 and big.rowptr[50] == end
    for name in ("post", "w", "delay"):
        assert np.array_equal(getattr(big, name)[:end], getattr(small, name)[:end])


def test_fixed_number_pre_columns_do_not_depend_on_the_other_columns():
    kw = dict(weights=dist.Normal(0.0, 1.0), pre=np.arange(100), n=100, key=5)
    big = build(rules.FixedNumberPre(9), post=np.arange(100), **kw)
    small = build(rules.FixedNumberPre(9), post=np.arange(50), **kw)
    keep = big.post < 50
    assert np.array_equal(pairs(big)[keep], pairs(small)) and np.array_equal(big.w[keep], small.w)


# The streams are a contract: the same key gives the same synapses on any machine, with
# any NumPy, Numba or libm (these digests are also what NUMBA_CPU_NAME=generic, SSE2 only,
# gives). A change of these digests changes every network's connectivity.
PINNED = [
    (rules.AllToAll(), dist.Normal(0.0, 1.0), "c88eefea957da7a2"),
    (rules.OneToOne(), dist.LogNormal(0.0, 1.0), "1bcf5ff2dca966f8"),
    (rules.FixedProbability(0.1), dist.Gamma(0.7, 2.0), "278e0f11046119c8"),
    (rules.FixedProbability(0.3), dist.Gamma(3.0), "9fa28ecda6b16c16"),
    (rules.FixedNumberPost(9), dist.Binomial(50, 0.4), "782f228f9384c2c3"),
    (rules.FixedNumberPost(40), dist.Binomial(200, 0.3), "237844529b23239f"),
    (rules.FixedNumberPre(9), dist.Exponential(3.0), "1373e8e92013bf2e"),
    (rules.AllToAll(), dist.DiscreteUniform(-3, 9), "95f8653897de1ab4"),
]


def digest(syn: Synapses) -> str:
    h = hashlib.sha256()
    for array in (syn.rowptr, syn.post, syn.w, syn.delay):
        h.update(np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes())
    return h.hexdigest()[:16]


@pytest.mark.parametrize("rule, weights, expected", PINNED, ids=lambda x: repr(x) if not isinstance(x, str) else "")
def test_streams_are_pinned(rule, weights, expected):
    syn = build(rule, weights, dist.Uniform(0.0, 3.0), n=64, exclude_self=not isinstance(rule, rules.OneToOne),
                key=2024, dt=0.1)
    assert syn.size > 0 and digest(syn) == expected


@pytest.mark.parametrize("distribution", [c[0] for c in CASES], ids=repr)
def test_vectorised_and_scalar_draws_agree(distribution):
    """A value depends on its index only: the vector body and the scalar tail of a loop agree."""
    values = draws._encode(distribution)
    seed = streams._U64(12345)
    whole, parts = np.empty(1001), np.empty(1001)
    draws._fill_values(whole, 0, 1001, seed, values.code, values.params)
    for count in (1, 2, 3, 7, 33):
        draws._fill_values(parts, 0, count, seed, values.code, values.params)
        assert np.array_equal(parts[:count], whole[:count])


def test_log_exp_within_one_ulp_of_numpy():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.random(20000), 2.0 ** rng.uniform(-1000, 1000, 20000), [2.0**-53, 1.0]])
    y = np.concatenate([rng.uniform(-745.0, 709.7, 20000), rng.uniform(-1e-9, 1e-9, 100), [0.0, 1.0]])
    log = np.array([streams._log(v) for v in x[:2000]] + list(map(streams._log, x[-2:])))
    exp = np.array([streams._exp(v) for v in y[:2000]])
    assert np.abs(log.view(np.int64) - np.log(np.r_[x[:2000], x[-2:]]).view(np.int64)).max() <= 1
    assert np.abs(exp.view(np.int64) - np.exp(y[:2000]).view(np.int64)).max() <= 1


# ---------------------------------------------------------------- memory and errors
def test_no_int64_per_synapse_arrays():
    n = 600  # 360k synapses: an int64 array of them is 2.9 MB
    build(rules.AllToAll(), dist.Uniform(0.0, 1.0), dist.Uniform(0.0, 1.0), n=n)  # compiled, cached
    for rule in (rules.AllToAll(), rules.FixedProbability(0.9)):
        tracemalloc.start()
        syn = build(rule, dist.Uniform(0.0, 1.0), dist.Uniform(0.0, 1.0), n=n)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 16 * syn.size * 1.05 + 200_000, f"{type(rule).__name__}: {peak / syn.size:.1f} bytes/synapse"


def test_errors_name_what_was_asked():
    with pytest.raises(NetworkError, match="weights of AllToAll must be a number or a distribution"):
        build(rules.AllToAll(), np.ones(5), n=5)
    with pytest.raises(NetworkError, match="5 values"):
        build(rules.OneToOne(), np.ones(4), n=5)
    with pytest.raises(NetworkError, match="multiple of dt"):
        build(rules.AllToAll(), 1.0, 0.15, n=5, dt=0.1)
    with pytest.raises(NetworkError, match="delays must be >= 0"):
        build(rules.AllToAll(), 1.0, dist.Normal(1.0, 1.0), n=5)
    with pytest.raises(NetworkError, match="pre_ranks must lie in"):
        build(rules.AllToAll(), pre=[0, 7], n=5)
    with pytest.raises(NetworkError, match="probability must be in"):
        build(rules.FixedProbability(1.5), n=5)
    with pytest.raises(NetworkError, match="2 pre x 3 post"):
        build(rules.FromMatrix(np.ones((3, 2))), pre=[0, 1, 2], post=[0, 1], n=3)
