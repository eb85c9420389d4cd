"""Runs written to a store but not yet placed in its arrays: one directory per batch.

A batch directory under ``<store>/_staging/`` holds the runs it carries (``runs.npy``),
the lengths of the ragged dims per run (``counts<k>.npy``: events, synapses), and raw binary
files: per-run variables one row per run, ragged variables one row per event or synapse
(all recorded steps of a synapse), runs concatenated in the batch's order, with their
dtypes and row shapes in ``manifest.json``. It is written under a temporary name and renamed, so it is whole or
absent: a writer killed mid-write leaves a temporary directory, removed at the next open,
and never damages another batch. The store's consolidation reads batches back to write
runs into the arrays in run order, then deletes them. Files are written a run at a time
and read a row or a slice at a time, never memory-mapped, so the client's memory stays
flat.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import BinaryIO

import numpy as np

__all__ = ["Staging", "write_batch", "staging_dir", "ensure_dir", "remove_partial_files", "remove_stale_temporaries"]

_DIR = "_staging"
_TMP = ".tmp-"
# a group's metadata, so that Zarr sees the staging directory as an (empty) group, not a stray
_GROUP = {"zarr_format": 3, "node_type": "group", "attributes": {}}
_OPEN_FILES = 64  # files kept open while consolidating


class Staging:
    """The staged batches of a store, indexed by run.

    Parameters
    ----------
    store : str
        The store's directory.
    runs : int
        Runs in the sweep.
    """

    def __init__(self, store: str, runs: int) -> None:
        self.root = staging_dir(store)
        self.batch = np.full(runs, -1, np.int64)  # the batch that holds each staged run
        self.position = np.zeros(runs, np.int64)  # its row in the batch
        self._dirs: dict[int, str] = {}
        self._manifest: dict[int, dict[str, dict[str, dict]]] = {}
        self._offsets: dict[int, dict[str, np.ndarray]] = {}
        self._runs: dict[int, np.ndarray] = {}
        self._files: OrderedDict[tuple[int, str], BinaryIO] = OrderedDict()
        self._next = 0

    def staged(self) -> np.ndarray:
        """Mask of the runs held by a batch."""
        return self.batch >= 0

    def scan(self, placed: int) -> None:
        """Index the batches on disk, ignoring runs below ``placed`` (already in the arrays).

        Temporary directories of a writer killed mid-write are removed. When two batches
        hold the same run (a copy interrupted before its source was marked), the first wins:
        both hold the same values.
        """
        if not os.path.isdir(self.root):
            return
        for name in sorted(os.listdir(self.root)):
            path = os.path.join(self.root, name)
            if name.startswith(_TMP):
                shutil.rmtree(path, ignore_errors=True)
            elif os.path.isdir(path):
                self._index(path, placed)

    def put(self, runs: Sequence[int], dense: Mapping[str, Sequence[np.ndarray]], counts: Mapping[str, np.ndarray],
            events: Mapping[str, Sequence[np.ndarray]]) -> None:
        """Write one batch (see :func:`write_batch`) and index its runs."""
        self._index(write_batch(self.root, f"b{self._next:09d}", runs, dense, counts, events), 0)

    def adopt(self, name: str, placed: int = 0) -> None:
        """Index a batch another process (a worker) wrote: its name in the staging
        directory, or its path; runs below ``placed`` are ignored."""
        self._index(os.path.join(self.root, name), placed)

    def batch_dirs(self, runs: np.ndarray) -> list[str]:
        """Directories of the batches that hold staged ``runs``, in batch order."""
        return [self._dirs[int(batch)] for batch in np.unique(self.batch[runs])]

    def dense(self, name: str, runs: np.ndarray, out: np.ndarray) -> None:
        """Copy the rows of per-run variable ``name`` of staged ``runs`` into ``out`` (one row each)."""
        for row, run in enumerate(runs):
            out[row] = self._read(int(self.batch[run]), "dense", name, int(self.position[run]), 1)[0]

    def count(self, dim: str, run: int) -> int:
        """Events (or synapses) of staged ``run`` along ragged ``dim``."""
        offsets = self._offsets[int(self.batch[run])][dim]
        return int(offsets[self.position[run] + 1] - offsets[self.position[run]])

    def events(self, name: str, dim: str, run: int) -> np.ndarray:
        """Rows of ragged variable ``name`` (along ``dim``, which comes first) of staged ``run``."""
        batch = int(self.batch[run])
        offsets = self._offsets[batch][dim]
        start, stop = int(offsets[self.position[run]]), int(offsets[self.position[run] + 1])
        return self._read(batch, "events", name, start, stop - start)

    def release(self) -> None:
        """Close the files read so far."""
        while self._files:
            self._files.popitem()[1].close()

    def drop_below(self, placed: int) -> None:
        """Forget runs below ``placed`` and delete the batches that hold no other run."""
        self.batch[:placed] = -1
        for batch in list(self._dirs):
            if (self._runs[batch] < placed).all():
                for key in [key for key in self._files if key[0] == batch]:
                    self._files.pop(key).close()
                shutil.rmtree(self._dirs.pop(batch), ignore_errors=True)
                del self._manifest[batch], self._offsets[batch], self._runs[batch]

    def _index(self, path: str, placed: int) -> None:
        batch = self._next
        self._next += 1
        with open(os.path.join(path, "manifest.json")) as handle:
            manifest = json.load(handle)
        runs = np.load(os.path.join(path, "runs.npy"))
        offsets = {dim: np.concatenate([[0], np.cumsum(np.load(os.path.join(path, entry["file"])))])
                   for dim, entry in manifest["counts"].items()}
        self._dirs[batch], self._manifest[batch], self._offsets[batch], self._runs[batch] = \
            path, manifest, offsets, runs
        new = (runs >= placed) & (self.batch[runs] < 0)
        self.batch[runs[new]] = batch
        self.position[runs[new]] = np.flatnonzero(new)

    def _read(self, batch: int, kind: str, name: str, start: int, rows: int) -> np.ndarray:
        """``rows`` rows (or events) of a batch's file from ``start`` on."""
        entry = self._manifest[batch][kind][name]
        dtype, shape = np.dtype(entry["dtype"]), tuple(entry["row"])
        size = int(np.prod(shape, dtype=np.int64))
        key = (batch, entry["file"])
        if key in self._files:
            self._files.move_to_end(key)
        else:
            self._files[key] = open(os.path.join(self._dirs[batch], entry["file"]), "rb")  # noqa: SIM115
            if len(self._files) > _OPEN_FILES:
                self._files.popitem(last=False)[1].close()
        handle = self._files[key]
        handle.seek(start * size * dtype.itemsize)
        return np.fromfile(handle, dtype, rows * size).reshape((rows, *shape))


