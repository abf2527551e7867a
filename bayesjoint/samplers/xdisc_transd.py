"""The X-discontinuity detector by trans-dimensional inversion.

One station's receiver functions are inverted with the project's
reversible-jump sampler with parallel tempering
(:func:`bayesjoint.samplers.run.run`): layered Earths with 2-20 layers
(interfaces uniform down to 800 km, at least 20 km apart), Vs and Vp/Vs
uniform and independent per layer, one log-uniform noise scale (new
layers are proposed close to the layer they split, as receiver functions
make the likelihood sharp); the
likelihood takes the samples of one time window after the direct P only
(:func:`bayesjoint.model.xdisc_transd.windowed_rf_log_likelihood`).

From the posterior draws (:mod:`bayesjoint.summaries.xdisc_transd`)::

    p_x = fraction of draws with an X
    BF  = [p_x / (1 - p_x)] / [prior_p_x / (1 - prior_p_x)]

``prior_p_x``, the probability of an X under the prior, is the same
fraction in the draws of a prior-only run of the same sampler (likelihood
zero; new layers drawn from the prior, which a prior-only run accepts
every time). Where ``p_x`` is 0 or 1 in the finite sample, the Bayes factor is
computed at ``1 / (2 N)`` from that end (``N`` draws) and flagged a bound.

Convergence is judged, with the thresholds of
:class:`~bayesjoint.summaries.stopping.ConvergenceCriterion`, on the
quantities the answer rests on, each defined in every draw: the X
indicator, the largest positive Vs jump in each of the X, 410 and 660
windows (0 without one), the number of layers, the noise scale and the
log-likelihood.
"""

import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from bayesjoint.data import RFData
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.prior import PriorSpec
from bayesjoint.model.rf import predict_rf
from bayesjoint.model.xdisc_models import XdiscModel
from bayesjoint.model.xdisc_transd import windowed_rf_log_likelihood
from bayesjoint.samplers import run as rj_run
from bayesjoint.samplers.tempering import geometric_ladder
from bayesjoint.samplers.xdisc_comparison import (QUANTILES, check_record_length,
                                                  window_slice)
from bayesjoint.samplers.xdisc_settings import TransdSettings, check_chunked_run, check_counts
from bayesjoint.summaries.stopping import ConvergenceCriterion, assess
from bayesjoint.summaries.diagnostics import convergence
from bayesjoint.summaries.xdisc_transd import (WINDOWS_KM, X_DEPTH_KM, discontinuity_draws,
                                               largest_jump)

POSTERIOR_NAMES = ("depth_x_km", "jump_x", "depth_410_km", "jump_410", "depth_660_km",
                   "jump_660", "transition_zone_km")
"""Quantities summarised in ``posterior`` (each over the draws where it exists)."""


def prior_spec(settings: TransdSettings) -> PriorSpec:
    """The layered-Earth prior of the inversion (``ValueError`` on bad bounds)."""
    return PriorSpec(
        interfaces="sampled", k_min=settings.k_min, k_max=settings.k_max,
        depth_max_km=settings.depth_max_km, min_thickness_km=settings.min_thickness_km,
        smoothness_std=None, vs_km_s_min=settings.vs_km_s[0], vs_km_s_max=settings.vs_km_s[1],
        vp_vs_min=settings.vp_vs[0], vp_vs_max=settings.vp_vs[1],
        noise_scale_min=settings.noise_scale[0], noise_scale_max=settings.noise_scale[1])


def check_settings(settings: TransdSettings):
    """Raise ``ValueError`` naming the first bad setting, before any sampling."""
    check_counts(settings, ("k_min", "k_max", "n_chains", "n_temperatures", "n_iterations",
                            "thin", "chunk_size", "prior_iterations", "prior_chains"))
    if not 0 <= settings.n_burn < settings.n_iterations:
        raise ValueError(f"n_burn = {settings.n_burn!r}: must lie in [0, n_iterations = "
                         f"{settings.n_iterations})")
    check_chunked_run(settings, ("n_iterations", "prior_iterations"))
    if settings.prior_iterations <= settings.chunk_size:
        raise ValueError(f"prior_iterations = {settings.prior_iterations!r}: must exceed "
                         f"chunk_size = {settings.chunk_size} (the prior run's burn-in)")
    if settings.depth_max_km < X_DEPTH_KM[1] or settings.depth_max_km < WINDOWS_KM["660"][1]:
        raise ValueError(f"depth_max_km = {settings.depth_max_km!r}: must reach below the "
                         f"660 window ({WINDOWS_KM['660'][1]:g} km)")
    prior_spec(settings)


