"""CSV tables of MT data and conductivity models."""

import numpy as np
import pytest

from bayesjoint.data import MTData
from bayesjoint.io.csv_files import read_conductivity_model_csv, read_mt_csv, write_mt_csv

Z_HEADER = "period_s,z_re_ohm,z_im_ohm,z_std_ohm"
RP_HEADER = "period_s,rho_a_ohm_m,phase_deg,log10_rho_a_std,phase_std_deg"


@pytest.fixture
def write(tmp_path):
    def _write(text, name="table.csv"):
        path = tmp_path / name
        path.write_text(text)
        return path
    return _write


# --- MT data ------------------------------------------------------------------

def test_impedance_round_trip_is_exact(tmp_path):
    rng = np.random.default_rng(0)
    period = np.logspace(-2, 3, 11)
    z = np.abs(rng.normal(size=11)) + 1j * np.abs(rng.normal(size=11))  # first quadrant
    data = MTData.from_impedance(period, z, 0.05 * np.abs(z), name="site")
    write_mt_csv(tmp_path / "z.csv", data)
    back = read_mt_csv(tmp_path / "z.csv")
    assert back.kind == "impedance" and back.name == "z"
    np.testing.assert_array_equal(back.period_s, period)
    np.testing.assert_array_equal(back.z_ohm, z)
    np.testing.assert_array_equal(back.z_std_ohm, data.z_std_ohm)
    assert back.meta["source_path"] == str((tmp_path / "z.csv").resolve())


def test_rho_phase_round_trip(tmp_path):
    period = np.logspace(0, 4, 6)
    data = MTData.from_rho_phase(period, np.linspace(10, 300, 6), np.linspace(30, 60, 6),
                                 rel_error=0.03)
    write_mt_csv(tmp_path / "rp.csv", data)
    back = read_mt_csv(tmp_path / "rp.csv", name="mine")
    assert back.kind == "rho_phase" and back.name == "mine"
    for key in ("period_s", "log10_rho_a", "log10_rho_a_std", "phase_deg", "phase_std_deg"):
        np.testing.assert_allclose(getattr(back, key), getattr(data, key), rtol=1e-15)


def test_columns_in_any_order_with_comments(write):
    path = write("# site A\n\nphase_std_deg, period_s ,phase_deg,rho_a_ohm_m,LOG10_RHO_A_STD\n"
                 "1.0,10,45,100,0.02\n# a comment\n2.0,100,40,200,0.03\n")
    data = read_mt_csv(path)
    np.testing.assert_array_equal(data.period_s, [10, 100])
    np.testing.assert_allclose(data.log10_rho_a, [2, np.log10(200)])
    np.testing.assert_array_equal(data.phase_std_deg, [1, 2])


def test_unknown_column_is_named(write):
    path = write(Z_HEADER + ",quality\n1,1,1,0.1,5\n")
    with pytest.raises(ValueError, match=r"unknown column 'quality'.*allowed column sets: "
                                         r"period_s, z_re_ohm, z_im_ohm, z_std_ohm; period_s"):
        read_mt_csv(path)


def test_incomplete_or_mixed_column_sets(write):
    with pytest.raises(ValueError, match="do not form an allowed set"):
        read_mt_csv(write("period_s,z_re_ohm,z_im_ohm\n1,1,1\n"))
    with pytest.raises(ValueError, match="do not form an allowed set"):
        read_mt_csv(write("period_s,z_re_ohm,z_im_ohm,z_std_ohm,phase_deg\n1,1,1,1,1\n"))
    with pytest.raises(ValueError, match="'period_s' appears more than once"):
        read_mt_csv(write(Z_HEADER + ",period_s\n1,1,1,1,1\n"))


@pytest.mark.parametrize("bad, match", [
    ("nan", r"z_re_ohm\[1\] = \S*nan\S*: values must be finite"),
    ("inf", r"z_re_ohm\[1\] = \S*inf\S*: values must be finite"),
    ("-inf", r"z_re_ohm\[1\] = \S*-inf\S*: values must be finite"),
])
def test_nan_and_inf_values(write, bad, match):
    path = write(f"{Z_HEADER}\n1,0.1,0.1,0.01\n10,{bad},0.1,0.01\n")
    with pytest.raises(ValueError, match=match):
        read_mt_csv(path)


