"""Plane-wave magnetotelluric response of a 1-D layered Earth.

Conventions
-----------
* Time dependence ``exp(+i omega t)`` (the EDI / EMTF-XML convention): a
  uniform half-space has impedance phase +45 degrees.
* Magnetic permeability of free space ``MU0 = 4 pi 1e-7`` H/m everywhere.
* The impedance is ``Z = E_x / H_y`` in ohm (electric field in V/m over the
  magnetic field in A/m). Apparent resistivity is
  ``rho_a = |Z|^2 / (omega MU0)`` and phase is ``arg Z`` in degrees.
* The C-response (inductive scale length) is ``C = Z / (i omega MU0)``
  (:func:`bayesjoint.physics.constants.c_km_from_impedance_ohm`).

Recursion
---------
Working upward from the bottom half-space, with intrinsic impedance
``zeta_j = i omega MU0 / k_j`` and wavenumber ``k_j = sqrt(i omega MU0 sigma_j)``
(Re k > 0), the impedance at the top of layer j of thickness h_j is
(Wait 1954; Ward & Hohmann 1988, eq. 4.180)::

    t_j = tanh(k_j h_j) = (1 - exp(-2 k_j h_j)) / (1 + exp(-2 k_j h_j))
    Z_j = (Z_{j+1} + zeta_j t_j) / (1 + Z_{j+1} t_j / zeta_j)

``tanh`` is written with the decaying exponential ``exp(-2 k h)`` only, so
the recursion neither overflows for thick or conductive layers nor loses
precision. A layer of zero thickness has ``t_j = 0`` exactly and returns
``Z_j = Z_{j+1}`` exactly.
"""

import jax.numpy as jnp
import numpy as np

from bayesjoint.physics.constants import MU0, angular_frequency_rad_s, apparent_resistivity_ohm_m
from bayesjoint.physics.recursion import bottom_up

_SQRT_I = (1.0 + 1.0j) / np.sqrt(2.0)  # principal square root of i


def impedance(period_s, thickness_m, sigma_s_per_m, n_active=None):
    """Surface impedance of a layered half-space.

    Parameters
    ----------
    period_s : array, shape (P,)
        Periods in s, positive.
    thickness_m : array, shape (K-1,)
        Thickness of each layer above the bottom half-space, in m, >= 0.
        Layers of zero thickness are allowed and have no effect.
    sigma_s_per_m : array, shape (K,)
        Conductivity of each layer in S/m, top first; the last entry is the
        bottom half-space.
    n_active : int scalar, optional
        Evaluate only the deepest ``n_active`` layers (the half-space
        included); every layer above them must have zero thickness, as the
        padding of :meth:`bayesjoint.earth.LayeredEarth.sigma_stack` has.
        The result is identical and the cost follows ``n_active``; without
        it every layer is visited and reverse-mode ``grad`` applies
        (:func:`bayesjoint.physics.recursion.bottom_up`).

    Returns
    -------
    z_ohm : complex array, shape (P,)
        Impedance ``E/H`` in ohm, ``exp(+i omega t)`` convention.
    """
    period_s = jnp.asarray(period_s, dtype=jnp.float64)
    thickness_m = jnp.asarray(thickness_m, dtype=jnp.float64)
    sigma = jnp.asarray(sigma_s_per_m, dtype=jnp.float64)
    omega = angular_frequency_rad_s(period_s)  # (P,)

    def wavenumber(s):
        # k = sqrt(i omega mu0 sigma), written with a real square root so the
        # derivative with respect to sigma is well defined.
        return jnp.sqrt(omega * MU0 * s) * _SQRT_I

    def intrinsic(s):
        return 1j * omega * MU0 / wavenumber(s)

    z_bottom = intrinsic(sigma[-1])

    def step(z_below, layer):
        h, s = layer
        zeta = intrinsic(s)
        decay = jnp.exp(-2.0 * wavenumber(s) * h)
        t = (1.0 - decay) / (1.0 + decay)
        z_top = (z_below + zeta * t) / (1.0 + z_below * t / zeta)
        return z_top, None

    # From the deepest finite layer to the surface.
    n_steps = None if n_active is None else n_active - 1
    return bottom_up(step, z_bottom, (thickness_m[::-1], sigma[:-1][::-1]), n_steps)


def apparent_resistivity_phase(period_s, z_ohm):
    """Apparent resistivity (ohm m) and phase (degrees) of an impedance.

    Parameters
    ----------
    period_s : array, shape (P,)
    z_ohm : complex array, shape (P,)

    Returns
    -------
    rho_a_ohm_m, phase_deg : arrays, shape (P,)
    """
    rho_a = apparent_resistivity_ohm_m(jnp.asarray(period_s, dtype=jnp.float64), z_ohm)
    phase = jnp.degrees(jnp.arctan2(z_ohm.imag, z_ohm.real))
    return rho_a, phase


def forward(period_s, thickness_m, sigma_s_per_m):
    """Impedance, apparent resistivity and phase in one call.

    Returns
    -------
    dict with ``z_ohm`` (complex, (P,)), ``rho_a_ohm_m`` ((P,)) and
    ``phase_deg`` ((P,)).
    """
    z = impedance(period_s, thickness_m, sigma_s_per_m)
    rho_a, phase = apparent_resistivity_phase(period_s, z)
    return {"z_ohm": z, "rho_a_ohm_m": rho_a, "phase_deg": phase}
