"""Validation of the layered-sphere C- and Q-responses (bayesjoint.physics.sphere)."""

import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.physics import mt, sphere
from bayesjoint.physics.constants import GEOMAGNETIC_REFERENCE_RADIUS_KM, c_km_from_impedance_ohm

REFERENCE = json.loads(
    (pathlib.Path(__file__).resolve().parents[1] / "data" / "sphere_reference.json").read_text()
)
LAWS = ("quadratic", "constant")
A_KM = GEOMAGNETIC_REFERENCE_RADIUS_KM
DAY_S = 86400.0


CHAOS_PERIOD_S = np.asarray(REFERENCE["chaosmagpy_period_s"])
# Every stored model is padded with zero-thickness shells above the core to
# this many conductivities, so that all of them share one compilation per
# degree and shell law (zero-thickness shells change nothing: tested below).
PADDED_SIZE = max(len(m["sigma_s_per_m"]) for m in REFERENCE["models"].values())


def _model(name):
    """(thickness_m, sigma_s_per_m) of a stored reference model, padded."""
    model = REFERENCE["models"][name]
    thickness_m = np.diff(np.asarray(model["top_depth_km"], dtype=float)) * 1e3
    sigma = np.asarray(model["sigma_s_per_m"], dtype=float)
    pad = PADDED_SIZE - sigma.size
    return np.append(thickness_m, np.zeros(pad)), np.append(sigma, np.full(pad, sigma[-1]))


def _relative_error(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b)) / np.abs(np.asarray(b)))


def test_uniform_sphere_matches_bessel_ratio():
    # Q_n = n/(n+1) I_{n+3/2}(ka) / I_{n-1/2}(ka), stored from mpmath at 40
    # digits; a uniform sphere is a core without shells.
    worst = 0.0
    for row in REFERENCE["uniform"]:
        q = sphere.q_response(
            [row["period_s"]], [], [row["sigma_s_per_m"]], row["degree"], "constant"
        )
        worst = max(worst, _relative_error(q, row["q_re"] + 1j * row["q_im"]))
    print(f"uniform sphere: max relative error {worst:.2e}")
    assert worst < 1e-8


@pytest.mark.parametrize("shell_law", LAWS)
@pytest.mark.parametrize("degree", [1, 5])
def test_perfect_core_under_insulator(shell_law, degree):
    # Q_n = n/(n+1) (r_c/a)^(2n+1) for a perfect conductor under an insulator.
    # Here the mantle has 1e-12 S/m (its own induction, omega mu0 sigma a^2
    # ~ 1e-10 relative to the core's field at 1 day, is negligible) and the
    # core 1e6 S/m, whose skin depth (150 m at 1 day) moves the image of the
    # core down by C_c = 1/k_c: to first order Q_n = n/(n+1) ((r_c - 1/k_c)
    # /a)^(2n+1), with a second-order remainder ((2n+1)|C_c|/r_c)^2 ~ 1e-8.
    # Without the skin-depth correction the relative difference is
    # (2n+1)|C_c|/r_c <= 3.5e-4.
    period_s = DAY_S
    a_m, r_c_m = A_KM * 1e3, (A_KM - 2890.0) * 1e3
    q = sphere.q_response([period_s], [2890e3], [1e-12, 1e6], degree, shell_law)
    k_c = np.sqrt(1j * 2 * np.pi / period_s * float(mt.MU0) * 1e6)
    perfect = degree / (degree + 1) * (r_c_m / a_m) ** (2 * degree + 1)
    corrected = degree / (degree + 1) * ((r_c_m - 1.0 / k_c) / a_m) ** (2 * degree + 1)
    assert _relative_error(q, perfect) < 3.5e-4
    assert _relative_error(q, corrected) < 1e-7


@pytest.mark.parametrize("shell_law", LAWS)
@pytest.mark.parametrize("degree", [1, 7])
def test_insulating_earth(shell_law, degree):
    # sigma = 1e-14 S/m everywhere: |Q| ~ omega mu0 sigma a^2 < 1e-9.
    period_s = np.array([3600.0, DAY_S, 365.25 * DAY_S])
    thickness_m, sigma = [100e3, 2790e3], [1e-14, 1e-14, 1e-14]
    q = sphere.q_response(period_s, thickness_m, sigma, degree, shell_law)
    c = sphere.c_response_km(period_s, thickness_m, sigma, degree, shell_law)
    assert np.max(np.abs(q)) < 1e-8
    assert _relative_error(c, A_KM / (degree + 1)) < 1e-8


