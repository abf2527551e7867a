"""One inversion from datasets to saved results.

:func:`invert` runs a sampler (NUTS for a fixed number of layers, or the
reversible-jump sampler) on datasets with the shared prior and writes into
an output folder:

``posterior.nc``
    ArviZ DataTree (netCDF): draws, predicted and observed data, depth-grid
    summaries.
``profile.png``, ``datafit.png``
    The depth profile(s) (posterior density image, median, 5-95 % interval,
    the true model when known), interface probability and p(k), and the
    data fit of every dataset.
``summary.json``
    First the convergence verdict (``converged`` and ``verdict``, see
    :func:`bayesjoint.summaries.verdict.verdict`), then settings, timings,
    R-hat and ESS, per-chain means and standard deviations of the
    log-likelihood and noise scales, the noise scales' mass at their prior
    bounds, acceptance rates, the resolved depth range and the coverage of
    the true model when known.
``chains/``
    the draws on disk as they were made (NUTS segments or reversible-jump
    chunks), from which a stopped run resumes, and ``run_config.json``, the
    configuration of the run (:func:`run_configuration`): a resume with any
    other prior, data or settings is refused, except that the run length
    (``n_iterations``) may grow.
"""

import hashlib
import json
import os
import platform
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import jax
import matplotlib.pyplot as plt
import numpy as np

from bayesjoint import __version__
from bayesjoint.datatypes import descriptor
from bayesjoint.earth import LayeredEarth, property_fields
from bayesjoint.model.joint import build_model, make_log_likelihood, needs_seismic
from bayesjoint.model.prior import PriorSpec
from bayesjoint.plotting.datafit import plot_fit
from bayesjoint.plotting.profile import (plot_depth_profile,
                                         plot_interface_probability, plot_layer_count)
from bayesjoint.report import REPORT_FILES
from bayesjoint.samplers import run as rj_run
from bayesjoint.samplers import store
from bayesjoint.samplers.config import NUTSConfig, RJMCMCConfig, rjmcmc_run_arguments
from bayesjoint.samplers.nuts import run_nuts_segments
from bayesjoint.samplers.rjmcmc import check_move_probs
from bayesjoint.summaries import diagnostics
from bayesjoint.summaries import posterior as post
from bayesjoint.summaries.results import summarize, to_datatree
from bayesjoint.summaries.static_shift import evenly_spaced_draws
from bayesjoint.summaries.verdict import verdict

FIELD_LABELS = {"log10_sigma": "log10 conductivity (S/m)", "vs_km_s": "Vs (km/s)"}

RUN_CONFIG = "run_config.json"
"""File in ``chains/`` holding the configuration of the run (:func:`run_configuration`)."""

RUN_LENGTH_KEYS = ("sampler.n_iterations",)
"""Settings that may grow (and only grow) when a run is resumed."""

DISPLAY_ONLY_KEYS = ("progress_bar", "time_budget_s")
"""Sampler settings that change nothing in the draws and are not stored."""

OUTPUT_FILES = ("posterior.nc", "profile.png", "datafit.png", "summary.json")
"""Files :func:`invert` writes into the output folder (besides ``chains/``)."""

SEPARATE_GROUPS = ("electromagnetic", "seismic")
"""Sub-folders of the output folder of a run with separate interfaces
(:func:`coupling_groups`)."""


