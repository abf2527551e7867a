"""Validation of the plane-wave MT forward model, bayesjoint.physics.mt."""

import importlib.util
import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import bayesjoint  # noqa: F401  (switches JAX to float64)
from bayesjoint.earth import LayeredEarth
from bayesjoint.physics import mt
from bayesjoint.physics.constants import c_km_from_impedance_ohm

TESTS = pathlib.Path(__file__).resolve().parents[1]
REFERENCE = json.loads((TESTS / "data" / "mt_reference.json").read_text())
MODELS = {m["name"]: m for m in REFERENCE["models"]}

# A zero-thickness layer has tanh(k h) = 0 exactly, so the recursion returns
# the impedance below it bit for bit.
ZERO_LAYER_RTOL = 0.0


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_mt_reference", TESTS / "create_data" / "make_mt_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _relative(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b)) / np.abs(np.asarray(b)))


def _log_rho_phase(period_s, thickness_m, log10_sigma):
    out = mt.forward(period_s, thickness_m, 10.0**log10_sigma)
    return jnp.concatenate([jnp.log10(out["rho_a_ohm_m"]), out["phase_deg"]])


# --- analytic cases -------------------------------------------------------

@pytest.mark.parametrize("n_layers", [1, 4])
def test_half_space_rho_a_and_phase(n_layers):
    # A uniform Earth, given as one half-space or as identical layers:
    # rho_a = 1/sigma and phase = +45 deg exactly (exp(+i omega t)).
    period = jnp.logspace(-3, 5, 33)
    thickness = jnp.full(n_layers - 1, 750.0)
    sigma = jnp.logspace(-5, 3, 17)
    out = jax.jit(jax.vmap(lambda s: mt.forward(period, thickness, jnp.full(n_layers, s))))(sigma)
    np.testing.assert_allclose(out["rho_a_ohm_m"], 1.0 / sigma[:, None] * jnp.ones(period.size),
                               rtol=1e-9)
    np.testing.assert_allclose(out["phase_deg"], 45.0, rtol=1e-9)


def test_half_space_c_response_sign():
    # C = 1/k for a half-space: Re C > 0 and Im C < 0 under exp(+i omega t).
    period = jnp.logspace(-3, 5, 9)
    c = 1e3 * c_km_from_impedance_ohm(period, mt.impedance(period, jnp.zeros(0),
                                                          jnp.array([0.01])))
    k = np.sqrt(1j * 2 * np.pi / np.asarray(period) * mt.MU0 * 0.01)
    np.testing.assert_allclose(c, 1.0 / k, rtol=1e-12)
    assert np.all(c.real > 0) and np.all(c.imag < 0)


def test_insulator_over_perfect_conductor_c_equals_thickness():
    # An insulator of thickness h over a perfect conductor has C = h exactly.
    # Here sigma1 = 1e-8 S/m over sigma2 = 1e6 S/m. Expanding
    # tanh(k1 h) = k1 h - (k1 h)^3 / 3 + ... in
    # C = (1/k1) (k1 C2 + tanh(k1 h)) / (1 + k1 C2 tanh(k1 h)), C2 = 1/k2,
    # k_j = sqrt(i omega mu0 sigma_j), gives
    #   C = h + 1/k2 - k1^2 h^3 / 3 + O(|k1 h|^2 |1/k2|, |k1 h|^4 h).
    # For h = 10 km and 0.01 s <= T <= 100 s: |1/k2| <= 3.6 m and
    # |k1^2 h^3 / 3| <= 2.7 m, so |C - h| <= 4e-4 h; the remainder after the
    # two corrections is below 1e-3 m, i.e. 1e-7 h (asserted: 1e-6 h).
    h = 1e4
    period = jnp.logspace(-2, 2, 9)
    sigma1, sigma2 = 1e-8, 1e6
    c = 1e3 * np.asarray(c_km_from_impedance_ohm(
        period, mt.impedance(period, jnp.array([h]), jnp.array([sigma1, sigma2]))))
    np.testing.assert_allclose(c, h, rtol=4e-4)
    omega_mu0 = 2 * np.pi / np.asarray(period) * mt.MU0
    k1_sq, k2 = 1j * omega_mu0 * sigma1, np.sqrt(1j * omega_mu0 * sigma2)
    assert np.max(np.abs(c - (h + 1.0 / k2 - k1_sq * h**3 / 3))) / h < 1e-6


