"""The README's python blocks run as written, in order, as one script (as a user pastes them)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
# blocks that need a batch system to start their cluster (tests/test_slurm.py covers it)
NEEDS_BATCH_SYSTEM = ("SLURMCluster(", "PBSCluster(")


def python_blocks(text: str) -> list[str]:
    """The ```python blocks of a Markdown text, in order (indented fences included)."""
    blocks = []
    for match in re.finditer(r"^( *)```python\n(.*?)^\1```", text, flags=re.S | re.M):
        indent = len(match.group(1))
        blocks.append("\n".join(line[indent:] for line in match.group(2).splitlines()))
    return blocks


def test_python_blocks_are_found():
    blocks = python_blocks("text\n```python\na = 1\n```\n  ```python\n  b = a\n  ```\n```bash\nls\n```\n")
    assert blocks == ["a = 1", "b = a"]


def test_readme_runs_as_written(tmp_path):
    blocks = [b for b in python_blocks(README.read_text()) if not any(s in b for s in NEEDS_BATCH_SYSTEM)]
    assert len(blocks) >= 5, "the README's tour has fewer python blocks than expected"
    script = tmp_path / "readme.py"
    script.write_text("\n\n".join(blocks) + "\n")
    env = {**os.environ, "MPLBACKEND": "Agg", "DASKSNN_CACHE_DIR": str(tmp_path / "kernels")}  # as a new user
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=600)
    if out.returncode != 0:
        pytest.fail(f"README blocks failed (exit {out.returncode}):\n{out.stderr[-4000:]}")
    assert (tmp_path / "sweep.zarr").is_dir()
