"""Typed sampler results, and NaN in every inactive layer slot the workflow returns."""

import dataclasses

import numpy as np
import pytest
import xarray as xr

import bayesjoint  # noqa: F401
from bayesjoint.datasets import synthetic_dst, synthetic_mt, synthetic_rf, synthetic_sq
from bayesjoint.datatypes import descriptor
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers.config import RJMCMCConfig
from bayesjoint.workflow import Sampled, invert


def test_from_layers_pads_with_nan():
    m = LayeredEarth.from_layers([0.0, 10.0], [0.01, 0.1], k_max=4, vs_km_s=[3.0, 4.0],
                                 vp_vs=[1.7, 1.8])
    np.testing.assert_array_equal(np.asarray(m.interface_depth_km), [10.0, np.nan, np.nan])
    for name in ("log10_sigma", "vs_km_s", "vp_vs"):
        assert np.isnan(np.asarray(getattr(m, name))[2:]).all(), name


def test_nan_padding_changes_no_prediction():
    top, sigma = [0.0, 12.0, 40.0], [0.002, 0.05, 0.01]
    seismic = {"vs_km_s": [3.2, 3.8, 4.5], "vp_vs": [1.75, 1.73, 1.8]}
    plain = LayeredEarth.from_layers(top, sigma, **seismic)
    padded = LayeredEarth.from_layers(top, sigma, k_max=7, **seismic)
    periods = np.logspace(4, 6, 4)
    datasets = [synthetic_mt(plain, np.logspace(0, 3, 5)),
                synthetic_dst(plain, periods),
                synthetic_sq(plain, np.array([86400.0, 43200.0]), np.array([1, 2]),
                             np.array([0, 1]), colat_deg=60.0, lon_deg=10.0),
                synthetic_rf(plain, [0.06], dt_s=0.1, npts=200, shift_s=5.0, gauss_rad_s=2.5,
                             noise_std=0.01)]
    for d in datasets:
        predicted = np.asarray(descriptor(d).predict(padded, d.survey))
        assert np.all(np.isfinite(predicted)), type(d).__name__
        np.testing.assert_allclose(predicted, descriptor(d).predict(plain, d.survey), rtol=1e-10,
                                   atol=1e-12, err_msg=type(d).__name__)


def test_sampled_is_a_frozen_record_with_documented_fields():
    names = [f.name for f in dataclasses.fields(Sampled)]
    assert names == ["earths", "predictions", "noise", "draws", "stats", "extra_draws",
                     "sampler_info"]
    for name in names:
        assert f"{name} :" in Sampled.__doc__, name
    assert Sampled.__dataclass_params__.frozen


def test_reversible_jump_outputs_have_nan_in_inactive_slots(tmp_path, monkeypatch):
    from bayesjoint import workflow

    truth = LayeredEarth.from_layers([0.0, 15.0, 60.0], [0.001, 0.05, 0.005])
    data = synthetic_mt(truth, np.logspace(0, 3.5, 10))
    spec = PriorSpec(interfaces="sampled", k_min=1, k_max=6, depth_max_km=300.0,
                     min_thickness_km=5.0)
    config = RJMCMCConfig(n_iterations=600, n_burn=200, n_chains=1, thin=10, chunk_size=200,
                          progress_bar=False)
    returned = []
    sample = workflow._sample_rjmcmc
    monkeypatch.setattr(workflow, "_sample_rjmcmc",
                        lambda *a, **k: returned.append(sample(*a, **k)) or returned[-1])
    invert([data], spec, config, tmp_path)
    (sampled,) = returned
    assert isinstance(sampled, Sampled)
    k = np.asarray(sampled.earths.n_layers)
    assert k.min() < spec.k_max  # some draws have inactive slots
    iface = np.asarray(sampled.earths.interface_depth_km)
    sigma = np.asarray(sampled.earths.log10_sigma)
    inactive_iface = np.arange(spec.k_max - 1) >= (k[..., None] - 1)
    inactive_layer = np.arange(spec.k_max) >= k[..., None]
    assert np.isnan(iface[inactive_iface]).all() and np.isfinite(iface[~inactive_iface]).all()
    assert np.isnan(sigma[inactive_layer]).all() and np.isfinite(sigma[~inactive_layer]).all()
    assert all(np.isfinite(v).all() for v in sampled.predictions.values())
    tree = xr.open_datatree(tmp_path / "posterior.nc", engine="h5netcdf")
    posterior = tree["posterior"]
    np.testing.assert_array_equal(posterior["interface_depth_km"].values, iface)
    np.testing.assert_array_equal(posterior["log10_sigma"].values, sigma)


@pytest.mark.parametrize("field", ["earths", "noise"])
def test_sampled_is_immutable(field):
    s = Sampled(None, {}, {}, {}, {}, {}, {})
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(s, field, 1)
