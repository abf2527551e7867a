"""The joint log-likelihood splits into forward-model misfits and noise scales.

Every registered likelihood is Gaussian with its covariance scaled by the
square of the dataset's noise scale, so ``log L(s) = c - N log s - q / (2 s^2)``
with ``q`` the misfit at unit scale. These tests hold each data type to that
contract (against the registry's own log-likelihood at many noise scales),
and check the misfit's meaning (chi-square for independent errors, inf for
a prediction that is not finite).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.data import RFData
from bayesjoint.datasets import reference_experiment
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.joint import make_log_likelihood
from bayesjoint.model.prior import PriorSpec
from bayesjoint.datatypes import descriptor
from bayesjoint.samplers import rjmcmc

SPEC = PriorSpec(interfaces="sampled", k_min=1, k_max=8, depth_max_km=2000.0,
                 min_thickness_km=33.0, smoothness_std=0.5)


@pytest.fixture(scope="module")
def experiment():
    return reference_experiment(seed=4)


def _rf_data(law):
    p = np.array([0.05, 0.07])
    rng = np.random.default_rng(1)
    kw = {} if law == "none" else {"correlation_s": 0.4}
    return RFData.from_traces(rng.normal(0.0, 0.05, (2, 120)), p, dt_s=0.1, shift_s=3.0,
                              gauss_rad_s=2.5, std=0.05, correlation=law, **kw)


def _earths(n, seismic):
    keys = jax.random.split(jax.random.PRNGKey(9), n)
    earth, _ = jax.vmap(lambda k: rjmcmc.sample_prior(k, SPEC, 1, seismic))(keys)
    return earth


def _registry_sum(datasets, earth, noise):
    total = 0.0
    for i, d in enumerate(datasets):
        entry = descriptor(d)
        total += entry.log_likelihood(jnp.asarray(d.observed()), jnp.asarray(d.std()),
                                      entry.predict(earth, d.survey), noise[i], d)
    return total


@pytest.mark.parametrize("case", ["em", "rf-none", "rf-exponential", "rf-gaussian"])
def test_split_log_likelihood_equals_the_registry_at_any_noise_scale(experiment, case):
    if case == "em":
        datasets, seismic = [experiment.mt, experiment.sq, experiment.dst], False
    else:
        datasets, seismic = [_rf_data(case[3:])], True
    loglik = make_log_likelihood(datasets)
    earths = _earths(6, seismic)
    noise = np.exp(np.random.default_rng(2).uniform(-1.5, 1.5, (6, len(datasets))))
    split = np.asarray(jax.jit(jax.vmap(loglik))(earths, noise))
    direct = np.asarray(jax.jit(jax.vmap(lambda e, s: _registry_sum(datasets, e, s)))(
        earths, noise))
    np.testing.assert_allclose(split, direct, rtol=1e-11)
    assert np.ptp(split) > 0


def test_misfit_is_chi_square_for_independent_errors(experiment):
    mt = experiment.mt
    loglik = make_log_likelihood([mt])
    earth = experiment.truth
    pred = np.asarray(descriptor(mt).predict(earth, mt.survey))
    chi2 = np.sum(((np.asarray(mt.observed()) - pred) / np.asarray(mt.std())) ** 2)
    np.testing.assert_allclose(np.asarray(loglik.misfit(earth)), [chi2], rtol=1e-10)
    assert loglik.n_data.tolist() == [np.size(mt.observed())]


def test_non_finite_prediction_gives_infinite_misfit(experiment):
    loglik = make_log_likelihood([experiment.mt])
    bad = LayeredEarth.from_layers([0.0, 10.0], log10_sigma=[jnp.nan, 0.0])
    assert np.isinf(np.asarray(loglik.misfit(bad))).all()
    assert np.asarray(loglik(bad, jnp.ones(1))) == -np.inf
