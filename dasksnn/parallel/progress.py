"""Progress of many runs, and how dasksnn's messages reach the user.

Messages go through :mod:`logging`, logger ``dasksnn``. While the application has
configured no logging (the root logger has no handler), they are written to stderr
as ``dasksnn: <message>``, at level INFO, so that a script shows them without any set-up;
once the application configures logging, they go where it says, and
``logging.getLogger("dasksnn").setLevel(logging.WARNING)`` silences them.

Progress counts runs (not Dask tasks, which hold several runs each), failed runs
included, and is shown where it can be seen:

- in Jupyter, a bar under the cell, updated in place (plain HTML: no ipywidgets needed,
  and any client works, not only Dask's default one), with a link to the dashboard;
- in a terminal, a text bar on stderr, redrawn in place;
- elsewhere (batch jobs, SLURM logs, a pipe), a line through the logger every
  ``dasksnn.progress-interval`` (default 5 s): runs done, failed, rate, time left,
  workers; also while no run finishes, so a job waiting for workers shows that it does.
"""

from __future__ import annotations

import html
import logging
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from dasksnn.results.store import Outcome

__all__ = ["logger", "Progress", "progress_interval"]

logger = logging.getLogger("dasksnn")

# seconds between redraws of a bar (a terminal's or a notebook's)
_REDRAW = 0.2
_DEFAULT_INTERVAL = 5.0


