"""Dst and Sq forward models on the shared layered Earth."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from numpyro.infer.util import initialize_model

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.data import DstSurvey, SqData, SqSurvey
from bayesjoint.datasets import (REFERENCE_CORE_DEPTH_KM, REFERENCE_CORE_SIGMA_S_PER_M,
                                 REFERENCE_SIGMA_S_PER_M, REFERENCE_TOP_DEPTH_KM,
                                 reference_experiment)
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.geomag import predict_dst, predict_sq, sphere_stack
from bayesjoint.model.joint import build_model, make_log_likelihood
from bayesjoint.model.prior import PriorSpec
from bayesjoint.physics import geomag, sphere

DAY_S = 86400.0
PERIODS = DAY_S * np.array([2.0, 7.0, 30.0, 100.0])
TUCSON = {"colat_deg": 57.923, "lon_deg": 249.167}


def _explicit_stack():
    """Shells of the reference model down to the core, then the core."""
    tops = np.append(REFERENCE_TOP_DEPTH_KM, REFERENCE_CORE_DEPTH_KM)
    return np.diff(tops) * 1e3, np.append(REFERENCE_SIGMA_S_PER_M, REFERENCE_CORE_SIGMA_S_PER_M)


def _earth(k_max=None):
    return LayeredEarth.from_layers(REFERENCE_TOP_DEPTH_KM, REFERENCE_SIGMA_S_PER_M, k_max=k_max)


def _dst_survey(kind="q", **kw):
    return DstSurvey(PERIODS, kind, **kw)


def test_sphere_stack_reaches_the_core():
    thickness_m, sigma = sphere_stack(_earth(k_max=40), 2890.0, 5e5)
    assert thickness_m.shape == (40,) and sigma.shape == (41,)
    np.testing.assert_allclose(jnp.sum(thickness_m), 2890e3)
    assert float(sigma[-1]) == 5e5


@pytest.mark.parametrize("shell_law", ["quadratic", "constant"])
@pytest.mark.parametrize("kind", ["q", "c"])
def test_predict_dst_matches_the_sphere_physics(kind, shell_law):
    thickness_m, sigma = _explicit_stack()
    response = sphere.q_response if kind == "q" else sphere.c_response_km
    expected = response(PERIODS, thickness_m, sigma, degree=1, shell_law=shell_law)
    pred = predict_dst(_earth(), _dst_survey(kind, shell_law=shell_law))
    np.testing.assert_allclose(pred, np.r_[expected.real, expected.imag], rtol=1e-12)


def test_padding_leaves_the_prediction_unchanged():
    data = _dst_survey()
    np.testing.assert_allclose(predict_dst(_earth(k_max=50), data), predict_dst(_earth(), data),
                               rtol=1e-12, atol=1e-15)


def test_core_settings_are_used():
    base = predict_dst(_earth(), _dst_survey())
    shallower = predict_dst(_earth(), _dst_survey(core_depth_km=2500.0))
    assert np.max(np.abs(base - shallower)) > 1e-4


def test_predict_sq_matches_each_term():
    thickness_m, sigma = _explicit_stack()
    p = np.arange(1, 7)
    data = SqSurvey(DAY_S / p, p + 1, p, **TUCSON)
    pred = np.asarray(predict_sq(_earth(), data))
    for i, h in enumerate(p):
        t = geomag.sq_transfer_function(np.array([DAY_S / h]), thickness_m, sigma, int(h + 1),
                                        int(h), shell_law="quadratic", **TUCSON)
        np.testing.assert_allclose([pred[i], pred[6 + i]], [t.real[0], t.imag[0]], rtol=1e-12)


def test_predict_sq_negative_order_and_shared_degree():
    period = DAY_S / np.array([2.0, 2.0, 3.0])
    data = SqSurvey(period, [3, 3, 3], [2, -2, 1], **TUCSON)
    pred = np.asarray(predict_sq(_earth(), data))
    t = pred[:3] + 1j * pred[3:]
    # exp(-2 i phi) P_3^2 against exp(+2 i phi) P_3^2: the azimuthal factor only.
    phase = np.exp(-4j * np.deg2rad(TUCSON["lon_deg"]))
    np.testing.assert_allclose(t[1], t[0] * phase, rtol=1e-12)
    assert abs(t[2] - t[0]) > 1e-3


def test_check_prior_rejects_a_core_above_the_deepest_interface():
    exp = reference_experiment()
    spec = PriorSpec(n_layers=6, depth_max_km=3000.0, first_interface_km=50.0)
    for data in (exp.dst, exp.sq):
        with pytest.raises(ValueError, match="a core shallower than the deepest interface"):
            build_model([data], spec)
        with pytest.raises(ValueError, match="depth_max_km = 3000.0"):
            make_log_likelihood([data], spec)


def test_vmap_and_jit_over_earths():
    data = _dst_survey()
    earths = LayeredEarth(jnp.stack([_earth().interface_depth_km] * 3),
                          jnp.stack([_earth().log10_sigma + d for d in (0.0, 0.1, -0.1)]),
                          jnp.full(3, 37, dtype=jnp.int32))
    batch = jax.jit(jax.vmap(lambda e: predict_dst(e, data)))(earths)
    assert batch.shape == (3, 8)
    np.testing.assert_allclose(batch[0], predict_dst(_earth(), data), rtol=1e-12)


def test_gradient_of_the_log_density_is_finite():
    exp = reference_experiment()
    sq = SqData.from_transfer_function(exp.sq.period_s[:1], 2, 1, exp.sq.transfer_function[:1],
                                       exp.sq.transfer_function_std[:1],
                                       name="sq", **TUCSON)
    spec = PriorSpec(n_layers=8, depth_max_km=2000.0, first_interface_km=50.0)
    model = build_model([exp.dst, sq], spec)
    info = initialize_model(jax.random.PRNGKey(0), model)
    grads = jax.grad(info.potential_fn)(info.param_info.z)
    for name, g in grads.items():
        assert np.all(np.isfinite(np.asarray(g))), name
    assert any(np.any(np.asarray(g) != 0) for g in grads.values())
