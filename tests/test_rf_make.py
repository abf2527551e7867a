"""``bayesjoint.io.rf_make``: receiver functions from synthetic three-component records.

The records are made with the project's own forward model: a source wavelet
convolved with the free-surface Z and R responses of a known Earth (one
crustal layer over a half-space), with noise, rotated to N and E for a
known back-azimuth. Made into receiver functions, they must return the
forward model's receiver function: sign, polarity, time shift and
amplitude normalisation all enter the comparison.
"""

import math

import numpy as np
import pytest

pytest.importorskip("obspy")
pytest.importorskip("rf")

from bayesjoint.io.rf_make import (  # noqa: E402
    RFSettings, _moveout, _prepare, check_records, deconvolve, make_receiver_functions,
    stack_with_errors, with_stack_noise_correlation)
from bayesjoint.io.rf_records import EventRecord  # noqa: E402
from bayesjoint.physics.rf import receiver_function, surface_displacement_spectra  # noqa: E402

THICKNESS_KM = np.array([35.0])
VP_KM_S = np.array([6.3, 8.1])
VS_KM_S = np.array([3.6, 4.5])
RHO_G_CM3 = np.array([2.8, 3.3])
SOURCE_GAUSS_RAD_S = 8.0
"""Width of the source wavelet's spectrum: broader than the receiver functions' Gaussian."""

PS_DELAY_S = 4.3
"""Moho Ps delay of the model at p = 0.06 s/km (to the sample)."""


def synthetic_record(p_s_km, baz_deg, seed, *, noise=0.01, dt_s=0.05, npts=3000, t0_s=-40.0,
                     radial_sign=1.0):
    """Z, N, E of a P wave through the model, P at time 0, noise ``noise`` of the Z peak."""
    rng = np.random.default_rng(seed)
    freq = np.fft.rfftfreq(2 * npts, dt_s)
    radial, vertical = (np.asarray(x) for x in surface_displacement_spectra(
        freq, THICKNESS_KM, VP_KM_S, VS_KM_S, RHO_G_CM3, p_s_km, earth_flattening=False))
    # the spectra are referenced at the half-space top; P reaches the surface tp later
    tp = float(np.sum(THICKNESS_KM * np.sqrt(1 / VP_KM_S[:-1] ** 2 - p_s_km ** 2)))
    omega = 2 * np.pi * freq
    wavelet = (np.exp(-omega ** 2 / (4 * SOURCE_GAUSS_RAD_S ** 2))
               * (1 + 0.5 * np.cos(1.3 * omega)))
    phase = np.exp(-1j * omega * (-t0_s - tp))
    z = np.fft.irfft(wavelet * vertical * phase, 2 * npts)[:npts]
    r = radial_sign * np.fft.irfft(wavelet * radial * phase, 2 * npts)[:npts]
    scale = noise * np.abs(z).max()
    z, r, t = (x + scale * rng.standard_normal(npts) for x in (z, r, np.zeros(npts)))
    b = math.radians(baz_deg)
    # radial points away from the source, i.e. toward azimuth baz + 180
    north = -r * math.cos(b) + t * math.sin(b)
    east = -r * math.sin(b) - t * math.cos(b)
    return EventRecord(f"syn {seed}", "SYN", np.stack([z, north, east]), dt_s, t0_s, baz_deg,
                       p_s_km)


def forward_rf(p_s_km, settings):
    """The forward model's receiver function on the settings' grid (``peak``)."""
    return np.asarray(receiver_function(
        THICKNESS_KM, VP_KM_S, VS_KM_S, RHO_G_CM3, p_s_km, settings.gauss_rad_s,
        settings.dt_s, settings.npts, settings.shift_s, "peak", earth_flattening=False))


def _settings(**kw):
    base = {"gauss_rad_s": 2.5, "dt_s": 0.1, "shift_s": 10.0, "length_s": 30.0,
            "freqmax_hz": 3.0}
    return RFSettings(**{**base, **kw})


