"""Data fit of Dst and Sq geomagnetic depth-sounding data."""

import matplotlib.pyplot as plt

from bayesjoint.plotting.datafit import plot_period_fit

_LABELS = {"q_re": "Re Q", "q_im": "Im Q", "c_re_km": "Re C (km)", "c_im_km": "Im C (km)",
           "t_re": "Re T", "t_im": "Im T"}


def _plot_complex_fit(data, envelope, axes):
    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(5, 5.5), sharex=True)
    n = data.period_s.size
    obs, std = data.observed(), data.std()
    for i, (ax, key) in enumerate(zip(axes, data.labels())):
        sl = slice(i * n, (i + 1) * n)
        plot_period_fit(data.period_s, obs[sl], std[sl], envelope[:, sl], ax=ax,
                        ylabel=_LABELS[key])
    axes[0].legend(fontsize=8)
    axes[0].set_xlabel("")
    return axes


def plot_dst_fit(data, envelope, *, axes=None):
    """Dst data fit: real (top) and imaginary (bottom) part of Q_n or C_n.

    Parameters
    ----------
    data : bayesjoint.data.DstData
    envelope : ndarray, shape (3, 2P)
        5 %, 50 % and 95 % posterior-predictive quantiles (layout of
        ``data.observed()``).
    axes : pair of Axes, optional

    Returns
    -------
    pair of Axes
    """
    return _plot_complex_fit(data, envelope, axes)


def plot_sq_fit(data, envelope, *, axes=None):
    """Sq data fit: real (top) and imaginary (bottom) part of T against period.

    Parameters
    ----------
    data : bayesjoint.data.SqData
    envelope : ndarray, shape (3, 2P)
        5 %, 50 % and 95 % posterior-predictive quantiles (layout of
        ``data.observed()``).
    axes : pair of Axes, optional

    Returns
    -------
    pair of Axes
    """
    return _plot_complex_fit(data, envelope, axes)