# --- independent code: SimPEG ----------------------------------------------

@pytest.mark.parametrize("name", sorted(MODELS))
def test_matches_stored_simpeg_reference(name):
    # Stored SimPEG values (tests/create_data/make_mt_reference.py, with
    # mu0 = 4 pi 1e-7 and the sign of SimPEG's Z_xy flipped): agreement to
    # rounding, measured max 7e-14 relative on Z.
    model = MODELS[name]
    period = np.asarray(REFERENCE["period_s"])
    z_ref = np.asarray(model["z_re_ohm"]) + 1j * np.asarray(model["z_im_ohm"])
    out = mt.forward(period, model["thickness_m"], model["sigma_s_per_m"])
    assert _relative(out["z_ohm"], z_ref) < 1e-9
    rho_ref = np.abs(z_ref) ** 2 / (2 * np.pi / period * REFERENCE["mu0_h_per_m"])
    phase_ref = np.degrees(np.angle(z_ref))
    assert _relative(out["rho_a_ohm_m"], rho_ref) < 1e-9
    assert _relative(out["phase_deg"], phase_ref) < 1e-9


def test_reference_covers_the_required_models():
    sizes = sorted(len(m["sigma_s_per_m"]) for m in REFERENCE["models"])
    assert {3, 5, 40} <= set(sizes)
    for m in REFERENCE["models"]:
        log_sigma = np.log10(m["sigma_s_per_m"])
        assert log_sigma.max() - log_sigma.min() >= 4  # wide contrasts


def test_matches_simpeg_live():
    pytest.importorskip("simpeg")
    generator = _load_generator()
    period = np.logspace(-3, 5, 21)
    for model in generator.reference_models():
        z_simpeg = generator.simpeg_impedance(period, model["thickness_m"], model["sigma_s_per_m"])
        z = mt.impedance(period, model["thickness_m"], model["sigma_s_per_m"])
        assert _relative(z, z_simpeg) < 1e-9


# --- limits and invariances ----------------------------------------------

@pytest.mark.parametrize("position", range(5))
def test_zero_thickness_layer_changes_nothing(position):
    model = MODELS["five_layers"]
    period = np.logspace(-3, 5, 25)
    thickness = np.asarray(model["thickness_m"])
    sigma = np.asarray(model["sigma_s_per_m"])
    z0 = mt.impedance(period, thickness, sigma)
    # Insert a zero-thickness layer of very different conductivity above
    # layer `position` (position 4 = just above the half-space).
    thick_new = np.insert(thickness, position, 0.0)
    sigma_new = np.insert(sigma, position, 123.0)
    z1 = mt.impedance(period, thick_new, sigma_new)
    assert _relative(z1, z0) <= ZERO_LAYER_RTOL


