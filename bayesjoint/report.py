"""Uncertainty report of a finished run: ``report.md`` and a self-contained ``report.html``.

The report is built from the files a run leaves in its folder
(``summary.json``, ``posterior.nc``, ``profile.png``, ``datafit.png``). Its
first line is the convergence verdict
(:func:`bayesjoint.summaries.verdict.verdict`) with every warning right
under it, the real-data problems among them (residuals that trend with
period, a noise scale far from 1, a static shift near its prior bound:
:mod:`bayesjoint.summaries.data_checks`); then the data and their errors,
the prior, the sampler settings, a diagnostics table, the posterior profiles (labelled when the run did not
converge), interface probability and p(k), the data fit with normalised
residuals, and the settings needed to rerun. The HTML embeds its figures as
base64 PNG, so it is one file that can be mailed or archived.
"""

import base64
import html
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from bayesjoint.plotting.residuals import block_name, plot_residuals
from bayesjoint.summaries.data_checks import real_data_flags
from bayesjoint.summaries.verdict import UNCONVERGED_LABEL, verdict

RESIDUAL_RMS_MAX = 1.5
"""Root-mean-square normalised residual of the median prediction above which the fit warns."""

REPORT_FILES = ("report.md", "report.html", "residuals.png")
"""Files :func:`build_report` writes into a run folder."""


def warnings_for(summary: dict, residual_rms: dict, residual_blocks=None):
    """Plain-language warnings for the thresholds a run crosses.

    The warnings of :func:`~bayesjoint.summaries.verdict.verdict`, then
    those of the data fit, then the real-data problems of
    :func:`~bayesjoint.summaries.data_checks.real_data_flags` (residuals
    that trend with period, a noise scale far from 1, a static shift near
    its prior bound).

    Parameters
    ----------
    summary : dict
        Content of ``summary.json``.
    residual_rms : dict name -> float
        RMS of the normalised residuals of each dataset's median prediction.
    residual_blocks : dict, optional
        Normalised residuals per block with their periods (see
        :func:`~bayesjoint.summaries.data_checks.real_data_flags`).

    Returns
    -------
    list of str
    """
    out = list(verdict(summary)["lines"])
    for name, rms in residual_rms.items():
        if rms > RESIDUAL_RMS_MAX:
            out.append(f"Dataset {name}: RMS normalised residual {rms:.2f} (> {RESIDUAL_RMS_MAX}); "
                       "the model does not fit these data within their stated errors.")
    for entry in summary.get("datasets", []):
        out += entry.get("warnings", [])  # how each dataset is modelled (its data type's)
    return out + real_data_flags(summary, residual_blocks)


