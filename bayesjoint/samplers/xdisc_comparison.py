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

Reference Earths
----------------
The background upper mantle is not known beforehand: AK135, IASP91 and
PREM differ in their gradients and PREM has a 220 km discontinuity, and
data made in one are badly fitted by another (a log-evidence difference of
about 100 for a clean receiver function). With ``settings.references``
``r = 1..n``, each equally probable before the data, both models are fitted
under every reference and

    Z_m = (1/n) sum_r Z_{m,r},        P(r | d) = sum_m P(m | d) Z_{m,r} / sum_r' Z_{m,r'}

(Bayesian model averaging over the reference; Hoeting et al. 1999,
Statistical Science 14, eqs. 1-2): ``p_x`` and the Bayes factor
come from the averaged ``Z_m``; the X model's posterior is the mixture of
its posteriors under each reference with the weights ``Z_{x,r} / sum_r
Z_{x,r}``.

Only the samples between ``window_s`` (time after the direct P) enter the
likelihood: by default from 20 s, after the crust's reverberations, which
the fixed reference crust would otherwise have to fit.

Linearised forward and its correction
-------------------------------------
With ``settings.forward = "linearised"`` (default) the ladder is sampled
with the Born approximation of :mod:`bayesjoint.model.xdisc_likelihood`,
linearised first at the centre of the box that holds both models' priors
(no step at 250-350 km; one linearisation for both models), then at the
posterior median of a run of a quarter of the iterations
(``n_linearisations`` points in all).
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
from typing import NamedTuple

import numpy as np

from bayesjoint.data import RFData
from bayesjoint.model.xdisc_likelihood import (exact_log_likelihood, exact_predict,
                                               linear_log_likelihood, linearise, station_arrays)
from bayesjoint.model.xdisc_models import XdiscModel
from bayesjoint.model.xdisc_prior import (MODELS, depth_range_km, parameter_names, prior_bounds,
                                          union_centre)
from bayesjoint.physics.rf import check_npts, ps_delay_s
from bayesjoint.samplers.evidence import log_evidence, posterior_model_probability
from bayesjoint.samplers.power_posterior import power_ladder, sample_power_posteriors
from bayesjoint.samplers.xdisc_settings import ComparisonSettings, check_settings

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


def weighted_quantile(values, weights, q):
    """Quantiles ``q`` of a weighted sample (the inverse of its mid-point CDF).

    Parameters
    ----------
    values, weights : arrays, shape (N,)
        Weights >= 0 with a positive sum; equal weights give NumPy's
        ``"hazen"`` quantiles.
    q : array_like of floats in [0, 1]
    """
    order = np.argsort(values)
    v, w = np.asarray(values, dtype=float)[order], np.asarray(weights, dtype=float)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, v)


def _summary(values, weights):
    mean = np.average(values, weights=weights)
    q = weighted_quantile(values, weights, QUANTILES)
    return {"mean": float(mean),
            "std": float(np.sqrt(np.average((values - mean) ** 2, weights=weights))),
            **{f"q{int(100 * p):02d}": float(v) for p, v in zip(QUANTILES, q)}}


def _sample(log_likelihood, args, lo, hi, betas, settings, n_iterations, n_burn, seed):
    return sample_power_posteriors(log_likelihood, lo, hi, betas, args=args,
                                   n_chains=settings.n_chains, n_iterations=n_iterations,
                                   n_burn=n_burn, thin=settings.thin, seed=seed)


def importance_draws(draws, n):
    """Indices (chain, draw) of ``n`` ``beta = 1`` draws spread evenly over chains and
    iterations, two arrays of shape (min(n, C N),)."""
    return evenly_spread(*draws.log_likelihood.shape[:2], n)


def evenly_spread(n_chains, n_draws, n):
    """Indices (chain, draw) of ``n`` of ``n_chains x n_draws`` draws spread evenly over
    chains and iterations, two arrays of shape (min(n, n_chains n_draws),)."""
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