def test_grad_matches_central_differences():
    model = MODELS["five_layers"]
    period = jnp.logspace(-2, 4, 7)
    log_sigma = jnp.log10(jnp.asarray(model["sigma_s_per_m"]))
    thickness = jnp.asarray(model["thickness_m"])
    f = jax.jit(lambda ls, th: _log_rho_phase(period, th, ls))

    # Reverse mode: the Jacobian row by row (jacrev), and jax.grad of a
    # weighted sum of the data, which must equal the weighted rows.
    jac_sigma, jac_thick = jax.jit(jax.jacrev(f, argnums=(0, 1)))(log_sigma, thickness)
    weights = jnp.asarray(np.random.default_rng(3).normal(size=2 * period.size))
    grad_sigma, grad_thick = jax.grad(lambda ls, th: weights @ f(ls, th), argnums=(0, 1))(
        log_sigma, thickness)
    np.testing.assert_allclose(grad_sigma, weights @ jac_sigma, rtol=1e-10)
    np.testing.assert_allclose(grad_thick, weights @ jac_thick, rtol=1e-10)

    def central(fun, x, step):
        cols = []
        for j in range(x.size):
            e = jnp.zeros_like(x).at[j].set(step[j])
            cols.append((fun(x + e) - fun(x - e)) / (2 * step[j]))
        return np.stack(cols, axis=1)

    # Steps of 1e-5 (in log10 sigma, and relative in thickness): truncation
    # error ~ step^2 = 1e-10, rounding ~ 1e-16 / step = 1e-11.
    fd_sigma = central(lambda ls: f(ls, thickness), log_sigma, np.full(log_sigma.size, 1e-5))
    fd_thick = central(lambda th: f(log_sigma, th), thickness, 1e-5 * np.asarray(thickness))
    # Rounding of the central difference: ~ eps |f| / step per element.
    f_max = float(np.max(np.abs(f(log_sigma, thickness))))
    for ad, fd, step in ((jac_sigma, fd_sigma, np.full(log_sigma.size, 1e-5)),
                         (jac_thick, fd_thick, 1e-5 * np.asarray(thickness))):
        # relative 1e-6 of each column's largest sensitivity, plus the
        # difference quotient's own rounding error (which dominates in the
        # columns of deep layers the data hardly see)
        scale = np.max(np.abs(fd), axis=0)
        assert np.all(scale > 0)
        rounding = 10 * np.finfo(float).eps * f_max / step
        assert np.all(np.abs(ad - fd) <= 1e-6 * scale + rounding)
    # forward and reverse mode agree to rounding
    jac_fwd = jax.jacfwd(f, argnums=0)(log_sigma, thickness)
    scale = np.max(np.abs(jac_sigma), axis=0)
    np.testing.assert_allclose(jac_fwd / scale, jac_sigma / scale, rtol=0, atol=1e-10)


def test_jit_and_vmap_over_a_batch_of_models():
    rng = np.random.default_rng(1)
    period = jnp.logspace(-3, 4, 15)
    log_sigma = jnp.asarray(rng.uniform(-4, 2, size=(8, 6)))
    thickness = jnp.asarray(10.0 ** rng.uniform(1, 4, size=(8, 5)))
    batched = jax.jit(jax.vmap(lambda th, ls: _log_rho_phase(period, th, ls)))
    out = batched(thickness, log_sigma)
    assert out.shape == (8, 2 * period.size)
    for b in range(8):
        expected = _log_rho_phase(period, thickness[b], log_sigma[b])
        np.testing.assert_allclose(out[b], expected, rtol=1e-13)


def test_sixty_layers_stay_finite():
    rng = np.random.default_rng(60)
    period = jnp.logspace(-3, 5, 33)
    log_sigma = jnp.asarray(rng.uniform(-5, 3, size=60))
    thickness = jnp.asarray(10.0 ** rng.uniform(0, 5, size=59))
    out = mt.forward(period, thickness, 10.0**log_sigma)
    for key in ("z_ohm", "rho_a_ohm_m", "phase_deg"):
        assert np.all(np.isfinite(out[key]))
    assert np.all((out["phase_deg"] > 0) & (out["phase_deg"] < 90))
    grad = jax.grad(lambda ls: jnp.sum(_log_rho_phase(period, thickness, ls)))(log_sigma)
    assert np.all(np.isfinite(grad))


def test_layered_earth_padding_gives_the_unpadded_response():
    period = jnp.logspace(-3, 5, 25)
    models = [([0.0, 1.5, 9.5], [1e-3, 10.0, 1e-4]),
              ([0.0, 0.2, 3.2, 3.7, 23.7], [0.1, 1e-5, 3.0, 1e-3, 100.0])]
    padded = []
    for top_km, sigma in models:
        thickness_m = np.diff(top_km) * 1e3
        z_plain = mt.impedance(period, thickness_m, sigma)
        earth = LayeredEarth.from_layers(top_km, sigma, k_max=12)
        z_pad = mt.impedance(period, *earth.sigma_stack())
        assert _relative(z_pad, z_plain) <= ZERO_LAYER_RTOL
        padded.append((earth, z_plain))
    # Models with different layer counts share one compiled, vmapped call.
    batch = jax.tree.map(lambda *x: jnp.stack(x), *(e for e, _ in padded))
    z_batch = jax.jit(jax.vmap(lambda e: mt.impedance(period, *e.sigma_stack())))(batch)
    for b, (_, z_plain) in enumerate(padded):
        assert _relative(z_batch[b], z_plain) <= ZERO_LAYER_RTOL
