"""Gaussian log-likelihood with a scaled standard deviation.

The log-likelihood of a dataset with noise scale ``s`` (multiplying its
stated standard deviations ``std``) is::

    log L = -sum( log(s std) + 0.5 ((obs - pred) / (s std))^2 + 0.5 log(2 pi) )

A prediction that is not finite gives ``log L = -inf``.
"""

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

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


def gaussian_numpyro_likelihood(name, predicted, data, noise_scale, spec):
    """Independent Gaussian NumPyro observation site ``obs_<name>``.

    Parameters
    ----------
    name : str
    predicted : array, shape (N,)
    data : dataset container
        Its ``observed()`` and ``std()``, shape (N,).
    noise_scale : float
        Factor multiplying every ``std``.
    spec : PriorSpec
        Unused by this likelihood (the signature of every data type's).
    """
    numpyro.sample(f"obs_{name}",
                   dist.Normal(predicted, noise_scale * data.std()).to_event(1),
                   obs=data.observed())
