"""Run one script under ANNarchy 4.8 and under dasksnn, the import the only change.

Shared by the reference tests (``test_synapses_reference.py``, ``test_annarchy_reference.py``)
through the ``both`` fixture of ``conftest.py``. They run where ``DASKSNN_ANNARCHY_PYTHON``
names an interpreter with ANNarchy 4.8 (and a C++ compiler); they are skipped otherwise.
A script leaves what it computed in a variable ``result`` (JSON-serialisable).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import textwrap
from pathlib import Path

#: environment variable naming the interpreter that has ANNarchy 4.8
ANNARCHY_PYTHON = "DASKSNN_ANNARCHY_PYTHON"

#: the only change a script needs: its import of ANNarchy
IMPORTS = {"from ANNarchy import *": "from dasksnn import *", "import ANNarchy as ann": "import dasksnn as ann"}


def for_dasksnn(script: str) -> str:
    """``script`` with its import of ANNarchy changed to dasksnn's."""
    for theirs, ours in IMPORTS.items():
        script = script.replace(theirs, ours)
    return script


def run(python: str, script: str, folder: Path, simulator: str) -> dict:
    """Run ``script`` in a process of ``python`` in ``folder / simulator`` (its import changed
    for ``simulator == "dasksnn"``); its ``result`` as parsed JSON."""
    text = textwrap.dedent(script)
    if simulator == "dasksnn":
        text = for_dasksnn(text)
    text += "\nimport json\nprint('@@' + json.dumps(result))\n"
    work = folder / simulator
    work.mkdir(exist_ok=True)
    (work / "script.py").write_text(text)
    # ANNarchy compiles with the tools next to its interpreter (cmake, cython)
    env = dict(os.environ, PATH=os.pathsep.join([os.path.dirname(python), os.environ.get("PATH", "")]))
    done = subprocess.run([python, "script.py"], capture_output=True, text=True, env=env, cwd=work,
                          timeout=900, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("@@")]
    assert lines, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(lines[-1][2:])


#: ANNarchy's documented examples as scripts for ANNarchy 4.8 (``import ANNarchy as ann``)
SCRIPTS = Path(__file__).parent / "annarchy_scripts"


def script(name: str) -> str:
    """The text of ``annarchy_scripts/<name>.py``."""
    return (SCRIPTS / f"{name}.py").read_text()


def run_here(name: str, seed: int = 1) -> dict:
    """Run ``annarchy_scripts/<name>.py`` with dasksnn in this process, its networks, NumPy and
    Python's random seeded with ``seed``; its ``result``."""
    import numpy as np

    import dasksnn as ann

    np.random.seed(seed)
    random.seed(seed)  # SORF shuffles its stimuli with Python's random
    namespace: dict = {"__name__": f"annarchy_scripts.{name}"}
    with ann.building(seed=seed):
        exec(compile(for_dasksnn(script(name)), str(SCRIPTS / f"{name}.py"), "exec"), namespace)
    return namespace["result"]