@pytest.mark.parametrize("method, tolerance", [("iterative", 0.025), ("water-level", 0.04)])
def test_records_return_the_forward_models_receiver_function(method, tolerance):
    """Both deconvolutions within ``tolerance`` of a direct P of 0.47 everywhere.

    A sample of time shift (0.1 s) costs 0.1 on the direct P's flank, a
    flipped polarity 0.9, a normalisation off by the Gaussian's peak factor
    more; the water level and the band-pass lose the lowest frequencies (an
    offset of about 0.02).
    """
    records = [synthetic_record(0.06, 30.0 + 80.0 * i, seed=i) for i in range(4)]
    settings = _settings(method=method)
    result = make_receiver_functions(records, settings)
    expected = forward_rf(0.06, settings)
    (stack,) = result.data.rf
    t = result.time_s
    np.testing.assert_allclose(stack, expected, atol=tolerance)
    # the direct P on its sample with its R/Z amplitude, the Moho Ps after it
    assert t[np.argmax(stack)] == pytest.approx(0.0, abs=1e-9)
    assert stack.max() == pytest.approx(expected.max(), rel=0.06)
    moho = (t > 2.0) & (t < 8.0)
    assert t[moho][np.argmax(stack[moho])] == pytest.approx(PS_DELAY_S, abs=0.05)
    assert result.data.normalize == "peak" and result.data.shift_s == 10.0
    assert [r["status"] for r in result.records] == ["used"] * 4


SPIKE_TRAIN = ((0.0, 1.0), (4.2, 0.3), (8.7, -0.15), (15.0, 0.1))
"""``(time after P in s, R/Z amplitude)`` of a known response."""


def spike_train_records(settings):
    """Time axis, source (Z) and response (R = source convolved with :data:`SPIKE_TRAIN`).

    The source is a ringing wavelet starting at P (a Gaussian pulse and a
    decaying 0.7 Hz sine), on the grid of ``settings``: sample 0 at
    ``-shift_s``.
    """
    n = settings.npts
    t = np.arange(n) * settings.dt_s - settings.shift_s
    after = np.clip(t, 0.0, None)
    source = (np.where(t >= 0.0, np.sin(2 * np.pi * 0.7 * after) * np.exp(-after / 1.5), 0.0)
              + 0.5 * np.exp(-(4.0 * t) ** 2))
    spikes = np.zeros(n)
    for time_s, amplitude in SPIKE_TRAIN:
        spikes[int(round(time_s / settings.dt_s))] += amplitude
    return t, source, np.convolve(source, spikes)[:n]


@pytest.mark.parametrize("method, tolerance", [("iterative", 0.005), ("water-level", 0.02)])
def test_deconvolution_returns_the_spike_train_in_unit_peak_gaussians(method, tolerance):
    """R = Z * spikes deconvolves to the spikes, each a Gaussian of its amplitude as peak.

    The expected trace is ``sum_k A_k exp(-a^2 (t - t_k)^2)``: the project's
    Gaussian ``exp(-omega^2 / (4 a^2))`` with ``a`` in rad/s, in the
    ``peak`` normalisation. With ``a = 2.5`` rad/s and 0.1 s samples, a
    shift by one sample misses by up to 0.17, a flipped sign by 2, a
    unit-area pulse by 0.41 on the direct P, and a width read in Hz
    instead of rad/s by more than 0.5; the water level (1e-3 here) costs
    about 0.01.
    """
    settings = RFSettings(gauss_rad_s=2.5, dt_s=0.1, shift_s=10.0, length_s=30.0,
                          method=method, water_level=1e-3)
    t, source, response = spike_train_records(settings)
    rf, fit = deconvolve(source, response, settings)
    a = settings.gauss_rad_s
    expected = sum(amp * np.exp(-(a * (t - t_k)) ** 2) for t_k, amp in SPIKE_TRAIN)
    np.testing.assert_allclose(rf, expected, atol=tolerance)
    for t_k, amp in SPIKE_TRAIN:
        near = np.abs(t - t_k) < 1.0
        i = np.argmax(np.abs(rf[near]))
        assert t[near][i] == pytest.approx(t_k, abs=1e-9)
        assert rf[near][i] == pytest.approx(amp, abs=tolerance)
    # the pulse's half width at half maximum: sqrt(ln 2) / a s
    half = t[(t > -1.0) & (t < 1.0)][rf[(t > -1.0) & (t < 1.0)] > 0.5]
    assert (half.max() - half.min()) / 2 == pytest.approx(math.sqrt(math.log(2)) / a, abs=0.06)
    if method == "iterative":
        assert fit > 99.0
    else:
        assert math.isnan(fit)