def write_batch(root: str, prefix: str, runs: Sequence[int], dense: Mapping[str, Sequence[np.ndarray]],
                counts: Mapping[str, np.ndarray], events: Mapping[str, Sequence[np.ndarray]]) -> str:
    """Write one batch into staging directory ``root``, whole or not at all; its path.

    ``dense`` maps per-run variables to one array per run; ``counts`` maps ragged dims
    to their length per run; ``events`` maps ragged variables to their rows per run (the
    ragged dim first, see :func:`~dasksnn.results.layout.rows_first`), or to the rows of
    all runs concatenated; all in the order of ``runs``. The batch is written under a temporary name and renamed
    to ``<prefix>-<random>``: any number of writers (the client, workers) may write
    batches at once, never into the same files.
    """
    ensure_dir(root)
    tmp = os.path.join(root, f"{_TMP}{uuid.uuid4().hex}")
    os.makedirs(tmp)
    manifest: dict[str, dict[str, dict]] = {"dense": {}, "counts": {}, "events": {}}
    np.save(os.path.join(tmp, "runs.npy"), np.asarray(runs, np.int64))
    for k, (dim, values) in enumerate(counts.items()):
        manifest["counts"][dim] = {"file": f"counts{k}.npy"}
        np.save(os.path.join(tmp, f"counts{k}.npy"), np.asarray(values, np.int64))
    for kind, arrays in (("dense", dense), ("events", events)):
        for k, (name, parts) in enumerate(arrays.items()):
            manifest[kind][name] = {"file": f"{kind}{k}.bin", "dtype": parts[0].dtype.str,
                                    "row": list(parts[0].shape if kind == "dense" else parts[0].shape[1:])}
            with open(os.path.join(tmp, f"{kind}{k}.bin"), "wb") as handle:
                for part in parts:
                    handle.write(np.ascontiguousarray(part, parts[0].dtype).data)
    _write_json(os.path.join(tmp, "manifest.json"), manifest)
    path = os.path.join(root, f"{prefix}-{uuid.uuid4().hex[:8]}")
    os.rename(tmp, path)
    return path


def ensure_dir(root: str) -> None:
    """Make the staging directory ``root`` if it is not there (a Zarr group, so readers skip it)."""
    if not os.path.isdir(root):
        os.makedirs(root, exist_ok=True)
        _write_json(os.path.join(root, "zarr.json"), _GROUP)


def staging_dir(store: str) -> str:
    """The staging directory of ``store``."""
    return os.path.join(store, _DIR)


def _write_json(path: str, value: object) -> None:
    with open(path, "w") as handle:
        json.dump(value, handle)


# ------------------------------------------------------------ leftovers of killed writers
def remove_stale_temporaries(parent: str, name: str) -> None:
    """Remove directories left by a creation of this store killed on this host."""
    prefix = f".{name}.creating-{socket.gethostname()}-"
    for entry in os.listdir(parent or "."):
        if entry.startswith(prefix):
            pid = entry[len(prefix):].split("-")[0]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_partial_files(path: str) -> None:
    """Remove the temporary files of Zarr's atomic writes interrupted by a kill."""
    for folder, _, files in os.walk(path):
        for file in files:
            if file.endswith(".partial"):
                os.remove(os.path.join(folder, file))
