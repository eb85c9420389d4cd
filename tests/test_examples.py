"""Every example runs as a user runs it (in quick mode), prints its summary and writes its figure."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# examples that take --quick and --out and save <name>.png; the others run as they are
WITH_FIGURE = ["brian_weight_sweep", "annarchy_parallel_run", "network_copies", "trials_backends", "coba_benchmark"]


def test_every_example_is_tested():
    assert {p.stem for p in EXAMPLES.glob("*.py")} == {*WITH_FIGURE, "quickstart"}


@pytest.mark.slow
@pytest.mark.parametrize("name", [*WITH_FIGURE, "quickstart"])
def test_example_runs(name, tmp_path):
    args = ["--quick", "--out", str(tmp_path)] if name in WITH_FIGURE else []
    # a kernel cache of its own, as a user's first run has: the session's cache then holds only what tests
    # compiled (tests/test_parallel.py counts compiles of structures "no other test uses")
    env = {**os.environ, "MPLBACKEND": "Agg", "DASKSNN_CACHE_DIR": str(tmp_path / "kernels")}
    out = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), *args], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        pytest.fail(f"examples/{name}.py failed (exit {out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    if name in WITH_FIGURE:
        figure = tmp_path / f"{name}.png"
        assert figure.is_file() and figure.stat().st_size > 10_000, f"examples/{name}.py wrote no figure"
        assert f"figure {figure}" in out.stdout