def _linearised(first, lo, hi, arrays, static, betas, settings, seed):
    """The ladder under the linearised forward, re-linearised; the importance correction.

    ``first`` is the first :class:`Linearisation` (the centre of both models'
    priors, shared by the two models).

    Returns
    -------
    draws : PowerPosteriorDraws
    correction : dict
        Of :func:`importance_correction`, with the indices of the draws.
    """
    loglik = linear_log_likelihood(static.law)
    short = max(settings.n_iterations // 4, 8), max(settings.n_burn // 4, 4)
    lin = first
    for k in range(settings.n_linearisations):
        if k:
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


class ReferenceFit(NamedTuple):
    """One reference Earth's part of :func:`compare`.

    Attributes
    ----------
    xmodel : XdiscModel
    draws : dict model -> PowerPosteriorDraws
    evidence : dict model -> Evidence
        Log-evidences, corrected to the exact forward (linearised forward).
    importance : dict model -> dict
        Of :func:`importance_correction` (empty for the exact forward).
    """

    xmodel: XdiscModel
    draws: dict
    evidence: dict
    importance: dict


def _fit_reference(data, settings, xmodel, window, betas, bounds):
    """Both models on the background ``xmodel`` on the ladder, with their evidences: a
    ReferenceFit."""
    arrays, static = station_arrays(xmodel, data, window, depth_range_km(bounds))
    if settings.forward != "exact":
        first = linearise(union_centre(bounds), arrays, static)
    draws, evidences, corrections = {}, {}, {}
    for i, model in enumerate(MODELS):
        lo, hi = prior_bounds(model, bounds)
        seed = settings.seed + 10 * i
        if settings.forward == "exact":
            draws[model] = _sample(exact_log_likelihood(static), arrays, lo, hi, betas,
                                   settings, settings.n_iterations, settings.n_burn, seed)
        else:
            draws[model], corrections[model] = _linearised(first, lo, hi, arrays, static,
                                                           betas, settings, seed)
        evidences[model] = log_evidence(betas, draws[model].log_likelihood, settings.evidence)
        if model in corrections:
            c = corrections[model]
            evidences[model] = evidences[model]._replace(
                log_evidence=evidences[model].log_evidence + c["log_evidence_correction"],
                mc_error=float(np.hypot(evidences[model].mc_error, c["mc_error"])))
    return ReferenceFit(xmodel, draws, evidences, corrections)


def average_evidence(log_evidences, mc_errors):
    """Log-evidence of a model averaged over equally probable references, and its error.

    ``Z = mean_r Z_r``; the Monte Carlo error of ``log Z`` by the delta method,
    ``sqrt(sum_r (w_r sigma_r)^2)`` with ``w_r = Z_r / sum_r Z_r``.

    Parameters
    ----------
    log_evidences, mc_errors : arrays, shape (n_references,)

    Returns
    -------
    log_evidence, mc_error, weights (shape (n_references,), ``w_r``)
    """
    lz = np.asarray(log_evidences, dtype=float)
    top = lz.max()
    w = np.exp(lz - top)
    total = w.sum()
    w = w / total
    return (float(top + np.log(total) - np.log(lz.size)),
            float(np.sqrt(np.sum((w * np.asarray(mc_errors, dtype=float)) ** 2))), w)


def compare(data: RFData, settings: ComparisonSettings = ComparisonSettings(), bounds=None):
    """Run the model comparison on one station's receiver functions.

    Every reference of ``settings.references`` is given the same prior
    probability and both models are fitted on each (:func:`_fit_reference`).
    The evidence of a model is the mean of its evidences over the references
    (:func:`average_evidence`), so ``p_x`` and the Bayes factor are averaged
    over the reference Earth, which the data weigh by their evidence. The
    posterior of the X model's parameters is the mixture of its posteriors
    under each reference, weighted by ``P(reference | X, d)``
    (``posterior_reference_weights``).

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
        ``evidence`` per model (averaged over the references),
        ``reference_probability`` (``P(reference | d)``),
        ``posterior_reference_weights``, ``by_reference`` (per reference:
        ``p_x``, ``log_bayes_factor``, ``evidence``, ``importance``,
        ``sampler``), ``posterior`` (quantiles of every parameter and of
        ``transition_zone_km``), the settings and the prior bounds.
    fits : dict reference -> ReferenceFit
    """
    check_settings(settings)
    window = window_slice(data, settings.window_s)
    betas = power_ladder(settings.n_betas)
    xmodels = {ref: XdiscModel.build(ref, layer_km=settings.layer_km)
               for ref in settings.references}
    for xmodel in xmodels.values():  # every reference, before any sampling
        check_record_length(data, xmodel, depth_range_km(bounds)[1])
    fits = {ref: _fit_reference(data, settings, xmodel, window, betas, bounds)
            for ref, xmodel in xmodels.items()}
    averaged = {m: average_evidence([f.evidence[m].log_evidence for f in fits.values()],
                                    [f.evidence[m].mc_error for f in fits.values()])
                for m in MODELS}
    (lz_x, err_x, w_x), (lz_0, err_0, w_0) = averaged["x"], averaged["no_x"]
    p_x, log_bf = posterior_model_probability(lz_x, lz_0, settings.prior_odds)
    error = float(np.hypot(err_x, err_0))
    interval = [posterior_model_probability(lz_x + s * 2 * error, lz_0, settings.prior_odds)[0]
                for s in (-1, 1)]
    reference_probability = p_x * w_x + (1.0 - p_x) * w_0
    names = parameter_names("x")
    per_reference = [f.draws["x"].params[:, :, 0].reshape(-1, len(names)) for f in fits.values()]
    cold = np.concatenate(per_reference)
    weights = np.concatenate([np.full(len(c), w / len(c)) for c, w in zip(per_reference, w_x)])
    posterior = {name: _summary(cold[:, j], weights) for j, name in enumerate(names)}
    posterior["transition_zone_km"] = _summary(cold[:, names.index("depth_660_km")]
                                               - cold[:, names.index("depth_410_km")], weights)
    by_reference = {}
    for ref, fit in fits.items():
        p_ref, log_bf_ref = posterior_model_probability(
            fit.evidence["x"].log_evidence, fit.evidence["no_x"].log_evidence,
            settings.prior_odds)
        by_reference[ref] = {
            "p_x": p_ref, "log_bayes_factor": log_bf_ref,
            "evidence": {m: {"log_evidence": fit.evidence[m].log_evidence,
                             "mc_error": fit.evidence[m].mc_error,
                             "estimator": fit.evidence[m].method} for m in MODELS},
            "importance": fit.importance,
            "sampler": {m: {"acceptance": fit.draws[m].acceptance.tolist(),
                            "swap_acceptance": fit.draws[m].swap_acceptance.tolist(),
                            "betas": fit.draws[m].betas.tolist()} for m in MODELS}}
    result = {
        "p_x": p_x, "p_x_interval": interval,
        "bayes_factor": float(np.exp(np.clip(log_bf, -MAX_LOG_BF, MAX_LOG_BF))),
        "log_bayes_factor": log_bf, "log_bayes_factor_mc_error": error,
        "prior_odds": settings.prior_odds,
        "prior_p_x": settings.prior_odds / (1.0 + settings.prior_odds),
        "evidence": {m: {"log_evidence": averaged[m][0], "mc_error": averaged[m][1],
                         "estimator": settings.evidence} for m in MODELS},
        "references": list(settings.references),
        "reference_probability": dict(zip(fits, reference_probability.tolist())),
        "posterior_reference_weights": dict(zip(fits, w_x.tolist())),
        "depth_410_km": posterior["depth_410_km"]["q50"],
        "depth_660_km": posterior["depth_660_km"]["q50"],
        "transition_zone_km": posterior["transition_zone_km"]["q50"],
        "posterior": posterior,
        "posterior_model": "x",
        "forward": settings.forward,
        "by_reference": by_reference,
        "settings": {k: (list(v) if isinstance(v, tuple) else v)
                     for k, v in asdict(settings).items()},
        "prior_bounds": {m: dict(zip(parameter_names(m), map(list, zip(*map(
            np.ndarray.tolist, prior_bounds(m, bounds)))))) for m in MODELS},
    }
    return result, fits


def mixture_draws(result, fits, n_draws, seed=0):
    """``n_draws`` beta = 1 draws of the X model from the mixture over the references.

    Per reference, ``multinomial(n_draws, posterior_reference_weights)`` of its
    draws, picked at random without replacement (at most all of them).

    Returns
    -------
    dict reference -> array, shape (n_r, P)
        Only the references that were drawn.
    """
    rng = np.random.default_rng(seed)
    weights = np.array([result["posterior_reference_weights"][r] for r in fits])
    counts = rng.multinomial(n_draws, weights / weights.sum())
    out = {}
    for (ref, fit), count in zip(fits.items(), counts):
        if count:
            cold = fit.draws["x"].params[:, :, 0].reshape(-1, fit.draws["x"].params.shape[-1])
            out[ref] = cold[rng.choice(cold.shape[0], min(int(count), cold.shape[0]),
                                       replace=False)]
    return out


def predicted_envelope(result, fits, data: RFData, n_draws=40, seed=0):
    """5 %, 50 % and 95 % quantiles of the X model's predictions, shape (3, R, npts).

    From ``n_draws`` draws of the X model's posterior mixed over the
    references (:func:`mixture_draws`), with the exact (wrap-free) forward
    over the whole record of ``data``.
    """
    predictions = []
    for ref, vectors in mixture_draws(result, fits, n_draws, seed).items():
        arrays, static = station_arrays(fits[ref].xmodel, data, slice(0, data.npts))
        predictions.append(np.asarray(exact_predict(vectors, arrays, static)))
    return np.quantile(np.concatenate(predictions), QUANTILES, axis=0)


def p_x_depth_profile(result, fits, depth_edges_km):
    """Posterior probability of an X per km of depth, shape (D,).

    ``p_x`` times the posterior density of the X's depth under the X model
    (the histogram on ``depth_edges_km`` of its beta = 1 draws, mixed over
    the references by ``posterior_reference_weights``).
    """
    j = parameter_names("x").index("depth_x_km")
    density = np.zeros(len(depth_edges_km) - 1)
    for ref, fit in fits.items():
        h, _ = np.histogram(fit.draws["x"].params[:, :, 0, j].ravel(), bins=depth_edges_km,
                            density=True)
        density += result["posterior_reference_weights"][ref] * h
    return result["p_x"] * density
