"""Teleseismic P receiver function of flat isotropic elastic layers.

Model
-----
``K - 1`` flat, isotropic, elastic layers over a half-space (the last
entry of every property array), a free surface at depth 0, and a plane P
wave of horizontal slowness (ray parameter) ``p`` in s/km incident from the
half-space. By default the stack is first Earth-flattened
(:mod:`bayesjoint.physics.flatten`), so the inputs are spherical depths and
velocities and ``p`` is the spherical ray parameter in s/rad divided by
R = 6371 km. Pass ``earth_flattening=False`` for a truly flat model.

Conventions
-----------
* Time dependence ``exp(+i omega t)``, the sign used by ``numpy.fft.rfft``
  (a delay ``tau`` multiplies a spectrum by ``exp(-i omega tau)``).
* Depth ``z`` positive down, ``x`` horizontal, positive in the direction of
  propagation away from the source. The radial component ``R`` is ``u_x``
  (positive away from the source) and the vertical ``Z`` is positive up.
  An upgoing P wave moves the ground up and away from the source, so the
  direct P of the receiver function is positive.
* Vertical slowness ``q = sqrt(1/v^2 - p^2)``: real and positive for
  propagating waves, ``q = -i sqrt(p^2 - 1/v^2)`` for evanescent ones, the
  branch for which ``exp(-i omega q z)`` decays downward for omega > 0.
* Gaussian low-pass ``G(omega) = exp(-omega^2 / (4 a^2))`` with ``a`` =
  ``gauss_rad_s``, rad/s: the convention of Langston (1979) and of Ammon's
  iterative deconvolution (Ligorria & Ammon 1999); ``a = 2.5`` passes
  frequencies up to about 1.2 Hz (G = 0.1). Codes that write the same
  filter in Hz, ``exp(-f^2 / (4 a_hz^2))``, use ``a_hz = a / (2 pi)``:
  see :func:`gauss_from_hz`.

Method
------
Each layer's wavefield is expanded in down- and upgoing P and SV plane
waves of unit displacement amplitude. The motion-stress vector
``(u_x, u_z, sigma_xz / (-i omega), sigma_zz / (-i omega))`` of each wave
(derived here for this sign convention; compare Aki & Richards 2002,
sections 5.2 and 7.2) is independent of frequency, so the interface
reflection and transmission matrices are computed once per interface from
the continuity of that vector (Kennett 1983, ch. 3). The free-surface
response to upgoing waves is then built from the surface downward with the
generalized reflection matrix of everything above a level (the
free-surface form of Kennett's addition rule: Kennett 1983, ch. 6 and 7;
Kennett & Kerry 1979)::

    R_0 = -T_d^{-1} T_u,            C_0 = W_u + W_d R_0     (free surface)
    in layer j:   R <- E R E,        C <- C E,      E = diag exp(-i omega q h)
    interface:    M = (I - R_D R)^{-1}
                  C <- C M T_U,      R <- R_U + T_D R M T_U

where ``W``, ``T`` are the displacement and traction rows of the surface
layer's wave matrix. Only phase factors ``|E| <= 1`` appear (no growing
exponentials), so the recursion is stable for any number of layers, any
thickness, any period and for evanescent waves. A layer of zero thickness
has ``E = I`` and its reverberation series sums exactly to the direct
interface coefficients, so it changes nothing. The free-surface
displacement for a unit incident P wave is ``C (1, 0)^T``.
"""

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from bayesjoint.physics.constants import RF_NORMALIZATIONS
from bayesjoint.physics.flatten import flatten_layers
from bayesjoint.physics.recursion import top_down

PULSE_HALF_WIDTH = 2.0
"""Half-width of a Gaussian pulse in units of ``1 / gauss_rad_s`` s (``exp(-4)`` = 1.8 %
of its peak)."""

WRAP_PAD_S = 400.0
"""Time after a record that a wrap-free transform leaves (:func:`wrap_free_period`), s.
The mantle's surface multiples arrive up to about 250 s after P; on AK135 with a 410
and 660 in 10 km layers, a 100 s record computed with 400 s more differs from one
computed with 2000 s more by under 1e-4 of the direct P's peak after 20 s
(tests/physics); in 20 km layers, a 60 s record by up to 1.1e-3 (tests/model)."""

