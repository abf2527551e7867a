"""Tests of the temperature ladder and replica swaps."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers import tempering
from bayesjoint.samplers.run import run


def test_geometric_ladder():
    t = tempering.geometric_ladder(5, 16.0)
    np.testing.assert_allclose(t, [1.0, 2.0, 4.0, 8.0, 16.0])
    np.testing.assert_array_equal(tempering.geometric_ladder(1, 10.0), [1.0])
    with pytest.raises(ValueError, match="t_max = 0.5"):
        tempering.geometric_ladder(3, 0.5)
    with pytest.raises(ValueError, match="n_temps = 0"):
        tempering.geometric_ladder(0, 2.0)


def test_ladder_must_start_at_one():
    with pytest.raises(ValueError, match=r"temperatures\[0\] = 2.0.*must start at 1"):
        tempering.check_ladder([2.0, 4.0])
    with pytest.raises(ValueError, match="non-decreasing"):
        tempering.check_ladder([1.0, 3.0, 2.0])
    np.testing.assert_array_equal(tempering.check_ladder([1.0, 2.0]), [1.0, 2.0])


def test_swap_pairs_alternate_and_permute_states():
    temps = jnp.asarray([1.0, 2.0, 4.0, 8.0, 16.0])
    states = {"id": jnp.arange(5)}
    flat = jnp.zeros(5)
    new, attempted, accepted, _ = tempering.swap(jax.random.PRNGKey(0), states, flat, temps, 0)
    np.testing.assert_array_equal(attempted, [True, False, True, False])
    np.testing.assert_array_equal(accepted, attempted)
    np.testing.assert_array_equal(new["id"], [1, 0, 3, 2, 4])
    new, attempted, accepted, _ = tempering.swap(jax.random.PRNGKey(0), states, flat, temps, 1)
    np.testing.assert_array_equal(attempted, [False, True, False, True])
    np.testing.assert_array_equal(new["id"], [0, 2, 1, 4, 3])


def test_swap_acceptance_probability():
    temps = jnp.asarray([1.0, 3.0])
    ll = jnp.asarray([0.0, -1.5])  # the hot replica is worse: a = exp(-1.5 (1 - 1/3)) = e^-1
    keys = jax.random.split(jax.random.PRNGKey(1), 20000)
    _, _, acc, _ = jax.vmap(lambda k: tempering.swap(k, {"x": ll}, ll, temps, 0))(keys)
    rate = np.mean(acc)
    expected = np.exp(-1.0)
    assert abs(rate - expected) < 4 * np.sqrt(expected * (1 - expected) / keys.shape[0])
    # the better state in the hotter replica is always swapped down
    _, _, acc, _ = tempering.swap(keys[0], {"x": ll[::-1]}, ll[::-1], temps, 0)
    assert bool(acc[0])


def test_flat_likelihood_accepts_every_swap(tmp_path):
    spec = PriorSpec(n_layers=2, k_min=1, k_max=4, interfaces="sampled", depth_max_km=50.0,
                     smoothness_std=None, hierarchical_noise=False)
    res = run(lambda earth, s: jnp.zeros(()), spec, tmp_path, n_iterations=400, n_burn=100,
              n_chains=4, temperatures=tempering.geometric_ladder(4, 10.0), chunk_size=200,
              progress=False)
    st = res.stats()
    np.testing.assert_array_equal(st["swap_acceptance"], np.ones(3))
    np.testing.assert_array_equal(st["swap_acceptance_burn_in"], np.ones(3))
    tree = res.to_datatree()
    assert tree.attrs["swap_acceptance"] == [1.0, 1.0, 1.0]


def test_hot_replicas_sample_the_tempered_posterior(tmp_path):
    """With a Gaussian likelihood on the top value, replica T sees std sigma sqrt(T)."""
    spec = PriorSpec(n_layers=1, k_min=1, k_max=1, interfaces="sampled", depth_max_km=50.0,
                     log10_sigma_min=-10.0, log10_sigma_max=10.0, smoothness_std=None,
                     hierarchical_noise=False)
    temps = [1.0, 4.0]

    def loglik(earth, s):
        return -0.5 * (earth.log10_sigma[0] / 0.5) ** 2

    res = run(loglik, spec, tmp_path, n_iterations=8000, n_burn=1000, n_chains=16,
              temperatures=temps, chunk_size=4000, thin=2, progress=False,
              move_probs={"perturb": 1.0})
    v = res.draws()["log10_sigma"][..., 0]
    from numpyro.diagnostics import effective_sample_size
    n_eff = float(effective_sample_size(v ** 2))
    se = np.std(v ** 2) / np.sqrt(n_eff)
    assert abs(np.mean(v ** 2) - 0.25) < 4 * se
    assert 0.0 < res.stats()["swap_acceptance"][0] < 1.0
