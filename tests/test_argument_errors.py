"""Bad arguments of parallel_run, sweep and ds.snn: each error has its class, its built-in base and
its message, and comes before any cluster starts or any kernel compiles."""

import threading

import numpy as np
import pytest
import xarray as xr

import dasksnn as ann
from dasksnn.errors import ArgumentError, ArgumentTypeError, DasksnnError, ModelError, NetworkError, RunError


class Tripped(BaseException):
    """Raised by a tripwire; not an Exception, so that no handler in dasksnn catches it."""


@pytest.fixture
def nothing_starts(monkeypatch):
    """Fail the test if a call gets as far as compiling a network or asking for a Dask client.

    ``get_client`` is what starts dasksnn's LocalCluster (or finds the active client);
    ``LocalCluster`` itself is watched too, and the LocalCluster dasksnn keeps must not change.
    """
    from dasksnn.parallel import scheduler, timing

    reached = []

    def tripwire(what):
        def trip(*args, **kwargs):
            reached.append(what)
            raise Tripped(what)
        return trip

    before = scheduler._local
    monkeypatch.setattr(timing, "_warmed", set())  # structures compiled by earlier tests are compiled again
    monkeypatch.setattr(ann.Network, "compile", tripwire("Network.compile"))
    monkeypatch.setattr(scheduler, "get_client", tripwire("get_client"))
    monkeypatch.setattr(scheduler, "LocalCluster", tripwire("LocalCluster"))
    yield reached
    assert reached == []
    assert scheduler._local is before


def test_the_tripwires_catch_a_call_that_gets_through(nothing_starts):
    """Good arguments get as far as compiling (parallel_run, sweep) and asking for a client."""
    from dasksnn.parallel.scheduler import client_for

    small_network()
    with pytest.raises(Tripped, match=r"Network\.compile"):
        ann.parallel_run(method=simulation, number=2, rate=[1.0, 2.0])
    with pytest.raises(Tripped, match=r"Network\.compile"):
        ann.sweep(build, GRID, duration=10.0)
    with pytest.raises(Tripped, match="get_client"):
        client_for(False, None, -1, {})
    assert nothing_starts == ["Network.compile", "Network.compile", "get_client"]
    nothing_starts.clear()


def expect(call, error, builtin, match):
    """``call()`` raises ``error`` (a ``builtin`` too) with a message matching ``match``."""
    assert issubclass(error, DasksnnError) and issubclass(error, builtin)
    with pytest.raises(error, match=match) as info:
        call()
    assert isinstance(info.value, builtin) and isinstance(info.value, DasksnnError)
    return info.value


def small_network():
    """Objects at module level: the default network that ``number=`` copies."""
    ann.setup(dt=0.1, seed=2)
    inp = ann.PoissonPopulation(10, rates=10.0, name="inp")
    pop = ann.Population(10, ann.IF_curr_exp(), name="pop")
    ann.Projection(inp, pop, "exc").connect_fixed_probability(0.5, weights=1.0)
    ann.Monitor(pop, "spike")
    return inp


def simulation(idx, net, rate):
    return rate


