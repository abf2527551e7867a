"""The uncertainty report: contents, warnings, and the HTML page in a real browser."""

import re
import shutil
import subprocess

import numpy as np
import pytest

import bayesjoint  # noqa: F401
from bayesjoint.cli import main
from bayesjoint.datasets import reference_model, synthetic_mt
from bayesjoint.model.prior import PriorSpec
from bayesjoint.report import build_report, warnings_for
from bayesjoint.samplers.nuts import NUTSConfig
from bayesjoint.workflow import invert


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    data = synthetic_mt(reference_model(), np.logspace(0, 3.8, 12))
    spec = PriorSpec(n_layers=6, depth_max_km=400.0, first_interface_km=10.0)
    invert([data], spec, NUTSConfig(n_chains=2, n_burn=60, n_iterations=120, seed=1,
                                    progress_bar=False), out, truth=reference_model())
    return out


def test_report_files_and_sections(run_dir):
    md, page = build_report(run_dir)
    text = md.read_text()
    for section in ("## Data", "## Prior", "## Sampler", "## Diagnostics", "## Posterior",
                    "## Data fit", "## Rerun"):
        assert section in text
    # 120 draws cannot reach a bulk ESS of 400: the verdict comes first, the warnings
    # right under it, before any other section.
    lines = text.splitlines()
    assert lines[0].startswith("**NOT converged**: ") and "min bulk ESS" in lines[0]
    first_section = text.index("# Uncertainty report")
    assert -1 < text.index("Bulk ESS of") < first_section
    # what comes from an unconverged run is labelled as such
    posterior = text[text.index("## Posterior"):text.index("## Data fit")]
    assert "did not converge" in posterior and "resolved) from" in posterior
    assert all("NOT converged: not reliable" in line for line in posterior.splitlines()
               if line.startswith("- "))
    html = page.read_text()
    assert html.count("data:image/png;base64,") == 3 and "src='profile.png'" not in html
    body = html[html.index("<body>"):]
    assert body.index("id='verdict'") < body.index("<h1>")
    assert "<b>NOT converged</b>" in body[:body.index("<h1>")]


def test_summary_json_opens_with_the_verdict(run_dir):
    import json

    summary = json.loads((run_dir / "summary.json").read_text())
    assert list(summary)[:2] == ["converged", "verdict"] and summary["converged"] is False
    assert summary["verdict"]["headline"].startswith("NOT converged")
    per_chain = summary["diagnostics"]["per_chain"]["noise_scale_mt"]
    assert len(per_chain["mean"]) == len(per_chain["std"]) == 2
    assert set(summary["diagnostics"]["noise_scale_bound_mass"]["mt"]) == {"lower", "upper"}


def test_warnings_name_the_threshold():
    summary = {"diagnostics": {"per_variable": {"log10_sigma_on_grid": {
        "rhat_max": 1.2, "ess_bulk_min": 50}}, "swap_acceptance": [0.5, 0.02], "divergences": 3}}
    warns = warnings_for(summary, {"mt": 3.0})
    joined = "\n".join(warns)
    assert "R-hat of log10_sigma_on_grid is 1.200 (> 1.01)" in joined
    assert "Bulk ESS of log10_sigma_on_grid is 50 (< 400)" in joined
    assert "temperatures 1 and 2 is 0.02" in joined
    assert "3 divergent" in joined and "RMS normalised residual 3.00" in joined
    ok = {"diagnostics": {"per_variable": {"x": {"rhat_max": 1.001, "ess_bulk_min": 1000}}}}
    assert warnings_for(ok, {"mt": 1.0}) == []


