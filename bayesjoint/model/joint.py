"""Models over several datasets on one layered Earth.

``build_model`` gives a NumPyro model for fixed-dimension sampling (NUTS);
``make_log_likelihood`` gives the same likelihood as a pure JAX function of
a :class:`~bayesjoint.earth.LayeredEarth` and the noise scales, for the
trans-dimensional sampler. Both are built from the same ``predict``
functions and the same :class:`~bayesjoint.model.prior.PriorSpec`.
"""

import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist

from bayesjoint.model.likelihoods import gaussian_log_likelihood, predictor
from bayesjoint.model.prior import PriorSpec, sample_earth, sample_noise_scale


def dataset_names(datasets):
    """Names of the datasets, checked to be unique."""
    names = [d.name for d in datasets]
    if len(set(names)) != len(names):
        raise ValueError(f"dataset names must be unique, got {names}")
    return names


def build_model(datasets, spec: PriorSpec):
    """NumPyro model: the shared prior plus one Gaussian likelihood per dataset.

    Sites added per dataset ``name``: ``noise_scale_<name>`` (when the noise
    is hierarchical), ``pred_<name>`` (deterministic prediction vector) and
    the observed site ``obs_<name>``.

    Parameters
    ----------
    datasets : sequence of dataset containers (e.g. :class:`~bayesjoint.data.MTData`)
    spec : PriorSpec

    Returns
    -------
    callable
        ``model()`` for :class:`numpyro.infer.MCMC`.
    """
    datasets = list(datasets)
    dataset_names(datasets)
    packed = [(d.name, predictor(d), d, jnp.asarray(d.observed()), jnp.asarray(d.std()))
              for d in datasets]

    def model():
        earth = sample_earth(spec)
        for name, predict, data, obs, std in packed:
            scale = sample_noise_scale(name, spec)
            pred = numpyro.deterministic(f"pred_{name}", predict(earth, data))
            numpyro.sample(f"obs_{name}", dist.Normal(pred, scale * std).to_event(1), obs=obs)

    return model


def make_log_likelihood(datasets):
    """Pure joint log-likelihood ``f(earth, noise_scale) -> scalar``.

    ``noise_scale`` has shape (D,), one factor per dataset in the order
    given. Non-finite predictions give ``-inf``.
    """
    datasets = list(datasets)
    dataset_names(datasets)
    packed = [(predictor(d), d, jnp.asarray(d.observed()), jnp.asarray(d.std())) for d in datasets]

    def log_likelihood(earth, noise_scale):
        total = 0.0
        for i, (predict, data, obs, std) in enumerate(packed):
            total = total + gaussian_log_likelihood(obs, std, predict(earth, data), noise_scale[i])
        return total

    return log_likelihood
