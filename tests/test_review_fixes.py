"""Behaviours found wrong in review, each pinned by a test that failed before its fix."""

import pickle

import numpy as np
import pytest

import dasksnn as ann
from dasksnn.errors import ModelError, NetworkError, SimulationError


def test_division_by_zero_gives_ieee_values_not_a_traceback():
    """x = 1/(2 - v) at v = 2 gives inf (numpy error model), the run goes on."""
    neuron = ann.Neuron(equations="dv/dt = 1.0\nx = 1.0 / (2.0 - v)")
    pop = ann.Population(1, neuron)
    m = ann.Monitor(pop, "x")
    ann.compile()
    ann.simulate(5.0)
    assert np.isinf(m.get("x")).any() and ann.get_time() == 5.0


def test_hh_singular_rate_becomes_simulation_error():
    """HH's 0/0 rate functions give NaN, reported as a SimulationError (not ZeroDivisionError).

    The NaN appears in n at step 0 and reaches v, which is watched, at step 1.
    """
    ann.setup(dt=0.01)
    pop = ann.Population(1, ann.HH_cond_exp)
    pop.v = -48.0  # an = 0/0 at v - v_offset = 15
    ann.compile()
    with pytest.raises(SimulationError, match=r"became NaN or infinite at step 1 "):
        ann.simulate(1.0)


def test_monitor_of_population_parameter():
    """Recording a ': population' parameter gives its value for every neuron."""
    neuron = ann.Neuron(parameters="tau = 10.0 : population\nI = 1.0", equations="tau * dv/dt = -v + I")
    pop = ann.Population(1000, neuron)
    m = ann.Monitor(pop, "tau")
    ann.compile()
    ann.simulate(3.0)
    assert np.all(m.get("tau") == 10.0)


def test_spike_source_times_in_one_step_merge():
    """Times of one neuron rounding to the same step give one spike (no buffer overrun)."""
    ann.setup(dt=0.1)
    src = ann.SpikeSourceArray([[1.0, 1.02, 1.04, 1.01]])
    m = ann.Monitor(src, "spike")
    ann.compile()
    ann.simulate(5.0)
    assert m.get("spike") == {0: [10]}


def test_reset_after_pickling():
    """reset() works on an unpickled network."""
    pop = ann.Population(10, ann.Izhikevich)
    net = ann.Network(seed=1)
    net.add(pop)
    net.compile()
    net.simulate(10.0)
    clone = pickle.loads(pickle.dumps(net))
    clone.reset()
    assert clone.get_time() == 0.0 and np.all(clone.get_populations()[0].v == -65.0)


def test_rates_from_data_handed_over_by_get():
    """mean_fr(spikes) and histogram(spikes) use the span of the data get() handed over."""
    ann.setup(seed=3)
    p = ann.PoissonPopulation(200, rates=50.0)
    m = ann.Monitor(p, "spike")
    ann.compile()
    ann.simulate(1000.0)
    spikes = m.get("spike")
    assert 45.0 < m.mean_fr(spikes) < 55.0
    hist = m.histogram(spikes, bins=10.0)
    assert hist.size == 100 and hist.sum() == sum(len(s) for s in spikes.values())
    ann.simulate(500.0)
    more = m.get("spike")
    assert 43.0 < m.mean_fr(more) < 57.0 and m.histogram(more, bins=10.0).size == 50


def test_histogram_covers_pauses_and_set_time():
    """Bins run from the first to the last recorded step, whatever happened between."""
    p = ann.PoissonPopulation(100, rates=100.0)
    m = ann.Monitor(p, "spike")
    ann.compile()
    ann.set_time(100.0)
    ann.simulate(100.0)
    m.pause()
    ann.simulate(100.0)
    m.resume()
    ann.simulate(100.0)
    hist = m.histogram()
    t, _ = m.raster_plot()
    assert hist.sum() == t.size and hist.size == 300
    assert 90.0 < m.mean_fr() < 110.0  # paused time does not count


def test_no_duplicate_samples_when_another_buffer_grows():
    """A spike buffer filling up never makes another monitor record a step twice."""
    a = ann.Population(5, ann.Izhikevich)
    b = ann.PoissonPopulation(200, rates=500.0)
    mv = ann.Monitor(a, "v")
    ann.Monitor(b, "spike")
    ann.compile()
    ann.simulate(200.0)
    np.testing.assert_array_equal(mv.sample_times(), np.arange(200.0))
    assert mv.get("v").shape == (200, 5)


