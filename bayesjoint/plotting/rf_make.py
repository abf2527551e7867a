"""Figure of ``bayesjoint rf make``: the receiver function of every record and the stacks."""

import matplotlib.pyplot as plt
import numpy as np


def plot_rf_make(time_s, traces, ray_parameter_s_km, used, stacks, stack_std,
                 stack_ray_parameter_s_km, *, title=""):
    """Individual receiver functions (by ray parameter) beside the stacks with their errors.

    Parameters
    ----------
    time_s : ndarray, shape (npts,)
        Time after the direct P, s.
    traces : ndarray, shape (M, npts)
        Receiver function of each record (NaN rows are left out).
    ray_parameter_s_km : ndarray, shape (M,)
    used : ndarray of bool, shape (M,)
        Records that entered a stack (black) or were rejected (red).
    stacks, stack_std : ndarray, shape (B, npts)
        Stacks and their per-sample standard errors.
    stack_ray_parameter_s_km : ndarray, shape (B,)
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (ax_rec, ax_stack) = plt.subplots(1, 2, figsize=(11, 6.5), sharex=True)
    shown = np.flatnonzero(np.all(np.isfinite(traces), axis=1))
    order = shown[np.argsort(np.asarray(ray_parameter_s_km)[shown])]
    finite = traces[shown] if shown.size else np.ones((1, 1))
    gap = 2.0 * np.nanmax(np.abs(finite[:, time_s > 1.0])) if (time_s > 1.0).any() else 1.0
    for k, i in enumerate(order):
        color = "k" if used[i] else "tab:red"
        ax_rec.plot(time_s, k * gap + traces[i], color=color, lw=0.7)
    ax_rec.set_yticks([k * gap for k in range(order.size)])
    ax_rec.set_yticklabels([f"{ray_parameter_s_km[i]:.4f}" for i in order], fontsize=6)
    ax_rec.set_ylabel("ray parameter, s/km (red: rejected)")
    ax_rec.set_title(f"{int(np.sum(used))} used, {int(np.sum(~np.asarray(used)))} rejected")
    stack_gap = 1.2 * float(np.max(np.abs(stacks)))
    for b, (mean, err) in enumerate(zip(stacks, stack_std)):
        y = b * stack_gap
        ax_stack.fill_between(time_s, y + mean - 2 * err, y + mean + 2 * err,
                              color="tab:blue", alpha=0.3, lw=0)
        ax_stack.plot(time_s, y + mean, color="tab:blue", lw=0.9)
    ax_stack.set_yticks([b * stack_gap for b in range(len(stacks))])
    ax_stack.set_yticklabels([f"{p:.4f}" for p in stack_ray_parameter_s_km])
    ax_stack.set_ylabel("stack ray parameter, s/km")
    ax_stack.set_title("stacks, band: +-2 standard errors")
    for ax in (ax_rec, ax_stack):
        ax.set_xlabel("time after P, s")
        ax.axvline(0.0, color="0.7", lw=0.5)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
