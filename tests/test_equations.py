"""The equation language: parsing, checks and error messages."""

import pytest

import dasksnn as ann
from dasksnn.codegen.integrators import plan_integration
from dasksnn.errors import ModelError

LIF = dict(parameters="tau = 10.0\nEl = -65.0", equations="tau * dv/dt = El - v : init=-65.0")


def test_izhikevich_parses_annarchy_syntax():
    """ANNarchy spellings: ^ for powers, ';' between statements, flags after ':'."""
    neuron = ann.Izhikevich
    assert neuron.variable_names == ("I", "v", "u", "g_exc", "g_inh", "r")  # r: ANNarchy's mean firing rate
    assert neuron.defaults["v"] == -65.0 and neuron.defaults["u"] == -13.0
    assert [s.text for s in neuron.reset_defs] == ["v = c", "u += d"]
    assert "v ** 2" in neuron.equation_defs[1].rhs


def test_annarchy_conditional_and_python_conditional():
    """'if c: a else: b' and 'a if c else b' give the same checked expression."""
    first = ann.Neuron(equations="r = if v > 0: v else: 0.0 : min=0.0\ndv/dt = -v")
    second = ann.Neuron(equations="r = v if v > 0 else 0.0 : min=0.0\ndv/dt = -v")
    assert first.equation_defs[0].rhs == second.equation_defs[0].rhs == "v if v > 0 else 0.0"
    assert first.equation_defs[0].min == "0.0"


def test_calling_a_model_changes_defaults():
    """Neuron(**defaults) returns a copy with new parameter defaults."""
    fast = ann.Izhikevich(a=0.1, d=2.0)
    assert fast.defaults["a"] == 0.1 and ann.Izhikevich.defaults["a"] == 0.02
    with pytest.raises(ModelError, match=r"unknown parameter 'aa' \(valid: a, b, c, .*Did you mean 'a'\?"):
        ann.Izhikevich(aa=1.0)


def test_models_are_hashable_and_comparable():
    """Frozen descriptions: equal text gives equal, hashable models."""
    assert ann.Neuron(**LIF) == ann.Neuron(**LIF)
    assert hash(ann.Neuron(**LIF)) == hash(ann.Neuron(**LIF))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(parameters="tau = 10.0", equations="dv/dt = -v / tua"),
         r"equations, line 1: unknown name 'tua'\. Did you mean 'tau'\?\n    dv/dt = -v / tua\n {17}\^"),
        (dict(equations="dv/dt = -v +"), r"equations, line 1: syntax error"),
        (dict(equations="dv/dt = __import__('os')"), r"'__import__' is not a function of the language"),
        (dict(equations="dv/dt = v.real"), r"Attribute is not allowed in an equation"),
        (dict(equations="dv/dt = [v][0]"), r"is not allowed in an equation"),
        (dict(equations="dv/dt = 'x'"), r"only numbers are allowed"),
        (dict(equations="dv/dt = -v : inti=3"), r"unknown flag 'inti'.*Did you mean 'init'\?"),
        (dict(equations="dv/dt = exp(v, 2)"), r"exp\(\) takes 1 arguments, got 2"),
        (dict(equations="dv/dt = -v", reset="w = 0"), r"reset, line 1: cannot assign to 'w'"),
        (dict(equations="dv/dt = -v", spike="v > vt"), r"spike, line 1: unknown name 'vt'"),
        (dict(parameters="tau = 1\ntau = 2", equations="dv/dt = -v"), r"parameter 'tau' is defined twice"),
        (dict(parameters="tau = abc", equations="dv/dt = -v"), r"parameters, line 1: unknown name 'abc'"),
        (dict(parameters="exp = 1.0", equations="dv/dt = -v"), r"'exp' cannot be used as a parameter"),
        (dict(equations="dv/dt = -v\ndv/dt = v"), r"'v' is already defined as a variable"),
        (dict(equations="dv/dt = v * v : exponential"), r"cannot be integrated with 'exponential'"),
        (dict(equations="dv/dt = -v", method="rk5"), r"unknown method 'rk5'.*Did you mean 'rk4'\?"),
        (dict(equations="dv/dt = -v", refractory="tau_ref"), r"refractory='tau_ref' is neither a number"),
        (dict(equations="dv/dt = -v", refractory=-1.0), r"refractory must be a number of ms >= 0"),
        (dict(equations="2 * v = 3"), r"cannot read the left side '2 \* v'"),
    ],
)
def test_bad_models_raise_model_error(kwargs, message):
    """Every bad model is rejected at definition, with the line and a caret."""
    with pytest.raises(ModelError, match=message):
        ann.Neuron(**kwargs)


