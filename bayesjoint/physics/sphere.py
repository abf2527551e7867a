"""Electromagnetic induction in a radially layered, conducting sphere.

The response of the Earth to an external source field of spherical-harmonic
degree ``n`` is described by the C-response ``C_n`` (inductive scale length,
km) or by the Q-response ``Q_n`` (ratio of internal to external potential
coefficients). They are related by (Schmucker 1985; Olsen 1999)::

    Q_n = n/(n+1) (1 - (n+1) C_n / a) / (1 + n C_n / a)

with ``a`` = 6371.2 km the surface radius
(:data:`bayesjoint.physics.constants.GEOMAGNETIC_REFERENCE_RADIUS_KM`).

Conventions
-----------
* Time dependence ``exp(+i omega t)``, as in :mod:`bayesjoint.physics.mt`:
  ``Re C > 0``, ``Im C < 0`` and ``Im Q > 0``.
* ``MU0 = 4 pi 1e-7`` H/m (:mod:`bayesjoint.physics.constants`).
* Models use the input convention of :func:`bayesjoint.physics.mt.impedance`:
  ``thickness_m`` (K-1,) are the thicknesses of shells from the surface
  down, ``sigma_s_per_m`` (K,) their conductivities, the last entry being
  the core, whose top radius is ``a - sum(thickness_m)``. Shell ``j`` spans
  radii ``r_{j+1} <= r <= r_j`` with ``r_0 = a`` and
  ``r_{j+1} = r_j - thickness_m[j]``. Zero-thickness shells change nothing.

Shell laws
----------
``shell_law="quadratic"``
    ``sigma(r) = sigma_j (r_j / r)^2`` for ``r_{j+1} < r <= r_j``, i.e.
    ``sigma_j`` is the conductivity at the TOP of shell ``j``; the same law
    holds in the core (``sigma(r) = sigma_core (r_c / r)^2`` for
    ``r <= r_c``). This is the convention of the codes based on Kuvshinov &
    Semenov (2012) and Grayver et al. (2017), e.g. chaosmagpy's
    ``q_response_1D(kind="quadratic")`` with ``radius`` = the top radii of
    the shells and the core.
``shell_law="constant"``
    ``sigma(r) = sigma_j`` inside each shell and in the whole core
    (Srivastava 1966), solved with modified spherical Bessel functions.

The laws differ by the variation of sigma across each shell: for the
38-shell model of Yao et al. (2023) by 0.03-0.25 % in Q_1 at 2-100 days and
0.05-0.12 % for the Sq terms (n, m) = (p+1, p); thick shells differ more.

Recursion
---------
With ``E`` the toroidal electric field, ``u(r) = r E(r)`` obeys (Srivastava
1966; Weidelt 1972)::

    u'' = [n(n+1)/r^2 + i omega MU0 sigma(r)] u

and the C-response at radius ``r`` is ``C(r) = u/u'``. The recursion
carries the scale-free admittance ``y(r) = r u'/u = r / C(r)`` from the core
to the surface; at the surface ``C_n = a / y`` and
``Q_n = n/(n+1) (y - (n+1)) / (y + n)``. In each shell the solution is
``u = A f(r) + B g(r)`` with ``f`` growing and ``g`` decaying with radius;
writing ``R = B g / (A f)``, the bottom value ``R_b`` follows from ``y`` at
the shell's bottom and is carried to the top by the decaying factor
``[g(r_t) f(r_b)] / [g(r_b) f(r_t)]`` (|.| <= 1), exactly as the plane-wave
recursion of :mod:`bayesjoint.physics.mt` carries its reflection
coefficient with ``exp(-2 k h)``. Nothing overflows, and a zero-thickness
shell multiplies ``R`` by exactly 1.

Stable range
------------
Validated for periods of 1 s to 1 year, conductivities 1e-14 to 1e6 S/m
(cores up to 1e6 S/m) and degrees 1 to 12 (the Bessel-function terms of the
constant law are accurate to ~1e-14 for n <= 7 and ~1e-11 at n = 12);
``jit``, ``vmap`` and ``grad`` apply. Conductivities must be positive.
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from bayesjoint.physics.constants import (GEOMAGNETIC_REFERENCE_RADIUS_KM, MU0, SHELL_LAWS,
                                          angular_frequency_rad_s)
from bayesjoint.physics.recursion import bottom_up

_EARTH_RADIUS_M = GEOMAGNETIC_REFERENCE_RADIUS_KM * 1e3
_SQRT_I = (1.0 + 1.0j) / math.sqrt(2.0)  # principal square root of i

# Switch between the power series and the closed form of i_n (|x|, argument
# of the Bessel functions) and the number of series terms. With |x| < 12 the
# series' terms decay below 1e-20 of the first one by j = 32, and at
# |x| >= 12 the closed form loses at most a few digits to cancellation for
# n <= 12.
_SERIES_LIMIT = 12.0
_SERIES_TERMS = 32


def q_from_c(c_km, degree):
    """Q-response from a C-response.

    ``Q_n = n/(n+1) (1 - (n+1) C/a) / (1 + n C/a)``, a = 6371.2 km
    (Olsen 1999).

    Parameters
    ----------
    c_km : complex array, any shape
        C-response in km.
    degree : int
        Spherical-harmonic degree n >= 1.

    Returns
    -------
    q : complex array, same shape as ``c_km``
    """
    n = degree
    c = jnp.asarray(c_km) / GEOMAGNETIC_REFERENCE_RADIUS_KM
    return n / (n + 1) * (1.0 - (n + 1) * c) / (1.0 + n * c)


def c_from_q(q, degree):
    """C-response in km from a Q-response (inverse of :func:`q_from_c`).

    ``C = a (n - (n+1) Q) / (n (n+1) (1 + Q))``, a = 6371.2 km.

    Parameters
    ----------
    q : complex array, any shape
    degree : int
        Spherical-harmonic degree n >= 1.

    Returns
    -------
    c_km : complex array, same shape as ``q``
    """
    n = degree
    q = jnp.asarray(q)
    return GEOMAGNETIC_REFERENCE_RADIUS_KM * (n - (n + 1) * q) / (n * (n + 1) * (1.0 + q))


def q_response(period_s, thickness_m, sigma_s_per_m, degree=1, shell_law="quadratic",
               n_active=None):
    """Q-response of a radially layered sphere with a conducting core.

    Parameters
    ----------
    period_s : array, shape (P,)
        Periods in s, positive.
    thickness_m : array, shape (K-1,)
        Shell thicknesses in m from the surface down, >= 0, with
        ``sum(thickness_m) < 6371.2e3``. Zero thickness has no effect.
    sigma_s_per_m : array, shape (K,)
        Conductivities in S/m, > 0, surface shell first; the last entry is
        the core. For ``shell_law="quadratic"`` each value is the
        conductivity at the top of its shell (see module docstring).
    degree : int, or int array of shape (P,)
        Spherical-harmonic degree n >= 1 of the inducing field (static), or
        with ``shell_law="quadratic"`` one degree per period, so that terms
        of several degrees (Sq) share one recursion.
    shell_law : {"quadratic", "constant"}
        Radial conductivity law inside each shell (static).
    n_active : int scalar, optional
        Evaluate only the deepest ``n_active`` entries of ``sigma_s_per_m``
        (the core included); every shell above them must have zero
        thickness. Identical result, cost following ``n_active``; without
        it every shell is visited and reverse-mode ``grad`` applies.

    Returns
    -------
    q : complex array, shape (P,)
        Internal-over-external ratio ``Q_n``, ``exp(+i omega t)``
        convention (``Im Q > 0``); 0 for an insulator, ``n/(n+1)`` for a
        perfect conductor at the surface.
    """
    n = degree
    y = _surface_admittance(period_s, thickness_m, sigma_s_per_m, n, shell_law, n_active)
    return n / (n + 1) * (y - (n + 1)) / (y + n)


def c_response_km(period_s, thickness_m, sigma_s_per_m, degree=1, shell_law="quadratic",
                  n_active=None):
    """C-response in km of a radially layered sphere with a conducting core.

    Same parameters as :func:`q_response`.

    Returns
    -------
    c_km : complex array, shape (P,)
        ``C_n`` in km, ``exp(+i omega t)`` convention (``Re C > 0``,
        ``Im C < 0``); ``a/(n+1)`` for an insulating sphere.
    """
    y = _surface_admittance(period_s, thickness_m, sigma_s_per_m, degree, shell_law, n_active)
    return GEOMAGNETIC_REFERENCE_RADIUS_KM / y


def _surface_admittance(period_s, thickness_m, sigma_s_per_m, n, shell_law, n_active=None):
    """Scale-free admittance ``y = r u'/u`` at the surface, shape (P,)."""
    if shell_law not in SHELL_LAWS:
        raise ValueError(f"shell_law must be one of {SHELL_LAWS}, got {shell_law!r}")
    if np.ndim(n) > 0:
        n = np.asarray(n)
        if shell_law != "quadratic":
            raise ValueError("degree: one degree per period needs shell_law='quadratic' (the "
                             "constant law compiles one recursion per degree)")
        if n.shape != np.shape(period_s):
            raise ValueError(f"degree has shape {n.shape}: one per period needs "
                             f"{np.shape(period_s)}")
        if not np.all((n == np.round(n)) & (n >= 1)):
            raise ValueError(f"degree = {n.tolist()}: degrees must be integers >= 1")
        return _quadratic_recursion(period_s, thickness_m, sigma_s_per_m, n.astype(float),
                                    n_active)
    if int(n) != n or n < 1:
        raise ValueError(f"degree must be an integer >= 1, got {n!r}")
    return _admittance_recursion(period_s, thickness_m, sigma_s_per_m, int(n), shell_law,
                                 n_active)


