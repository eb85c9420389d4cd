"""One post-synaptic neuron's synapses of a projection: ANNarchy's ``Dendrite``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from dasksnn.errors import NetworkError

if TYPE_CHECKING:
    from dasksnn.network.projection import Projection

__all__ = ["Dendrite", "number", "floats"]


def number(value: Any, name: str, where: str) -> float:
    """``value`` as a finite float, else a NetworkError naming ``where`` and ``name``."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise NetworkError(f"{where}: '{name}' takes numbers, got {value!r:.60}") from None
    if not np.isfinite(result):
        raise NetworkError(f"{where}: '{name}' takes finite numbers, got {value!r:.60}")
    return result


def floats(value: Any, name: str, where: str) -> np.ndarray:
    """``value`` as an array of finite floats, else a NetworkError naming ``where`` and ``name``."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise NetworkError(f"{where}: '{name}' takes numbers, got {value!r:.60}") from None
    if not np.all(np.isfinite(array)):
        raise NetworkError(f"{where}: '{name}' takes finite numbers")
    return array


class Dendrite:
    """The synapses of one post-synaptic neuron of a projection (ANNarchy's ``proj.dendrite(i)``).

    Attributes read and written on a dendrite (``d.w``, ``d.x``) concern its synapses only,
    in increasing pre rank. ``Monitor(d, "w")`` records them.
    """

    def __init__(self, projection: Projection, post_rank: int) -> None:
        state = projection._state
        synapses = state.dendrite(post_rank)
        if synapses is None:
            raise NetworkError(f"{projection!r}: post neuron {post_rank} receives no synapse of this projection "
                               f"(post_ranks holds {state.post_ranks().size} neurons)")
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_projection", projection)
        object.__setattr__(self, "post_rank", int(post_rank))
        object.__setattr__(self, "_synapses", synapses)

    def __repr__(self) -> str:
        return f"<Dendrite of post neuron {self.post_rank} of {self._projection!r}, {self.size} synapses>"

    @property
    def proj(self) -> Projection:
        """The projection (ANNarchy's name)."""
        return self._projection

    @property
    def size(self) -> int:
        """Number of synapses."""
        return int(self._synapses.size)

    @property
    def pre_ranks(self) -> list[int]:
        """Pre-synaptic ranks of the synapses, increasing."""
        return self._state.require().pre()[self._synapses].astype(int).tolist()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        state = self._state
        if name not in state.names():
            raise state.unknown(name)
        scope = state.synapse.scope_of(name)
        values = state.arrays[name]
        if scope == "projection":
            return float(values[0])
        if scope == "postsynaptic":
            return float(values[self.post_rank])
        return state.per_synapse(name)[self._synapses].copy()

    def __setattr__(self, name: str, value: Any) -> None:
        state = self._state
        if name not in state.names():
            raise state.unknown(name)
        scope = state.synapse.scope_of(name)
        state.touch()
        state.prepare_write(name, value)
        values = state.arrays[name]
        side = state.shared.get(name)
        if side is not None:  # one value per neuron (prepare_write allows a number only)
            ranks = self.post_rank if side == "post" else state.require().pre()[self._synapses]
            values[ranks] = number(value, name, state.where)
        elif scope == "projection":
            values[0] = number(value, name, state.where)
        elif scope == "postsynaptic":
            values[self.post_rank] = number(value, name, state.where)
        else:
            array = floats(value, name, state.where)
            if array.ndim and array.shape != (self.size,):
                raise NetworkError(f"{state.where}: '{name}' of the dendrite of post neuron {self.post_rank} "
                                   f"takes a number or {self.size} values, got shape {array.shape}")
            values[self._synapses] = array
