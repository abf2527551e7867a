"""The convergence verdict of a run: one headline and the warnings under it.

:func:`verdict` reads the content of ``summary.json`` and decides whether the
run converged. The terminal summary, ``report.md`` and ``report.html`` all
open with its headline and list its warnings right under it; intervals,
coverage and resolved depth ranges of a run that did not converge are
labelled as such (:data:`UNCONVERGED_LABEL`).

Criterion (Vehtari et al. 2021): max split R-hat <= :data:`RHAT_MAX` and min
bulk and tail ESS >= :data:`ESS_MIN` over the criterion quantities: the
per-layer properties on the depth grid (log10 conductivity; Vs when sampled),
the number of layers (when it varies) and the noise scales. R-hat needs two
or more chains, so a single-chain run is never called converged.

Further warnings (they do not change the verdict, they say why to distrust
it): the number of layers piled at a bound of its prior, a noise scale
piled at a bound of its prior, a chain whose mean log-likelihood or noise
scale lies far from the others, low swap acceptance, NUTS divergences,
rejected non-finite likelihoods, and any other quantity's R-hat or ESS.
"""

import math
import statistics

from bayesjoint.summaries.stopping import ConvergenceCriterion

RHAT_MAX = ConvergenceCriterion().rhat_max
"""R-hat above this: the chains have not converged (Vehtari et al. 2021); the default
of :class:`~bayesjoint.summaries.stopping.ConvergenceCriterion`."""

ESS_MIN = int(ConvergenceCriterion().ess_min)
"""Bulk or tail ESS below this: the quantiles are too noisy (Vehtari et al. 2021); the
default of :class:`~bayesjoint.summaries.stopping.ConvergenceCriterion`."""

BOUND_MASS_MAX = 0.2
"""Posterior mass at a bound of the prior above which a quantity counts as piled there."""

BOUND_BAND = 0.05
"""Width of the band next to a noise-scale bound, as a share of the prior's log range."""

CHAIN_OUTLIER_SD = 3.0
"""A chain whose mean lies more than this many pooled standard deviations from the
median of the chain means is flagged."""

SWAP_MIN = 0.1
"""Swap acceptance below this: neighbouring temperatures hardly exchange."""

CRITERION = (f"max R-hat <= {RHAT_MAX} and min bulk and tail ESS >= {ESS_MIN} over log10 "
             "conductivity (and Vs) on the depth grid, the number of layers and the noise "
             "scales")
"""The convergence criterion in words."""

UNCONVERGED_LABEL = "NOT converged: not reliable"
"""Label of intervals, coverage and resolved ranges from a run that did not converge."""


def _criterion_quantity(name):
    return name.endswith("_on_grid") or name == "n_layers" or name.startswith("noise_scale")


def rhat_text(rhat, threshold=RHAT_MAX):
    """R-hat to three decimals, or more where three would round it onto ``threshold``.

    So that 1.0106 reads "1.0106 > 1.01", never "1.010 > 1.01".
    """
    for decimals in range(3, 8):
        text = f"{rhat:.{decimals}f}"
        if (float(text) > threshold) == (rhat > threshold):
            return text
    return f"{rhat:.8f}"


def _finite(x):
    return x is not None and math.isfinite(x)


def _n_chains(summary):
    diag = summary.get("diagnostics", {})
    if "n_chains" in diag:
        return diag["n_chains"]
    sampler = summary.get("settings", {}).get("sampler", {})
    return sampler.get("n_chains")


def _stop_text(reason, record):
    """Why the sampler stopped, with the run's own criterion when it had one."""
    crit = (record or {}).get("criterion")
    if reason == "converged" and crit:
        return (f"its own criterion was met (max R-hat <= {crit['rhat_max']:g}, bulk and tail "
                f"ESS >= {crit['ess_min']:g})")
    if reason == "iterations":
        return "all its iterations were spent" + (
            f" before its criterion (max R-hat <= {crit['rhat_max']:g}, ESS >= "
            f"{crit['ess_min']:g}) was met" if crit else "")
    if reason == "time_budget":
        return "its time budget was spent"
    return reason