def test_flipped_radial_polarity_is_not_the_forward_model():
    """The comparison above fails for a record whose radial has the wrong sign."""
    records = [synthetic_record(0.06, 30.0 + 80.0 * i, seed=i, radial_sign=-1.0)
               for i in range(2)]
    settings = _settings()
    (stack,) = make_receiver_functions(records, settings).data.rf
    assert np.max(np.abs(stack - forward_rf(0.06, settings))) > 0.5


def test_rotation_to_radial_for_a_known_back_azimuth():
    record = synthetic_record(0.06, 123.0, seed=3, noise=0.0)
    settings = _settings()
    _, z, radial = _prepare(record, settings)
    wrong = EventRecord(record.name, record.station, record.zne, record.dt_s,
                        record.t0_rel_p_s, 123.0 + 180.0, record.ray_parameter_s_km)
    _, _, flipped = _prepare(wrong, settings)
    np.testing.assert_allclose(flipped, -radial, atol=1e-12 * np.abs(radial).max())
    # the radial of a P wave is in phase with Z (both positive for the direct P)
    assert np.corrcoef(z, radial)[0, 1] > 0.8
    i = np.argmax(np.abs(z))
    assert z[i] > 0 and radial[i] > 0


def test_lqt_keeps_the_ps_polarity_and_removes_most_of_the_direct_p():
    records = [synthetic_record(0.06, 30.0 + 80.0 * i, seed=i) for i in range(3)]
    zrt = make_receiver_functions(records, _settings()).data.rf[0]
    lqt = make_receiver_functions(records, _settings(rotation="lqt")).data.rf[0]
    t = np.arange(zrt.size) * 0.1 - 10.0
    ps = np.argmin(np.abs(t - PS_DELAY_S))
    p0 = np.argmin(np.abs(t))
    assert lqt[ps] > 0.5 * zrt[ps] > 0
    assert abs(lqt[p0]) < 0.3 * zrt[p0]


def test_quality_control_rejects_pure_noise_and_an_outlier():
    records = [synthetic_record(0.06, 40.0 * i, seed=i) for i in range(6)]
    rng = np.random.default_rng(9)
    noise = EventRecord("noise", "SYN", rng.standard_normal(records[0].zne.shape), 0.05, -40.0,
                        50.0, 0.06)
    flipped = synthetic_record(0.06, 300.0, seed=7, radial_sign=-1.0)
    result = make_receiver_functions(records + [noise, flipped], _settings())
    status = {r["name"]: (r["status"], r["reason"]) for r in result.records}
    assert status["noise"] == ("rejected", "low_snr")
    assert status["syn 7"] == ("rejected", "outlier_against_stack")
    assert sum(s == ("used", "") for s in status.values()) >= 5
    assert result.rejected_counts()["low_snr"] == 1


def test_quality_control_rejects_a_radial_unrelated_to_the_vertical():
    """Fewer spikes than the filtered noise has degrees of freedom leave it poorly fit."""
    records = [synthetic_record(0.06, 40.0 * i, seed=i) for i in range(3)]
    zne = records[0].zne.copy()
    zne[1:] = np.random.default_rng(5).standard_normal(zne[1:].shape) * 0.3 * zne[0].max()
    unrelated = EventRecord("unrelated", "SYN", zne, 0.05, -40.0, 10.0, 0.06)
    settings = _settings(length_s=100.0, max_iterations=50, fit_min_percent=90.0)
    result = make_receiver_functions(records + [unrelated], settings)
    fits = {r["name"]: r["fit_percent"] for r in result.records}
    assert fits["unrelated"] < 90.0 < min(fits[f"syn {i}"] for i in range(3))
    assert result.records[-1]["reason"] == "poor_deconvolution_fit"
    assert result.rejected_counts() == {"poor_deconvolution_fit": 1}


