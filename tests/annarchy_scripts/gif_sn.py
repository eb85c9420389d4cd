"""ANNarchy 5's notebook GIF_SN (notebooks/GIF_SN.ipynb, no version for ANNarchy 4) translated to
ANNarchy 4.8: 500 unconnected generalized integrate-and-fire neurons with escape noise
(Schwalger et al. 2017), the model as the notebook's text defines ANNarchy 5's built-in
GIF_curr (its parameters one per population), two input levels of 300 ms. Plotting removed.
"""
import numpy
import ANNarchy as ann
GIF = ann.Neuron(
    parameters = """
        C_m = 250.0 : population
        tau_m = 10.0 : population
        R = 0.04 : population
        tau_v = 1000.0 : population
        J_v = 1000.0 : population
        u_r = 25.0 : population
        u_th = 10.0 : population
        c = 10.0 : population
        delta_u = 5.0 : population
        I_ext = 0.0 : population
    """,
    equations = """
        tau_m * du/dt = -u + u_r + R*I_ext : init=25.0
        tau_v * dv/dt = -(v-u_th) : init=10.0
        Lambda = c * exp((u-v)/delta_u)
        p = Uniform(0.0, 1.0) * 1000.0 / dt
    """,
    spike = "p < Lambda",
    reset = """
        u = u_r
        v += J_v / tau_v
    """
)
P = ann.Population(500, neuron=GIF)
P.u = 15.0
m = ann.Monitor(P[15], ["u", "v", "spike"])
m2 = ann.Monitor(P, "spike")
ann.compile()
input_signal = numpy.zeros(600)
P.I_ext = (15 - P.u_r)/P.R
ann.simulate(300)
input_signal[:300] = P.I_ext
P.I_ext = (30 - P.u_r)/P.R
ann.simulate(300)
input_signal[300:] = P.I_ext
t, n = m2.raster_plot()
data = m.get()
result = {"rate_low": float(numpy.sum(t < 300) / 500 / 0.3), "rate_high": float(numpy.sum(t >= 300) / 500 / 0.3),
          "rate_high_late": float(numpy.sum(t >= 400) / 500 / 0.2), "v_mean_late": float(numpy.mean(data["v"][400:])),
          "u_mean_late": float(numpy.mean(data["u"][400:]))}