@jax.jit
def _quadratic_recursion(period_s, thickness_m, sigma_s_per_m, n, n_active):
    # The sigma ~ r^-2 recursion with one degree per period (a traced array).
    return _admittance_recursion.__wrapped__(period_s, thickness_m, sigma_s_per_m, n,
                                             "quadratic", n_active)


@functools.partial(jax.jit, static_argnums=(3, 4))
def _admittance_recursion(period_s, thickness_m, sigma_s_per_m, n, shell_law, n_active):
    # Compiled once per degree, shell law and array shapes (the constant
    # law's Bessel-function step is large); inlined under an outer jit.
    period_s = jnp.asarray(period_s, dtype=jnp.float64)
    thickness_m = jnp.asarray(thickness_m, dtype=jnp.float64)
    sigma = jnp.asarray(sigma_s_per_m, dtype=jnp.float64)
    omega = angular_frequency_rad_s(period_s)  # (P,)
    # Radii of the shell tops, r_0 = a, ..., r_{K-1} = core radius; a
    # zero thickness repeats the radius exactly.
    radii = _EARTH_RADIUS_M - jnp.concatenate([jnp.zeros(1), jnp.cumsum(thickness_m)])
    shells = (thickness_m[::-1], sigma[:-1][::-1], radii[:-1][::-1])

    if shell_law == "quadratic":
        core, step = _quadratic_core(n, omega), _quadratic_step(n, omega)
    else:
        core, step = _constant_core(n, omega), _constant_step(n, omega)
    n_steps = None if n_active is None else n_active - 1
    return bottom_up(step, core(sigma[-1], radii[-1]), shells, n_steps)