# ---------------------------------------------------------------------------- parallel_run
PARALLEL_RUN = [
    (dict(method="simulation", number=1), ArgumentTypeError, TypeError,
     r"^parallel_run: method must be a function method\(idx, net, ...\), got 'simulation'$"),
    (dict(rate=[]), ArgumentError, ValueError,
     r"^parallel_run: give networks=\[...\] or number >= 1 \(copies of the default network\), got number=0$"),
    (dict(number="2", rate=[1.0, 2.0]), ArgumentTypeError, TypeError, r"give networks=\[...\] or number >= 1 .*got number='2'"),
    (dict(networks="net", rate=[1.0]), ArgumentTypeError, TypeError,
     r"^parallel_run: networks must be a non-empty list of Network objects, got 'net' \(for one network, pass "
     r"networks=\[net\]\)$"),
    (dict(networks=ann.Network(), rate=[1.0]), ArgumentTypeError, TypeError,
     r"^parallel_run: networks must be a non-empty list of Network objects, got .*Network.* \(for one network, pass "
     r"networks=\[net\]\)$"),
    (dict(networks=[], rate=[]), ArgumentError, ValueError, r"^parallel_run: networks must be a non-empty list of Network objects, got \[\]$"),
    (dict(networks=[ann.Network(), "net"], rate=[1.0, 2.0]), ArgumentTypeError, TypeError,
     r"^parallel_run: networks must hold Network objects, got 'net' at index 1$"),
    (dict(networks=[ann.Network()], number=2, rate=[1.0]), ArgumentError, ValueError,
     r"^parallel_run: number=2 but 1 networks were given; give one of them$"),
    (dict(number=5, rate=[1.0, 2.0, 3.0]), ArgumentError, ValueError,
     r"^parallel_run: argument 'rate' has 3 values for 5 runs; give one value per run$"),
    (dict(number=2, rate=3.0), ArgumentTypeError, TypeError,
     r"^parallel_run: argument 'rate' must be a list with one value per run \(2\), got 3.0$"),
    (dict(number=1, rate={"a": 1.0}), ArgumentTypeError, TypeError, r"argument 'rate' must be a list with one value per run"),
    (dict(number=1, rate=np.array(1.0)), ArgumentTypeError, TypeError, r"argument 'rate' must be a list with one value per run"),
    (dict(number=2), ArgumentTypeError, TypeError,
     r"^parallel_run: method\(idx, net, rate\) cannot be called as method\(idx, net\): missing a required argument: 'rate'$"),
    (dict(number=1, rate=[1.0], tau=[2.0]), ArgumentTypeError, TypeError,
     r"cannot be called as method\(idx, net, rate=..., tau=...\): got an unexpected keyword argument 'tau'"),
    (dict(number=1, rate=[1.0], max_processes=0), ArgumentError, ValueError,
     r"^parallel_run: max_processes must be a whole number >= 1 or -1 \(all cores\), got 0$"),
    (dict(number=1, rate=[1.0], max_processes=2.5), ArgumentTypeError, TypeError, r"max_processes must be a whole number"),
    (dict(number=1, rate=[1.0], seed=-1), ArgumentError, ValueError,
     r"^parallel_run: seed must be a whole number >= 0, a numpy SeedSequence or None, got -1$"),
    (dict(number=1, rate=[1.0], seed="7"), ArgumentTypeError, TypeError, r"^parallel_run: seed must be a whole number >= 0"),
    (dict(number=1, rate=[1.0], client="tcp://127.0.0.1:8786"), ArgumentTypeError, TypeError,
     r"^parallel_run: client must be a distributed.Client \(or None: .*\), got 'tcp://127.0.0.1:8786'; for a "
     r"cluster object, pass Client\(cluster\)$"),
    (dict(number=2, rate=[1.0, threading.Lock()]), ArgumentTypeError, TypeError,
     r"^parallel_run: value 1 of argument 'rate' cannot be sent to the Dask workers: cloudpickle cannot pickle it "
     r"\(TypeError: cannot pickle '_thread.lock' object\)\. To fix, pass plain data instead"),
    (dict(number=1, rate=[[1.0, threading.Lock()]]), ArgumentTypeError, TypeError,
     r"value 0 of argument 'rate' cannot be sent .*: cloudpickle cannot pickle its item 1 \(a _thread.lock\)"),
]


@pytest.mark.parametrize(("kwargs", "error", "builtin", "match"), PARALLEL_RUN)
def test_parallel_run_bad_arguments(nothing_starts, kwargs, error, builtin, match):
    small_network()
    expect(lambda: ann.parallel_run(**{"method": simulation, **kwargs}), error, builtin, match)


def test_parallel_run_without_objects(nothing_starts):
    expect(lambda: ann.parallel_run(method=simulation, number=1, rate=[1.0]), NetworkError, ValueError,
           r"^parallel_run: number= runs copies of the default network, which has no population; create the "
           r"objects at module level, or pass networks=\[...\]$")


