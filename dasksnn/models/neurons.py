"""Built-in neuron models, written in the same equation language users write.

Parameter names and defaults are PyNN's (ANNarchy's for :data:`Izhikevich`). Units:
time ms, voltage mV, current nA, conductance uS, capacitance nF. Call a model to change
its defaults: ``IF_cond_exp(tau_m=10.0)``.
"""

from __future__ import annotations

import textwrap

from dasksnn.model.neuron import Neuron

__all__ = ["Izhikevich", "IF_curr_exp", "IF_cond_exp", "IF_curr_alpha", "IF_cond_alpha",
           "EIF_cond_exp_isfa_ista", "HH_cond_exp"]


def _builtin(summary: str, units: str, **definition) -> Neuron:
    """Make a built-in model whose docstring shows its equations."""
    model = Neuron(units=units, **definition)

    def block(text: str | None) -> str:
        lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
        return textwrap.indent("\n".join(lines), "        ")

    doc = (f"{summary}\n\nParameters (defaults)::\n\n{block(model.parameters)}\n\n"
           f"Units: {units}\n\nEquations::\n\n{block(model.equations)}\n\n"
           f"Spike: ``{model.spike_condition}``; reset: ``{'; '.join(s.text for s in model.reset_defs)}``;"
           f" refractory: ``{model.refractory}``.\n")
    object.__setattr__(model, "__doc__", doc)
    return model


_PYNN_LIF = """
    v_rest = -65.0
    cm = 1.0
    tau_m = 20.0
    tau_refrac = 0.0
    tau_syn_E = 5.0
    tau_syn_I = 5.0
    v_thresh = -50.0
    v_reset = -65.0
    i_offset = 0.0
"""
_PYNN_LIF_UNITS = "v/v_* mV, cm nF, tau_* ms, i_offset nA"
# a weight w gives g(t) = w exp(-t/tau)
_EXP_SYNAPSES = """
        tau_syn_E * dg_exc/dt = -g_exc : exponential
        tau_syn_I * dg_inh/dt = -g_inh : exponential
"""
# a weight w gives alpha(t) = w (t/tau) exp(1 - t/tau), peaking at w after tau; ANNarchy
# writes exp(1) as exp((tau - dt/2) / tau), which corrects the discretisation of the peak
_ALPHA_SYNAPSES = """
        tau_syn_E * dg_exc/dt = -g_exc : exponential
        tau_syn_I * dg_inh/dt = -g_inh : exponential
        tau_syn_E * dalpha_exc/dt = gmax_exc * g_exc - alpha_exc : exponential
        tau_syn_I * dalpha_inh/dt = gmax_inh * g_inh - alpha_inh : exponential
"""
_ALPHA_PEAKS = """
        gmax_exc = exp((tau_syn_E - dt / 2.0) / tau_syn_E)
        gmax_inh = exp((tau_syn_I - dt / 2.0) / tau_syn_I)
"""
_PYNN_THRESHOLD = dict(spike="v > v_thresh", reset="v = v_reset", refractory="tau_refrac")
_COND_REVERSAL = """
    e_rev_E = 0.0
    e_rev_I = -70.0
"""

Izhikevich = _builtin(
    "Izhikevich (2003) quadratic integrate-and-fire neuron, as ANNarchy defines it.\n\n"
    "Synaptic inputs ``g_exc`` and ``g_inh`` are instantaneous currents (cleared every\n"
    "step); ``noise`` scales a standard normal draw per neuron and step.",
    "v/c/v_thresh mV, u/d/I/i_offset/noise/g_exc/g_inh mV/ms, a/b 1/ms, tau_refrac ms",
    name="Izhikevich",
    parameters="""
        a = 0.02
        b = 0.2
        c = -65.0
        d = 8.0
        v_thresh = 30.0
        i_offset = 0.0
        noise = 0.0
        tau_refrac = 0.0
    """,
    equations="""
        I = g_exc - g_inh + noise * Normal(0.0, 1.0) + i_offset
        dv/dt = 0.04 * v^2 + 5.0 * v + 140.0 - u + I : init=-65.0
        du/dt = a * (b * v - u) : init=-13.0
    """,
    spike="v >= v_thresh",
    reset="v = c; u += d",
    refractory="tau_refrac",
)

IF_curr_exp = _builtin(
    "Leaky integrate-and-fire neuron with exponentially decaying current inputs (PyNN).",
    _PYNN_LIF_UNITS + ", g_exc/g_inh nA",
    name="IF_curr_exp",
    parameters=_PYNN_LIF,
    equations="""
        cm * dv/dt = cm / tau_m * (v_rest - v) + g_exc - g_inh + i_offset : init=-65.0, exponential
    """ + _EXP_SYNAPSES,
    **_PYNN_THRESHOLD,
)

IF_cond_exp = _builtin(
    "Leaky integrate-and-fire neuron with exponentially decaying conductances (PyNN).",
    _PYNN_LIF_UNITS + ", e_rev_* mV, g_exc/g_inh uS",
    name="IF_cond_exp",
    parameters=_PYNN_LIF + _COND_REVERSAL,
    equations="""
        cm * dv/dt = cm / tau_m * (v_rest - v) + g_exc * (e_rev_E - v) + g_inh * (e_rev_I - v) + i_offset : init=-65.0, exponential
    """ + _EXP_SYNAPSES,
    **_PYNN_THRESHOLD,
)