# ---------------------------------------------------------------------------
# sigma ~ r^-2 shells (Kuvshinov & Semenov 2012; Grayver et al. 2017). With sigma = s (r_t/r)^2, u'' = (n(n+1) + kappa^2)/r^2 u,
# kappa^2 = i omega MU0 s r_t^2, an Euler equation: u = r^(1/2 +/- beta),
# beta = sqrt((n + 1/2)^2 + kappa^2), Re beta > 0.
# ---------------------------------------------------------------------------
def _quadratic_beta(n, omega, s, r_top):
    return jnp.sqrt((n + 0.5) ** 2 + 1j * (omega * MU0 * s * r_top**2))


def _quadratic_core(n, omega):
    def core(s, r_core):
        # Regular solution u = r^(1/2 + beta): y = 1/2 + beta.
        return 0.5 + _quadratic_beta(n, omega, s, r_core)

    return core


def _quadratic_step(n, omega):
    def step(y_bottom, shell):
        h, s, r_top = shell
        beta = _quadratic_beta(n, omega, s, r_top)
        # u = r^(1/2) (A rho^beta + B rho^-beta), rho = r/r_top, so that
        # y = 1/2 + beta (1 - R)/(1 + R) with R = (B/A) rho^(-2 beta).
        ratio_bottom = (beta + 0.5 - y_bottom) / (beta - 0.5 + y_bottom)
        # R_top = R_bottom eta^(2 beta), eta = r_bottom / r_top <= 1.
        decay = jnp.exp(2.0 * beta * jnp.log1p(-h / r_top))
        ratio_top = ratio_bottom * decay
        return 0.5 + beta * (1.0 - ratio_top) / (1.0 + ratio_top), None

    return step