def invert(datasets, spec: PriorSpec, sampler, out_dir, *, truth=None, depth_max_km=None,
           n_depths=200, settings=None, resume=False, sources=None):
    """Run a sampler on the datasets and write the results to ``out_dir``.

    Parameters
    ----------
    datasets : sequence of dataset containers
    spec : PriorSpec
    sampler : NUTSConfig or RJMCMCConfig
    out_dir : path-like
    truth : LayeredEarth, optional
        True model (synthetic data): drawn in the figures and scored.
    depth_max_km : float, optional
        Bottom of the summary grid (default: the prior's ``depth_max_km``).
    n_depths : int
    settings : dict, optional
        Extra settings recorded in ``summary.json``.
    resume : bool
        Continue the run found in ``out_dir/chains``. Its stored
        configuration must equal this one (:func:`run_configuration`)
        except for a longer run.
    sources : sequence of dict, optional
        Where each dataset was read from (for instance its ``[[data]]``
        table with the ``file`` path), stored with the run's configuration.

    Returns
    -------
    dict
        The content of ``summary.json``.

    Raises
    ------
    ValueError
        When ``out_dir`` already holds a run and ``resume`` is False, or
        when a resumed run's configuration differs from the stored one
        (naming each difference).
    """
    datasets = list(datasets)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chain_dir = out / "chains"
    config = run_configuration(datasets, spec, sampler, sources=sources,
                               depth_max_km=depth_max_km, n_depths=n_depths, truth=truth)
    rj_arguments = (_rjmcmc_arguments(datasets, spec, sampler)
                    if isinstance(sampler, RJMCMCConfig) else None)
    _check_resume(chain_dir, config, resume)
    if not resume or not (chain_dir / RUN_CONFIG).exists():
        _write_run_config(chain_dir, config)

    zmax = spec.depth_max_km if depth_max_km is None else depth_max_km
    depth = post.default_depth_grid_km(zmax, n_depths)
    t0 = time.perf_counter()
    if isinstance(sampler, NUTSConfig):
        sampled = _sample_nuts(datasets, spec, sampler, chain_dir, resume)
        name = "nuts"
    else:
        sampled = _sample_rjmcmc(datasets, spec, sampler, rj_arguments, chain_dir, resume,
                                 depth)
        name = "rjmcmc"
    t_sample = time.perf_counter() - t0
    _write_run_config(chain_dir, config)  # a resumed run is now as long as asked
    for earlier in OUTPUT_FILES + REPORT_FILES:  # results of an earlier state of the run
        (out / earlier).unlink(missing_ok=True)

    bins = {"log10_sigma": post.value_bins(spec.log10_sigma_min, spec.log10_sigma_max)}
    if sampled.earths.vs_km_s is not None:
        bins["vs_km_s"] = post.value_bins(spec.vs_km_s_min, spec.vs_km_s_max)
    t1 = time.perf_counter()
    summary = summarize(sampled.earths, sampled.predictions, datasets, depth_km=depth,
                        value_bins=bins, noise_scale=sampled.noise, truth=truth,
                        extra_draws=sampled.extra_draws)
    tree = to_datatree(sampled.draws, summary, datasets, sample_stats=sampled.stats,
                       predictions=sampled.predictions,
                       attrs={"sampler": name, "bayesjoint_version": __version__})
    tree.to_netcdf(out / "posterior.nc", engine="h5netcdf")
    _figures(out, summary, datasets, truth, variable_layers=name == "rjmcmc"
             or spec.interfaces == "sampled")
    t_post = time.perf_counter() - t1

    per_chain = {f"noise_scale_{k}": v for k, v in sampled.noise.items()}
    if "log_likelihood" in sampled.extra_draws:
        per_chain["log_likelihood"] = sampled.extra_draws["log_likelihood"]
    checks = {"n_chains": int(np.shape(sampled.earths.n_layers)[0]),
              "per_chain": diagnostics.chain_statistics(per_chain)}
    if spec.hierarchical_noise:
        checks["noise_scale_bound_mass"] = {
            k: diagnostics.mass_near_bounds(v, spec.noise_scale_min, spec.noise_scale_max)
            for k, v in sampled.noise.items()}
    result = {
        "bayesjoint_version": __version__,
        "sampler": name,
        "datasets": [{"name": d.name, "type": type(d).__name__, "n_data": int(d.n_data),
                      "warnings": (descriptor(d).warnings(d) if descriptor(d).warnings
                                   else [])}
                     for d in datasets],
        "settings": {"prior": asdict(spec), "sampler": asdict(sampler), **(settings or {})},
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "jax": jax.__version__, "jax_backend": jax.default_backend(),
                    "devices": jax.local_device_count()},
        "timings_s": {"sampling": t_sample, "summaries_and_output": t_post},
        "diagnostics": {"worst": summary["worst"], "per_variable": summary["diagnostics"],
                        **checks, **sampled.sampler_info},
        "resolved_depth_range_km": summary["resolved_depth_range_km"],
        "coverage_of_truth_90": summary["coverage"],
        "static_shift_log10": summary["static_shift_log10"],
        "files": list(OUTPUT_FILES) + ["chains/"],
    }
    judged = verdict(_jsonable(result))
    result = {"converged": judged["converged"], "verdict": judged, **result}
    with (out / "summary.json").open("w") as f:
        json.dump(_jsonable(result), f, indent=2)
    return result


