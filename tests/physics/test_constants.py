"""Each physical constant and conversion has one definition, which everything uses."""

import ast
import pathlib

import numpy as np

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.physics import constants, mt, sphere

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "bayesjoint"


def test_two_radii_for_two_facts():
    assert constants.GEOMAGNETIC_REFERENCE_RADIUS_KM == 6371.2
    assert constants.MEAN_EARTH_RADIUS_KM == 6371.0
    # C = h for an insulator of thickness h over a perfect conductor gives Q_1 from a = 6371.2 km
    q = sphere.q_from_c(100.0, 1)
    a = constants.GEOMAGNETIC_REFERENCE_RADIUS_KM
    np.testing.assert_allclose(q, 0.5 * (1 - 2 * 100.0 / a) / (1 + 100.0 / a), rtol=1e-14)


def test_conversions():
    period_s = np.array([1.0, 10.0, 1e4])
    np.testing.assert_allclose(constants.angular_frequency_rad_s(period_s), 2 * np.pi / period_s)
    z = np.array([1e-3 + 1e-3j, 2e-2 + 1e-2j, 3e-4 + 5e-4j])
    rho, phase = mt.apparent_resistivity_phase(period_s, z)
    np.testing.assert_allclose(rho, np.abs(z) ** 2 * period_s / (2 * np.pi * 4e-7 * np.pi))
    np.testing.assert_allclose(phase, np.degrees(np.angle(z)))
    np.testing.assert_allclose(constants.ray_parameter_s_km_from_s_deg(111.19492664455873), 1.0)


def _assigned_names(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    yield t.id, node.value


def test_constants_defined_once():
    """No module but physics/constants.py assigns a radius, mu0, shell laws or normalisations."""
    owned = {"MU0", "SHELL_LAWS", "DEFAULT_SHELL_LAW", "RF_NORMALIZATIONS", "NORMALIZATIONS",
             "EARTH_RADIUS_KM", "GEOMAGNETIC_REFERENCE_RADIUS_KM", "MEAN_EARTH_RADIUS_KM"}
    bad = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "constants.py" and path.parent.name == "physics":
            continue
        for name, value in _assigned_names(path):
            literal = isinstance(value, ast.Constant) and value.value in (6371.0, 6371.2)
            if name in owned or literal:
                bad.append(f"{path.relative_to(PACKAGE)}: {name}")
        text = path.read_text()
        if "2.0 * np.pi / period" in text or "2.0 * jnp.pi / period" in text:
            bad.append(f"{path.relative_to(PACKAGE)}: omega from a period")
    assert not bad, "defined outside bayesjoint/physics/constants.py:\n" + "\n".join(bad)


def test_c_and_impedance_of_a_uniform_half_space_agree_through_one_conversion():
    # Analytic: over a uniform half-space Z = i omega mu0 / k and C = 1 / k,
    # k = sqrt(i omega mu0 sigma) (exp(+i omega t)). The MT forward model's Z
    # converted to C, and the analytic C converted to Z, both agree.
    period_s = np.geomspace(10.0, 1e6, 9)
    sigma = 0.1
    z = np.asarray(mt.impedance(period_s, np.zeros(0), np.array([sigma])))
    k = np.sqrt(1j * 2 * np.pi / period_s * constants.MU0 * sigma)
    c_km = 1e-3 / k
    np.testing.assert_allclose(constants.c_km_from_impedance_ohm(period_s, z), c_km, rtol=1e-12)
    np.testing.assert_allclose(constants.impedance_ohm_from_c_km(period_s, c_km), z, rtol=1e-12)
    assert np.all(z.real > 0) and np.all(z.imag > 0)  # first quadrant ...
    assert np.all(c_km.real > 0) and np.all(c_km.imag < 0)  # ... from Re C > 0, Im C < 0
    np.testing.assert_allclose(
        constants.c_km_from_impedance_ohm(period_s, constants.impedance_ohm_from_c_km(period_s,
                                                                                       c_km)),
        c_km, rtol=1e-14)


def test_sphere_c_response_and_mt_impedance_agree_through_the_conversion():
    # A uniform, well-conducting sphere at periods whose skin depth is small
    # next to the radius: the sphere's C_1 and the plane-wave impedance of the
    # same conductivity agree to the ratio |C| / a (about 2e-3 here).
    period_s = np.geomspace(3600.0, 86400.0, 5)
    sigma = 1.0
    thickness_m = np.array([2890e3])
    c_km = np.asarray(sphere.c_response_km(period_s, thickness_m, np.array([sigma, sigma]), 1,
                                           "constant"))
    z = np.asarray(mt.impedance(period_s, np.zeros(0), np.array([sigma])))
    a = constants.GEOMAGNETIC_REFERENCE_RADIUS_KM
    rel = np.abs(constants.impedance_ohm_from_c_km(period_s, c_km) - z) / np.abs(z)
    assert np.all(rel < 2 * np.abs(c_km) / a)
    assert np.max(rel) < 1e-2
