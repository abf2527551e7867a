"""Turn posterior draws into the saved results of a run.

:func:`summarize` computes the depth-grid summaries, predictive envelopes,
diagnostics and truth coverage of a set of layered-Earth draws; the same
function serves every sampler. :func:`to_datatree` packs the draws and
summaries into one ArviZ DataTree for netCDF.
"""

import numpy as np
import xarray as xr
import arviz as az

from bayesjoint.datatypes import descriptor
from bayesjoint.earth import LayeredEarth
from bayesjoint.summaries import diagnostics
from bayesjoint.summaries import posterior as post
from bayesjoint.summaries.static_shift import static_shift_summary


PROFILE_FIELDS = {
    "log10_sigma": 1.0,
    "vs_km_s": 0.5,
}
"""Per-layer fields summarised on the depth grid, with the width of the 90 %
interval (log10 S/m, km/s) below which a depth counts as resolved."""


def summarize(earths: LayeredEarth, predictions: dict, datasets, *, depth_km, value_bins: dict,
              noise_scale=None, truth: LayeredEarth | None = None, extra_draws=None):
    """Summaries of one run.

    Parameters
    ----------
    earths : LayeredEarth with leading axes (C, S)
    predictions : dict name -> ndarray (C, S', N)
        Predicted data vector of each dataset for (a subset of) the draws.
    datasets : sequence of dataset containers
    depth_km : ndarray, shape (D,)
        Depth grid of the profile summaries.
    value_bins : dict field -> ndarray (B + 1,)
        Bin edges of the density image of each per-layer field to summarise
        (``log10_sigma``, ``vs_km_s``).
    noise_scale : dict name -> ndarray (C, S), optional
    truth : LayeredEarth, optional
    extra_draws : dict name -> ndarray (C, S, ...), optional
        Further quantities to diagnose (e.g. the log-likelihood).

    Returns
    -------
    dict with ``profile`` (xarray.Dataset), ``envelopes`` (name -> (3, N)),
    ``diagnostics`` (per-variable table), ``worst`` (max R-hat, min ESS),
    ``coverage`` (field -> dict, or None), ``resolved_depth_range_km``
    (field -> [min, max] or None), ``static_shift_log10`` and
    ``static_shift_per_draw`` (name -> dicts of
    :func:`~bayesjoint.summaries.static_shift.static_shift_summary`, for MT
    datasets with a static shift).
    """
    profiles = []
    draws = {}
    coverage = {} if truth is not None else None
    resolved_range = {}
    for field, bins in value_bins.items():
        values = post.grid_values(earths, depth_km, field)
        prof = post.profile_summary(values, depth_km, bins, name=field)
        q05 = prof[f"{field}_q05"].values
        q95 = prof[f"{field}_q95"].values
        resolved = post.resolved_mask(q05, q95, PROFILE_FIELDS[field])
        prof[f"{field}_resolved"] = ("depth_km", resolved)
        resolved_range[field] = _range(depth_km, resolved)
        draws[f"{field}_on_grid"] = values
        if truth is not None and getattr(truth, field) is not None:
            true_vals = np.asarray(truth.on_depth_grid(depth_km, field))
            prof[f"{field}_true"] = ("depth_km", true_vals)
            coverage[field] = {
                "all_depths": post.interval_coverage(q05, q95, true_vals),
                "resolved_depths": post.interval_coverage(q05, q95, true_vals, resolved),
                "resolved_fraction_of_grid": float(resolved.mean()),
                "resolved_depth_range_km": resolved_range[field],
            }
        profiles.append(prof)
    profile = xr.merge(profiles)
    edges = np.concatenate([[depth_km[0]], 0.5 * (depth_km[1:] + depth_km[:-1]), [depth_km[-1]]])
    profile["interface_probability"] = ("depth_km", post.interface_probability(earths, edges))
    kmax = earths.k_max
    profile = profile.assign_coords(n_layers=np.arange(1, kmax + 1))
    profile["n_layers_probability"] = ("n_layers",
                                       post.layer_count_probability(earths.n_layers, kmax))

    if np.unique(np.asarray(earths.n_layers)).size > 1:
        draws["n_layers"] = np.asarray(earths.n_layers, dtype=float)
    for name, s in (noise_scale or {}).items():
        draws[f"noise_scale_{name}"] = np.asarray(s)
    draws.update(extra_draws or {})
    table = diagnostics.convergence(draws)
    envelopes = {name: post.data_envelope(p) for name, p in predictions.items()}
    shift, shift_per_draw = static_shift_summary(datasets, predictions, noise_scale)
    return {
        "profile": profile,
        "envelopes": envelopes,
        "diagnostics": table,
        "worst": diagnostics.worst(table),
        "coverage": coverage,
        "resolved_depth_range_km": resolved_range,
        "static_shift_log10": shift,
        "static_shift_per_draw": shift_per_draw,
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
    summaries), and one ``data_<name>`` group per dataset with its periods
    (or, for receiver functions, its time axis) and predictive envelope;
    for MT data with a static shift, also the shift of every draw with a
    prediction, and its conditional mean and std given that draw
    (``static_shift_log10``, ``static_shift_log10_conditional_mean``,
    ``static_shift_log10_conditional_std``, dims chain and
    ``predictive_draw``).
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
        ds = xr.Dataset(descriptor(d).data_axis(d), attrs={"type": type(d).__name__, "kind": getattr(d, "kind", ""),
                                     "labels": list(d.labels())})
        env = summary["envelopes"].get(d.name)
        if env is not None:
            ds["envelope"] = (("quantile", "datum"), env)
            ds = ds.assign_coords(quantile=[0.05, 0.5, 0.95])
        for key, values in summary.get("static_shift_per_draw", {}).get(d.name, {}).items():
            name = "static_shift_log10" + ("" if key == "draws" else f"_{key}")
            ds[name] = (("chain", "predictive_draw"), np.asarray(values))
        tree[f"data_{d.name}"] = xr.DataTree(ds)
    for k, v in (attrs or {}).items():
        tree.attrs[k] = v
    return tree
