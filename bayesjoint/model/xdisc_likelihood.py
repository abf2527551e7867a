"""Log-likelihoods of the X-discontinuity models: exact and linearised forward.

Both take one station's data as JAX arguments (:class:`StationArrays`), not
as constants of a closure, so that one compilation serves every station of
the same shapes (traces, samples, layers).

Exact
    The receiver functions of the perturbed model
    (:mod:`bayesjoint.model.xdisc_models`) from the project's forward model.
Linearised (Born approximation)
    The models depend on their parameters only through the factor ``f`` of
    every layer's velocities (:func:`~bayesjoint.model.xdisc_models.layer_factor`).
    Around a reference factor ``f0``::

        d(f) ~ d(f0) + J (f - f0),        J = dd/df at f0        (R, W, K)

    with ``J`` from forward-mode differentiation of the exact forward model,
    with respect to the factors of the layers that the prior can perturb only
    (:func:`perturbed_layers`; every other factor is 1 for any parameters
    inside the prior, so its column never enters).
    What stays exact is the depth dependence of the factor (the tapered,
    depth-averaged steps); what is linear is the wave propagation, to first
    order in the relative velocity change (a few per cent). A likelihood
    then costs one product of ``J`` with a vector, about a thousandth of an
    exact forward; :mod:`bayesjoint.samplers.xdisc_comparison` corrects the
    approximation's residual effect on the evidence and the posterior by
    importance sampling with the exact forward.

Both forwards are free of wrap-around: the transform is
:data:`~bayesjoint.physics.rf.WRAP_PAD_S` longer than the record
(:func:`~bayesjoint.physics.rf.wrap_free_period`), so the mantle's late
multiples do not fold into it as they would in a transform of the record's
own length, and the spectrum is computed only where the Gaussian filter
exceeds :data:`~bayesjoint.physics.rf.GAUSSIAN_BAND_LEVEL`.

The noise model is that of :func:`bayesjoint.model.rf.correlated_log_likelihood`
(white or exponentially correlated, with a free noise scale), on the
samples of the time window only.
"""

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bayesjoint.data import RFData
from bayesjoint.model.rf import correlated_log_likelihood, receiver_functions
from bayesjoint.model.xdisc_models import XdiscModel, layer_factor
from bayesjoint.model.xdisc_prior import as_params
from bayesjoint.physics import rf as rf_physics

LAWS = ("none", "exponential")
"""Noise correlation laws the X-discontinuity likelihoods take."""


class StationArrays(NamedTuple):
    """One station's data and background model as arrays (a JAX pytree).

    Attributes
    ----------
    top_depth_km, vs_km_s, vp_vs : arrays, shape (K,)
        The background of :class:`~bayesjoint.model.xdisc_models.XdiscModel`.
    taper_km : scalar
    ray_parameter_s_km : array, shape (R,)
    gauss_rad_s, dt_s, shift_s : scalars
        As in :class:`~bayesjoint.data.RFSurvey`.
    window_start : int scalar
        Index of the first sample of the time window.
    observed, std : arrays, shape (R, W)
        The data and their standard deviations inside the window.
    correlation_s : scalar
        Noise correlation length, s (ignored for white noise).
    """

    top_depth_km: jax.Array
    vs_km_s: jax.Array
    vp_vs: jax.Array
    taper_km: jax.Array
    ray_parameter_s_km: jax.Array
    gauss_rad_s: jax.Array
    dt_s: jax.Array
    shift_s: jax.Array
    window_start: jax.Array
    observed: jax.Array
    std: jax.Array
    correlation_s: jax.Array


class Static(NamedTuple):
    """What selects a compilation (hashable): samples per trace, of the wrap-free
    transform and of its computed band, normalisation, Earth flattening, the
    noise law, and the first and stop index of the layers the prior can
    perturb (:func:`perturbed_layers`)."""

    npts: int
    n_period: int
    n_freq: int
    normalize: str
    earth_flattening: bool
    law: str
    perturbed: tuple