def test_periodic_receiver_functions_are_warned_of():
    from bayesjoint.data import RFData
    from bayesjoint.datatypes import descriptor

    rf = [RFData.from_traces(np.zeros(50), 0.06, dt_s=0.5, shift_s=5.0, gauss_rad_s=1.0,
                             std=0.01, wrap_free=wrap_free, name=name)
          for name, wrap_free in (("st1", False), ("st2", True))]
    summary = {"diagnostics": {"per_variable": {"x": {"rhat_max": 1.001, "ess_bulk_min": 1000}}},
               "datasets": [{"name": "mt", "type": "MTData", "warnings": []}]
               + [{"name": d.name, "type": "RFData", "warnings": descriptor(d).warnings(d)}
                  for d in rf]}
    (warn,) = warnings_for(summary, {})
    assert warn.startswith("Dataset st1: receiver functions predicted as one period")
    assert "set wrap_free = true" in warn


def _flags(summary, blocks=None):
    return "\n".join(warnings_for(summary, {}, blocks))


BASE = {"diagnostics": {"per_variable": {"x": {"rhat_max": 1.001, "ess_bulk_min": 1000}}}}


def test_flag_residuals_that_trend_with_period():
    period = np.logspace(3, 6, 12)
    flat = np.resize([0.8, -0.8, 0.5, -0.5], 12)  # scattered, no trend
    trend = np.linspace(-2.0, 2.0, 12) + 0.1 * flat  # rises by 4 over 3 decades
    assert _flags(BASE, {"mt": [("phase (deg)", period, flat)]}) == ""
    text = _flags(BASE, {"mt": [("log10 rho_a (ohm m)", period, flat),
                                ("phase (deg)", period, trend)]})
    assert "Dataset mt: the normalised residuals of phase (deg) rise with period" in text
    assert "log10 rho_a" not in text and "ocean or coast" in text
    assert "fall with period" in _flags(BASE, {"c": [("Re C", period, -trend)]})


def test_flag_noise_scale_far_from_one():
    def summary(means):
        return {**BASE, "diagnostics": {**BASE["diagnostics"], "per_chain": {
            "noise_scale_tuc": {"mean": means, "std": [0.1] * len(means)},
            "log_likelihood": {"mean": [-10.0], "std": [1.0]}}}}

    assert _flags(summary([1.2, 1.4])) == ""
    assert "Dataset tuc: noise scale 3.10, far from 1: the stated errors are too small" in \
        _flags(summary([3.0, 3.2]))
    assert "noise scale 0.30, far from 1: the stated errors are larger" in \
        _flags(summary([0.3, 0.3]))


def test_flag_static_shift_near_its_prior_bound():
    def summary(median):
        return {**BASE, "static_shift_log10": {"kak": {
            "prior_std_log10": 0.3, "median": median, "q05": median - 0.1, "q95": median + 0.1,
            "mean": median, "std": 0.06, "median_in_prior_std": abs(median) / 0.3}}}

    assert _flags(summary(0.5)) == ""  # 1.7 prior std
    text = _flags(summary(-0.7))
    assert "Dataset kak: static shift of log10 rho_a -0.70 (apparent resistivity x 0.20)" in text
    assert "2.3 prior standard deviations from 0" in text and "near the bound" in text


def test_report_command_and_missing_files(run_dir, tmp_path, capsys):
    assert main(["report", str(run_dir)]) == 0
    assert main(["report", str(tmp_path)]) == 2
    assert "summary.json is missing" in capsys.readouterr().err


def test_html_renders_in_headless_chromium(run_dir, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Chromium is not installed (CI installs Debian's chromium package)")
    _, page = build_report(run_dir)
    args = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000"]
    dom = subprocess.run(args + ["--dump-dom", page.as_uri()], capture_output=True,
                         text=True).stdout
    m = re.search(r"<title>bayesjoint report: (\d+) of (\d+) figures</title>", dom)
    assert m, dom[:500]
    assert m.group(1) == m.group(2) == "3"
    body = dom[dom.index("<body"):]  # the rendered page opens with the verdict
    assert re.search(r"<body[^>]*>\s*<div id=\"verdict\"", body), body[:300]
    shot = tmp_path / "page.png"
    subprocess.run(args + [f"--screenshot={shot}", "--window-size=1000,2500", page.as_uri()],
                   capture_output=True)
    assert shot.stat().st_size > 10_000
