"""Depth profiles: posterior density image, median, 90 % interval, truth."""

import matplotlib.pyplot as plt
import numpy as np


def plot_depth_profile(profile, *, name="log10_sigma", truth=None, ax=None,
                       xlabel="log10 conductivity (S/m)", cmap="Greys", title=None):
    """Posterior of a property against depth.

    Parameters
    ----------
    profile : xarray.Dataset
        Output of :func:`bayesjoint.summaries.posterior.profile_summary`.
    name : str
        Property prefix in ``profile``.
    truth : tuple (top_depth_km, values), optional
        True layered model, drawn as a step line.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 6))
    depth = profile["depth_km"].values
    bins = profile[f"{name}_bin"].values
    dens = profile[f"{name}_density"].values
    ax.pcolormesh(bins, depth, np.sqrt(dens / max(dens.max(), 1e-300)), cmap=cmap,
                  shading="nearest", rasterized=True)
    ax.plot(profile[f"{name}_median"], depth, color="tab:blue", lw=1.5, label="median")
    ax.plot(profile[f"{name}_q05"], depth, color="tab:blue", lw=0.8, ls="--", label="5-95 %")
    ax.plot(profile[f"{name}_q95"], depth, color="tab:blue", lw=0.8, ls="--")
    if truth is not None:
        top, values = (np.asarray(a, dtype=float) for a in truth)
        z = np.concatenate([np.repeat(top, 2)[1:], [depth.max()]])
        v = np.repeat(values, 2)
        ax.plot(v, z, color="tab:red", lw=1.2, label="true")
    ax.set_ylim(depth.max(), depth.min())
    ax.set_xlabel(xlabel)
    ax.set_ylabel("depth (km)")
    if title:
        ax.set_title(title)
    ax.legend(loc="lower left", fontsize=8)
    return ax


def plot_interface_probability(depth_edges_km, probability, *, ax=None, color="tab:green"):
    """Interface-depth probability as a horizontal step histogram."""
    if ax is None:
        _, ax = plt.subplots(figsize=(2.5, 6))
    ax.stairs(probability, depth_edges_km, orientation="horizontal", color=color, fill=True,
              alpha=0.6)
    ax.set_ylim(depth_edges_km[-1], depth_edges_km[0])
    ax.set_xlabel("interface probability")
    ax.set_ylabel("depth (km)")
    return ax


def plot_layer_count(n_layers, probability, *, ax=None, color="tab:purple"):
    """Posterior probability of the number of layers as a bar chart."""
    if ax is None:
        _, ax = plt.subplots(figsize=(2.5, 3))
    keep = np.asarray(probability) > 0
    ax.bar(np.asarray(n_layers)[keep], np.asarray(probability)[keep], color=color, width=0.8)
    ax.set_xlabel("number of layers")
    ax.set_ylabel("probability")
    return ax
