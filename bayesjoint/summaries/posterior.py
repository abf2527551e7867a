"""Posterior summaries of layered-Earth draws on a depth grid.

Every summary works on a batch of :class:`~bayesjoint.earth.LayeredEarth`
draws with leading axes (chain, draw), whatever their number of layers, so
the same code serves fixed-dimension (NUTS) and trans-dimensional runs.
"""

import numpy as np
import xarray as xr

from bayesjoint.earth import LayeredEarth

QUANTILES = (0.05, 0.5, 0.95)


def default_depth_grid_km(depth_max_km, n=200):
    """Evenly spaced grid from 0 to ``depth_max_km`` (km), shape (n,)."""
    return np.linspace(0.0, float(depth_max_km), int(n))


def grid_values(earths: LayeredEarth, depth_km, field="log10_sigma"):
    """Values of a per-layer field on a depth grid for every draw.

    Parameters
    ----------
    earths : LayeredEarth with leading axes (C, S)
    depth_km : array, shape (D,)

    Returns
    -------
    ndarray, shape (C, S, D)
    """
    return np.asarray(earths.on_depth_grid(np.asarray(depth_km), field))


def value_bins(lo, hi, n=120):
    """Bin edges for the posterior density image, shape (n + 1,)."""
    return np.linspace(float(lo), float(hi), int(n) + 1)


def profile_summary(values, depth_km, bin_edges, name="log10_sigma"):
    """Median, mean, mode, 5-95 % interval and density image of grid values.

    Parameters
    ----------
    values : ndarray, shape (C, S, D)
        Draws of the property at each grid depth.
    depth_km : ndarray, shape (D,)
    bin_edges : ndarray, shape (B + 1,)
        Edges of the value bins of the density image and of the mode.
    name : str
        Name of the property (prefix of the output variables).

    Returns
    -------
    xarray.Dataset
        Dimensions ``depth_km`` and ``<name>_bin``; variables ``<name>_median``,
        ``_mean``, ``_mode``, ``_q05``, ``_q95`` (D,) and ``_density`` (D, B),
        the density normalised to integrate to 1 over value at each depth.
    """
    flat = np.asarray(values).reshape(-1, np.shape(values)[-1])
    q05, q50, q95 = np.quantile(flat, QUANTILES, axis=0)
    centers = 0.5 * (bin_edges[1:] + bin_edges[:-1])
    width = np.diff(bin_edges)
    counts = np.stack([np.histogram(flat[:, j], bins=bin_edges)[0] for j in range(flat.shape[1])])
    density = counts / (flat.shape[0] * width)
    mode = centers[np.argmax(counts, axis=1)]
    dims = ("depth_km",)
    return xr.Dataset(
        {
            f"{name}_median": (dims, q50),
            f"{name}_mean": (dims, flat.mean(axis=0)),
            f"{name}_mode": (dims, mode),
            f"{name}_q05": (dims, q05),
            f"{name}_q95": (dims, q95),
            f"{name}_density": (("depth_km", f"{name}_bin"), density),
        },
        coords={"depth_km": np.asarray(depth_km), f"{name}_bin": centers},
    )


def interface_probability(earths: LayeredEarth, depth_edges_km):
    """Probability that a draw has an interface in each depth bin.

    Parameters
    ----------
    earths : LayeredEarth with leading axes (C, S)
    depth_edges_km : ndarray, shape (D + 1,)

    Returns
    -------
    ndarray, shape (D,)
        Number of draws with an interface in the bin over the number of draws
        (a draw with two interfaces in one bin counts twice).
    """
    z = np.asarray(earths.interface_depth_km)
    active = np.asarray(earths.active_interfaces())
    n_draws = int(np.prod(z.shape[:-1]))
    counts, _ = np.histogram(z[active], bins=depth_edges_km)
    return counts / n_draws


def interface_near(interface_depth_km, target_km, window_km, *, bin_km=10.0, tol_km=20.0):
    """How well the draws place an interface expected near ``target_km``.

    Parameters
    ----------
    interface_depth_km : array, shape (..., K_max - 1)
        Interface depths of the draws, km; inactive slots NaN.
    target_km : float
        Depth of the expected discontinuity, km.
    window_km : (float, float)
        Depth window attributed to this discontinuity, km (e.g. half-way to
        its neighbours).
    bin_km : float
        Bin width of the histogram whose fullest bin gives the peak, km.
    tol_km : float
        Half-width of the band around ``target_km`` for ``p_within``, km.

    Returns
    -------
    dict
        ``peak_km``: centre of the fullest ``bin_km`` bin of the interface
        depths inside the window (NaN if none); ``peak_offset_km``: its
        distance from ``target_km``; ``p_within``: fraction of draws with an
        interface within ``tol_km`` of ``target_km``; ``p_window``: fraction
        of draws with an interface inside the window; ``q05_km``, ``q95_km``:
        5 and 95 % quantiles of the interface depths inside the window;
        ``half_width_km``: half of their distance.
    """
    z = np.asarray(interface_depth_km, dtype=float)
    z = z.reshape(-1, z.shape[-1])
    lo, hi = window_km
    inside = np.isfinite(z) & (z >= lo) & (z < hi)
    depths = z[inside]
    out = {"p_within": float(np.mean(np.any(np.abs(np.nan_to_num(z, nan=np.inf) - target_km)
                                            <= tol_km, axis=-1))),
           "p_window": float(np.mean(np.any(inside, axis=-1)))}
    if depths.size == 0:
        nan = float("nan")
        return {**out, "peak_km": nan, "peak_offset_km": nan, "q05_km": nan, "q95_km": nan,
                "half_width_km": nan}
    edges = np.arange(lo, hi + bin_km, bin_km)
    counts, _ = np.histogram(depths, bins=edges)
    peak = 0.5 * (edges[np.argmax(counts)] + edges[np.argmax(counts) + 1])
    q05, q95 = np.percentile(depths, [5.0, 95.0])
    return {**out, "peak_km": float(peak), "peak_offset_km": float(abs(peak - target_km)),
            "q05_km": float(q05), "q95_km": float(q95), "half_width_km": float(0.5 * (q95 - q05))}


def layer_count_probability(n_layers, k_max):
    """Posterior probability of each layer count 1 .. k_max, shape (k_max,)."""
    k = np.asarray(n_layers).ravel()
    return np.bincount(k, minlength=k_max + 1)[1 : k_max + 1] / k.size


def interval_coverage(q05, q95, truth, mask=None):
    """Fraction of grid points where the truth lies inside [q05, q95].

    Parameters
    ----------
    q05, q95, truth : ndarray, shape (D,)
    mask : bool ndarray, shape (D,), optional
        Grid points to count (default all).
    """
    inside = (truth >= q05) & (truth <= q95)
    if mask is None:
        mask = np.ones_like(inside, dtype=bool)
    if not mask.any():
        return float("nan")
    return float(inside[mask].mean())


def resolved_mask(q05, q95, max_width=1.0):
    """Grid points where the 90 % interval is narrower than ``max_width``.

    With log10 conductivity, ``max_width = 1`` means narrower than one decade.
    """
    return (q95 - q05) < max_width


def data_envelope(predictions, quantiles=QUANTILES):
    """Quantiles of posterior-predictive data, shape (len(quantiles), N).

    Parameters
    ----------
    predictions : ndarray, shape (C, S, N)
    """
    flat = np.asarray(predictions).reshape(-1, np.shape(predictions)[-1])
    return np.quantile(flat, quantiles, axis=0)
