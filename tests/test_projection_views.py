"""Projections from and onto views, sparse-matrix orientation, and monitor periods.

Views are checked twice: by the synapses a projection reports, and by what a short
simulation delivers. Pre-synaptic neuron ``r`` fires ``r + 1`` spikes and each
post-synaptic neuron counts the weight it receives, so a synapse from a wrong neuron or
onto a wrong neuron changes the counts.
"""

import numpy as np
import pytest

import dasksnn as ann
from dasksnn.errors import NetworkError

N = 8
# a post-synaptic neuron that adds up the weights it receives (target "count")
COUNTER = ann.Neuron(equations="dcount/dt = 0.0", name="Counter")

VIEWS = {
    "permuted": [0, 2, 1, 3],
    "reversed": slice(None, None, -1),
    "strided": slice(1, None, 3),
    "arbitrary": [5, 1, 7],
}


def _matrix(n_post, n_pre):
    """``m[post][pre]`` with distinct weights and some missing synapses (None)."""
    return [[None if (i + j) % 3 == 0 else float(1 + i + 10 * j) for i in range(n_pre)]
            for j in range(n_post)]


def _one_to_one(proj, n_pre, n_post):
    return proj.connect_one_to_one(weights=np.arange(1.0, n_pre + 1)), [
        (i, i, 1.0 + i) for i in range(n_pre)]


def _all_to_all(proj, n_pre, n_post):
    return proj.connect_all_to_all(0.5), [(i, j, 0.5) for i in range(n_pre) for j in range(n_post)]


def _fixed_probability(proj, n_pre, n_post):
    return proj.connect_fixed_probability(1.0, 0.25), [
        (i, j, 0.25) for i in range(n_pre) for j in range(n_post)]


def _from_matrix(proj, n_pre, n_post):
    m = _matrix(n_post, n_pre)
    return proj.connect_from_matrix(m), [
        (i, j, m[j][i]) for i in range(n_pre) for j in range(n_post) if m[j][i] is not None]


def _from_matrix_pre_post(proj, n_pre, n_post):
    m = _matrix(n_post, n_pre)
    transposed = [[m[j][i] for j in range(n_post)] for i in range(n_pre)]
    return proj.connect_from_matrix(transposed, pre_post=True), [
        (i, j, m[j][i]) for i in range(n_pre) for j in range(n_post) if m[j][i] is not None]


def _from_sparse(proj, n_pre, n_post):
    sparse = pytest.importorskip("scipy.sparse")
    m = _matrix(n_post, n_pre)
    lil = sparse.lil_matrix((n_pre, n_post))
    expected = []
    for i in range(n_pre):
        for j in range(n_post):
            if m[j][i] is not None:
                lil[i, j] = m[j][i]
                expected.append((i, j, m[j][i]))
    return proj.connect_from_sparse(lil), expected


RULES = {
    "one_to_one": _one_to_one,
    "all_to_all": _all_to_all,
    "fixed_probability": _fixed_probability,
    "from_matrix": _from_matrix,
    "from_matrix_pre_post": _from_matrix_pre_post,
    "from_sparse": _from_sparse,
}


def _simulate(pre_index, post_index, connect):
    """Connect src[pre_index] to counter[post_index], simulate; return the projection,
    the expected (global pre, global post, weight) triples, and the counts."""
    src = ann.SpikeSourceArray([[float(t) for t in range(1, r + 2)] for r in range(N)], name="src")
    counter = ann.Population(N, COUNTER, name="counter")
    pre_ranks, post_ranks = np.arange(N)[pre_index], np.arange(N)[post_index]
    proj, local = connect(ann.Projection(src[pre_index], counter[post_index], "count"),
                          pre_ranks.size, post_ranks.size)
    expected = sorted((int(pre_ranks[i]), int(post_ranks[j]), w) for i, j, w in local)
    net = ann.Network(dt=1.0, seed=0, everything=True)
    net.compile()
    net.simulate(N + 2.0)
    return net.get(proj), expected, net.get(counter).count


