"""Validation of the Sq/Dst helpers (bayesjoint.physics.geomag)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import lpmv

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.physics import geomag, sphere

# Tucson (design guide, section 4).
TUCSON_COLAT_DEG = 57.923
TUCSON_LON_DEG = 249.167


def _four_shell_model():
    top_km = np.array([0.0, 100.0, 410.0, 660.0, 2890.0])
    return np.diff(top_km) * 1e3, np.array([1e-3, 0.03, 0.3, 1.5, 5e5])


def test_schmidt_legendre_matches_scipy():
    colat_deg = np.linspace(0.0, 180.0, 37)
    x = np.cos(np.deg2rad(colat_deg))
    for n in range(11):
        for m in range(n + 1):
            # scipy's lpmv carries the Condon-Shortley phase (-1)^m.
            expected = (-1.0) ** m * lpmv(m, n, x)
            if m > 0:
                expected *= math.sqrt(2.0 * math.factorial(n - m) / math.factorial(n + m))
            p = np.asarray(geomag.schmidt_legendre(n, m, colat_deg))
            np.testing.assert_allclose(p, expected, rtol=1e-12, atol=1e-13)


def test_schmidt_legendre_closed_forms():
    theta = np.deg2rad(np.array([10.0, 57.923, 120.0]))
    colat_deg = np.rad2deg(theta)
    np.testing.assert_allclose(geomag.schmidt_legendre(1, 0, colat_deg), np.cos(theta))
    np.testing.assert_allclose(geomag.schmidt_legendre(1, 1, colat_deg), np.sin(theta))
    np.testing.assert_allclose(
        geomag.schmidt_legendre(2, 2, colat_deg), math.sqrt(3.0) / 2.0 * np.sin(theta) ** 2
    )
    with pytest.raises(ValueError):
        geomag.schmidt_legendre(2, 3, colat_deg)


def test_sq_periods():
    np.testing.assert_allclose(geomag.sq_period_s(np.arange(1, 7)), 86400.0 / np.arange(1, 7))


@pytest.mark.parametrize("shell_law", ["quadratic", "constant"])
def test_sq_transfer_function_form(shell_law):
    # One term per harmonic, (n, m) = (p+1, p), as in Yao et al. (2023).
    thickness_m, sigma = _four_shell_model()
    phi = np.deg2rad(TUCSON_LON_DEG)
    for p in range(1, 7):
        n, m = p + 1, p
        period_s = geomag.sq_period_s(np.array([p]))
        t = np.asarray(
            geomag.sq_transfer_function(
                period_s, thickness_m, sigma, n, m, TUCSON_COLAT_DEG, TUCSON_LON_DEG, shell_law
            )
        )
        q = np.asarray(sphere.q_response(period_s, thickness_m, sigma, n, shell_law))
        legendre = float(geomag.schmidt_legendre(n, m, TUCSON_COLAT_DEG))
        np.testing.assert_allclose(
            t, (n - (n + 1) * q) * legendre * np.exp(1j * m * phi), rtol=1e-13
        )
        # Induction reduces Z below its insulating-Earth value n P e^{i m phi}
        # and, with Im Q > 0, delays it: 0 < Re(ratio) < n, Im(ratio) < 0.
        ratio = t / (legendre * np.exp(1j * m * phi))
        assert np.all((ratio.real > 0) & (ratio.real < n) & (ratio.imag < 0))


def test_sq_transfer_function_insulating_earth():
    thickness_m, sigma = [2890e3], [1e-12, 1e-12]
    for p in range(1, 7):
        n, m = p + 1, p
        t = geomag.sq_transfer_function(
            geomag.sq_period_s(np.array([p])),
            thickness_m,
            sigma,
            n,
            m,
            TUCSON_COLAT_DEG,
            TUCSON_LON_DEG,
        )
        expected = (
            n
            * float(geomag.schmidt_legendre(n, m, TUCSON_COLAT_DEG))
            * np.exp(1j * m * np.deg2rad(TUCSON_LON_DEG))
        )
        np.testing.assert_allclose(np.asarray(t), expected, rtol=1e-8)


def test_sq_transfer_function_jit_and_grad():
    thickness_m, sigma = _four_shell_model()
    period_s = geomag.sq_period_s(np.array([2]))

    def objective(log10_sigma):
        t = geomag.sq_transfer_function(
            period_s, thickness_m, 10.0**log10_sigma, 3, 2, TUCSON_COLAT_DEG, TUCSON_LON_DEG
        )
        return jnp.sum(jnp.abs(t) ** 2)

    value, grad = jax.jit(jax.value_and_grad(objective))(np.log10(sigma))
    assert np.isfinite(value) and np.all(np.isfinite(np.asarray(grad)))


def test_dst_q1_is_degree_one_response():
    thickness_m, sigma = _four_shell_model()
    period_s = np.geomspace(2.0, 100.0, 20) * 86400.0
    q1 = sphere.q_response(period_s, thickness_m, sigma, degree=1)
    c1 = sphere.c_response_km(period_s, thickness_m, sigma, degree=1)
    # Dst C-responses of a few hundred to ~1500 km at these periods.
    assert np.all((np.abs(c1) > 200.0) & (np.abs(c1) < 2000.0))
    np.testing.assert_allclose(sphere.q_from_c(c1, 1), q1, rtol=1e-13)
