"""Values that no 1-D Earth gives are errors; implausible ones are warnings naming the value."""

import pathlib
import warnings

import numpy as np
import pytest

from bayesjoint.data import DstData, MTData, SqData
from bayesjoint.data.checks import N_STD_BEYOND_BOUND
from bayesjoint.data.geomag import check_core_below_layers

P_MT = np.array([1.0, 10.0, 100.0])
P_DST = np.array([86400.0, 864000.0])


def _rho_phase(phase_deg, phase_std_deg=2.0):
    return MTData.from_rho_phase(P_MT, [100.0, 100.0, 100.0], phase_deg,
                                 log10_rho_a_std=[0.05] * 3, phase_std_deg=[phase_std_deg] * 3)


def test_mt_phase_of_200_deg_is_an_error():
    with pytest.raises(ValueError, match=r"phase_deg\[1\] = 200 deg .*outside \[0, 90\] deg"):
        _rho_phase([45.0, 200.0, 45.0])


@pytest.mark.parametrize("phase", [-10.0, 100.0, 135.0, -90.0])
def test_mt_phase_outside_the_first_quadrant_is_an_error(phase):
    with pytest.raises(ValueError, match="phase_deg.*1-D Earth"):
        _rho_phase([45.0, phase, 45.0])


@pytest.mark.parametrize("phase", [0.0, 90.0, -5.9, 95.9])
def test_mt_phase_just_beyond_a_bound_within_its_errors_is_accepted(phase):
    # std 2 deg: up to 3 std (6 deg) beyond 0 or 90 deg is noise
    assert N_STD_BEYOND_BOUND == 3.0
    _rho_phase([45.0, phase, 45.0])


def test_negative_apparent_resistivity_is_an_error():
    with pytest.raises(ValueError, match=r"rho_a_ohm_m\[0\] = -100.0: values must be > 0"):
        MTData.from_rho_phase(P_MT, [-100.0, 100.0, 100.0], [45.0] * 3, rel_error=0.05)


@pytest.mark.parametrize("z, match", [
    ([1 + 1j, -1 + 1j, 1 + 1j], r"z_ohm.real\[1\] = -1 ohm"),
    ([1 + 1j, 1 + 1j, 1 - 1j], r"z_ohm.imag\[2\] = -1 ohm"),
])
def test_impedance_outside_the_first_quadrant_is_an_error(z, match):
    with pytest.raises(ValueError, match=match):
        MTData.from_impedance(P_MT, z, [0.01] * 3)
    MTData.from_impedance(P_MT, z, [1.0] * 3)  # within 3 std of the quadrant: noise


def test_no_period_is_an_error():
    with pytest.raises(ValueError, match="period_s is empty"):
        MTData.from_impedance([], [], [])


@pytest.mark.parametrize("c, match", [
    ([-500 - 300j, 400 - 200j], r"c_km.real\[0\] = -500 km .*Re C >= 0"),
    ([500 - 300j, 400 + 200j], r"c_km.imag\[1\] = 200 km .*Im C <= 0"),
])
def test_impossible_c_response_is_an_error(c, match):
    with pytest.raises(ValueError, match=match):
        DstData.from_c(P_DST, c, [10.0, 10.0])


def test_impossible_q_response_is_an_error():
    with pytest.raises(ValueError, match=r"q.imag\[1\] = -0.1 .*Im Q >= 0"):
        DstData.from_q(P_DST, [0.3 + 0.1j, 0.3 - 0.1j], [0.01, 0.01])


@pytest.mark.parametrize("settings, match", [
    (dict(core_depth_km=100.0), r"core_depth_km = 100 km: implausibly shallow"),
    (dict(core_sigma_s_per_m=0.1), r"core_sigma_s_per_m = 0.1 S/m: implausibly low"),
])
def test_implausible_core_is_a_warning(settings, match):
    with pytest.warns(UserWarning, match=match):
        DstData.from_q(P_DST, [0.3 + 0.1j] * 2, [0.01] * 2, **settings)
    with pytest.warns(UserWarning, match=match):
        SqData.from_transfer_function(P_DST, 2, 1, [0.3 + 0.1j] * 2, [0.01] * 2, colat_deg=50.0,
                                      lon_deg=10.0, **settings)


def test_plausible_core_gives_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DstData.from_q(P_DST, [0.3 + 0.1j] * 2, [0.01] * 2)


def test_core_below_every_layer():
    top, sigma = np.array([0.0, 400.0, 2000.0]), np.array([0.01, 0.1, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_core_below_layers(top, sigma, 2890.0, 5e5)
    with pytest.raises(ValueError, match="core_depth_km = 1500: the core must lie below every "
                                         "layer, but a layer starts at 2000 km"):
        check_core_below_layers(top, sigma, 1500.0, 5e5)
    with pytest.warns(UserWarning, match=r"core_sigma_s_per_m = 1 S/m is below the 2 S/m"):
        check_core_below_layers(top, sigma, 2890.0, 1.0)


def test_mt_file_reader_drops_periods_outside_the_first_quadrant():
    mt_metadata = pytest.importorskip("mt_metadata")
    from bayesjoint.io.mt_files import read_mt_transfer_function

    path = (pathlib.Path(mt_metadata.__file__).parent / "data" / "transfer_functions"
            / "PHXTest01.edi")
    if not path.is_file():
        pytest.skip("PHXTest01.edi is not shipped with this mt-metadata version")
    with pytest.warns(UserWarning, match=r"dropped 5 of 80 periods whose berdichevsky "
                                         r"impedance lies outside the first quadrant"):
        data = read_mt_transfer_function(path, kind="impedance", rel_error_floor=0.02)
    assert data.period_s.size == 75 and len(data.meta["dropped_period_s"]) == 5
    k = N_STD_BEYOND_BOUND
    assert np.all(data.z_ohm.real >= -k * data.z_std_ohm)
    assert np.all(data.z_ohm.imag >= -k * data.z_std_ohm)
