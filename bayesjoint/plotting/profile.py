"""Depth profiles: posterior density image, median, 90 % interval, truth.

Depth axes
----------
``depth_axis`` of :func:`plot_depth_profile` and
:func:`plot_interface_probability` is one of :data:`DEPTH_AXES`:

``"linear"``
    depth proportional to height;
``"log"``
    logarithmic depth, from the shallowest positive depth of the grid down;
``"split"``
    one axis in two linear parts: the upper half of the panel shows 0 to
    ``split_depth_km`` (default :data:`SPLIT_DEPTH_KM`), the lower half the
    rest, with a dashed line where the scale changes;
``"auto"`` (default)
    ``"split"`` when the grid reaches deeper than :data:`AUTO_SPLIT_BELOW_KM`,
    otherwise ``"linear"``; a deep profile (say to 2000 km) then keeps the
    upper mantle readable.

Panels drawn side by side with the same grid and the same ``depth_axis``
get the same vertical scale.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator

DEPTH_AXES = ("auto", "linear", "log", "split")
"""Allowed values of ``depth_axis``."""

AUTO_SPLIT_BELOW_KM = 800.0
"""``depth_axis="auto"`` splits the axis of profiles that reach deeper than this, km."""

SPLIT_DEPTH_KM = 400.0
"""Default depth where a split axis changes scale, km (the upper half shows 0 to it)."""


def resolve_depth_axis(depth_axis, depth_max_km):
    """The depth axis ``"auto"`` stands for, for a profile down to ``depth_max_km``.

    Parameters
    ----------
    depth_axis : {"auto", "linear", "log", "split"}
    depth_max_km : float

    Returns
    -------
    {"linear", "log", "split"}
    """
    if depth_axis not in DEPTH_AXES:
        raise ValueError(f"depth_axis = {depth_axis!r}: allowed values are {DEPTH_AXES}")
    if depth_axis == "auto":
        return "split" if depth_max_km > AUTO_SPLIT_BELOW_KM else "linear"
    return depth_axis


def _split_scale(split_km, bottom_km):
    """Forward and inverse maps of a split depth axis: 0..split -> 0..1, split..bottom -> 1..2."""
    lower = bottom_km - split_km

    def forward(z):
        z = np.asarray(z, dtype=float)
        return np.where(z <= split_km, z / split_km, 1.0 + (z - split_km) / lower)

    def inverse(y):
        y = np.asarray(y, dtype=float)
        return np.where(y <= 1.0, y * split_km, split_km + (y - 1.0) * lower)

    return forward, inverse


def set_depth_axis(ax, depth_km, depth_axis="auto", split_depth_km=None):
    """Scale, limits (depth down) and label of a depth axis.

    Parameters
    ----------
    ax : matplotlib Axes
        Depth on its y axis.
    depth_km : array_like
        Depths of the grid drawn, km (the axis spans its minimum to maximum).
    depth_axis : {"auto", "linear", "log", "split"}
        See the module docstring.
    split_depth_km : float, optional
        Depth where a split axis changes scale (default
        :data:`SPLIT_DEPTH_KM`); ignored by the other axes.

    Returns
    -------
    str
        The axis drawn: ``"linear"``, ``"log"`` or ``"split"`` (a split at or
        below the bottom of the grid draws ``"linear"``).
    """
    depth = np.asarray(depth_km, dtype=float)
    top, bottom = float(depth.min()), float(depth.max())
    kind = resolve_depth_axis(depth_axis, bottom)
    split = SPLIT_DEPTH_KM if split_depth_km is None else float(split_depth_km)
    if kind == "split" and not top < split < bottom:
        kind = "linear"
    if kind == "log":
        positive = depth[depth > 0]
        if positive.size == 0:
            raise ValueError("depth_axis = 'log' needs depths > 0 km")
        ax.set_yscale("log")
        ax.set_ylim(bottom, float(positive.min()))
        ax.set_ylabel("depth (km, log scale)")
        return kind
    if kind == "split":
        ax.set_yscale("function", functions=_split_scale(split, bottom))
        ticks = np.concatenate([MaxNLocator(4).tick_values(top, split),
                                MaxNLocator(4).tick_values(split, bottom)])
        ticks = np.unique(ticks[(ticks >= top) & (ticks <= bottom)])
        ax.yaxis.set_major_locator(FixedLocator(ticks))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.axhline(split, color="0.35", lw=0.8, ls="--", zorder=4)
        ax.set_ylim(bottom, top)
        ax.set_ylabel(f"depth (km; scale changes at {split:g} km)")
        return kind
    ax.set_ylim(bottom, top)
    ax.set_ylabel("depth (km)")
    return kind


def plot_depth_profile(profile, *, name="log10_sigma", truth=None, ax=None,
                       xlabel="log10 conductivity (S/m)", cmap="Greys", title=None,
                       depth_axis="auto", split_depth_km=None):
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
    depth_axis : {"auto", "linear", "log", "split"}
        Depth scale (module docstring); ``"auto"`` splits the axis of
        profiles deeper than :data:`AUTO_SPLIT_BELOW_KM`.
    split_depth_km : float, optional
        Depth where a split axis changes scale, km (default
        :data:`SPLIT_DEPTH_KM`).

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
    set_depth_axis(ax, depth, depth_axis, split_depth_km)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="lower left", fontsize=8)
    return ax


def plot_interface_probability(depth_edges_km, probability, *, ax=None, color="tab:green",
                               depth_axis="auto", split_depth_km=None):
    """Interface-depth probability as a horizontal step histogram.

    Parameters
    ----------
    depth_edges_km : ndarray, shape (D + 1,)
        Edges of the depth bins, km, increasing.
    probability : ndarray, shape (D,)
        Probability of an interface in each bin.
    ax : matplotlib Axes, optional
    color : str
    depth_axis, split_depth_km
        As in :func:`plot_depth_profile`; with the same values and grid the
        two panels share one vertical scale.

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(2.5, 6))
    ax.stairs(probability, depth_edges_km, orientation="horizontal", color=color, fill=True,
              alpha=0.6)
    set_depth_axis(ax, depth_edges_km, depth_axis, split_depth_km)
    ax.set_xlabel("interface probability")
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
