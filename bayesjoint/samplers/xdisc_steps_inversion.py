"""The X-discontinuity detector by trans-dimensional inversion for steps on a reference.

One station's receiver functions are inverted for any number (0 to
``k_max``) of velocity steps between 200 and 720 km on a smooth reference
Earth (AK135, IASP91 or PREM, with its 410 and 660 replaced by gradients,
:class:`~bayesjoint.model.xdisc_models.XdiscModel`), the reference itself
one of the unknowns, with the reversible-jump sampler of
:mod:`bayesjoint.samplers.xdisc_steps`. The data decide how many steps
there are, where and how large (the 410, the 660, an X, a drop, or
nothing); the answer counts the X in the posterior draws
(:func:`bayesjoint.summaries.xdisc_transd.step_discontinuities`).

Forward model: linearised, corrected
------------------------------------
Every step changes the velocities through the layer factor of
:func:`~bayesjoint.model.xdisc_models.steps_factor`, and the likelihood
uses the Born approximation of :mod:`bayesjoint.model.xdisc_likelihood`
(one Jacobian per reference). It is linearised first at each reference
with steps of the centre jumps at the centre depths of the 410 and 660
windows, then (``n_linearisations`` points in all) at the median factor
of the posterior draws of a shorter run under the previous point, per
reference (a reference without draws keeps its point). After the final
run, ``n_importance`` of its draws, spread evenly over chains and
iterations, get their exact likelihood, and self-normalised importance
weights ``w = L_exact / L_lin`` correct the probability of an X::

    p_x_draws = sum_i w_i X_i / sum_i w_i

with Kish's effective sample size of the weights as its sample size. The
posterior quantiles are those of the linearised draws.

Bayes factor and p_x
--------------------
Under the sampler's prior an X has the probability ``prior_p_x_draws``
(:func:`~bayesjoint.summaries.xdisc_transd.steps_prior_p_x`, about 0.34 by
default), so::

    BF  = [p_x_draws / (1 - p_x_draws)] / [prior_p_x_draws / (1 - prior_p_x_draws)]
    p_x = BF q / (1 + BF q)

with the prior odds ``q`` of the command (default 1, as for the model
comparison): ``p_x`` of both methods answers the same question.

Convergence is judged on the chains, with the thresholds of
:class:`~bayesjoint.summaries.stopping.ConvergenceCriterion`, on the X
indicator, the largest positive step in each of the X, 410 and 660
windows (0 without one), the number of steps, the noise scale, the
log-likelihood, the reference (when there are several) and the Vs profile
at every 50 km from 200 to 750 km.
"""

import functools
import time
from dataclasses import asdict

import jax
import jax.numpy as jnp
import numpy as np

from bayesjoint.data import RFData
from bayesjoint.model.xdisc_likelihood import (exact_predict_factors, linear_predict_factors,
                                               linearise_factor, log_likelihood_at,
                                               station_arrays)
from bayesjoint.model.xdisc_models import XdiscModel, steps_factor
from bayesjoint.model.xdisc_prior import DEFAULT_BOUNDS, X_MIN_JUMP
from bayesjoint.samplers import xdisc_steps as xs
from bayesjoint.samplers.tempering import geometric_ladder
from bayesjoint.samplers.xdisc_comparison import (QUANTILES, check_record_length, evenly_spread,
                                                  importance_correction, window_slice)
from bayesjoint.samplers.xdisc_settings import (StepsSettings, check_chunked_run, check_counts,
                                                check_references)
from bayesjoint.samplers.xdisc_steps_store import StepsStore, run_config
from bayesjoint.samplers.xdisc_transd import (convergence_verdict, draw_summary, finite_or_none,
                                              odds_ratio)
from bayesjoint.summaries.xdisc_transd import (WINDOWS_KM, X_DEPTH_KM, step_discontinuities,
                                               steps_prior_p_x)

FACTOR_BATCH = 4096
"""Draws per compiled evaluation of :func:`draw_factors`."""

PROFILE_DEPTHS_KM = tuple(float(d) for d in range(200, 751, 50))
"""Depths of the Vs profile that convergence is judged on, km."""

