"""Validation of the P receiver-function physics (bayesjoint.physics.rf)."""

import json
from functools import partial
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.physics import rf

DATA = Path(__file__).resolve().parents[1] / "data"
EARTH_RADIUS_KM = 6371.0


def q(v, p):
    return np.sqrt(1.0 / v**2 - p**2)


def wiechert_ratio(vs, p):
    """Free-surface R/Z of a half-space for incident P.

    The zero-traction conditions give the apparent incidence angle
    ``sin(i_app / 2) = vs p`` (Wiechert 1907; Aki & Richards 2002, sec. 5.2),
    so ``R/Z = tan(i_app) = 2 p vs^2 q_s / (1 - 2 vs^2 p^2)``, independent of
    vp and of frequency.
    """
    return 2.0 * p * vs**2 * q(vs, p) / (1.0 - 2.0 * vs**2 * p**2)


def pick_peak_s(trace, t, t0, half_window_s=3.0):
    """Time of the largest sample near t0, refined by a parabola."""
    sel = np.flatnonzero(np.abs(t - t0) < half_window_s)
    i = sel[np.argmax(trace[sel])]
    y0, y1, y2 = trace[i - 1], trace[i], trace[i + 1]
    return t[i] + 0.5 * (y0 - y2) / (y0 - 2.0 * y1 + y2) * (t[1] - t[0])


@partial(jax.jit, static_argnames=("npts", "normalize", "earth_flattening"))
def rf_jit(h, vp, vs, rho, p, gauss_rad_s, dt, npts, shift, normalize="peak",
           earth_flattening=True):
    return rf.receiver_function(h, vp, vs, rho, p, gauss_rad_s, dt, npts, shift,
                                normalize=normalize, earth_flattening=earth_flattening)


CRUST = (np.array([35.0]), np.array([6.3, 8.1]), np.array([3.6, 4.5]), np.array([2.8, 3.3]))


