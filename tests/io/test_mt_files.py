"""Reading EDI and EMTF-XML files shipped with mt-metadata into MTData."""

import pathlib
import warnings

import numpy as np
import pytest

from bayesjoint.data import LN10
from bayesjoint.io.mt_files import (
    COMPONENTS,
    MV_PER_KM_PER_NT_TO_OHM,
    impedance_invariant,
    read_mt_transfer_function,
)
from bayesjoint.physics.mt import MU0

mt_metadata = pytest.importorskip("mt_metadata")
SHIPPED = pathlib.Path(mt_metadata.__file__).parent / "data" / "transfer_functions"


def shipped(name):
    path = SHIPPED / name
    if not path.is_file():
        pytest.skip(f"{name} is not shipped with this mt-metadata version")
    return path


def read_quietly(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_mt_transfer_function(path, **kwargs)


def edi_block(path, key):
    """Numbers of one data block (e.g. ">RHOXY") of an EDI file."""
    values, inside = [], False
    for line in pathlib.Path(path).read_text(errors="replace").splitlines():
        if line.startswith(">"):
            inside = line[1:].split()[0].upper() == key
            continue
        if inside:
            values.extend(float(x) for x in line.split())
    return np.asarray(values)


def test_unit_factor_is_mu0_times_1e3():
    # Z[ohm] = E[V/m] / H[A/m] = 1e-6 E[mV/km] / (1e-9 B[nT] / mu0)
    assert MV_PER_KM_PER_NT_TO_OHM == pytest.approx(4e-4 * np.pi, rel=1e-15)
    # ... which gives the classical rho_a = 0.2 T |Z[mV/km/nT]|^2
    period, z_field = 7.3, 1.7 + 0.9j
    rho = abs(z_field * MV_PER_KM_PER_NT_TO_OHM) ** 2 / (2 * np.pi / period * MU0)
    assert rho == pytest.approx(0.2 * period * abs(z_field) ** 2, rel=1e-14)


def test_long_period_emtf_xml_site():
    # USMTArray long-period site NMX20 (EMTF-XML), 33 periods 4.65 s - 8.1 h.
    path = shipped("NMX20.xml")
    data = read_quietly(path, component="xy")
    assert data.kind == "rho_phase"
    assert data.name == "NMX20"
    assert data.period_s.size == 33
    assert data.period_s[0] == pytest.approx(4.65455)
    assert data.period_s[-1] == pytest.approx(29127.11)
    assert np.all(np.diff(data.period_s) > 0)
    assert data.meta["site"] == "NMX20"
    assert data.meta["latitude_deg"] == pytest.approx(34.470528)
    assert data.meta["longitude_deg"] == pytest.approx(-108.712288)
    assert data.meta["source_path"] == str(path.resolve())
    # exp(+i omega t): Z_xy and -Z_yx in the first quadrant at every period
    for component in COMPONENTS:
        d = read_quietly(path, component=component)
        assert np.all((d.phase_deg > 0) & (d.phase_deg < 90)), component
        assert np.all((d.log10_rho_a > 0) & (d.log10_rho_a < 3)), component


def test_first_value_of_nmx20_by_hand():
    # First period of NMX20.xml: Zxy = 3.143284 + 1.101737i, Zyx =
    # -2.470717 - 0.7784633i mV/km/nT (written in the file).
    data = read_quietly(shipped("NMX20.xml"), component="berdichevsky", kind="impedance")
    z_expected = 0.5 * ((3.143284 + 1.101737j) + (2.470717 + 0.7784633j)) * 4e-4 * np.pi
    assert data.z_ohm[0] == pytest.approx(z_expected, rel=1e-6)


def test_units_match_rho_and_phase_written_in_an_edi_file():
    # tf_edi_cgg.edi holds both the impedances and the apparent resistivity
    # and phase computed from them by the acquisition software (7 digits).
    path = shipped("tf_edi_cgg.edi")
    rho_file, phase_file = edi_block(path, "RHOXY"), edi_block(path, "PHSXY")
    freq = edi_block(path, "FREQ")
    data = read_quietly(path, component="xy")
    order = np.argsort(1.0 / freq)
    np.testing.assert_allclose(data.period_s, 1.0 / freq[order], rtol=1e-6)
    np.testing.assert_allclose(10**data.log10_rho_a, rho_file[order], rtol=2e-5)
    np.testing.assert_allclose(data.phase_deg, phase_file[order], atol=2e-4)


@pytest.mark.parametrize("name", ["tf_edi_cgg.edi", "tf_edi_empower.edi", "tf_edi_metronix.edi",
                                  "tf_xml_emtf_xml_iris.xml"])
def test_real_files_give_first_quadrant_phases(name):
    data = read_quietly(shipped(name), component="berdichevsky", kind="impedance",
                        rel_error_floor=0.02)
    phase = np.degrees(np.angle(data.z_ohm))
    assert 0 < np.median(phase) < 90
    assert np.mean((phase > 0) & (phase < 90)) > 0.9


def test_impedance_and_rho_phase_kinds_agree():
    path = shipped("NMX20.xml")
    z = read_quietly(path, kind="impedance")
    rp = read_quietly(path, kind="rho_phase")
    rho = np.abs(z.z_ohm) ** 2 / (2 * np.pi / z.period_s * MU0)
    np.testing.assert_allclose(rp.log10_rho_a, np.log10(rho), rtol=1e-13)
    np.testing.assert_allclose(rp.phase_deg, np.degrees(np.angle(z.z_ohm)), rtol=1e-13)
    rel = z.z_std_ohm / np.abs(z.z_ohm)
    np.testing.assert_allclose(rp.log10_rho_a_std, 2 * rel / LN10, rtol=1e-13)
    np.testing.assert_allclose(rp.phase_std_deg, np.degrees(rel), rtol=1e-13)


def test_error_floor_relative_to_abs_z():
    path = shipped("NMX20.xml")
    raw = read_quietly(path, kind="impedance")
    floored = read_quietly(path, kind="impedance", rel_error_floor=0.05)
    np.testing.assert_allclose(floored.z_std_ohm,
                               np.maximum(raw.z_std_ohm, 0.05 * np.abs(raw.z_ohm)))
    assert np.any(floored.z_std_ohm > raw.z_std_ohm)


def test_missing_impedances_are_dropped_with_a_warning():
    # KAK (tf_xml_bad_comments.xml) has no Zxy (NaN) at its period 76800 s.
    path = shipped("tf_xml_bad_comments.xml")
    with pytest.warns(UserWarning, match=r"dropped 1 of 40 periods"):
        data = read_mt_transfer_function(path, component="xy")
    assert data.period_s.size == 39
    assert data.meta["dropped_period_s"] == pytest.approx([76800.0])
    assert np.all(np.isfinite(data.log10_rho_a))


def test_file_without_errors_needs_a_floor():
    path = shipped("tf_edi_no_error.edi")
    with pytest.raises(ValueError, match="no positive impedance error.*rel_error_floor"):
        read_quietly(path, component="berdichevsky")
    data = read_quietly(path, component="berdichevsky", rel_error_floor=0.05)
    np.testing.assert_allclose(data.phase_std_deg, np.degrees(0.05))
    np.testing.assert_allclose(data.log10_rho_a_std, 0.1 / LN10)


def test_bad_arguments():
    path = shipped("NMX20.xml")
    with pytest.raises(ValueError, match="component = 'zz'"):
        read_mt_transfer_function(path, component="zz")
    with pytest.raises(ValueError, match="kind = 'phase'"):
        read_mt_transfer_function(path, kind="phase")
    with pytest.raises(ValueError, match="rel_error_floor = -0.1"):
        read_mt_transfer_function(path, rel_error_floor=-0.1)
    with pytest.raises(ValueError, match="no such file"):
        read_mt_transfer_function(SHIPPED / "absent.edi")


# --- invariants of the tensor --------------------------------------------

def _rotate(z_tensor, angle_deg):
    a = np.radians(angle_deg)
    r = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    return r @ z_tensor @ r.T


def test_invariants_of_a_one_d_tensor():
    z = np.array([1.0 + 0.8j, 0.3 + 0.4j])
    tensor = np.zeros((2, 2, 2), dtype=complex)
    tensor[:, 0, 1], tensor[:, 1, 0] = z, -z
    std = np.full((2, 2, 2), 0.01)
    for component in COMPONENTS:
        zi, si = impedance_invariant(tensor, std, component)
        np.testing.assert_allclose(zi, z, rtol=1e-15)
    # both invariants average two elements: std s / sqrt(2)
    for component in ("berdichevsky", "determinant"):
        np.testing.assert_allclose(impedance_invariant(tensor, std, component)[1],
                                   0.01 / np.sqrt(2), rtol=1e-14)


def test_rotation_invariance():
    tensor = np.array([[[0.2 - 0.1j, 1.0 + 0.8j], [-0.6 - 0.5j, -0.1 + 0.3j]]])
    std = np.full((1, 2, 2), 0.01)
    for component in ("berdichevsky", "determinant"):
        z0 = impedance_invariant(tensor, std, component)[0]
        for angle in (17.0, 45.0, 130.0):
            rotated = _rotate(tensor[0], angle)[None]
            np.testing.assert_allclose(impedance_invariant(rotated, std, component)[0], z0,
                                       rtol=1e-13)
    zxy = impedance_invariant(_rotate(tensor[0], 30.0)[None], std, "xy")[0]
    assert abs(zxy[0] - tensor[0, 0, 1]) > 0.1


def test_determinant_error_against_monte_carlo():
    rng = np.random.default_rng(7)
    tensor = np.array([[[0.2 - 0.1j, 1.0 + 0.8j], [-0.6 - 0.5j, -0.1 + 0.3j]]])
    std = np.array([[[0.02, 0.01], [0.015, 0.03]]])
    z0, s0 = impedance_invariant(tensor, std, "determinant")
    n = 40000
    noisy = tensor + std * (rng.normal(size=(n, 2, 2)) + 1j * rng.normal(size=(n, 2, 2)))
    z = impedance_invariant(noisy, np.ones((n, 2, 2)), "determinant")[0]
    # first-order propagation; Monte Carlo std error ~ 1/sqrt(2n) = 0.35 %
    assert np.std(z.real) == pytest.approx(s0[0], rel=0.03)
    assert np.std(z.imag) == pytest.approx(s0[0], rel=0.03)
    assert np.mean(z) == pytest.approx(z0[0], abs=3 * s0[0] / np.sqrt(n) + 1e-3 * abs(z0[0]))


def test_zero_element_error_means_unknown():
    tensor = np.array([[[0, 1.0 + 1j], [-1.0 - 1j, 0]]])
    std = np.array([[[0.1, 0.0], [0.1, 0.1]]])
    assert impedance_invariant(tensor, std, "berdichevsky")[1][0] == 0.0
    assert impedance_invariant(tensor, std, "yx")[1][0] == 0.1
    with pytest.raises(ValueError, match="component = 'xx'"):
        impedance_invariant(tensor, std, "xx")
