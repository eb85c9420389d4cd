"""Generated source is safe and readable whatever text a user gives.

No user text reaches the kernel module except through the checked expression tree or
escaped in a one-line comment; multi-line statements are read as ANNarchy reads them;
expressions too long or too deep for the compiler are refused with the line.
"""

import ast
import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dasksnn as ann
from dasksnn.codegen import NetworkSpec, PopulationSpec, generate
from dasksnn.engine.backend import NumbaCPU
from dasksnn.errors import ModelError

HOSTILE_NAMES = [
    'LIF""";__import__("os").system("touch {sentinel}");"""',
    "LIF'''\nimport os; os.system('touch {sentinel}')\n'''",
    "line\nbreak\r\nand\x00null\u2028sep",
    "back\\slash\\",
    "ünïcødé ✓ \ud800",
]

# names the generated kernel may call: nothing a user wrote can add to them
_CALLABLE = {"abs", "min", "max", "range", "int", "float", "njit"}
_MODULES = {"_math", "_np", "_rng"}


def _kernel_source(neuron: ann.Neuron) -> str:
    return NumbaCPU.module(generate(NetworkSpec((PopulationSpec(neuron),))), "test")


def _assert_only_generated_calls(source: str) -> None:
    """The module is a docstring, imports and one function calling only known names."""
    tree = ast.parse(source)
    kinds = [type(node).__name__ for node in tree.body]
    assert kinds == ["Expr", "Import", "Import", "ImportFrom", "FunctionDef"], kinds
    for node in ast.walk(tree.body[-1]):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                assert isinstance(func.value, ast.Name) and func.value.id in _MODULES, ast.unparse(func)
            else:
                assert isinstance(func, ast.Name) and func.id in _CALLABLE, ast.unparse(func)
        if isinstance(node, ast.Attribute):
            assert not node.attr.startswith("__"), ast.unparse(node)


@pytest.mark.parametrize("template", HOSTILE_NAMES)
def test_hostile_model_name_runs_no_code(template, tmp_path):
    """A model name is quoted in one-line comments: the kernel compiles, runs, and runs nothing else."""
    sentinel = tmp_path / "pwned"
    name = template.format(sentinel=sentinel)
    neuron = ann.Neuron(parameters="tau = 10.0", equations="tau * dv/dt = -v + 20.0", spike="v > 15.0",
                        reset="v = 0.0", name=name)
    source = _kernel_source(neuron)
    _assert_only_generated_calls(source)
    assert all(line.isascii() for line in source.splitlines())
    pop = ann.Population(3, neuron)
    m = ann.Monitor(pop, "spike")
    ann.compile()
    ann.simulate(50.0)
    assert len(m.get("spike")[0]) > 0
    assert not sentinel.exists()


def test_multiline_spike_condition_as_annarchy_writes_it():
    """ANNarchy's examples write ``spike = \"\"\" v > v_T \"\"\"`` and conditions over several lines."""
    model = dict(parameters="v_T = 15.0\nu_T = -1.0", equations="10.0 * dv/dt = -v + 20.0\ndu/dt = 0.0",
                 reset="v = 0.0")
    one = ann.Neuron(spike="v > v_T and u > u_T", **model)
    padded = ann.Neuron(spike="""
        v > v_T
    """, **model)
    split = ann.Neuron(spike="""
        v > v_T   # the threshold
        and u > u_T
    """, **model)
    assert padded.spike_condition == "v > v_T"
    assert split.spike_condition == one.spike_condition == "v > v_T and u > u_T"
    _assert_only_generated_calls(_kernel_source(split))
    pop = ann.Population(2, split)
    m = ann.Monitor(pop, "spike")
    ann.compile()
    ann.simulate(100.0)
    assert len(m.get("spike")[0]) >= 2


def test_equation_continued_on_next_lines_as_annarchy_reads_it():
    """A line without an assignment continues the statement before it (flags included)."""
    one = ann.Neuron(parameters="gL = 0.1\ngNa = 2.0\nE = -65.0",
                     equations="dv/dt = gL * (E - v) - gNa * (v - 50.0) + 1.0 : init=-65.0\ndm/dt = -m",
                     reset="v = E; m += 1.0")
    split = ann.Neuron(parameters="gL = 0.1\ngNa = 2.0\nE = -65.0", equations="""
        dv/dt = gL * (E - v)
                - gNa * (v - 50.0)   # sodium
                + 1.0
                : init=-65.0
        dm/dt = -m
    """, reset="""
        v =
            E
        m += 1.0
    """)
    assert [e.rhs for e in split.equation_defs] == [e.rhs for e in one.equation_defs]
    assert split.defaults == one.defaults
    assert [(s.name, s.op, s.rhs) for s in split.reset_defs] == [(s.name, s.op, s.rhs) for s in one.reset_defs]