def test_method_closing_over_a_lock_fails_before_the_cluster_starts(nothing_starts):
    small_network()
    lock = threading.Lock()

    def locked(idx, net, rate):
        with lock:
            return rate

    error = expect(lambda: ann.parallel_run(method=locked, number=2, rate=[1.0, 2.0]), ArgumentTypeError, TypeError,
                   r"^parallel_run: method '.*locked' cannot be sent to the Dask workers: cloudpickle cannot pickle "
                   r"its captured variable 'lock' \(a _thread.lock\) \(TypeError: cannot pickle '_thread.lock' "
                   r"object\)\. To fix, define it at module level and pass what a run needs as arguments")
    assert isinstance(error.__cause__, TypeError)


def test_lambda_holding_an_open_file_fails_before_the_cluster_starts(nothing_starts, tmp_path):
    small_network()
    with open(tmp_path / "log.txt", "w") as log:
        expect(lambda: ann.parallel_run(method=lambda idx, net: log.write(f"{idx}\n"), number=2),
               ArgumentTypeError, TypeError,
               r"^parallel_run: method '.*<lambda>' cannot be sent to the Dask workers: cloudpickle cannot pickle "
               r"its captured variable 'log' \(a _io.TextIOWrapper\)")
        expect(lambda: ann.parallel_run(method=lambda idx, net, out=log: out, number=2),
               ArgumentTypeError, TypeError, r"cloudpickle cannot pickle its default value of 'out' \(a _io.TextIOWrapper\)")


class Runner:
    def __init__(self):
        self.lock = threading.Lock()

    def run(self, idx, net):
        with self.lock:
            return idx


def test_bound_method_and_partial_name_what_cannot_be_pickled(nothing_starts):
    import functools

    small_network()
    expect(lambda: ann.parallel_run(method=Runner().run, number=1), ArgumentTypeError, TypeError,
           r"^parallel_run: method 'Runner.run' cannot be sent to the Dask workers: cloudpickle cannot pickle its "
           r"attribute 'lock' of the method's object \(a _thread.lock\)")
    expect(lambda: ann.parallel_run(method=functools.partial(simulation, rate=threading.Lock()), number=1),
           ArgumentTypeError, TypeError,
           r"^parallel_run: method functools.partial\(.*\) cannot be sent .*: cloudpickle cannot pickle its "
           r"partial argument 'rate' \(a _thread.lock\)")


def test_unpicklable_method_runs_in_this_process():
    """sequential=True sends nothing: a method that closes over a lock still runs."""
    pop = ann.Population(2, ann.Izhikevich(i_offset=5.0), name="two")
    lock = threading.Lock()

    def locked(idx, net, scale):
        with lock:
            net.simulate(1.0)
            return scale * net.get(pop).size

    assert ann.parallel_run(method=locked, number=2, scale=[1, 2], sequential=True, progress=False) == [2, 4]


def test_run_error_carries_the_run():
    small_network()

    def failing(idx, net, rate):
        if idx == 1:
            raise ValueError("diverged")
        return rate

    error = expect(lambda: ann.parallel_run(method=failing, number=3, rate=[1.0, 2.0, 3.0], seed=1,
                                            sequential=True, progress=False),
                   RunError, RuntimeError, r"^parallel_run: run 1 failed \(arguments \{'rate': 2.0\}, seed \d+; the "
                   r"other runs were cancelled\):\nValueError: diverged")
    assert (error.run, error.arguments) == (1, {"rate": 2.0}) and isinstance(error.seed, int)
    import pickle

    again = pickle.loads(pickle.dumps(error))
    assert (str(again), again.run, again.arguments, again.seed) == (str(error), 1, {"rate": 2.0}, error.seed)


# ---------------------------------------------------------------------------- sweep
def build(we, wi):
    ann.setup(dt=0.1)
    inp = ann.PoissonPopulation(10, rates=10.0, name="inp")
    pop = ann.Population(10, ann.IF_curr_exp(), name="pop")
    ann.Projection(inp, pop, "exc").connect_fixed_probability(0.5, weights=we)
    ann.Projection(pop, pop, "inh").connect_fixed_probability(0.5, weights=wi)
    ann.Monitor(pop, "spike")


GRID = {"we": [1.0], "wi": [1.0]}