POSTERIOR_NAMES = ("depth_x_km", "jump_x", "depth_410_km", "jump_410", "depth_660_km",
                   "jump_660", "transition_zone_km")
"""Quantities summarised in ``posterior`` (each over the draws where it exists)."""


def check_settings(settings: StepsSettings):
    """Raise ``ValueError`` naming the first bad setting, before any sampling."""
    check_references(settings.references)
    check_counts(settings, ("k_max", "n_chains", "n_temperatures", "n_iterations", "thin",
                            "chunk_size", "n_linearisations", "n_pilot", "n_importance"))
    if settings.n_importance < 2:
        raise ValueError(f"n_importance = {settings.n_importance!r}: must be >= 2")
    if not 0 <= settings.n_burn < settings.n_iterations:
        raise ValueError(f"n_burn = {settings.n_burn!r}: must lie in [0, n_iterations = "
                         f"{settings.n_iterations})")
    check_chunked_run(settings, ("n_iterations", "n_burn", "n_pilot"))
    if settings.n_linearisations > 1 and settings.n_pilot < 2 * settings.chunk_size:
        raise ValueError(f"n_pilot = {settings.n_pilot!r}: must be at least two chunks "
                         f"(2 x chunk_size = {2 * settings.chunk_size}); half is burn-in")
    for name in ("depth_km", "jump", "noise_scale"):
        lo, hi = getattr(settings, name)
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"{name} = {(lo, hi)!r}: needs finite lower < upper")
    lo, hi = settings.depth_km
    if lo > X_DEPTH_KM[0] or hi < WINDOWS_KM["660"][1]:
        raise ValueError(f"depth_km = {(lo, hi)!r}: must hold the X window and the 660's "
                         f"({X_DEPTH_KM[0]:g}-{WINDOWS_KM['660'][1]:g} km)")
    if settings.jump[1] <= X_MIN_JUMP:
        raise ValueError(f"jump = {settings.jump!r}: the upper bound must exceed "
                         f"{X_MIN_JUMP:g} (an X's smallest jump)")
    if settings.noise_scale[0] <= 0:
        raise ValueError(f"noise_scale = {settings.noise_scale!r}: must be positive")


def step_prior(settings: StepsSettings) -> xs.StepPrior:
    """The sampler's prior (:class:`~bayesjoint.samplers.xdisc_steps.StepPrior`)."""
    return xs.StepPrior(tuple(map(float, settings.depth_km)), tuple(map(float, settings.jump)),
                        tuple(float(np.log(v)) for v in settings.noise_scale),
                        int(settings.k_max), len(settings.references))


def _stack(trees):
    return jax.tree.map(lambda *xs_: jnp.stack(xs_), *trees)


def station(data: RFData, settings: StepsSettings, window):
    """The references' backgrounds, their stacked arrays and the shared static settings."""
    xmodels = [XdiscModel.build(r, layer_km=settings.layer_km) for r in settings.references]
    per = [station_arrays(xm, data, window, settings.depth_km) for xm in xmodels]
    first = min(static.perturbed[0] for _, static in per)
    stop = max(static.perturbed[1] for _, static in per)
    static = per[0][1]._replace(perturbed=(first, stop))
    return xmodels, _stack([a for a, _ in per]), static


def _one(arrays, r):
    return jax.tree.map(lambda x: x[r], arrays)


def log_likelihood_fn(law):
    """``f(state, (arrays, linearisations)) -> scalar``: the linearised log-likelihood."""
    def log_likelihood(state, args):
        arrays, lins = args
        top = arrays.top_depth_km[state.reference]
        factor = steps_factor(top, state.depth_km, jnp.where(state.active, state.jump, 0.0),
                              arrays.taper_km[0])
        pred = linear_predict_factors(factor, _one(lins, state.reference))
        return log_likelihood_at(pred, state.log_noise_scale, _one(arrays, 0), law)

    return log_likelihood