def dataset_sha256(dataset):
    """Hash of a dataset's content: its observed values, standard deviations and survey.

    Every compared field of the dataset container (arrays by dtype, shape
    and bytes; other values by ``repr``) enters the hash; ``meta`` does not.

    Returns
    -------
    str
        Hexadecimal SHA-256 digest.
    """
    h = hashlib.sha256(type(dataset).__name__.encode())
    for f in fields(dataset):
        if not f.compare:
            continue
        value = getattr(dataset, f.name)
        h.update(f.name.encode())
        if isinstance(value, np.ndarray):
            h.update(f"{value.dtype.str}{value.shape}".encode())
            h.update(np.ascontiguousarray(value).tobytes())
        else:
            h.update(repr(value).encode())
    return h.hexdigest()


def run_configuration(datasets, spec: PriorSpec, sampler, *, sources=None, depth_max_km=None,
                      n_depths=200, truth=None):
    """Everything that defines a run's draws and summaries, as a JSON-ready dict.

    Parameters
    ----------
    datasets : sequence of dataset containers
    spec : PriorSpec
    sampler : NUTSConfig or RJMCMCConfig
    sources : sequence of dict, optional
        Per dataset, where it was read from; ``file`` entries are stored as
        absolute paths.
    depth_max_km, n_depths : float or None, int
        The summary grid.
    truth : LayeredEarth, optional

    Returns
    -------
    dict
        ``sampler_method``, ``prior``, ``sampler`` (without display-only
        settings), ``datasets`` (name, type, number of data, SHA-256 of the
        content and the source of each), ``summary`` and ``truth_sha256``.
    """
    if isinstance(sampler, NUTSConfig):
        method = "nuts"
    elif isinstance(sampler, RJMCMCConfig):
        method = "rjmcmc"
    else:
        raise TypeError(f"unknown sampler settings {type(sampler).__name__}")
    sources = list(sources) if sources is not None else [{}] * len(datasets)
    entries = []
    for d, source in zip(datasets, sources):
        source = dict(source)
        if "file" in source:
            source["file"] = os.path.abspath(source["file"])
        entries.append({"name": d.name, "type": type(d).__name__, "n_data": int(d.n_data),
                        "sha256": dataset_sha256(d), "source": source})
    truth_hash = None
    if truth is not None:
        h = hashlib.sha256()
        for leaf in jax.tree_util.tree_leaves(truth):
            h.update(np.ascontiguousarray(np.asarray(leaf)).tobytes())
        truth_hash = h.hexdigest()
    config = {"sampler_method": method, "prior": asdict(spec),
              "sampler": {k: v for k, v in asdict(sampler).items()
                          if k not in DISPLAY_ONLY_KEYS},
              "datasets": entries,
              "summary": {"depth_max_km": depth_max_km, "n_depths": n_depths},
              "truth_sha256": truth_hash}
    return json.loads(json.dumps(_jsonable(config)))


