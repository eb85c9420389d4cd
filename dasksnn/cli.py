"""The batch command: ``dasksnn run experiment.py`` and ``dasksnn status results.zarr``.

An experiment file is a Python file that defines what :func:`dasksnn.sweep` takes::

    import dasksnn as ann

    def build(we, wi):            # one run's network, as at module level
        ...

    params = {"we": [0.1, 0.2], "wi": [1.0, 2.0]}
    duration = 1000.0             # ms
    trials = 3                    # optional (default 1)
    seed = 42                     # optional (default: fresh entropy, stored)
    rate_bin = None               # optional

``dasksnn run`` streams the runs into ``--store`` on the cluster chosen with
``--cluster`` (``local``: dasksnn's LocalCluster; ``slurm``/``pbs``: dask-jobqueue,
configured by Dask's configuration, ``jobqueue.yaml``, with command-line overrides).
On slurm/pbs, ``--jobs`` jobs are kept by ``cluster.adapt``: a job that ends is replaced,
and workers retire a little before their walltime (``--lifetime``, staggered) so that no
run is cut off by it.
Failing runs are recorded, not fatal; ``--resume`` continues a store, computing only
the runs not done. ``dasksnn status`` tells what a store holds.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dasksnn.errors import ArgumentError, DasksnnError, RunError

__all__ = ["main", "load_experiment", "make_cluster", "lifetime_args"]

log = logging.getLogger("dasksnn")

#: what an experiment file may define besides ``build`` and ``params``
_OPTIONAL = {"trials": 1, "seed": None, "rate_bin": None}
#: dask-jobqueue cluster classes by ``--cluster`` name
_JOBQUEUE = {"slurm": "SLURMCluster", "pbs": "PBSCluster"}
#: command-line options passed to a dask-jobqueue cluster when given
_CLUSTER_OPTIONS = ("queue", "account", "walltime", "cores", "memory", "processes", "log_directory")


def load_experiment(path: str | os.PathLike) -> dict[str, Any]:
    """Read an experiment file: its ``build``, ``params``, ``duration`` and optional settings.

    The file runs as a module of its own (not ``__main__``, not importable by name), so
    that its functions travel to the workers by value.

    Raises
    ------
    ArgumentError
        If the file is missing or lacks ``build``, ``params`` or ``duration``.
    """
    file = Path(path)
    if not file.is_file():
        raise ArgumentError(f"dasksnn run: no experiment file '{file}'")
    spec = importlib.util.spec_from_file_location(f"dasksnn_experiment_{file.stem}", file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    missing = [name for name in ("build", "params", "duration") if not hasattr(module, name)]
    if missing:
        raise ArgumentError(f"dasksnn run: '{file}' must define {', '.join(missing)} (build(**values) making one "
                            "run's network, params = {name: [values]}, duration in ms); see `dasksnn run --help`")
    experiment = {name: getattr(module, name) for name in ("build", "params", "duration")}
    experiment.update({name: getattr(module, name, default) for name, default in _OPTIONAL.items()})
    return experiment


def make_cluster(kind: str, options: dict[str, Any]) -> Any:
    """A dask-jobqueue cluster of ``kind`` (``slurm`` or ``pbs``), started with dasksnn's worker environment.

    Settings not given in ``options`` come from Dask's configuration (``jobqueue.<kind>``).
    """
    try:
        import dask_jobqueue
    except ImportError:
        raise ArgumentError(f"dasksnn run --cluster {kind} needs dask-jobqueue: pip install 'dasksnn[hpc]'") from None
    import dask.config

    from dasksnn.parallel.scheduler import worker_environment

    given = {name: value for name, value in options.items() if value is not None}
    prologue = list(given.pop("job_script_prologue", None)
                    or dask.config.get(f"jobqueue.{kind}.job-script-prologue", None) or [])
    prologue += [f"export {name}={value}" for name, value in worker_environment().items()]
    extra = list(given.pop("worker_extra_args", None)
                 or dask.config.get(f"jobqueue.{kind}.worker-extra-args", None) or [])
    walltime = given.get("walltime") or dask.config.get(f"jobqueue.{kind}.walltime", None)
    if walltime and "--lifetime" not in extra:
        extra += lifetime_args(walltime)
    try:
        return getattr(dask_jobqueue, _JOBQUEUE[kind])(job_script_prologue=prologue, worker_extra_args=extra,
                                                       **given)
    except ValueError as exc:  # e.g. neither cores nor memory in the configuration
        raise ArgumentError(f"dasksnn run --cluster {kind}: {exc}; give it on the command line (--cores, "
                            f"--memory) or in jobqueue.yaml") from None


def lifetime_args(walltime: str) -> list[str]:
    """Worker arguments that retire a worker before its job's ``walltime`` ("HH:MM:SS", "MM:SS" or
    minutes), as dask-jobqueue advises: 55 minutes staggered by 4 for a walltime of one hour.

    Raises
    ------
    ArgumentError
        If ``walltime`` is not in one of these forms.
    """
    try:
        parts = [float(part) for part in str(walltime).split("-")[-1].split(":")]
        days = float(str(walltime).split("-")[0]) if "-" in str(walltime) else 0.0
    except ValueError:
        raise ArgumentError(f"dasksnn run: walltime {walltime!r} is not HH:MM:SS, MM:SS, minutes or "
                            "D-HH:MM:SS") from None
    seconds = days * 86400 + (parts[0] * 60 if len(parts) == 1 else sum(
        value * 60 ** power for power, value in enumerate(reversed(parts))))
    if seconds <= 0:
        raise ArgumentError(f"dasksnn run: walltime {walltime!r} must be positive")
    stagger = seconds / 15  # 4 minutes of an hour
    lifetime = seconds - max(60.0, seconds / 12) if seconds > 120 else seconds / 2  # 55 minutes of an hour
    return ["--lifetime", f"{int(lifetime)}s", "--lifetime-stagger", f"{int(stagger)}s"]


def _run(args: argparse.Namespace) -> int:
    import dasksnn as ann

    experiment = load_experiment(args.experiment)
    store = Path(args.store)
    if store.exists() and not args.resume:
        raise ArgumentError(f"dasksnn run: '{store}' exists; pass --resume to compute its missing runs, or choose "
                            "another --store")
    options = {name: getattr(args, name) for name in _CLUSTER_OPTIONS}
    if args.job_script:
        if args.cluster == "local":
            raise ArgumentError("dasksnn run --job-script needs --cluster slurm or pbs")
        cluster = make_cluster(args.cluster, options)
        try:
            print(cluster.job_script())
        finally:
            cluster.close()
        return 0
    seed = args.seed if args.seed is not None else experiment["seed"]
    sweep_args = dict(trials=experiment["trials"], duration=experiment["duration"], seed=seed, store=str(store),
                      errors=args.errors, rate_bin=experiment["rate_bin"], measure_time=args.measure_time)
    if args.cluster == "local":
        ds = ann.sweep(experiment["build"], experiment["params"], max_processes=args.jobs or -1,
                       sequential=args.sequential, **sweep_args)
    else:
        import dask.config
        from distributed import Client

        # a retired worker's job leaves the cluster's books after 1 s, so adapt replaces it at once
        # (Dask's default: 15 s)
        with dask.config.set({"distributed.deploy.lost-worker-timeout": "1s"}), \
                make_cluster(args.cluster, options) as cluster, Client(cluster) as client:
            cluster.adapt(minimum_jobs=args.jobs or 1, maximum_jobs=args.jobs or 1)  # replaces jobs that end
            ds = ann.sweep(experiment["build"], experiment["params"], client=client, **sweep_args)
    return _summary(ds, store)


def _summary(ds: Any, store: Path) -> int:
    """Print what a store holds; 0 when every run is done, 1 otherwise."""
    status = ds["status"].values
    done, failed = int((status == 1).sum()), int((status == 2).sum())
    missing = int(status.size - done - failed)
    print(f"{store}: {status.size} runs: {done} done, {failed} failed, {missing} missing")
    names = ds.snn.parameters
    errors = ds["error"].values
    for run in (int(r) for r in (status == 2).nonzero()[0]):
        values = ", ".join(f"{name}={ds[name].values[run]!r}" for name in names)
        first_line = str(errors[run]).strip().splitlines()[0] if str(errors[run]).strip() else ""
        print(f"  run {run} ({values}, trial {int(ds['trial'].values[run])}): {first_line}")
    return 0 if done == status.size else 1


def _status(args: argparse.Namespace) -> int:
    import dasksnn as ann

    if not Path(args.store).exists():
        raise ArgumentError(f"dasksnn status: no store at '{args.store}'")
    return _summary(ann.open_results(args.store), Path(args.store))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dasksnn", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run an experiment file's sweep into a Zarr store",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("experiment", help="the experiment file (defines build, params, duration)")
    run.add_argument("--store", required=True, help="Zarr store the runs stream into")
    run.add_argument("--cluster", choices=("local", "slurm", "pbs"), default="local")
    run.add_argument("--jobs", type=int, default=None,
                     help="worker processes (local) or jobs (slurm, pbs); default: the cores, or 1 job")
    run.add_argument("--resume", action="store_true", help="continue an existing store (only missing runs)")
    run.add_argument("--seed", type=int, default=None, help="root seed (default: the file's seed)")
    run.add_argument("--errors", choices=("record", "raise"), default="record",
                     help="a failing run is recorded (default) or stops the sweep")
    run.add_argument("--sequential", action="store_true", help="run in this process, one run after another")
    run.add_argument("--measure-time", action="store_true", help="print where the time went")
    run.add_argument("--job-script", action="store_true", help="print the job script the cluster submits, and exit")
    for name in _CLUSTER_OPTIONS:
        run.add_argument(f"--{name.replace('_', '-')}", dest=name, default=None,
                         type=int if name in ("cores", "processes") else str,
                         help=f"dask-jobqueue's {name} (default: from jobqueue.yaml)")
    status = commands.add_parser("status", help="how many runs of a store are done, failed, missing")
    status.add_argument("store", help="the Zarr store of a sweep")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dasksnn`` command; returns the exit status.

    0: every run done; 1: some runs failed or are missing; 2: bad input.
    """
    args = _parser().parse_args(argv)
    try:
        return _run(args) if args.command == "run" else _status(args)
    except RunError as exc:  # --errors raise: what finished is in the store
        _report(exc)
        return 1
    except DasksnnError as exc:
        _report(exc)
        return 2


def _report(exc: Exception) -> None:
    message = str(exc)
    print(message if message.startswith("dasksnn") else f"dasksnn: {message}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover - python -m dasksnn.cli
    sys.exit(main())