@jax.jit
def _factors(tops, taper_km, reference, active, depth_km, jump):
    return jax.vmap(lambda r, a, d, j: steps_factor(tops[r], d, jnp.where(a, j, 0.0),
                                                    taper_km))(reference, active, depth_km,
                                                               jump)


def draw_factors(draws, top_depth_km, taper_km, batch=FACTOR_BATCH):
    """Layer factor of every draw under its own reference, shape (..., K).

    ``top_depth_km`` of shape (n_references, K). Draws are evaluated
    ``batch`` at a time (the last batch padded), so the number of draws,
    which grows during a run, does not cause a new compilation.
    """
    shape = draws.active.shape[:-1]
    flat = [np.asarray(x).reshape((-1,) + np.shape(x)[len(shape):])
            for x in (draws.reference, draws.active, draws.depth_km, draws.jump)]
    n = flat[0].shape[0]
    padded = [np.concatenate([x, np.repeat(x[:1], -n % batch, axis=0)]) for x in flat]
    tops = jnp.asarray(top_depth_km)
    out = np.concatenate([np.asarray(_factors(tops, taper_km, *(x[i:i + batch] for x in padded)))
                          for i in range(0, n + (-n % batch), batch)])[:n]
    return out.reshape(shape + out.shape[-1:])


def _linearise_all(factors, arrays, static):
    return _stack([linearise_factor(jnp.asarray(f), _one(arrays, r), static)
                   for r, f in enumerate(factors)])


def _centre_factors(arrays, n_references):
    depth = jnp.asarray([sum(DEFAULT_BOUNDS[f"depth_{n}_km"]) / 2 for n in ("410", "660")])
    jump = jnp.asarray([sum(DEFAULT_BOUNDS[f"jump_{n}"]) / 2 for n in ("410", "660")])
    return [steps_factor(arrays.top_depth_km[r], depth, jump, arrays.taper_km[r])
            for r in range(n_references)]


@functools.partial(jax.jit, static_argnames="law")
def _batched_log_likelihood(predicted, log_noise_scale, arrays, law):
    return jax.vmap(lambda p, s: log_likelihood_at(p, s, arrays, law))(predicted,
                                                                      log_noise_scale)


def exact_log_likelihood(draws, arrays, static, law, batch=64):
    """Exact log-likelihood of draws (StepState with one leading axis), shape (N,)."""
    factors = draw_factors(draws, arrays.top_depth_km, arrays.taper_km[0])
    out = np.empty(factors.shape[0])
    for r in np.unique(draws.reference):
        idx = np.flatnonzero(draws.reference == r)
        one = _one(arrays, int(r))
        for start in range(0, idx.size, batch):
            part = idx[start:start + batch]
            pred = exact_predict_factors(jnp.asarray(factors[part]), one, static)
            out[part] = np.asarray(_batched_log_likelihood(
                pred, jnp.asarray(draws.log_noise_scale[part]), one, law))
    return out


def vs_profile(draws, xmodels, depth_km=PROFILE_DEPTHS_KM):
    """Vs of every draw at ``depth_km`` (km/s), shape (..., D): its reference's background
    times its factor, in the layer holding each depth."""
    tops = np.stack([xm.top_depth_km for xm in xmodels])
    taper = xmodels[0].taper_km
    factors = draw_factors(draws, tops, taper)
    vs = np.stack([xm.vs_km_s for xm in xmodels])[np.asarray(draws.reference)] * factors
    layer = np.stack([np.searchsorted(xm.top_depth_km, depth_km, side="right") - 1
                      for xm in xmodels])[np.asarray(draws.reference)]
    return np.take_along_axis(vs, layer, axis=-1)


def convergence_quantities(draws, xmodels):
    """The quantities convergence is judged on, dict of name -> ndarray (C, S)."""
    found = step_discontinuities(draws.active, draws.depth_km, draws.jump)
    out = {"has_x": found["has_x"].astype(float),
           **{f"largest_jump_{n}": np.nan_to_num(found[f"jump_{n}"], nan=0.0)
              for n in ("x", "410", "660")},
           "n_steps": draws.active.sum(axis=-1).astype(float),
           "noise_scale": np.exp(draws.log_noise_scale),
           "log_likelihood": draws.log_likelihood}
    if len(xmodels) > 1:
        out["reference"] = np.asarray(draws.reference, dtype=float)
    profile = vs_profile(draws, xmodels)
    for i, d in enumerate(PROFILE_DEPTHS_KM):
        out[f"vs_{d:.0f}_km"] = profile[..., i]
    return out


