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
"""

from dataclasses import asdict

import jax
import numpy as np

from bayesjoint.data import RFData
from bayesjoint.model.xdisc_models import XdiscModel, log_likelihood_function
from bayesjoint.model.xdisc_prior import MODELS, as_params, parameter_names, prior_bounds
from bayesjoint.physics.rf import check_npts, ps_delay_s
from bayesjoint.samplers.evidence import log_evidence, posterior_model_probability
from bayesjoint.samplers.power_posterior import power_ladder, sample_power_posteriors
from bayesjoint.samplers.xdisc_settings import ComparisonSettings

QUANTILES = (0.05, 0.5, 0.95)
"""Posterior quantiles reported for every parameter."""


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
    if data.correlation != "none" and data.correlation_s is None:
        raise ValueError("the detector needs a fixed correlation_s, not correlation_s_bounds")
    xmodel = XdiscModel.build(settings.reference, layer_km=settings.layer_km)
    window = window_slice(data, settings.window_s)
    check_record_length(data, xmodel, prior_bounds("x", bounds)[1][2])
    betas = power_ladder(settings.n_betas)
    draws, evidences, result = {}, {}, {}
    for i, model in enumerate(MODELS):
        lo, hi = prior_bounds(model, bounds)
        loglik = log_likelihood_function(xmodel, model, data.survey, data.rf, data.rf_std, window,
                                         data.correlation, data.correlation_s)
        draws[model] = sample_power_posteriors(
            loglik, lo, hi, betas, n_chains=settings.n_chains,
            n_iterations=settings.n_iterations, n_burn=settings.n_burn, thin=settings.thin,
            seed=settings.seed + i)
        evidences[model] = log_evidence(betas, draws[model].log_likelihood, settings.evidence)
    ev_x, ev_0 = evidences["x"], evidences["no_x"]
    p_x, log_bf = posterior_model_probability(ev_x.log_evidence, ev_0.log_evidence,
                                              settings.prior_odds)
    error = float(np.hypot(ev_x.mc_error, ev_0.mc_error))
    interval = [posterior_model_probability(ev_x.log_evidence + s * 2 * error,
                                            ev_0.log_evidence, settings.prior_odds)[0]
                for s in (-1, 1)]
    cold = draws["x"].params[:, :, 0].reshape(-1, len(parameter_names("x")))
    posterior = {name: _summary(cold[:, j]) for j, name in enumerate(parameter_names("x"))}
    names = parameter_names("x")
    posterior["transition_zone_km"] = _summary(cold[:, names.index("depth_660_km")]
                                               - cold[:, names.index("depth_410_km")])
    result = {
        "p_x": p_x, "p_x_interval": interval, "bayes_factor": float(np.exp(log_bf)),
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
        "sampler": {m: {"acceptance": draws[m].acceptance.tolist(),
                        "swap_acceptance": draws[m].swap_acceptance.tolist(),
                        "betas": draws[m].betas.tolist()} for m in MODELS},
        "settings": {k: (list(v) if isinstance(v, tuple) else v)
                     for k, v in asdict(settings).items()},
        "prior_bounds": {m: dict(zip(parameter_names(m), map(list, zip(*map(
            np.ndarray.tolist, prior_bounds(m, bounds)))))) for m in MODELS},
    }
    return result, draws, xmodel


def predicted_envelope(xmodel: XdiscModel, draws, survey, n_draws=40, seed=0):
    """5 %, 50 % and 95 % quantiles of the X model's predictions, shape (3, R, npts).

    From ``n_draws`` of the ``beta = 1`` draws of the X model (``draws``, a
    :class:`~bayesjoint.samplers.power_posterior.PowerPosteriorDraws`),
    picked at random.
    """
    cold = draws.params[:, :, 0].reshape(-1, draws.params.shape[-1])
    pick = np.random.default_rng(seed).choice(cold.shape[0], min(n_draws, cold.shape[0]),
                                              replace=False)
    pred = jax.jit(jax.vmap(lambda v: xmodel.predict(as_params("x", v), survey)))(cold[pick])
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
