"""The MT static shift: integrated out exactly, its conditional posterior, and a recovery run."""

import json

import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr
from numpyro import handlers
from scipy import integrate, stats

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.data import MTData
from bayesjoint.datasets import synthetic_mt
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.joint import build_model, make_log_likelihood
from bayesjoint.model.mt import (mt_log_likelihood, predict_mt, static_shift_log_likelihood,
                                 static_shift_posterior)
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers.nuts import NUTSConfig
from bayesjoint.summaries.static_shift import static_shift_draws
from bayesjoint.workflow import invert

RNG = np.random.default_rng(3)
RESIDUAL = 0.2 + 0.05 * RNG.standard_normal(7)
STD = np.linspace(0.03, 0.08, 7)


def _integrated(residual, std, t, s):
    """log of the integral over the shift d of N(r; d, (s std)^2) N(d; 0, (t s)^2),
    by the trapezoid rule on a fine grid (spacing 1e-5, far below every width here)."""
    d = np.linspace(-3.0, 3.0, 600001)
    log_f = (stats.norm.logpdf(residual[:, None], loc=d, scale=s * std[:, None]).sum(0)
             + stats.norm.logpdf(d, scale=t * s))
    peak = log_f.max()
    return peak + np.log(integrate.trapezoid(np.exp(log_f - peak), d))


@pytest.mark.parametrize("t", [0.05, 0.3, 1.0])
@pytest.mark.parametrize("s", [0.7, 1.0, 2.5])
def test_marginal_likelihood_equals_the_integral_over_the_shift(t, s):
    got = float(static_shift_log_likelihood(jnp.asarray(RESIDUAL), jnp.asarray(STD), t, s))
    np.testing.assert_allclose(got, _integrated(RESIDUAL, STD, t, s), rtol=1e-8)


def test_conditional_posterior_of_the_shift_by_quadrature():
    t, s = 0.3, 1.4
    mean, std = static_shift_posterior(RESIDUAL, STD, t, s)
    d = np.linspace(-2, 2, 40001)
    log_post = (stats.norm.logpdf(RESIDUAL[:, None], loc=d, scale=s * STD[:, None]).sum(0)
                + stats.norm.logpdf(d, scale=t * s))
    w = np.exp(log_post - log_post.max())
    w /= w.sum()
    np.testing.assert_allclose(mean, np.sum(w * d), rtol=1e-6)
    np.testing.assert_allclose(std, np.sqrt(np.sum(w * (d - mean) ** 2)), rtol=1e-5)


def _data(shift_std=0.3):
    truth = LayeredEarth.from_layers([0.0, 30.0, 120.0], log10_sigma=[-2.5, -1.0, -2.0])
    data = synthetic_mt(truth, np.logspace(0, 3.5, 10), seed=2)
    return truth, data.with_static_shift(shift_std)


def test_joint_likelihood_split_is_exact_at_every_noise_scale():
    # The misfit / noise-scale split used by the trans-dimensional sampler gives
    # the directly computed likelihood, also away from unit noise scale.
    truth, data = _data()
    model = LayeredEarth.from_layers([0.0, 40.0], log10_sigma=[-2.0, -1.5])
    pred = predict_mt(model, data.survey)
    obs, std = jnp.asarray(data.observed()), jnp.asarray(data.std())
    loglik = make_log_likelihood([data])
    for s in (0.4, 1.0, 3.0):
        direct = float(mt_log_likelihood(obs, std, pred, s, data))
        np.testing.assert_allclose(float(loglik(model, jnp.array([s]))), direct, rtol=1e-12)
    # and it differs from the likelihood without the shift
    plain = data.with_static_shift(None)
    assert abs(float(make_log_likelihood([plain])(model, jnp.array([1.0])))
               - float(loglik(model, jnp.array([1.0])))) > 1.0


def test_numpyro_site_holds_the_same_likelihood():
    _, data = _data()
    spec = PriorSpec(n_layers=4, depth_max_km=200.0, first_interface_km=10.0,
                     hierarchical_noise=True)
    tr = handlers.trace(handlers.seed(build_model([data], spec), 0)).get_trace()
    pred = tr[f"pred_{data.name}"]["value"]
    s = tr[f"noise_scale_{data.name}"]["value"]
    factor = tr[f"obs_{data.name}"]["fn"].log_prob(tr[f"obs_{data.name}"]["value"])
    expected = mt_log_likelihood(jnp.asarray(data.observed()), jnp.asarray(data.std()), pred, s,
                                 data)
    np.testing.assert_allclose(float(factor), float(expected), rtol=1e-12)


def test_shift_draws_follow_the_conditional_posterior():
    _, data = _data()
    pred = np.broadcast_to(data.observed() - np.r_[0.2 * np.ones(10), np.zeros(10)],
                           (2, 3000, 20))
    draws, mean, std = static_shift_draws(data, pred, np.full((2, 6000), 1.5))
    w = 1.0 / data.log10_rho_a_std**2
    np.testing.assert_allclose(mean, 0.2 * w.sum() / (1 / 0.09 + w.sum()), rtol=1e-12)
    np.testing.assert_allclose(std, 1.5 / np.sqrt(1 / 0.09 + w.sum()), rtol=1e-12)
    assert abs(draws.mean() - mean[0, 0]) < 5 * std[0, 0] / np.sqrt(draws.size)
    np.testing.assert_allclose(draws.std(), std[0, 0], rtol=0.05)


def test_static_shift_is_recovered_within_its_90_percent_interval(tmp_path):
    # A known shift of log10 rho_a (a factor 1.78 in rho_a) is added to synthetic
    # data; a short NUTS run on the true layering reports it inside its 90 %
    # interval, and moves the shift away from its prior mean.
    true_shift = 0.25
    truth, data = _data()
    shifted = MTData.from_rho_phase(data.period_s, 10 ** (data.log10_rho_a + true_shift),
                                    data.phase_deg, log10_rho_a_std=data.log10_rho_a_std,
                                    phase_std_deg=data.phase_std_deg, name="mt")
    shifted = shifted.with_static_shift(0.3)
    spec = PriorSpec(n_layers=3, first_interface_km=30.0, depth_max_km=120.0,
                     smoothness_std=None, hierarchical_noise=False)
    summary = invert([shifted], spec, NUTSConfig(n_chains=2, n_burn=150, n_iterations=200,
                                                 seed=0, progress_bar=False), tmp_path)
    got = summary["static_shift_log10"]["mt"]
    assert got["q05"] < true_shift < got["q95"]
    assert got["median"] > 0.1 and got["q95"] - got["q05"] < 2 * 1.645 * 0.3
    assert json.loads((tmp_path / "summary.json").read_text())["static_shift_log10"] == \
        summary["static_shift_log10"]
    tree = xr.load_datatree(tmp_path / "posterior.nc", engine="h5netcdf")
    group = tree["data_mt"]
    assert group["static_shift_log10"].dims == ("chain", "predictive_draw")
    assert group["static_shift_log10_conditional_std"].shape == group["static_shift_log10"].shape
    np.testing.assert_allclose(np.median(group["static_shift_log10"].values), got["median"])