GAUSSIAN_BAND_LEVEL = 1e-10
"""Level of the Gaussian filter above whose frequency the spectrum is taken as zero
(:func:`gaussian_band_count`)."""


def vertical_slowness_s_km(velocity_km_s, ray_parameter_s_km):
    """Vertical slowness ``q = sqrt(1/v^2 - p^2)`` in s/km, complex.

    Real and >= 0 for propagating waves; ``-i sqrt(p^2 - 1/v^2)`` for
    evanescent ones (decaying downward under ``exp(+i omega t)``). The
    square root is evaluated away from zero so its gradient stays finite.

    Parameters
    ----------
    velocity_km_s : array, shape (...)
    ray_parameter_s_km : float or array broadcastable with it

    Returns
    -------
    complex array, shape (...)
    """
    v = jnp.asarray(velocity_km_s, dtype=jnp.float64)
    x = 1.0 / v**2 - jnp.asarray(ray_parameter_s_km, dtype=jnp.float64) ** 2
    ax = jnp.abs(x)
    nonzero = ax > 0.0
    root = jnp.where(nonzero, jnp.sqrt(jnp.where(nonzero, ax, 1.0)), 0.0)
    return jnp.where(x >= 0.0, root + 0.0j, -1j * root)


def _wave_matrix(vp, vs, rho, p):
    """Motion-stress vectors of the four plane waves in one layer.

    Returns a (4, 4) complex matrix whose columns are downgoing P, downgoing
    SV, upgoing P, upgoing SV (each of unit displacement amplitude), and
    whose rows are ``u_x, u_z, sigma_xz/(-i omega), sigma_zz/(-i omega)``
    (tractions in g/cm^3 km/s; only ratios of them enter the result).
    With ``eta = +1`` down and ``-1`` up, P polarization
    ``(vp p, eta vp q_p)`` and SV polarization ``(eta vs q_s, -vs p)``.
    """
    qp = vertical_slowness_s_km(vp, p)
    qs = vertical_slowness_s_km(vs, p)
    mu = rho * vs**2
    b = 1.0 - 2.0 * vs**2 * p**2  # (1 - 2 beta^2 p^2)
    cols = []
    for eta in (1.0, -1.0):
        cols.append(jnp.stack([vp * p + 0j, eta * vp * qp,
                               2.0 * mu * eta * vp * p * qp, rho * vp * b + 0j]))
        cols.append(jnp.stack([eta * vs * qs, -vs * p + 0j,
                               rho * vs * b + 0j, -2.0 * mu * vs * eta * p * qs]))
    return jnp.stack(cols, axis=1)


def _interface_coefficients(d_above, d_below):
    """Reflection/transmission matrices of one welded interface.

    From ``D_above a_above = D_below a_below`` with ``a = (down; up)`` and
    ``Q = D_above^{-1} D_below`` in 2x2 blocks (Kennett 1983, ch. 3)::

        T_D = Q11^{-1},  R_U = -Q11^{-1} Q12,
        R_D = Q21 Q11^{-1},  T_U = Q22 - Q21 Q11^{-1} Q12

    ``T_D`` and ``R_D`` act on waves downgoing from above, ``T_U`` and
    ``R_U`` on waves upgoing from below; each is (2, 2) over (P, SV).
    """
    q = jnp.linalg.solve(d_above, d_below)
    q11, q12, q21, q22 = q[:2, :2], q[:2, 2:], q[2:, :2], q[2:, 2:]
    t_d = jnp.linalg.inv(q11)
    r_u = -t_d @ q12
    r_d = q21 @ t_d
    t_u = q22 - r_d @ q12
    return t_d, r_u, r_d, t_u


def _entries(m):
    """The four entries ``(m00, m01, m10, m11)`` of 2x2 matrices over the last two axes."""
    return m[..., 0, 0], m[..., 0, 1], m[..., 1, 0], m[..., 1, 1]