@pytest.mark.parametrize("shell_law", LAWS)
@pytest.mark.parametrize("degree", [1, 7])
def test_short_periods_tend_to_plane_wave(shell_law, degree):
    # Fields of periods <= 10 min do not reach below ~100 km: sphericity and
    # the r^-2 law within the top shell change C by less than 1 %.
    period_s = np.geomspace(1.0, 600.0, 8)
    thickness_m = np.array([20e3, 80e3, 300e3, 2490e3])
    sigma = np.array([0.1, 0.01, 0.1, 1.0, 5e5])
    c_plane_km = c_km_from_impedance_ohm(period_s, mt.impedance(period_s, thickness_m, sigma))
    c_km = sphere.c_response_km(period_s, thickness_m, sigma, degree, shell_law)
    assert _relative_error(c_km, c_plane_km) < 1e-2


@pytest.mark.parametrize("shell_law", LAWS)
def test_sign_conventions(shell_law):
    # exp(+i omega t): Re C > 0, Im C < 0, Im Q > 0, and 0 < Re Q < n/(n+1).
    thickness_m, sigma = _model("yao2023")
    period_s = CHAOS_PERIOD_S  # 1 h to 1 year
    for degree in (1, 3):
        c = np.asarray(sphere.c_response_km(period_s, thickness_m, sigma, degree, shell_law))
        q = np.asarray(sphere.q_response(period_s, thickness_m, sigma, degree, shell_law))
        assert np.all(c.real > 0) and np.all(c.imag < 0)
        assert np.all(q.imag > 0)
        assert np.all((q.real > 0) & (q.real < degree / (degree + 1)))


@pytest.mark.parametrize("degree", [1, 3])
def test_q_and_c_conversions(degree):
    thickness_m, sigma = _model("three_shells")
    period_s = np.geomspace(3600.0, 100 * DAY_S, 5)
    q = sphere.q_response(period_s, thickness_m, sigma, degree)
    c = sphere.c_response_km(period_s, thickness_m, sigma, degree)
    assert _relative_error(sphere.q_from_c(c, degree), q) < 1e-13
    assert _relative_error(sphere.c_from_q(q, degree), c) < 1e-13


def _chaosmagpy_cases():
    return [(row["model"], row["shell_law"], row["degree"]) for row in REFERENCE["chaosmagpy"]]


def _stored_chaosmagpy(model, shell_law, degree):
    for row in REFERENCE["chaosmagpy"]:
        if (row["model"], row["shell_law"], row["degree"]) == (model, shell_law, degree):
            return np.asarray(row["q_re"]) + 1j * np.asarray(row["q_im"])
    raise KeyError((model, shell_law, degree))


@pytest.mark.parametrize(("model", "shell_law", "degree"), _chaosmagpy_cases())
def test_matches_stored_chaosmagpy(model, shell_law, degree):
    # Values written by tests/create_data/make_sphere_reference.py.
    # chaosmagpy uses exp(+i omega t) as well (k = sqrt(i omega mu0 sigma)),
    # so no conjugation is needed. Its "quadratic" radius[j] is our top
    # radius of shell j (and of the core); its "constant" law puts a perfect
    # conductor below its last radius, so the core was entered as a shell
    # down to 1 km radius.
    thickness_m, sigma = _model(model)
    q = sphere.q_response(CHAOS_PERIOD_S, thickness_m, sigma, degree, shell_law)
    assert _relative_error(q, _stored_chaosmagpy(model, shell_law, degree)) < 1e-6


@pytest.mark.parametrize("shell_law", LAWS)
def test_matches_live_chaosmagpy(shell_law):
    pytest.importorskip("chaosmagpy")
    from chaosmagpy.coordinate_utils import q_response_1D

    for name, model in REFERENCE["models"].items():
        radius_km = A_KM - np.asarray(model["top_depth_km"], dtype=float)
        sigma_chaos = np.asarray(model["sigma_s_per_m"], dtype=float)
        if shell_law == "constant":
            radius_km = np.append(radius_km, REFERENCE["chaosmagpy_constant_inner_radius_km"])
            sigma_chaos = np.append(sigma_chaos, sigma_chaos[-1])
        *_, q_chaos = q_response_1D(CHAOS_PERIOD_S, sigma_chaos, radius_km, 1, kind=shell_law)
        thickness_m, sigma = _model(name)
        q = sphere.q_response(CHAOS_PERIOD_S, thickness_m, sigma, 1, shell_law)
        assert _relative_error(q, q_chaos) < 1e-6


