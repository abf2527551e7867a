"""Models over several datasets on one layered Earth.

``build_model`` gives a NumPyro model for fixed-dimension sampling (NUTS);
``make_log_likelihood`` gives the same likelihood as a pure JAX function of
a :class:`~bayesjoint.earth.LayeredEarth` and the noise scales, for the
trans-dimensional sampler. Both are built from the same ``predict``
functions and the same :class:`~bayesjoint.model.prior.PriorSpec`.
"""

import jax.numpy as jnp
import numpy as np
import numpyro

from bayesjoint.datatypes import check_datasets, descriptor
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
    entries = [(d, descriptor(d)) for d in datasets]
    seismic = needs_seismic(datasets)

    def model():
        earth = sample_earth(spec, seismic=seismic)
        for data, entry in entries:
            scale = sample_noise_scale(data.name, spec)
            pred = numpyro.deterministic(f"pred_{data.name}", entry.predict(earth, data.survey))
            entry.numpyro_likelihood(data.name, pred, data, scale, spec)

    return model


def needs_seismic(datasets):
    """Whether any dataset's forward model reads the seismic properties."""
    return any(descriptor(d).needs_seismic for d in datasets)


class JointLogLikelihood:
    """Joint log-likelihood of several datasets, ``f(earth, noise_scale) -> scalar``.

    Every registered likelihood is Gaussian with covariance proportional to
    the square of its dataset's noise scale ``s_d`` (the scale multiplies
    each stated standard deviation), so per dataset::

        log L_d(s_d) = c_d - N_d log s_d - q_d / (2 s_d^2)

    with ``c_d`` the normalising constant at ``s_d = 1`` (the log-likelihood
    of a perfect fit, computed once from the data), ``N_d`` the number of
    data and ``q_d = 2 (c_d - log L_d(1))`` the quadratic form of the
    residual at unit noise scale (chi-square for independent errors).
    :meth:`misfit` gives ``q`` (the forward models' work) and
    :meth:`from_misfit` the log-likelihood for any noise scales (no forward
    model): a sampler that stores ``q`` updates the noise scales without
    evaluating the forward models again.

    Parameters
    ----------
    datasets : sequence of dataset containers
    spec : PriorSpec, optional
        When given, the datasets are first checked against the prior.
    active_only : bool
        Use the forward models that visit only the active layers (same
        values, cost following the layer count; for the trans-dimensional
        sampler, which needs no gradient).
    """

    def __init__(self, datasets, spec: PriorSpec | None = None, active_only=False):
        datasets = list(datasets)
        dataset_names(datasets)
        if spec is not None:
            check_datasets(datasets, spec)
        self._packed = [(descriptor(d), d, jnp.asarray(d.observed()), jnp.asarray(d.std()))
                        for d in datasets]
        self._active_only = bool(active_only)
        self.n_data = np.array([np.size(d.observed()) for d in datasets], dtype=float)
        self.perfect_fit = np.array(
            [float(entry.log_likelihood(obs, std, obs, 1.0, data))
             for entry, data, obs, std in self._packed])

    def misfit(self, earth):
        """Quadratic form ``q_d`` of each dataset's residual at unit noise scale.

        Returns
        -------
        array, shape (D,)
            ``inf`` where a prediction is not finite.
        """
        unit = []
        for entry, data, obs, std in self._packed:
            pred = entry.predict(earth, data.survey, active_only=self._active_only)
            unit.append(entry.log_likelihood(obs, std, pred, 1.0, data))
        q = 2.0 * (jnp.asarray(self.perfect_fit) - jnp.stack(unit))
        return jnp.where(jnp.isnan(q), jnp.inf, q)

    def from_misfit(self, misfit, noise_scale):
        """Joint log-likelihood from the misfits ``q`` (D,) and noise scales ``s`` (D,)."""
        s = jnp.asarray(noise_scale)
        terms = (jnp.asarray(self.perfect_fit) - jnp.asarray(self.n_data) * jnp.log(s)
                 - 0.5 * misfit / (s * s))
        return jnp.sum(terms)

    def __call__(self, earth, noise_scale):
        return self.from_misfit(self.misfit(earth), noise_scale)


def make_log_likelihood(datasets, spec: PriorSpec | None = None, active_only=False):
    """Pure joint log-likelihood ``f(earth, noise_scale) -> scalar``.

    ``noise_scale`` has shape (D,), one factor per dataset in the order
    given. Non-finite predictions give ``-inf``. Returns a
    :class:`JointLogLikelihood` (see there for ``spec`` and ``active_only``).
    """
    return JointLogLikelihood(datasets, spec, active_only)