def _mul2(x, y):
    """Product of 2x2 matrices held as entry tuples ``(a, b, c, d)`` (row-major)."""
    a, b, c, d = x
    e, f, g, h = y
    return a * e + b * g, a * f + b * h, c * e + d * g, c * f + d * h


def _inv2(x):
    """Inverse of 2x2 matrices held as entry tuples, closed form."""
    a, b, c, d = x
    det = a * d - b * c
    return d / det, -b / det, -c / det, a / det


@partial(jax.jit, static_argnames=("earth_flattening",))
def surface_displacement_spectra(freq_hz, thickness_km, vp_km_s, vs_km_s, rho_g_cm3,
                                 ray_parameter_s_km, *, earth_flattening=True, n_active=None):
    """Free-surface radial and vertical displacement for an incident P wave.

    Parameters
    ----------
    freq_hz : array, shape (F,)
        Frequencies in Hz, >= 0.
    thickness_km : array, shape (K-1,)
        Thickness of each layer above the half-space, km, >= 0; zero
        thickness is allowed and changes nothing.
    vp_km_s, vs_km_s : array, shape (K,)
        P and S velocities in km/s, top first, the last entry the
        half-space; ``vs > 0`` (no fluid layers).
    rho_g_cm3 : array, shape (K,)
        Density in g/cm^3.
    ray_parameter_s_km : float
        Horizontal slowness ``p`` in s/km, ``p < 1/vp`` of the half-space.
    earth_flattening : bool
        Flatten the stack first (default; see
        :func:`bayesjoint.physics.flatten.flatten_layers`).
    n_active : int scalar, optional
        Use only the deepest ``n_active`` layers (the half-space included):
        the top ``K - n_active`` entries are padding whose thickness and
        properties are ignored, as if they were absent. The result equals
        that of the stack without them (to rounding) and the frequency
        recursion visits only the ``n_active - 1`` interfaces below the
        surface, so its cost follows ``n_active`` instead of ``K``;
        ``jit`` and ``vmap`` apply, reverse-mode ``grad`` does not. Without
        it every layer is visited.

    Returns
    -------
    radial, vertical : complex arrays, shape (F,)
        Displacement spectra at the surface (radial away from the source,
        vertical up) for an upgoing P wave of unit displacement amplitude
        and flat spectrum whose phase is referenced at the top of the
        half-space, ``exp(+i omega t)`` convention.
    """
    h, vp, vs, rho = (jnp.asarray(a, dtype=jnp.float64)
                      for a in (thickness_km, vp_km_s, vs_km_s, rho_g_cm3))
    # Index of the surface layer: 0, or the first layer below the padding,
    # which then takes no part (zero thickness, so flattening is unchanged).
    surface = 0
    if n_active is not None:
        surface = vp.shape[0] - n_active
        h = jnp.where(jnp.arange(h.shape[0]) >= surface, h, 0.0)
    if earth_flattening:
        h, vp, vs, rho = flatten_layers(h, vp, vs, rho)
    p = jnp.asarray(ray_parameter_s_km, dtype=jnp.float64)
    omega = 2.0 * jnp.pi * jnp.asarray(freq_hz, dtype=jnp.float64)  # (F,)

    wave = jax.vmap(_wave_matrix, in_axes=(0, 0, 0, None))(vp, vs, rho, p)  # (K,4,4)
    t_d, r_u, r_d, t_u = jax.vmap(_interface_coefficients)(wave[:-1], wave[1:])
    q_layers = jnp.stack([vertical_slowness_s_km(vp[:-1], p),
                          vertical_slowness_s_km(vs[:-1], p)], axis=-1)  # (K-1,2)

    # Free surface: zero traction gives the downgoing waves R_0 u and the
    # displacement C_0 u for upgoing waves u (Kennett 1983, ch. 7).
    w0 = wave[surface]
    r_free = -jnp.linalg.solve(w0[2:, :2], w0[2:, 2:])
    c_free = w0[:2, 2:] + w0[:2, :2] @ r_free
    # Per-frequency 2x2 matrices as tuples of their four entries, each of
    # shape (F,). With the phase factors kept apart from the algebra (the
    # barrier in ``step``), this runs three to four times faster on a CPU
    # than batched (F, 2, 2) matrix products, and its gradient five to six
    # times faster; compiling the gradient takes longer (about 18 s against
    # 4 s for 24 layers).
    nf = omega.shape[0]
    carry0 = (tuple(jnp.broadcast_to(x, (nf,)) for x in _entries(r_free)),
              tuple(jnp.broadcast_to(x, (nf,)) for x in _entries(c_free)))

    def step(carry, layer):
        refl, transfer = carry
        thick, q, td, ru, rd, tu = layer
        # Phase across the layer, |E| <= 1 for both branches of q.
        # The barrier keeps XLA from fusing the exponentials with the 2x2
        # algebra below into one loop kernel, which runs three times slower.
        e_p, e_s = jax.lax.optimization_barrier((jnp.exp(-1j * omega * q[0] * thick),
                                                 jnp.exp(-1j * omega * q[1] * thick)))  # (F,)
        r00, r01, r10, r11 = refl
        refl = (e_p * r00 * e_p, e_p * r01 * e_s, e_s * r10 * e_p, e_s * r11 * e_s)
        c00, c01, c10, c11 = transfer
        transfer = (c00 * e_p, c01 * e_s, c10 * e_p, c11 * e_s)
        # Interface below the layer: addition rule with the multiple-
        # reflection operator M (Kennett 1983, ch. 6).
        a00, a01, a10, a11 = _mul2(_entries(rd), refl)
        mtu = _mul2(_inv2((1.0 - a00, -a01, -a10, 1.0 - a11)), _entries(tu))
        refl = tuple(u + v for u, v in zip(_entries(ru), _mul2(_mul2(_entries(td), refl), mtu)))
        return (refl, _mul2(transfer, mtu)), None

    _, transfer = top_down(step, carry0, (h, q_layers, t_d, r_u, r_d, t_u),
                           None if n_active is None else n_active - 1)
    # Unit upgoing P in the half-space; Z is positive up, u_z positive down.
    return transfer[0], -transfer[2]