def _zero_log_likelihood(earth, noise_scale):
    return jnp.zeros(())


def _sample(log_likelihood_fn, spec, settings, folder, *, n_iterations, n_burn, n_chains,
            temperatures, budget_s, seed, birth, resume):
    return rj_run.run(
        log_likelihood_fn, spec, folder, n_iterations=n_iterations, n_burn=n_burn,
        n_chains=n_chains, temperatures=temperatures, thin=settings.thin,
        chunk_size=settings.chunk_size, seed=seed, seismic=True, birth=birth,
        time_budget_s=budget_s, resume=resume, progress=False)


def sample_prior(settings: TransdSettings, folder, budget_s=None, resume=False):
    """Draws of a prior-only run (likelihood zero) of the inversion's sampler.

    ``settings.prior_chains`` chains of ``settings.prior_iterations``, the
    first ``chunk_size`` of them not kept, new layers drawn from the prior;
    ``resume`` continues (or only reads, when complete) the run in
    ``folder``. Returns the draws of :func:`bayesjoint.samplers.run.load_draws`.
    """
    _sample(_zero_log_likelihood, prior_spec(settings), settings, folder,
            n_iterations=settings.prior_iterations, n_burn=settings.chunk_size,
            n_chains=settings.prior_chains, temperatures=(1.0,),
            budget_s=budget_s, seed=settings.seed + 1, birth="prior", resume=resume)
    return rj_run.load_draws(folder)