def test_empty_or_text_values(write):
    with pytest.raises(ValueError, match="line 3: .* not a number"):
        read_mt_csv(write(f"{Z_HEADER}\n1,0.1,0.1,0.01\n10,,0.1,0.01\n"))
    with pytest.raises(ValueError, match="line 2: 3 values for 4 columns"):
        read_mt_csv(write(f"{Z_HEADER}\n1,0.1,0.1\n"))
    with pytest.raises(ValueError, match="no data rows"):
        read_mt_csv(write(f"{Z_HEADER}\n"))
    with pytest.raises(ValueError, match="no header line"):
        read_mt_csv(write("# nothing\n"))


@pytest.mark.parametrize("period", ["0", "-5"])
def test_non_positive_period(write, period):
    path = write(f"{Z_HEADER}\n1,0.1,0.1,0.01\n{period},0.1,0.1,0.01\n")
    with pytest.raises(ValueError, match=r"table.csv: period_s\[1\] = .*values must be > 0"):
        read_mt_csv(path)


def test_duplicated_period(write):
    path = write(f"{Z_HEADER}\n10,0.1,0.1,0.01\n1,0.1,0.1,0.01\n10,0.2,0.1,0.01\n")
    with pytest.raises(ValueError, match=r"period 10.0 s more than once"):
        read_mt_csv(path)


@pytest.mark.parametrize("text, match", [
    (f"{Z_HEADER}\n1,0.1,0.1,0\n", r"z_std_ohm\[0\] = .*values must be > 0"),
    (f"{Z_HEADER}\n1,0.1,0.1,-0.01\n", r"z_std_ohm\[0\] = .*values must be > 0"),
    (f"{RP_HEADER}\n1,100,45,0,1\n", r"log10_rho_a_std\[0\] = .*values must be > 0"),
    (f"{RP_HEADER}\n1,100,45,0.02,-1\n", r"phase_std_deg\[0\] = .*values must be > 0"),
    (f"{RP_HEADER}\n1,0,45,0.02,1\n", r"rho_a_ohm_m\[0\] = .*values must be > 0"),
])
def test_non_positive_std_or_rho(write, text, match):
    with pytest.raises(ValueError, match=match):
        read_mt_csv(write(text))


# --- conductivity model --------------------------------------------------------

MODEL_HEADER = "top_depth_km,sigma_s_per_m"


def test_read_conductivity_model(write):
    path = write(f"{MODEL_HEADER}\n0,0.001\n10,0.01\n410,0.1\n660,1.0\n")
    top, sigma = read_conductivity_model_csv(path)
    np.testing.assert_array_equal(top, [0, 10, 410, 660])
    np.testing.assert_array_equal(sigma, [1e-3, 1e-2, 0.1, 1.0])
    # one row is a uniform half-space
    top, sigma = read_conductivity_model_csv(write(f"{MODEL_HEADER}\n0,0.01\n"))
    assert top.tolist() == [0.0] and sigma.tolist() == [0.01]


@pytest.mark.parametrize("text, match", [
    ("top_depth_km,sigma_s_per_m,rho\n0,1,1\n",
     r"unknown column 'rho'; allowed column sets: top_depth_km, sigma_s_per_m"),
    ("top_depth_km\n0\n", r"columns \['top_depth_km'\] do not form an allowed set"),
    (f"{MODEL_HEADER}\n1,0.01\n5,0.1\n", r"top_depth_km\[0\] = .*must start at 0 km"),
    (f"{MODEL_HEADER}\n0,0.01\n5,0.1\n3,1\n", r"top_depth_km\[2\] = .*must increase strictly"),
    (f"{MODEL_HEADER}\n0,0.01\n5,0.1\n5,1\n", r"top_depth_km\[2\] = .*must increase strictly"),
    (f"{MODEL_HEADER}\n0,0.01\n5,0\n", r"sigma_s_per_m\[1\] = .*must be finite and > 0"),
    (f"{MODEL_HEADER}\n0,0.01\n5,-1\n", r"sigma_s_per_m\[1\] = .*must be finite and > 0"),
    (f"{MODEL_HEADER}\n0,nan\n5,1\n", r"sigma_s_per_m\[0\] = .*must be finite"),
    (f"{MODEL_HEADER}\n0,0.1\ninf,1\n", r"top_depth_km\[1\] = .*must be finite"),
])
def test_bad_conductivity_models(write, text, match):
    with pytest.raises(ValueError, match=r"model.csv: " + match):
        read_conductivity_model_csv(write(text, name="model.csv"))