def rz_spectrum(freq_hz, thickness_km, vp_km_s, vs_km_s, rho_g_cm3, ray_parameter_s_km,
                *, earth_flattening=True):
    """Spectral ratio radial / vertical of the free-surface P response.

    Parameters are those of :func:`surface_displacement_spectra`.

    Returns
    -------
    complex array, shape (F,)
        ``R(omega) / Z(omega)``, ``exp(+i omega t)`` convention, zero delay
        for the direct P. For a half-space it is real and frequency
        independent, ``2 p vs^2 q_s / (1 - 2 vs^2 p^2)`` (Wiechert's
        apparent incidence angle, ``sin(i_app / 2) = vs p``).
    """
    radial, vertical = surface_displacement_spectra(
        freq_hz, thickness_km, vp_km_s, vs_km_s, rho_g_cm3, ray_parameter_s_km,
        earth_flattening=earth_flattening)
    return radial / vertical


def gaussian_filter(freq_hz, gauss_rad_s):
    """Gaussian low-pass ``G = exp(-omega^2 / (4 a^2))``, ``a = gauss_rad_s`` rad/s.

    ``G(0) = 1``; its impulse response is ``(a / sqrt(pi)) exp(-a^2 t^2)``,
    of unit area and peak ``a / sqrt(pi)`` in 1/s.
    """
    omega = 2.0 * jnp.pi * jnp.asarray(freq_hz, dtype=jnp.float64)
    return jnp.exp(-(omega**2) / (4.0 * gauss_rad_s**2))


def filtered_noise_correlation_s(gauss_rad_s):
    """Correlation length of white noise after the Gaussian filter, ``1 / a`` s.

    ``|G(omega)|^2 = exp(-omega^2 / (2 a^2))`` transforms to the
    autocorrelation ``exp(-a^2 tau^2 / 2)``: the Gaussian law
    ``exp(-tau^2 / (2 L^2))`` with ``L = 1 / a``. A stack of deconvolved
    records carries such noise; samples closer than ``L`` are not
    independent.
    """
    return 1.0 / float(gauss_rad_s)


