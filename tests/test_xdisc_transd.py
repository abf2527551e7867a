"""The X, 410 and 660 read from trans-dimensional draws, and the Bayes factor."""

import numpy as np
import pytest

from bayesjoint.samplers.xdisc_transd import (check_settings, convergence_verdict, odds_ratio,
                                              prior_spec)
from bayesjoint.samplers.xdisc_settings import TransdSettings
from bayesjoint.summaries.xdisc_transd import (discontinuity_draws, interface_jumps,
                                               largest_jump, p_x_depth_profile)

NAN = np.nan

# Hand-made draws (K = 6 slots); Vs in km/s, interfaces in km.
Z = np.array([
    # X of +4 % at 300 km; 410 (+5 %) and 660 (+6 %)
    [35.0, 300.0, 410.0, 660.0, NAN],
    # a drop of 4 % at 300 km: no X; no jump near 410; 660 (+8 %)
    [35.0, 300.0, 650.0, NAN, NAN],
    # +0.5 % at 280 km: no X; two positive jumps in the 410 window (+1.7 % at 390,
    # +4.3 % at 430): the larger is the 410
    [35.0, 280.0, 390.0, 430.0, 680.0],
    # two X candidates (+2 % at 260, +3 % at 340): the larger is the X; +1 % exactly counts
    [260.0, 340.0, 360.0, NAN, NAN],
])
VS = np.array([
    [3.6, 4.5, 4.68, 4.914, 5.20884, NAN],
    [3.6, 4.5, 4.32, 4.6656, NAN, NAN],
    [3.6, 4.5, 4.5225, 4.6, 4.8, 5.3],
    [4.5, 4.59, 4.7277, 4.774977, NAN, NAN],
])


def test_interface_jumps_are_relative_and_nan_where_inactive():
    jump = interface_jumps(Z, VS)
    np.testing.assert_allclose(jump[0, :4], [0.25, 0.04, 0.05, 0.06], rtol=1e-12)
    np.testing.assert_allclose(jump[1, 1], -0.04, rtol=1e-12)
    assert np.isnan(jump[0, 4]) and np.isnan(jump[1, 3:]).all()


def test_discontinuities_of_hand_made_draws():
    d = discontinuity_draws(Z, VS)
    np.testing.assert_array_equal(d["has_x"], [True, False, False, True])
    np.testing.assert_allclose(d["depth_x_km"], [300.0, NAN, NAN, 340.0])
    np.testing.assert_allclose(d["jump_x"], [0.04, NAN, NAN, 0.03], rtol=1e-12)
    np.testing.assert_allclose(d["depth_410_km"], [410.0, NAN, 430.0, NAN])
    np.testing.assert_allclose(d["jump_410"], [0.05, NAN, 4.8 / 4.6 - 1, NAN], rtol=1e-12)
    np.testing.assert_allclose(d["depth_660_km"], [660.0, 650.0, 680.0, NAN])
    np.testing.assert_allclose(d["jump_660"], [0.06, 4.6656 / 4.32 - 1, 5.3 / 4.8 - 1, NAN],
                               rtol=1e-12)
    np.testing.assert_allclose(d["transition_zone_km"], [250.0, NAN, 250.0, NAN])
    assert d["has_x"].mean() == 0.5  # p_x of these four draws


def test_a_jump_of_exactly_one_percent_is_an_x_and_just_below_is_not():
    z = np.array([[300.0, NAN], [300.0, NAN]])
    vs = np.array([[4.5, 4.545, NAN], [4.5, 4.5449, NAN]])
    np.testing.assert_array_equal(discontinuity_draws(z, vs)["has_x"], [True, False])


def test_the_x_window_ends_are_included_and_outside_does_not_count():
    z = np.array([[250.0], [350.0], [249.0], [351.0]])
    vs = np.tile([4.5, 4.68], (4, 1))
    np.testing.assert_array_equal(discontinuity_draws(z, vs)["has_x"],
                                  [True, True, False, False])


def test_largest_jump_is_zero_without_a_positive_one():
    np.testing.assert_allclose(largest_jump(Z, VS, 250.0, 350.0), [0.04, 0.0, 0.005, 0.03],
                               rtol=1e-9)


def test_p_x_depth_profile_integrates_to_p_x():
    d = discontinuity_draws(Z, VS)
    edges = np.linspace(250.0, 350.0, 11)
    profile = p_x_depth_profile(d["depth_x_km"], edges)
    assert np.sum(profile * np.diff(edges)) == pytest.approx(0.5)
    assert profile[5] == pytest.approx(0.25 / 10.0)  # 300 km, one of four draws
    assert profile[9] == pytest.approx(0.25 / 10.0)  # 340 km


def test_bayes_factor_is_posterior_over_prior_odds_and_bounded_at_the_ends():
    bf, bound = odds_ratio(0.8, 0.5, 1000)
    assert bf == pytest.approx(4.0) and not bound
    bf, bound = odds_ratio(0.2, 1.0 / 3.0, 1000)
    assert bf == pytest.approx(0.5) and not bound
    bf, bound = odds_ratio(1.0, 0.5, 100)
    assert bf == pytest.approx(199.0) and bound