@pytest.mark.parametrize("side", ["pre", "post"])
@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("rule", list(RULES))
def test_projection_on_a_view_connects_and_delivers_to_the_selected_ranks(rule, view, side):
    """Permuted, reversed, strided and arbitrary views, as pre or as post, for each rule:
    the synapses join the selected ranks in the view's order, and spikes reach them."""
    index = VIEWS[view]
    size = np.arange(N)[index].size
    partner = slice(N - size, N)  # a contiguous slice not starting at 0
    pre_index, post_index = (index, partner) if side == "pre" else (partner, index)
    proj, expected, count = _simulate(pre_index, post_index, RULES[rule])
    pre, post = proj.synapses()
    got = sorted(zip(pre.tolist(), post.tolist(), proj.values("w").tolist(), strict=True))
    assert got == expected
    received = np.zeros(N)
    for p, q, w in expected:
        received[q] += w * (p + 1)  # pre neuron p fires p + 1 spikes
    np.testing.assert_allclose(count, received)


def test_views_on_both_sides_and_self_connections_of_a_permuted_view():
    """Two arbitrary views of one population: self-connections are those of equal ranks."""
    pop = ann.Population(N, COUNTER, name="pop")
    proj = ann.Projection(pop[[5, 1, 7]], pop[[1, 5, 2]], "count").connect_all_to_all(1.0)
    net = ann.Network(dt=1.0, seed=0, everything=True)
    net.compile()
    pre, post = net.get(proj).synapses()
    assert sorted(zip(pre.tolist(), post.tolist(), strict=True)) == sorted(
        (a, b) for a in (5, 1, 7) for b in (1, 5, 2) if a != b)


def test_one_spike_reaches_the_neuron_the_view_pairs_it_with():
    """SpikeSourceArray neuron 1 fires once: through src[[5, 1, 7]] -> counter[[3, 0, 6]]
    one-to-one it reaches counter neuron 0 only, with its own weight."""
    src = ann.SpikeSourceArray([[2.0] if r == 1 else [] for r in range(N)], name="src")
    counter = ann.Population(N, COUNTER, name="counter")
    ann.Projection(src[[5, 1, 7]], counter[[3, 0, 6]], "count").connect_one_to_one(
        weights=np.array([1.0, 2.0, 3.0]))
    net = ann.Network(dt=1.0, seed=0, everything=True)
    net.compile()
    net.simulate(5.0)
    np.testing.assert_array_equal(net.get(counter).count, [2.0, 0, 0, 0, 0, 0, 0, 0])


def test_contiguous_range_is_the_one_slice_test():
    """Only increasing runs of consecutive ranks are ranges; views are named by it."""
    from dasksnn.network.population import contiguous_range

    assert contiguous_range(np.array([3, 4, 5])) == range(3, 6)
    assert contiguous_range(np.array([4])) == range(4, 5)
    for ranks in ([0, 2, 1, 3], [5, 1, 7], [3, 2, 1], [1, 4, 7], [2, 2, 3], []):
        assert contiguous_range(np.array(ranks, dtype=np.int64)) is None
    pop = ann.Population(N, COUNTER, name="pop")
    assert pop[2:5].name == "pop[2:5]"
    assert pop[[0, 2, 1, 3]].name == "pop[0,2,1,3]"


def test_projection_pre_and_post_are_the_population_only_for_the_whole_population_in_order():
    """A reversed view of all neurons is a view, not the population."""
    a = ann.Population(N, COUNTER, name="a")
    b = ann.Population(N, COUNTER, name="b")
    proj = ann.Projection(a[::-1], b[:], "count")
    assert proj.pre is not a and list(proj.pre.ranks) == list(range(N - 1, -1, -1))
    assert proj.post is b


# --------------------------------------------------------------------------- sparse matrices