def test_stack_standard_errors_match_numpy():
    x = np.array([[1.0, 2.0, 4.0], [3.0, 2.5, 0.0], [2.0, 7.0, 1.0], [0.5, 1.0, 1.0]])
    mean, se = stack_with_errors(x)
    np.testing.assert_allclose(mean, np.mean(x, axis=0))
    np.testing.assert_allclose(se, np.std(x, axis=0, ddof=1) / 2.0)
    with pytest.raises(ValueError, match="at least 2"):
        stack_with_errors(x[:1])


def test_pooled_standard_error_averages_the_variance_in_a_window():
    x = np.array([[1.0, 2.0, 4.0, 0.0], [3.0, 2.5, 0.0, 1.0], [2.0, 7.0, 1.0, 5.0]])
    var = np.var(x, axis=0, ddof=1)
    pooled = [(var[0] + var[1]) / 2, var[:3].mean(), var[1:].mean(), (var[2] + var[3]) / 2]
    mean, se = stack_with_errors(x, 3)
    np.testing.assert_allclose(mean, np.mean(x, axis=0))
    np.testing.assert_allclose(se, np.sqrt(np.array(pooled) / 3))
    for bad in (2, 0, 1.5, 5):
        with pytest.raises(ValueError, match="window_samples"):
            stack_with_errors(x, bad)


def test_pooled_standard_error_is_steady_where_per_sample_errors_scatter():
    # 10 records of white noise of standard deviation 1: the standard error is
    # 1 / sqrt(10) at every sample; taken sample by sample it scatters by a
    # factor of several (9 degrees of freedom), pooled over 101 samples by a few %
    x = np.random.default_rng(3).standard_normal((10, 2000))
    truth = 1.0 / np.sqrt(10.0)
    _, per_sample = stack_with_errors(x)
    _, pooled = stack_with_errors(x, 101)
    assert per_sample.min() < 0.4 * truth
    inner = pooled[50:-50]
    assert np.all(np.abs(inner / truth - 1.0) < 0.25)
    assert np.std(inner / truth) < 0.1 < np.std(per_sample / truth)


def test_rf_make_pools_its_errors_over_error_window_s():
    records = [synthetic_record(0.06, 30.0 + 80.0 * i, seed=i, noise=0.05) for i in range(4)]
    base = dict(max_iterations=50)
    per_sample = make_receiver_functions(records, _settings(error_window_s=0.0, **base))
    pooled = make_receiver_functions(records, _settings(error_window_s=5.0, **base))
    np.testing.assert_allclose(pooled.data.rf, per_sample.data.rf)
    window = 51  # 5 s at 0.1 s, centred on the sample
    traces = np.array([pooled.traces[i] for i, r in enumerate(pooled.records)
                       if r["status"] == "used"])
    np.testing.assert_allclose(pooled.data.rf_std[0], stack_with_errors(traces, window)[1])
    assert not np.allclose(pooled.data.rf_std, per_sample.data.rf_std)


def test_stacks_get_the_correlation_length_of_their_gaussian():
    from bayesjoint.data import RFData

    rf = np.zeros((2, 50))
    for gauss, length_s in ((1.0, 1.0), (2.5, 0.4)):
        for given in ({}, {"correlation": "exponential", "correlation_s_bounds": (0.1, 3.0)}):
            data = RFData.from_traces(rf, [0.05, 0.07], dt_s=0.1, shift_s=1.0,
                                      gauss_rad_s=gauss, std=np.full((2, 50), 0.01),
                                      name="ST", wrap_free=True, **given)
            out = with_stack_noise_correlation(data)
            assert (out.correlation, out.correlation_s) == ("exponential", pytest.approx(length_s))
            assert out.correlation_s_bounds is None
            assert (out.name, out.wrap_free, out.dt_s) == ("ST", True, 0.1)
            np.testing.assert_array_equal(out.rf_std, data.rf_std)


