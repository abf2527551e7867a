"""Receiver-function forward model, correlated-noise likelihood, prior checks, inversion."""


import jax
import jax.numpy as jnp
import numpy as np
import pytest
from numpyro import handlers
from scipy import stats

from bayesjoint.data import RFData
from bayesjoint.earth import LayeredEarth
from bayesjoint.model import rf as rf_model
from bayesjoint.model.joint import build_model, make_log_likelihood
from bayesjoint.model.prior import PriorSpec
from bayesjoint.datatypes import descriptor
from bayesjoint.physics import rf as rf_physics
from bayesjoint.samplers import rjmcmc

TRUTH = dict(top=[0.0, 8.0, 20.0, 38.0], vs=[3.0, 3.5, 3.85, 4.5], vp_vs=[1.73, 1.75, 1.78, 1.80])


def _truth(k_max=None):
    return LayeredEarth.from_layers(TRUTH["top"], np.full(4, 1e-3), vs_km_s=TRUTH["vs"],
                                    vp_vs=TRUTH["vp_vs"], k_max=k_max)


def _data(traces, p, **kw):
    args = dict(dt_s=0.1, shift_s=5.0, gauss_rad_s=2.5, std=0.02)
    args.update(kw)
    return RFData.from_traces(traces, p, **args)


def test_predict_matches_the_physics_and_padding_changes_nothing():
    p = [0.05, 0.075]
    d = _data(np.zeros((2, 300)), p)
    pred = np.asarray(rf_model.predict_rf(_truth(), d)).reshape(2, 300)
    vs = np.array(TRUTH["vs"])
    vp = vs * np.array(TRUTH["vp_vs"])
    for i, pi in enumerate(p):
        ref = rf_physics.receiver_function(np.diff(TRUTH["top"]), vp, vs,
                                           rf_physics.brocher_density_g_cm3(vp), pi, 2.5, 0.1,
                                           300, 5.0)
        np.testing.assert_allclose(pred[i], np.asarray(ref), rtol=0, atol=1e-12)
    padded = np.asarray(rf_model.predict_rf(_truth(k_max=9), d)).reshape(2, 300)
    np.testing.assert_allclose(padded, pred, rtol=0, atol=1e-10)


ACTIVE_K_MAX = 10


@pytest.fixture(scope="module")
def prior_earths():
    """Prior draws of every layer count 1 .. ACTIVE_K_MAX, garbage in the inactive slots.

    All slots are drawn active, then the count is cut: the inactive slots
    keep real-looking interfaces and properties, and some are spoilt
    further (NaN Vs, absurd Vp/Vs, negative depths).
    """
    n = 2 * ACTIVE_K_MAX
    spec = PriorSpec(interfaces="sampled", k_min=ACTIVE_K_MAX, k_max=ACTIVE_K_MAX,
                     depth_max_km=70.0, min_thickness_km=1.0, vs_km_s_min=2.5)
    earth, _ = jax.vmap(lambda key: rjmcmc.sample_prior(key, spec, 1, seismic=True))(
        jax.random.split(jax.random.PRNGKey(11), n))
    k = 1 + np.arange(n) % ACTIVE_K_MAX
    slot = np.arange(ACTIVE_K_MAX)
    inactive = slot[None, :] >= k[:, None]
    spoil = inactive & (slot[None, :] % 2 == 0)
    return earth._replace(
        n_layers=jnp.asarray(k, dtype=jnp.int32),
        interface_depth_km=jnp.where(spoil[:, 1:], -5.0, earth.interface_depth_km),
        vs_km_s=jnp.where(spoil, jnp.nan, earth.vs_km_s),
        vp_vs=jnp.where(inactive & ~spoil, 40.0, earth.vp_vs))