def test_from_sparse_reads_pre_then_post_as_annarchy():
    """ANNarchy's ring example: w[i, (i + 1) % N] = 1 makes pre i project onto post i + 1,
    so post neuron 1 receives from pre neuron 0."""
    sparse = pytest.importorskip("scipy.sparse")
    n = 5
    w = sparse.lil_matrix((n, n))
    for i in range(n):
        w[i, (i + 1) % n] = 1.0 + i
    a = ann.Population(n, COUNTER, name="a")
    b = ann.Population(n, COUNTER, name="b")
    proj = ann.Projection(a, b, "count").connect_from_sparse(w)
    net = ann.Network(dt=1.0, seed=0, everything=True)
    net.compile()
    pre, post = net.get(proj).synapses()
    assert pre[post == 1].tolist() == [0]
    assert sorted(zip(pre.tolist(), post.tolist(), net.get(proj).values("w").tolist(), strict=True)) == [
        (i, (i + 1) % n, 1.0 + i) for i in range(n)]


@pytest.mark.parametrize("fmt", ["lil", "csr", "coo"])
def test_from_sparse_non_square_carries_weights(fmt):
    """3 pre x 5 post: entry [i, 2 i] is the synapse pre i -> post 2 i with weight i + 1."""
    sparse = pytest.importorskip("scipy.sparse")
    w = sparse.lil_matrix((3, 5))
    for i in range(3):
        w[i, 2 * i] = i + 1.0
    w[2, 1] = 7.0
    src = ann.SpikeSourceArray([[1.0], [1.0, 2.0], [1.0, 2.0, 3.0]], name="src")
    counter = ann.Population(5, COUNTER, name="counter")
    proj = ann.Projection(src, counter, "count").connect_from_sparse(w.asformat(fmt))
    net = ann.Network(dt=1.0, seed=0, everything=True)
    net.compile()
    net.simulate(5.0)
    pre, post = net.get(proj).synapses()
    assert list(zip(pre.tolist(), post.tolist(), net.get(proj).values("w").tolist(), strict=True)) == [
        (0, 0, 1.0), (1, 2, 2.0), (2, 1, 7.0), (2, 4, 3.0)]
    np.testing.assert_array_equal(net.get(counter).count, [1.0, 21.0, 4.0, 0.0, 9.0])


def test_from_sparse_refuses_a_transposed_or_dense_matrix():
    """A [post, pre] matrix of a non-square projection is refused with the expected shape."""
    sparse = pytest.importorskip("scipy.sparse")
    a = ann.Population(3, COUNTER, name="a")
    b = ann.Population(5, COUNTER, name="b")
    with pytest.raises(NetworkError, match=r"Projection 'p': connect_from_sparse expects a matrix "
                                           r"of shape \(3, 5\) \(pre, post\), got shape \(5, 3\)"):
        ann.Projection(a, b, "count", name="p").connect_from_sparse(sparse.lil_matrix((5, 3)))
    with pytest.raises(NetworkError, match=r"Projection 'q': connect_from_sparse needs a SciPy sparse "
                                           r"matrix weights\[pre, post\], got ndarray"):
        ann.Projection(a, b, "count", name="q").connect_from_sparse(np.ones((3, 5)))


def test_from_matrix_refuses_a_matrix_of_the_wrong_shape():
    """connect_from_matrix names the shape it expects, for both orientations and for 1-D input."""
    a = ann.Population(3, COUNTER, name="a")
    b = ann.Population(5, COUNTER, name="b")
    with pytest.raises(NetworkError, match=r"Projection 'p': connect_from_matrix expects a matrix of "
                                           r"shape \(5, 3\) \(post, pre\), got shape \(3, 5\)"):
        ann.Projection(a, b, "count", name="p").connect_from_matrix(np.ones((3, 5)))
    with pytest.raises(NetworkError, match=r"Projection 'q': connect_from_matrix expects a matrix of "
                                           r"shape \(3, 5\) \(pre, post\), got shape \(5, 3\)"):
        ann.Projection(a, b, "count", name="q").connect_from_matrix(np.ones((5, 3)), pre_post=True)
    with pytest.raises(NetworkError, match=r"Projection 'r': connect_from_matrix expects a matrix of "
                                           r"shape \(5, 3\) \(post, pre\), got shape \(15,\)"):
        ann.Projection(a, b, "count", name="r").connect_from_matrix(np.ones(15))


