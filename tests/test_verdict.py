"""The convergence verdict: one function for the terminal, report.md and report.html."""

import pytest

from bayesjoint.commands.run import print_result
from bayesjoint.summaries.diagnostics import chain_statistics, mass_near_bounds
from bayesjoint.summaries.verdict import verdict

GOOD = {"rhat_max": 1.004, "ess_bulk_min": 900.0, "ess_tail_min": 700.0}


def _summary(per_variable=None, **diagnostics):
    return {"settings": {"prior": {"k_min": 2, "k_max": 30, "noise_scale_min": 0.1,
                                   "noise_scale_max": 10.0},
                         "sampler": {"n_chains": 4}},
            "diagnostics": {"per_variable": per_variable or {
                "log10_sigma_on_grid": GOOD, "n_layers": GOOD, "noise_scale_mt": GOOD},
                "n_chains": 4, **diagnostics}}


def test_converged_run():
    v = verdict(_summary())
    assert v["converged"] and v["headline"].startswith("converged: max R-hat 1.004 <= 1.01")
    assert v["lines"] == [] and "min bulk and tail ESS >= 400" in v["criterion"]


@pytest.mark.parametrize("row, text", [
    ({"rhat_max": 2.615}, "max R-hat 2.615 > 1.01 (log10_sigma_on_grid)"),
    ({"rhat_max": 1.0104}, "max R-hat 1.0104 > 1.01 (log10_sigma_on_grid)"),
    ({"ess_bulk_min": 120.0}, "min bulk ESS 120 < 400 (log10_sigma_on_grid)"),
    ({"ess_tail_min": 80.0}, "min tail ESS 80 < 400 (log10_sigma_on_grid)"),
])
def test_failed_criterion_is_named(row, text):
    v = verdict(_summary({"log10_sigma_on_grid": {**GOOD, **row}, "noise_scale_mt": GOOD}))
    assert not v["converged"]
    assert v["headline"].startswith("NOT converged: " + text)
    assert len(v["lines"]) == 1 and "log10_sigma_on_grid" in v["lines"][0]


def test_other_quantities_warn_but_do_not_decide():
    v = verdict(_summary({"log10_sigma_on_grid": GOOD,
                          "log_likelihood": {"rhat_max": 1.2, "ess_bulk_min": 50.0}}))
    assert v["converged"]
    assert any("R-hat of log_likelihood is 1.200" in line for line in v["lines"])


def test_single_chain_is_explained():
    s = _summary({"log10_sigma_on_grid": {"rhat_max": None, "ess_bulk_min": 500.0,
                                          "ess_tail_min": 500.0}}, n_chains=1)
    v = verdict(s)
    assert not v["converged"] and v["headline"].startswith("NOT converged: one chain")
    assert "R-hat needs two or more chains" in v["lines"][0]


def test_layer_count_piled_at_a_prior_bound():
    v = verdict(_summary(n_layers_posterior={"28": 0.2, "29": 0.3, "30": 0.5}))
    assert any("upper bound of its prior: p(k = 30) = 0.50" in line for line in v["lines"])
    assert verdict(_summary(n_layers_posterior={"2": 0.25, "3": 0.75}))["lines"][0].count(
        "lower bound of its prior: p(k = 2) = 0.25")
    assert verdict(_summary(n_layers_posterior={"10": 0.9, "30": 0.1}))["lines"] == []


def test_noise_scale_piled_at_a_prior_bound():
    draws = [0.1] * 30 + [1.0] * 70  # 30 % at the lower bound 0.1
    mass = mass_near_bounds(draws, 0.1, 10.0)
    assert mass == {"lower": 0.3, "upper": 0.0}
    v = verdict(_summary(noise_scale_bound_mass={"mt": mass}))
    assert any("noise scale of mt has 30 % of its mass next to the lower bound" in line
               for line in v["lines"])


def test_stray_chain_is_flagged():
    import numpy as np

    rng = np.random.default_rng(0)
    ll = rng.normal(-100.0, 2.0, size=(4, 500))
    ll[2] -= 200.0  # one chain stuck in a worse mode
    stats = chain_statistics({"log_likelihood": ll, "noise_scale_mt": rng.normal(1, .1, (4, 500))})
    v = verdict(_summary(per_chain=stats))
    flagged = [line for line in v["lines"] if line.startswith("Chain")]
    assert len(flagged) == 1 and flagged[0].startswith("Chain 2 (mean -299")
    assert "mean log-likelihood more than 3 pooled standard deviations" in flagged[0]


def test_stop_reason_in_the_headline():
    assert verdict(_summary(stop_reason="budget"))["headline"].endswith("sampler stopped: budget")


def test_terminal_summary_starts_with_the_verdict(capsys):
    s = _summary({"log10_sigma_on_grid": {**GOOD, "rhat_max": 2.615}})
    result = {**s, "verdict": verdict(s), "files": ["summary.json"],
              "timings_s": {"sampling": 1.0},
              "resolved_depth_range_km": {"log10_sigma": [0.0, 955.0]},
              "coverage_of_truth_90": {"log10_sigma": {"resolved_depths": 0.97,
                                                       "all_depths": 0.9}}}
    result["diagnostics"]["worst"] = {"rhat_max": 2.615, "ess_bulk_min": 900.0}
    print_result(result, "out", write=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("NOT converged: max R-hat 2.615 > 1.01")
    assert lines[1].startswith("  - R-hat of log10_sigma_on_grid is 2.615")
    resolved = next(line for line in lines if "resolved depths (narrow" in line)
    covered = next(line for line in lines if "true model inside" in line)
    assert resolved.endswith("[NOT converged: not reliable]")
    assert covered.endswith("[NOT converged: not reliable]")


def test_headline_says_why_the_sampler_stopped():
    from bayesjoint.summaries.verdict import _stop_text

    crit = {"rhat_max": 1.05, "ess_min": 100.0}
    assert "its own criterion was met (max R-hat <= 1.05" in _stop_text(
        "converged", {"criterion": crit})
    assert "before its criterion" in _stop_text("iterations", {"criterion": crit})
    assert _stop_text("iterations", {"criterion": None}) == "all its iterations were spent"
    assert _stop_text("time_budget", None) == "its time budget was spent"
