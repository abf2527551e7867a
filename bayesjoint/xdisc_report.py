"""Report of ``bayesjoint xdisc``: ``xdisc_report.md`` and a self-contained ``xdisc_report.html``.

Built from the files the command leaves in its output folder
(``xdisc.json`` and ``xdisc.png``). Its first line is the decision (``x``,
``no_x`` or ``undecided``) with its reason, and every warning right under
it (:func:`xdisc_warnings`); then the answer (``p_x`` with its Monte Carlo
interval, the prior probability and the Bayes factor), the data, the
reference Earths and their probabilities (model comparison) or the
convergence table (trans-dimensional method), the posterior of the X, the
410, the 660 and the transition zone, the figure, and the sampler
settings of the run. The HTML embeds the figure as base64 PNG
(:func:`bayesjoint.report.to_html`). The names differ from those of
``bayesjoint run``'s report, so the two can share a folder.
"""

import json
from pathlib import Path

import numpy as np

from bayesjoint.report import fmt, table, to_html
from bayesjoint.samplers.xdisc_comparison import MAX_LOG_BF
from bayesjoint.samplers.xdisc_settings import TRANSD_METHODS

XDISC_REPORT_FILES = ("xdisc_report.md", "xdisc_report.html")
"""Files :func:`build_xdisc_report` writes into the output folder of ``bayesjoint xdisc``."""

IMPORTANCE_ESS_MIN = 0.1
"""Kish effective sample size of the importance weights, over their number, below which
the linearised posterior is too far from the exact one for a trustworthy correction."""

BOUND_FRACTION = 0.02
"""A parameter whose 5 % (95 %) quantile lies within this fraction of its prior range of
the lower (upper) bound is reported as pressed against that bound."""

NOISE_SCALE_RANGE = (0.67, 1.5)
"""Posterior median of the noise scale outside which the stated errors are reported as
too large or too small."""

POSTERIOR_ROWS = (("depth_x_km", "X depth", "km"), ("jump_x", "X jump", "relative"),
                  ("depth_410_km", "410 depth", "km"), ("jump_410", "410 jump", "relative"),
                  ("depth_660_km", "660 depth", "km"), ("jump_660", "660 jump", "relative"),
                  ("transition_zone_km", "transition zone", "km"),
                  ("log_noise_scale", "log noise scale", "natural log"),
                  ("noise_scale", "noise scale", "factor"))
"""Rows of the posterior table: result key, label, unit (those absent are left out)."""


def _preferred_reference(result):
    probabilities = result["reference_probability"]
    return max(probabilities, key=probabilities.get)


def _median_noise_scale(result):
    post = result["posterior"]
    if post.get("noise_scale"):
        return post["noise_scale"]["q50"]
    if post.get("log_noise_scale"):
        return float(np.exp(post["log_noise_scale"]["q50"]))
    return None


