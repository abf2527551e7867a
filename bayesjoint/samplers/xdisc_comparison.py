"""The X-discontinuity detector by model comparison: evidence with and without an X.

For one station's receiver functions, both models of
:mod:`bayesjoint.model.xdisc_models` are sampled on a tempering ladder
(:mod:`bayesjoint.samplers.power_posterior`) and their evidences estimated
(:mod:`bayesjoint.samplers.evidence`). With prior odds ``q = P(X) / P(no X)``::

    BF = Z_x / Z_no_x,        p_x = BF q / (1 + BF q)

The Monte Carlo errors of the two log-evidences add in quadrature into that
of ``log BF``; ``p_x_interval`` is ``p_x`` at ``log BF`` +- two such errors.
The posterior of the X (depth, jump), of the 410 and 660 (depths, jumps)
and of the transition-zone thickness ``depth_660 - depth_410`` come from the
``beta = 1`` draws of the X model.

Only the samples between ``window_s`` (time after the direct P) enter the
likelihood: by default from 20 s, after the crust's reverberations, which
the fixed reference crust would otherwise have to fit.

Linearised forward and its correction
-------------------------------------
With ``settings.forward = "linearised"`` (default) the ladder is sampled
with the Born approximation of :mod:`bayesjoint.model.xdisc_likelihood`,
linearised first at the prior's centre, then at the posterior median of a
run of a quarter of the iterations (``n_linearisations`` points in all).
The last run's posterior ``p_lin`` is then corrected to the exact forward
model by importance sampling: for ``n_importance`` of its ``beta = 1``
draws, spread evenly over chains and iterations, the weights are
``w = L_exact / L_lin`` and, exactly,

    Z_exact = Z_lin E_{p_lin}[w]

(``p_lin = prior L_lin / Z_lin``). The Monte Carlo error of the log of the
weights' mean (delta method) adds to the evidence's. The weights' effective
sample size (Kish) over their number, ``ess_fraction``, tells how close the
linearised posterior is to the exact one (1: identical); the posterior
quantiles are those of the linearised posterior's draws.
"""

from dataclasses import asdict

import numpy as np

from bayesjoint.data import RFData
from bayesjoint.model.xdisc_likelihood import (exact_log_likelihood, exact_predict,
                                               linear_log_likelihood, linearise, station_arrays)
from bayesjoint.model.xdisc_models import XdiscModel
from bayesjoint.model.xdisc_prior import MODELS, parameter_names, prior_bounds
from bayesjoint.physics.rf import check_npts, ps_delay_s
from bayesjoint.samplers.evidence import log_evidence, posterior_model_probability
from bayesjoint.samplers.power_posterior import power_ladder, sample_power_posteriors
from bayesjoint.samplers.xdisc_settings import FORWARDS, ComparisonSettings

QUANTILES = (0.05, 0.5, 0.95)
"""Posterior quantiles reported for every parameter."""

MAX_LOG_BF = 700.0
"""``bayes_factor`` is ``exp(log_bayes_factor)`` clipped to ``exp(+-MAX_LOG_BF)``, a
finite JSON number; ``log_bayes_factor`` is never clipped."""


def window_slice(data: RFData, window_s):
    """The samples of ``data`` inside ``window_s``, as a slice of the time axis."""
    t = data.time_s()
    start, stop = window_s
    inside = (t >= start) & (t <= (np.inf if stop is None else stop))
    if inside.sum() < 2:
        raise ValueError(f"window_s = {window_s}: holds fewer than two samples of the record "
                         f"({t[0]:g} to {t[-1]:g} s after P)")
    idx = np.flatnonzero(inside)
    return slice(int(idx[0]), int(idx[-1]) + 1)


def check_record_length(data: RFData, xmodel: XdiscModel, depth_km):
    """Raise ``ValueError`` unless every trace holds the Ps conversion from ``depth_km``."""
    top = xmodel.top_depth_km
    keep = top < depth_km
    thickness = np.diff(np.append(top[keep], depth_km))
    vs = np.append(xmodel.vs_km_s[keep], xmodel.vs_km_s[keep][-1])
    vp = vs * np.append(xmodel.vp_vs[keep], xmodel.vp_vs[keep][-1])
    delay = ps_delay_s(thickness, vp, vs, float(np.max(data.ray_parameter_s_km)))
    check_npts(data.npts, data.dt_s, data.shift_s, delay, data.gauss_rad_s,
               f"the Ps conversion from {depth_km:g} km in {xmodel.reference.upper()}")


def _summary(values):
    q = np.quantile(values, QUANTILES)
    return {"mean": float(np.mean(values)), "std": float(np.std(values)),
            **{f"q{int(100 * p):02d}": float(v) for p, v in zip(QUANTILES, q)}}


