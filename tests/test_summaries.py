"""Posterior summaries of interface depths."""

import numpy as np

from bayesjoint.earth import LayeredEarth
from bayesjoint.summaries import posterior as post


def test_interface_near_on_known_draws():
    rng = np.random.default_rng(0)
    n = 4000
    z = np.full((2, n // 2, 3), np.nan)
    z[..., 0] = 35.0
    z[..., 1] = rng.normal(415.0, 8.0, size=(2, n // 2))  # sharp, 5 km off
    z[0, :, 2] = rng.uniform(550.0, 800.0, size=n // 2)  # half of the draws: a vague 660
    stats_410 = post.interface_near(z, 410.0, (300.0, 535.0))
    assert abs(stats_410["peak_km"] - 415.0) <= 10.0
    assert stats_410["peak_offset_km"] == abs(stats_410["peak_km"] - 410.0)
    np.testing.assert_allclose(stats_410["p_window"], 1.0)
    # P(|z - 410| <= 20) for N(415, 8): Phi(15/8) - Phi(-25/8)
    from scipy.stats import norm
    exact = norm.cdf(15 / 8) - norm.cdf(-25 / 8)
    assert abs(stats_410["p_within"] - exact) < 4 * np.sqrt(exact * (1 - exact) / n)
    np.testing.assert_allclose(stats_410["half_width_km"], 1.645 * 8.0, rtol=0.1)
    stats_660 = post.interface_near(z, 660.0, (535.0, 800.0))
    np.testing.assert_allclose(stats_660["p_window"], 0.5)
    assert stats_660["half_width_km"] > 100.0  # uniform over 250 km: 0.45 * 250
    empty = post.interface_near(z, 100.0, (60.0, 200.0))
    assert empty["p_window"] == 0.0 and np.isnan(empty["peak_km"])


def test_interface_probability_counts_active_interfaces_only():
    earths = LayeredEarth(np.array([[[10.0, 50.0], [10.0, 99.0]]]), np.zeros((1, 2, 3)),
                          np.array([[3, 2]], dtype=np.int32))
    p = post.interface_probability(earths, np.array([0.0, 20.0, 60.0, 100.0]))
    np.testing.assert_allclose(p, [1.0, 0.5, 0.0])
