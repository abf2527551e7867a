"""Observed data with error bars against the posterior-predictive envelope."""

import importlib

import matplotlib.pyplot as plt
import numpy as np

FIT_PLOTTERS = {
    "MTData": "bayesjoint.plotting.datafit:plot_period_pair_fit",
    "DstData": "bayesjoint.plotting.datafit:plot_period_pair_fit",
    "SqData": "bayesjoint.plotting.datafit:plot_period_pair_fit",
    "RFData": "bayesjoint.plotting.datafit_rf:plot_rf_fit",
}
"""``module:function`` drawing the fit of each dataset type into a pair of axes."""


def plot_fit(data, envelope, *, axes=None):
    """Data fit of any registered dataset type, in a pair of axes (two rows).

    Parameters
    ----------
    data : dataset container
    envelope : ndarray, shape (3, N)
        5 %, 50 % and 95 % quantiles of the predicted data vector.
    axes : pair of Axes, optional

    Returns
    -------
    pair of Axes
    """
    try:
        module, func = FIT_PLOTTERS[type(data).__name__].split(":")
    except KeyError:
        raise TypeError(f"no data-fit plot is registered for {type(data).__name__}") from None
    return getattr(importlib.import_module(module), func)(data, envelope, axes=axes)


def plot_period_fit(period_s, observed, std, envelope, *, ax=None, ylabel="", logy=False,
                    color="tab:blue", label=None):
    """One data component against period.

    Parameters
    ----------
    period_s, observed, std : ndarray, shape (P,)
    envelope : ndarray, shape (3, P)
        5 %, 50 % and 95 % posterior-predictive quantiles.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3))
    order = np.argsort(period_s)
    p = np.asarray(period_s)[order]
    ax.fill_between(p, envelope[0][order], envelope[2][order], color=color, alpha=0.25,
                    label="90 % predictive")
    ax.plot(p, envelope[1][order], color=color, lw=1.2, label="median predicted")
    ax.errorbar(p, np.asarray(observed)[order], yerr=np.asarray(std)[order], fmt="o", ms=3,
                color="k", lw=0.8, label=label or "observed")
    ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("period (s)")
    ax.set_ylabel(ylabel)
    return ax


AXIS_LABELS = {
    "log10_rho_a": "log10 rho_a (ohm m)", "phase_deg": "phase (deg)",
    "z_re_ohm": "Re Z (ohm)", "z_im_ohm": "Im Z (ohm)",
    "q_re": "Re Q", "q_im": "Im Q", "c_re_km": "Re C (km)", "c_im_km": "Im C (km)",
    "t_re": "Re T", "t_im": "Im T",
}
"""Axis label of each half of a dataset's data vector (``data.labels()``)."""


def plot_period_pair_fit(data, envelope, *, axes=None):
    """Fit of data given as two halves against period, in two panels.

    Serves every dataset whose ``observed()`` is two blocks over
    ``period_s``: MT (apparent resistivity and phase, or Re and Im Z), Dst
    (Re and Im Q_n or C_n) and Sq (Re and Im T).

    Parameters
    ----------
    data : MTData, DstData or SqData
    envelope : ndarray, shape (3, 2P)
        Quantiles of the predicted data vector (layout of ``data.observed()``).
    axes : pair of Axes, optional

    Returns
    -------
    pair of Axes
    """
    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(5, 5.5), sharex=True)
    n = data.period_s.size
    obs, std = data.observed(), data.std()
    for i, (ax, key) in enumerate(zip(axes, data.labels())):
        sl = slice(i * n, (i + 1) * n)
        plot_period_fit(data.period_s, obs[sl], std[sl], envelope[:, sl], ax=ax,
                        ylabel=AXIS_LABELS[key])
    axes[0].legend(fontsize=8)
    axes[0].set_xlabel("")
    return axes