def perturbed_layers(top_depth_km, depth_range_km, taper_km):
    """First and stop index of the layers whose factor can differ from 1.

    A discontinuity at depth ``d`` changes the factor of the layers that
    overlap ``(d - taper_km, d + taper_km)`` only
    (:func:`~bayesjoint.model.xdisc_models.layer_factor`).

    Parameters
    ----------
    top_depth_km : array, shape (K,)
        Layer tops, the last the half-space's.
    depth_range_km : (float, float) or None
        Shallowest and deepest depth of any discontinuity in the prior; None:
        every layer.
    taper_km : float

    Returns
    -------
    (int, int)
    """
    top = np.asarray(top_depth_km, dtype=float)
    if depth_range_km is None:
        return 0, int(top.size)
    bottom = np.append(top[1:], np.inf)
    near = np.flatnonzero((bottom > depth_range_km[0] - taper_km)
                          & (top < depth_range_km[1] + taper_km))
    return int(near[0]), int(near[-1]) + 1


class Linearisation(NamedTuple):
    """A linearisation point of the forward model (a JAX pytree).

    Attributes
    ----------
    factor : array, shape (K,)
        The reference factor ``f0``.
    predicted : array, shape (R, W)
        ``d(f0)`` inside the window.
    jacobian : array, shape (R, W, Kp)
        ``dd/df`` at ``f0`` for the ``Kp`` layers from ``first_layer`` on
        (:attr:`Static.perturbed`).
    first_layer : int scalar
    """

    factor: jax.Array
    predicted: jax.Array
    jacobian: jax.Array
    first_layer: jax.Array


def station_arrays(xmodel: XdiscModel, data: RFData, window: slice, depth_range_km=None):
    """The arrays and the static settings of one station.

    Parameters
    ----------
    xmodel : XdiscModel
    data : RFData
        With ``correlation`` one of :data:`LAWS` and, when correlated, a
        fixed ``correlation_s``.
    window : slice
        Samples of every trace that enter the likelihood (a step of 1).
    depth_range_km : (float, float), optional
        Shallowest and deepest discontinuity depth of the prior, km: the
        linearisation differentiates only the layers near them
        (:func:`perturbed_layers`). Default: every layer.

    Returns
    -------
    StationArrays, Static
    """
    if data.correlation not in LAWS:
        raise ValueError(f"noise correlation {data.correlation!r}: the X-discontinuity "
                         f"detector takes {LAWS}")
    if data.correlation != "none" and data.correlation_s is None:
        raise ValueError("the detector needs a fixed correlation_s, not correlation_s_bounds")
    survey = data.survey
    f64 = functools.partial(jnp.asarray, dtype=jnp.float64)
    arrays = StationArrays(
        f64(xmodel.top_depth_km), f64(xmodel.vs_km_s), f64(xmodel.vp_vs), f64(xmodel.taper_km),
        f64(survey.ray_parameter_s_km), f64(survey.gauss_rad_s), f64(survey.dt_s),
        f64(survey.shift_s), jnp.asarray(window.start, dtype=jnp.int32),
        f64(np.asarray(data.rf)[:, window]), f64(np.asarray(data.rf_std)[:, window]),
        f64(data.correlation_s if data.correlation != "none" else 1.0))
    n_period, n_freq = rf_physics.wrap_free_sizes(survey.npts, survey.dt_s, survey.gauss_rad_s)
    static = Static(int(survey.npts), n_period, n_freq, survey.normalize,
                    bool(survey.earth_flattening), data.correlation,
                    perturbed_layers(xmodel.top_depth_km, depth_range_km, xmodel.taper_km))
    return arrays, static


def _factor(vector, arrays):
    return layer_factor(arrays.top_depth_km, as_params("x", vector), arrays.taper_km)


def _predict_from_factor(factor, arrays, static):
    """Receiver functions of the layer factor inside the window, shape (R, W)."""
    vs = arrays.vs_km_s * factor
    vp = vs * arrays.vp_vs
    thickness = jnp.diff(arrays.top_depth_km)
    survey = _Survey(arrays.ray_parameter_s_km, arrays.gauss_rad_s, arrays.dt_s, static.npts,
                     arrays.shift_s, static.normalize, static.earth_flattening)
    pred = receiver_functions(thickness, vp, vs, rf_physics.brocher_density_g_cm3(vp), survey,
                              n_period=static.n_period, n_freq=static.n_freq)
    return jax.lax.dynamic_slice_in_dim(pred, arrays.window_start, arrays.observed.shape[1],
                                        axis=1)


