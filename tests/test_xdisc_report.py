"""The report of ``bayesjoint xdisc``: its warnings, on results made by hand."""

import copy
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from bayesjoint.xdisc_report import build_xdisc_report, xdisc_warnings  # noqa: E402


def _summary(q05, q50, q95):
    return {"mean": q50, "std": (q95 - q05) / 3.3, "q05": q05, "q50": q50, "q95": q95}


BOUNDS = {"depth_410_km": [380.0, 440.0], "jump_410": [0.02, 0.07],
          "depth_660_km": [630.0, 700.0], "jump_660": [0.03, 0.1],
          "log_noise_scale": [-0.693, 0.693], "depth_x_km": [250.0, 350.0],
          "jump_x": [0.01, 0.06]}

COMPARISON = {
    "station": "ST01", "method": "model_comparison", "p_x": 0.9, "p_x_interval": [0.88, 0.92],
    "prior_p_x": 0.5, "prior_odds": 1.0, "bayes_factor": 9.0, "log_bayes_factor": 2.197,
    "log_bayes_factor_mc_error": 0.05, "references": ["ak135", "prem"],
    "reference_probability": {"ak135": 0.99, "prem": 0.01},
    "posterior_reference_weights": {"ak135": 0.99, "prem": 0.01},
    "by_reference": {ref: {"p_x": 0.9, "evidence": {m: {"log_evidence": 10.0}
                                                    for m in ("no_x", "x")},
                           "importance": {m: {"ess_fraction": 0.8, "n_draws": 100}
                                          for m in ("no_x", "x")}}
                     for ref in ("ak135", "prem")},
    "posterior": {"depth_410_km": _summary(400.0, 410.0, 420.0),
                  "jump_410": _summary(0.03, 0.04, 0.05),
                  "depth_660_km": _summary(650.0, 660.0, 670.0),
                  "jump_660": _summary(0.05, 0.06, 0.07),
                  "depth_x_km": _summary(280.0, 300.0, 320.0),
                  "jump_x": _summary(0.02, 0.03, 0.04),
                  "transition_zone_km": _summary(240.0, 250.0, 260.0),
                  "log_noise_scale": _summary(-0.1, 0.0, 0.1)},
    "prior_bounds": {"x": BOUNDS},
    "ray_parameter_s_km": [0.06], "gauss_rad_s": 1.0, "n_events": 20, "min_events": 10,
    "decision": "x", "reason": "p_x = 0.900, interval 0.880-0.920 lies above 0.5",
    "settings": {"window_s": [20.0, None]},
}


def test_a_clean_comparison_warns_of_nothing():
    assert xdisc_warnings(COMPARISON) == []


def test_a_poor_importance_correction_of_the_preferred_reference_warns():
    result = copy.deepcopy(COMPARISON)
    result["by_reference"]["prem"]["importance"]["x"]["ess_fraction"] = 0.01  # weight 0.01
    assert xdisc_warnings(result) == []
    result["by_reference"]["ak135"]["importance"]["x"]["ess_fraction"] = 0.05
    (warning,) = xdisc_warnings(result)
    assert "x model's evidence under AK135" in warning and "5 % of its 100" in warning


@pytest.mark.parametrize("name, summary, side", [
    ("depth_410_km", _summary(380.5, 390.0, 400.0), "lower bound 380"),
    ("depth_660_km", _summary(680.0, 695.0, 699.0), "upper bound 700"),
    ("jump_410", _summary(0.0205, 0.03, 0.04), "lower bound 0.02"),
    ("jump_x", _summary(0.03, 0.05, 0.0595), "upper bound 0.06"),
    ("depth_x_km", _summary(251.0, 260.0, 290.0), "lower bound 250"),
])
def test_a_posterior_pressed_against_a_prior_bound_warns(name, summary, side):
    result = copy.deepcopy(COMPARISON)
    result["posterior"][name] = summary
    (warning,) = xdisc_warnings(result)
    assert warning.startswith(f"{name}: the posterior presses against the prior's {side}")


def test_the_xs_bounds_matter_only_where_there_is_an_x_and_1_percent_never():
    result = copy.deepcopy(COMPARISON)
    result["posterior"]["jump_x"] = _summary(0.0101, 0.012, 0.02)  # 1 % defines an X
    assert xdisc_warnings(result) == []
    result["posterior"]["depth_x_km"] = _summary(251.0, 260.0, 290.0)
    assert len(xdisc_warnings(result)) == 1
    result["p_x"] = 0.1  # no X: where the X model puts it does not matter
    assert xdisc_warnings(result) == []


