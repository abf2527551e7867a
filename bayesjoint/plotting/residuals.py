"""Normalised residuals of one dataset, labelled by the layout of its data vector."""

import matplotlib.pyplot as plt
import numpy as np

from bayesjoint.plotting.datafit import AXIS_LABELS


def block_name(label):
    """Readable name of one block of a data vector (a name of ``data.labels()``).

    ``"phase_deg"`` -> ``"phase (deg)"`` (:data:`~bayesjoint.plotting.datafit.AXIS_LABELS`);
    ``"rf_2"`` -> ``"RF trace 2"``; other names are returned as they are.
    """
    if label in AXIS_LABELS:
        return AXIS_LABELS[label]
    if label.startswith("rf_") and label[3:].isdigit():
        return f"RF trace {label[3:]}"
    return label


def _as_list(labels):
    return [labels] if isinstance(labels, str) else [str(x) for x in labels]


def residual_axis_label(labels):
    """x-axis label of a residual plot: the blocks of the data vector in order.

    Parameters
    ----------
    labels : str or sequence of str
        Names of the equal blocks of the data vector (``data.labels()``); a
        single str is one block.

    Returns
    -------
    str
        For example ``"datum: log10 rho_a (ohm m), then phase (deg)"`` or
        ``"datum: Re T, then Im T"``; receiver functions read ``"datum: RF
        traces 0 to 4, one after another"``.
    """
    labels = _as_list(labels)
    if len(labels) > 2 and all(block_name(x).startswith("RF trace") for x in labels):
        return f"datum: RF traces 0 to {len(labels) - 1}, one after another"
    return "datum: " + ", then ".join(block_name(x) for x in labels)


def plot_residuals(observed, std, predicted, labels, *, ax=None, title=None):
    """Normalised residuals ``(observed - predicted) / std`` against datum index.

    The data vector is cut into ``len(labels)`` equal blocks (the layout of
    ``data.observed()``): each block is its own marker series with a legend
    entry naming it (``"log10 rho_a (ohm m)"``, ``"phase (deg)"``, ``"Re
    Q"``, ...), dotted lines separate the blocks, the band of +-1 is shaded,
    and the x axis says in which order the blocks come.

    Parameters
    ----------
    observed, std, predicted : ndarray, shape (N,)
        Observed data, their standard deviations and a prediction (e.g. the
        posterior-predictive median), laid out like ``data.observed()``.
    labels : str or sequence of str, length B
        Names of the blocks (``data.labels()``); B must divide N. A single
        str is one block (netCDF reads a one-element list attribute back as
        a str).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    observed, std, predicted = (np.asarray(a, dtype=float) for a in (observed, std, predicted))
    labels = _as_list(labels)
    if observed.size % len(labels):
        raise ValueError(f"{observed.size} data do not split into {len(labels)} equal blocks "
                         f"{labels}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 2.4))
    size = observed.size // len(labels)
    residual = (observed - predicted) / std
    ax.axhspan(-1.0, 1.0, color="0.9", zorder=0)
    markers = "osD^v<>"
    for i, label in enumerate(labels):
        x = np.arange(i * size, (i + 1) * size)
        ax.plot(x, residual[x], ls="none", marker=markers[i % len(markers)], ms=3,
                label=block_name(label))
        if i:
            ax.axvline(i * size - 0.5, color="0.5", lw=0.6, ls=":")
    ax.set_xlabel(residual_axis_label(labels))
    ax.set_ylabel("residual / std")
    if title:
        ax.set_title(title, fontsize=9)
    if len(labels) <= 4:
        ax.legend(fontsize=7, loc="upper right")
    return ax