IF_curr_alpha = _builtin(
    "Leaky integrate-and-fire neuron with alpha-shaped current inputs (PyNN): a weight w\n"
    "gives a current w * (t/tau) * exp(1 - t/tau), which peaks at w after tau.",
    _PYNN_LIF_UNITS + ", alpha_exc/alpha_inh/g_exc/g_inh nA, gmax_* 1",
    name="IF_curr_alpha",
    parameters=_PYNN_LIF,
    equations=_ALPHA_PEAKS + """
        cm * dv/dt = cm / tau_m * (v_rest - v) + alpha_exc - alpha_inh + i_offset : init=-65.0, exponential
    """ + _ALPHA_SYNAPSES,
    **_PYNN_THRESHOLD,
)

IF_cond_alpha = _builtin(
    "Leaky integrate-and-fire neuron with alpha-shaped conductances (PyNN): a weight w\n"
    "gives a conductance w * (t/tau) * exp(1 - t/tau), which peaks at w after tau.",
    _PYNN_LIF_UNITS + ", e_rev_* mV, alpha_exc/alpha_inh/g_exc/g_inh uS, gmax_* 1",
    name="IF_cond_alpha",
    parameters=_PYNN_LIF + _COND_REVERSAL,
    equations=_ALPHA_PEAKS + """
        cm * dv/dt = cm / tau_m * (v_rest - v) + alpha_exc * (e_rev_E - v) + alpha_inh * (e_rev_I - v) + i_offset : init=-65.0, exponential
    """ + _ALPHA_SYNAPSES,
    **_PYNN_THRESHOLD,
)

EIF_cond_exp_isfa_ista = _builtin(
    "Adaptive exponential integrate-and-fire neuron (AdEx, Brette and Gerstner 2005) with\n"
    "exponential conductances, spike-triggered and subthreshold adaptation (PyNN).",
    "v/v_*/e_rev_*/delta_T mV, cm nF, tau_* ms, a nS, b/w/I/i_offset nA, g_exc/g_inh uS",
    name="EIF_cond_exp_isfa_ista",
    parameters="""
        v_rest = -70.6
        cm = 0.281
        tau_m = 9.3667
        tau_refrac = 0.1
        tau_syn_E = 5.0
        tau_syn_I = 5.0
        e_rev_E = 0.0
        e_rev_I = -80.0
        tau_w = 144.0
        a = 4.0
        b = 0.0805
        i_offset = 0.0
        delta_T = 2.0
        v_thresh = -50.4
        v_reset = -70.6
        v_spike = -40.0
    """,
    equations="""
        I = g_exc * (e_rev_E - v) + g_inh * (e_rev_I - v) + i_offset
        tau_m * dv/dt = v_rest - v + delta_T * exp((v - v_thresh) / delta_T) + tau_m / cm * (I - w) : init=-70.6
        tau_w * dw/dt = a * (v - v_rest) / 1000.0 - w
        tau_syn_E * dg_exc/dt = -g_exc : exponential
        tau_syn_I * dg_inh/dt = -g_inh : exponential
    """,
    spike="v > v_spike",
    reset="v = v_reset; w += b",
    refractory="tau_refrac",
)

HH_cond_exp = _builtin(
    "Hodgkin-Huxley neuron with Traub-Miles sodium and potassium currents and exponential\n"
    "conductances (PyNN, NEST's hh_cond_exp_traub). A spike is an upward crossing of\n"
    "v_thresh.",
    "v/v_*/prev_v/e_rev_* mV, cm nF, gbar_*/g_leak/g_exc/g_inh uS, tau_* ms, i_offset nA, "
    "n/m/h 1, an/am/ah/bn/bm/bh 1/ms",
    name="HH_cond_exp",
    parameters="""
        gbar_Na = 20.0
        gbar_K = 6.0
        g_leak = 0.01
        cm = 0.2
        v_offset = -63.0
        e_rev_Na = 50.0
        e_rev_K = -90.0
        e_rev_leak = -65.0
        e_rev_E = 0.0
        e_rev_I = -80.0
        tau_syn_E = 0.2
        tau_syn_I = 2.0
        i_offset = 0.0
        v_thresh = 0.0
    """,
    equations="""
        prev_v = v
        an = 0.032 * (15.0 - v + v_offset) / (exp((15.0 - v + v_offset) / 5.0) - 1.0)
        am = 0.32 * (13.0 - v + v_offset) / (exp((13.0 - v + v_offset) / 4.0) - 1.0)
        ah = 0.128 * exp((17.0 - v + v_offset) / 18.0)
        bn = 0.5 * exp((10.0 - v + v_offset) / 40.0)
        bm = 0.28 * (v - v_offset - 40.0) / (exp((v - v_offset - 40.0) / 5.0) - 1.0)
        bh = 4.0 / (1.0 + exp((40.0 - v + v_offset) / 5.0))
        dn/dt = an * (1.0 - n) - bn * n : init=0.0, exponential
        dm/dt = am * (1.0 - m) - bm * m : init=0.0, exponential
        dh/dt = ah * (1.0 - h) - bh * h : init=1.0, exponential
        cm * dv/dt = g_leak * (e_rev_leak - v) + gbar_K * n^4 * (e_rev_K - v) + gbar_Na * m^3 * h * (e_rev_Na - v) + g_exc * (e_rev_E - v) + g_inh * (e_rev_I - v) + i_offset : init=-65.0, exponential
        tau_syn_E * dg_exc/dt = -g_exc : exponential
        tau_syn_I * dg_inh/dt = -g_inh : exponential
    """,
    spike="v > v_thresh and prev_v <= v_thresh",
    reset="",
)
