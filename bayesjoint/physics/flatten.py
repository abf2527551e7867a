"""Earth-flattening transform for a stack of spherical shells.

A spherically layered Earth of radius ``R = 6371 km`` is mapped onto a flat
layered half-space whose plane-wave travel times equal the spherical ones
(Biswas & Knopoff 1970; Biswas 1972; Chapman 1973; Mueller 1977)::

    z_f = R ln(R / (R - z))                      (depth, km)
    v_f = v R / (R - z)                          (Vp and Vs, km/s)
    rho_f = rho (R / (R - z))**k                 (density, g/cm^3)

The flat ray parameter in s/km is the spherical one in s/rad divided by
``R``. Travel times and conversion delays are exact for any ``k``; the
density exponent only changes amplitudes. The default ``k = -2.275`` is
Biswas's (1972) fit for P-SV waves (the same value Herrmann's Computer
Programs in Seismology use for Rayleigh waves; SH waves would take
``k = -5``).

Applied to layers
-----------------
Layer boundaries are mapped exactly with ``z_f``. Inside a layer of
constant spherical velocity ``v`` between depths ``z_t`` and ``z_b`` the
flattened velocity ``v R/(R - z)`` varies; each flattened layer takes the
constant value that keeps the vertical travel time of the layer exact::

    v_f = v h_f / h,   h = z_b - z_t,   h_f = R ln((R - z_t) / (R - z_b))

which tends to ``v R / (R - z_t)`` as ``h -> 0`` (a zero-thickness layer
therefore stays a zero-thickness layer and changes nothing). Density uses
the layer mid-point ``z_m = (z_t + z_b) / 2``. The half-space below the
deepest interface takes the factors at its top.

When to flatten
---------------
Always: the transform is cheap and exact in travel time at every depth, so
:mod:`bayesjoint.physics.rf` flattens by default. At p = 0.06 s/km in AK135
it lengthens the Ps delay of the 35 km Moho by only 0.001 s, but the
P410s delay by 0.26 s and the P660s delay by 0.85 s (the receiver-function
tests show the unflattened delays missing TauP's by as much).
"""

import jax.numpy as jnp

from bayesjoint.physics.constants import MEAN_EARTH_RADIUS_KM

DENSITY_EXPONENT_PSV = -2.275
"""Biswas (1972) density exponent ``k`` for P-SV waves."""

_SERIES_BELOW = 1e-4  # below this h/(R - z_t) the ratio h_f/h uses its series


def _thickness_ratio(top_km, thickness_km, radius_km):
    """Ratio ``h_f / h`` of flattened to spherical thickness, finite at h = 0.

    With ``x = h / (R - z_t)``, ``h_f / h = R/(R - z_t) * (-ln(1 - x) / x)``;
    the bracket is evaluated from its series ``1 + x/2 + x^2/3 + x^3/4``
    for small ``x`` so that zero thickness and its gradient stay finite.
    """
    scale = radius_km / (radius_km - top_km)
    x = thickness_km / (radius_km - top_km)
    small = x < _SERIES_BELOW
    x_safe = jnp.where(small, _SERIES_BELOW, x)
    exact = -jnp.log1p(-x_safe) / x_safe
    series = 1.0 + x / 2.0 + x**2 / 3.0 + x**3 / 4.0
    return scale * jnp.where(small, series, exact)


def flatten_layers(thickness_km, vp_km_s, vs_km_s, rho_g_cm3, *,
                   radius_km=MEAN_EARTH_RADIUS_KM,
                   density_exponent=DENSITY_EXPONENT_PSV):
    """Flatten a stack of spherical layers over a half-space.

    Parameters
    ----------
    thickness_km : array, shape (K-1,)
        Spherical thickness of each layer above the half-space, km, >= 0,
        top layer first (the top of the stack is the surface, depth 0).
    vp_km_s, vs_km_s : array, shape (K,)
        P and S velocities of each layer and of the half-space, km/s.
    rho_g_cm3 : array, shape (K,)
        Density, g/cm^3.
    radius_km : float
        Earth radius ``R``, km.
    density_exponent : float
        Exponent ``k`` in ``rho_f = rho (R / (R - z))**k``.

    Returns
    -------
    thickness_km, vp_km_s, vs_km_s, rho_g_cm3 : arrays, shapes (K-1,), (K,), (K,), (K,)
        The flattened stack (see the module docstring for the formulas).
    """
    h = jnp.asarray(thickness_km, dtype=jnp.float64)
    vp = jnp.asarray(vp_km_s, dtype=jnp.float64)
    vs = jnp.asarray(vs_km_s, dtype=jnp.float64)
    rho = jnp.asarray(rho_g_cm3, dtype=jnp.float64)
    bottom = jnp.cumsum(h)
    top = bottom - h
    ratio = _thickness_ratio(top, h, radius_km)  # v_f / v = h_f / h per layer
    ratio_half = radius_km / (radius_km - bottom[-1:]) if h.size else jnp.ones(1)
    vel_factor = jnp.concatenate([ratio, ratio_half])
    mid = jnp.concatenate([top + 0.5 * h, bottom[-1:] if h.size else jnp.zeros(1)])
    rho_factor = (radius_km / (radius_km - mid)) ** density_exponent
    return h * ratio, vp * vel_factor, vs * vel_factor, rho * rho_factor


def flatten_depth_km(depth_km, radius_km=MEAN_EARTH_RADIUS_KM):
    """Flattened depth ``z_f = R ln(R / (R - z))`` of spherical depths, km."""
    z = jnp.asarray(depth_km, dtype=jnp.float64)
    return -radius_km * jnp.log1p(-z / radius_km)


def unflatten_depth_km(flat_depth_km, radius_km=MEAN_EARTH_RADIUS_KM):
    """Spherical depth ``z = R (1 - exp(-z_f / R))`` of flattened depths, km."""
    zf = jnp.asarray(flat_depth_km, dtype=jnp.float64)
    return -radius_km * jnp.expm1(-zf / radius_km)
