"""Per-dataset predictions and Gaussian log-likelihoods.

Each dataset type has a ``predict`` function: a pure JAX map from a
:class:`~bayesjoint.earth.LayeredEarth` to a real vector laid out like the
dataset's ``observed()``. The log-likelihood of a dataset with noise scale
``s`` (multiplying its stated standard deviations ``std``) is::

    log L = -sum( log(s std) + 0.5 ((obs - pred) / (s std))^2 + 0.5 log(2 pi) )

A prediction that is not finite gives ``log L = -inf``.
"""

import jax.numpy as jnp
import numpy as np

from bayesjoint.data import MTData
from bayesjoint.earth import LayeredEarth
from bayesjoint.physics import mt as mt_physics

_LOG_2PI = np.log(2.0 * np.pi)


def predict_mt(earth: LayeredEarth, data: MTData):
    """Predicted MT data vector for ``data`` (layout of ``data.observed()``)."""
    thickness_m, sigma = earth.sigma_stack()
    period = jnp.asarray(data.period_s)
    z = mt_physics.impedance(period, thickness_m, sigma)
    if data.kind == "impedance":
        return jnp.concatenate([z.real, z.imag])
    rho_a, phase = mt_physics.apparent_resistivity_phase(period, z)
    return jnp.concatenate([jnp.log10(rho_a), phase])


PREDICTORS = {MTData: predict_mt}


def predictor(data):
    """The ``predict(earth, data)`` function for a dataset's type."""
    try:
        return PREDICTORS[type(data)]
    except KeyError:
        raise TypeError(f"no forward model is registered for {type(data).__name__}") from None


def gaussian_log_likelihood(observed, std, predicted, noise_scale=1.0):
    """Independent Gaussian log-likelihood with scaled standard deviations.

    Parameters
    ----------
    observed, std, predicted : arrays, shape (N,)
    noise_scale : float
        Factor multiplying every ``std``.
    """
    sd = noise_scale * std
    r = (observed - predicted) / sd
    ll = -jnp.sum(jnp.log(sd) + 0.5 * r * r + 0.5 * _LOG_2PI)
    return jnp.where(jnp.all(jnp.isfinite(predicted)), ll, -jnp.inf)
