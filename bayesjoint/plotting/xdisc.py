"""Figure of ``bayesjoint xdisc``: the stacks with predicted envelopes and the P(X) depth profile."""

import matplotlib.pyplot as plt
import numpy as np


def plot_xdisc(time_s, observed, std, envelope, ray_parameter_s_km, depth_edges_km,
               p_x_per_km, *, p_x, title="",
               envelope_label="X model, 5-95 %"):
    """Observed stacks over predicted envelopes, beside the depth profile of P(X).

    Parameters
    ----------
    time_s : ndarray, shape (npts,)
        Time after the direct P, s.
    observed, std : ndarray, shape (R, npts)
        Stacks and their standard deviations.
    envelope : ndarray, shape (3, R, npts)
        5 %, 50 % and 95 % quantiles of the predicted receiver functions.
    ray_parameter_s_km : ndarray, shape (R,)
    depth_edges_km : ndarray, shape (D + 1,)
        Edges of the depth bins, km.
    p_x_per_km : ndarray, shape (D,)
        Posterior probability of an X per km in each bin (sums to ``p_x``
        times the bin width).
    p_x : float
    title : str
    envelope_label : str
        Legend entry of the envelope.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (ax_rf, ax_px) = plt.subplots(1, 2, figsize=(11, 5.5),
                                       gridspec_kw={"width_ratios": [3, 1]})
    late = time_s > 5.0
    gap = 2.5 * np.max(np.abs(observed[:, late])) if late.any() else 1.0
    for k in range(observed.shape[0]):
        y = k * gap
        ax_rf.fill_between(time_s, y + envelope[0, k], y + envelope[2, k], color="tab:blue",
                           alpha=0.35, lw=0, label=envelope_label if k == 0 else None)
        ax_rf.plot(time_s, y + envelope[1, k], color="tab:blue", lw=0.8)
        ax_rf.errorbar(time_s, y + observed[k], yerr=std[k], color="k", lw=0.6,
                       elinewidth=0.3, label="stack" if k == 0 else None)
    ax_rf.set_yticks([k * gap for k in range(observed.shape[0])])
    ax_rf.set_yticklabels([f"{p:.4f}" for p in ray_parameter_s_km], fontsize=7)
    ax_rf.set_ylabel("ray parameter, s/km")
    ax_rf.set_xlabel("time after P, s")
    ax_rf.set_ylim(-gap, observed.shape[0] * gap)
    ax_rf.legend(loc="upper right", fontsize=8)
    centers = 0.5 * (depth_edges_km[1:] + depth_edges_km[:-1])
    ax_px.barh(centers, p_x_per_km, height=np.diff(depth_edges_km), color="tab:orange")
    ax_px.invert_yaxis()
    ax_px.set_xlabel("P(X) per km")
    ax_px.set_ylabel("depth, km")
    ax_px.set_title(f"p_x = {p_x:.3f}")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