SWEEP = [
    (dict(build=3), ArgumentTypeError, TypeError,
     r"^sweep: build must be a function build\(\*\*params\) that makes the network, got 3$"),
    (dict(params=[1.0]), ArgumentTypeError, TypeError,
     r"^sweep: params must be a dict of parameter name to a list of values, got \[1.0\]$"),
    (dict(params={1: [1.0]}), ArgumentTypeError, TypeError,
     r"^sweep: parameter name 1 must be a Python identifier other than run, trial, seed, status, error$"),
    (dict(params={"trial": [1.0]}), ArgumentError, ValueError, r"^sweep: parameter name 'trial' must be a Python identifier"),
    (dict(params={"we": [], "wi": [1.0]}), ArgumentError, ValueError,
     r"^sweep: parameter 'we' needs a non-empty 1-D list of numbers or strings, got \[\]$"),
    (dict(params={"we": 1.0, "wi": [1.0]}), ArgumentError, ValueError, r"parameter 'we' needs a non-empty 1-D list"),
    (dict(params={"we": [1.0, 1.0], "wi": [1.0]}), ArgumentError, ValueError,
     r"^sweep: parameter 'we' repeats a value \(\[1.0, 1.0\]\); use trials= to repeat runs$"),
    (dict(trials=0), ArgumentError, ValueError, r"^sweep: trials must be a whole number >= 1, got 0$"),
    (dict(trials=2.0), ArgumentTypeError, TypeError, r"^sweep: trials must be a whole number >= 1, got 2.0$"),
    (dict(duration=-1), ArgumentError, ValueError, r"^sweep: duration must be a number of ms > 0, got -1$"),
    (dict(duration=np.inf), ArgumentError, ValueError, r"^sweep: duration must be a number of ms > 0, got inf$"),
    (dict(duration="100"), ArgumentTypeError, TypeError, r"^sweep: duration must be a number of ms > 0, got '100'$"),
    (dict(rate_bin=0.0), ArgumentError, ValueError,
     r"^sweep: rate_bin must be a number of ms > 0 \(a multiple of dt\) or None, got 0.0$"),
    (dict(rate_bin="1"), ArgumentTypeError, TypeError, r"^sweep: rate_bin must be a number of ms > 0"),
    (dict(errors="ignore"), ArgumentError, ValueError, r"^sweep: errors must be 'raise' or 'record', got 'ignore'$"),
    (dict(store=3), ArgumentTypeError, TypeError, r"^sweep: store must be a path \(str or os.PathLike\) or None, got 3$"),
    (dict(params={"we": [1.0]}), ArgumentTypeError, TypeError,
     r"^sweep: build cannot be called with the parameters we: missing a required argument: 'wi'$"),
    (dict(max_processes=-2), ArgumentError, ValueError, r"^sweep: max_processes must be a whole number >= 1 or -1"),
    (dict(seed=-1), ArgumentError, ValueError, r"^sweep: seed must be a whole number >= 0"),
    (dict(seed=1.5), ArgumentTypeError, TypeError, r"^sweep: seed must be a whole number >= 0"),
    (dict(client=object()), ArgumentTypeError, TypeError, r"^sweep: client must be a distributed.Client"),
]


@pytest.mark.parametrize(("kwargs", "error", "builtin", "match"), SWEEP)
def test_sweep_bad_arguments(nothing_starts, kwargs, error, builtin, match):
    expect(lambda: ann.sweep(**{"build": build, "params": GRID, "duration": 10.0, **kwargs}), error, builtin, match)


def test_sweep_build_closing_over_a_lock(nothing_starts):
    lock = threading.Lock()

    def locked_build(we, wi):
        with lock:
            build(we, wi)

    expect(lambda: ann.sweep(locked_build, GRID, duration=10.0), ArgumentTypeError, TypeError,
           r"^sweep: build '.*locked_build' cannot be sent to the Dask workers: cloudpickle cannot pickle its "
           r"captured variable 'lock' \(a _thread.lock\)")