def _sample(log_likelihood, args, lo, hi, betas, settings, n_iterations, n_burn, seed):
    return sample_power_posteriors(log_likelihood, lo, hi, betas, args=args,
                                   n_chains=settings.n_chains, n_iterations=n_iterations,
                                   n_burn=n_burn, thin=settings.thin, seed=seed)


def importance_draws(draws, n):
    """Indices (chain, draw) of ``n`` ``beta = 1`` draws spread evenly over chains and
    iterations, two arrays of shape (min(n, C N),)."""
    n_chains, n_draws = draws.log_likelihood.shape[:2]
    flat = np.unique(np.linspace(0, n_chains * n_draws - 1, min(n, n_chains * n_draws))
                     .round().astype(int))
    return flat % n_chains, flat // n_chains


def importance_correction(log_weights):
    """``log mean w`` of importance weights, its Monte Carlo error and Kish's ESS / n.

    Parameters
    ----------
    log_weights : array, shape (N,)

    Returns
    -------
    dict
        ``log_evidence_correction``, ``mc_error`` (delta method:
        ``std(w) / (mean(w) sqrt(N))``), ``ess_fraction``, ``n_draws``.
    """
    lw = np.asarray(log_weights, dtype=float)
    if lw.ndim != 1 or lw.size < 2 or not np.all(np.isfinite(lw)):
        raise ValueError("importance weights must be at least two finite log values")
    w = np.exp(lw - lw.max())
    mean = w.mean()
    return {"log_evidence_correction": float(lw.max() + np.log(mean)),
            "mc_error": float(w.std(ddof=1) / (mean * np.sqrt(w.size))),
            "ess_fraction": float(w.sum() ** 2 / np.sum(w * w) / w.size),
            "n_draws": int(w.size)}


