"""The engine's seams: builder, backend, simulator, layout and the build scope."""

import pickle
import threading

import numpy as np
import pytest

import dasksnn as ann
from dasksnn.codegen.layout import Control, Layout, Status
from dasksnn.engine import Simulator, build, register, structure


def _network(seed=1):
    """A network made apart from the default one, as a sweep's build makes it."""
    with ann.building(seed=seed, dt=0.1) as made:
        inp = ann.PoissonPopulation(50, rates=50.0, name="inp")
        pop = ann.Population(20, ann.IF_cond_exp, name="pop")
        ann.Projection(inp, pop, "exc").connect_fixed_probability(0.3, weights=0.05, delays=1.0)
        ann.Monitor(pop, ["spike", "v"], name="m")
    return made.network


def test_builder_gives_plain_arrays_named_by_the_layout():
    """build() returns the structure and every array under its Layout name, without compiling."""
    net = _network()
    made = build(net)
    assert made.spec == structure(net) == net.structure()
    pop = net.get_population("pop")
    assert made.arrays[Layout.variable(1, "v")] is pop.value_arrays["v"]  # shared, not copied
    assert made.arrays[Layout.synapses(0, "post")].dtype == np.int32
    assert made.arrays[Layout.control(0)].shape == (len(Control),)
    assert made.spec.projections[0].delayed
    assert not net.compiled


def test_structure_is_known_before_drawing_and_decides_the_kernel():
    """Equal structures share a kernel; a delay that cannot reach one step needs no ring buffer."""
    assert _network(1).structure() == _network(2).structure()
    net = _network()
    net.get_projections()[0]._delays = 0.04  # less than half a step of 0.1 ms
    assert not net.structure().projections[0].delayed


def test_registered_build_function_is_found_through_the_class_hierarchy():
    """A subclass of Population is built by Population's function unless it registers its own."""
    class Tagged(ann.Population):
        pass

    calls = []

    @register(Tagged)
    def build_tagged(context, pop, index):
        calls.append(index)
        from dasksnn.engine.builder import _build_population

        _build_population(context, pop, index)

    with ann.building(dt=1.0) as made:
        Tagged(3, ann.Izhikevich)
    build(made.network)
    assert calls == [0]


def test_simulator_status_codes_and_buffer_growth():
    """A monitor whose spike buffer fills makes the kernel return early; nothing is lost."""
    assert [s.value for s in Status] == [0, 1, 2, 3]
    pop = ann.Population(5, ann.IF_curr_exp(i_offset=5.0, tau_refrac=0.0))
    m = ann.Monitor(pop, "spike")
    ann.compile()
    simulator = ann.default_network().simulator
    assert isinstance(simulator, Simulator)
    ann.simulate(1000.0)
    spikes = m.get("spike")
    counts = [len(s) for s in spikes.values()]
    assert min(counts) > 16  # more than the initial buffer holds per neuron


def test_compiled_network_pickles_without_its_kernel_function():
    """The kernel's compiled function does not travel; the copy loads it and goes on identically."""
    net = _network()
    net.compile()
    net.simulate(20.0)
    copy = pickle.loads(pickle.dumps(net))
    assert copy.simulator.kernel.function is None
    net.simulate(30.0)
    copy.simulate(30.0)
    a = net.get_monitors()[0].get("spike")
    b = copy.get_monitors()[0].get("spike")
    assert a == b


def test_building_scopes_are_private_to_each_thread():
    """Two threads building at once each get their own default network; the module's is untouched."""
    outer = ann.default_network()
    made = {}
    barrier = threading.Barrier(2)

    def make(name, size):
        with ann.building(seed=3) as scope:
            barrier.wait()
            ann.Population(size, ann.Izhikevich, name=name)
            barrier.wait()
            made[name] = scope.network

    threads = [threading.Thread(target=make, args=(f"p{n}", n)) for n in (3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [p.name for p in made["p3"].get_populations()] == ["p3"]
    assert [p.name for p in made["p4"].get_populations()] == ["p4"]
    assert made["p3"].seed_entropy == 3
    assert ann.default_network() is outer and not outer.get_populations()


def test_clear_inside_building_replaces_that_scope_only():
    """A build that calls clear() and setup() acts on its own scope."""
    pop = ann.Population(2, ann.Izhikevich)
    with ann.building(seed=1, dt=0.5) as scope:
        ann.Population(3, ann.Izhikevich)
        ann.clear()
        ann.setup(dt=0.25)
        ann.Population(4, ann.Izhikevich)
    assert [p.size for p in scope.network.get_populations()] == [4]
    assert scope.network.dt == 0.25
    assert ann.default_network().get_populations() == [pop] and ann.default_network().dt == 1.0


def test_reset_restores_initial_state_and_time():
    """reset() goes back to the compiled values; the same run again gives the same spikes."""
    net = _network()
    net.compile()
    m = net.get_monitors()[0]
    net.simulate(50.0)
    first = m.get("spike")
    net.reset()
    net.set_seed(1)
    assert net.get_time() == 0.0
    net.simulate(50.0)
    assert net.get_time() == pytest.approx(50.0)
    assert sum(map(len, first.values())) > 0
    assert m.get("spike") == first
