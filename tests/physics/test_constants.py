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
