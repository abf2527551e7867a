"""Gaussian log-likelihood with a scaled standard deviation.

The log-likelihood of a dataset with noise scale ``s`` (multiplying its
stated standard deviations ``std``) is::

    log L = -sum( log(s std) + 0.5 ((obs - pred) / (s std))^2 + 0.5 log(2 pi) )

A prediction that is not finite gives ``log L = -inf``.
"""

import jax.numpy as jnp
import numpy as np

_LOG_2PI = np.log(2.0 * np.pi)


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