def test_verdict_names_a_chain_that_disagrees():
    rng = np.random.default_rng(0)
    good = {"a": rng.normal(size=(4, 2000))}
    assert convergence_verdict(good)["converged"]
    bad = {"a": rng.normal(size=(4, 2000)) + np.array([0.0, 0.0, 0.0, 3.0])[:, None]}
    v = convergence_verdict(bad)
    assert not v["converged"] and v["verdict"].startswith("NOT converged") and v["worst"] == "a"
    one = convergence_verdict({"a": rng.normal(size=(1, 2000))})
    assert not one["converged"] and "one chain" in one["verdict"]


@pytest.mark.parametrize("change, message", [
    ({"n_burn": 2000, "n_iterations": 2000}, "n_burn = 2000"),
    ({"n_iterations": 11500}, "multiple of chunk_size"),
    ({"thin": 3}, "thin = 3"),
    ({"prior_iterations": 1000}, "prior_iterations = 1000"),
    ({"n_chains": 0}, "n_chains = 0"),
    ({"time_budget_s": -1.0}, "time_budget_s = -1.0"),
    ({"depth_max_km": 600.0}, "depth_max_km = 600.0"),
    ({"vs_km_s": (5.0, 4.0)}, "vs_km_s_min"),
])
def test_bad_settings_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        check_settings(TransdSettings(**change))


def test_the_prior_reaches_below_the_660():
    spec = prior_spec(TransdSettings())
    assert spec.depth_max_km >= 700.0 and spec.interfaces == "sampled"


def _exact_prior_p_x(settings, n, rng):
    """P(X) under the prior by direct simulation of its definition (test-only)."""
    k = rng.integers(settings.k_min, settings.k_max + 1, n)
    h, zmax, kmax = settings.min_thickness_km, settings.depth_max_km, settings.k_max
    z = np.full((n, kmax - 1), np.nan)
    vs = np.full((n, kmax), np.nan)
    for kk in range(settings.k_min, kmax + 1):
        rows = np.flatnonzero(k == kk)
        y = np.sort(rng.uniform(0.0, zmax - (kk - 1) * h, (rows.size, kk - 1)), axis=1)
        z[rows, :kk - 1] = y + h * np.arange(1, kk)
        vs[rows, :kk] = rng.uniform(*settings.vs_km_s, (rows.size, kk))
    return discontinuity_draws(z, vs)["has_x"].mean()


def test_prior_run_gives_the_prior_probability_of_an_x(tmp_path):
    from bayesjoint.samplers.xdisc_transd import sample_prior

    settings = TransdSettings()
    draws = sample_prior(settings, tmp_path / "prior")
    assert draws["n_layers"].shape == (32, 1900)
    sampled = discontinuity_draws(draws["interface_depth_km"], draws["vs_km_s"])["has_x"]
    exact = _exact_prior_p_x(settings, 400_000, np.random.default_rng(1))
    assert 0.45 < exact < 0.55
    # 32 chains whose number of layers changes slowly: a Monte Carlo error near 0.01
    assert sampled.mean() == pytest.approx(exact, abs=0.03)


def test_windowed_likelihood_ignores_samples_before_the_window():
    from dataclasses import replace

    from bayesjoint.datasets import synthetic_rf
    from bayesjoint.earth import LayeredEarth
    from bayesjoint.model.rf import correlated_log_likelihood, predict_rf
    from bayesjoint.model.xdisc_transd import windowed_rf_log_likelihood
    from bayesjoint.samplers.xdisc_comparison import window_slice

    earth = LayeredEarth.from_layers([0.0, 35.0, 410.0], log10_sigma=[0.0, 0.0, 0.0],
                                     vs_km_s=[3.6, 4.5, 4.8], vp_vs=[1.75, 1.8, 1.8])
    data = synthetic_rf(earth, [0.06], dt_s=0.5, npts=120, shift_s=10.0, gauss_rad_s=1.0,
                        noise_std=0.01, seed=0)
    window = window_slice(data, (20.0, None))
    noise = np.array([1.3])
    value = float(windowed_rf_log_likelihood(data, window)(earth, noise))
    pred = np.asarray(predict_rf(earth, data.survey, wrap_free=True)).reshape(1, -1)
    expected = correlated_log_likelihood(data.rf[:, window] - pred[:, window],
                                         data.rf_std[:, window], 1.3, "none", None, 0.5)
    assert value == pytest.approx(float(expected), rel=1e-9)
    early = data.rf.copy()
    early[:, :window.start] += 1.0  # changes before the window only
    changed = float(windowed_rf_log_likelihood(replace(data, rf=early), window)(earth, noise))
    assert changed == pytest.approx(value, rel=1e-12)
    late = data.rf.copy()
    late[:, window.start] += 0.05
    assert float(windowed_rf_log_likelihood(replace(data, rf=late), window)(earth, noise)) < value
