"""Swept parameters with units and a long name: ``ann.param(values, units="mV")``."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from dasksnn.errors import ArgumentTypeError

__all__ = ["Param", "param", "parameter_attrs"]


class Param:
    """Values of a swept parameter, with the attributes its coordinate gets (CF ``units``, ``long_name``).

    Made by :func:`param`; behaves as the array of its values (``np.asarray(p)``), so a
    sweep reads it like any list of values.
    """

    __slots__ = ("long_name", "units", "values")

    def __init__(self, values: Sequence[Any] | np.ndarray, units: str | None = None,
                 long_name: str | None = None) -> None:
        for name, text in (("units", units), ("long_name", long_name)):
            if text is not None and not isinstance(text, str):
                raise ArgumentTypeError(f"param: {name} must be text or None, got {text!r}")
        self.values = np.asarray(values)
        self.units, self.long_name = units, long_name

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        return np.asarray(self.values, dtype=dtype)

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.values)

    def __repr__(self) -> str:
        return f"param({self.values!r}, units={self.units!r}, long_name={self.long_name!r})"

    @property
    def attrs(self) -> dict[str, str]:
        """The coordinate's attributes: ``units`` and ``long_name`` where given."""
        return {k: v for k, v in (("units", self.units), ("long_name", self.long_name)) if v is not None}


def param(values: Sequence[Any] | np.ndarray, units: str | None = None, long_name: str | None = None) -> Param:
    """Values of a swept parameter with units and a long name, for labelled results and plots.

    Parameters
    ----------
    values : list or numpy.ndarray
        The values swept, as for a plain list in ``sweep(params=...)``.
    units : str, optional
        Units of the values (CF ``units``, e.g. ``"mV"``; no unit checking).
    long_name : str, optional
        What the parameter is, for axis labels (CF ``long_name``).

    Examples
    --------
    >>> import numpy as np
    >>> we = param(np.linspace(0, 3.5, 8), units="mV", long_name="excitatory weight")
    >>> we.attrs
    {'units': 'mV', 'long_name': 'excitatory weight'}
    >>> ds = ann.sweep(build, params={"we": we}, duration=100.0)  # doctest: +SKIP
    >>> ds.we.attrs["units"]  # doctest: +SKIP
    'mV'
    """
    return Param(values, units, long_name)


def parameter_attrs(params: Mapping[str, Any]) -> str:
    """The attributes of each swept parameter made by :func:`param`, as the JSON a sweep stores."""
    return json.dumps({name: values.attrs for name, values in params.items()
                       if isinstance(values, Param) and values.attrs})
