"""Report of ``bayesjoint xdisc``: ``report.md`` and a self-contained ``report.html``.

Built from the files the command leaves in its output folder
(``xdisc.json`` and ``xdisc.png``). Its first line is the decision (``x``,
``no_x`` or ``undecided``) with its reason, and every warning right under
it (:func:`xdisc_warnings`); then the answer (``p_x`` with its Monte Carlo
interval, the prior probability and the Bayes factor), the data, the
reference Earths and their probabilities (model comparison) or the
convergence table (trans-dimensional method), the posterior of the X, the
410, the 660 and the transition zone, the figure, and the settings needed
to rerun. The HTML embeds the figure as base64 PNG
(:func:`bayesjoint.report.to_html`).
"""

import json
from pathlib import Path

import numpy as np

from bayesjoint.report import table, to_html

XDISC_REPORT_FILES = ("report.md", "report.html")
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

    * trans-dimensional method: the convergence verdict when the run has
      not converged;
    * model comparison: the importance correction of the preferred
      reference (the one of largest ``P(reference | d)``) rests on an
      effective sample size below :data:`IMPORTANCE_ESS_MIN` of its draws;
      a 410 or 660 depth, or the X's depth or jump, pressed against its
      prior bound (:data:`BOUND_FRACTION`): the data may hold it outside
      the prior, and the answer rests on the prior's edge;
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
    if result["method"] == "transd":
        if not result["converged"]:
            out.append(result["verdict"])
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
        for name in ("depth_410_km", "depth_660_km", "depth_x_km", "jump_x"):
            lo, hi = bounds[name]
            post = result["posterior"][name]
            for side, quantile, bound in (("lower", "q05", lo), ("upper", "q95", hi)):
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


def _fmt(x, digits=3):
    return "n/a" if x is None else f"{x:.{digits}g}"


def _answer(result):
    lo, hi = result["p_x_interval"]
    lines = [f"- Method: **{result['method']}**.",
             f"- P(X | data) = p_x = {result['p_x']:.3f}, Monte Carlo interval {lo:.3f}-{hi:.3f} "
             f"(p_x at plus and minus two standard errors).",
             f"- Prior probability of an X: {result['prior_p_x']:.3f}."]
    if result["method"] == "transd":
        bound = " (a bound: p_x is 0 or 1 in the draws)" if result["bayes_factor_is_bound"] \
            else ""
        lines.append(f"- Bayes factor {_fmt(result['bayes_factor'])}{bound}.")
    else:
        lines.append(f"- Bayes factor {_fmt(result['bayes_factor'])} (log "
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
    rows = [[name, _fmt(q["rhat_max"], 4), _fmt(q["ess_bulk_min"], 4),
             _fmt(q["ess_tail_min"], 4)] for name, q in conv["per_quantity"].items()]
    sampler = result["sampler"]
    return [table(rows, ["quantity", "R-hat", "bulk ESS", "tail ESS"]), "",
            f"{sampler['n_chains']} chains, {sampler['iterations']} iterations per chain "
            f"(stopped by: {sampler['stop_reason']}), {sampler['n_draws']} draws kept, "
            f"{sampler['seconds']:.0f} s.", ""]


def _posterior(result):
    rows = []
    for key, label, unit in POSTERIOR_ROWS:
        s = result["posterior"].get(key)
        if s:
            rows.append([label, unit, f"{s['q05']:.4g}", f"{s['q50']:.4g}", f"{s['q95']:.4g}"])
    return table(rows, ["quantity", "unit", "5 %", "50 %", "95 %"])


def build_xdisc_report(out_dir):
    """Write ``report.md`` and ``report.html`` into the output folder of ``bayesjoint xdisc``.

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
        Before writing anything, if ``xdisc.json`` or ``xdisc.png`` is missing.
    """
    out = Path(out_dir)
    for name in ("xdisc.json", "xdisc.png"):
        if not (out / name).exists():
            raise ValueError(f"{out}: {name} is missing; is this the output folder of "
                             "'bayesjoint xdisc'?")
    result = json.loads((out / "xdisc.json").read_text())
    warns = xdisc_warnings(result)
    decided = result["decision"] != "undecided"
    judged = {"headline": f"Decision {result['decision']}: {result['reason']}",
              "converged": decided and not warns}
    transd = result["method"] == "transd"
    md = [f"# Is there an X-discontinuity beneath {result['station']}?", "",
          "## Answer", ""] + _answer(result) + [""]
    if transd and not result["converged"]:
        md += ["The run has not converged: the numbers below are those of this run, not of "
               "the posterior.", ""]
    md += ["## Data", ""] + _data(result) + [""]
    if transd:
        md += ["## Convergence", ""] + _convergence(result)
    else:
        md += ["## Reference Earths", ""] + _references(result)
    md += ["## Posterior", "",
           "Quantiles of the X model's posterior" if not transd else
           "Quantiles over the posterior draws (each quantity over the draws that hold it)",
           "", _posterior(result), "", "![stacks and P(X) with depth](xdisc.png)", ""]
    md += ["## Rerun", "", "Settings recorded with the result:", "", "```json",
           json.dumps(result["settings"], indent=1), "```", ""]
    state, _, rest = judged["headline"].partition(":")
    head = [f"**{state}**:{rest}", ""]
    head += [f"- {w}" for w in warns] if warns else ["No diagnostic crossed its threshold."]
    md_path, html_path = out / XDISC_REPORT_FILES[0], out / XDISC_REPORT_FILES[1]
    md_path.write_text("\n".join(head + [""] + md))
    html_path.write_text(to_html("\n".join(md), out, judged, warns))
    return md_path, html_path