def _linearised(model, lo, hi, arrays, static, betas, settings, seed):
    """The ladder under the linearised forward, re-linearised; the importance correction.

    Returns
    -------
    draws : PowerPosteriorDraws
    correction : dict
        Of :func:`importance_correction`, with the indices of the draws.
    """
    loglik = linear_log_likelihood(static.law)
    reference = 0.5 * (lo + hi)
    short = max(settings.n_iterations // 4, 8), max(settings.n_burn // 4, 4)
    for k in range(settings.n_linearisations):
        lin = linearise(reference, arrays, static)
        last = k == settings.n_linearisations - 1
        n_it, n_burn = (settings.n_iterations, settings.n_burn) if last else short
        draws = _sample(loglik, (arrays, lin), lo, hi, betas, settings, n_it, n_burn, seed + k)
        reference = np.median(draws.params[:, :, 0].reshape(-1, lo.size), axis=0)
    chain, draw = importance_draws(draws, settings.n_importance)
    picked = draws.params[chain, draw, 0]
    exact = np.asarray(exact_log_likelihood(static)(picked, arrays))
    correction = importance_correction(exact - draws.log_likelihood[chain, draw, 0])
    return draws, correction


def compare(data: RFData, settings: ComparisonSettings = ComparisonSettings(), bounds=None):
    """Run the model comparison on one station's receiver functions.

    Parameters
    ----------
    data : RFData
        With ``correlation`` ``"none"`` or ``"exponential"`` at a fixed
        ``correlation_s``.
    settings : ComparisonSettings
    bounds : dict, optional
        Prior bounds replacing those of
        :data:`bayesjoint.model.xdisc_models.DEFAULT_BOUNDS`.

    Returns
    -------
    result : dict
        JSON-ready: ``p_x``, ``p_x_interval``, ``bayes_factor``,
        ``log_bayes_factor`` and its ``mc_error``, ``prior_odds``,
        ``evidence`` per model, ``posterior`` (quantiles of every parameter
        and of ``transition_zone_km``), ``sampler`` (acceptance rates), the
        settings and the prior bounds.
    draws : dict model -> PowerPosteriorDraws
    xmodel : XdiscModel
    """
    if settings.forward not in FORWARDS:
        raise ValueError(f"forward = {settings.forward!r}: allowed values are {FORWARDS}")
    if settings.n_linearisations < 1 or settings.n_importance < 2:
        raise ValueError(f"need n_linearisations >= 1 (got {settings.n_linearisations}) and "
                         f"n_importance >= 2 (got {settings.n_importance})")
    xmodel = XdiscModel.build(settings.reference, layer_km=settings.layer_km)
    window = window_slice(data, settings.window_s)
    arrays, static = station_arrays(xmodel, data, window)
    check_record_length(data, xmodel, prior_bounds("x", bounds)[1][2])
    betas = power_ladder(settings.n_betas)
    draws, evidences, corrections = {}, {}, {}
    for i, model in enumerate(MODELS):
        lo, hi = prior_bounds(model, bounds)
        seed = settings.seed + 10 * i
        if settings.forward == "exact":
            draws[model] = _sample(exact_log_likelihood(static), arrays, lo, hi, betas,
                                   settings, settings.n_iterations, settings.n_burn, seed)
        else:
            draws[model], corrections[model] = _linearised(model, lo, hi, arrays, static,
                                                           betas, settings, seed)
        evidences[model] = log_evidence(betas, draws[model].log_likelihood, settings.evidence)
        if model in corrections:
            c = corrections[model]
            evidences[model] = evidences[model]._replace(
                log_evidence=evidences[model].log_evidence + c["log_evidence_correction"],
                mc_error=float(np.hypot(evidences[model].mc_error, c["mc_error"])))
    ev_x, ev_0 = evidences["x"], evidences["no_x"]
    p_x, log_bf = posterior_model_probability(ev_x.log_evidence, ev_0.log_evidence,
                                              settings.prior_odds)
    error = float(np.hypot(ev_x.mc_error, ev_0.mc_error))
    interval = [posterior_model_probability(ev_x.log_evidence + s * 2 * error,
                                            ev_0.log_evidence, settings.prior_odds)[0]
                for s in (-1, 1)]
    names = parameter_names("x")
    cold = draws["x"].params[:, :, 0].reshape(-1, len(names))
    posterior = {name: _summary(cold[:, j]) for j, name in enumerate(names)}
    posterior["transition_zone_km"] = _summary(cold[:, names.index("depth_660_km")]
                                               - cold[:, names.index("depth_410_km")])
    result = {
        "p_x": p_x, "p_x_interval": interval,
        "bayes_factor": float(np.exp(np.clip(log_bf, -MAX_LOG_BF, MAX_LOG_BF))),
        "log_bayes_factor": log_bf, "log_bayes_factor_mc_error": error,
        "prior_odds": settings.prior_odds,
        "prior_p_x": settings.prior_odds / (1.0 + settings.prior_odds),
        "evidence": {m: {"log_evidence": evidences[m].log_evidence,
                         "mc_error": evidences[m].mc_error,
                         "estimator": evidences[m].method} for m in MODELS},
        "depth_410_km": posterior["depth_410_km"]["q50"],
        "depth_660_km": posterior["depth_660_km"]["q50"],
        "transition_zone_km": posterior["transition_zone_km"]["q50"],
        "posterior": posterior,
        "posterior_model": "x",
        "forward": settings.forward,
        "importance": corrections,
        "sampler": {m: {"acceptance": draws[m].acceptance.tolist(),
                        "swap_acceptance": draws[m].swap_acceptance.tolist(),
                        "betas": draws[m].betas.tolist()} for m in MODELS},
        "settings": {k: (list(v) if isinstance(v, tuple) else v)
                     for k, v in asdict(settings).items()},
        "prior_bounds": {m: dict(zip(parameter_names(m), map(list, zip(*map(
            np.ndarray.tolist, prior_bounds(m, bounds)))))) for m in MODELS},
    }
    return result, draws, xmodel


def predicted_envelope(xmodel: XdiscModel, draws, data: RFData, n_draws=40, seed=0):
    """5 %, 50 % and 95 % quantiles of the X model's predictions, shape (3, R, npts).

    From ``n_draws`` of the ``beta = 1`` draws of the X model (``draws``, a
    :class:`~bayesjoint.samplers.power_posterior.PowerPosteriorDraws`),
    picked at random, with the exact (wrap-free) forward over the whole
    record of ``data``.
    """
    cold = draws.params[:, :, 0].reshape(-1, draws.params.shape[-1])
    pick = np.random.default_rng(seed).choice(cold.shape[0], min(n_draws, cold.shape[0]),
                                              replace=False)
    arrays, static = station_arrays(xmodel, data, slice(0, data.npts))
    pred = exact_predict(cold[pick], arrays, static)
    return np.quantile(np.asarray(pred), QUANTILES, axis=0)


def p_x_depth_profile(result, draws, depth_edges_km):
    """Posterior probability of an X per km of depth, shape (D,).

    ``p_x`` times the posterior density of the X's depth under the X model
    (a histogram of its ``beta = 1`` draws on ``depth_edges_km``).
    """
    j = parameter_names("x").index("depth_x_km")
    density, _ = np.histogram(draws.params[:, :, 0, j].ravel(), bins=depth_edges_km,
                              density=True)
    return result["p_x"] * density