# --------------------------------------------------------------------------- monitor periods

PERIOD_ERROR = (r"Monitor 'm': period {period} ms is not a multiple of dt = {dt} ms; give a whole "
                r"number of steps \(e\.g\. {low} or {high} ms\), or period=None to record every step")


def test_monitor_period_not_a_multiple_of_dt_is_refused_at_creation():
    """The default network's dt is known when the monitor is made: refuse at once."""
    pop = ann.Population(3, COUNTER, name="pop")
    with pytest.raises(NetworkError, match=PERIOD_ERROR.format(period="2.5", dt="1.0", low="2", high="3")):
        ann.Monitor(pop, "count", period=2.5, name="m")
    with pytest.raises(ValueError, match=PERIOD_ERROR.format(period="0.5", dt="1.0", low="1", high="2")):
        ann.Monitor(pop, "count", period=0.5, name="m")
    ann.setup(dt=0.1)
    assert ann.Monitor(pop, "count", period=0.3, name="ok").period == 0.3


@pytest.mark.parametrize("period", [0.0, -1.0, float("nan"), float("inf"), True, "2.0", [2.0]])
def test_monitor_period_must_be_a_positive_number(period):
    pop = ann.Population(3, COUNTER, name="pop")
    with pytest.raises(NetworkError, match=r"Monitor 'm': period must be a number of ms > 0 "
                                           r"\(a multiple of dt = 1.0 ms\) or None, got "):
        ann.Monitor(pop, "count", period=period, name="m")


def test_monitor_start_and_period_assignment_refuse_a_period_not_a_multiple_of_dt():
    """start(period=...) and monitor.period = ... check against the network's dt and keep
    the previous period when refused."""
    ann.setup(dt=0.5)
    pop = ann.Population(3, COUNTER, name="pop")
    m = ann.Monitor(pop, "count", period=1.0, start=False, name="m")
    with pytest.raises(NetworkError, match=PERIOD_ERROR.format(period="0.75", dt="0.5", low="0.5", high="1")):
        m.start(period=0.75)
    assert m.period == 1.0
    with pytest.raises(NetworkError, match=PERIOD_ERROR.format(period="1.25", dt="0.5", low="1", high="1.5")):
        m.period = 1.25
    assert m.period == 1.0
    m.start(period=1.5)
    assert m.period == 1.5


def test_monitor_copy_in_a_network_of_another_dt_is_refused_before_any_kernel(monkeypatch):
    """A monitor valid at dt = 1 ms copied into Network(dt=0.3): compile() refuses before
    drawing connectivity or generating a kernel; fixing the copy's period then works."""
    import dasksnn.codegen

    pop = ann.Population(3, COUNTER, name="pop")
    pop.count = 1.0
    m = ann.Monitor(pop, "count", period=2.0, name="m")
    net = ann.Network(dt=0.3, seed=0)
    net.add([pop, m])

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was generated")

    with monkeypatch.context() as patch:
        patch.setattr(dasksnn.codegen, "generate", no_kernel)
        with pytest.raises(NetworkError, match=PERIOD_ERROR.format(period="2.0", dt="0.3", low="1.8", high="2.1")):
            net.compile()
    assert not net.compiled
    net.get(m).period = 2.1
    net.compile()
    net.simulate(6.0)
    np.testing.assert_allclose(net.get(m).sample_times(), [0.0, 2.1, 4.2])