def test_synaptic_inputs_are_found():
    """g_<target> names used but not defined become synaptic inputs."""
    neuron = ann.Neuron(equations="dv/dt = -v + g_ampa - g_gaba")
    assert neuron.inputs == ("g_ampa", "g_gaba")


@pytest.mark.parametrize(
    ("equations", "auto", "default"),
    [
        ("tau * dg/dt = -g", "exponential", "euler"),
        ("tau * dv/dt = El - v + I", "exponential", "euler"),
        ("dv/dt = -v * v", "euler", "euler"),
        ("tau * dv/dt = El - v + g_exc * (E - v)", "euler", "euler"),
        ("tau * dv/dt = El - v : rk4", "rk4", "rk4"),
        ("tau * dv/dt = El - v : explicit", "euler", "euler"),
        ("tau * dv/dt = El - v : exponential", "exponential", "exponential"),
        ("tau * dv/dt = El - v + Normal(0.0, 1.0)", "euler", "euler"),
    ],
)
def test_integration_method_of_an_equation(equations, auto, default):
    """By default explicit Euler (ANNarchy's); with "auto", linear decays are integrated
    exactly and other equations by Euler; flags win."""
    neuron = ann.Neuron(parameters="tau = 10.0\nEl = -65.0\nI = 1.0\nE = 0.0", equations=equations)
    assert plan_integration(neuron)[0].method == default
    assert plan_integration(neuron, default="auto")[0].method == auto
    assert plan_integration(ann.Neuron(equations=neuron.equations, parameters=neuron.parameters,
                                       method="midpoint"))[0].method in (default if ":" in equations else "midpoint",)


def test_leak_term_on_the_left_side_as_annarchy_writes_it():
    """``tau * dv/dt + v = E`` is ``tau * dv/dt = E - v`` (ANNarchy's manual writes both)."""
    leak = ann.Neuron(parameters="tau = 10.0\nE = 2.0", equations="tau * dv/dt + v = E : init=0.0")
    plain = ann.Neuron(parameters="tau = 10.0\nE = 2.0", equations="tau * dv/dt = E - v : init=0.0")
    assert leak.equation_defs[0].rhs == plain.equation_defs[0].rhs
    with pytest.raises(ModelError, match=r"the term added to dv/dt must be 'v' itself"):
        ann.Neuron(equations="tau * dv/dt + u = 1.0", parameters="tau = 1.0\nu = 0.0")


def test_neuron_functions_and_annarchy_function_names():
    """A neuron's own functions (a parameter may be called t, as in ANNarchy's nmda(v, t, s)),
    and ANNarchy's fabs, positive, negative and power."""
    neuron = ann.Neuron(parameters="k = 2.0", equations="""
        a = nmda(v, -80.0, 60.0)
        b = fabs(v) + positive(v) + negative(v) + power(k, 3)
        dv/dt = 1.0 : init=-2.0
    """, spike="sq(v) > 100.0", reset="v = sq(k)",
        functions="nmda(v, t, s) = ((v-t)/(s))^2 / (1.0 + ((v-t)/(s))^2)\nsq(x) = x * x", name="fn")
    with ann.building(dt=1.0) as made:
        pop = ann.Population(1, neuron)
    made.network.compile()
    made.network.simulate(1.0)
    x = (-2.0 + 80.0) / 60.0
    assert pop.a[0] == pytest.approx(x * x / (1.0 + x * x), rel=1e-15)
    assert pop.b[0] == 2.0 + 0.0 - 2.0 + 8.0
    with pytest.raises(ModelError, match=r"fn2.*unknown name 'undefined'"):
        ann.Neuron(equations="dv/dt = f(v)", functions="f(x) = undefined * x", name="fn2")


def test_augmented_assignments_in_equations_as_annarchy():
    """``x += rhs`` in equations (ANNarchy's, as its Ramp notebook's ``w += ...``) adds every step."""
    neuron = ann.Neuron(equations="x += 2.0\ny *= 0.5 : init=8.0\nz -= x")
    with ann.building(dt=1.0) as made:
        pop = ann.Population(1, neuron)
    made.network.compile()
    made.network.simulate(3.0)
    assert (pop.x[0], pop.y[0], pop.z[0]) == (6.0, 1.0, -12.0)
    with pytest.raises(ModelError, match=r"cannot read the left side 'dv/dt \+'"):
        ann.Neuron(equations="dv/dt += 1.0")
