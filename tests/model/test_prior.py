import jax
import jax.numpy as jnp
import numpy as np
import pytest
from numpyro.infer.util import log_density

import bayesjoint  # noqa: F401
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.prior import (PriorSpec, log_prior_interfaces, log_prior_k, log_prior_noise,
                                    log_prior_values, sample_earth)


def test_k_prior_is_normalised():
    for spec in (PriorSpec(k_min=2, k_max=9), PriorSpec(k_min=1, k_max=12, k_prior="poisson",
                                                        k_poisson_mean=4.0)):
        ks = np.arange(spec.k_min, spec.k_max + 1)
        total = sum(np.exp(float(log_prior_k(k, spec))) for k in ks)
        assert total == pytest.approx(1.0, abs=1e-12)
        assert float(log_prior_k(spec.k_max + 1, spec)) == -np.inf


def _midpoints(lo, hi, n):
    h = (hi - lo) / n
    return lo + h * (np.arange(n) + 0.5), h


def test_smoothness_prior_is_normalised_for_two_layers():
    # Midpoint rule on a 1500 x 1500 grid: the density is smooth inside the
    # box, so the quadrature error is O(h^2) ~ 1e-6.
    spec = PriorSpec(log10_sigma_min=-2.0, log10_sigma_max=1.0, smoothness_std=0.7)
    x, h = _midpoints(-2.0, 1.0, 1500)
    a, b = np.meshgrid(x, x, indexing="ij")
    pairs = jnp.stack([a.ravel(), b.ravel()], axis=1)
    dens = jnp.exp(jax.vmap(lambda v: log_prior_values(v, 2, spec))(pairs))
    assert float(jnp.sum(dens)) * h * h == pytest.approx(1.0, abs=1e-5)


def test_interface_prior_is_normalised_for_three_layers():
    # The density is constant inside the allowed region and jumps at its
    # edges, so the midpoint rule errs by O(h) ~ 1e-3 of the total.
    spec = PriorSpec(depth_max_km=10.0, min_thickness_km=2.0, n_layers=3, k_max=3)
    z, h = _midpoints(0.0, 10.0, 1500)
    z1, z2 = np.meshgrid(z, z, indexing="ij")
    pairs = jnp.stack([z1.ravel(), z2.ravel()], axis=1)

    def logp(pair):
        return log_prior_interfaces(LayeredEarth(pair, jnp.zeros(3), jnp.asarray(3)), spec)

    dens = jnp.exp(jax.vmap(logp)(pairs))
    assert float(jnp.sum(dens)) * h * h == pytest.approx(1.0, abs=3e-3)


def test_numpyro_sites_match_the_pure_density():
    spec = PriorSpec(n_layers=5, smoothness_std=0.5, hierarchical_noise=False)
    values = jnp.array([-1.0, -1.3, -0.8, -2.0, -1.9])

    def model():
        sample_earth(spec)

    lp, _ = log_density(model, (), {}, {"log10_sigma": values})
    np.testing.assert_allclose(lp, log_prior_values(values, 5, spec), rtol=1e-12)


def test_sampled_interfaces_respect_minimum_thickness():
    import numpyro

    spec = PriorSpec(n_layers=6, k_max=6, interfaces="sampled", depth_max_km=100.0,
                     min_thickness_km=10.0)
    with numpyro.handlers.seed(rng_seed=1):
        for _ in range(20):
            e = sample_earth(spec)
            gaps = np.diff(np.r_[0.0, np.asarray(e.interface_depth_km)])
            assert gaps.min() >= 10.0 - 1e-9 and e.interface_depth_km[-1] <= 100.0


def test_noise_prior():
    spec = PriorSpec(noise_scale_min=0.5, noise_scale_max=2.0)
    assert np.isfinite(log_prior_noise(jnp.array([1.0, 1.5]), spec))
    assert log_prior_noise(jnp.array([3.0]), spec) == -np.inf
    off = PriorSpec(hierarchical_noise=False)
    assert log_prior_noise(jnp.array([1.0]), off) == 0.0


def test_gradient_of_prior_is_finite():
    spec = PriorSpec(n_layers=4)
    g = jax.grad(lambda v: log_prior_values(v, 4, spec))(jnp.array([-1.0, -1.2, -1.1, -0.5]))
    assert np.all(np.isfinite(g))


@pytest.mark.parametrize("kwargs, match", [
    (dict(log10_sigma_min=1.0, log10_sigma_max=1.0), "log10_sigma_min < log10_sigma_max"),
    (dict(log10_sigma_min=2.0, log10_sigma_max=-1.0), "log10_sigma_min = 2.0"),
    (dict(noise_scale_min=3.0, noise_scale_max=2.0), "noise_scale_min < noise_scale_max"),
    (dict(k_min=0), "need 1 <= k_min <= k_max"),
    (dict(k_min=10, k_max=5), "k_min = 10, k_max = 5"),
    (dict(interfaces="free"), "interfaces = 'free': allowed values"),
    (dict(k_max=40, depth_max_km=100.0, min_thickness_km=5.0), "do not fit above depth_max_km"),
    (dict(smoothness_std=0.0), "smoothness_std"),
])
def test_bad_prior(kwargs, match):
    with pytest.raises(ValueError, match=match):
        PriorSpec(**kwargs)