def _residual_figure(tree, summary, path):
    """Normalised residuals (obs - median prediction) / std of every dataset, each
    block of its data vector named (:func:`bayesjoint.plotting.residuals.plot_residuals`).

    Returns the RMS of each dataset's residuals, and for period-sampled data
    the residuals of each block with their periods."""
    rms, blocks = {}, {}
    names = [d["name"] for d in summary["datasets"]]
    fig, axes = plt.subplots(len(names), 1, figsize=(6.5, 2.6 * len(names)), squeeze=False)
    for ax, name in zip(axes[:, 0], names):
        obs = tree["observed_data"][f"obs_{name}"].values
        std = tree["observed_data"][f"std_{name}"].values
        group = tree[f"data_{name}"]
        env = group["envelope"].values
        r = (obs - env[1]) / std
        rms[name] = float(np.sqrt(np.mean(r**2)))
        labels = group.attrs.get("labels", "data")
        labels = [labels] if isinstance(labels, str) else [str(x) for x in labels]
        if "period_s" in group and r.size == len(labels) * group["period_s"].size:
            period = group["period_s"].values
            blocks[name] = [(block_name(label), period, part)
                            for label, part in zip(labels, np.split(r, len(labels)))]
        plot_residuals(obs, std, env[1], labels, ax=ax, title=f"{name}: RMS {rms[name]:.2f}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return rms, blocks


def table(rows, header):
    """A Markdown table of ``rows`` (lists of cells) under ``header``."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def fmt(x, digits=3):
    """``x`` to ``digits`` significant digits, or ``"n/a"`` for None."""
    return "n/a" if x is None else f"{x:.{digits}g}"


def build_report(run_dir):
    """Write ``report.md`` and ``report.html`` into a run folder.

    Parameters
    ----------
    run_dir : path-like
        Folder written by :func:`bayesjoint.workflow.invert`.

    Returns
    -------
    (Path, Path)
        Paths of the Markdown and HTML reports.

    Raises
    ------
    ValueError
        If the folder lacks a file the report needs.
    """
    run = Path(run_dir)
    for name in ("summary.json", "posterior.nc", "profile.png", "datafit.png"):
        if not (run / name).exists():
            raise ValueError(f"{run}: {name} is missing; is this the output folder of a run?")
    summary = json.loads((run / "summary.json").read_text())
    # Read it all into memory and close the file: a resumed run rewrites it.
    tree = xr.load_datatree(run / "posterior.nc", engine="h5netcdf")
    rms, blocks = _residual_figure(tree, summary, run / "residuals.png")
    judged = verdict(summary)
    warns = warnings_for(summary, rms, blocks)
    label = "" if judged["converged"] else f" ({UNCONVERGED_LABEL})"

    state, _, rest = judged["headline"].partition(":")
    head = [f"**{state}**:{rest}", ""]
    head += [f"- {w}" for w in warns] if warns else ["No diagnostic crossed its threshold."]
    head.append("")
    md = [f"# Uncertainty report: {run.name}", ""]
    md += ["## Data", ""]
    rows = []
    for d in summary["datasets"]:
        name = d["name"]
        std = tree["observed_data"][f"std_{name}"].values
        group = tree[f"data_{name}"]
        if "period_s" in group:
            axis = group["period_s"].values
            span = f"periods {axis.min():.4g}-{axis.max():.4g} s"
        else:
            axis = group["time_s"].values
            span = f"times {axis.min():.4g}-{axis.max():.4g} s"
        rows.append([name, d["type"], d["n_data"], span,
                     f"{std.min():.3g}-{std.max():.3g}", f"{rms[name]:.2f}"])
    md += [table(rows, ["dataset", "type", "data", "axis", "std range",
                        "RMS residual/std"]), ""]
    md += ["## Prior", "", "```json", json.dumps(summary["settings"]["prior"], indent=1), "```",
           ""]
    md += ["## Sampler", "", f"Sampler: **{summary['sampler']}**; sampling time "
           f"{summary['timings_s']['sampling']:.1f} s on {summary['machine']['jax_backend']} "
           f"({summary['machine']['platform']}).", "", "```json",
           json.dumps(summary["settings"]["sampler"], indent=1), "```", ""]
    md += ["## Diagnostics", ""]
    rows = [[k, fmt(v.get("rhat_max"), 4), fmt(v.get("ess_bulk_min"), 4),
             fmt(v.get("ess_tail_min"), 4)]
            for k, v in summary["diagnostics"]["per_variable"].items()]
    md += [table(rows, ["quantity", "max R-hat", "min bulk ESS", "min tail ESS"]), ""]
    acc = summary["diagnostics"].get("acceptance_T1")
    if acc:
        md += [table([[m, f"{a:.3f}"] for m, a in acc.items()],
                     ["move", "acceptance (T = 1)"]), ""]
    swaps = summary["diagnostics"].get("swap_acceptance")
    if swaps:
        md += [table([[f"{i}-{i + 1}", fmt(s)] for i, s in enumerate(swaps)],
                     ["temperature pair", "swap acceptance"]), ""]
    if "mean_accept_prob" in summary["diagnostics"]:
        md += [f"Mean NUTS acceptance probability "
               f"{summary['diagnostics']['mean_accept_prob']:.3f}; divergences "
               f"{summary['diagnostics']['divergences']}.", ""]
    md += ["## Posterior", ""]
    if label:
        md += ["The run did not converge: the intervals, resolved depths and coverage below "
               "are not reliable.", ""]
    md += ["![profile](profile.png)", ""]
    for field, rng in (summary.get("resolved_depth_range_km") or {}).items():
        if rng:
            md.append(f"- {field}: the 90 % interval is narrow (resolved) from {rng[0]:.0f} "
                      f"to {rng[1]:.0f} km{label}.")
    for field, cov in (summary.get("coverage_of_truth_90") or {}).items():
        md.append(f"- {field}: the true model lies inside the 90 % interval at "
                  f"{100 * cov['resolved_depths']:.0f} % of resolved depths and "
                  f"{100 * cov['all_depths']:.0f} % of all depths{label}.")
    for name, shift in (summary.get("static_shift_log10") or {}).items():
        md.append(f"- {name}: static shift of log10 rho_a {shift['median']:+.3f} (90 % "
                  f"interval {shift['q05']:+.3f} to {shift['q95']:+.3f}; prior std "
                  f"{shift['prior_std_log10']:g}){label}.")
    pk = summary["diagnostics"].get("n_layers_posterior")
    if pk:
        best = max(pk, key=pk.get)
        md.append(f"- Number of layers: most probable {best} (p = {pk[best]:.2f}){label}.")
    md += ["", "## Data fit", "", "![data fit](datafit.png)", "",
           "![normalised residuals](residuals.png)", ""]
    md += ["## Rerun", "", "Settings recorded with the run:", "", "```json",
           json.dumps({k: v for k, v in summary["settings"].items()
                       if k not in ("prior", "sampler")}, indent=1), "```",
           f"bayesjoint {summary['bayesjoint_version']}, JAX {summary['machine']['jax']}, "
           f"Python {summary['machine']['python']}.", ""]
    md_path = run / "report.md"
    md_path.write_text("\n".join(head + md))
    html_path = run / "report.html"
    html_path.write_text(to_html("\n".join(md), run, judged, warns))
    summary["files"] = list(dict.fromkeys(list(summary.get("files", [])) + list(REPORT_FILES)))
    (run / "summary.json").write_text(json.dumps(summary, indent=2))
    return md_path, html_path


def to_html(markdown_text, run, judged, warns):
    """The verdict and its warnings, then a small Markdown subset (headings,
    tables, lists, code, images) as HTML.

    ``judged`` holds ``headline`` (``"state: rest"``) and ``converged`` (a
    green box when true, red otherwise); images are read from the folder
    ``run`` and embedded as base64 PNG."""
    state, _, rest = judged["headline"].partition(":")
    box = "ok" if judged["converged"] else "bad"
    items = "".join(f"<li>{html.escape(w)}</li>" for w in warns)
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>bayesjoint report</title>",
           "<style>body{font-family:sans-serif;max-width:60em;margin:auto;padding:1em}"
           "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:2px 6px}"
           "pre{background:#f4f4f4;padding:.5em;overflow:auto}img{max-width:100%}"
           ".verdict{padding:.3em 1em;border:2px solid}.ok{border-color:#2a7;background:#eefaf2}"
           ".bad{border-color:#c33;background:#fdeeee}</style>",
           # The title reports how many embedded figures the browser decoded.
           "<script>window.addEventListener('load',()=>{const im=[...document.images];"
           "const ok=im.filter(i=>i.complete&&i.naturalWidth>0).length;"
           "document.title='bayesjoint report: '+ok+' of '+im.length+' figures';});</script>",
           "</head><body>",
           f"<div id='verdict' class='verdict {box}'><p><b>{html.escape(state)}</b>:"
           f"{html.escape(rest)}</p>"
           + (f"<ul>{items}</ul>" if items else "<p>No diagnostic crossed its threshold.</p>")
           + "</div>"]
    lines = markdown_text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            out.append("<pre>" + html.escape("\n".join(lines[i + 1 : j])) + "</pre>")
            i = j + 1
            continue
        if line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                if not set(lines[i]) <= set("|-"):
                    rows.append([c.strip() for c in lines[i].strip("|").split("|")])
                i += 1
            out.append("<table>")
            for k, r in enumerate(rows):
                tag = "th" if k == 0 else "td"
                out.append("<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in r)
                           + "</tr>")
            out.append("</table>")
            continue
        if line.startswith("!["):
            alt, src = line[2:].split("](")
            data = base64.b64encode((run / src.rstrip(")")).read_bytes()).decode()
            out.append(f"<p><img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'></p>")
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{html.escape(line[level:].strip())}</h{level}>")
        elif line.startswith("- "):
            out.append(f"<ul><li>{html.escape(line[2:])}</li></ul>")
        elif line.strip():
            out.append(f"<p>{html.escape(line).replace('**', '')}</p>")
        i += 1
    out.append("</body></html>")
    return "\n".join(out)
