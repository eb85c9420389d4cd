"""Synapse text is checked as neuron text is: random and malformed text raises ModelError with a
location (or gives a model whose kernel calls only generated names); errors are pinned."""

import ast
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dasksnn as ann
from dasksnn.codegen import NetworkSpec, PopulationSpec, ProjectionSpec, generate
from dasksnn.engine.backend import NumbaCPU
from dasksnn.errors import ModelError

_CALLABLE = {"abs", "min", "max", "range", "int", "float", "njit"}
_MODULES = {"_math", "_np", "_rng"}
_NEURON = ann.Neuron(parameters="tau = 10.0", equations="tau * dv/dt = -v + g_exc", spike="v > 1.0",
                     reset="v = 0.0", name="lif")


def _kernel_source(synapse: ann.Synapse) -> str:
    spec = NetworkSpec((PopulationSpec(_NEURON), PopulationSpec(_NEURON)),
                       (ProjectionSpec(0, 1, "g_exc", True, synapse),))
    return NumbaCPU.module(generate(spec), "test")


def _assert_only_generated_calls(source: str) -> None:
    tree = ast.parse(source)
    for node in ast.walk(tree.body[-1]):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                assert isinstance(func.value, ast.Name) and func.value.id in _MODULES, ast.unparse(func)
            else:
                assert isinstance(func, ast.Name) and func.id in _CALLABLE, ast.unparse(func)
        if isinstance(node, ast.Attribute):
            assert not node.attr.startswith("__"), ast.unparse(node)


_TOKENS = ["w", "x", "tau", "g_target", "pre.v", "post.v", "pre.__class__", "post.v.real", "t_pre", "t_post",
           "t", "dt", "__import__", "os", "import", "lambda x: x", "exp(x)", "clip(w, 0, 1)", "foo(w)", "1e999",
           "10" * 50, "1j", "...", "+", "-", "*", "/", "^", "(", ")", "[", "]", ",", ":", ";", "=", "+=", "-=", "f(w, 1)",
           "f(w)", "g(x) =", "a", "b",
           "==", "<", "and", "if", "else", ".", "'", '"""', "#", "\n", "\r", "\\", "\x00", "dx/dt",
           "tau * dx/dt", "event-driven", "init=0", "min=0", "max=w", "postsynaptic", "projection", "é", " "]
_text = st.one_of(
    st.lists(st.sampled_from(_TOKENS), max_size=14).map(" ".join),
    st.lists(st.sampled_from(_TOKENS), max_size=14).map("".join),
    st.text(alphabet=string.printable + "é\x00\u2028", max_size=60),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parameters=_text, equations=_text, pre_spike=_text, post_spike=_text, psp=_text, name=_text,
       functions=_text)
def test_random_text_is_refused_or_generates_safe_source(parameters, equations, pre_spike, post_spike, psp, name,
                                                         functions):
    try:
        synapse = ann.Synapse(parameters="tau = 10.0 : projection\n" + parameters.replace("tau", "tau2"),
                              equations="tau * dx/dt = -x : event-driven\n" + equations,
                              pre_spike=pre_spike, post_spike=post_spike, psp=psp or None, name=name,
                              functions="f(a, b) = a * exp(-b)\n" + functions)
    except ModelError as exc:
        assert ", line " in str(exc) or "parameter" in str(exc) or "cannot be used" in str(exc) \
            or "pre_spike" in str(exc) or "psp" in str(exc), str(exc)
        assert str(exc).startswith("Synapse "), str(exc)
        return
    source = _kernel_source(synapse)
    compile(source, "<kernel>", "exec")
    _assert_only_generated_calls(source)
    assert all(line.isascii() for line in source.splitlines())


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(pre_spike="w = pre.__class__"), r"pre_spike, line 1: 'pre.__class__' cannot be read"),
    (dict(pre_spike="g_target = w"), r"the target can only be incremented"),
    (dict(pre_spike="v += w"), r"cannot assign to 'v'"),
    (dict(equations="dx/dt = x * x : event-driven"), r"equations, line 1: an event-driven equation must be linear"),
    (dict(equations="dx/dt = -x / tau : event-driven", parameters="tau = 1.0\ntau = 2.0"), r"defined twice"),
    (dict(equations="x = w : event-driven"), r"applies to differential equations only"),
    (dict(parameters="a = 1.0 : projection, postsynaptic"), r"either ': projection' or ': postsynaptic'"),
    (dict(parameters="post = 1.0"), r"'post' cannot be used as a parameter"),
    (dict(parameters="a = 1 : population"), r"unknown flag 'population'"),
    (dict(post_spike="w = foo(w)"), r"post_spike, line 1: 'foo' is not a function"),
    (dict(psp="w * (pre.v - "), r"psp, line 1: syntax error"),
    (dict(functions="f(x) = y"), r"functions, line 1: unknown name 'y'"),
    (dict(functions="exp(x) = x"), r"'exp' is already a function"),
    (dict(functions="f(x) = x", pre_spike="w = f(w, w)"), r"pre_spike, line 1: f\(\) takes 1 arguments, got 2"),
    (dict(functions="f(x) = x * x * x * x\ng(x) = f(f(f(f(x))))\nh(x) = g(g(g(x)))", pre_spike="w = h(w)"),
     r"expression too large once its functions are replaced"),
    (dict(equations="dz/dt = w : postsynaptic"), r"'postsynaptic' variable cannot read per-synapse values \(w\)"),
])
def test_malformed_synapse_raises_model_error(kwargs, message):
    with pytest.raises(ModelError, match=message):
        ann.Synapse(name="bad", **kwargs)


def test_hostile_synapse_name_is_escaped(tmp_path):
    name = 'S""";__import__("os").system("touch x");"""\n\u2028'
    source = _kernel_source(ann.STDP.__class__(pre_spike="g_target += w", post_spike="w += 0.0", name=name))
    _assert_only_generated_calls(source)
    assert all(line.isascii() for line in source.splitlines())
