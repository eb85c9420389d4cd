"""Built-in synapse models, written in the same equation language users write.

They are ANNarchy's (``ANNarchy.models.Synapses``), with its parameter names and
defaults. Call a model to change its defaults: ``STDP(tau_plus=10.0, w_max=2.0)``.
Times are in ms; weights in the units of the target variable.
"""

from __future__ import annotations

import textwrap

from dasksnn.model.synapse import Synapse

__all__ = ["STDP", "STP"]


def _builtin(summary: str, **definition) -> Synapse:
    """Make a built-in model whose docstring shows its equations."""
    model = Synapse(**definition)

    def block(text: str | None) -> str:
        lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
        return textwrap.indent("\n".join(lines) or "(none)", "        ")

    doc = (f"{summary}\n\nParameters (defaults)::\n\n{block(model.parameters)}\n\n"
           f"Equations::\n\n{block(model.equations)}\n\nPre-synaptic spike::\n\n{block(model.pre_spike)}\n\n"
           f"Post-synaptic spike::\n\n{block(model.post_spike)}\n")
    object.__setattr__(model, "__doc__", doc)
    return model


STDP = _builtin(
    "Spike-timing dependent plasticity, online (pair-based, all-to-all) version, as ANNarchy's\n"
    "``STDP`` (Song and Abbott, 2001). ``x`` is the pre-synaptic trace, ``y`` the\n"
    "post-synaptic one; both are integrated exactly at the synapse's events. A post spike\n"
    "``d`` ms after a pre spike changes ``w`` by ``A_plus * w_max * exp(-d / tau_plus)``; a pre\n"
    "spike ``d`` ms after a post spike by ``-A_minus * w_max * exp(-d / tau_minus)``.",
    name="STDP",
    parameters="""
        tau_plus = 20.0 : projection
        tau_minus = 20.0 : projection
        A_plus = 0.01 : projection
        A_minus = 0.01 : projection
        w_min = 0.0 : projection
        w_max = 1.0 : projection
    """,
    equations="""
        tau_plus * dx/dt = -x : event-driven
        tau_minus * dy/dt = -y : event-driven
    """,
    pre_spike="""
        g_target += w
        x += A_plus * w_max
        w = clip(w + y, w_min, w_max)
    """,
    post_spike="""
        y -= A_minus * w_max
        w = clip(w + x, w_min, w_max)
    """,
)

STP = _builtin(
    "Short-term depression and facilitation of Tsodyks, Uziel and Markram (2000), as ANNarchy's\n"
    "``STP``: a spike transmits ``w * u * x``; ``x`` (available resources) recovers with\n"
    "``tau_rec``, ``u`` (utilisation) relaxes to ``U`` with ``tau_facil``. Both are integrated\n"
    "exactly at the synapse's events. The time constant of the post-synaptic current is the\n"
    "neuron model's.",
    name="STP",
    parameters="""
        tau_rec = 100.0 : projection
        tau_facil = 0.01 : projection
        U = 0.5
    """,
    equations="""
        dx/dt = (1 - x) / tau_rec : init=1.0, event-driven
        du/dt = (U - u) / tau_facil : init=U, event-driven
    """,
    pre_spike="""
        g_target += w * u * x
        x *= (1 - u)
        u += U * (1 - u)
    """,
)