def configuration_differences(stored: dict, current: dict):
    """What a resumed run would change in a stored run configuration.

    Parameters
    ----------
    stored, current : dict
        Outputs of :func:`run_configuration`.

    Returns
    -------
    list of str
        ``"prior.n_layers: 8 -> 12"`` for each differing setting (values as
        JSON: plain numbers, quoted strings); a run length
        (:data:`RUN_LENGTH_KEYS`) differs only when it shrinks.
    """
    old, new = _flatten(stored), _flatten(current)
    out = []
    for key in sorted(set(old) | set(new), key=lambda k: (k not in RUN_LENGTH_KEYS, k)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key in RUN_LENGTH_KEYS and isinstance(a, int) and isinstance(b, int):
            if b > a:
                continue
            out.append(f"{key}: {a} -> {b} (the run length may grow, not shrink)")
            continue
        if key.endswith("sha256"):
            what = "content" if key.startswith("datasets") else "true model"
            out.append(f"{key}: the {what} differs ({_short(a)} -> {_short(b)})")
        else:
            out.append(f"{key}: {json.dumps(a)} -> {json.dumps(b)}")
    return out


def _short(digest):
    return "none" if digest is None else digest[:12]


def _flatten(x, prefix=""):
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(x, list) and any(isinstance(v, dict) for v in x):
        out = {f"{prefix}.count": len(x)}
        for i, v in enumerate(x):
            out.update(_flatten(v, f"{prefix}[{i}]"))
        return out
    return {prefix: x}


def _check_resume(chain_dir, config, resume):
    """Refuse a fresh run over a stored one, and a resume with another configuration."""
    stored_path = chain_dir / RUN_CONFIG
    holds_run = chain_dir.is_dir() and any(p.name != RUN_CONFIG for p in chain_dir.iterdir())
    if not resume:
        if holds_run or stored_path.exists():
            raise ValueError(f"{chain_dir.parent} already holds a run; pass resume=True to "
                             "continue it, or choose another output folder")
        return
    if not stored_path.exists():
        if holds_run:
            raise ValueError(f"cannot resume the run in {chain_dir.parent}: it has no stored "
                             f"configuration (chains/{RUN_CONFIG}) to check the settings "
                             "against; start it afresh")
        return
    diff = configuration_differences(json.loads(stored_path.read_text()), config)
    if diff:
        raise ValueError(f"cannot resume the run in {chain_dir.parent}: the configuration "
                         "differs from the stored one in " + "; ".join(diff)
                         + ". Only the run length (n_iterations) may change, "
                         "and only grow; start a changed run in another output folder.")


def _write_run_config(chain_dir, config):
    chain_dir.mkdir(parents=True, exist_ok=True)
    data = json.dumps(config, indent=1).encode()
    store.atomic_write(chain_dir / RUN_CONFIG, lambda f: f.write(data))


def coupling_groups(datasets, interfaces="shared"):
    """The datasets grouped by the layered Earth they are inverted on.

    Parameters
    ----------
    datasets : sequence of dataset containers
    interfaces : {"shared", "separate"}
        ``"shared"``: one group, one set of interfaces for all data
        (structural coupling). ``"separate"``: the electromagnetic datasets
        and the seismic ones (those whose forward model reads Vs and Vp/Vs)
        each get their own layered Earth. The two groups then share no
        parameter, so the joint posterior is the product of the two
        groups' posteriors and each group is run on its own.

    Returns
    -------
    dict
        ``{"joint": datasets}``, or ``{"electromagnetic": [...], "seismic":
        [...]}`` without the empty group.
    """
    datasets = list(datasets)
    if interfaces == "shared":
        return {"joint": datasets}
    if interfaces != "separate":
        raise ValueError(f"interfaces = {interfaces!r}: allowed values are 'shared', 'separate'")
    seismic = [d for d in datasets if descriptor(d).needs_seismic]
    em = [d for d in datasets if not descriptor(d).needs_seismic]
    return {name: group for name, group in zip(SEPARATE_GROUPS, (em, seismic)) if group}


@dataclass(frozen=True)
class Sampled:
    """The draws of one run, as the summaries and the output files take them.

    Leading axes (chain, draw) everywhere; inactive layer and interface
    slots are NaN.

    Attributes
    ----------
    earths : LayeredEarth
        The kept draws of the layered Earth.
    predictions : dict of str to ndarray, shape (chain, draw', n_data)
        Predicted data per dataset name: of every draw (NUTS) or of at most
        ``max_predictive_draws`` evenly spaced draws per chain (reversible jump).
    noise : dict of str to ndarray, shape (chain, draw)
        Noise scale per dataset name (only datasets whose noise scale is sampled).
    draws : dict of str to ndarray
        The posterior variables written to ``posterior.nc``.
    stats : dict of str to ndarray, shape (chain, draw)
        Per-draw sampler statistics (the ``sample_stats`` group).
    extra_draws : dict of str to ndarray, shape (chain, draw)
        Further per-draw quantities whose R-hat and ESS are reported.
    sampler_info : dict
        JSON-ready sampler diagnostics for ``summary.json``.
    """

    earths: LayeredEarth
    predictions: dict
    noise: dict
    draws: dict
    stats: dict
    extra_draws: dict
    sampler_info: dict


def _sample_nuts(datasets, spec, config, chain_dir, resume) -> Sampled:
    samples, extra = run_nuts_segments(build_model(datasets, spec), config, chain_dir,
                                       resume=resume)
    shape = samples["log10_sigma"].shape[:2]
    earths = LayeredEarth(samples["interface_depth_km"], samples["log10_sigma"],
                          np.full(shape, spec.n_layers, dtype=np.int32),
                          samples.get("vs_km_s"), samples.get("vp_vs"))
    stats = {k: np.asarray(extra[k]) for k in ("diverging", "num_steps", "accept_prob")}
    return Sampled(
        earths=earths,
        predictions={d.name: samples[f"pred_{d.name}"] for d in datasets},
        noise={d.name: samples[f"noise_scale_{d.name}"] for d in datasets
               if f"noise_scale_{d.name}" in samples},
        draws={k: v for k, v in samples.items() if not k.startswith("pred_")},
        stats=stats,
        extra_draws={},
        sampler_info={"divergences": int(stats["diverging"].sum()),
                      "mean_accept_prob": float(stats["accept_prob"].mean())})


def _rjmcmc_arguments(datasets, spec, config):
    """The arguments of the reversible-jump run, checked against the prior and the data."""
    seismic = needs_seismic(datasets)
    try:
        if config.move_probs is not None:
            check_move_probs(config.move_probs, spec, seismic)
        return rjmcmc_run_arguments(config, spec, [d.name for d in datasets], seismic)
    except ValueError as err:
        raise ValueError(f"sampler.{err}") from None


def _sample_rjmcmc(datasets, spec, config, arguments, chain_dir, resume,
                   depth_grid_km) -> Sampled:
    loglik = make_log_likelihood(datasets, spec, active_only=True)
    result = rj_run.run(loglik, spec, chain_dir, depth_grid_km=depth_grid_km, resume=resume,
                        **arguments)
    d = result.draws()
    stats = result.stats()
    fields = property_fields(arguments["seismic"])
    earths = LayeredEarth(d["interface_depth_km"], n_layers=d["n_layers"].astype(np.int32),
                          **{f: d[f] for f in fields})
    info = {"acceptance_T1": {m: float(v[0]) for m, v in stats.get("acceptance", {}).items()
                              if np.isfinite(v[0])},  # moves never proposed are left out
            "swap_acceptance": np.asarray(stats.get("swap_acceptance", [])).tolist(),
            "temperatures": np.asarray(stats["temperatures"]).tolist(),
            "adapted_temperatures": np.asarray(stats.get("adapted_temperatures", [])).tolist(),
            "stop": stats.get("stop"),
            "stop_reason": (stats.get("stop") or {}).get("reason"),
            "non_finite_log_likelihood": int(np.sum(stats.get("non_finite", 0))),
            "n_layers_posterior": {int(k): float(p) for k, p in enumerate(
                post.layer_count_probability(earths.n_layers, spec.k_max), start=1) if p > 0}}
    return Sampled(
        earths=earths,
        predictions=_predict_subset(datasets, earths, config.max_predictive_draws),
        noise={ds.name: d["noise_scale"][..., i] for i, ds in enumerate(datasets)},
        draws={k: d[k] for k in ("n_layers", "interface_depth_km", *fields, "noise_scale")},
        stats={"log_likelihood": d["log_likelihood"], "log_prior": d["log_prior"]},
        extra_draws={"log_likelihood": d["log_likelihood"]},
        sampler_info=info)


def _predict_subset(datasets, earths, max_draws):
    """Predicted data for at most ``max_draws`` draws per chain, evenly spaced."""
    n_chains, n_draws = np.shape(earths.n_layers)
    idx = evenly_spaced_draws(n_draws, max_draws)
    sub = jax.tree_util.tree_map(lambda x: np.asarray(x)[:, idx], earths)
    flat = jax.tree_util.tree_map(lambda x: x.reshape((-1,) + x.shape[2:]), sub)
    out = {}
    for d in datasets:
        predict = jax.jit(jax.vmap(lambda e, d=d: descriptor(d).predict(e, d.survey)))
        out[d.name] = np.asarray(predict(flat)).reshape(n_chains, idx.size, -1)
    return out


def _figures(out, summary, datasets, truth, variable_layers):
    profile = summary["profile"]
    fields = [f for f in FIELD_LABELS if f"{f}_median" in profile]
    extra = 2 if variable_layers else 0
    ratios = [3] * len(fields) + [1] * extra
    fig, axes = plt.subplots(1, len(ratios), figsize=(3.2 * len(fields) + 2.2 * extra + 1, 6),
                             gridspec_kw={"width_ratios": ratios}, squeeze=False)
    axes = axes[0]
    for ax, field in zip(axes, fields):
        truth_layers = None
        if truth is not None and getattr(truth, field) is not None:
            top, _ = truth.to_numpy_layers()
            truth_layers = (top, np.asarray(getattr(truth, field))[: top.size])
        plot_depth_profile(profile, name=field, truth=truth_layers, ax=ax,
                           xlabel=FIELD_LABELS[field])
    if variable_layers:
        depth = profile["depth_km"].values
        edges = np.concatenate([[depth[0]], 0.5 * (depth[1:] + depth[:-1]), [depth[-1]]])
        plot_interface_probability(edges, profile["interface_probability"].values,
                                   ax=axes[len(fields)])
        plot_layer_count(profile["n_layers"].values, profile["n_layers_probability"].values,
                         ax=axes[len(fields) + 1])
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
