"""The X-discontinuity detector on synthetic receiver functions with and without an X."""

import numpy as np
import pytest

pytest.importorskip("obspy")

from bayesjoint.datasets import synthetic_rf  # noqa: E402
from bayesjoint.model.xdisc_models import XdiscModel  # noqa: E402
from bayesjoint.samplers.xdisc_comparison import (average_evidence, compare,  # noqa: E402
                                                  importance_correction, weighted_quantile)
from bayesjoint.samplers.xdisc_settings import ComparisonSettings  # noqa: E402

MANTLE = {"depth_410_km": 410.0, "jump_410": 0.04, "depth_660_km": 660.0, "jump_660": 0.06}
CASES = {"x": dict(MANTLE, depth_x_km=300.0, jump_x=0.04),
         "no_x": MANTLE,
         "negative_jump": dict(MANTLE, depth_x_km=300.0, jump_x=-0.04)}
SETTINGS = ComparisonSettings(references=("ak135",), layer_km=20.0, n_betas=6, n_chains=6,
                              n_iterations=400, n_burn=200)


def synthetic(params, seed=1, reference="ak135", npts=160):
    """Nearly clean receiver functions of the ``reference``-based model with ``params``."""
    xmodel = XdiscModel.build(reference, layer_km=20.0)
    return synthetic_rf(xmodel.earth(params), [0.06], dt_s=0.5, npts=npts, shift_s=5.0,
                        gauss_rad_s=1.0, noise_std=0.003, seed=seed, wrap_free=True)


@pytest.fixture(scope="module")
def results():
    return {name: compare(synthetic(params), SETTINGS)[0] for name, params in CASES.items()}


def test_an_x_at_300_km_is_detected(results):
    r = results["x"]
    assert r["p_x"] > 0.95
    post = r["posterior"]
    assert post["depth_x_km"]["q05"] < 300.0 < post["depth_x_km"]["q95"]
    assert post["jump_x"]["q05"] < 0.04 < post["jump_x"]["q95"]
    assert abs(r["depth_410_km"] - 410.0) < 10.0 and abs(r["depth_660_km"] - 660.0) < 10.0


def test_no_x_gives_a_low_probability(results):
    assert results["no_x"]["p_x"] < 0.2


def test_a_negative_jump_is_not_an_x(results):
    assert results["negative_jump"]["p_x"] < 0.2


def test_the_linearisation_is_close_and_its_correction_small(results):
    for r in results.values():
        assert r["forward"] == "linearised"
        for model in ("x", "no_x"):
            importance = r["by_reference"]["ak135"]["importance"][model]
            assert importance["ess_fraction"] > 0.5
            assert abs(importance["log_evidence_correction"]) < 0.5


def test_one_reference_is_its_own_average(results):
    r = results["x"]
    assert r["references"] == ["ak135"] and r["reference_probability"] == {"ak135": 1.0}
    assert r["p_x"] == r["by_reference"]["ak135"]["p_x"]
    assert r["evidence"]["x"]["log_evidence"] == pytest.approx(
        r["by_reference"]["ak135"]["evidence"]["x"]["log_evidence"], abs=1e-12)


def test_the_reference_that_made_the_data_wins_and_finds_the_x():
    settings = ComparisonSettings(**{**SETTINGS.__dict__, "references": ("ak135", "prem")})
    # 170 samples: PREM's slower upper mantle puts the Ps from 700 km later
    r = compare(synthetic(CASES["x"], reference="prem", npts=170), settings)[0]
    assert r["reference_probability"]["prem"] > 0.99
    assert r["posterior_reference_weights"]["prem"] > 0.99
    assert r["p_x"] > 0.95 and set(r["by_reference"]) == {"ak135", "prem"}
    post = r["posterior"]
    assert post["depth_x_km"]["q05"] < 300.0 < post["depth_x_km"]["q95"]