def test_bins_by_ray_parameter_stack_their_records():
    records = [synthetic_record(p, 20.0 + 70.0 * i, seed=i)
               for i, p in enumerate([0.05, 0.052, 0.07, 0.072, 0.071])]
    result = make_receiver_functions(records, _settings(bins=(0.045, 0.06, 0.08)))
    data = result.data
    np.testing.assert_allclose(data.ray_parameter_s_km, [0.051, 0.071])
    assert [b["n_records"] for b in result.bins] == [2, 3]
    for b in range(2):
        rows = [i for i, r in enumerate(result.records) if r["bin"] == b]
        chosen = result.traces[rows]
        np.testing.assert_allclose(data.rf[b], chosen.mean(axis=0))
        np.testing.assert_allclose(data.rf_std[b], stack_with_errors(chosen, 101)[1])


def test_moveout_aligns_ps_to_the_reference_ray_parameter():
    records = [synthetic_record(p, 20.0 + 70.0 * i, seed=i, noise=0.0)
               for i, p in enumerate([0.042, 0.044, 0.078, 0.08])]
    settings = _settings(bins="moveout", moveout_ref_s_km=0.08)
    result = make_receiver_functions(records, settings)
    assert result.data.ray_parameter_s_km.tolist() == [0.08]
    t = result.time_s
    window = (t > 3.0) & (t < 6.0)
    peak = t[window][np.argmax(result.data.rf[0][window])]
    late = forward_rf(0.08, settings)
    assert peak == pytest.approx(t[window][np.argmax(late[window])], abs=0.1)
    # without the correction the low-p records arrive 0.3 s earlier
    raw = result.traces[:2].mean(axis=0)
    assert t[window][np.argmax(raw[window])] < peak - 0.15


def test_moveout_takes_each_call_s_reference_ray_parameter():
    """rf caches the reference delays on its shared iasp91 model; each station has its own."""
    settings = _settings(bins="moveout")
    trace = np.random.default_rng(0).normal(size=(1, settings.npts))
    for ref in (0.05, 0.08, 0.05):
        # a record at the reference ray parameter is left as it is
        np.testing.assert_allclose(_moveout(trace, [ref], ref, settings), trace, atol=1e-12)


def test_one_station_at_a_time():
    a = synthetic_record(0.06, 10.0, seed=1)
    b, c = (EventRecord(f"other {i}", "OTHER", a.zne, a.dt_s, a.t0_rel_p_s, 10.0, 0.06)
            for i in range(2))
    with pytest.raises(ValueError, match=r"records of 2 stations \(OTHER, SYN\); choose one "
                                         "with --station"):
        check_records([a, b, c], _settings())
    assert check_records([a, b, c], _settings(), station="OTHER") == [b, c]
    with pytest.raises(ValueError, match=r"1 of 1 record\(s\) usable before processing"):
        check_records([a, b, c], _settings(), station="SYN")