@pytest.mark.parametrize("normalize, earth_flattening", [("peak", True), ("sum", False)])
def test_active_layer_prediction_equals_the_full_stack(prior_earths, normalize,
                                                       earth_flattening):
    d = _data(np.zeros((2, 400)), [0.05, 0.078], normalize=normalize,
              earth_flattening=earth_flattening)
    entry = descriptor(d)
    full = np.asarray(jax.jit(jax.vmap(lambda e: entry.predict(e, d.survey)))(prior_earths))
    active = np.asarray(jax.jit(jax.vmap(
        lambda e: entry.predict(e, d.survey, active_only=True)))(prior_earths))
    assert np.all(np.isfinite(full))
    scale = np.max(np.abs(full), axis=1, keepdims=True)
    np.testing.assert_allclose(active / scale, full / scale, rtol=0, atol=1e-12)


def test_active_layer_log_likelihood_equals_the_full_one(prior_earths):
    rng = np.random.default_rng(4)
    d = _data(rng.normal(0.0, 0.05, (2, 400)), [0.05, 0.078], correlation="gaussian",
              correlation_s=0.25)
    noise = np.full((len(prior_earths.n_layers), 1), 1.4)
    full = jax.jit(jax.vmap(make_log_likelihood([d])))(prior_earths, noise)
    active = jax.jit(jax.vmap(make_log_likelihood([d], active_only=True)))(prior_earths, noise)
    assert np.all(np.isfinite(np.asarray(full)))
    np.testing.assert_allclose(np.asarray(active), np.asarray(full), rtol=1e-12, atol=0)


def _dense_reference(residual, std, scale, law, length, dt):
    n = residual.shape[1]
    t = np.arange(n) * dt
    lag = np.abs(t[:, None] - t[None, :])
    if law == "exponential":
        corr = np.exp(-lag / length)
    else:
        corr = np.exp(-0.5 * (lag / length) ** 2) + rf_model.GAUSSIAN_NUGGET * np.eye(n)
    total = 0.0
    for r, s in zip(residual, std):
        cov = (scale * s)[:, None] * corr * (scale * s)[None, :]
        total += stats.multivariate_normal(mean=np.zeros(n), cov=cov).logpdf(r)
    return total


@pytest.mark.parametrize("law, length", [("exponential", 0.7), ("exponential", 0.05),
                                         ("gaussian", 0.3), ("gaussian", 1.0)])
def test_correlated_likelihood_equals_dense_multivariate_normal(law, length):
    rng = np.random.default_rng(1)
    n_tr, npts, dt = 2, 200, 0.1
    std = rng.uniform(0.01, 0.03, (n_tr, npts))
    residual = rng.normal(0, 0.02, (n_tr, npts))
    ours = float(rf_model.correlated_log_likelihood(jnp.asarray(residual), jnp.asarray(std), 1.3,
                                                     law, length, dt))
    ref = _dense_reference(residual, std, 1.3, law, length, dt)
    assert abs(ours - ref) <= 1e-9 * abs(ref), (ours, ref)


def test_fixed_gaussian_correlation_is_factorised_once_outside_the_trace():
    rng = np.random.default_rng(5)
    std = jnp.asarray(rng.uniform(0.01, 0.03, (2, 300)))
    residual = jnp.asarray(rng.normal(0, 0.02, (2, 300)))

    def loglik(r, length):
        return rf_model.correlated_log_likelihood(r, std, 1.1, "gaussian", length, 0.1)

    fixed = jax.make_jaxpr(lambda r: loglik(r, 0.4))(residual)
    sampled = jax.make_jaxpr(loglik)(residual, 0.4)  # a traced length
    assert "cholesky" not in str(fixed) and "triangular_solve" not in str(fixed)
    assert "cholesky" in str(sampled)
    np.testing.assert_allclose(float(jax.jit(lambda r: loglik(r, 0.4))(residual)),
                               float(jax.jit(loglik)(residual, 0.4)), rtol=1e-12)


def test_uncorrelated_likelihood_is_independent_gaussian():
    rng = np.random.default_rng(2)
    std = rng.uniform(0.01, 0.03, (1, 50))
    r = rng.normal(0, 0.02, (1, 50))
    ours = float(rf_model.correlated_log_likelihood(r, std, 0.8, "none", None, 0.1))
    np.testing.assert_allclose(ours, stats.norm(0, 0.8 * std).logpdf(r).sum(), rtol=1e-12)


