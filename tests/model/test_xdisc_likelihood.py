"""Exact and linearised log-likelihoods of the X-discontinuity models."""

from dataclasses import replace

import jax.numpy as jnp
import numpy as np
import pytest

from bayesjoint.datasets import synthetic_rf
from bayesjoint.model.rf import correlated_log_likelihood
from bayesjoint.model.xdisc_likelihood import (exact_log_likelihood, exact_predict,
                                               linear_log_likelihood, linear_predict, linearise,
                                               station_arrays)
from bayesjoint.model.xdisc_models import XdiscModel
from bayesjoint.model.xdisc_prior import as_params, parameter_names, prior_bounds
from bayesjoint.physics.rf import WRAP_PAD_S

TRUE = {"depth_410_km": 412.0, "jump_410": 0.045, "depth_660_km": 664.0, "jump_660": 0.065,
        "log_noise_scale": 0.1, "depth_x_km": 295.0, "jump_x": 0.03}
WINDOW = slice(50, 150)


def _vector(params):
    return np.array([params[n] for n in parameter_names("x")])


@pytest.fixture(scope="module")
def station():
    xmodel = XdiscModel.build("ak135", layer_km=20.0)
    data = synthetic_rf(xmodel.earth(TRUE), [0.05, 0.07], dt_s=0.5, npts=160, shift_s=5.0,
                        gauss_rad_s=1.0, noise_std=0.01, seed=3)
    data = replace(data, correlation="exponential", correlation_s=1.5)
    arrays, static = station_arrays(xmodel, data, WINDOW)
    return xmodel, data, arrays, static


def test_exact_likelihood_is_the_wrap_free_forward_model_and_noise_law(station):
    xmodel, data, arrays, static = station
    assert static.n_period >= data.npts + WRAP_PAD_S / data.dt_s
    v = _vector(TRUE)
    long = replace(data.survey, npts=static.n_period)
    pred = np.asarray(xmodel.predict(as_params("x", jnp.asarray(v)), long))[:, WINDOW]
    np.testing.assert_allclose(np.asarray(exact_predict(v[None], arrays, static))[0], pred,
                               atol=1e-10)
    expected = correlated_log_likelihood(data.rf[:, WINDOW] - pred, data.rf_std[:, WINDOW],
                                         np.exp(TRUE["log_noise_scale"]), "exponential", 1.5,
                                         data.dt_s)
    got = exact_log_likelihood(static)(v[None], arrays)
    np.testing.assert_allclose(float(got[0]), float(expected), rtol=1e-10)


def test_the_linearisation_is_exact_at_its_point_and_its_jacobian_a_derivative(station):
    _, _, arrays, static = station
    v0 = _vector(TRUE)
    lin = linearise(v0, arrays, static)
    np.testing.assert_allclose(np.asarray(linear_predict(v0[None], arrays, lin))[0],
                               np.asarray(exact_predict(v0[None], arrays, static))[0],
                               atol=1e-12)
    # a change of the 410's jump: central difference of the exact forward against J
    j = parameter_names("x").index("jump_410")
    h = 1e-4
    up, down = v0.copy(), v0.copy()
    up[j] += h
    down[j] -= h
    exact = np.asarray(exact_predict(np.stack([up, down]), arrays, static))
    linear = np.asarray(linear_predict(np.stack([up, down]), arrays, lin))
    fd = (exact[0] - exact[1]) / (2 * h)
    np.testing.assert_allclose((linear[0] - linear[1]) / (2 * h), fd,
                               atol=1e-6 * np.abs(fd).max())


def test_the_linearisation_error_is_of_second_order(station):
    _, _, arrays, static = station
    v0 = _vector(TRUE)
    lin = linearise(v0, arrays, static)
    step = np.zeros_like(v0)
    names = parameter_names("x")
    step[names.index("jump_x")] = 0.02
    step[names.index("jump_660")] = 0.02
    step[names.index("depth_410_km")] = 10.0
    errors = []
    for scale in (1.0, 0.5):
        v = (v0 + scale * step)[None]
        errors.append(np.abs(np.asarray(linear_predict(v, arrays, lin))
                             - np.asarray(exact_predict(v, arrays, static))).max())
    assert errors[0] > 0
    assert errors[1] / errors[0] == pytest.approx(0.25, abs=0.08)


def test_linear_and_exact_likelihoods_agree_near_the_linearisation_point(station):
    _, _, arrays, static = station
    lo, hi = prior_bounds("x")
    v0 = _vector(TRUE)
    lin = linearise(v0, arrays, static)
    rng = np.random.default_rng(0)
    near = np.clip(v0 + 0.02 * (hi - lo) * rng.standard_normal((8, v0.size)), lo, hi)
    exact = np.asarray(exact_log_likelihood(static)(near, arrays))
    linear = np.asarray(linear_log_likelihood(static.law)(near, (arrays, lin)))
    np.testing.assert_allclose(linear, exact, atol=0.05)


def test_only_the_layers_the_prior_perturbs_are_differentiated(station):
    xmodel, data, arrays, static = station
    assert static.perturbed == (0, xmodel.top_depth_km.size)
    lo, hi = prior_bounds("x")
    names = parameter_names("x")
    depths = [names.index(n) for n in ("depth_410_km", "depth_660_km", "depth_x_km")]
    depth_range = (lo[depths].min(), hi[depths].max())
    arrays_p, static_p = station_arrays(xmodel, data, WINDOW, depth_range)
    first, stop = static_p.perturbed
    top = xmodel.top_depth_km
    # 20 km layers: the first that reaches below 250 - 50 km and the last that starts above
    # 700 + 50 km
    assert top[first + 1] > 200.0 >= top[first] and top[stop - 1] < 750.0 <= top[stop]
    v0 = _vector(TRUE)
    full, part = linearise(v0, arrays, static), linearise(v0, arrays_p, static_p)
    assert part.jacobian.shape[-1] == stop - first < full.jacobian.shape[-1]
    np.testing.assert_allclose(np.asarray(part.jacobian),
                               np.asarray(full.jacobian)[..., first:stop], atol=1e-12)
    rng = np.random.default_rng(1)
    inside = lo + (hi - lo) * rng.uniform(size=(6, lo.size))
    np.testing.assert_allclose(np.asarray(linear_predict(inside, arrays_p, part)),
                               np.asarray(linear_predict(inside, arrays, full)), atol=1e-12)


def test_one_compiled_function_per_setting(station):
    _, _, _, static = station
    assert exact_log_likelihood(static) is exact_log_likelihood(static)
    assert linear_log_likelihood("none") is linear_log_likelihood("none")


def test_unsupported_noise_laws_are_refused(station):
    xmodel, data, _, _ = station
    with pytest.raises(ValueError, match="gaussian"):
        station_arrays(xmodel, replace(data, correlation="gaussian"), WINDOW)
    with pytest.raises(ValueError, match="fixed correlation_s"):
        station_arrays(xmodel, replace(data, correlation_s=None,
                                       correlation_s_bounds=(0.5, 3.0)), WINDOW)
