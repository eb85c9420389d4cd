"""Configuration under ``dasksnn.*`` in Dask's config system.

Defaults are in ``dasksnn.yaml`` beside this file; a user overrides them in
``~/.config/dask/dasksnn.yaml``, with ``DASK_DASKSNN__<KEY>`` environment variables, or
``dask.config.set({"dasksnn.<key>": value})``.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import yaml

__all__ = ["get_config"]


@functools.cache
def _defaults() -> dict[str, Any]:
    """The defaults of ``dasksnn.yaml``, given to Dask's configuration once."""
    import dask.config

    with open(os.path.join(os.path.dirname(__file__), "dasksnn.yaml")) as handle:
        defaults = yaml.safe_load(handle)
    dask.config.update_defaults(defaults)
    return defaults["dasksnn"]


def get_config(key: str) -> Any:
    """Return ``dasksnn.<key>`` from Dask's configuration (its default where no one set it).

    The default is looked up here too: leaving a ``dask.config.set({"dasksnn.<other>": ...})``
    block made before dasksnn's defaults were registered removes the whole ``dasksnn`` section.
    """
    import dask.config

    return dask.config.get(f"dasksnn.{key}", default=_defaults()[key])