def test_piercing_offset_is_the_s_legs_horizontal_run_through_iasp91():
    """Against the ray integral ``x = int p vs / sqrt(1 - p^2 vs^2) dz`` through obspy's
    iasp91 table (linear between its nodes), and the limits: no offset at the surface,
    growing with the depth and the ray parameter. ``rf`` reads the offset one sublayer of
    its table (4.8 km at 300 km) too deep: 0.9 % more at 300 km, hence 2 %."""
    from bayesjoint.io.rf_make import piercing_offset_km
    from bayesjoint.physics.reference import read_reference_table

    depth, _, vs, _ = read_reference_table("iasp91")
    z = np.linspace(0.0, 300.0, 30001)
    keep = np.r_[np.diff(depth) > 0, True]  # the value below each discontinuity's depth
    v = np.interp(z, depth[keep], vs[keep])
    for p in (0.045, 0.06, 0.08):
        integrand = p * v / np.sqrt(1.0 - (p * v) ** 2)
        expected = float(np.sum(0.5 * (integrand[1:] + integrand[:-1]) * np.diff(z)))
        assert piercing_offset_km([p], 300.0)[0] == pytest.approx(expected, rel=0.02)
    offsets = piercing_offset_km([0.05, 0.07], 300.0)
    assert offsets[1] > offsets[0] > 0
    assert piercing_offset_km([0.06], 410.0)[0] > piercing_offset_km([0.06], 300.0)[0]
    assert piercing_offset_km([0.06], 1e-6)[0] == pytest.approx(0.0, abs=0.5)


def test_piercing_bins_stack_each_back_azimuth_sector_after_the_moveout():
    from bayesjoint.io.rf_make import _moveout, piercing_offset_km

    bazs = (20.0, 60.0, 100.0, 150.0, 200.0)  # two in each of the first two sectors, one alone
    ps = (0.058, 0.062, 0.059, 0.061, 0.06)
    records = [synthetic_record(p, baz, seed=i) for i, (p, baz) in enumerate(zip(ps, bazs))]
    settings = _settings(bins="piercing", piercing_sectors=4, piercing_depth_km=410.0)
    result = make_receiver_functions(records, settings)
    assert [r["bin"] for r in result.records] == [0, 0, 1, 1, None]
    assert result.records[-1]["reason"] == "too_few_in_sector"
    assert result.rejected_counts() == {"too_few_in_sector": 1}
    ref = float(np.mean(ps))  # the mean of every record that passed quality control
    np.testing.assert_allclose(result.data.ray_parameter_s_km, [ref, ref])
    corrected = _moveout(result.traces, np.array(ps), ref, settings)
    window = 101  # the default 10 s at 0.1 s
    for b, (rows, sector) in enumerate((([0, 1], [0.0, 90.0]), ([2, 3], [90.0, 180.0]))):
        mean, se = stack_with_errors(corrected[rows], window)
        np.testing.assert_allclose(result.data.rf[b], mean)
        np.testing.assert_allclose(result.data.rf_std[b], se)
        info = result.bins[b]
        assert info["back_azimuth_deg"] == sector and info["n_records"] == 2
        assert info["piercing_depth_km"] == 410.0
        offsets = piercing_offset_km([ps[i] for i in rows], 410.0)
        assert info["piercing_offset_km"] == pytest.approx([offsets.min(), offsets.max()])


@pytest.mark.parametrize("change, message", [
    ({"piercing_sectors": 0}, "piercing_sectors = 0: must be an integer >= 1"),
    ({"piercing_sectors": 2.5}, "piercing_sectors = 2.5: must be an integer >= 1"),
    ({"piercing_depth_km": 900.0}, r"piercing_depth_km = 900.0: must lie in \(0, 800\] km"),
    ({"piercing_depth_km": 0.0}, r"piercing_depth_km = 0.0: must lie in \(0, 800\] km"),
    ({"bins": "depth"}, "bins = 'depth': give a number of bins, edges in s/km, 'moveout' or "
                        "'piercing'"),
    ({"error_window_s": float("nan")}, "error_window_s = nan: must lie in 0 to"),
])
def test_bad_binning_settings_are_named(change, message):
    with pytest.raises(ValueError, match=message):
        _settings(**change).check()


def test_piercing_bins_with_no_sector_of_two_records_are_refused():
    records = [synthetic_record(0.06, baz, seed=i) for i, baz in enumerate((10.0, 100.0, 190.0))]
    with pytest.raises(ValueError, match="no back-azimuth sector of the piercing points at 300 "
                                         "km holds 2 of the 3 records left after quality "
                                         r"control; choose fewer piercing_sectors \(now 4\)"):
        make_receiver_functions(records, _settings(bins="piercing"))
