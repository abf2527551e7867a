"""Receiver-function forward model and correlated-noise likelihood.

Forward model
-------------
The shared :class:`~bayesjoint.earth.LayeredEarth` carries ``vs_km_s`` and
``vp_vs`` per layer. The padded layer stack (zero-thickness layers on top,
which change nothing) gets ``vp = vs * vp_vs`` and a density from P velocity
by Brocher's (2005, BSSA 95, eq. 1) Nafe-Drake fit,
:func:`bayesjoint.physics.rf.brocher_density_g_cm3`. That fit is made for
1.5-8.5 km/s; density only scales amplitudes of converted phases weakly
and is not a parameter. One receiver function per ray parameter
(:func:`bayesjoint.physics.rf.receiver_function`, vmapped) gives the
prediction, laid out like :meth:`bayesjoint.data.RFData.observed`.

Likelihood
----------
Per trace, residual ``r = d_obs - d_pred`` is Gaussian with covariance
``C = (s D) R (s D)``: ``D = diag(std)``, ``s`` the dataset's noise scale
and ``R`` the correlation of one law (Bodin et al. 2012, JGR 117, B02301,
eqs. 7-9; the same laws as Kolb & Lekic 2014, GJI 196, 1719)::

    exponential:  R_ij = exp(-|t_i - t_j| / L)
    gaussian:     R_ij = exp(-(t_i - t_j)^2 / (2 L^2)) + nugget * delta_ij

so ``log L = -sum log(s std) - log|R| / 2 - y^T R^{-1} y / 2 - N log(2 pi) / 2``
with ``y = r / (s std)``. On the uniform time axis the exponential law is a
first-order autoregression with ``rho = exp(-dt / L)``: its inverse is
tridiagonal and ``y^T R^{-1} y = y_0^2 + sum_i (y_i - rho y_{i-1})^2 /
(1 - rho^2)``, ``log|R| = (npts - 1) log(1 - rho^2)`` (the innovations form,
i.e. the exact Cholesky factor of ``R^{-1}``; O(npts)). The Gaussian law
has no such form and uses a Cholesky factor ``L_c`` of ``R`` (O(npts^3),
fine for ``npts`` up to about 1000). Its matrix is numerically singular (the
eigenvalues decay like ``exp(-omega^2 L^2 / 2)``), hence the documented
nugget :data:`GAUSSIAN_NUGGET` on the diagonal, relative to the variance.
For a fixed correlation length ``L_c^{-1}`` is computed once per dataset
and each evaluation costs one matrix product, O(npts^2) per trace; a
sampled length is factorised at every evaluation.
"""

import functools

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np
import numpyro
import numpyro.distributions as dist

from bayesjoint.data import RFData, RFSurvey
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.likelihoods import gaussian_numpyro_likelihood
from bayesjoint.physics import rf as rf_physics
from bayesjoint.physics.rf import check_evanescent, check_npts, ps_delay_s
GAUSSIAN_NUGGET = 1e-6
"""Diagonal added to the Gaussian-law correlation matrix (fraction of the variance)."""

_LOG_2PI = np.log(2.0 * np.pi)


def receiver_functions(thickness_km, vp_km_s, vs_km_s, rho_g_cm3, survey: RFSurvey,
                       n_active=None, n_period=None, n_freq=None):
    """The receiver function of each ray parameter of a survey, shape (R, npts).

    Parameters
    ----------
    thickness_km : array, shape (K-1,)
    vp_km_s, vs_km_s, rho_g_cm3 : arrays, shape (K,)
        Layers from the surface down, the last one the half-space.
    survey : RFSurvey
    n_active, n_period, n_freq : int, optional
        As in :func:`bayesjoint.physics.rf.receiver_function`.
    """
    def one(p):
        return rf_physics.receiver_function(
            thickness_km, vp_km_s, vs_km_s, rho_g_cm3, p, survey.gauss_rad_s, survey.dt_s,
            survey.npts, survey.shift_s, normalize=survey.normalize,
            earth_flattening=survey.earth_flattening, n_active=n_active, n_period=n_period,
            n_freq=n_freq)

    return jax.vmap(one)(jnp.asarray(survey.ray_parameter_s_km))


