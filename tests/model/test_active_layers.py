"""Forward models that visit only the active layers give the padded stack's values.

The MT recursion passes a zero-thickness layer through exactly, so the two
agree bit for bit; the sphere recursion converts its admittance to a
reflection ratio and back in every shell, which rounds, so there the
padded stack differs by a few units in the last place (the active-layer
value is the one with fewer roundings).
"""

import jax
import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.datasets import reference_experiment
from bayesjoint.model.joint import make_log_likelihood
from bayesjoint.model.prior import PriorSpec
from bayesjoint.datatypes import descriptor
from bayesjoint.samplers import rjmcmc

SPEC = PriorSpec(interfaces="sampled", k_min=1, k_max=12, depth_max_km=2000.0,
                 min_thickness_km=33.0, smoothness_std=0.5)


@pytest.fixture(scope="module")
def experiment():
    return reference_experiment(seed=3)


@pytest.fixture(scope="module")
def earths():
    keys = jax.random.split(jax.random.PRNGKey(5), 16)
    earth, _ = jax.vmap(lambda k: rjmcmc.sample_prior(k, SPEC, 1))(keys)
    assert len(np.unique(np.asarray(earth.n_layers))) > 3  # many layer counts in one batch
    return earth


@pytest.mark.parametrize("name", ["mt", "dst", "sq"])
def test_active_layer_prediction_equals_the_full_stack(experiment, earths, name):
    data = getattr(experiment, name)
    entry = descriptor(data)
    survey = data.survey
    full = jax.jit(jax.vmap(lambda e: entry.predict(e, survey)))(earths)
    active = jax.jit(jax.vmap(lambda e: entry.predict(e, survey, active_only=True)))(earths)
    one_by_one = jax.jit(lambda e: jax.lax.map(
        lambda x: entry.predict(x, survey, active_only=True), e))(
        earths)
    rtol = 0.0 if name == "mt" else 1e-12
    np.testing.assert_allclose(np.asarray(active), np.asarray(full), rtol=rtol, atol=0)
    np.testing.assert_allclose(np.asarray(one_by_one), np.asarray(active), rtol=rtol, atol=0)


def test_active_layer_joint_log_likelihood_equals_the_full_one(experiment, earths):
    datasets = [experiment.mt, experiment.sq, experiment.dst]
    full = make_log_likelihood(datasets, SPEC)
    active = make_log_likelihood(datasets, SPEC, active_only=True)
    noise = np.ones((16, 3))
    a = jax.jit(jax.vmap(active))(earths, noise)
    b = jax.jit(jax.vmap(full))(earths, noise)
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-11, atol=0)
