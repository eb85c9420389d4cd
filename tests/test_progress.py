"""Progress and messages: lines in logs, a terminal bar, a notebook bar, dasksnn's logger
visible without set-up, ann.get_client(), and measure_time's workers and waiting."""

import logging
import subprocess
import sys
import textwrap
import time

import dask.config
import pytest
from distributed import Client, LocalCluster

import dasksnn as ann
from dasksnn.parallel.progress import Progress
from dasksnn.parallel.timing import report
from dasksnn.results.store import Outcome


@pytest.fixture(scope="module")
def threads():
    """A cheap real cluster: one worker thread in this process."""
    with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as client:
        yield client


def slow_build(rate):
    if rate == 30.0:
        raise ValueError("no network at 30 Hz")
    time.sleep(0.05)
    pop = ann.PoissonPopulation(5, rates=rate, name="inp")
    ann.Monitor(pop, "spike")


def test_a_line_every_interval_outside_a_terminal(capsys, caplog):
    """Outside a terminal (here: stderr captured), a line through the 'dasksnn' logger every
    dasksnn.progress-interval: runs done, failed, rate, time left; then a final line."""
    with dask.config.set({"dasksnn.progress-interval": 0.1}):
        ann.sweep(slow_build, {"rate": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0]}, duration=10.0,
                  errors="record", sequential=True)
    lines = [r.getMessage() for r in caplog.records if r.name == "dasksnn"]
    under_way = [line for line in lines if "left" in line]
    assert under_way and all(line.startswith("sweep: ") and " runs done, " in line and " runs/s, about " in line
                             for line in under_way)
    assert any(" 1 failed" in line for line in under_way)
    assert lines[-1].startswith("sweep: 8/8 runs done, 1 failed in ") and lines[-1].endswith(" runs/s)")
    assert capsys.readouterr().err == ""  # through logging only (pytest's handler), not twice
    caplog.clear()
    ann.sweep(slow_build, {"rate": [10.0]}, duration=10.0, sequential=True, progress=False)
    assert [r for r in caplog.records if r.name == "dasksnn"] == []


def test_log_lines_count_the_workers_and_the_bar_links_the_dashboard(threads, caplog):
    bar = Progress(4, "parallel_run", True, threads, where="log", interval=0.05)
    time.sleep(0.3)
    bar.update([Outcome(0), Outcome(1, error="ValueError: boom")])
    time.sleep(0.2)
    bar.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "dasksnn"]
    assert "parallel_run: 0/4 runs done, 0 failed, 0 s since the start (1 worker)" in lines
    assert any(line.startswith("parallel_run: 2/4 runs done, 1 failed, ") and line.endswith(" left (1 worker)")
               for line in lines)
    assert lines[-1].startswith("parallel_run: 2/4 runs done, 1 failed in ") and lines[-1].endswith(", stopped")
    notebook = Progress(3, "a <sweep>", False, threads)  # not shown; its HTML as a notebook would
    notebook.update([Outcome(0)])
    html = notebook.html()
    assert html.startswith('<div><progress value="1" max="3" style="width: 30ex"></progress> a &lt;sweep&gt;: 1/3 '
                           "runs done, 0 failed, ")
    assert f'<a href="{threads.dashboard_link}" target="_blank">dashboard</a></div>' in html


def test_a_bar_redrawn_in_a_terminal(capsys):
    bar = Progress(3, "sweep", True, where="terminal")
    for run in range(3):
        bar.update([Outcome(run, error="boom" if run == 1 else "")])
        time.sleep(0.21)
    bar.close()
    err = capsys.readouterr().err
    assert err.startswith("\r[##########                    ] sweep: 1/3 runs done, 0 failed, ")
    assert "\r[##############################] sweep: 3/3 runs done, 1 failed in " in err and err.endswith("\n")


def test_messages_shown_without_logging_set_up_and_not_twice_with(tmp_path):
    """A script that configured no logging shows dasksnn's messages on stderr (the progress
    line here; "started a LocalCluster ..." goes the same way); once it configures logging,
    they go there, once."""
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import logging
        import dasksnn as ann

        def run(idx, net):
            net.simulate(1.0)
            return idx

        if __name__ == "__main__":
            ann.Population(2, ann.IF_curr_exp(), name="p")
            ann.parallel_run(method=run, number=2, sequential=True)
            logging.basicConfig(format="LOG %(name)s %(message)s")
            ann.parallel_run(method=run, number=3, sequential=True)
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stderr.splitlines()
    assert sum(line.startswith("dasksnn: parallel_run: 2/2 runs done, 0 failed in ") for line in lines) == 1
    threes = [line for line in lines if "3/3 runs done" in line]
    assert len(threes) == 1 and threes[0].startswith("LOG dasksnn parallel_run: 3/3 runs done, 0 failed in ")


def test_get_client_is_the_active_client_when_there_is_one():
    with pytest.raises(ann.ArgumentError, match=r"^get_client: max_processes must be a whole number >= 1 or -1"):
        ann.get_client(max_processes=0)
    with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster, Client(cluster) as client:
        assert ann.get_client() is client


def outcome(run, worker, started, total, submitted=100.0):
    return Outcome(run, None, "", {"worker": worker, "started": started, "total": total, "submitted": submitted,
                                   "build": 0.01, "run": total - 0.01, "kernel": "memory"})


def test_measure_time_counts_the_workers_over_the_run_and_the_wait_for_them():
    """Workers that ran runs over the whole call (one retired, one joined later), the most
    at once, and the time until the first run started (a batch queue), apart."""
    outcomes = [outcome(0, "a:1", 130.0, 1.0), outcome(1, "a:1", 131.0, 1.0),  # a retires at 132
                outcome(2, "b:2", 130.5, 2.0), outcome(3, "b:2", 132.5, 2.0),
                outcome(4, "c:3", 133.0, 1.0)]  # c joins at 133
    text = report("sweep", outcomes, wall=40.0, client_compile={"build": 1.5, "kernel": "compiled"}, client=object(),
                  seed=7)
    lines = text.splitlines()
    assert lines[0] == "sweep: 5 runs on 3 workers (at most 2 at once) took 40.000 s (seed 7)"
    assert "  waiting for workers (batch queue, worker start): 30.000 s" in lines
    assert lines[-1] == "  scheduling and transfer: 4.500 s"  # 40 - 1.5 compile - 30 waiting - 4 busiest (b)
    assert report("sweep", outcomes[:2], 3.0, {}, None, 7).startswith("sweep: 2 runs in this process took")


def test_dasksnn_logger_is_at_info_and_can_be_silenced(caplog):
    logger = logging.getLogger("dasksnn")
    assert logger.getEffectiveLevel() == logging.INFO
    logger.setLevel(logging.WARNING)
    try:
        Progress(1, "x", True, where="log").close()
        assert [r for r in caplog.records if r.name == "dasksnn"] == []
    finally:
        logger.setLevel(logging.INFO)
