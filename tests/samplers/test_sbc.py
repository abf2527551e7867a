"""Simulation-based calibration of the reversible-jump sampler (benchmarks/sbc.py).

The fast tests check the rank machinery on cases with known answers; the
slow ones run the full calibration check of the sampler, and the same check
on a deliberately wrong (tempered) posterior, which it must reject.
"""

import importlib.util
import json
import os

import jax
import numpy as np
import pytest

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                      "benchmarks", "sbc.py")


def _load():
    spec = importlib.util.spec_from_file_location("sbc_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sbc = _load()


def _conjugate_case(rng, n_replicates, n_draws, shift=0.0, std_factor=1.0):
    """theta ~ N(0, 1), y ~ N(theta, 1); exact posterior N(y / 2, 1 / 2).

    Draws come from N(y / 2 + shift, std_factor / sqrt(2)).
    """
    theta = rng.standard_normal(n_replicates)
    y = theta + rng.standard_normal(n_replicates)
    draws = (y[:, None] / 2 + shift
             + std_factor * np.sqrt(0.5) * rng.standard_normal((n_replicates, n_draws)))
    return theta[:, None], draws[:, :, None]


def _p_value(truth, draws, n_bins=20, seed=0):
    ranks = sbc.sbc_ranks(jax.random.PRNGKey(seed), truth, draws)
    counts = sbc.rank_histogram(ranks, draws.shape[1], n_bins)
    return sbc.uniformity(counts)[1][0], counts[:, 0]


def test_rank_counts_draws_below_the_truth():
    truth = np.array([[0.5, 3.0]])
    draws = np.array([[[0.1, 1.0], [0.7, 2.0], [0.2, 4.0]]])  # (R=1, L=3, Q=2)
    np.testing.assert_array_equal(sbc.sbc_ranks(jax.random.PRNGKey(0), truth, draws), [[2, 2]])


def test_ties_are_broken_uniformly():
    # truth 2 among draws [1, 2, 2, 2, 3]: one below, three ties -> ranks 1..4 equally often
    n = 4000
    truth = np.full((n, 1), 2.0)
    draws = np.broadcast_to(np.array([1.0, 2.0, 2.0, 2.0, 3.0])[None, :, None], (n, 5, 1))
    ranks = sbc.sbc_ranks(jax.random.PRNGKey(1), truth, draws)[:, 0]
    assert set(np.unique(ranks)) == {1, 2, 3, 4}
    freq = np.bincount(ranks, minlength=6) / n
    np.testing.assert_allclose(freq[1:5], 0.25, atol=0.03)


def test_exact_posterior_draws_give_uniform_ranks():
    truth, draws = _conjugate_case(np.random.default_rng(0), 1000, 99)
    p, _ = _p_value(truth, draws)
    assert p > 0.01


def test_exact_discrete_posterior_needs_the_tie_breaking():
    # A discrete quantity whose data say nothing: truth and draws from the same
    # categorical prior. Tie-broken ranks are uniform; ranks counting only the
    # draws below the truth pile up at the low end.
    rng = np.random.default_rng(2)
    n, n_draws = 1000, 99
    k_truth = rng.integers(1, 5, n)[:, None].astype(float)
    k_draws = rng.integers(1, 5, (n, n_draws))[:, :, None].astype(float)
    p, _ = _p_value(k_truth, k_draws)
    assert p > 0.01
    below = np.sum(k_draws < k_truth[:, None, :], axis=1)
    p_no_ties = sbc.uniformity(sbc.rank_histogram(below, n_draws, 20))[1][0]
    assert p_no_ties < 1e-6


def test_shifted_posterior_gives_a_slope():
    truth, draws = _conjugate_case(np.random.default_rng(3), 1000, 99, shift=0.3)
    p, counts = _p_value(truth, draws)
    assert p < 1e-6
    assert counts[:5].sum() > 2 * counts[-5:].sum()  # draws too high: the truth ranks low


def test_overconfident_posterior_gives_a_u_shape():
    truth, draws = _conjugate_case(np.random.default_rng(4), 1000, 99, std_factor=0.6)
    p, counts = _p_value(truth, draws)
    assert p < 1e-6
    assert counts[0] + counts[-1] > 4 * counts[9:11].sum() / 2


def test_rank_histogram_needs_equal_bins():
    with pytest.raises(ValueError, match="equal bins"):
        sbc.rank_histogram(np.zeros((3, 1), dtype=int), 99, 7)
    counts = sbc.rank_histogram(np.array([[0], [4], [5], [99]]), 99, 20)
    np.testing.assert_array_equal(counts[:, 0], [2, 1] + [0] * 17 + [1])


def test_ess_of_draws_tells_independent_from_correlated_draws():
    rng = np.random.default_rng(5)
    n_rep, n_draws = 50, 400
    white = rng.standard_normal((n_rep, n_draws))
    ar = np.zeros_like(white)
    for t in range(1, n_draws):
        ar[:, t] = 0.9 * ar[:, t - 1] + white[:, t]
    ess = sbc.ess_of_draws(np.stack([white, ar, np.ones_like(white)], axis=-1))
    assert np.median(ess[:, 0]) > 0.7 * n_draws
    assert np.median(ess[:, 1]) < 0.15 * n_draws  # (1 - 0.9) / (1 + 0.9) * n = 0.05 n
    assert np.all(np.isnan(ess[:, 2]))


def test_uniform_band_holds_the_expected_count():
    lo, hi = sbc.uniform_band(200, 20)
    assert lo < 10 < hi and (lo, hi) == (3, 19)


def test_script_writes_report_table_and_figure(tmp_path):
    out = tmp_path / "s.json"
    sbc.main(["--replicates", "4", "--warmup", "0", "--iterations", "18", "--draws", "9",
              "--bins", "5", "--out", str(out)])
    report = json.loads(out.read_text())
    assert report["settings"]["thin"] == 2 and report["settings"]["replicates"] == 4
    assert {"machine", "versions", "load_average", "wall_time_s", "acceptance_median"} <= set(report)
    for name in sbc.QUANTITIES:
        r = report["results"][name]
        assert sum(r["rank_counts"]) == 4 and 0.0 <= r["p_value"] <= 1.0
        assert all(0 <= x <= 9 for x in report["ranks"][name])
    assert (tmp_path / "s.md").read_text().startswith("# Simulation-based calibration")
    assert (tmp_path / "s.png").stat().st_size > 0


@pytest.mark.slow
def test_reversible_jump_sampler_is_calibrated():
    d = sbc.DEFAULTS
    res = sbc.run_check(d["replicates"], d["warmup"], d["draws"], d["thin"], d["bins"])
    assert np.all(res["p_value"] > sbc.P_THRESHOLD), dict(zip(sbc.QUANTITIES, res["p_value"]))


@pytest.mark.slow
def test_check_rejects_a_tempered_posterior():
    # Likelihood tempered at T = 4: posteriors far too wide, a hump at the
    # shallow conductivity that the check must see (shorter chains suffice).
    res = sbc.run_check(200, 5000, 99, 100, 20, temperature=4.0)
    assert np.min(res["p_value"]) < 1e-6, dict(zip(sbc.QUANTITIES, res["p_value"]))