def verdict(summary: dict):
    """Whether a run converged, by which criterion, and what to warn about.

    Parameters
    ----------
    summary : dict
        Content of ``summary.json`` (at least ``diagnostics.per_variable``).

    Returns
    -------
    dict
        ``converged`` (bool), ``criterion`` (str), ``headline`` (the first
        line to show: "converged ..." or "NOT converged ..."), ``lines``
        (list of str, the warnings to show right under it) and
        ``stop_reason`` (str or None, why the sampler stopped when it
        recorded it).
    """
    diag = summary.get("diagnostics", {})
    per_variable = diag.get("per_variable", {})
    n_chains = _n_chains(summary)
    single = n_chains is not None and n_chains < 2
    lines, failed = [], []
    if single:
        failed.append("one chain")
        lines.append("Only one chain: R-hat needs two or more chains, so convergence cannot "
                     "be checked (R-hat shows as n/a); run two or more chains.")
    worst_rhat, worst_ess = None, None
    for name, row in per_variable.items():
        in_criterion = _criterion_quantity(name)
        rhat = row.get("rhat_max")
        if _finite(rhat):
            if in_criterion and (worst_rhat is None or rhat > worst_rhat[0]):
                worst_rhat = (rhat, name)
            if rhat > RHAT_MAX:
                lines.append(f"R-hat of {name} is {rhat_text(rhat)} (> {RHAT_MAX}): the chains "
                             "have not converged to the same distribution; run longer, add chains "
                             "or temperatures before trusting the intervals.")
        elif in_criterion and not single and n_chains is not None:
            failed.append(f"R-hat of {name} undefined")
            lines.append(f"R-hat of {name} could not be computed.")
        for kind in ("bulk", "tail"):
            ess = row.get(f"ess_{kind}_min")
            if not _finite(ess):
                continue
            if in_criterion and (worst_ess is None or ess < worst_ess[0]):
                worst_ess = (ess, name, kind)
            if ess < ESS_MIN:
                lines.append(f"{kind.capitalize()} ESS of {name} is {ess:.0f} (< {ESS_MIN}): "
                             "the quantiles of this quantity are uncertain; run longer.")
    if worst_rhat is not None and worst_rhat[0] > RHAT_MAX:
        failed.append(f"max R-hat {rhat_text(worst_rhat[0])} > {RHAT_MAX} ({worst_rhat[1]})")
    if worst_ess is not None and worst_ess[0] < ESS_MIN:
        failed.append(f"min {worst_ess[2]} ESS {worst_ess[0]:.0f} < {ESS_MIN} ({worst_ess[1]})")
    if worst_rhat is None and worst_ess is None:
        failed.append("no diagnostics")
    lines += _layer_count_lines(summary) + _noise_bound_lines(summary) + _chain_lines(diag)
    lines += _sampler_lines(diag)

    converged = not failed
    if converged:
        rhat = f"max R-hat {rhat_text(worst_rhat[0])}" if worst_rhat else "R-hat n/a"
        headline = (f"converged: {rhat} <= {RHAT_MAX}, min ESS {worst_ess[0]:.0f} >= "
                    f"{ESS_MIN} (criterion: {CRITERION})")
    else:
        headline = f"NOT converged: {'; '.join(failed)} (criterion: {CRITERION})"
    stop = diag.get("stop_reason")
    if stop:
        headline += f"; sampler stopped: {_stop_text(stop, diag.get('stop'))}"
    return {"converged": converged, "criterion": CRITERION, "headline": headline,
            "lines": lines, "stop_reason": stop}


def _layer_count_lines(summary):
    pk = summary.get("diagnostics", {}).get("n_layers_posterior")
    prior = summary.get("settings", {}).get("prior", {})
    if not pk or "k_min" not in prior:
        return []
    pk = {int(k): p for k, p in pk.items()}
    out = []
    for bound, k in (("upper", prior["k_max"]), ("lower", prior["k_min"])):
        p = pk.get(k, 0.0)
        if p > BOUND_MASS_MAX:
            out.append(f"The number of layers is piled at the {bound} bound of its prior: "
                       f"p(k = {k}) = {p:.2f} (> {BOUND_MASS_MAX}); the prior bound, not the "
                       f"data, limits it; widen k_min .. k_max or check the noise model.")
    return out


def _noise_bound_lines(summary):
    masses = summary.get("diagnostics", {}).get("noise_scale_bound_mass") or {}
    prior = summary.get("settings", {}).get("prior", {})
    out = []
    for name, mass in masses.items():
        for bound in ("lower", "upper"):
            if mass.get(bound, 0.0) > BOUND_MASS_MAX:
                value = prior.get(f"noise_scale_{'min' if bound == 'lower' else 'max'}")
                at = f" ({value:g})" if value is not None else ""
                out.append(f"The noise scale of {name} has {100 * mass[bound]:.0f} % of its "
                           f"mass next to the {bound} bound of its prior{at} (> "
                           f"{100 * BOUND_MASS_MAX:.0f} % within {100 * BOUND_BAND:.0f} % of "
                           "the log range): the stated errors are far off or the model cannot "
                           "fit the data; widen the bounds or check the errors.")
    return out


def _chain_lines(diag):
    out = []
    for name, stats in (diag.get("per_chain") or {}).items():
        means, sds = stats["mean"], stats["std"]
        if len(means) < 2 or not all(_finite(m) for m in means + sds):
            continue
        pooled = math.sqrt(sum(s * s for s in sds) / len(sds))
        centre = statistics.median(means)
        off = [i for i, m in enumerate(means) if abs(m - centre) > CHAIN_OUTLIER_SD * pooled]
        if not off:
            continue
        what = "log-likelihood" if name == "log_likelihood" else name.replace("_", " ")
        chains = ", ".join(f"{i} (mean {means[i]:.4g})" for i in off)
        out.append(f"Chain{'s' if len(off) > 1 else ''} {chains}: mean {what} more than "
                   f"{CHAIN_OUTLIER_SD:g} pooled standard deviations ({pooled:.3g}) from the "
                   f"median of the chain means ({centre:.4g}); "
                   f"{'they are' if len(off) > 1 else 'it is'} stuck in another part of the "
                   "posterior; run longer or add temperatures.")
    return out


def _sampler_lines(diag):
    out = []
    for i, rate in enumerate(diag.get("swap_acceptance") or []):
        if rate is not None and rate < SWAP_MIN:
            out.append(f"Swap acceptance between temperatures {i} and {i + 1} is {rate:.2f} "
                       f"(< {SWAP_MIN}): the ladder is too wide; add temperatures.")
    if diag.get("divergences"):
        out.append(f"{diag['divergences']} divergent NUTS transitions: parts of the posterior "
                   "may be missed; raise target_acceptance.")
    if diag.get("non_finite_log_likelihood"):
        out.append(f"{diag['non_finite_log_likelihood']} proposals had a non-finite likelihood "
                   "and were rejected.")
    return out