def test_sweep_errors_found_by_building_run_0(nothing_starts):
    """Run 0 is built in this process first; what it raises comes out as it is, noted with the run."""
    expect(lambda: ann.sweep(lambda: 3, duration=10.0), ArgumentTypeError, TypeError,
           r"^sweep: build\(\) returned 3; it must return a Network or nothing \(objects made at module level\)"
           r"\nsweep: raised by run 0 \(parameters \{\}, trial 0, seed \d+\), built in this process before any run "
           r"started$")
    expect(lambda: ann.sweep(lambda: None, duration=10.0), NetworkError, ValueError,
           r"^sweep: build\(\) made a network without populations; create them in build, or return the Network")
    expect(lambda: ann.sweep(build, GRID, duration=10.0, rate_bin=0.25), NetworkError, ValueError,
           r"^sweep: rate_bin=0.25 ms must be a positive multiple of dt = 0.1 ms$")
    expect(lambda: ann.sweep(lambda we: ann.Neuron(equations="dv/dt = -v", spike="v"), {"we": [1.0]},
                             duration=10.0, errors="record"),
           ModelError, ValueError, r"raised by run 0 \(parameters \{'we': 1.0\}")


def test_store_that_is_not_this_sweep(nothing_starts, tmp_path):
    import zarr

    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("mine")
    expect(lambda: ann.sweep(build, GRID, duration=10.0, store=tmp_path / "notes"), ArgumentError, ValueError,
           r"^store '.*notes' exists and is not a Zarr store; choose another path$")
    zarr.open_group(tmp_path / "other.zarr", mode="w")
    expect(lambda: ann.sweep(build, GRID, duration=10.0, store=tmp_path / "other.zarr"), ArgumentError, ValueError,
           r"^store '.*other.zarr' exists but is not a dasksnn sweep; choose another path or delete it$")
    group = zarr.open_group(tmp_path / "sweep.zarr", mode="w")
    group.attrs.update({"sweep": '{"build": "another"}', "seed": 1})
    group.create_array("status", shape=(1,), dtype="int8")
    expect(lambda: ann.sweep(build, GRID, duration=10.0, store=tmp_path / "sweep.zarr"), ArgumentError, ValueError,
           r"^store '.*sweep.zarr' holds another sweep \(parameters, trials, duration or seed differ\)")


# ---------------------------------------------------------------------------- ds.snn
def spikes_dataset(populations, runs=None):
    """A result dataset with ragged spikes of ``populations`` (of a sweep of ``runs`` runs)."""
    data = {}
    for name in populations:
        data[f"{name}_spike_time"] = (f"{name}_spike", np.array([1.0, 2.0]))
        data[f"{name}_spike_neuron"] = (f"{name}_spike", np.array([0, 1]))
        if runs:
            data[f"{name}_spike_start"] = ("run", np.zeros(runs, np.int64))
            data[f"{name}_spike_stop"] = ("run", np.full(runs, 2))
    return xr.Dataset(data, {"run": np.arange(runs)} if runs else {})


def test_accessor_bad_arguments():
    one, two, sweep = spikes_dataset(["exc"]), spikes_dataset(["exc", "inh"]), spikes_dataset(["exc"], runs=2)
    expect(lambda: one.snn.grid(), ArgumentError, ValueError, r"^grid\(\) needs a sweep dataset \(with a 'run' dimension\)$")
    expect(lambda: one.snn.spikes(population="inp"), ArgumentError, ValueError,
           r"^spikes\(\): no spikes of 'inp' \(recorded: exc\)$")
    expect(lambda: two.snn.spikes(), ArgumentError, ValueError, r"^spikes\(\): give population= one of exc, inh$")
    expect(lambda: sweep.snn.spikes(), ArgumentError, ValueError, r"^spikes\(\): this is a sweep; give run= ")
    assert [a.tolist() for a in sweep.snn.spikes(run=1)] == [[1.0, 2.0], [0, 1]]


def test_rate_bin_of_the_wrong_type():
    pop = ann.Population(3, ann.Izhikevich, name="p")
    mon = ann.Monitor(pop, "spike")
    expect(lambda: mon.to_xarray(rate_bin="1"), ArgumentTypeError, TypeError,
           r"rate_bin must be a number of ms \(a multiple of dt = 1.0 ms\) or None, got '1'$")
