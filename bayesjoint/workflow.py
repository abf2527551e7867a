"""One inversion from datasets to saved results.

:func:`invert` runs a sampler on datasets with the shared prior and writes
into an output folder:

``posterior.nc``
    ArviZ DataTree (netCDF): draws, predicted and observed data, depth-grid
    summaries.
``profile.png``, ``datafit.png``
    The depth profile (posterior density image, median, 5-95 % interval,
    interface probability, the true model when known) and the data fit.
``summary.json``
    Settings, timings, R-hat and ESS, the resolved depth range and the
    coverage of the true model when known.
"""

import json
import platform
import time
from dataclasses import asdict
from pathlib import Path

import jax
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from bayesjoint import __version__  # noqa: E402
from bayesjoint.earth import LayeredEarth  # noqa: E402
from bayesjoint.model.joint import build_model  # noqa: E402
from bayesjoint.model.prior import PriorSpec  # noqa: E402
from bayesjoint.plotting.datafit import plot_fit  # noqa: E402
from bayesjoint.plotting.profile import plot_depth_profile, plot_interface_probability  # noqa: E402
from bayesjoint.samplers.nuts import NUTSConfig, run_nuts  # noqa: E402
from bayesjoint.summaries import posterior as post  # noqa: E402
from bayesjoint.summaries.results import summarize, to_datatree  # noqa: E402


def invert(datasets, spec: PriorSpec, sampler: NUTSConfig, out_dir, *, truth=None,
           depth_max_km=None, n_depths=200, settings=None):
    """Run NUTS on the datasets and write the results to ``out_dir``.

    Parameters
    ----------
    datasets : sequence of dataset containers
    spec : PriorSpec
    sampler : NUTSConfig
    out_dir : path-like
    truth : LayeredEarth, optional
        True model (synthetic data): drawn in the figures and scored.
    depth_max_km : float, optional
        Bottom of the summary grid (default: the prior's ``depth_max_km``).
    n_depths : int
    settings : dict, optional
        Extra settings recorded in ``summary.json``.

    Returns
    -------
    dict
        The content of ``summary.json``.
    """
    datasets = list(datasets)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    mcmc = run_nuts(build_model(datasets, spec), sampler)
    samples = {k: np.asarray(v) for k, v in mcmc.get_samples(group_by_chain=True).items()}
    t_sample = time.perf_counter() - t0

    shape = samples["log10_sigma"].shape[:2]
    earths = LayeredEarth(samples["interface_depth_km"], samples["log10_sigma"],
                          np.full(shape, spec.n_layers, dtype=np.int32))
    predictions = {d.name: samples[f"pred_{d.name}"] for d in datasets}
    noise = {d.name: samples[f"noise_scale_{d.name}"] for d in datasets
             if f"noise_scale_{d.name}" in samples}
    extra = mcmc.get_extra_fields(group_by_chain=True)

    zmax = spec.depth_max_km if depth_max_km is None else depth_max_km
    depth = post.default_depth_grid_km(zmax, n_depths)
    bins = post.value_bins(spec.log10_sigma_min, spec.log10_sigma_max)
    t1 = time.perf_counter()
    summary = summarize(earths, predictions, datasets, depth_km=depth, value_bins=bins,
                        noise_scale=noise, truth=truth)

    draws = {k: v for k, v in samples.items() if not k.startswith("pred_")}
    stats = {"diverging": np.asarray(extra["diverging"]),
             "num_steps": np.asarray(extra["num_steps"]),
             "accept_prob": np.asarray(extra["accept_prob"])}
    tree = to_datatree(draws, summary, datasets, sample_stats=stats, predictions=predictions,
                       attrs={"sampler": "nuts", "bayesjoint_version": __version__})
    tree.to_netcdf(out / "posterior.nc", engine="h5netcdf")
    _figures(out, summary, datasets, truth)
    t_post = time.perf_counter() - t1

    result = {
        "bayesjoint_version": __version__,
        "sampler": "nuts",
        "settings": {"prior": asdict(spec), "sampler": asdict(sampler), **(settings or {})},
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "jax": jax.__version__, "jax_backend": jax.default_backend()},
        "timings_s": {"sampling": t_sample, "summaries_and_output": t_post},
        "diagnostics": {"worst": summary["worst"], "per_variable": summary["diagnostics"],
                        "divergences": int(np.sum(extra["diverging"]))},
        "resolved_depth_range_km": summary["resolved_depth_range_km"],
        "coverage_of_truth_90": summary["coverage"],
        "files": ["posterior.nc", "profile.png", "datafit.png", "summary.json"],
    }
    with (out / "summary.json").open("w") as f:
        json.dump(_jsonable(result), f, indent=2)
    return result


def _figures(out, summary, datasets, truth):
    profile = summary["profile"]
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(7, 6), sharey=True,
                                   gridspec_kw={"width_ratios": [3, 1]})
    truth_layers = None
    if truth is not None:
        top, logs = truth.to_numpy_layers()
        truth_layers = (top, logs)
    plot_depth_profile(profile, truth=truth_layers, ax=ax0)
    depth = profile["depth_km"].values
    edges = np.concatenate([[depth[0]], 0.5 * (depth[1:] + depth[:-1]), [depth[-1]]])
    plot_interface_probability(edges, profile["interface_probability"].values, ax=ax1)
    ax1.set_ylabel("")
    fig.tight_layout()
    fig.savefig(out / "profile.png", dpi=120)
    plt.close(fig)

    n = len(datasets)
    fig, axes = plt.subplots(2, n, figsize=(5 * n, 5.5), squeeze=False, sharex="col")
    for j, d in enumerate(datasets):
        plot_fit(d, summary["envelopes"][d.name], axes=axes[:, j])
        axes[0, j].set_title(d.name)
    fig.tight_layout()
    fig.savefig(out / "datafit.png", dpi=120)
    plt.close(fig)


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return v if np.isfinite(v) else None
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if isinstance(x, Path):
        return str(x)
    return x