def invert_steps(data: RFData, settings: StepsSettings = StepsSettings(), prior_odds=1.0, *,
                 work_dir=None, resume=False):
    """Run (or resume) the inversion on one station's receiver functions.

    Parameters
    ----------
    data : RFData
        With ``correlation`` ``"none"`` or ``"exponential"`` at a fixed
        ``correlation_s``.
    settings : StepsSettings
    prior_odds : float
        ``P(X) / P(no X)`` before the data for ``p_x`` (module docstring).
    work_dir : path-like, optional
        Folder the chains are written to as they run
        (:mod:`~bayesjoint.samplers.xdisc_steps_store`); without one they
        stay in memory.
    resume : bool
        Continue the run in ``work_dir``: its data and settings must be
        those given, except ``n_iterations`` and ``time_budget_s``. The
        resumed run draws what the uninterrupted one would have drawn and
        stops where it would have stopped, unless a time budget ends
        either (the budget counts from the start of this call). A final
        run that ended converged is not continued; one that ended on its
        time budget or iteration count continues to the given
        ``n_iterations``.

    Returns
    -------
    result : dict
        JSON-ready, the convergence verdict first: ``converged``,
        ``verdict``, ``p_x``, ``p_x_interval``, ``bayes_factor``,
        ``log_bayes_factor``, ``prior_odds``, ``prior_p_x``, ``p_x_draws``
        (corrected) and its Monte Carlo error, ``p_x_draws_linearised``,
        ``prior_p_x_draws``, ``depth_410_km``, ``depth_660_km``,
        ``transition_zone_km``, ``p_410``, ``p_660``,
        ``reference_probability``, ``posterior``, ``importance``,
        ``convergence``, ``sampler`` (with ``chunks_resumed``, the chunks
        found in ``work_dir``) and ``settings``.
    draws : StepState
        The temperature-1 draws (NumPy), leading axes (chains, draws).
    xmodels : list of XdiscModel
        The references, in the order of ``settings.references``.

    Raises
    ------
    ValueError
        For bad settings or data, ``resume`` without ``work_dir``, a
        ``work_dir`` that holds a run when ``resume`` is False, or one whose
        run has other data or settings (naming every difference).
    """
    check_settings(settings)
    if not (np.isfinite(prior_odds) and prior_odds > 0):
        raise ValueError(f"prior_odds = {prior_odds!r}: must be finite and > 0")
    if data.correlation != "none" and data.correlation_s is None:
        raise ValueError("the detector needs a fixed correlation_s, not correlation_s_bounds")
    if resume and work_dir is None:
        raise ValueError("resume: needs the work_dir of the run to continue")
    window = window_slice(data, settings.window_s)
    t0 = time.perf_counter()
    xmodels, arrays, static = station(data, settings, window)
    for xmodel in xmodels:
        check_record_length(data, xmodel, WINDOWS_KM["660"][1])
    store = (None if work_dir is None
             else StepsStore(work_dir, run_config(data, settings), resume=resume))
    chunks_found = 0 if store is None else len(store.manifest["chunks"])
    prior = step_prior(settings)
    loglik = log_likelihood_fn(static.law)
    temperatures = geometric_ladder(settings.n_temperatures, settings.t_max)
    key = jax.random.PRNGKey(settings.seed)
    key, sub = jax.random.split(key)
    states = xs.initial_states(sub, settings.n_chains, settings.n_temperatures, prior)
    points = np.asarray(_centre_factors(arrays, len(xmodels)))
    seconds = {}

    def converged(kept):
        return convergence_verdict(convergence_quantities(kept, xmodels))["converged"]

    for stage in range(settings.n_linearisations):
        last = stage == settings.n_linearisations - 1
        n_it, n_burn = ((settings.n_iterations, settings.n_burn) if last
                        else (settings.n_pilot, settings.n_pilot // 2))
        key, sub = jax.random.split(key)
        stored = None if store is None else store.stage_progress(stage)
        if stored is not None:
            points = stored["lin_factor"]
        lins = _linearise_all(points, arrays, static)
        if stored is None:
            states = xs.fill_log_likelihood(states, (arrays, lins), loglik)
            progress = {}
        else:
            states = jax.tree.map(jnp.asarray, stored["states"])
            progress = {"done": stored["iterations"], "kept": stored["draws"],
                        "totals": stored["totals"]}
        if last and store is not None and (store.stop or {}).get("reason") == "converged":
            draws = stored["draws"]
            stats = xs.run_stats(stored["totals"], stored["iterations"], "converged", states)
        else:
            if last and store is not None:
                store.clear_stop()
            on_chunk = (None if store is None
                        else functools.partial(store.write_chunk, stage, points))
            budget = settings.time_budget_s - (time.perf_counter() - t0) if last else np.inf
            draws, stats = xs.run(sub, states, temperatures, (arrays, lins), loglik, prior,
                                  n_iterations=n_it, n_burn=n_burn, thin=settings.thin,
                                  chunk_size=settings.chunk_size, time_budget_s=budget,
                                  converged=converged if last else None, on_chunk=on_chunk,
                                  **progress)
        if last and store is not None:
            store.write_stop(stats["iterations"], stats["stop_reason"])
        states = stats.pop("states")
        seconds[f"run_{stage}"] = time.perf_counter() - t0 - sum(seconds.values())
        if not last:
            factors = draw_factors(draws, arrays.top_depth_km, arrays.taper_km[0])
            points = np.asarray([np.median(factors[draws.reference == r], axis=0)
                                 if np.any(draws.reference == r) else np.asarray(lins.factor[r])
                                 for r in range(len(xmodels))])
    chain, draw = evenly_spread(*draws.active.shape[:2], settings.n_importance)
    picked = jax.tree.map(lambda x: x[chain, draw], draws)
    exact = exact_log_likelihood(picked, arrays, static, static.law)
    seconds["importance"] = time.perf_counter() - t0 - sum(seconds.values())
    result = _result(draws, picked, exact, xmodels, stats, settings, prior_odds)
    result["sampler"]["seconds"] = round(time.perf_counter() - t0, 1)
    result["sampler"]["seconds_by_stage"] = {k: round(v, 1) for k, v in seconds.items()}
    result["sampler"]["chunks_resumed"] = chunks_found
    return result, draws, xmodels


def predicted_envelope(draws, xmodels, data: RFData, n_draws=40, seed=0):
    """5 %, 50 % and 95 % quantiles of the exact predictions of ``n_draws`` random draws
    over the whole record of ``data``, shape (3, R, npts)."""
    flat = jax.tree.map(lambda x: x.reshape((-1,) + x.shape[2:]), draws)
    total = flat.active.shape[0]
    pick = np.random.default_rng(seed).choice(total, min(n_draws, total), replace=False)
    chosen = jax.tree.map(lambda x: x[np.sort(pick)], flat)
    factors = draw_factors(chosen, np.stack([xm.top_depth_km for xm in xmodels]),
                           xmodels[0].taper_km)
    predictions = []
    for r in np.unique(chosen.reference):
        arrays, static = station_arrays(xmodels[int(r)], data, slice(0, data.npts))
        predictions.append(np.asarray(exact_predict_factors(
            jnp.asarray(factors[chosen.reference == r]), arrays, static)))
    return np.quantile(np.concatenate(predictions), QUANTILES, axis=0)


def p_x_profile(result, draws, depth_edges_km):
    """Posterior probability of an X per km of depth, shape (D,): ``p_x`` times the
    density of the X's depth over the draws with an X (zeros when none has one)."""
    depth = step_discontinuities(draws.active, draws.depth_km, draws.jump)["depth_x_km"]
    depth = depth[np.isfinite(depth)]
    if depth.size == 0:
        return np.zeros(len(depth_edges_km) - 1)
    density, _ = np.histogram(depth, bins=depth_edges_km, density=True)
    return result["p_x"] * density


def _p_x_from_draws(p_draws, prior_draws, prior_odds, n_draws):
    bf, is_bound = odds_ratio(p_draws, prior_draws, n_draws)
    return bf * prior_odds / (1.0 + bf * prior_odds), bf, is_bound


def _result(draws, picked, exact, xmodels, stats, settings, prior_odds):
    found = step_discontinuities(draws.active, draws.depth_km, draws.jump)
    quantities = convergence_quantities(draws, xmodels)
    diag = convergence_verdict(quantities)
    n_draws = found["has_x"].size
    ess_chain = diag["per_quantity"]["has_x"]["ess_bulk_min"] or np.nan
    correction = importance_correction(exact - picked.log_likelihood)
    w = np.exp(exact - picked.log_likelihood - np.max(exact - picked.log_likelihood))
    picked_x = step_discontinuities(picked.active, picked.depth_km, picked.jump)["has_x"]
    p_draws = float(np.sum(w * picked_x) / np.sum(w))
    n_eff = min(correction["ess_fraction"] * w.size, ess_chain if np.isfinite(ess_chain)
                else w.size)
    error = float(np.sqrt(max(p_draws * (1.0 - p_draws), 0.25 / n_eff) / n_eff))
    prior_draws = steps_prior_p_x(settings.k_max, settings.depth_km, settings.jump)
    p_x, bf, is_bound = _p_x_from_draws(p_draws, prior_draws, prior_odds, w.size)
    interval = [_p_x_from_draws(min(max(p_draws + s * 2 * error, 0.0), 1.0), prior_draws,
                                prior_odds, w.size)[0] for s in (-1, 1)]
    posterior = {name: draw_summary(found[name]) for name in POSTERIOR_NAMES}
    posterior["noise_scale"] = draw_summary(np.exp(draws.log_noise_scale))
    medians = {name: (posterior[name] or {}).get("q50")
               for name in ("depth_410_km", "depth_660_km", "transition_zone_km")}
    k = draws.active.sum(axis=-1)
    refs = settings.references
    return {
        "converged": diag.pop("converged"), "verdict": diag.pop("verdict"),
        "p_x": p_x, "p_x_interval": interval,
        "bayes_factor": bf, "bayes_factor_is_bound": is_bound,
        "log_bayes_factor": float(np.log(bf)),
        "prior_odds": prior_odds, "prior_p_x": prior_odds / (1.0 + prior_odds),
        "p_x_draws": p_draws, "p_x_draws_mc_error": error,
        "p_x_draws_linearised": float(found["has_x"].mean()),
        "prior_p_x_draws": prior_draws,
        "x_definition": {"depth_km": list(X_DEPTH_KM), "min_jump": X_MIN_JUMP,
                         "rule": "a step in the depth range with a relative Vs jump >= "
                                 "min_jump (each step on its own)"},
        **medians,
        "p_410": float(np.isfinite(found["depth_410_km"]).mean()),
        "p_660": float(np.isfinite(found["depth_660_km"]).mean()),
        "reference_probability": {r: float(np.mean(draws.reference == i))
                                  for i, r in enumerate(refs)},
        "posterior": posterior,
        "importance": {**correction, "p_x_draws": p_draws},
        "convergence": diag,
        "sampler": {
            "n_draws": int(n_draws), "n_chains": int(k.shape[0]),
            "iterations": stats["iterations"], "stop_reason": stats["stop_reason"],
            "acceptance_T1": {m: finite_or_none(a[0]) for m, a in stats["acceptance"].items()},
            "swap_acceptance": [finite_or_none(a) for a in stats["swap_acceptance"]],
            "n_steps_posterior": np.bincount(k.ravel(), minlength=settings.k_max + 1).tolist()},
        "settings": {name: (list(v) if isinstance(v, tuple) else v)
                     for name, v in asdict(settings).items()},
    }
