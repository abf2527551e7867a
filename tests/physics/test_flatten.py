"""Validation of the Earth-flattening transform (bayesjoint.physics.flatten)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import quad

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.physics import flatten
from bayesjoint.physics.constants import MEAN_EARTH_RADIUS_KM

R = MEAN_EARTH_RADIUS_KM


def test_depth_transform_and_inverse():
    z = np.array([0.0, 10.0, 410.0, 660.0, 2000.0])
    zf = np.asarray(flatten.flatten_depth_km(z))
    np.testing.assert_allclose(zf, R * np.log(R / (R - z)), rtol=1e-14)
    np.testing.assert_allclose(flatten.unflatten_depth_km(zf), z, atol=1e-10)
    assert zf[0] == 0.0 and np.all(np.diff(zf) > np.diff(z))


def test_layer_boundaries_exact_and_vertical_times_preserved():
    h = np.array([20.0, 15.0, 100.0, 300.0, 225.0])
    vp = np.array([5.8, 6.5, 8.04, 8.5, 9.5, 10.5])
    vs = vp / 1.75
    rho = np.array([2.7, 2.9, 3.3, 3.4, 3.8, 4.2])
    hf, vpf, vsf, rhof = (np.asarray(a) for a in flatten.flatten_layers(h, vp, vs, rho))
    np.testing.assert_allclose(np.cumsum(hf), flatten.flatten_depth_km(np.cumsum(h)), rtol=1e-13)
    # Vertical travel time through each layer is unchanged.
    np.testing.assert_allclose(hf / vpf[:-1], h / vp[:-1], rtol=1e-13)
    np.testing.assert_allclose(hf / vsf[:-1], h / vs[:-1], rtol=1e-13)
    # Half-space: factor at its top; density: (R/(R - z_mid))^k.
    np.testing.assert_allclose(vpf[-1], vp[-1] * R / (R - h.sum()), rtol=1e-14)
    mid = np.cumsum(h) - h / 2
    np.testing.assert_allclose(rhof[:-1], rho[:-1] * (R / (R - mid)) ** -2.275, rtol=1e-13)


def test_thin_layer_limit_and_zero_thickness():
    top = 300.0
    for h in (0.0, 1e-9, 1e-3):
        hf, vpf, _, _ = flatten.flatten_layers(np.array([top, h]), np.array([8.0, 9.0, 10.0]),
                                               np.array([4.5, 5.0, 5.5]), np.ones(3))
        np.testing.assert_allclose(vpf[1], 9.0 * R / (R - top), rtol=1e-6)
        assert float(hf[1]) == pytest.approx(h * R / (R - top), rel=1e-6, abs=0.0)
    # The series branch agrees with the exact ratio around the switch.
    for x in (1e-6, 0.99e-4, 1.01e-4):
        h = x * (R - top)
        hf, _, _, _ = flatten.flatten_layers(np.array([top, h]), np.ones(3), np.ones(3),
                                             np.ones(3))
        np.testing.assert_allclose(hf[1] / h, R / (R - top) * -np.log1p(-x) / x, rtol=1e-14)


def test_gradient_finite_at_zero_thickness():
    def f(h):
        hf, vpf, vsf, rhof = flatten.flatten_layers(h, jnp.array([6.0, 7.0, 8.0]),
                                                    jnp.array([3.5, 4.0, 4.5]), jnp.ones(3))
        return jnp.sum(hf) + jnp.sum(vpf) + jnp.sum(vsf) + jnp.sum(rhof)

    g = jax.grad(f)(jnp.array([0.0, 30.0]))
    assert np.all(np.isfinite(g))


def spherical_ps_delay_s(top_km, bottom_km, vp, vs, p_s_rad):
    """Ps delay of a spherical shell of constant velocities, by quadrature.

    In a sphere the vertical slowness at radius r is sqrt(r^2/v^2 - P^2)/r
    for a ray parameter P in s/rad, so the delay accumulated across the
    shell is the integral of that difference over r.
    """
    def integrand(r):
        return (np.sqrt(r**2 / vs**2 - p_s_rad**2) - np.sqrt(r**2 / vp**2 - p_s_rad**2)) / r

    return quad(integrand, R - bottom_km, R - top_km, epsabs=1e-12, epsrel=1e-12)[0]


def test_flattened_ps_delay_matches_spherical_integral():
    # Constant-velocity shells down to 660 km; plane wave at 60 degrees.
    tops = np.arange(0.0, 660.0, 10.0)
    h = np.full(tops.size, 10.0)
    vp = 5.8 + tops * (10.2 - 5.8) / 660.0
    vs = vp / 1.8
    p_s_rad = 390.0
    exact = sum(spherical_ps_delay_s(t, t + 10.0, a, b, p_s_rad) for t, a, b in zip(tops, vp, vs))
    hf, vpf, vsf, _ = (np.asarray(a) for a in flatten.flatten_layers(
        h, np.append(vp, 11.0), np.append(vs, 6.1), np.ones(tops.size + 1)))
    p = p_s_rad / R
    flat = np.sum(hf * (np.sqrt(1 / vsf[:-1] ** 2 - p**2) - np.sqrt(1 / vpf[:-1] ** 2 - p**2)))
    plain = np.sum(h * (np.sqrt(1 / vs**2 - p**2) - np.sqrt(1 / vp**2 - p**2)))
    assert abs(flat - exact) < 0.005, (flat, exact)
    assert abs(plain - exact) > 0.5  # unflattened is far off at 660 km
