"""Configuration under ``dasksnn.*`` in Dask's config system.

Defaults are in ``dasksnn.yaml`` beside this file; a user overrides them in
``~/.config/dask/dasksnn.yaml``, with ``DASK_DASKSNN__<KEY>`` environment variables, or
``dask.config.set({"dasksnn.<key>": value})``.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

__all__ = ["get_config"]

_registered = False


def _register() -> None:
    global _registered
    import dask.config

    if not _registered:
        path = os.path.join(os.path.dirname(__file__), "dasksnn.yaml")
        with open(path) as handle:
            defaults = yaml.safe_load(handle)
        dask.config.update_defaults(defaults)
        _registered = True


def get_config(key: str) -> Any:
    """Return ``dasksnn.<key>`` from Dask's configuration."""
    import dask.config

    _register()
    return dask.config.get(f"dasksnn.{key}")
