"""The batch command: ``dasksnn run`` an experiment file into a store, ``dasksnn status``."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import dasksnn as ann
from dasksnn.cli import lifetime_args, load_experiment, main
from dasksnn.errors import ArgumentError

EXPERIMENT = textwrap.dedent('''
    import dasksnn as ann

    def build(rate, w):
        inp = ann.PoissonPopulation(20, rates=rate, name="inp")
        pop = ann.Population(10, ann.IF_curr_exp, name="pop")
        ann.Projection(inp, pop, "exc").connect_fixed_probability(0.5, weights=w)
        ann.Monitor(pop, "spike")
        if w < 0:
            raise ValueError("negative weight")

    params = {"rate": [20.0, 40.0], "w": [0.5, -1.0]}
    duration = 50.0
    trials = 2
    seed = 7
''')


@pytest.fixture
def experiment(tmp_path):
    path = tmp_path / "experiment.py"
    path.write_text(EXPERIMENT)
    return path


def test_run_then_status_then_resume(experiment, tmp_path, capsys):
    """A sweep streamed into a store; failures recorded with their message; resume computes nothing done."""
    store = tmp_path / "results.zarr"
    assert main(["run", str(experiment), "--store", str(store), "--sequential"]) == 1  # some runs failed
    out = capsys.readouterr().out
    assert f"{store}: 8 runs: 4 done, 4 failed, 0 missing" in out
    assert "run 2 (rate=np.float64(20.0), w=np.float64(-1.0), trial 0): ValueError: negative weight" in out \
        or "run 2 (rate=20.0, w=-1.0, trial 0): ValueError: negative weight" in out
    assert main(["status", str(store)]) == 1
    assert "8 runs: 4 done, 4 failed, 0 missing" in capsys.readouterr().out
    # the store is the sweep's own: the same seed gives the same spikes as a direct call
    ds = ann.open_results(store)
    direct = ann.sweep(load_experiment(experiment)["build"], {"rate": [20.0, 40.0], "w": [0.5, -1.0]}, trials=2,
                       duration=50.0, seed=7, errors="record", sequential=True, progress=False)
    np.testing.assert_array_equal(ds["pop_spike_count"].values, direct["pop_spike_count"].values)
    assert main(["run", str(experiment), "--store", str(store), "--sequential"]) == 2
    assert "exists; pass --resume" in capsys.readouterr().err
    assert main(["run", str(experiment), "--store", str(store), "--sequential", "--resume"]) == 1


def test_bad_experiment_files_are_refused(tmp_path, capsys):
    """A file without build, params or duration, or no file at all: exit status 2 and what is missing."""
    bad = tmp_path / "bad.py"
    bad.write_text("params = {'x': [1]}\n")
    assert main(["run", str(bad), "--store", str(tmp_path / "s.zarr")]) == 2
    assert "must define build, duration" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "none.py"), "--store", str(tmp_path / "s.zarr")]) == 2
    assert "no experiment file" in capsys.readouterr().err
    assert main(["status", str(tmp_path / "none.zarr")]) == 2


@pytest.mark.parametrize(("kind", "directive"), [("slurm", "#SBATCH"), ("pbs", "#PBS")])
def test_job_script_shows_settings_and_worker_environment(kind, directive, experiment, tmp_path, capsys):
    """--job-script prints what would be submitted: overrides and dasksnn's worker environment."""
    pytest.importorskip("dask_jobqueue")
    code = main(["run", str(experiment), "--store", str(tmp_path / "s.zarr"), "--cluster", kind, "--job-script",
                 "--cores", "2", "--memory", "4GB", "--walltime", "01:30:00", "--queue", "short"])
    script = capsys.readouterr().out
    assert code == 0
    assert directive in script and "01:30:00" in script and "short" in script
    for name, value in ann.worker_environment().items():
        assert f"export {name}={value}" in script
    assert "--lifetime 4950s --lifetime-stagger 360s" in script  # retires before the walltime


def test_workers_retire_before_the_walltime():
    assert lifetime_args("01:00:00") == ["--lifetime", "3300s", "--lifetime-stagger", "240s"]  # as dask-jobqueue advises
    assert lifetime_args("90") == ["--lifetime", "4950s", "--lifetime-stagger", "360s"]
    assert lifetime_args("1-00:00:00")[1] == "79200s"
    assert lifetime_args("02:00") == ["--lifetime", "60s", "--lifetime-stagger", "8s"]
    with pytest.raises(ArgumentError, match="not HH:MM:SS"):
        lifetime_args("soon")


def test_command_line_entry_point(experiment, tmp_path):
    """``python -m dasksnn`` is the same command (as the installed ``dasksnn`` script)."""
    result = subprocess.run([sys.executable, "-m", "dasksnn", "status", str(tmp_path / "missing.zarr")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "no store at" in result.stderr
    result = subprocess.run([sys.executable, "-m", "dasksnn", "run", "--help"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and "experiment file" in result.stdout


def test_run_on_the_local_cluster_equals_sequential(experiment, tmp_path, capsys):
    """The default cluster (dasksnn's LocalCluster) gives the store a sequential run gives."""
    local, sequential = tmp_path / "local.zarr", tmp_path / "sequential.zarr"
    assert main(["run", str(experiment), "--store", str(local), "--jobs", "1"]) == 1
    assert main(["run", str(experiment), "--store", str(sequential), "--sequential"]) == 1
    a, b = ann.open_results(local), ann.open_results(sequential)
    np.testing.assert_array_equal(a["pop_spike_count"].values, b["pop_spike_count"].values)
    np.testing.assert_array_equal(a["status"].values, b["status"].values)