def test_numpyro_site_equals_pure_likelihood_and_declares_sampled_length():
    d = _data(np.random.default_rng(3).normal(0, 0.02, (1, 300)), 0.06,
              correlation="gaussian", correlation_s_bounds=(0.1, 1.0))
    spec = PriorSpec(n_layers=4, depth_max_km=38.0, first_interface_km=8.0,
                     vs_km_s_min=2.5, vs_km_s_max=5.0)
    tr = handlers.trace(handlers.seed(build_model([d], spec), 0)).get_trace()
    length = float(tr["rf_correlation_s_rf"]["value"])
    assert 0.1 <= length <= 1.0
    pred = tr["pred_rf"]["value"]
    scale = tr["noise_scale_rf"]["value"]
    fixed = _data(d.rf, 0.06, correlation="gaussian", correlation_s=length)
    pure = rf_model.rf_log_likelihood(jnp.asarray(fixed.observed()), jnp.asarray(fixed.std()),
                                      pred, scale, fixed)
    site = tr["obs_rf"]["fn"].log_prob(tr["obs_rf"]["value"])
    np.testing.assert_allclose(float(site), float(pure), rtol=1e-12)
    with pytest.raises(ValueError, match="fixed correlation_s"):
        make_log_likelihood([d])(_truth(), jnp.ones(1))


def test_trans_dimensional_log_likelihood_is_finite_and_jits():
    d = _data(np.zeros((1, 300)), 0.06, correlation="exponential", correlation_s=0.4)
    f = jax.jit(make_log_likelihood([d], PriorSpec(n_layers=4, depth_max_km=38.0,
                                                   first_interface_km=8.0)))
    assert np.isfinite(float(f(_truth(k_max=6), jnp.ones(1))))


def test_check_prior_rejects_evanescent_p_and_short_records():
    spec = PriorSpec(n_layers=4, depth_max_km=60.0, first_interface_km=5.0, vs_km_s_min=2.5)
    with pytest.raises(ValueError, match="evanescent"):
        build_model([_data(np.zeros((1, 300)), 0.3)], spec)
    with pytest.raises(ValueError, match=r"npts >= \d+"):
        build_model([_data(np.zeros((1, 100)), 0.06)], spec)
    need = rf_physics.required_npts(0.1, 5.0, rf_physics.ps_delay_s(
        [60.0], [2.5 * 2.0] * 2, [2.5] * 2, 0.06), 2.5)
    build_model([_data(np.zeros((1, need)), 0.06)], spec)
    with pytest.raises(ValueError, match=f"npts >= {need}"):
        build_model([_data(np.zeros((1, need - 1)), 0.06)], spec)


def test_ps_delay_of_one_layer():
    # Flat layer: t = h (q_s - q_p) exactly.
    h, vp, vs, p = 30.0, 6.3, 3.6, 0.06
    expected = h * (np.sqrt(vs**-2 - p**2) - np.sqrt(vp**-2 - p**2))
    got = rf_physics.ps_delay_s([h], [vp, 8.0], [vs, 4.5], p, earth_flattening=False)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert rf_physics.ps_delay_s([h], [vp, 8.0], [vs, 4.5], p) > got  # flattening lengthens it


