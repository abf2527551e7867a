"""The receiver-function container: layout, standard deviations and validation."""

import numpy as np
import pytest

from bayesjoint.data import RFData, ray_parameter_s_km_from_s_deg
from bayesjoint.physics.rf import gauss_from_hz


def _rf(**kw):
    args = dict(rf=np.zeros((2, 50)), ray_parameter_s_km=[0.05, 0.07], dt_s=0.1, shift_s=1.0,
                gauss_rad_s=2.5, std=0.01)
    args.update(kw)
    return RFData.from_traces(args.pop("rf"), args.pop("ray_parameter_s_km"), **args)


def test_layout_and_views():
    traces = np.arange(100.0).reshape(2, 50)
    d = _rf(rf=traces, std=[0.1, 0.2], name="st1")
    assert d.n_traces == 2 and d.npts == 50 and d.n_data == 100
    np.testing.assert_array_equal(d.observed(), traces.ravel())
    np.testing.assert_array_equal(d.std()[:50], 0.1)
    np.testing.assert_array_equal(d.std()[50:], 0.2)
    np.testing.assert_allclose(d.time_s()[[0, 10]], [-1.0, 0.0], atol=1e-12)
    assert d.labels() == ("rf_0", "rf_1")


def test_single_trace_and_std_per_sample():
    d = RFData.from_traces(np.ones(30), 0.06, dt_s=0.2, shift_s=2.0, gauss_rad_s=1.0,
                           std=np.full(30, 0.05))
    assert d.rf.shape == (1, 30) and d.rf_std.shape == (1, 30)


def test_unit_helpers():
    # One degree is pi R / 180 = 111.19 km at R = 6371 km.
    np.testing.assert_allclose(ray_parameter_s_km_from_s_deg(111.19492664455873), 1.0)
    np.testing.assert_allclose(float(gauss_from_hz(1.0)), 2 * np.pi)


def test_correlation_settings():
    assert _rf(correlation="exponential", correlation_s=0.5).correlation_s == 0.5
    d = _rf(correlation="gaussian", correlation_s_bounds=(0.1, 2.0))
    assert d.correlation_s_bounds == (0.1, 2.0) and d.correlation_s is None


@pytest.mark.parametrize("kw, match", [
    (dict(gauss_rad_s=0.0), "gauss_rad_s"),
    (dict(gauss_rad_s=-1.0), "gauss_rad_s"),
    (dict(dt_s=0.0), "dt_s"),
    (dict(std=0.0), "rf_std"),
    (dict(std=[0.1, 0.1, 0.1]), "std has 3 values for 2 traces"),
    (dict(rf=np.full((2, 50), np.nan)), "rf"),
    (dict(ray_parameter_s_km=[0.05]), "different lengths"),
    (dict(ray_parameter_s_km=[0.05, np.inf]), "ray_parameter_s_km"),
    (dict(shift_s=5.0), "shift_s"),
    (dict(normalize="max"), "normalize"),
    (dict(correlation="ar2"), "correlation"),
    (dict(correlation="exponential"), "exactly one of"),
    (dict(correlation="exponential", correlation_s=0.5, correlation_s_bounds=(0.1, 1)),
     "exactly one of"),
    (dict(correlation="gaussian", correlation_s_bounds=(2.0, 1.0)), "correlation_s_bounds"),
    (dict(correlation_s=1.0), "takes no"),
    (dict(rf=np.zeros((2, 1))), "npts >= 2"),
])
def test_invalid_input_raises(kw, match):
    with pytest.raises(ValueError, match=match):
        _rf(**kw)


def test_data_fit_plot_draws_traces_band_and_residuals():
    import matplotlib

    matplotlib.use("Agg")
    from bayesjoint.plotting.datafit import plot_fit

    d = _rf(rf=np.random.default_rng(0).normal(size=(2, 50)))
    env = np.stack([d.observed() - 0.1, d.observed(), d.observed() + 0.1])
    ax_rf, ax_res = plot_fit(d, env)
    assert len(ax_rf.collections) == 2 and len(ax_rf.lines) == 4
    np.testing.assert_allclose(ax_res.lines[0].get_ydata(), 0.0)
    assert ax_res.get_xlabel() == "time after P (s)"


def test_decimated_traces_equal_those_computed_at_the_coarser_interval():
    from bayesjoint.physics.rf import receiver_function

    model = dict(thickness_km=np.array([35.0]), vp_km_s=np.array([6.3, 8.1]),
                 vs_km_s=np.array([3.6, 4.5]), rho_g_cm3=np.array([2.8, 3.3]),
                 ray_parameter_s_km=0.06, gauss_rad_s=1.0, shift_s=5.0)
    fine = np.asarray(receiver_function(dt_s=0.1, npts=1000, **model))
    coarse = np.asarray(receiver_function(dt_s=0.5, npts=200, **model))  # same 100 s period
    d = RFData.from_traces(fine, 0.06, dt_s=0.1, shift_s=5.0, gauss_rad_s=1.0,
                           std=np.linspace(0.01, 0.02, 1000), correlation="exponential",
                           correlation_s=1.0, name="st")
    half = d.decimated(0.5)
    assert half.dt_s == 0.5 and half.npts == 200 and half.shift_s == 5.0
    np.testing.assert_allclose(half.time_s(), d.time_s()[::5])
    np.testing.assert_allclose(half.rf[0], coarse, atol=1e-4)  # G(Nyquist) = 5e-5
    np.testing.assert_array_equal(half.rf_std[0], d.rf_std[0, ::5])
    assert (half.correlation, half.correlation_s, half.name) == ("exponential", 1.0, "st")
    np.testing.assert_array_equal(d.decimated(0.1).rf, d.rf)


@pytest.mark.parametrize("dt_s, match", [(0.25, "integer multiple"), (0.0, "integer multiple"),
                                         (float("nan"), "integer multiple"),
                                         (0.8, "alias"), (100.0, "fewer than 2")])
def test_decimated_refuses_what_would_alias_or_is_not_a_multiple(dt_s, match):
    d = RFData.from_traces(np.zeros(500), 0.06, dt_s=0.1, shift_s=5.0,
                           gauss_rad_s=1.0 if dt_s != 100.0 else 0.001, std=0.01)
    with pytest.raises(ValueError, match=match):
        d.decimated(dt_s)