class _Survey(NamedTuple):
    """The fields of :class:`~bayesjoint.data.RFSurvey` that the forward model reads, traced."""

    ray_parameter_s_km: jax.Array
    gauss_rad_s: jax.Array
    dt_s: jax.Array
    npts: int
    shift_s: jax.Array
    normalize: str
    earth_flattening: bool


def log_likelihood_at(predicted, log_noise_scale, arrays: StationArrays, law):
    """Log-likelihood of the predictions (shape (R, W)) inside the window, with the noise
    scale ``exp(log_noise_scale)`` on the stated standard deviations (module docstring);
    ``-inf`` where a prediction is not finite."""
    ll = correlated_log_likelihood(arrays.observed - predicted, arrays.std,
                                   jnp.exp(log_noise_scale), law, arrays.correlation_s,
                                   arrays.dt_s)
    return jnp.where(jnp.all(jnp.isfinite(predicted)), ll, -jnp.inf)


def _log_likelihood(vector, predicted, arrays, law):
    return log_likelihood_at(predicted, as_params("x", vector)["log_noise_scale"], arrays, law)


def exact_predict(vectors, arrays: StationArrays, static: Static):
    """Exact predictions of parameter vectors inside the window, shape (M, R, W)."""
    return exact_predict_factors(jax.vmap(lambda v: _factor(v, arrays))(jnp.asarray(vectors)),
                                 arrays, static)


@functools.partial(jax.jit, static_argnames="static")
def exact_predict_factors(factors, arrays: StationArrays, static: Static):
    """Exact predictions of layer factors (shape (M, K)) inside the window, shape (M, R, W)."""
    return jax.vmap(lambda f: _predict_from_factor(f, arrays, static))(factors)


@functools.partial(jax.jit, static_argnames="static")
def linearise_factor(f0, arrays: StationArrays, static: Static) -> Linearisation:
    """The :class:`Linearisation` at the layer factor ``f0`` (shape (K,))."""
    first, stop = static.perturbed
    pred = _predict_from_factor(f0, arrays, static)
    jac = jax.jacfwd(lambda part: _predict_from_factor(f0.at[first:stop].set(part), arrays,
                                                       static))(f0[first:stop])
    return Linearisation(f0, pred, jac, jnp.asarray(first, dtype=jnp.int32))


def linearise(vector, arrays: StationArrays, static: Static) -> Linearisation:
    """The :class:`Linearisation` at the parameter vector ``vector`` (shape (P,))."""
    return linearise_factor(_factor(jnp.asarray(vector), arrays), arrays, static)


def linear_predict_factors(factors, lin: Linearisation):
    """Linearised predictions of layer factors (shape (..., K)) inside the window,
    shape (..., R, W)."""
    delta = jax.lax.dynamic_slice_in_dim(factors - lin.factor, lin.first_layer,
                                         lin.jacobian.shape[-1], axis=-1)
    return lin.predicted + jnp.einsum("rwk,...k->...rw", lin.jacobian, delta)


def linear_predict(vectors, arrays: StationArrays, lin: Linearisation):
    """Linearised predictions of parameter vectors inside the window, shape (M, R, W)."""
    return linear_predict_factors(jax.vmap(lambda v: _factor(v, arrays))(vectors), lin)


@functools.cache
def exact_log_likelihood(static: Static):
    """The batched exact log-likelihood ``f(vectors (M, P), arrays) -> (M,)`` of ``static``.

    The same function object for the same ``static``, so the samplers'
    compilations are reused between stations.
    """
    def log_likelihood(vectors, arrays):
        pred = exact_predict(vectors, arrays, static)
        return jax.vmap(lambda v, p: _log_likelihood(v, p, arrays, static.law))(vectors, pred)

    return log_likelihood


@functools.cache
def linear_log_likelihood(law: str):
    """The batched linearised log-likelihood ``f(vectors (M, P), (arrays, lin)) -> (M,)``.

    One function object per noise law (see :func:`exact_log_likelihood`).
    """
    def log_likelihood(vectors, args):
        arrays, lin = args
        pred = linear_predict(vectors, arrays, lin)
        return jax.vmap(lambda v, p: _log_likelihood(v, p, arrays, law))(vectors, pred)

    return log_likelihood
