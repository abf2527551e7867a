"""Turn posterior draws into the saved results of a run.

:func:`summarize` computes the depth-grid summaries, predictive envelopes,
diagnostics and truth coverage of a set of layered-Earth draws; the same
function serves every sampler. :func:`to_datatree` packs the draws and
summaries into one ArviZ DataTree for netCDF.
"""

import numpy as np
import xarray as xr
import arviz as az

from bayesjoint.earth import LayeredEarth
from bayesjoint.summaries import diagnostics
from bayesjoint.summaries import posterior as post


def summarize(earths: LayeredEarth, predictions: dict, datasets, *, depth_km, value_bins,
              noise_scale=None, truth: LayeredEarth | None = None, extra_draws=None,
              max_width_decades=1.0):
    """Summaries of one run.

    Parameters
    ----------
    earths : LayeredEarth with leading axes (C, S)
    predictions : dict name -> ndarray (C, S, N)
        Predicted data vector of each dataset for every draw.
    datasets : sequence of dataset containers
    depth_km : ndarray, shape (D,)
        Depth grid of the profile summaries.
    value_bins : ndarray, shape (B + 1,)
        log10-conductivity bin edges of the density image.
    noise_scale : dict name -> ndarray (C, S), optional
    truth : LayeredEarth, optional
    extra_draws : dict name -> ndarray (C, S, ...), optional
        Further quantities to diagnose (e.g. the log-likelihood).
    max_width_decades : float
        Width of the 90 % interval below which a depth counts as resolved.

    Returns
    -------
    dict with ``profile`` (xarray.Dataset), ``envelopes`` (name -> (3, N)),
    ``diagnostics`` (per-variable table), ``worst`` (max R-hat, min ESS),
    ``coverage`` (dict or None), ``grid_values`` ((C, S, D)).
    """
    values = post.grid_values(earths, depth_km)
    profile = post.profile_summary(values, depth_km, value_bins)
    edges = np.concatenate([[depth_km[0]], 0.5 * (depth_km[1:] + depth_km[:-1]), [depth_km[-1]]])
    profile["interface_probability"] = ("depth_km", post.interface_probability(earths, edges))
    kmax = earths.k_max
    k_prob = post.layer_count_probability(earths.n_layers, kmax)
    profile = profile.assign_coords(n_layers=np.arange(1, kmax + 1))
    profile["n_layers_probability"] = ("n_layers", k_prob)

    q05 = profile["log10_sigma_q05"].values
    q95 = profile["log10_sigma_q95"].values
    resolved = post.resolved_mask(q05, q95, max_width_decades)
    profile["resolved"] = ("depth_km", resolved)

    draws = {"log10_sigma_on_grid": values}
    if np.unique(np.asarray(earths.n_layers)).size > 1:
        draws["n_layers"] = np.asarray(earths.n_layers, dtype=float)
    for name, s in (noise_scale or {}).items():
        draws[f"noise_scale_{name}"] = np.asarray(s)
    draws.update(extra_draws or {})
    table = diagnostics.convergence(draws)

    coverage = None
    if truth is not None:
        true_vals = np.asarray(truth.on_depth_grid(depth_km))
        profile["log10_sigma_true"] = ("depth_km", true_vals)
        coverage = {
            "all_depths": post.interval_coverage(q05, q95, true_vals),
            "resolved_depths": post.interval_coverage(q05, q95, true_vals, resolved),
            "resolved_fraction_of_grid": float(resolved.mean()),
            "resolved_depth_range_km": _range(depth_km, resolved),
        }
    envelopes = {name: post.data_envelope(p) for name, p in predictions.items()}
    return {
        "profile": profile,
        "envelopes": envelopes,
        "diagnostics": table,
        "worst": diagnostics.worst(table),
        "coverage": coverage,
        "grid_values": values,
        "resolved_depth_range_km": _range(depth_km, resolved),
    }


def _range(depth_km, mask):
    if not np.any(mask):
        return None
    d = np.asarray(depth_km)[mask]
    return [float(d.min()), float(d.max())]


def to_datatree(posterior_draws: dict, summary: dict, datasets, *, sample_stats=None,
                predictions=None, attrs=None):
    """One ArviZ DataTree with the draws, the data and the summaries.

    Groups: ``posterior`` (draws, dims chain/draw), ``sample_stats``,
    ``posterior_predictive`` (predicted data vectors), ``observed_data``
    (observed vectors and standard deviations), ``profile`` (depth-grid
    summaries), and one ``data_<name>`` group per dataset with its periods.
    """
    groups = {"posterior": {k: np.asarray(v) for k, v in posterior_draws.items()}}
    if sample_stats:
        groups["sample_stats"] = {k: np.asarray(v) for k, v in sample_stats.items()}
    if predictions:
        groups["posterior_predictive"] = {f"pred_{k}": np.asarray(v) for k, v in predictions.items()}
    groups["observed_data"] = {}
    for d in datasets:
        groups["observed_data"][f"obs_{d.name}"] = d.observed()
        groups["observed_data"][f"std_{d.name}"] = d.std()
    tree = az.from_dict(groups)
    tree["profile"] = xr.DataTree(summary["profile"])
    for d in datasets:
        ds = xr.Dataset({"period_s": ("period", np.asarray(d.period_s))},
                        attrs={"type": type(d).__name__, "kind": getattr(d, "kind", "")})
        env = summary["envelopes"].get(d.name)
        if env is not None:
            ds["envelope"] = (("quantile", "datum"), env)
            ds = ds.assign_coords(quantile=[0.05, 0.5, 0.95])
        tree[f"data_{d.name}"] = xr.DataTree(ds)
    for k, v in (attrs or {}).items():
        tree.attrs[k] = v
    return tree
