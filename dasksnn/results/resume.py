"""Whether a sweep may add runs to an existing store: its fingerprint, format and version."""

from __future__ import annotations

import json
from typing import Any

from dasksnn.errors import ArgumentError
from dasksnn.results.layout import STORE_ATTR

__all__ = ["resumable", "check_stored_dt"]


def resumable(path: str, group: Any, attrs: dict[str, Any], resume: str,
              format_: int) -> tuple[dict | None, str | None]:
    """The bookkeeping of the store at ``path`` (its Zarr ``group``), if a sweep of fingerprint
    ``attrs["sweep"]`` may add runs to it, and the version resuming it when it is another's.

    ``None`` for the bookkeeping: a store of dasksnn <= 0.2 killed while its template was
    written (no run in it; the caller makes it again).

    Raises
    ------
    ArgumentError
        The store is not a dasksnn sweep, holds another sweep (``dt`` is compared later,
        once run 0 is built), is of another format, or was made by another dasksnn version
        and ``resume`` is not ``"any-version"``.
    """
    from dasksnn.results.dataset import versions

    stored = group.attrs.asdict()
    if "sweep" not in stored:
        raise ArgumentError(f"store '{path}' exists but is not a dasksnn sweep; choose another path or delete it")
    ours, asked = json.loads(stored["sweep"]), json.loads(attrs["sweep"])
    differ = [key for key in {**ours, **asked} if key != "dt" and ours.get(key) != asked.get(key)]
    if differ:
        raise ArgumentError(f"store '{path}' holds another sweep (parameters, trials, duration or seed differ); what "
                            f"differs: {', '.join(differ)}:\n  stored: {stored['sweep']}\n  asked:  {attrs['sweep']}\n"
                            "use another store, or delete it to start again")
    book = stored.get(STORE_ATTR)
    if book is None and "status" not in group:
        return None, None
    if book is None or book.get("format") != format_:
        raise ArgumentError(
            f"store '{path}' was written by dasksnn {stored.get('dasksnn_version', '?')} in store format "
            f"{1 if book is None else book.get('format')}; this dasksnn (version {versions()['dasksnn_version']}) "
            f"adds runs only to stores of format {format_}. Read it with open_results, or choose another path")
    made_by, this = stored.get("dasksnn_version"), versions()["dasksnn_version"]
    if made_by == this:
        return book, None
    if resume != "any-version":
        raise ArgumentError(
            f"store '{path}' was made by dasksnn {made_by}, this is dasksnn {this}: runs computed now could differ "
            "from the stored ones (a version may change how connectivity is drawn), so it is not resumed. To add "
            "the missing runs anyway, pass resume='any-version' (the versions that wrote runs are kept in the "
            "attribute 'dasksnn_resumed_by'); or read it with open_results, or choose another path")
    return book, this


def check_stored_dt(path: str, group: Any, dt: float) -> None:
    """Refuse a store whose runs were simulated with another time step than ``dt``."""
    stored = json.loads(group.attrs["sweep"]).get("dt")
    if stored != dt:
        raise ArgumentError(f"store '{path}' holds runs simulated with dt = {stored} ms; the networks of this sweep "
                            f"have dt = {dt} ms (set by setup(dt=...) here or in build). Use the same dt, another "
                            "store, or delete it to start again")