def predict_rf(earth: LayeredEarth, survey: RFSurvey, active_only=False, wrap_free=False):
    """Predicted receiver functions, shape (R npts,) (layout of ``RFData.observed()``).

    Parameters
    ----------
    earth : LayeredEarth
        With ``vs_km_s`` and ``vp_vs``, shape (K_max,).
    survey : RFSurvey
    active_only : bool
        Run the frequency recursion over the active layers only, below the
        padding of the layer stack (same values to rounding, cost following
        ``earth.n_layers``, no reverse-mode gradient); see ``n_active`` of
        :func:`bayesjoint.physics.rf.surface_displacement_spectra`. The
        saving is close to ``(K_max - 1) / (k - 1)``: with 40 slots,
        measured on CPU, about 3.5 times faster at 10 active layers and 1.8
        at 20, and as fast as the full stack at 40; under ``vmap`` the
        largest ``k`` of the batch sets the cost.
    wrap_free : bool
        Compute on a transform :data:`~bayesjoint.physics.rf.WRAP_PAD_S`
        longer than the record and only where the Gaussian exceeds
        :data:`~bayesjoint.physics.rf.GAUSSIAN_BAND_LEVEL`, so arrivals after
        the record's end (the mantle's multiples) do not wrap into it, as
        they do not in recorded data (default False: the record's own
        period). ``bayesjoint run`` takes it from the data
        (``RFSurvey.wrap_free``).
    """
    if earth.vs_km_s is None or earth.vp_vs is None:
        raise ValueError("receiver functions need a model with vs_km_s and vp_vs")
    thickness_km, order = earth.layer_stack()
    vs = earth.vs_km_s[order]
    vp = vs * earth.vp_vs[order]
    rho = rf_physics.brocher_density_g_cm3(vp)
    n_period = n_freq = None
    if wrap_free:
        n_period, n_freq = rf_physics.wrap_free_sizes(survey.npts, survey.dt_s,
                                                      survey.gauss_rad_s)
    return receiver_functions(thickness_km, vp, vs, rho, survey,
                              n_active=earth.n_layers if active_only else None,
                              n_period=n_period, n_freq=n_freq).ravel()


def correlation_cholesky(dt_s, npts, law, correlation_s):
    """Lower Cholesky factor of the noise correlation matrix of one trace.

    Parameters
    ----------
    dt_s : float
        Sample interval, s.
    npts : int
    law : {"exponential", "gaussian"}
    correlation_s : float or scalar array
        Correlation length ``L``, s.

    Returns
    -------
    array, shape (npts, npts)
        ``L_c`` with ``L_c L_c^T = R`` (the Gaussian law with its nugget).
    """
    lag = jnp.arange(npts) * dt_s
    lag = jnp.abs(lag[:, None] - lag[None, :])
    if law == "exponential":
        corr = jnp.exp(-lag / correlation_s)
    elif law == "gaussian":
        corr = jnp.exp(-0.5 * (lag / correlation_s) ** 2) + GAUSSIAN_NUGGET * jnp.eye(npts)
    else:
        raise ValueError(f"law = {law!r}: allowed values are 'exponential', 'gaussian'")
    return jnp.linalg.cholesky(corr)


@functools.lru_cache(maxsize=8)
def fixed_correlation_whitening(dt_s, npts, law, correlation_s):
    """Inverse Cholesky factor and log-determinant of a fixed correlation, computed once.

    Evaluated eagerly even when first called inside a traced function, and
    cached on ``(dt_s, npts, law, correlation_s)``: a compiled likelihood
    holds both as constants, so each call whitens the residuals with one
    matrix product instead of factorising an (npts, npts) matrix and
    solving a triangular system.

    Parameters
    ----------
    dt_s : float
    npts : int
    law : {"exponential", "gaussian"}
    correlation_s : float
        As in :func:`correlation_cholesky`.

    Returns
    -------
    inverse_factor : ndarray, shape (npts, npts)
        ``L_c^{-1}`` (lower triangular): ``z = L_c^{-1} y`` has
        ``z^T z = y^T R^{-1} y``.
    log_det : float
        ``log|R|``.
    """
    with jax.ensure_compile_time_eval():
        chol = correlation_cholesky(dt_s, npts, law, correlation_s)
        inverse = jsl.solve_triangular(chol, jnp.eye(npts), lower=True)
        log_det = 2.0 * jnp.sum(jnp.log(jnp.diag(chol)))
    return np.asarray(inverse), float(log_det)


