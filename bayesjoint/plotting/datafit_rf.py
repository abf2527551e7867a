"""Receiver-function data fit: traces with the predictive band, normalised residuals."""

import matplotlib.pyplot as plt
import numpy as np


def plot_rf_fit(data, envelope, *, axes=None):
    """Receiver-function fit in two panels against time after the direct P.

    Top: each observed trace (black) over the 90 % posterior-predictive band
    (5-95 %) and the median prediction; several traces are offset upward by
    the largest peak-to-peak amplitude, in the order of the data, and
    labelled with their ray parameter. Bottom: normalised residuals
    ``(observed - median) / std`` of every trace, with the +-1 lines.

    Parameters
    ----------
    data : bayesjoint.data.RFData
    envelope : ndarray, shape (3, R npts)
        5 %, 50 % and 95 % quantiles of the predicted data vector (layout
        of ``data.observed()``).
    axes : pair of Axes, optional

    Returns
    -------
    pair of Axes
    """
    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(6, 5.5), sharex=True)
    ax_rf, ax_res = axes
    shape = (data.n_traces, data.npts)
    env = np.asarray(envelope).reshape((3,) + shape)
    obs, std = data.rf, data.rf_std
    t = data.time_s()
    step = float(np.max(np.ptp(obs, axis=1))) or 1.0
    for i in range(data.n_traces):
        off = i * step
        ax_rf.fill_between(t, env[0, i] + off, env[2, i] + off, color="tab:blue", alpha=0.3,
                           lw=0, label="90 % predictive" if i == 0 else None)
        ax_rf.plot(t, env[1, i] + off, color="tab:blue", lw=1.0,
                   label="median predicted" if i == 0 else None)
        ax_rf.plot(t, obs[i] + off, color="k", lw=0.8, label="observed" if i == 0 else None)
        if data.n_traces > 1:
            ax_rf.annotate(f"p = {data.ray_parameter_s_km[i]:.4f} s/km", (t[-1], off),
                           ha="right", va="bottom", fontsize=7)
        ax_res.plot(t, (obs[i] - env[1, i]) / std[i], lw=0.7)
    for level in (-1.0, 1.0):
        ax_res.axhline(level, color="0.5", lw=0.6, ls="--")
    ax_rf.set_ylabel(f"RF ({data.normalize} normalised)")
    ax_rf.legend(fontsize=8, loc="upper right")
    ax_res.set_xlabel("time after P (s)")
    ax_res.set_ylabel("residual / std")
    return axes