def test_rk4_stages_as_annarchy():
    """rk4 is of fourth order in the variables its equations read; an assignment it reads
    (I = -v) keeps its value of the start of the step at every stage, as ANNarchy 4.8
    computes it (which makes the step first order in that path)."""
    errors: dict[str, list[float]] = {"inline": [], "assigned": []}
    for dt in (0.1, 0.05):
        for kind, equations in (("inline", "dv/dt = -v : init=1.0, rk4"),
                                ("assigned", "I = -v\ndv/dt = I : init=1.0, rk4")):
            pop = ann.Population(1, ann.Neuron(equations=equations))
            net = ann.Network(dt=dt, everything=True)
            net.compile()
            net.simulate(1.0)
            errors[kind].append(abs(net.get(pop).v[0] - np.exp(-1.0)))
            ann.clear()
    assert 12.0 < errors["inline"][0] / errors["inline"][1] < 20.0
    assert 1.8 < errors["assigned"][0] / errors["assigned"][1] < 2.2
    # the assigned form is explicit Euler: v = (1 - dt)^n
    np.testing.assert_allclose(errors["assigned"][1], abs(0.95 ** 20 - np.exp(-1.0)), rtol=1e-9)


def test_default_method_looks_through_assignments():
    """dv/dt = I with I = -v is not mistaken for an exactly solvable decay."""
    from dasksnn.codegen.integrators import plan_integration

    neuron = ann.Neuron(equations="I = -v\ndv/dt = I")
    assert plan_integration(neuron)[0].method == "euler"


def test_reset_keeps_user_variables_named_like_buffers():
    """A user variable ending in _buf is restored, not zeroed, by reset()."""
    pop = ann.Population(3, ann.Neuron(equations="dca_buf/dt = 0.0 : init=0.5"))
    ann.compile()
    ann.simulate(1.0)
    ann.reset()
    assert np.all(pop.ca_buf == 0.5)


def test_two_dimensional_geometry_views():
    """Populations with a 2-D geometry slice like arrays of that shape."""
    pop = ann.Population((3, 4), ann.Izhikevich)
    np.testing.assert_array_equal(pop[1, 2].ranks, [6])
    np.testing.assert_array_equal(pop[:, 0].ranks, [0, 4, 8])
    with pytest.raises(NetworkError, match=r"cannot select \(5, 0\) from geometry \(3, 4\)"):
        pop[5, 0]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: ann.Projection(ann.SpikeSourceArray([[5.0]]),
                                ann.Population(1, ann.Neuron(parameters="I0 = 0.0",
                                                             equations="I = I0\ndv/dt = (-v + I) / 10.0")), "I"),
         NetworkError, r"target 'I' names 'I', which the model recomputes every step"),
        (lambda: ann.Neuron(parameters="p0_v = 1.0", equations="dv/dt = -v"), ModelError,
         r"'p0_v' cannot be used .* looks like a kernel array"),
        (lambda: ann.Neuron(equations="dv/dt = -v", spike="v"), ModelError,
         r"a spike condition must be a comparison"),
        (lambda: ann.Neuron(equations="dv/dt = -v : population"), ModelError,
         r"'population' applies to parameters"),
        (lambda: ann.SpikeSourceArray([[1.0], None]), NetworkError, r"neuron 1 has None"),
        (lambda: ann.Projection(ann.Population(3, ann.Izhikevich), ann.Population(3, ann.Izhikevich), "exc")
         .connect_all_to_all("1"), NetworkError, r"weights must be a number or a distribution, got '1'"),
    ],
)
def test_more_bad_input(build, error, message):
    """Bad input found in review is rejected with a clear message."""
    with pytest.raises(error, match=message):
        build()


def test_fixed_number_without_self_connections_too_large():
    """Asking for every neuron of a population, self excluded, is a NetworkError at compile()."""
    pop = ann.Population(4, ann.Izhikevich)
    ann.Projection(pop, pop, "exc", name="recurrent").connect_fixed_number_pre(4, 1.0)
    with pytest.raises(NetworkError, match=r"Projection 'recurrent': FixedNumberPre: cannot choose 4 distinct pre-synaptic "
                       r"neurons .* only 3 available \(self-connections are excluded"):
        ann.compile()