def gauss_from_hz(gauss_hz):
    """Gaussian parameter in rad/s from one written in Hz.

    A filter written ``exp(-f^2 / (4 a_hz^2))`` with ``f`` in Hz equals
    ``exp(-omega^2 / (4 a^2))`` with ``a = 2 pi a_hz``.
    """
    return 2.0 * jnp.pi * gauss_hz


def gaussian_frequency_hz(gauss_rad_s, level=0.1):
    """Frequency in Hz at which the Gaussian filter ``gauss_rad_s`` falls to ``level``.

    ``f = a sqrt(-ln level) / pi``; for ``a = 2.5`` and ``level = 0.1`` about
    1.2 Hz.
    """
    return gauss_rad_s * jnp.sqrt(-jnp.log(level)) / jnp.pi


def gaussian_band_count(gauss_rad_s, dt_s, n_period, level=GAUSSIAN_BAND_LEVEL):
    """Frequencies of an rFFT of ``n_period`` samples at ``dt_s`` where the Gaussian
    filter is at least ``level`` (NumPy; the ``n_freq`` of :func:`receiver_function`).

    The lowest ``k`` with ``f_k = k / (n_period dt_s)`` below
    :func:`gaussian_frequency_hz` at ``level``, plus one, and at most
    ``n_period // 2 + 1``.
    """
    f_max = float(gauss_rad_s) * np.sqrt(-np.log(level)) / np.pi
    return int(min(n_period // 2 + 1, np.floor(f_max * n_period * float(dt_s)) + 2))


def wrap_free_period(npts, dt_s, pad_s=WRAP_PAD_S, multiple=64):
    """Samples of a transform that leaves ``pad_s`` after a record of ``npts`` samples,
    rounded up to a multiple of ``multiple`` (the ``n_period`` of :func:`receiver_function`)."""
    n = npts + int(np.ceil(pad_s / float(dt_s)))
    return int(-(-n // multiple) * multiple)


def wrap_free_sizes(npts, dt_s, gauss_rad_s):
    """``(n_period, n_freq)`` of :func:`receiver_function` for a wrap-free record of
    ``npts`` samples (:func:`wrap_free_period`, :func:`gaussian_band_count`)."""
    n_period = wrap_free_period(npts, dt_s)
    return n_period, gaussian_band_count(gauss_rad_s, dt_s, n_period)


def time_axis_s(dt_s, npts, shift_s):
    """Times of the receiver-function samples relative to the direct P, s.

    Sample ``n`` is at record time ``n dt_s``; the direct P is placed at
    record time ``shift_s``, so the axis is ``n dt_s - shift_s``, shape (npts,).
    """
    return jnp.arange(npts) * dt_s - shift_s


def brocher_density_g_cm3(vp_km_s):
    """Density from P velocity, Brocher (2005) eq. 1 (Nafe-Drake fit).

    ``rho = 1.6612 Vp - 0.4721 Vp^2 + 0.0671 Vp^3 - 0.0043 Vp^4 + 0.000106 Vp^5``
    with ``rho`` in g/cm^3 and ``Vp`` in km/s, fit for 1.5 < Vp < 8.5 km/s
    (crustal rocks and sediments; mantle densities need another relation).
    """
    vp = jnp.asarray(vp_km_s, dtype=jnp.float64)
    return vp * (1.6612 + vp * (-0.4721 + vp * (0.0671 + vp * (-0.0043 + vp * 0.000106))))


@partial(jax.jit, static_argnames=("npts", "normalize", "earth_flattening", "n_period",
                                   "n_freq"))
def receiver_function(thickness_km, vp_km_s, vs_km_s, rho_g_cm3, ray_parameter_s_km,
                      gauss_rad_s, dt_s, npts, shift_s, normalize="peak", water_level=None,
                      *, earth_flattening=True, n_active=None, n_period=None, n_freq=None):
    """P receiver function (radial over vertical) in the time domain.

    The spectral ratio ``R/Z`` (or its water-level form) is multiplied by
    the Gaussian ``G(omega) = exp(-omega^2/(4 gauss_rad_s^2))`` and by
    ``exp(-i omega shift_s)`` on the rFFT grid of ``npts`` samples at
    ``dt_s`` and transformed back. The transform is periodic: arrivals
    later than ``npts dt_s - shift_s`` after P wrap around to the start,
    unless the transform is made longer than the record (``n_period``).

    Parameters
    ----------
    thickness_km, vp_km_s, vs_km_s, rho_g_cm3, ray_parameter_s_km
        As in :func:`surface_displacement_spectra`.
    gauss_rad_s : float
        Gaussian parameter ``a`` in rad/s (Langston 1979 / Ammon convention).
    dt_s : float
        Sample interval, s.
    npts : int
        Number of samples (static).
    shift_s : float
        Record time of the direct P, s (see :func:`time_axis_s`).
    normalize : {"peak", "area", "sum"}
        Amplitude scale (static). The continuous receiver function is
        ``rf(t) = (1/2 pi) int RZ(omega) G(omega) exp(i omega (t - shift)) d omega``:
        a direct P of ratio ``r`` becomes ``r (a/sqrt(pi)) exp(-a^2 (t-shift)^2)``.

        * ``"peak"``: ``rf(t) sqrt(pi)/a``, dimensionless; the Gaussian
          pulse has unit peak, so a direct P of ratio 1 has peak 1 and every
          arrival's peak reads as its R/Z amplitude.
        * ``"area"``: ``rf(t)`` itself, in 1/s; the pulse has unit area
          (``sum(rf) dt_s`` equals the zero-frequency ratio).
        * ``"sum"``: ``rf(t) dt_s``; the discrete pulse has unit sum, the
          scale of a spike train convolved with the Gaussian in the
          frequency domain (the output of iterative time-domain
          deconvolution, Ligorria & Ammon 1999).
    water_level : float or None
        None (default): the exact ratio ``R/Z``. A number ``c``: the
        water-level deconvolution of the synthetic R and Z (Clayton &
        Wiggins 1976), ``R Z* / max(|Z|^2, c max|Z|^2)``.
    earth_flattening : bool
        Flatten the stack first (default).
    n_active : int scalar, optional
        Use only the deepest ``n_active`` layers, at a cost following it
        (see :func:`surface_displacement_spectra`).
    n_period : int, optional
        Samples of the periodic transform, >= ``npts`` (static; default
        ``npts``). The first ``npts`` samples are returned: arrivals up to
        ``n_period dt_s - shift_s`` after P stay where they are instead of
        wrapping into the record (:func:`wrap_free_period`).
    n_freq : int, optional
        Compute the spectrum at the lowest ``n_freq`` frequencies of the
        transform only and take it as zero above (static; default all):
        exact to the Gaussian's level there (:func:`gaussian_band_count`).

    Returns
    -------
    array, shape (npts,)
        The receiver function on the samples of :func:`time_axis_s`.

    Notes
    -----
    Compiled with ``jax.jit``; ``npts``, ``normalize`` and
    ``earth_flattening`` are static, and a change between ``None`` and a
    number for ``water_level`` or ``n_active`` recompiles.
    """
    if normalize not in RF_NORMALIZATIONS:
        raise ValueError(f"normalize must be one of {RF_NORMALIZATIONS}, got {normalize!r}")
    n = npts if n_period is None else n_period
    if n < npts:
        raise ValueError(f"n_period = {n_period} < npts = {npts}")
    freq = jnp.fft.rfftfreq(n, dt_s)
    if n_freq is not None:
        freq = freq[:n_freq]
    radial, vertical = surface_displacement_spectra(
        freq, thickness_km, vp_km_s, vs_km_s, rho_g_cm3, ray_parameter_s_km,
        earth_flattening=earth_flattening, n_active=n_active)
    if water_level is None:
        ratio = radial / vertical
    else:
        power = vertical.real**2 + vertical.imag**2
        ratio = radial * jnp.conj(vertical) / jnp.maximum(power, water_level * jnp.max(power))
    spectrum = ratio * gaussian_filter(freq, gauss_rad_s) * jnp.exp(-2j * jnp.pi * freq * shift_s)
    spectrum = jnp.pad(spectrum, (0, n // 2 + 1 - freq.size))
    trace = jnp.fft.irfft(spectrum, n=n)[:npts]  # = rf(t) dt_s
    if normalize == "sum":
        return trace
    if normalize == "area":
        return trace / dt_s
    return trace / dt_s * jnp.sqrt(jnp.pi) / gauss_rad_s


def ps_delay_s(thickness_km, vp_km_s, vs_km_s, ray_parameter_s_km, *, earth_flattening=True):
    """Delay of the Ps conversion from the top of the half-space behind the direct P, s.

    ``t = sum_j h_j (sqrt(1/Vs_j^2 - p^2) - sqrt(1/Vp_j^2 - p^2))`` over the
    layers above the half-space, after Earth-flattening when asked (it is
    then the spherical delay). NumPy in, float out.

    Parameters
    ----------
    thickness_km : array_like, shape (K-1,)
    vp_km_s, vs_km_s : array_like, shape (K,)
    ray_parameter_s_km : float
        Must be below ``1/vp`` of every layer above the half-space.
    earth_flattening : bool
    """
    h = np.asarray(thickness_km, dtype=float)
    vp = np.asarray(vp_km_s, dtype=float)
    vs = np.asarray(vs_km_s, dtype=float)
    if earth_flattening:
        h, vp, vs, _ = (np.asarray(a) for a in flatten_layers(h, vp, vs, np.ones_like(vp)))
    p2 = float(ray_parameter_s_km) ** 2
    qs = np.sqrt(np.maximum(1.0 / vs[:-1] ** 2 - p2, 0.0))
    qp = np.sqrt(np.maximum(1.0 / vp[:-1] ** 2 - p2, 0.0))
    return float(np.sum(h * (qs - qp)))


def required_npts(dt_s, shift_s, delay_s, gauss_rad_s):
    """Samples needed to hold the direct P at ``shift_s`` and a pulse ``delay_s`` later.

    The record must reach ``shift_s + delay_s + PULSE_HALF_WIDTH / gauss_rad_s``
    (the pulse's tail; later energy wraps around to the start in the
    periodic transform): ``ceil(that / dt_s) + 1`` samples.
    """
    end = shift_s + delay_s + PULSE_HALF_WIDTH / gauss_rad_s
    return int(np.ceil(end / dt_s - 1e-9)) + 1


def check_npts(data_npts, dt_s, shift_s, delay_s, gauss_rad_s, what):
    """Raise ``ValueError`` naming the needed length when ``data_npts`` is too short."""
    need = required_npts(dt_s, shift_s, delay_s, gauss_rad_s)
    if data_npts < need:
        raise ValueError(
            f"npts = {data_npts} is too short: with dt = {dt_s} s, shift = {shift_s} s and "
            f"{what} ({delay_s:.2f} s after P), the record needs npts >= {need} "
            f"(shift + delay + {PULSE_HALF_WIDTH:g}/gauss_rad_s = "
            f"{shift_s + delay_s + PULSE_HALF_WIDTH / gauss_rad_s:.2f} s)")


def check_evanescent(ray_parameter_s_km, vp_half_space_km_s, what):
    """Raise ``ValueError`` when ``p >= 1/vp`` (P evanescent in the half-space)."""
    p = np.max(np.asarray(ray_parameter_s_km, dtype=float))
    if p * vp_half_space_km_s >= 1.0:
        raise ValueError(
            f"ray parameter {float(p)!r} s/km: P is evanescent in a half-space of Vp = "
            f"{vp_half_space_km_s:.4g} km/s ({what}); need p < 1/Vp = "
            f"{1.0 / vp_half_space_km_s:.4g} s/km")