def test_nuts_recovers_a_crustal_vs_profile():
    """One synthetic RF (gauss_rad_s 2.5, 0.1 s, 30 s, 3 % noise) constrains the crust.

    Fixed log-spaced interfaces (5-50 km, 8 layers); the true 3-layer crust
    over the mantle has its interfaces on that grid. Criterion: the true Vs
    lies inside the posterior 5-95 % interval at >= 80 % of the depth-grid
    points from 0 to 40 km.
    """
    from bayesjoint.model.prior import fixed_interfaces_km
    from bayesjoint.samplers.nuts import NUTSConfig, run_nuts

    spec = PriorSpec(n_layers=8, k_max=8, interfaces="fixed", first_interface_km=5.0,
                     depth_max_km=50.0, vs_km_s_min=2.5, vs_km_s_max=5.0, vp_vs_min=1.65,
                     vp_vs_max=1.9, hierarchical_noise=True)
    grid = fixed_interfaces_km(spec)  # 5, 7.3, 10.8, 15.8, 23.2, 34.1, 50 km
    truth = LayeredEarth.from_layers(np.concatenate([[0.0], grid[[2, 4, 5]]]), np.full(4, 1e-3),
                                     vs_km_s=TRUTH["vs"], vp_vs=TRUTH["vp_vs"])
    p = 0.065
    clean = _data(np.zeros((1, 300)), p)
    signal = np.asarray(rf_model.predict_rf(truth, clean)).reshape(1, 300)
    sigma = 0.03 * np.max(np.abs(signal))
    noisy = signal + np.random.default_rng(7).normal(0.0, sigma, signal.shape)
    data = _data(noisy, p, std=sigma)
    cfg = NUTSConfig(n_chains=2, n_burn=200, n_iterations=350, seed=1,
                     chain_method="vectorized", progress_bar=False, max_tree_depth=6)
    mcmc = run_nuts(build_model([data], spec), cfg)
    s = mcmc.get_samples()
    n = s["vs_km_s"].shape[0]
    earths = LayeredEarth(s["interface_depth_km"], s["log10_sigma"],
                          np.full(n, spec.n_layers, dtype=np.int32), s["vs_km_s"], s["vp_vs"])
    depth = np.linspace(0.0, 40.0, 81)
    vs_grid = np.asarray(earths.on_depth_grid(depth, "vs_km_s"))
    lo, hi = np.percentile(vs_grid, [5, 95], axis=0)
    true_vs = np.asarray(truth.on_depth_grid(depth, "vs_km_s"))
    inside = np.mean((true_vs >= lo) & (true_vs <= hi))
    print(f"crustal coverage {inside:.3f}, mean 90 % width {np.mean(hi - lo):.3f} km/s")
    assert inside >= 0.8, inside
    assert np.mean(hi - lo) < 0.5  # the data constrain Vs: far narrower than the 2.5 km/s prior


def test_trans_dimensional_rf_inversion_finds_the_moho(tmp_path):
    """Reversible-jump run on one receiver function of a crust over a mantle.

    Truth: a 35 km crust (Vs 3.6 km/s) over a mantle of 4.5 km/s; one trace
    (p = 0.06 s/km, gauss_rad_s 2.5 rad/s, 2 % noise). The sampler adds and removes
    layers carrying Vs and Vp/Vs. Criteria: the median of the interface
    depths below 20 km lies within 3 km of the Moho, their lower quartile
    within 10 km of it and their most frequent depth (2 km bins) within 3 km
    of it (a single trace leaves a depth-velocity trade-off, and the mantle
    below may carry extra interfaces across which Vs hardly changes, which
    the prior on k allows), the true Vs is inside the 90 %
    interval at >= 80 % of the grid from 0 to 60 km, and the draws and the
    saved profile carry Vs.
    """
    import xarray as xr

    from bayesjoint.datasets import synthetic_rf
    from bayesjoint.samplers.config import RJMCMCConfig
    from bayesjoint.workflow import invert

    truth = LayeredEarth.from_layers([0.0, 35.0], log10_sigma=[-2.0, -2.0], vs_km_s=[3.6, 4.5],
                                     vp_vs=[1.75, 1.8])
    data = synthetic_rf(truth, [0.06], dt_s=0.1, npts=300, shift_s=5.0, gauss_rad_s=2.5,
                        noise_std=0.02, seed=11)
    spec = PriorSpec(interfaces="sampled", k_min=1, k_max=4, depth_max_km=60.0,
                     min_thickness_km=2.0, vs_km_s_min=2.5, vs_km_s_max=5.0, vp_vs_min=1.65,
                     vp_vs_max=1.9, smoothness_std=None)
    cfg = RJMCMCConfig(n_iterations=8000, n_burn=4000, n_chains=4, n_temperatures=2, t_max=5.0,
                       thin=10, chunk_size=4000, seed=0, progress_bar=False)
    result = invert([data], spec, cfg, tmp_path, truth=truth, depth_max_km=60.0, n_depths=121)
    tree = xr.load_datatree(tmp_path / "posterior.nc", engine="h5netcdf")
    profile = tree["profile"].to_dataset()
    depth = profile["depth_km"].values
    true_vs = np.asarray(truth.on_depth_grid(depth, "vs_km_s"))
    inside = np.mean((true_vs >= profile["vs_km_s_q05"].values)
                     & (true_vs <= profile["vs_km_s_q95"].values))
    zi = tree["posterior"]["interface_depth_km"].values
    deep = zi[np.isfinite(zi) & (zi > 20.0)]  # the crust has no interface at 0-20 km
    q25, q50, q75 = np.percentile(deep, [25, 50, 75])
    print(f"interfaces below 20 km: quartiles {q25:.1f} {q50:.1f} {q75:.1f} km, "
          f"Vs coverage {inside:.2f}, acceptance {result['diagnostics']['acceptance_T1']}")
    counts, edges = np.histogram(deep, bins=np.arange(20.0, 62.0, 2.0))
    mode = 0.5 * (edges[np.argmax(counts)] + edges[np.argmax(counts) + 1])
    assert abs(q50 - 35.0) <= 3.0 and 25.0 <= q25 and abs(mode - 35.0) <= 3.0
    assert inside >= 0.8
    assert {"vs_km_s", "vp_vs"} <= set(tree["posterior"].data_vars)
    assert result["diagnostics"]["acceptance_T1"]["perturb_vs"] > 0.01