def test_setup_dt_after_a_monitor_is_checked_at_compile():
    """Changing the default network's dt after creating a monitor is caught by compile()."""
    pop = ann.Population(3, COUNTER, name="pop")
    ann.Monitor(pop, "count", period=2.0, name="m")
    ann.setup(dt=0.75)
    with pytest.raises(NetworkError, match=PERIOD_ERROR.format(period="2.0", dt="0.75", low="1.5", high="2.25")):
        ann.compile()


# --------------------------------------------------------------------------- other inputs

@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda a, b: ann.Projection(a, b, "count", name="p").connect_fixed_probability(True, 1.0),
         r"Projection 'p': probability must be a number in \[0, 1\], got True"),
        (lambda a, b: ann.Projection(a, b, "count", name="p").connect_from_matrix([[np.inf, 1.0, None]] * 3),
         r"Projection 'p': the matrix holds weights that are not finite \(\[inf, inf, inf\]\); mark a missing synapse "
         r"with None or NaN"),
        (lambda a, b: ann.Projection(a, b, "count", name="p").connect_from_matrix([["x", 1.0, None]] * 3),
         r"Projection 'p': connect_from_matrix needs numbers \(None or NaN for no synapse\) in weights"),
        (lambda a, b: ann.Monitor(a, 5, name="m"),
         r"Monitor 'm': variables must be a name or a list of names \(among spike, count\), got 5"),
        (lambda a, b: ann.Monitor(a, "count", name="m").get(5),
         r"Monitor 'm': variables must be a name, a list of names \(among count\) or None, got 5"),
        (lambda a, b: ann.SpikeSourceArray(5),
         r"SpikeSourceArray: spike_times must be a list of times \(ms\) per neuron, .* got 5"),
    ],
    ids=["probability_bool", "matrix_inf", "matrix_text", "monitor_variables_int", "monitor_get_int",
         "spike_times_int"],
)
def test_bad_inputs_raise_value_errors_that_name_the_object(build, message):
    """Inputs that used to be accepted silently or raised a bare TypeError."""
    a = ann.Population(3, COUNTER, name="a")
    b = ann.Population(3, COUNTER, name="b")
    with pytest.raises(NetworkError, match=message):
        build(a, b)


def test_histogram_bins_and_smoothing_are_checked():
    """bins = 0 raised ZeroDivisionError; bins not a multiple of dt gave uneven bins."""
    src = ann.SpikeSourceArray([[2.0, 3.0, 5.0]], name="src")
    m = ann.Monitor(src, "spike", name="m")
    ann.compile()
    ann.simulate(6.0)
    np.testing.assert_array_equal(m.histogram(bins=2.0), [2, 1])  # from the first spike, as ANNarchy
    with pytest.raises(NetworkError, match=r"Monitor 'm': bins must be a number of ms > 0 .*got 0"):
        m.histogram(bins=0)
    with pytest.raises(NetworkError, match=r"Monitor 'm': bins 2.5 ms is not a multiple of dt = 1.0 ms; give a "
                                           r"whole number of steps \(e\.g\. 2 or 3 ms\), or bins=None"):
        m.histogram(bins=2.5)
    with pytest.raises(NetworkError, match=r"Monitor 'm': smooth must be a number of ms >= 0"):
        m.population_rate(smooth=-1.0)


def test_population_parameter_needs_a_view_of_every_neuron():
    """A view with a repeated rank has the population's size but misses a neuron."""
    shared = ann.Neuron(parameters="k = 1.0 : population", equations="dcount/dt = 0.0", name="Shared")
    pop = ann.Population(3, shared, name="pop")
    pop[::-1].k = 2.0  # every neuron, in another order: fine
    assert pop.k == 2.0
    with pytest.raises(NetworkError, match=r"'k' is one value for the whole population"):
        pop[[0, 0, 1]].k = 3.0