@pytest.mark.parametrize("log_scale, word", [(0.5, "too small"), (-0.5, "too large")])
def test_a_noise_scale_far_from_one_warns(log_scale, word):
    result = copy.deepcopy(COMPARISON)
    result["posterior"]["log_noise_scale"] = _summary(log_scale - 0.05, log_scale,
                                                      log_scale + 0.05)
    (warning,) = xdisc_warnings(result)
    assert word in warning


def test_an_unconverged_transd_run_warns_with_its_verdict_first():
    result = {"method": "transd", "converged": False, "verdict": "NOT converged: R-hat 2.8",
              "sampler": {"n_layers_posterior": [0, 4, 2]}, "settings": {"k_max": 3},
              "posterior": {"noise_scale": _summary(1.9, 2.0, 2.1)}}
    assert xdisc_warnings(result)[0] == "NOT converged: R-hat 2.8"
    assert "too small" in xdisc_warnings(result)[1]
    result.update(converged=True, posterior={"noise_scale": _summary(0.9, 1.0, 1.1)})
    assert xdisc_warnings(result) == []


def test_transd_steps_warns_when_its_importance_correction_rests_on_few_draws():
    result = {"method": "transd_steps", "converged": True, "verdict": "converged",
              "importance": {"ess_fraction": 0.05, "n_draws": 1000},
              "sampler": {"n_steps_posterior": [0, 5, 3, 1]}, "settings": {"k_max": 3},
              "posterior": {"noise_scale": _summary(0.9, 1.0, 1.1)}}
    (warning,) = xdisc_warnings(result)
    assert "5 % of its 1000 draws" in warning
    result["importance"]["ess_fraction"] = 0.5
    assert xdisc_warnings(result) == []
    result["converged"], result["verdict"] = False, "NOT converged: R-hat 1.2"
    assert xdisc_warnings(result) == ["NOT converged: R-hat 1.2"]


@pytest.mark.parametrize("method, key", [("transd_steps", "n_steps_posterior"),
                                         ("transd", "n_layers_posterior")])
def test_a_number_of_steps_piled_at_k_max_is_a_warning(method, key):
    result = {"method": method, "converged": True, "verdict": "converged",
              "sampler": {key: [0, 1, 3, 3]}, "settings": {"k_max": 3},
              "posterior": {"noise_scale": _summary(0.9, 1.0, 1.1)}}
    (warning,) = xdisc_warnings(result)
    assert "--k-max 3 (43 % of the draws" in warning
    result["sampler"][key] = [0, 1, 3, 2]  # falling towards the bound: the data do not ask
    assert xdisc_warnings(result) == []


def test_report_needs_the_commands_output(tmp_path):
    with pytest.raises(ValueError, match="xdisc.json is missing"):
        build_xdisc_report(tmp_path)


def test_report_of_a_clean_result_opens_with_its_decision(tmp_path):
    (tmp_path / "xdisc.json").write_text(json.dumps(COMPARISON))
    fig = plt.figure()
    fig.savefig(tmp_path / "xdisc.png")
    plt.close(fig)
    md, page = build_xdisc_report(tmp_path)
    lines = md.read_text().splitlines()
    assert lines[0] == f"**Decision x**: {COMPARISON['reason']}"
    assert lines[2] == "No diagnostic crossed its threshold."
    assert "| AK135 | 0.99 | 0.99 | 0.900 | 10.00 | 10.00 | no_x 0.80, x 0.80 |" in lines
    assert "| X depth | km | 280 | 300 | 320 |" in lines
    assert "- Bayes factor 9 (log 2.20 +- 0.05, one Monte Carlo standard error), prior odds 1." \
        in lines
    html = page.read_text()
    assert "class='verdict ok'" in html and "**" not in html
    assert (md.name, page.name) == ("xdisc_report.md", "xdisc_report.html")


def test_bayes_factors_beyond_the_clip_and_bounds_read_as_such():
    from bayesjoint.xdisc_report import bayes_factor_text

    assert bayes_factor_text({"log_bayes_factor": 812.04, "bayes_factor": 1e304}) == \
        "exp(812.0)"
    bound = {"log_bayes_factor": 6.9, "bayes_factor": 1000.0, "bayes_factor_is_bound": True}
    assert bayes_factor_text({**bound, "p_x": 1.0}) == ">= 1e+03"
    assert bayes_factor_text({**bound, "p_x": 0.0}) == "<= 1e+03"


def test_an_older_result_is_refused_by_name(tmp_path):
    old = {k: v for k, v in COMPARISON.items() if k != "decision"}
    (tmp_path / "xdisc.json").write_text(json.dumps(old))
    (tmp_path / "xdisc.png").write_bytes(b"")
    with pytest.raises(ValueError, match="lacks 'decision'"):
        build_xdisc_report(tmp_path)
