"""Physical constants, named choices and unit conversions, each defined once.

The conversions are plain arithmetic on floats, NumPy arrays and JAX
arrays alike (under ``jit``, ``vmap`` and ``grad``), so the data
containers, the readers and the forward models share one definition.

Two Earth radii are used, for two different facts:

* :data:`GEOMAGNETIC_REFERENCE_RADIUS_KM` (a = 6371.2 km), the reference
  radius of geomagnetic field models, at which the sphere responses
  (:mod:`bayesjoint.physics.sphere`) expand the potential;
* :data:`MEAN_EARTH_RADIUS_KM` (R = 6371.0 km), the mean radius used for
  Earth-flattening (:mod:`bayesjoint.physics.flatten`) and for converting
  ray parameters from s/deg to s/km.
"""

import math

import numpy as np

MU0 = 4e-7 * math.pi
"""Magnetic permeability of free space, H/m."""

GEOMAGNETIC_REFERENCE_RADIUS_KM = 6371.2
"""Reference radius a of geomagnetic responses (surface of the layered sphere), km."""

MEAN_EARTH_RADIUS_KM = 6371.0
"""Mean Earth radius R for Earth-flattening and ray-parameter conversion, km."""

SHELL_LAWS = ("quadratic", "constant")
"""Radial conductivity laws inside each shell of the sphere: ``"quadratic"``
(``sigma ~ r^-2``, closed form with powers) or ``"constant"`` (modified
spherical Bessel functions); see :mod:`bayesjoint.physics.sphere`."""

DEFAULT_SHELL_LAW = "quadratic"
"""Shell law used unless stated: ``sigma ~ r^-2`` inside each shell (Kuvshinov &
Semenov 2012), the law of the codes behind the reference experiment."""

RF_NORMALIZATIONS = ("peak", "area", "sum")
"""Amplitude normalisations of a receiver function
(:func:`bayesjoint.physics.rf.receiver_function`): unit-peak pulse, unit-area
pulse (1/s) or unit-sum discrete pulse."""


def angular_frequency_rad_s(period_s):
    """Angular frequency ``omega = 2 pi / T`` in rad/s of a period in s.

    Parameters
    ----------
    period_s : float or array, shape (P,)

    Returns
    -------
    float or array, shape (P,)
    """
    return 2.0 * math.pi / period_s


def apparent_resistivity_ohm_m(period_s, z_ohm):
    """Apparent resistivity ``rho_a = |Z|^2 / (omega mu0)`` in ohm m of an impedance.

    Parameters
    ----------
    period_s : float or array, shape (P,)
    z_ohm : complex array, shape (P,)
        Impedance ``E/H`` in ohm.

    Returns
    -------
    array, shape (P,)
    """
    return (z_ohm.real**2 + z_ohm.imag**2) / (angular_frequency_rad_s(period_s) * MU0)


def impedance_ohm_from_c_km(period_s, c_km):
    """MT impedance ``Z = i omega mu0 C`` in ohm of a C-response in km.

    With ``exp(+i omega t)`` (docs/conventions.md) a C-response has Re C > 0,
    Im C < 0, and the impedance of the same Earth lies in the first quadrant:
    ``Re Z = -omega mu0 Im C``, ``Im Z = omega mu0 Re C``. A standard
    deviation of each part of C converts with the same factor ``omega mu0``
    (km -> m included), to the std of each part of Z.

    Parameters
    ----------
    period_s : float or array, shape (P,)
    c_km : complex (or real, for a std) array, shape (P,)

    Returns
    -------
    complex array, shape (P,)
    """
    return 1j * angular_frequency_rad_s(period_s) * MU0 * 1e3 * c_km


def c_km_from_impedance_ohm(period_s, z_ohm):
    """C-response ``C = Z / (i omega mu0)`` in km of an MT impedance in ohm.

    The inverse of :func:`impedance_ohm_from_c_km`.

    Parameters
    ----------
    period_s : float or array, shape (P,)
    z_ohm : complex array, shape (P,)

    Returns
    -------
    complex array, shape (P,)
    """
    return z_ohm / (1j * angular_frequency_rad_s(period_s) * MU0 * 1e3)


def ray_parameter_s_km_from_s_deg(ray_parameter_s_deg):
    """Ray parameter in s/km from one in s/deg.

    One degree of arc at the surface is ``pi R / 180`` km with ``R =``
    :data:`MEAN_EARTH_RADIUS_KM`, about 111.19 km, so ``p[s/km] = p[s/deg]
    * 180 / (pi R)``.

    Parameters
    ----------
    ray_parameter_s_deg : float or array_like

    Returns
    -------
    float or ndarray
    """
    return np.asarray(ray_parameter_s_deg, dtype=float) * 180.0 / (math.pi * MEAN_EARTH_RADIUS_KM)