def test_average_evidence_by_hand():
    lz, err, w = average_evidence(np.log([1.0, 3.0]), [0.1, 0.2])
    assert lz == pytest.approx(np.log(2.0))
    np.testing.assert_allclose(w, [0.25, 0.75])
    assert err == pytest.approx(np.hypot(0.25 * 0.1, 0.75 * 0.2))
    big = average_evidence([1000.0, 1000.0 + np.log(3.0)], [0.0, 0.0])[0]
    assert big == pytest.approx(1000.0 + np.log(2.0))  # no overflow


def test_weighted_quantile_by_hand():
    v = np.array([3.0, 1.0, 2.0, 4.0])
    np.testing.assert_allclose(weighted_quantile(v, np.ones(4), [0.1, 0.5, 0.9]),
                               np.quantile(v, [0.1, 0.5, 0.9], method="hazen"))
    # weights (1, 1, 1, 3) of 6: mid-point CDF 1/12, 3/12, 5/12, 9/12 at 1, 2, 3, 4
    np.testing.assert_allclose(weighted_quantile(v, [1.0, 1.0, 1.0, 3.0], [0.25, 0.5, 0.75]),
                               [2.0, 3.0 + (6 / 12 - 5 / 12) / (4 / 12), 4.0])


def test_bad_references_are_refused_before_any_work():
    data = synthetic(CASES["x"])
    for refs in [(), ("ak135", "ak135"), ("ak135", "prem2"), "ak135"]:
        with pytest.raises(ValueError, match="references"):
            compare(data, ComparisonSettings(references=refs))


def test_a_record_too_short_for_one_reference_is_refused_before_any_sampling(monkeypatch):
    from bayesjoint.samplers import xdisc_comparison

    def no_sampling(*args, **kwargs):
        raise AssertionError("sampled before the record length of every reference was checked")

    monkeypatch.setattr(xdisc_comparison, "_sample", no_sampling)
    settings = ComparisonSettings(**{**SETTINGS.__dict__, "references": ("ak135", "prem")})
    # 160 samples hold the Ps from 700 km in AK135, not in PREM's slower mantle
    with pytest.raises(ValueError, match="700 km in PREM"):
        compare(synthetic(CASES["x"]), settings)


def test_importance_correction_by_hand():
    c = importance_correction(np.log([1.0, 3.0]))
    assert c["log_evidence_correction"] == pytest.approx(np.log(2.0))
    assert c["mc_error"] == pytest.approx(np.std([1.0, 3.0], ddof=1) / (2.0 * np.sqrt(2)))
    assert c["ess_fraction"] == pytest.approx(16.0 / 10.0 / 2.0)
    assert importance_correction(np.zeros(5))["ess_fraction"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="finite"):
        importance_correction([0.0, -np.inf])


@pytest.mark.slow
def test_linearised_and_exact_forward_give_the_same_bayes_factor():
    data = synthetic(CASES["x"], seed=2)
    small = ComparisonSettings(layer_km=20.0, n_betas=6, n_chains=6, n_iterations=600,
                               n_burn=300, prior_odds=1e-6)
    linear = compare(data, small)[0]
    exact = compare(data, ComparisonSettings(**{**small.__dict__, "forward": "exact"}))[0]
    error = np.hypot(linear["log_bayes_factor_mc_error"], exact["log_bayes_factor_mc_error"])
    assert abs(linear["log_bayes_factor"] - exact["log_bayes_factor"]) < 4 * error + 0.3


def test_an_overwhelming_bayes_factor_stays_a_finite_json_number(results, monkeypatch):
    import json

    from bayesjoint.samplers import xdisc_comparison

    real = xdisc_comparison.posterior_model_probability
    monkeypatch.setattr(xdisc_comparison, "posterior_model_probability",
                        lambda a, b, q: (real(a, b, q)[0], 1000.0))
    r = compare(synthetic(CASES["x"]), SETTINGS)[0]
    assert r["log_bayes_factor"] == 1000.0
    assert np.isfinite(r["bayes_factor"]) and r["bayes_factor"] > 1e300
    json.dumps(r, allow_nan=False)