def test_synthetic_rf_noise_has_the_stated_law():
    """synthetic_rf: clean prediction plus AR(1) noise of the stated std and correlation."""
    from bayesjoint.datasets import synthetic_rf

    truth = _truth()
    kw = dict(dt_s=0.1, npts=4000, shift_s=5.0, gauss_rad_s=2.5, seed=4)
    clean = synthetic_rf(truth, [0.06], noise_std=1e-12, **kw)
    noisy = synthetic_rf(truth, [0.06], noise_std=0.05, correlation_s=0.5, **kw)
    assert noisy.correlation == "exponential" and noisy.correlation_s == 0.5
    np.testing.assert_allclose(noisy.rf_std, 0.05)
    e = (noisy.rf - clean.rf).ravel() / 0.05
    n = e.size
    assert abs(np.std(e) - 1.0) < 0.1  # AR(1) with rho = 0.82: effective n about n / 10
    rho = np.exp(-0.1 / 0.5)
    lag1 = np.corrcoef(e[:-1], e[1:])[0, 1]
    assert abs(lag1 - rho) < 4 * (1 - rho**2) / np.sqrt(n)
    white = synthetic_rf(truth, [0.06], noise_std=0.05, **kw)
    assert white.correlation == "none"
    assert abs(np.corrcoef(*(((white.rf - clean.rf).ravel())[i:n - 1 + i] for i in (0, 1)))[0, 1]) \
        < 4 / np.sqrt(n)


def test_wrap_free_prediction_is_the_start_of_a_long_record():
    from dataclasses import replace

    from bayesjoint.model.xdisc_models import XdiscModel

    earth = XdiscModel.build("ak135", layer_km=20.0).earth(
        {"depth_410_km": 410.0, "jump_410": 0.05, "depth_660_km": 660.0, "jump_660": 0.07})
    data = RFData.from_traces(np.zeros((2, 120)), [0.05, 0.07], dt_s=0.5, shift_s=5.0,
                              gauss_rad_s=1.0, std=0.01)
    free = np.asarray(rf_model.predict_rf(earth, data.survey, wrap_free=True)).reshape(2, -1)
    long = replace(data.survey, npts=4096)
    start = np.asarray(rf_model.predict_rf(earth, long)).reshape(2, -1)[:, :120]
    # what still wraps comes from beyond WRAP_PAD_S: here up to 1.1e-3 of the direct P
    np.testing.assert_allclose(free, start, atol=1.5e-3)
    wrapped = np.asarray(rf_model.predict_rf(earth, data.survey)).reshape(2, -1)
    assert np.abs(wrapped - start).max() > 10 * np.abs(free - start).max()
