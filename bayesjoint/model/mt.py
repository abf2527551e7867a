"""MT forward model on the shared layered Earth, and the MT likelihood with a static shift.

Static shift
------------
Galvanic distortion by small near-surface bodies multiplies a site's
apparent resistivity by an unknown factor, the same at every period, and
leaves the phase unchanged. With ``data.static_shift_std_log10 = t``
(:class:`~bayesjoint.data.MTData`) the observed log10 rho_a is modelled as
``pred + d + e``: one shift ``d ~ N(0, (t s)^2)`` and independent errors
``e_i ~ N(0, (s std_i)^2)``, with ``s`` the dataset's noise scale. The
shift is integrated out: the log10 rho_a block is Gaussian with covariance
``s^2 (D + t^2 1 1^T)``, ``D = diag(std^2)``, whose inverse and determinant
follow from the Sherman-Morrison formula. With ``r`` the residuals,
``w = 1 / std^2``, ``W = sum(w)`` and ``b = sum(w r)``::

    r^T (D + t^2 1 1^T)^-1 r = sum(w r^2) - t^2 b^2 / (1 + t^2 W)
    log det(D + t^2 1 1^T)  = sum(log std^2) + log(1 + t^2 W)

Because the prior std of the shift scales with the noise scale, the
covariance stays ``s^2`` times a fixed matrix, and the log-likelihood keeps
the form ``c - N log s - q / (2 s^2)`` that
:class:`~bayesjoint.model.joint.JointLogLikelihood` splits into a misfit
and the noise scale (exact, also when the noise scale is sampled). Given a
model and ``s``, the shift is Gaussian with mean ``b / (1/t^2 + W)`` and
std ``s / sqrt(1/t^2 + W)`` (:func:`static_shift_posterior`).
"""

import jax.numpy as jnp
import numpy as np
import numpyro

from bayesjoint.data import MTData, MTSurvey
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.likelihoods import gaussian_log_likelihood
from bayesjoint.physics import mt as mt_physics

_LOG_2PI = np.log(2.0 * np.pi)


def predict_mt(earth: LayeredEarth, survey: MTSurvey, active_only=False):
    """Predicted MT data vector of a survey, shape (2P,) (layout of ``MTData.observed()``).

    ``[Re Z, Im Z]`` in ohm for ``survey.kind == "impedance"``, else
    ``[log10 rho_a, phase_deg]``.

    With ``active_only`` the recursion visits only the model's active
    layers (same values, cost following the layer count; no reverse-mode
    gradient), see :func:`bayesjoint.physics.mt.impedance`.
    """
    thickness_m, sigma = earth.sigma_stack()
    period = jnp.asarray(survey.period_s)
    z = mt_physics.impedance(period, thickness_m, sigma,
                             n_active=earth.n_layers if active_only else None)
    if survey.kind == "impedance":
        return jnp.concatenate([z.real, z.imag])
    rho_a, phase = mt_physics.apparent_resistivity_phase(period, z)
    return jnp.concatenate([jnp.log10(rho_a), phase])


def static_shift_log_likelihood(residual, std, shift_std_log10, noise_scale=1.0):
    """Gaussian log-likelihood of log10 rho_a residuals with a static shift integrated out.

    Parameters
    ----------
    residual : array, shape (..., P)
        Observed minus predicted log10 rho_a.
    std : array, shape (P,)
        Standard deviation of each observed log10 rho_a.
    shift_std_log10 : float
        Prior std ``t`` of the shift at unit noise scale, log10 units.
    noise_scale : float or array, shape (...)
        ``s``: multiplies ``std`` and ``t``.

    Returns
    -------
    array, shape (...)
        ``log N(residual; 0, s^2 (diag(std^2) + t^2 1 1^T))``.
    """
    w = 1.0 / std**2
    t2 = shift_std_log10**2
    s = jnp.asarray(noise_scale)[..., None]
    big_w = jnp.sum(w)
    b = jnp.sum(w * residual, axis=-1)
    quad = jnp.sum(w * residual**2, axis=-1) - t2 * b**2 / (1.0 + t2 * big_w)
    n = residual.shape[-1]
    log_det = (2.0 * n * jnp.log(s[..., 0]) + jnp.sum(jnp.log(std**2))
               + jnp.log1p(t2 * big_w))
    return -0.5 * (quad / s[..., 0] ** 2 + log_det + n * _LOG_2PI)


def static_shift_posterior(residual, std, shift_std_log10, noise_scale=1.0):
    """Mean and std of the static shift given a model (its conditional posterior).

    Parameters
    ----------
    residual : array_like, shape (..., P)
        Observed minus predicted log10 rho_a (without the shift).
    std : array_like, shape (P,)
    shift_std_log10 : float
    noise_scale : float or array_like, shape (...)

    Returns
    -------
    mean, std : ndarray, shape (...)
        ``b / (1/t^2 + W)`` and ``s / sqrt(1/t^2 + W)``, log10 units.
    """
    residual = np.asarray(residual, dtype=float)
    w = 1.0 / np.asarray(std, dtype=float) ** 2
    precision = 1.0 / shift_std_log10**2 + np.sum(w)
    mean = np.sum(w * residual, axis=-1) / precision
    return mean, np.asarray(noise_scale, dtype=float) / np.sqrt(precision) * np.ones_like(mean)


def mt_log_likelihood(observed, std, predicted, noise_scale, data: MTData):
    """Log-likelihood of MT data: independent Gaussian, with the static shift when set.

    Parameters
    ----------
    observed, std, predicted : arrays, shape (2P,)
        Layout of ``data.observed()``.
    noise_scale : float
    data : MTData
        Its ``static_shift_std_log10`` (None: no shift).
    """
    t = data.static_shift_std_log10
    if t is None:
        return gaussian_log_likelihood(observed, std, predicted, noise_scale)
    p = data.period_s.size
    ll = (static_shift_log_likelihood(observed[:p] - predicted[:p], std[:p], t, noise_scale)
          + gaussian_log_likelihood(observed[p:], std[p:], predicted[p:], noise_scale))
    return jnp.where(jnp.all(jnp.isfinite(predicted)), ll, -jnp.inf)


def mt_numpyro_likelihood(name, predicted, data: MTData, noise_scale, spec):
    """NumPyro observation site ``obs_<name>`` of :func:`mt_log_likelihood` (a factor).

    ``spec`` is unused (the signature of every data type's likelihood).
    """
    numpyro.factor(f"obs_{name}", mt_log_likelihood(
        jnp.asarray(data.observed()), jnp.asarray(data.std()), predicted, noise_scale, data))