def xdisc_warnings(result):
    """Plain-language warnings for the thresholds one ``xdisc.json`` crosses.

    * trans-dimensional methods: the convergence verdict when the run has
      not converged; a posterior of the number of steps (layers) with at
      least as many draws at ``--k-max`` as at one fewer (the prior's
      bound shapes the answer); for ``transd_steps``, an importance correction to the
      exact forward resting on an effective sample size below
      :data:`IMPORTANCE_ESS_MIN` of its draws;
    * model comparison: the importance correction of the preferred
      reference (the one of largest ``P(reference | d)``) rests on an
      effective sample size below :data:`IMPORTANCE_ESS_MIN` of its draws;
      the depth or jump of the 410 or 660, or (when ``p_x > 0.5``) the X's
      depth or largest jump, pressed against its prior bound (the 5 %
      quantile near the lower bound or the 95 % quantile near the upper,
      within :data:`BOUND_FRACTION` of the range): the data may hold it
      outside the prior, and the answer rests on the prior's edge. The X's
      smallest jump, 1 %, is not such an edge: it defines an X;
    * both: a posterior median of the noise scale outside
      :data:`NOISE_SCALE_RANGE` (the stated standard deviations are too
      small or too large).

    Parameters
    ----------
    result : dict
        Content of ``xdisc.json``.

    Returns
    -------
    list of str
    """
    out = []
    if result["method"] in TRANSD_METHODS:
        if not result["converged"]:
            out.append(result["verdict"])
        counts = result["sampler"].get("n_steps_posterior") or \
            result["sampler"].get("n_layers_posterior")
        if counts and len(counts) > 1 and counts[-1] > 0 and counts[-1] >= counts[-2]:
            what = "steps" if "n_steps_posterior" in result["sampler"] else "layers"
            share = counts[-1] / sum(counts)
            out.append(f"The posterior of the number of {what} presses against its most, "
                       f"--k-max {result['settings']['k_max']} ({100 * share:.0f} % of the "
                       f"draws, no fewer than at one {what[:-1]} less): the data ask for more "
                       f"{what} than the prior allows; rerun with a larger --k-max.")
        imp = result.get("importance")
        if imp and imp["ess_fraction"] < IMPORTANCE_ESS_MIN:
            out.append(f"The importance correction to the exact forward rests on "
                       f"{100 * imp['ess_fraction']:.0f} % of its {imp['n_draws']} draws (< "
                       f"{100 * IMPORTANCE_ESS_MIN:.0f} %): the linearised posterior is far "
                       "from the exact one, and p_x with it.")
    else:
        ref = _preferred_reference(result)
        for model, imp in result["by_reference"][ref]["importance"].items():
            if imp["ess_fraction"] < IMPORTANCE_ESS_MIN:
                out.append(f"The correction of the {model} model's evidence under {ref.upper()} "
                           f"rests on {100 * imp['ess_fraction']:.0f} % of its "
                           f"{imp['n_draws']} importance draws (< "
                           f"{100 * IMPORTANCE_ESS_MIN:.0f} %): the linearised posterior is "
                           "far from the exact one; rerun with --forward exact.")
        bounds = result["prior_bounds"]["x"]
        names = ["depth_410_km", "jump_410", "depth_660_km", "jump_660"]
        if result["p_x"] > 0.5:  # the X's own posterior matters only where there is one
            names += ["depth_x_km", "jump_x"]
        for name in names:
            lo, hi = bounds[name]
            post = result["posterior"][name]
            sides = [("upper", "q95", hi)]
            if name != "jump_x":  # 1 % is what defines an X, not an edge of the data's reach
                sides.insert(0, ("lower", "q05", lo))
            for side, quantile, bound in sides:
                if abs(post[quantile] - bound) <= BOUND_FRACTION * (hi - lo):
                    out.append(f"{name}: the posterior presses against the prior's {side} bound "
                               f"{bound:g} ({quantile} = {post[quantile]:.4g}): the data may "
                               "hold it outside the prior, whose edge then shapes the answer.")
    scale = _median_noise_scale(result)
    if scale is not None and not NOISE_SCALE_RANGE[0] <= scale <= NOISE_SCALE_RANGE[1]:
        which = "too small" if scale > 1 else "too large"
        out.append(f"The noise scale's posterior median is {scale:.2f}: the stated standard "
                   f"deviations look {which} for these receiver functions.")
    return out


def bayes_factor_text(result):
    """The Bayes factor of ``result`` as text: ``>= x`` or ``<= x`` when it is a bound (the
    trans-dimensional method with ``p_x`` or the prior's at 0 or 1), ``exp(y)`` beyond the
    clipped :data:`~bayesjoint.samplers.xdisc_comparison.MAX_LOG_BF`."""
    if abs(result["log_bayes_factor"]) > MAX_LOG_BF:
        return f"exp({result['log_bayes_factor']:.1f})"
    prefix = ""
    if result.get("bayes_factor_is_bound"):
        prefix = ">= " if result["p_x"] > 0.5 else "<= "
    return f"{prefix}{result['bayes_factor']:.3g}"