def draw_summary(values):
    """Mean, standard deviation, number and 5/50/95 % quantiles of the finite values
    (None when there are none)."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    q = np.quantile(v, QUANTILES)
    return {"mean": float(np.mean(v)), "std": float(np.std(v)), "n_draws": int(v.size),
            **{f"q{int(100 * p):02d}": float(x) for p, x in zip(QUANTILES, q)}}


def finite_or_none(x):
    """``float(x)``, or None when it is not finite (a JSON-ready number)."""
    return float(x) if np.isfinite(x) else None


def convergence_quantities(draws):
    """The quantities convergence is judged on, dict of name -> ndarray (C, S).

    ``draws`` as :func:`bayesjoint.samplers.run.load_draws` returns them.
    """
    z, vs = draws["interface_depth_km"], draws["vs_km_s"]
    found = discontinuity_draws(z, vs)
    out = {"has_x": found["has_x"].astype(float),
           "largest_jump_x": largest_jump(z, vs, *X_DEPTH_KM)}
    for name, (lo, hi) in WINDOWS_KM.items():
        out[f"largest_jump_{name}"] = largest_jump(z, vs, lo, hi)
    out["n_layers"] = np.asarray(draws["n_layers"], dtype=float)
    out["noise_scale"] = draws["noise_scale"][..., 0]
    out["log_likelihood"] = draws["log_likelihood"]
    return out


def convergence_verdict(quantities, criterion=ConvergenceCriterion()):
    """R-hat and ESS of every quantity, and the verdict.

    Returns
    -------
    dict
        ``converged`` (bool), ``verdict`` (one sentence), ``worst``,
        ``rhat_max``, ``ess_bulk_min``, ``ess_tail_min``, the ``criterion``
        and ``per_quantity`` (name -> R-hat and ESS; None where undefined,
        as for a quantity constant in every draw).
    """
    with np.errstate(invalid="ignore", divide="ignore"):  # chains constant in a quantity
        table = convergence(quantities)
        total = assess(quantities, criterion)
    n_chains = next(iter(quantities.values())).shape[0]
    limits = (f"R-hat <= {criterion.rhat_max:g} and bulk and tail ESS >= "
              f"{criterion.ess_min:g}")
    if n_chains < 2:
        met, text = False, "NOT converged: one chain cannot show convergence (R-hat needs two)"
    elif total["met"]:
        met, text = True, (f"converged: max R-hat {total['rhat_max']:.3f}, min bulk ESS "
                           f"{total['ess_bulk_min']:.0f}, min tail ESS "
                           f"{total['ess_tail_min']:.0f} ({limits})")
    else:
        met = False
        text = (f"NOT converged: max R-hat {total['rhat_max']:.3f}, min bulk ESS "
                f"{total['ess_bulk_min']:.0f}, min tail ESS {total['ess_tail_min']:.0f} "
                f"(needs {limits}; worst: {total['worst']}); the numbers are those of this run, "
                "not of a converged posterior: run longer (--time-budget-s)")
    return {"converged": met, "verdict": text, "worst": total["worst"],
            **{k: finite_or_none(total[k]) for k in ("rhat_max", "ess_bulk_min",
                                                     "ess_tail_min")},
            "criterion": asdict(criterion),
            "per_quantity": {name: {k: finite_or_none(v) for k, v in row.items()}
                             for name, row in table.items()}}


def odds_ratio(p_x, prior_p_x, n_draws):
    """Bayes factor of an X from posterior and prior probabilities.

    Returns
    -------
    bayes_factor : float
    is_bound : bool
        True where ``p_x`` (or ``prior_p_x``) was 0 or 1 and was moved
        ``1 / (2 n_draws)`` inside (module docstring).
    """
    eps = 0.5 / n_draws
    p = min(max(p_x, eps), 1.0 - eps)
    q = min(max(prior_p_x, eps), 1.0 - eps)
    return float((p / (1.0 - p)) / (q / (1.0 - q))), bool(p != p_x or q != prior_p_x)


def invert_transd(data: RFData, settings: TransdSettings = TransdSettings(), work_dir=None,
                  resume=False):
    """Run (or resume) the trans-dimensional inversion on one station's receiver functions.

    Parameters
    ----------
    data : RFData
        With ``correlation`` ``"none"`` or ``"exponential"`` at a fixed
        ``correlation_s``.
    settings : TransdSettings
    work_dir : path-like, optional
        Folder for the chains of both runs, written as they run (``prior``
        and ``posterior``, :mod:`bayesjoint.samplers.run`'s layout; default:
        a temporary folder, removed afterwards).
    resume : bool
        Continue the runs in ``work_dir`` (:func:`bayesjoint.samplers.run.run`'s
        resume: the same settings and data, or an error naming what
        differs; ``n_iterations`` and ``time_budget_s`` may change, the
        budget counting from the start of this call).

    Returns
    -------
    result : dict
        JSON-ready, the convergence verdict first: ``converged``,
        ``verdict``, ``p_x`` and its Monte Carlo error, ``prior_p_x`` and
        its error, ``bayes_factor`` (and whether it is a bound),
        ``depth_410_km``, ``depth_660_km``, ``transition_zone_km``
        (medians), ``p_410`` and ``p_660`` (fraction of draws with a
        positive jump in the window), ``posterior`` (quantiles of the X's
        depth and jump given an X, of the 410 and 660 and of the
        transition zone), ``convergence``, ``sampler`` and ``settings``.
    draws : dict
        The posterior draws (:func:`bayesjoint.samplers.run.load_draws`).
    """
    check_settings(settings)
    if data.correlation != "none" and data.correlation_s is None:
        raise ValueError("the detector needs a fixed correlation_s, not correlation_s_bounds")
    if resume and work_dir is None:
        raise ValueError("resume: needs the work_dir of the run to continue")
    window = window_slice(data, settings.window_s)
    check_record_length(data, XdiscModel.build(settings.reference), WINDOWS_KM["660"][1])
    spec = prior_spec(settings)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(work_dir or tmp)
        t0 = time.perf_counter()
        prior_draws = sample_prior(settings, folder / "prior", settings.time_budget_s, resume)
        t_prior = time.perf_counter() - t0
        budget = settings.time_budget_s - t_prior
        if budget <= 0:
            raise ValueError(f"time_budget_s = {settings.time_budget_s:g}: spent by the "
                             f"prior-only run ({t_prior:.0f} s); give more time or fewer "
                             "prior_iterations")
        _sample(windowed_rf_log_likelihood(data, window), spec, settings, folder / "posterior",
                n_iterations=settings.n_iterations, n_burn=settings.n_burn,
                n_chains=settings.n_chains,
                temperatures=geometric_ladder(settings.n_temperatures, settings.t_max),
                budget_s=budget, seed=settings.seed, birth="neighbour", resume=resume)
        try:
            draws = rj_run.load_draws(folder / "posterior")
        except ValueError:
            raise ValueError(f"the time budget ({settings.time_budget_s:g} s) ended the run "
                             f"within its burn-in ({settings.n_burn} iterations): give more "
                             "time or a shorter burn-in") from None
        stats = rj_run.load_stats(folder / "posterior")
        t_total = time.perf_counter() - t0
    return _result(draws, prior_draws, stats, settings, t_prior, t_total), draws


def _result(draws, prior_draws, stats, settings, seconds_prior, seconds_total):
    found = discontinuity_draws(draws["interface_depth_km"], draws["vs_km_s"])
    prior_found = discontinuity_draws(prior_draws["interface_depth_km"], prior_draws["vs_km_s"])
    quantities = convergence_quantities(draws)
    diag = convergence_verdict(quantities)
    prior_has_x = prior_found["has_x"].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        prior_diag = convergence({"has_x": prior_has_x})["has_x"]
    n_draws = found["has_x"].size
    p_x, prior_p_x = float(found["has_x"].mean()), float(prior_has_x.mean())

    def mc_error(p, ess):
        return float(np.sqrt(p * (1.0 - p) / ess)) if np.isfinite(ess) else 0.0

    bayes_factor, is_bound = odds_ratio(p_x, prior_p_x, n_draws)
    posterior = {name: draw_summary(found[name]) for name in POSTERIOR_NAMES}
    posterior["noise_scale"] = draw_summary(draws["noise_scale"][..., 0])
    medians = {name: (posterior[name] or {}).get("q50")
               for name in ("depth_410_km", "depth_660_km", "transition_zone_km")}
    stop = stats["stop"] or {}
    return {
        "converged": diag.pop("converged"), "verdict": diag.pop("verdict"),
        "p_x": p_x,
        "p_x_mc_error": mc_error(p_x, diag["per_quantity"]["has_x"]["ess_bulk_min"] or np.nan),
        "bayes_factor": bayes_factor, "bayes_factor_is_bound": is_bound,
        "log_bayes_factor": float(np.log(bayes_factor)),
        "prior_p_x": prior_p_x,
        "prior_p_x_mc_error": mc_error(prior_p_x, prior_diag["ess_bulk_min"]),
        "x_definition": {"depth_km": list(X_DEPTH_KM), "min_jump": 0.01,
                         "rule": "an interface in the depth range with vs_below / vs_above "
                                 "- 1 >= min_jump (each interface on its own)"},
        **medians,
        "p_410": float(np.isfinite(found["depth_410_km"]).mean()),
        "p_660": float(np.isfinite(found["depth_660_km"]).mean()),
        "posterior": posterior,
        "convergence": diag,
        "sampler": {
            "n_draws": int(n_draws), "n_chains": int(draws["n_layers"].shape[0]),
            "iterations": stop.get("iterations"), "stop_reason": stop.get("reason"),
            "seconds": seconds_total, "seconds_prior_run": seconds_prior,
            "acceptance_T1": {m: finite_or_none(a[0]) for m, a in stats["acceptance"].items()},
            "swap_acceptance": [finite_or_none(s) for s in np.ravel(stats["swap_acceptance"])],
            "n_layers_posterior": np.bincount(draws["n_layers"].ravel(),
                                              minlength=settings.k_max + 1)[1:].tolist(),
            "prior_run_draws": int(prior_has_x.size)},
        "settings": {k: (list(v) if isinstance(v, tuple) else v)
                     for k, v in asdict(settings).items()},
    }


def earths_from_draws(draws, index):
    """The draws at ``index`` (flat over chains and draws) as one batched LayeredEarth."""
    def flat(name):
        x = np.asarray(draws[name])
        return x.reshape((-1,) + x.shape[2:])[index]

    fill = {"interface_depth_km": np.nanmax(draws["interface_depth_km"]), "log10_sigma": 0.0,
            "vs_km_s": 1.0, "vp_vs": 1.8}
    arrays = {k: np.nan_to_num(flat(k), nan=v) for k, v in fill.items()}
    return LayeredEarth(arrays["interface_depth_km"], arrays["log10_sigma"],
                        flat("n_layers").astype(np.int32), arrays["vs_km_s"], arrays["vp_vs"])


def predicted_envelope(draws, survey, n_draws=40, seed=0):
    """5 %, 50 % and 95 % quantiles of the predictions of random draws, shape (3, R, npts)."""
    total = draws["n_layers"].size
    pick = np.sort(np.random.default_rng(seed).choice(total, min(n_draws, total),
                                                      replace=False))
    earths = earths_from_draws(draws, pick)
    pred = jax.jit(jax.vmap(lambda e: predict_rf(e, survey, wrap_free=True).reshape(
        survey.n_traces, survey.npts)))(earths)
    return np.quantile(np.asarray(pred), QUANTILES, axis=0)