def correlated_log_likelihood(residual, std, noise_scale, law, correlation_s, dt_s):
    """Gaussian log-likelihood of traces with correlated noise (module docstring).

    Parameters
    ----------
    residual, std : arrays, shape (R, npts)
        Observed minus predicted, and the standard deviation per sample.
    noise_scale : float
        Factor ``s`` multiplying every ``std``.
    law : {"none", "exponential", "gaussian"}
    correlation_s : float or scalar array
        Correlation length ``L`` in s (ignored for ``"none"``). A Python
        number (a fixed length) takes the Gaussian law's factor from
        :func:`fixed_correlation_whitening`; an array (a sampled length)
        is factorised at every call.
    dt_s : float
        Sample interval, s.

    Returns
    -------
    scalar
        Sum over the (independent) traces.
    """
    sd = noise_scale * std
    y = residual / sd
    n_traces, npts = y.shape
    const = -jnp.sum(jnp.log(sd)) - 0.5 * y.size * _LOG_2PI
    if law == "none":
        return const - 0.5 * jnp.sum(y * y)
    if law == "exponential":
        # AR(1) innovations (Bodin et al. 2012, eq. 9: tridiagonal inverse).
        rho = jnp.exp(-dt_s / correlation_s)
        one_minus_rho2 = -jnp.expm1(-2.0 * dt_s / correlation_s)
        innov = y[:, 1:] - rho * y[:, :-1]
        quad = jnp.sum(y[:, 0] ** 2) + jnp.sum(innov * innov) / one_minus_rho2
        logdet = n_traces * (npts - 1) * jnp.log(one_minus_rho2)
    elif isinstance(correlation_s, (int, float)):
        inverse, log_det = fixed_correlation_whitening(float(dt_s), npts, law,
                                                       float(correlation_s))
        z = y @ inverse.T
        quad = jnp.sum(z * z)
        logdet = n_traces * log_det
    else:
        chol = correlation_cholesky(dt_s, npts, law, correlation_s)
        z = jsl.solve_triangular(chol, y.T, lower=True)
        quad = jnp.sum(z * z)
        logdet = 2.0 * n_traces * jnp.sum(jnp.log(jnp.diag(chol)))
    return const - 0.5 * logdet - 0.5 * quad


def rf_log_likelihood(observed, std, predicted, noise_scale, data: RFData):
    """Pure JAX log-likelihood (descriptor signature) with the fixed correlation length.

    Non-finite predictions give ``-inf``.

    Raises
    ------
    ValueError
        If the correlation length is sampled (``correlation_s_bounds``):
        the trans-dimensional sampler needs a fixed ``correlation_s``.
    """
    if data.correlation != "none" and data.correlation_s is None:
        raise ValueError(f"dataset {data.name!r}: the trans-dimensional sampler needs a fixed "
                         "correlation_s, not correlation_s_bounds")
    shape = (data.n_traces, data.npts)
    ll = correlated_log_likelihood((observed - predicted).reshape(shape), std.reshape(shape),
                                   noise_scale, data.correlation, data.correlation_s, data.dt_s)
    return jnp.where(jnp.all(jnp.isfinite(predicted)), ll, -jnp.inf)


def rf_numpyro_likelihood(name, predicted, data: RFData, noise_scale, spec):
    """NumPyro sites: ``rf_correlation_s_<name>`` (when sampled) and ``obs_<name>``.

    The correlation length, when sampled, is uniform between
    ``data.correlation_s_bounds``. The observation site is a factor holding
    :func:`correlated_log_likelihood`.
    """
    if data.correlation == "none":
        gaussian_numpyro_likelihood(name, predicted, data, noise_scale, spec)
        return
    length = data.correlation_s
    if length is None:
        length = numpyro.sample(f"rf_correlation_s_{name}",
                                dist.Uniform(*data.correlation_s_bounds))
    shape = (data.n_traces, data.npts)
    residual = jnp.asarray(data.rf) - predicted.reshape(shape)
    numpyro.factor(f"obs_{name}", correlated_log_likelihood(
        residual, jnp.asarray(data.rf_std), noise_scale, data.correlation, length, data.dt_s))


def check_rf_prior(data: RFData, spec):
    """Check a receiver-function dataset against a prior before sampling.

    * P must propagate in the half-space for every model of the prior:
      ``p < 1 / (vs_km_s_min vp_vs_min)`` (the slowest Vp of the prior,
      before flattening, which only makes it faster).
    * The record must hold the latest Ps conversion the prior allows: from
      ``depth_max_km`` under a uniform layer of the slowest Vs
      (``vs_km_s_min``) and the largest Vp/Vs (``vp_vs_max``), at the largest
      ray parameter (the delay grows with both), plus the pulse's half-width;
      see :func:`required_npts`.

    Raises
    ------
    ValueError
        Naming the offending ray parameter, or the number of samples needed.
    """
    check_evanescent(data.ray_parameter_s_km, spec.vs_km_s_min * spec.vp_vs_min,
                     "the prior's slowest: vs_km_s_min * vp_vs_min")
    vs = spec.vs_km_s_min
    vp = vs * spec.vp_vs_max
    delay = ps_delay_s([spec.depth_max_km], [vp, vp], [vs, vs],
                       np.max(data.ray_parameter_s_km),
                       earth_flattening=data.earth_flattening)
    check_npts(data.npts, data.dt_s, data.shift_s, delay, data.gauss_rad_s,
               f"a Ps conversion from depth_max_km = {spec.depth_max_km} km under Vs = "
               f"vs_km_s_min = {vs} km/s and Vp/Vs = vp_vs_max = {spec.vp_vs_max}")
