"""Models over several datasets on one layered Earth.

``build_model`` gives a NumPyro model for fixed-dimension sampling (NUTS);
``make_log_likelihood`` gives the same likelihood as a pure JAX function of
a :class:`~bayesjoint.earth.LayeredEarth` and the noise scales, for the
trans-dimensional sampler. Both are built from the same ``predict``
functions and the same :class:`~bayesjoint.model.prior.PriorSpec`.
"""

import jax.numpy as jnp
import numpyro

from bayesjoint.model.prior import PriorSpec, sample_earth, sample_noise_scale
from bayesjoint.model.registry import check_datasets, lookup


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
    the observation site(s) of its registered likelihood (``obs_<name>``).

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
    check_datasets(datasets, spec)
    entries = [(d, lookup(d)) for d in datasets]
    seismic = needs_seismic(datasets)

    def model():
        earth = sample_earth(spec, seismic=seismic)
        for data, entry in entries:
            scale = sample_noise_scale(data.name, spec)
            pred = numpyro.deterministic(f"pred_{data.name}", entry.predict(earth, data))
            entry.numpyro_likelihood(data.name, pred, data, scale, spec)

    return model


def needs_seismic(datasets):
    """Whether any dataset's forward model reads the seismic properties."""
    return any(lookup(d).needs_seismic for d in datasets)


def make_log_likelihood(datasets, spec: PriorSpec | None = None, active_only=False):
    """Pure joint log-likelihood ``f(earth, noise_scale) -> scalar``.

    ``noise_scale`` has shape (D,), one factor per dataset in the order
    given. Non-finite predictions give ``-inf``. With ``spec``, the
    datasets are first checked against the prior. With ``active_only``
    the forward models that can visit only the active layers do so (same
    values, cost following the layer count; for the trans-dimensional
    sampler, which needs no gradient).
    """
    datasets = list(datasets)
    dataset_names(datasets)
    if spec is not None:
        check_datasets(datasets, spec)
    packed = [(lookup(d), d, jnp.asarray(d.observed()), jnp.asarray(d.std())) for d in datasets]

    def log_likelihood(earth, noise_scale):
        total = 0.0
        for i, (entry, data, obs, std) in enumerate(packed):
            predict = (entry.predict_active if active_only and entry.predict_active is not None
                       else entry.predict)
            pred = predict(earth, data)
            total = total + entry.log_likelihood(obs, std, pred, noise_scale[i], data)
        return total

    return log_likelihood
