"""Evidence estimators and the power-posterior sampler on a toy with a known evidence."""

import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate, stats

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.samplers import evidence
from bayesjoint.samplers.power_posterior import power_ladder, sample_power_posteriors

# Toy: uniform prior on [-3, 3]^2, Gaussian likelihood N(y; m, sigma^2 I).
Y = np.array([0.5, -0.3])
SIGMA = 0.4
HALF_WIDTH = 3.0


def _log_likelihood(m):
    r = (Y - m) / SIGMA
    return -0.5 * np.sum(r * r, axis=-1) - Y.size * np.log(np.sqrt(2 * np.pi) * SIGMA)


def _jax_log_likelihood(m, y):
    r = (y - m) / SIGMA
    return -0.5 * jnp.sum(r * r, axis=-1) - Y.size * np.log(np.sqrt(2 * np.pi) * SIGMA)


def _exact_log_evidence():
    """log Z by quadrature: the product of one-dimensional integrals."""
    total = 0.0
    for y in Y:
        value, _ = integrate.quad(lambda m: stats.norm.pdf(y, m, SIGMA) / (2 * HALF_WIDTH),
                                  -HALF_WIDTH, HALF_WIDTH)
        total += np.log(value)
    return total


def _exact_draws(betas, n_chains, n_draws, seed):
    """Independent draws of every power posterior (truncated normals), their log-likelihood."""
    rng = np.random.default_rng(seed)
    ll = np.empty((n_chains, n_draws, betas.size))
    for k, beta in enumerate(betas):
        if beta == 0:
            m = rng.uniform(-HALF_WIDTH, HALF_WIDTH, (n_chains, n_draws, Y.size))
        else:
            scale = SIGMA / np.sqrt(beta)
            a, b = (-HALF_WIDTH - Y) / scale, (HALF_WIDTH - Y) / scale
            m = stats.truncnorm.rvs(a, b, loc=Y, scale=scale, size=(n_chains, n_draws, Y.size),
                                    random_state=rng)
        ll[:, :, k] = _log_likelihood(m)
    return ll


@pytest.mark.parametrize("method", evidence.METHODS)
def test_estimators_recover_the_quadrature_evidence(method):
    betas = power_ladder(16)
    exact = _exact_log_evidence()
    ll = _exact_draws(betas, 4, 500, seed=1)
    est = evidence.log_evidence(betas, ll, method)
    assert est.method == method
    assert 0 < est.mc_error < 0.2
    assert abs(est.log_evidence - exact) < 4 * est.mc_error + (0.02 if method != "stepping_stone"
                                                               else 0.0)


def test_mc_error_matches_the_spread_of_repeated_estimates():
    betas = power_ladder(10)
    runs = [evidence.stepping_stone(betas, _exact_draws(betas, 4, 200, seed=s))
            for s in range(20)]
    spread = np.std([r.log_evidence for r in runs], ddof=1)
    stated = np.mean([r.mc_error for r in runs])
    assert 0.5 < stated / spread < 2.0


def test_estimators_refuse_a_ladder_without_its_ends():
    ll = np.zeros((2, 8, 3))
    with pytest.raises(ValueError, match="from 0 to 1"):
        evidence.stepping_stone([1.0, 0.5, 0.1], ll)
    with pytest.raises(ValueError, match="shape"):
        evidence.thermodynamic_integration([1.0, 0.0], ll)
    with pytest.raises(ValueError, match="method"):
        evidence.log_evidence([1.0, 0.0], ll[:, :, :2], "harmonic_mean")


def test_posterior_model_probability():
    p, log_bf = evidence.posterior_model_probability(np.log(3.0), 0.0, prior_odds=1.0)
    assert p == pytest.approx(0.75) and log_bf == pytest.approx(np.log(3.0))
    p, _ = evidence.posterior_model_probability(0.0, 0.0, prior_odds=0.5)
    assert p == pytest.approx(1.0 / 3.0)
    with pytest.raises(ValueError, match="prior_odds"):
        evidence.posterior_model_probability(0.0, 0.0, prior_odds=0.0)


def test_power_ladder_runs_from_one_to_zero():
    b = power_ladder(5, alpha=0.5)
    np.testing.assert_allclose(b, [1.0, 0.5625, 0.25, 0.0625, 0.0])
    with pytest.raises(ValueError, match="n_betas"):
        power_ladder(1)


def test_sampler_and_stepping_stone_recover_the_toy_evidence():
    betas = power_ladder(12)
    lo, hi = np.full(2, -HALF_WIDTH), np.full(2, HALF_WIDTH)
    draws = sample_power_posteriors(_jax_log_likelihood, lo, hi, betas, args=jnp.asarray(Y),
                                    n_chains=8, n_iterations=3000, n_burn=1000, seed=3)
    assert draws.params.shape == (8, 2000, 12, 2)
    assert np.all((draws.params >= lo) & (draws.params <= hi))
    cold = draws.params[:, :, 0].reshape(-1, 2)
    np.testing.assert_allclose(cold.mean(axis=0), Y, atol=0.05)
    np.testing.assert_allclose(cold.std(axis=0), SIGMA, rtol=0.1)
    prior = draws.params[:, :, -1].reshape(-1, 2)
    np.testing.assert_allclose(prior.std(axis=0), 2 * HALF_WIDTH / np.sqrt(12), rtol=0.1)
    est = evidence.stepping_stone(draws.betas, draws.log_likelihood)
    assert abs(est.log_evidence - _exact_log_evidence()) < 4 * est.mc_error + 0.02
    assert np.all(draws.swap_acceptance > 0.2)


def test_posterior_model_probability_is_silent_at_overwhelming_odds():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert evidence.posterior_model_probability(0.0, 2000.0)[0] == 0.0
        assert evidence.posterior_model_probability(2000.0, 0.0)[0] == 1.0
