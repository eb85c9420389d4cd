"""Built-in models, written in the public equation language."""

from dasksnn.models.neurons import (
    EIF_cond_exp_isfa_ista,
    HH_cond_exp,
    IF_cond_alpha,
    IF_cond_exp,
    IF_curr_alpha,
    IF_curr_exp,
    Izhikevich,
)
from dasksnn.models.synapses import STDP, STP

__all__ = ["Izhikevich", "IF_curr_exp", "IF_cond_exp", "IF_curr_alpha", "IF_cond_alpha",
           "EIF_cond_exp_isfa_ista", "HH_cond_exp",
           "STDP", "STP"]