def test_expressions_printed_from_the_tree_with_minimal_parentheses():
    """Expressions are printed by ast.unparse: no parenthesis the tree does not need."""
    neuron = ann.Neuron(parameters="a = 1.0\nb = 2.0", equations="dv/dt = ((a + b) + v) * (b) - a ^ 2 : euler")
    source = _kernel_source(neuron)
    assert "_new_v = v + _dt * ((a + b + v) * b - a ** 2)" in source
    assert "# dv/dt = ((a + b) + v) * (b) - a ^ 2 : euler" in source


def test_comments_are_one_line_each():
    """A comment never spans lines, whatever the text it quotes."""
    neuron = ann.Neuron(equations="dv/dt = -v", name="a\nb\rc")
    source = _kernel_source(neuron)
    assert "# population p0: update (a\\nb\\rc)" in source
    assert all(not line.strip().startswith("b") for line in source.splitlines())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(equations="dv/dt = " + " + ".join(["v"] * 1000)), r"line 1: expression too deeply nested"),
        (dict(equations="dv/dt = " + "-" * 500 + "v"), r"line 1: expression too deeply nested"),
        (dict(equations="dv/dt = " + "(" * 300 + "v" + ")" * 300), r"line 1: (syntax error|expression too deeply)"),
        (dict(equations="dv/dt = -v + " + "1.0 * " * 2000 + "1.0"), r"line 1: expression too long"),
        (dict(equations="dv/dt = -v + 1e999"), r"line 1: only numbers are allowed, got inf"),
        (dict(equations="dv/dt = -v + " + "9" * 400), r"line 1: only numbers are allowed, got 999"),
        (dict(equations="dv/dt = -v + 1j"), r"line 1: only numbers are allowed, got 1j"),
        (dict(equations="dv/dt = -v + ..."), r"line 1: only numbers are allowed, got Ellipsis"),
        (dict(equations="dv/dt = -v\x00"), r"line 1: (syntax error|cannot read the text)"),
        (dict(parameters="tau = 1 / 0", equations="dv/dt = -v"), r"parameters, line 1: cannot compute '1 / 0'"),
        (dict(parameters="tau = 10.0 ** 400", equations="dv/dt = -v"), r"parameters, line 1: cannot compute"),
        (dict(parameters={"tau": "ten"}, equations="dv/dt = -v / tau"),
         r"Neuron 'Neuron' parameters: 'tau' must be a finite number, got 'ten'"),
        (dict(parameters={"tau = 1\nx": 1.0}, equations="dv/dt = -v"), r"is not a valid parameter name"),
        (dict(parameters="vé = 1.0", equations="dv/dt = -v"), r"parameters, line 1: expected 'name = value'"),
        (dict(equations="dv/dt = -v", name=3), r"Neuron: name must be a string, got int"),
        (dict(equations=["dv/dt = -v"]), r"equations must be text, got list"),
        (dict(equations="dv/dt = -v", spike=1.0), r"spike must be text"),
        (dict(equations="dv/dt = -v : min=2^x"), r"unknown name 'x'"),
    ],
)
def test_malformed_text_raises_model_error_with_location(kwargs, message):
    """Each malformed model is refused at definition with a ModelError naming where."""
    with pytest.raises(ModelError, match=message):
        ann.Neuron(**kwargs)


def test_flags_are_stored_as_checked_expressions():
    """A bound is kept as printed from its checked tree (ANNarchy's ^ included), never as written."""
    neuron = ann.Neuron(parameters="b = 2.0", equations="dv/dt = 1.0 : min=b^2, max = (b)*10")
    assert (neuron.equation_defs[0].min, neuron.equation_defs[0].max) == ("b ** 2", "b * 10")


# --------------------------------------------------------------------- properties
_TOKENS = ["v", "tau", "x", "g_exc", "t", "dt", "pi", "__import__", "__class__", "os", "import", "lambda",
           "exp", "exp(v)", "clip(v, 0, 1)", "Uniform(0, 1)", "foo(v)", "1e999", "10" * 50, "1j", "...",
           "+", "-", "*", "/", "^", "**", "%", "(", ")", "[", "]", "{", "}", ",", ":", ";", "=", "==",
           "<", ">", "and", "or", "not", "if", "else", ".", "'", '"', '"""', "#", "\n", "\r", "\\",
           "\x00", "=", "+=", "dv/dt", "tau * dv/dt", "init=0", "min=0", "euler", "é", "\u2028", " "]
