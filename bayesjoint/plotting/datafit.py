"""Observed data with error bars against the posterior-predictive envelope."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bayesjoint.datatypes import descriptor


def plot_fit(data, envelope, *, axes=None):
    """Data fit of a dataset, in a pair of axes (two rows): the plot of its data type.

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
    return descriptor(data).plot_fit(data, envelope, axes=axes)


OBSERVED_STYLE = {"fmt": "o", "ms": 3, "color": "k", "mfc": "white", "mew": 0.8,
                  "elinewidth": 1.0, "capsize": 3, "capthick": 1.0, "zorder": 3}
"""Matplotlib ``errorbar`` style of observed data: open markers, bars with caps."""


def plot_period_fit(period_s, observed, std, envelope, *, ax=None, ylabel="", logy=False,
                    color="tab:blue", label=None):
    """One data component against period.

    The observed values are drawn with error bars of +- 1 ``std`` and caps
    (:data:`OBSERVED_STYLE`), so that an error bar shorter than the marker
    still shows as two caps.

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
    ax.errorbar(p, np.asarray(observed)[order], yerr=np.asarray(std)[order],
                label=label or "observed +- 1 std", **OBSERVED_STYLE)
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

    Serves the datasets whose ``observed()`` is two blocks over distinct
    periods ``period_s``: MT (apparent resistivity and phase, or Re and Im
    Z) and Dst (Re and Im Q_n or C_n). Sq data, whose terms may share a
    period, have :func:`plot_sq_fit`.

    Parameters
    ----------
    data : MTData or DstData
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


LEGEND_HEADROOM = 0.5
"""Space added above the data of the upper Sq panel for its legend, as a fraction of the
data's range."""


def sq_term_label(degree, order):
    """Legend label of one Sq source term, e.g. ``"(n, m) = (2, 1)"``."""
    return f"(n, m) = ({int(degree)}, {int(order)})"


def plot_sq_fit(data, envelope, *, axes=None):
    """Sq fit in two panels (Re T, Im T), one series per source term (n, m).

    Each term gets its own colour: the observed values as open markers with
    +- 1 std error bars (legend entry ``"(n, m) = (2, 1)"``), the median
    prediction as a line through the term's periods, and the 90 %
    posterior-predictive interval (5-95 %) as a band, or as a bar where the
    term has one period. Different terms are never joined by a line. The
    legend sits in space added above the data of the upper panel.

    Parameters
    ----------
    data : bayesjoint.data.SqData
    envelope : ndarray, shape (3, 2P)
        5 %, 50 % and 95 % quantiles of the predicted data vector (layout of
        ``data.observed()``: Re T of the P data, then Im T).
    axes : pair of Axes, optional

    Returns
    -------
    pair of Axes
    """
    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(5, 5.5), sharex=True)
    n_data = data.period_s.size
    obs, std = data.observed(), data.std()
    env = np.asarray(envelope)
    terms = sorted(set(zip(data.degree.tolist(), data.order.tolist())))
    colors = plt.get_cmap("tab10")
    for half, (ax, key) in enumerate(zip(axes, data.labels())):
        offset = half * n_data
        for j, (n, m) in enumerate(terms):
            idx = np.flatnonzero((data.degree == n) & (data.order == m))
            idx = idx[np.argsort(data.period_s[idx])] + offset
            p = data.period_s[idx - offset]
            color = colors(j % colors.N)
            if idx.size > 1:
                ax.fill_between(p, env[0, idx], env[2, idx], color=color, alpha=0.2, lw=0)
            else:
                ax.vlines(p, env[0, idx], env[2, idx], color=color, alpha=0.35, lw=7)
            ax.plot(p, env[1, idx], color=color, lw=1.2, marker="_", ms=12, mew=1.5)
            style = dict(OBSERVED_STYLE, color=color, mec=color)
            ax.errorbar(p, obs[idx], yerr=std[idx], label=sq_term_label(n, m), **style)
        ax.axhline(0.0, color="0.6", lw=0.5, zorder=0)
        ax.set_xscale("log")
        ax.set_xlabel("period (s)")
        ax.set_ylabel(AXIS_LABELS[key])
    handles, labels = axes[0].get_legend_handles_labels()
    handles += [Line2D([], [], color="0.3", lw=1.2, marker="_", ms=12, mew=1.5),
                Patch(color="0.3", alpha=0.3)]
    labels += ["median predicted", "90 % predictive"]
    low, high = axes[0].get_ylim()  # headroom above the data for the legend
    axes[0].set_ylim(low, high + LEGEND_HEADROOM * (high - low))
    axes[0].legend(handles, labels, fontsize=7, ncol=3, loc="upper center")
    axes[0].set_xlabel("")
    return axes