def _answer(result):
    lo, hi = result["p_x_interval"]
    if result["method"] == "transd":
        how = "p_x plus and minus two Monte Carlo standard errors, from the ESS of the X indicator"
    elif result["method"] == "transd_steps":
        how = ("p_x at the fraction of draws with an X plus and minus two Monte Carlo standard "
               "errors")
    else:
        how = "p_x at the log Bayes factor plus and minus two Monte Carlo standard errors"
    lines = [f"- Method: {result['method']}.",
             f"- P(X | data) = p_x = {result['p_x']:.3f}, Monte Carlo interval {lo:.3f}-{hi:.3f} "
             f"({how}).",
             f"- Prior probability of an X: {result['prior_p_x']:.3f}."]
    if result["method"] in TRANSD_METHODS:
        bound = " (a bound: p_x or the prior's is 0 or 1 in the draws)" \
            if result["bayes_factor_is_bound"] else ""
        lines.append(f"- Bayes factor {bayes_factor_text(result)}{bound}.")
    if result["method"] == "transd_steps":
        lines.append(f"- Fraction of posterior draws with an X: {result['p_x_draws']:.4f} "
                     f"(corrected to the exact forward; {result['p_x_draws_linearised']:.4f} "
                     f"under the linearised one), against {result['prior_p_x_draws']:.3f} "
                     "under the sampler's prior; the Bayes factor is the ratio of their odds.")
        lines.append("- Reference Earths, fraction of draws: " + ", ".join(
            f"{ref.upper()} {p:.3f}" for ref, p in result["reference_probability"].items())
            + ".")
    elif result["method"] not in TRANSD_METHODS:
        lines.append(f"- Bayes factor {bayes_factor_text(result)} (log "
                     f"{result['log_bayes_factor']:.2f} +- "
                     f"{result['log_bayes_factor_mc_error']:.2f}, one Monte Carlo standard "
                     f"error), prior odds {result['prior_odds']:g}.")
    return lines


def _data(result):
    rays = ", ".join(f"{p:g}" for p in result["ray_parameter_s_km"])
    events = "unknown" if result["n_events"] is None else str(result["n_events"])
    return [f"- Station {result['station']}: {len(result['ray_parameter_s_km'])} receiver "
            f"function(s), ray parameters {rays} s/km, Gaussian {result['gauss_rad_s']:g} "
            f"rad/s.",
            f"- Usable records behind the stacks: {events} (a decision needs "
            f"{result['min_events']}).",
            f"- Samples from {result['settings']['window_s'][0]:g} s after the direct P enter "
            f"the likelihood."]


def _references(result):
    rows = []
    for ref in result["references"]:
        r = result["by_reference"][ref]
        ess = ", ".join(f"{m} {imp['ess_fraction']:.2f}" for m, imp in r["importance"].items())
        rows.append([ref.upper(), f"{result['reference_probability'][ref]:.3g}",
                     f"{result['posterior_reference_weights'][ref]:.3g}", f"{r['p_x']:.3f}",
                     f"{r['evidence']['no_x']['log_evidence']:.2f}",
                     f"{r['evidence']['x']['log_evidence']:.2f}", ess or "n/a"])
    return ["Each reference Earth is equally probable before the data; p_x and the Bayes "
            "factor average the evidences over them, and the X's posterior mixes its "
            "posteriors with the weights P(reference | X, data).", "",
            table(rows, ["reference", "probability given the data",
                         "weight in the X posterior", "p_x under it", "log Z no X", "log Z X",
                         "importance ESS / draws"]), ""]