_text = st.one_of(
    st.lists(st.sampled_from(_TOKENS), max_size=14).map(" ".join),
    st.lists(st.sampled_from(_TOKENS), max_size=14).map("".join),
    st.text(alphabet=string.printable + "é\x00\u2028", max_size=60),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(equations=_text, spike=_text, reset=_text, name=_text, parameters=_text)
def test_random_text_is_refused_or_generates_safe_source(equations, spike, reset, name, parameters):
    """Random and malformed text: a ModelError with a location, or a model whose kernel is safe."""
    try:
        neuron = ann.Neuron(parameters="tau = 10.0\n" + parameters.replace("tau", "tau2"),
                            equations="dv/dt = -v / tau\n" + equations, spike=spike or None,
                            reset=reset, name=name)
    except ModelError as exc:
        assert ", line " in str(exc) or "parameter" in str(exc) or "cannot be used" in str(exc), str(exc)
        return
    source = _kernel_source(neuron)
    compile(source, "<kernel>", "exec")
    _assert_only_generated_calls(source)


def test_kernel_cache_holds_no_broken_file(tmp_path, monkeypatch):
    """A kernel whose source does not parse never enters the cache (the file is written only if it does)."""
    from dasksnn.engine.cache import load_kernel

    monkeypatch.setenv("DASKSNN_CACHE_DIR", str(tmp_path))
    with pytest.raises(SyntaxError):
        load_kernel("def kernel(:\n    pass\n")
    assert sorted(p.suffix for p in Path(tmp_path).iterdir()) in ([], [".lock"])
    assert not any(p.suffix in (".py", ".tmp") for p in Path(tmp_path).iterdir())
    assert os.listdir(tmp_path) is not None


_leaf = st.one_of(st.sampled_from(["v", "tau", "pi", "dt"]),
                  st.floats(min_value=-5.0, max_value=5.0, allow_nan=False).map(repr),
                  st.integers(min_value=0, max_value=3).map(str))


def _combine(children: st.SearchStrategy) -> st.SearchStrategy:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "^", "**"]), children).map(
        lambda t: f"({t[0]}) {t[1]} ({t[2]})" if t[1] in "^**" else f"{t[0]} {t[1]} {t[2]}")
    unary = children.map(lambda c: f"-{c}")
    call = st.tuples(st.sampled_from(["exp", "abs", "tanh", "min", "max", "clip", "ite"]), children, children,
                     children).map(_call)
    return st.one_of(binary, unary, call, children.map(lambda c: f"({c})"))


def _call(t: tuple) -> str:
    name, a, b, c = t
    if name in ("exp", "abs", "tanh"):
        return f"{name}({a})"
    if name in ("min", "max"):
        return f"{name}({a}, {b})"
    if name == "clip":
        return f"clip({a}, {b}, {c})"
    return f"ite({a} > {b} and {b} <= {c}, {a}, {c})"


@settings(max_examples=300, deadline=None)
@given(text=st.recursive(_leaf, _combine, max_leaves=12))
def test_printed_expressions_compute_what_the_user_wrote(text):
    """ast.unparse keeps the meaning: the generated expression, alone or as an operand, gives
    the value of the expression as written (ANNarchy's ^ read as a power)."""
    import math

    from dasksnn.codegen.translate import translate
    from dasksnn.model.expressions import Source, parse_expression

    tree = parse_expression(text, {"v", "tau"}, Source("test", 1, text))
    names = {"v": 0.7, "tau": 1.3, "pi": math.pi, "dt": 0.1}
    functions = {"exp": math.exp, "abs": abs, "tanh": math.tanh, "min": min, "max": max,
                 "clip": lambda x, a, b: min(max(x, a), b), "ite": lambda c, a, b: a if c else b}
    generated = {"_math": math, "_dt": 0.1, "v": 0.7, "tau": 1.3, "abs": abs, "min": min, "max": max}
    try:
        expected = eval(compile(ast.Expression(tree), "<expected>", "eval"), {**functions, **names})
        product = 3.0 * expected
    except (ArithmeticError, ValueError, TypeError):
        return  # overflow, 0 ** -1, a complex power: nothing to compare
    if not isinstance(expected, float | int) or not math.isfinite(product):
        return
    for source, want in ((translate(tree), expected), ("3.0 * " + translate(tree, operand_of="*"), product),
                         ("3.0 * " + translate(tree, invariant=frozenset({"tau"}), operand_of="*"), product)):
        got = eval(source, dict(generated))
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), (text, source)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(equations="dv/dt = -v", spike="v > 1", refractory="nan"), r"refractory must be a number of ms >= 0"),
        (dict(equations="dv/dt = -v", spike="v > 1", refractory="-1"), r"refractory must be a number of ms >= 0"),
        (dict(equations="dv/dt = -v + g_é"), r"line 1: unknown name 'g_é'"),
    ],
)
def test_values_that_would_reach_the_source_are_checked(kwargs, message):
    """A refractory period given as text, or a non-ASCII input name, is checked like the rest."""
    with pytest.raises(ModelError, match=message):
        ann.Neuron(**kwargs)


@pytest.mark.parametrize("kind", ["Population", "Projection", "Monitor"])
def test_object_names_must_be_text(kind):
    """A name is text: it keys a projection's connectivity stream and names results."""
    pop = ann.Population(3, ann.Izhikevich)
    make = {"Population": lambda: ann.Population(3, ann.Izhikevich, name=5),
            "Projection": lambda: ann.Projection(pop, pop, "exc", name=5),
            "Monitor": lambda: ann.Monitor(pop, "spike", name=5)}[kind]
    with pytest.raises(ann.NetworkError, match=rf"{kind}: name must be a non-empty string"):
        make()