# ---------------------------------------------------------------------------
# Constant-conductivity shells (Srivastava 1966): with
# k = sqrt(i omega MU0 sigma) and x = k r, u = A S(x) + B T(x), where
# S(x) = x i_n(x) and T(x) = x k_n(x) (modified spherical Bessel functions,
# Abramowitz & Stegun 10.2.2, 10.2.4). Both are handled through their
# exponentially scaled logarithms and logarithmic derivatives x S'/S, x T'/T.
# ---------------------------------------------------------------------------
def _bessel_coefficients(n):
    """Coefficients c_j = (n+j)! / (j! (n-j)!), j = 0..n (A&S 10.2.15)."""
    return np.array(
        [math.factorial(n + j) / (math.factorial(j) * math.factorial(n - j)) for j in range(n + 1)]
    )


def _series_coefficients(n):
    """a_j = 1 / (j! (2n+3)(2n+5)...(2n+2j+1)), j = 0..J-1 (A&S 10.2.5)."""
    a = np.empty(_SERIES_TERMS)
    a[0] = 1.0
    for j in range(1, _SERIES_TERMS):
        a[j] = a[j - 1] / (j * (2 * n + 2 * j + 1))
    return a


def _power_sums(coefficients, z):
    """sum_j coefficients[i, j] z^j for each row i.

    Vectorised over j (powers as exp(j log z)) rather than an unrolled
    Horner loop, which keeps the compiled graph and its gradient small.

    Parameters
    ----------
    coefficients : NumPy array, shape (R, J)
    z : complex array, shape S, nonzero

    Returns
    -------
    tuple of R complex arrays of shape S
    """
    exponents = np.arange(coefficients.shape[1])
    powers = jnp.exp(exponents * jnp.log(z)[..., None])  # S + (J,)
    sums = powers @ coefficients.T.astype(complex)  # S + (R,)
    return tuple(sums[..., i] for i in range(coefficients.shape[0]))