@pytest.mark.parametrize("shell_law", LAWS)
def test_zero_thickness_shells_change_nothing(shell_law):
    period_s = np.array([3600.0, 10 * DAY_S, 365.25 * DAY_S])
    thickness_m = np.array([100e3, 300e3, 2490e3])
    sigma = np.array([1e-3, 0.1, 2.0, 5e5])
    # Zero shells at the surface, inside the mantle and above the core.
    padded_thickness = np.array([0.0, 100e3, 300e3, 0.0, 2490e3, 0.0])
    padded_sigma = np.array([50.0, 1e-3, 0.1, 1e-5, 2.0, 3.0, 5e5])
    q = sphere.q_response(period_s, thickness_m, sigma, 3, shell_law)
    q_padded = sphere.q_response(period_s, padded_thickness, padded_sigma, 3, shell_law)
    assert _relative_error(q_padded, q) < 1e-13


@pytest.mark.parametrize("shell_law", LAWS)
def test_grad_matches_finite_differences(shell_law):
    period_s = jnp.array([3600.0, 2 * DAY_S, 50 * DAY_S])
    thickness_m = jnp.array([100e3, 0.0, 300e3, 2490e3])
    log10_sigma = jnp.array([-3.0, 1.0, -1.0, 0.3, np.log10(5e5)])

    def objective(log10_s):
        q = sphere.q_response(period_s, thickness_m, 10.0**log10_s, 3, shell_law)
        return jnp.sum(q.real) + 2.0 * jnp.sum(q.imag)

    grad = np.asarray(jax.grad(objective)(log10_sigma))
    assert np.all(np.isfinite(grad))
    step = 1e-5
    for i in range(log10_sigma.size):
        up = objective(log10_sigma.at[i].add(step))
        down = objective(log10_sigma.at[i].add(-step))
        fd = float(up - down) / (2 * step)
        assert abs(grad[i] - fd) <= 1e-6 * np.max(np.abs(grad)) + 1e-6 * abs(fd)
    # The zero-thickness shell has no influence.
    assert abs(grad[1]) < 1e-12


@pytest.mark.parametrize("shell_law", LAWS)
def test_jit_vmap_over_models(shell_law):
    period_s = jnp.geomspace(3600.0, 100 * DAY_S, 6)
    thickness_m = jnp.array([50e3, 200e3, 400e3, 2240e3])
    rng = np.random.default_rng(3)
    log10_sigma = jnp.asarray(rng.uniform(-4, 1, size=(8, 5))).at[:, -1].set(np.log10(5e5))

    batched = jax.jit(
        jax.vmap(lambda s: sphere.q_response(period_s, thickness_m, 10.0**s, 2, shell_law))
    )
    q = np.asarray(batched(log10_sigma))
    assert q.shape == (8, 6)
    for i in range(8):
        single = sphere.q_response(period_s, thickness_m, 10.0 ** log10_sigma[i], 2, shell_law)
        assert _relative_error(q[i], single) < 1e-12


def test_shell_laws_differ_slightly():
    # Yao et al. (2023) model at Dst periods: the two laws differ at the
    # 0.1 % level (r^-2 inside 10-900 km thick shells), but do differ.
    thickness_m, sigma = _model("yao2023")
    period_s = np.geomspace(2.0, 100.0, CHAOS_PERIOD_S.size) * DAY_S
    q_quadratic = sphere.q_response(period_s, thickness_m, sigma, 1, "quadratic")
    q_constant = sphere.q_response(period_s, thickness_m, sigma, 1, "constant")
    difference = _relative_error(q_constant, q_quadratic)
    print(f"shell laws, Yao et al. (2023) model, Q_1 at 2-100 days: {difference:.2e}")
    assert 1e-4 < difference < 5e-3


def test_rejects_unknown_shell_law_and_degree():
    with pytest.raises(ValueError, match="shell_law"):
        sphere.q_response([3600.0], [], [1.0], 1, "linear")
    with pytest.raises(ValueError, match="degree"):
        sphere.q_response([3600.0], [], [1.0], 0)


def test_one_degree_per_period_equals_one_recursion_per_degree():
    """Terms of several degrees in one sigma ~ r^-2 recursion give each degree's Q_n."""
    period = np.array([86400.0, 43200.0, 28800.0, 21600.0, 86400.0 * 5, 17280.0])
    degree = np.array([2, 3, 4, 5, 1, 6])
    thickness = np.array([0.0, 40e3, 100e3, 300e3, 500e3])
    sigma = np.array([0.02, 0.001, 0.05, 0.3, 2.0, 5e5])
    together = np.asarray(sphere.q_response(period, thickness, sigma, degree=degree))
    apart = np.array([complex(sphere.q_response(period[i:i + 1], thickness, sigma,
                                                degree=int(n))[0])
                      for i, n in enumerate(degree)])
    np.testing.assert_allclose(together, apart, rtol=1e-13, atol=0)
    with pytest.raises(ValueError, match="shell_law='quadratic'"):
        sphere.q_response(period, thickness, sigma, degree=degree, shell_law="constant")
