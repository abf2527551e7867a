"""Geomagnetic depth sounding: Sq transfer functions and Dst Q-responses.

Conventions
-----------
* Time dependence ``exp(+i omega t)`` (see :mod:`bayesjoint.physics.sphere`).
* Magnetic potential ``V`` with ``B = -grad V``, expanded at the surface
  radius ``a`` in external (``epsilon``) and internal (``iota``) terms::

      V = a sum_{n,m} [epsilon_n^m (r/a)^n + iota_n^m (a/r)^(n+1)]
                      P_n^m(cos theta) exp(i m phi)

  with ``iota_n^m = Q_n epsilon_n^m`` for a radially symmetric Earth.
* ``P_n^m`` are Schmidt semi-normalised associated Legendre functions
  without the Condon-Shortley phase (the geomagnetic convention).
* ``theta`` is geographic colatitude and ``phi`` east longitude for Sq;
  geomagnetic coordinates are used for Dst (degree 1, order 0).
* The vertical component ``Z`` is positive downward (``Z = -B_r``).

Dst
---
The Dst Q-response is ``Q_1`` of :func:`bayesjoint.physics.sphere.q_response`
with ``degree=1``, at periods of days to months.

Sq
--
The solar-quiet variation is periodic in local time; its harmonics have
periods ``24/p`` hours, ``p = 1, 2, ...`` (:func:`sq_period_s`). Each is
dominated by the external terms of order ``m = p`` (Yao et al. 2023 use one
term per harmonic, ``(n, m) = (p+1, p)``). For a unit external coefficient
``epsilon_n^m = 1`` the vertical field at the surface is the global-to-local
transfer function (Schmucker 1985; Olsen 1999; Yao et al. 2023)::

    T = dV/dr at r = a = [n - (n+1) Q_n] P_n^m(cos theta) exp(i m phi)
"""

import math

import jax.numpy as jnp

from bayesjoint.physics.sphere import q_response

SECONDS_PER_DAY = 86400.0
"""Length of the solar day in s (the fundamental Sq period)."""


def sq_period_s(harmonic):
    """Period in s of the Sq harmonic ``p``: 24/p hours.

    Parameters
    ----------
    harmonic : int or array of int
        Harmonic number p >= 1 (p = 1..6 in common use).

    Returns
    -------
    period_s : float array, same shape as ``harmonic``
    """
    return SECONDS_PER_DAY / jnp.asarray(harmonic, dtype=jnp.float64)


def schmidt_legendre(degree, order, colat_deg):
    """Schmidt semi-normalised associated Legendre function P_n^m(cos theta).

    No Condon-Shortley phase. ``P_n^0`` is the Legendre polynomial; for
    ``m > 0`` the unnormalised function is multiplied by
    ``sqrt(2 (n-m)! / (n+m)!)``. Computed by the standard upward recurrence
    in degree (Abramowitz & Stegun 8.5.3) from
    ``P_m^m = (2m-1)!! sin^m theta``; accurate for n up to a few tens.

    Parameters
    ----------
    degree : int
        n >= 0 (static).
    order : int
        0 <= m <= n (static).
    colat_deg : array, any shape
        Colatitude theta in degrees.

    Returns
    -------
    p : array, same shape as ``colat_deg``
    """
    n, m = int(degree), int(order)
    if not 0 <= m <= n:
        raise ValueError(f"need 0 <= order <= degree, got degree={degree}, order={order}")
    theta = jnp.deg2rad(jnp.asarray(colat_deg, dtype=jnp.float64))
    x, s = jnp.cos(theta), jnp.sin(theta)
    double_factorial = math.prod(range(2 * m - 1, 0, -2))  # (2m-1)!!, 1 for m = 0
    p_prev = double_factorial * s**m  # P_m^m
    p_curr = (2 * m + 1) * x * p_prev  # P_{m+1}^m
    if n == m:
        p_curr = p_prev
    for ell in range(m + 2, n + 1):
        # (l - m) P_l^m = (2l - 1) x P_{l-1}^m - (l + m - 1) P_{l-2}^m
        p_prev, p_curr = p_curr, ((2 * ell - 1) * x * p_curr - (ell + m - 1) * p_prev) / (ell - m)
    if m == 0:
        return p_curr
    return math.sqrt(2.0 * math.factorial(n - m) / math.factorial(n + m)) * p_curr


def transfer_function_from_q(q, degree, order, colat_deg, lon_deg):
    """Vertical-field transfer function of a unit external term from ``Q_n``.

    ``T = [n - (n+1) Q_n] P_n^m(cos theta) exp(i m phi)``: the downward
    vertical field ``Z`` at the surface per unit external coefficient
    ``epsilon_n^m`` (module docstring).

    Parameters
    ----------
    q : complex array, shape (P,)
        Q-response of degree n.
    degree, order : int
        n >= 1 and |m| <= n (static); a negative order takes ``P_n^|m|`` and
        the azimuthal factor ``exp(i m phi)``.
    colat_deg, lon_deg : float
        Site colatitude and east longitude in degrees.

    Returns
    -------
    t : complex array, shape (P,)
    """
    n, m = degree, order
    legendre = schmidt_legendre(n, abs(m), colat_deg)
    azimuth = jnp.exp(1j * m * jnp.deg2rad(jnp.asarray(lon_deg, dtype=jnp.float64)))
    return (n - (n + 1) * jnp.asarray(q)) * legendre * azimuth


def sq_transfer_function(
    period_s,
    thickness_m,
    sigma_s_per_m,
    degree,
    order,
    colat_deg,
    lon_deg,
    shell_law="quadratic",
):
    """Sq global-to-local transfer function of a layered Earth.

    Parameters
    ----------
    period_s : array, shape (P,)
        Periods in s (``sq_period_s(p)`` for the Sq harmonics).
    thickness_m : array, shape (K-1,)
        Shell thicknesses in m, surface first (as
        :func:`bayesjoint.physics.sphere.q_response`).
    sigma_s_per_m : array, shape (K,)
        Conductivities in S/m; the last entry is the core.
    degree, order : int
        Spherical-harmonic degree n >= 1 and order 0 <= m <= n of the
        external source term (static).
    colat_deg, lon_deg : float
        Geographic colatitude and east longitude of the site, degrees.
    shell_law : {"quadratic", "constant"}
        See :mod:`bayesjoint.physics.sphere`.

    Returns
    -------
    t : complex array, shape (P,)
        ``[n - (n+1) Q_n] P_n^m(cos theta) exp(i m phi)``, dimensionless
        (vertical field Z, positive down, per unit external coefficient),
        ``exp(+i omega t)`` convention.
    """
    q = q_response(period_s, thickness_m, sigma_s_per_m, degree=degree, shell_law=shell_law)
    return transfer_function_from_q(q, degree, order, colat_deg, lon_deg)