def _first_kind(n):
    """Return x -> (log S(x) - x, x S'(x)/S(x)) for S(x) = x i_n(x)."""
    c = _bessel_coefficients(n)
    j = np.arange(n + 1)
    alternating = (-1.0) ** j
    # sp = sum (-1)^j c_j z^j, tp = sum c_j z^j and their x d/dx (z = 1/(2x)).
    closed_rows = np.stack([alternating * c, c, -alternating * c * j, -c * j])
    log_double_factorial = math.lgamma(2 * n + 2) - n * math.log(2.0) - math.lgamma(n + 1)
    a = _series_coefficients(n)
    # s0 = sum a_j w^j and x d(s0)/dx = sum 2 j a_j w^j (w = x^2/2).
    series_rows = np.stack([a, 2.0 * np.arange(a.size) * a])
    sign = (-1.0) ** (n + 1)

    def series(x):
        # S = x^(n+1)/(2n+1)!! sum_j a_j (x^2/2)^j   (A&S 10.2.5)
        s0, ds0 = _power_sums(series_rows, 0.5 * x * x)
        log_s = (n + 1) * jnp.log(x) - log_double_factorial + jnp.log(s0) - x
        return log_s, (n + 1) + ds0 / s0

    def closed(x):
        # S = (1/2) [e^x sp(z) + (-1)^(n+1) e^(-x) tp(z)]   (A&S 10.2.9, 10.2.15)
        sp, tp, dsp, dtp = _power_sums(closed_rows, 0.5 / x)
        e = sign * jnp.exp(-2.0 * x)
        bracket = sp + e * tp
        log_s = jnp.log(bracket) - math.log(2.0)
        return log_s, (x * (sp - e * tp) + dsp + e * dtp) / bracket

    def evaluate(x):
        small = jnp.abs(x) < _SERIES_LIMIT
        # Each branch sees only arguments in its own range so that the
        # unused one stays finite (and so does its gradient).
        ls_series, d_series = series(jnp.where(small, x, 1.0))
        ls_closed, d_closed = closed(jnp.where(small, 2.0 * _SERIES_LIMIT, x))
        return jnp.where(small, ls_series, ls_closed), jnp.where(small, d_series, d_closed)

    return evaluate


def _second_kind(n):
    """Return x -> (log T(x) + x, x T'(x)/T(x)) for T(x) ~ x k_n(x).

    T(x) = e^(-x) tp(z), z = 1/(2x), up to a constant factor (A&S 10.2.15);
    the sum has positive coefficients and no cancellation for Re x > 0.
    """
    c = _bessel_coefficients(n)
    rows = np.stack([c, -c * np.arange(n + 1)])

    def evaluate(x):
        tp, dtp = _power_sums(rows, 0.5 / x)
        return jnp.log(tp), -x + dtp / tp

    return evaluate


def _wavenumber(omega, s):
    # k = sqrt(i omega mu0 sigma) with a real square root, so the derivative
    # with respect to sigma is well defined (as in mt.py).
    return jnp.sqrt(omega * MU0 * s) * _SQRT_I


def _constant_core(n, omega):
    first = _first_kind(n)

    def core(s, r_core):
        # Regular solution S(k r) in a uniform core.
        return first(_wavenumber(omega, s) * r_core)[1]

    return core


def _constant_step(n, omega):
    first = _first_kind(n)
    second = _second_kind(n)

    def step(y_bottom, shell):
        h, s, r_top = shell
        k = _wavenumber(omega, s)
        # Evaluate the Bessel functions at the top and bottom radii at once.
        x = k * jnp.stack([r_top, r_top - h])[:, None]  # (2, P)
        (ls_top, ls_bottom), (ds_top, ds_bottom) = first(x)
        (lt_top, lt_bottom), (dt_top, dt_bottom) = second(x)
        # y = (dS + R dT) / (1 + R) with R = B T / (A S).
        ratio_bottom = (ds_bottom - y_bottom) / (y_bottom - dt_bottom)
        # R_top / R_bottom = T(x_t) S(x_b) / (T(x_b) S(x_t)); the exponential
        # parts combine to exp(-2 k h) exactly.
        decay = jnp.exp(-2.0 * k * h + (lt_top - lt_bottom) - (ls_top - ls_bottom))
        ratio_top = ratio_bottom * decay
        return (ds_top + ratio_top * dt_top) / (1.0 + ratio_top), None

    return step
