"""The reference MT + Sq + Dst experiment and single-data NUTS inversions of it.

Coverage criterion of the inversions: on a 10 km depth grid, within the depth
range each data type is known to resolve (Yao et al. 2023: Dst 500-1500 km,
Sq 150-700 km), the 90 % interval (5th-95th percentile) of log10
conductivity must be narrower than one decade at >= 75 % of the grid points,
and must contain the true model at >= 80 % of those resolved points.
"""


import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.data import DstData, MTData, SqData
from bayesjoint.datasets import reference_experiment, synthetic_dst, synthetic_sq
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.joint import build_model
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers.nuts import NUTSConfig, run_nuts
from bayesjoint.summaries import posterior as post

DAY_S = 86400.0


@pytest.fixture(scope="module")
def experiment():
    return reference_experiment()


def test_reference_experiment_layout(experiment):
    e = experiment
    assert isinstance(e.mt, MTData) and isinstance(e.sq, SqData) and isinstance(e.dst, DstData)
    assert e.mt.kind == "rho_phase" and e.mt.period_s.size == 20
    np.testing.assert_allclose(e.mt.period_s[[0, -1]], [1.0, 7200.0])
    np.testing.assert_allclose(e.mt.log10_rho_a_std, 0.03 / np.log(10.0))
    np.testing.assert_allclose(e.sq.period_s, DAY_S / np.arange(1, 7))
    np.testing.assert_array_equal(e.sq.degree, np.arange(2, 8))
    np.testing.assert_array_equal(e.sq.order, np.arange(1, 7))
    assert (e.sq.colat_deg, e.sq.lon_deg) == (57.923, 249.167)
    assert e.dst.kind == "q" and e.dst.degree == 1 and e.dst.period_s.size == 20
    np.testing.assert_allclose(e.dst.period_s[[0, -1]], [2 * DAY_S, 100 * DAY_S])
    for d in (e.sq, e.dst):
        assert d.shell_law == e.shell_law == "quadratic"
        assert (d.core_depth_km, d.core_sigma_s_per_m) == (2890.0, 5e5)
    # Conventions: Im Q > 0 for exp(+i omega t); the std is 3 % of the noise-free |value|.
    assert np.all(e.dst.q.imag > 0)
    rel = e.dst.q_std / np.abs(e.dst.q)
    assert np.all((rel > 0.024) & (rel < 0.038))
    assert int(e.truth.n_layers) == 37


def test_reference_experiment_is_reproducible(experiment):
    again = reference_experiment(seed=0)
    np.testing.assert_array_equal(again.dst.q, experiment.dst.q)
    np.testing.assert_array_equal(again.sq.transfer_function, experiment.sq.transfer_function)
    other = reference_experiment(seed=1)
    assert not np.array_equal(other.dst.q, experiment.dst.q)


def test_synthetic_noise_matches_the_stated_std():
    truth = LayeredEarth.from_layers([0.0, 500.0], [0.01, 1.0])
    clean = synthetic_dst(truth, DAY_S * np.logspace(0.5, 2, 200), rel_error=1e-9, seed=0)
    noisy = synthetic_dst(truth, DAY_S * np.logspace(0.5, 2, 200), rel_error=0.03, seed=0)
    z = (noisy.observed() - clean.observed()) / noisy.std()
    assert abs(np.std(z) - 1.0) < 0.1
    sq = synthetic_sq(truth, DAY_S / np.array([1.0, 2.0]), [2, 3], [1, -2], colat_deg=60.0,
                      lon_deg=10.0, rel_error=0.05, seed=4, name="s")
    assert sq.name == "s" and sq.meta["synthetic"]
    np.testing.assert_array_equal(sq.order, [1, -2])
    std = sq.transfer_function_std
    assert np.all(std > 0) and np.all(std < 0.1 * np.abs(sq.transfer_function))


def _invert(data, truth, n_layers, first_interface_km):
    spec = PriorSpec(n_layers=n_layers, depth_max_km=2000.0,
                     first_interface_km=first_interface_km, smoothness_std=0.5)
    config = NUTSConfig(n_chains=2, n_burn=200, n_iterations=400, seed=0,
                        chain_method="vectorized", progress_bar=False)
    mcmc = run_nuts(build_model([data], spec), config)
    s = mcmc.get_samples(group_by_chain=True)
    shape = s["log10_sigma"].shape[:2]
    earths = LayeredEarth(np.asarray(s["interface_depth_km"]), np.asarray(s["log10_sigma"]),
                          np.full(shape, n_layers, dtype=np.int32))
    depth = post.default_depth_grid_km(2000.0, 201)
    q05, _, q95 = np.quantile(post.grid_values(earths, depth).reshape(-1, depth.size),
                              post.QUANTILES, axis=0)
    return depth, q05, q95, np.asarray(truth.on_depth_grid(depth))


def _score(depth, q05, q95, true, lo_km, hi_km):
    band = (depth >= lo_km) & (depth <= hi_km)
    resolved = band & post.resolved_mask(q05, q95, max_width=1.0)
    return resolved.sum() / band.sum(), post.interval_coverage(q05, q95, true, resolved)


@pytest.mark.parametrize("which, n_layers, first_interface_km, band_km", [
    ("dst", 16, 100.0, (500.0, 1500.0)),
    ("sq", 16, 30.0, (150.0, 700.0)),
])
def test_single_data_inversion_covers_the_truth(experiment, which, n_layers, first_interface_km,
                                                band_km):
    data = getattr(experiment, which)
    depth, q05, q95, true = _invert(data, experiment.truth, n_layers, first_interface_km)
    resolved_fraction, coverage = _score(depth, q05, q95, true, *band_km)
    print(f"{which}: resolved {100 * resolved_fraction:.0f} % of "
          f"{band_km[0]:.0f}-{band_km[1]:.0f} km; truth inside the 90 % interval at "
          f"{100 * coverage:.0f} % of resolved points")
    assert resolved_fraction >= 0.75
    assert coverage >= 0.80