class _UntilConfigured(logging.Handler):
    """Writes dasksnn's records to stderr while the application has configured no logging.

    ``logging.lastResort`` does the same for warnings only; dasksnn's progress lines and
    the dashboard address are INFO. Once the root logger has a handler, records reach it
    by propagation and this handler stays silent, so nothing is written twice.
    """

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("dasksnn: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if logging.getLogger().handlers:
            return
        try:
            sys.stderr.write(self.format(record) + "\n")  # the stderr of now (pytest, Jupyter replace it)
            sys.stderr.flush()
        except Exception:  # pragma: no cover - a closed stderr
            self.handleError(record)


if not any(isinstance(h, _UntilConfigured) for h in logger.handlers):
    logger.addHandler(_UntilConfigured())
if logger.level == logging.NOTSET:
    logger.setLevel(logging.INFO)


def progress_interval() -> float:
    """Seconds between progress lines in logs: ``dasksnn.progress-interval`` (default 5 s)."""
    import dask.config
    from dask.utils import parse_timedelta

    return float(parse_timedelta(dask.config.get("dasksnn.progress-interval", _DEFAULT_INTERVAL), default="s"))


def _where() -> str:
    """"notebook" in a Jupyter kernel, "terminal" when stderr is one, else "log"."""
    try:
        from distributed.utils import is_kernel

        if is_kernel():
            import IPython.display  # noqa: F401

            return "notebook"
    except ImportError:
        pass
    try:
        return "terminal" if sys.stderr.isatty() else "log"
    except (AttributeError, ValueError):  # a stderr replaced by an object without isatty, or closed
        return "log"


def _duration(seconds: float) -> str:
    """``"42 s"``, ``"3 min 20 s"``, ``"2 h 05 min"``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Progress:
    """Runs done and failed of one call of ``parallel_run`` or ``sweep``, shown as the module says.

    Parameters
    ----------
    total : int
        Runs to do.
    label : str
        The caller, at the start of each line (``"sweep"``).
    enabled : bool
        Show anything at all (``progress=`` of the caller).
    client : distributed.Client, optional
        Where the runs go: its workers are counted in log lines, its dashboard linked
        in a notebook. ``None``: runs in this process.
    where : {"notebook", "terminal", "log"}, optional
        Where to show it (default: found from the environment).
    interval : float, optional
        Seconds between log lines (default :func:`progress_interval`).
    """

    def __init__(self, total: int, label: str, enabled: bool, client: Any = None, where: str | None = None,
                 interval: float | None = None) -> None:
        self.total, self.label, self.client = total, label, client
        self.done = self.failed = 0
        self.start = time.perf_counter()
        self.where = (where or _where()) if enabled and total > 0 else None
        self._drawn = 0.0
        self._handle: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.where == "notebook":
            self._handle = self._display()
        elif self.where == "log":
            self._interval = progress_interval() if interval is None else interval
            self._thread = threading.Thread(target=self._log_every, name="dasksnn-progress", daemon=True)
            self._thread.start()

    # ------------------------------------------------------------------ counting
    def update(self, outcomes: Sequence[Outcome]) -> None:
        """Count ``outcomes`` (finished runs, failed or not) and redraw a bar if it is time."""
        self.done += len(outcomes)
        self.failed += sum(1 for o in outcomes if o.error)
        now = time.perf_counter()
        if self.where in ("terminal", "notebook") and (now - self._drawn > _REDRAW or self.done == self.total):
            self._drawn = now
            self._draw()

    def close(self) -> None:
        """Show the final state: a finished bar, or a last line saying where it stopped."""
        if self.where is None:
            return
        if self._thread is not None:
            self._stop.set()
        self._draw(final=True)
        self.where = None  # closed: nothing more is shown

    # ------------------------------------------------------------------ text
    def rate(self) -> float:
        """Runs finished per second since the start."""
        elapsed = time.perf_counter() - self.start
        return self.done / elapsed if elapsed > 0 else 0.0

    def summary(self, final: bool = False) -> str:
        """``sweep: 120/500 runs done, 3 failed, 12.3 runs/s, about 31 s left``."""
        elapsed = time.perf_counter() - self.start
        text = f"{self.label}: {self.done}/{self.total} runs done, {self.failed} failed"
        rate = self.rate()
        if final:
            took = _duration(elapsed) if elapsed >= 1 else f"{elapsed:.2f} s"
            return f"{text} in {took} ({rate:.1f} runs/s){'' if self.done == self.total else ', stopped'}"
        if self.done:
            text += f", {rate:.1f} runs/s, about {_duration((self.total - self.done) / rate)} left"
        else:
            text += f", {_duration(elapsed)} since the start"
        return text

    def _workers(self) -> str:
        """``" (4 workers)"``; empty for runs in this process or when the scheduler does not answer."""
        if self.client is None:
            return ""
        try:
            n = len(self.client.nthreads())
        except Exception:  # a lost scheduler: the runs' own errors say so
            return ""
        return f" ({n} worker{'' if n == 1 else 's'})"

    def _log_every(self) -> None:
        while not self._stop.wait(self._interval):
            logger.info("%s%s", self.summary(), self._workers())

    def _draw(self, final: bool = False) -> None:
        if self.where == "terminal":
            width = 30
            filled = int(width * self.done / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{' ' * (width - filled)}] {self.summary(final)}\033[K")
            sys.stderr.write("\n" if final else "")
            sys.stderr.flush()
        elif self.where == "notebook" and self._handle is not None:
            from IPython.display import HTML

            self._handle.update(HTML(self.html(final)))
        elif self.where == "log" and final:
            logger.info("%s", self.summary(final=True))

    # ------------------------------------------------------------------ notebook
    def html(self, final: bool = False) -> str:
        """The notebook's bar: an HTML ``<progress>`` element, the summary and the dashboard's link."""
        link = getattr(self.client, "dashboard_link", None) if self.client is not None else None
        dashboard = (f' &middot; <a href="{html.escape(link, quote=True)}" target="_blank">dashboard</a>'
                     if link else "")
        return (f'<div><progress value="{self.done}" max="{self.total}" style="width: 30ex"></progress> '
                f"{html.escape(self.summary(final))}{dashboard}</div>")

    def _display(self) -> Any:
        from IPython.display import HTML, display

        return display(HTML(self.html()), display_id=True)