def _convergence(result):
    conv = result["convergence"]
    crit = conv["criterion"]

    def ess(x):
        return "n/a" if x is None else f"{x:.0f}"

    rows = [[name, fmt(q["rhat_max"], 4), ess(q["ess_bulk_min"]), ess(q["ess_tail_min"])]
            for name, q in conv["per_quantity"].items()]
    sampler = result["sampler"]
    return [f"Converged means R-hat <= {crit['rhat_max']:g} and bulk and tail ESS >= "
            f"{crit['ess_min']:g} for every quantity.", "",
            table(rows, ["quantity", "max R-hat", "min bulk ESS", "min tail ESS"]), "",
            f"{sampler['n_chains']} chains, {sampler['iterations']} iterations per chain "
            f"(stopped by: {sampler['stop_reason']}), {sampler['n_draws']} draws kept, "
            f"{sampler['seconds']:.0f} s.", ""]


def _posterior(result):
    transd = result["method"] in TRANSD_METHODS
    rows = []
    for key, label, unit in POSTERIOR_ROWS:
        s = result["posterior"].get(key)
        if s:
            row = [label, unit, f"{s['q05']:.4g}", f"{s['q50']:.4g}", f"{s['q95']:.4g}"]
            rows.append(row + [str(s["n_draws"])] if transd else row)
    header = ["quantity", "unit", "5 %", "50 %", "95 %"]
    return table(rows, header + ["draws"] if transd else header)


def build_xdisc_report(out_dir):
    """Write ``xdisc_report.md`` and ``xdisc_report.html`` into the output folder of
    ``bayesjoint xdisc``.

    Parameters
    ----------
    out_dir : path-like
        Holding ``xdisc.json`` and ``xdisc.png``.

    Returns
    -------
    md_path, html_path : Path

    Raises
    ------
    ValueError
        Before writing anything, if ``xdisc.json`` or ``xdisc.png`` is missing or
        ``xdisc.json`` lacks a field the report reads.
    """
    out = Path(out_dir)
    for name in ("xdisc.json", "xdisc.png"):
        if not (out / name).exists():
            raise ValueError(f"{out}: {name} is missing; is this the output folder of "
                             "'bayesjoint xdisc'?")
    result = json.loads((out / "xdisc.json").read_text())
    try:
        return _write(out, result)
    except KeyError as err:
        raise ValueError(f"{out / 'xdisc.json'}: lacks {err}; is it from this version of "
                         "'bayesjoint xdisc'?") from None


def _write(out, result):
    """The report of ``result`` (``xdisc.json``'s content) into the folder ``out``."""
    warns = xdisc_warnings(result)
    decided = result["decision"] != "undecided"
    judged = {"headline": f"Decision {result['decision']}: {result['reason']}",
              "converged": decided and not warns}
    transd = result["method"] in TRANSD_METHODS
    answer = "## Answer" if not transd or result["converged"] else \
        "## Answer of this run (NOT converged: not that of the posterior)"
    md = [f"# Is there an X-discontinuity beneath {result['station']}?", "",
          answer, ""] + _answer(result) + [""]
    md += ["## Data", ""] + _data(result) + [""]
    if transd:
        md += ["## Convergence", ""] + _convergence(result)
    else:
        md += ["## Reference Earths", ""] + _references(result)
    md += ["## Posterior", "",
           "Quantiles of the X model's posterior" if not transd else
           "Quantiles over the posterior draws (each quantity over the draws that hold it)",
           "", _posterior(result), "", "![stacks and P(X) with depth](xdisc.png)", ""]
    md += ["## Settings", "", "Sampler settings recorded with the result:", "", "```json",
           json.dumps(result["settings"], indent=1), "```", ""]
    state, _, rest = judged["headline"].partition(":")
    head = [f"**{state}**:{rest}", ""]
    head += [f"- {w}" for w in warns] if warns else ["No diagnostic crossed its threshold."]
    md_path, html_path = out / XDISC_REPORT_FILES[0], out / XDISC_REPORT_FILES[1]
    md_path.write_text("\n".join(head + [""] + md))
    html_path.write_text(to_html("\n".join(md), out, judged, warns))
    return md_path, html_path