@pytest.mark.parametrize("p", [0.0, 0.04, 0.06, 0.08])
@pytest.mark.parametrize("vp,vs", [(6.0, 3.5), (8.0, 4.5), (5.0, 2.2)])
def test_half_space_ratio_is_wiechert(p, vp, vs):
    freq = np.array([0.0, 0.01, 0.5, 3.0, 20.0])
    rz = rf.rz_spectrum(freq, jnp.zeros(0), [vp], [vs], [2.7], p, earth_flattening=False)
    np.testing.assert_allclose(rz.real, wiechert_ratio(vs, p), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(rz.imag, 0.0, atol=1e-13)


@pytest.mark.parametrize("normalize,expected", [("peak", 1.0), ("area", None), ("sum", None)])
def test_normalization_of_direct_p(normalize, expected):
    p, vs, gauss_rad_s, dt, npts, shift = 0.06, 3.5, 2.5, 0.02, 1024, 5.0
    r = np.asarray(rf_jit(jnp.zeros(0), jnp.array([6.0]), jnp.array([vs]), jnp.array([2.7]),
                          p, gauss_rad_s, dt, npts, shift, normalize=normalize,
                          earth_flattening=False))
    ratio = wiechert_ratio(vs, p)
    i0 = int(round(shift / dt))
    assert np.argmax(r) == i0 and r[i0] > 0
    if normalize == "peak":
        np.testing.assert_allclose(r[i0], ratio, rtol=1e-6)
    elif normalize == "area":
        np.testing.assert_allclose(r.sum() * dt, ratio, rtol=1e-9)
        np.testing.assert_allclose(r[i0], ratio * gauss_rad_s / np.sqrt(np.pi), rtol=1e-6)
    else:
        np.testing.assert_allclose(r.sum(), ratio, rtol=1e-9)


def test_water_level_tends_to_exact_ratio():
    h, vp, vs, rho = CRUST
    args = (h, vp, vs, rho, 0.06, 2.5, 0.05, 1024, 5.0)
    exact = np.asarray(rf.receiver_function(*args))
    wl = np.asarray(rf.receiver_function(*args, water_level=1e-12))
    np.testing.assert_allclose(wl, exact, atol=1e-10)
    # A water level at the maximum divides by the constant max |Z|^2.
    level = np.asarray(rf.receiver_function(*args, water_level=1.0))
    freq = np.fft.rfftfreq(1024, 0.05)
    radial, vertical = (np.asarray(x) for x in rf.surface_displacement_spectra(
        freq, h, vp, vs, rho, 0.06))
    spec = (radial * np.conj(vertical) / np.max(np.abs(vertical) ** 2)
            * np.exp(-(2 * np.pi * freq) ** 2 / (4 * 2.5**2)) * np.exp(-2j * np.pi * freq * 5.0))
    expected = np.fft.irfft(spec, n=1024) / 0.05 * np.sqrt(np.pi) / 2.5
    np.testing.assert_allclose(level, expected, atol=1e-12)
    assert np.max(np.abs(level - exact)) > 1e-3


def test_one_layer_ps_and_ppps_times():
    h, vp, vs, rho = CRUST
    p, dt, npts, shift = 0.06, 0.05, 2048, 5.0
    r = np.asarray(rf_jit(h, vp, vs, rho, p, 5.0, dt, npts, shift, earth_flattening=False))
    t = np.asarray(rf.time_axis_s(dt, npts, shift))
    t_ps = h[0] * (q(vs[0], p) - q(vp[0], p))
    t_ppps = h[0] * (q(vs[0], p) + q(vp[0], p))
    t_psps = 2.0 * h[0] * q(vs[0], p)
    assert abs(t[np.argmax(r)]) < 1e-12  # direct P at time 0
    for t0, sign in ((t_ps, 1.0), (t_ppps, 1.0), (t_psps, -1.0)):
        sel = np.flatnonzero(np.abs(t - t0) < 1.0)
        i = sel[np.argmax(sign * r[sel])]
        assert abs(t[i] - t0) <= dt, (t[i], t0)
        assert sign * r[i] > 0.05


def _taup_case(name, dist_index):
    stored = json.loads((DATA / "taup_pds_times.json").read_text())
    row = stored["models"][name][dist_index]
    return stored["distances_deg"][dist_index], row


def _pds_errors_s(name, row, earth_flattening, layer_thickness_km=5.0):
    """RF Pds-P delay minus TauP's, for P410s and P660s.

    A point source gives P and Pds different ray parameters at one
    distance. With ``T = tau(p) + p Delta`` stationary in p for each phase,
    the TauP delay equals the plane-wave delay ``tau_Pds(p) - tau_P(p)`` at
    the mean of the two ray parameters to second order in their difference;
    using P's own p instead errs by up to 0.5 s at 40 degrees.
    """
    from bayesjoint.physics.reference import reference_layers

    top, vp, vs, rho = reference_layers(name, 800.0, layer_thickness_km)
    h = np.diff(top)
    dt, npts, shift = 0.05, 2048, 5.0
    t = np.asarray(rf.time_axis_s(dt, npts, shift))
    errors = {}
    for phase in ("P410s", "P660s"):
        delay = row[phase]["time_s"] - row["P"]["time_s"]
        p = 0.5 * (row["P"]["ray_param_s_rad"] + row[phase]["ray_param_s_rad"]) / EARTH_RADIUS_KM
        r = np.asarray(rf_jit(h, vp, vs, rho, p, 1.0, dt, npts, shift,
                              earth_flattening=earth_flattening))
        errors[phase] = pick_peak_s(r, t, delay) - delay
    return errors


@pytest.mark.parametrize("name", ["ak135", "iasp91"])
def test_pds_delays_agree_with_taup(name):
    pytest.importorskip("obspy")
    _, row = _taup_case(name, 1)  # 60 degrees
    flat = _pds_errors_s(name, row, True)
    plain = _pds_errors_s(name, row, False)
    for phase in ("P410s", "P660s"):
        assert abs(flat[phase]) < 0.1, (phase, flat)
    # Without flattening the 660 conversion arrives far too early.
    assert plain["P660s"] < -0.5 and plain["P410s"] < -0.15, plain


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ak135", "iasp91"])
@pytest.mark.parametrize("dist_index", [0, 2])
@pytest.mark.parametrize("layer_thickness_km", [5.0, 10.0])
def test_pds_delays_agree_with_taup_all_distances(name, dist_index, layer_thickness_km):
    pytest.importorskip("obspy")
    _, row = _taup_case(name, dist_index)
    flat = _pds_errors_s(name, row, True, layer_thickness_km)
    assert max(abs(e) for e in flat.values()) < 0.1, flat


def test_stored_taup_times_match_live_taup():
    taup = pytest.importorskip("obspy.taup")
    dist, row = _taup_case("ak135", 1)
    arrivals = taup.TauPyModel("ak135").get_travel_times(0.0, dist, ["P", "P410s", "P660s"])
    live = {}
    for a in arrivals:
        live.setdefault(a.name, a.time)
    for phase in ("P", "P410s", "P660s"):
        assert abs(live[phase] - row[phase]["time_s"]) < 1e-3


def _seispy_reference():
    return np.load(DATA / "seispy_rz_4layer.npz")


def _crust(ref):
    return tuple(np.asarray(ref[k]) for k in ("thickness_km", "vp_km_s", "vs_km_s", "rho_g_cm3"))


def test_spectra_match_seispy_propagator():
    ref = _seispy_reference()
    freq = ref["freq_hz"]
    for p, stored in zip(ref["ray_parameter_s_km"], ref["rz"]):
        mine = np.asarray(rf.rz_spectrum(freq, *_crust(ref), p, earth_flattening=False))
        np.testing.assert_allclose(mine, stored, rtol=1e-8)


def test_receiver_function_correlates_with_seispy():
    ref = _seispy_reference()
    dt, npts, shift, gauss_rad_s = float(ref["dt_s"]), int(ref["npts"]), 5.0, 2.5
    freq = np.fft.rfftfreq(npts, dt)
    for p, stored in zip(ref["ray_parameter_s_km"], ref["rz"]):
        # The peer's ratio, filtered and shifted exactly as receiver_function does.
        ratio = np.concatenate([[stored[0].real], stored])  # omega = 0: low-frequency limit
        peer = np.fft.irfft(ratio * np.exp(-(2 * np.pi * freq) ** 2 / (4 * gauss_rad_s**2))
                            * np.exp(-2j * np.pi * freq * shift), n=npts)
        mine = np.asarray(rf_jit(*(jnp.asarray(a) for a in _crust(ref)), p, gauss_rad_s, dt, npts,
                                 shift, normalize="sum", earth_flattening=False))
        corr = np.corrcoef(mine, peer)[0, 1]
        assert corr > 0.999, corr


def test_live_seispy_propagator():
    seisfwd = pytest.importorskip("seispy.seisfwd")
    ref = _seispy_reference()
    h, vp, vs, rho = _crust(ref)
    p, dt, npts = 0.07, 0.1, 256
    ur, uz = seisfwd.fwd_seis(p, dt, npts, 1, vp, vs, rho, np.append(h, 0.0))
    peer = np.conj(ur[1:npts // 2 + 1] / -uz[1:npts // 2 + 1])
    mine = rf.rz_spectrum(np.fft.rfftfreq(npts, dt)[1:], h, vp, vs, rho, p,
                          earth_flattening=False)
    np.testing.assert_allclose(np.asarray(mine), peer, rtol=1e-8)


def test_zero_thickness_layers_change_nothing():
    h, vp, vs, rho = (np.array([3.0, 10.0, 20.0]), np.array([5.0, 6.1, 6.6, 8.0]),
                      np.array([2.9, 3.5, 3.8, 4.6]), np.array([2.5, 2.75, 2.9, 3.3]))
    args = (0.065, 2.5, 0.05, 1024, 5.0)
    base = np.asarray(rf_jit(h, vp, vs, rho, *args))
    # Zero-thickness layers on top (as LayeredEarth pads), inside, and just
    # above the half-space, with properties unlike their neighbours.
    h2 = np.array([0.0, 0.0, 3.0, 10.0, 0.0, 20.0, 0.0])
    vp2 = np.array([5.0, 4.0, 5.0, 6.1, 7.5, 6.6, 5.5, 8.0])
    vs2 = np.array([2.9, 2.0, 2.9, 3.5, 4.2, 3.8, 3.0, 4.6])
    rho2 = np.array([2.5, 2.2, 2.5, 2.75, 3.1, 2.9, 2.6, 3.3])
    padded = np.asarray(rf_jit(h2, vp2, vs2, rho2, *args))
    np.testing.assert_allclose(padded, base, atol=1e-10 * np.max(np.abs(base)))


def test_grad_matches_central_differences():
    h0 = jnp.array([3.0, 12.0, 20.0])
    vp = jnp.array([5.0, 6.1, 6.6, 8.0])
    vs0 = jnp.array([2.9, 3.5, 3.8, 4.6])
    rho = jnp.array([2.5, 2.75, 2.9, 3.3])
    weights = jnp.sin(jnp.arange(512) * 0.05)

    def objective(h, vs):
        return jnp.sum(weights * rf.receiver_function(h, vp, vs, rho, 0.07, 2.5, 0.05, 512, 5.0))

    grad = jax.jit(jax.grad(objective, argnums=(0, 1)))
    g_h, g_vs = grad(h0, vs0)
    assert np.all(np.isfinite(g_h)) and np.all(np.isfinite(g_vs))
    f = jax.jit(objective)
    eps = 1e-5
    for i in range(3):
        e = jnp.zeros(3).at[i].set(eps)
        fd = (f(h0 + e, vs0) - f(h0 - e, vs0)) / (2 * eps)
        np.testing.assert_allclose(g_h[i], fd, rtol=1e-5, atol=1e-8)
    for i in range(4):
        e = jnp.zeros(4).at[i].set(eps)
        fd = (f(h0, vs0 + e) - f(h0, vs0 - e)) / (2 * eps)
        np.testing.assert_allclose(g_vs[i], fd, rtol=1e-5, atol=1e-8)
    # A zero-thickness layer keeps the gradient finite.
    g0 = grad(jnp.array([0.0, 12.0, 20.0]), vs0)
    assert np.all(np.isfinite(g0[0])) and np.all(np.isfinite(g0[1]))


def test_jit_and_vmap_over_models():
    h, vp, vs, rho = CRUST
    vs_batch = jnp.stack([jnp.asarray(vs) * s for s in (0.95, 1.0, 1.05)])
    h_batch = jnp.stack([jnp.asarray(h) + d for d in (-2.0, 0.0, 2.0)])
    f = jax.jit(jax.vmap(lambda hh, ss: rf.receiver_function(
        hh, vp, ss, rho, 0.06, 2.5, 0.05, 1024, 5.0)))
    batch = np.asarray(f(h_batch, vs_batch))
    single = np.asarray(rf.receiver_function(h_batch[2], vp, vs_batch[2], rho,
                                             0.06, 2.5, 0.05, 1024, 5.0))
    assert batch.shape == (3, 1024)
    np.testing.assert_allclose(batch[2], single, atol=1e-12)


def test_many_layers_long_periods_and_evanescent_waves_stay_finite():
    rng = np.random.default_rng(0)
    k = 121
    h = jnp.asarray(rng.uniform(0.0, 15.0, k - 1))
    vs = jnp.asarray(np.sort(rng.uniform(2.0, 6.5, k)))
    vp = vs * 1.75
    vp = vp.at[60].set(14.0)  # P evanescent in this layer at p = 0.08
    rho = rf.brocher_density_g_cm3(jnp.minimum(vp, 8.5))
    p = 0.08
    freq = jnp.concatenate([jnp.array([0.0, 0.001, 0.01]), jnp.linspace(0.05, 25.0, 200)])
    rz = rf.rz_spectrum(freq, h, vp, vs, rho, p)
    assert np.all(np.isfinite(rz))
    # 100 s period on a 200 s record at 0.5 s sampling.
    r = rf.receiver_function(h, vp, vs, rho, p, 0.05, 0.5, 400, 20.0)
    assert np.all(np.isfinite(r))
    g = jax.jit(jax.grad(lambda v: jnp.sum(rf.receiver_function(h, vp, v, rho, p, 1.0, 0.2,
                                                                256, 5.0) ** 2)))(vs)
    assert np.all(np.isfinite(g))


def test_gauss_helpers_and_density():
    np.testing.assert_allclose(rf.gauss_from_hz(1.0), 2 * np.pi)
    f = rf.gaussian_frequency_hz(2.5)
    np.testing.assert_allclose(rf.gaussian_filter(f, 2.5), 0.1, rtol=1e-12)
    assert 1.19 < f < 1.22
    # Brocher (2005) eq. 1 at Vp = 6 km/s, evaluated by hand.
    vp = 6.0
    expected = (1.6612 * vp - 0.4721 * vp**2 + 0.0671 * vp**3 - 0.0043 * vp**4
                + 0.000106 * vp**5)
    np.testing.assert_allclose(rf.brocher_density_g_cm3(vp), expected, rtol=1e-14)
    assert 2.6 < expected < 2.8
    with pytest.raises(ValueError):
        rf.receiver_function(*CRUST, 0.06, 2.5, 0.05, 64, 1.0, normalize="max")


def _stacks_with_padding(rng, k_max, n_per_k):
    """Random stacks of 1 .. k_max layers, each padded on top to k_max layers twice.

    Returns the layer counts, the stacks padded with garbage (non-zero
    thickness, unrelated properties, a NaN) and the same stacks padded as
    :meth:`bayesjoint.earth.LayeredEarth.layer_stack` pads (zero thickness,
    the properties of the top layer).
    """
    counts = np.repeat(np.arange(1, k_max + 1), n_per_k)
    garbage, zero_pads = [], []
    for k in counts:
        h = rng.uniform(0.5, 20.0, k - 1)
        vs = rng.uniform(2.0, 4.6, k)
        vp = vs * rng.uniform(1.65, 1.9, k)
        rho = np.asarray(rf.brocher_density_g_cm3(vp))
        n_pad = k_max - k
        pads = [rng.uniform(0.0, 50.0, n_pad), rng.uniform(5.0, 9.0, n_pad),
                rng.uniform(0.5, 4.0, n_pad), rng.uniform(1.0, 3.5, n_pad)]
        if n_pad:
            pads[int(rng.integers(4))][int(rng.integers(n_pad))] = np.nan
        garbage.append([np.concatenate([pad, x]) for pad, x in zip(pads, (h, vp, vs, rho))])
        zero_pads.append([np.concatenate([np.zeros(n_pad), h])]
                         + [np.concatenate([np.full(n_pad, x[0]), x]) for x in (vp, vs, rho)])
    return (counts, *(tuple(np.stack(a) for a in zip(*s)) for s in (garbage, zero_pads)))


@pytest.mark.parametrize("earth_flattening, normalize, water_level",
                         [(True, "peak", None), (False, "sum", None), (True, "area", 1e-3)])
def test_active_layers_give_the_padded_stack_values(earth_flattening, normalize, water_level):
    """``n_active`` ignores whatever lies in the padding and equals the full recursion."""
    k_max = 8
    counts, garbage, zero_pads = _stacks_with_padding(np.random.default_rng(7), k_max, 2)
    args = (0.07, 2.5, 0.1, 256, 5.0, normalize, water_level)

    def active(h, vp, vs, rho, k):
        return rf.receiver_function(h, vp, vs, rho, *args, earth_flattening=earth_flattening,
                                    n_active=k)

    def full(h, vp, vs, rho):
        return rf.receiver_function(h, vp, vs, rho, *args, earth_flattening=earth_flattening)

    got = np.asarray(jax.jit(jax.vmap(active))(*garbage, counts))
    ref = np.asarray(jax.jit(jax.vmap(full))(*zero_pads))
    assert np.all(np.isfinite(got))
    scale = np.max(np.abs(ref), axis=1, keepdims=True)
    np.testing.assert_allclose(got / scale, ref / scale, rtol=0, atol=1e-12)
    # One model at a time (a scalar trip count) gives the batched values.
    one = jax.jit(active)
    for i in (0, len(counts) // 2, len(counts) - 1):
        np.testing.assert_allclose(np.asarray(one(*(a[i] for a in garbage), counts[i])),
                                   got[i], rtol=0, atol=1e-13 * scale[i, 0])
    # The half-space alone: a direct P of Wiechert's ratio R/Z (unflattened).
    if not earth_flattening:
        vs_half = garbage[2][:2, -1]
        np.testing.assert_allclose(got[:2, 50] / 0.1 * np.sqrt(np.pi) / 2.5,
                                   wiechert_ratio(vs_half, 0.07), rtol=1e-10)


def _ak135_mantle():
    from bayesjoint.physics.reference import reference_layers

    top, vp, vs, rho = reference_layers("ak135", 800.0, 10.0)
    return np.diff(top), vp, vs, rho


def test_a_longer_transform_keeps_late_multiples_out_of_a_short_record():
    h, vp, vs, rho = _ak135_mantle()
    p, gauss, dt, npts, shift = 0.06, 1.0, 0.5, 200, 10.0
    t = np.asarray(rf.time_axis_s(dt, npts, shift))
    late = t >= 20.0

    def trace(**kw):
        return np.asarray(rf.receiver_function(h, vp, vs, rho, p, gauss, dt, npts, shift, **kw))

    reference = trace(n_period=npts + 4000)
    wrapped = trace()
    padded = trace(n_period=rf.wrap_free_period(npts, dt))
    # the record's own period folds the mantle's multiples (up to ~250 s) into it
    assert np.abs(wrapped - reference)[late].max() > 0.01
    assert np.abs(padded - reference)[late].max() < 1e-4
    np.testing.assert_allclose(trace(n_period=npts), wrapped, atol=1e-14)
    with pytest.raises(ValueError, match="n_period"):
        trace(n_period=npts - 1)


def test_the_gaussian_band_limit_is_exact_to_its_level():
    h, vp, vs, rho = _ak135_mantle()
    p, gauss, dt, npts, shift = 0.06, 1.0, 0.1, 1000, 10.0
    n = rf.wrap_free_period(npts, dt)
    k = rf.gaussian_band_count(gauss, dt, n)
    assert k < n // 2 + 1
    # the first frequency left out has the Gaussian below the level, the last kept above
    f = np.fft.rfftfreq(n, dt)
    g = np.asarray(rf.gaussian_filter(f, gauss))
    assert g[k] < rf.GAUSSIAN_BAND_LEVEL <= g[k - 2]
    full = rf.receiver_function(h, vp, vs, rho, p, gauss, dt, npts, shift, n_period=n)
    band = rf.receiver_function(h, vp, vs, rho, p, gauss, dt, npts, shift, n_period=n, n_freq=k)
    np.testing.assert_allclose(np.asarray(band), np.asarray(full), atol=1e-8)
    assert rf.gaussian_band_count(gauss, 0.5, 200) == 101  # below the level nowhere: all
    assert rf.wrap_free_period(200, 0.5) % 64 == 0
