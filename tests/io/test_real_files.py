"""Readers of the published real files: copied rows, the shipped files, bad input."""

import warnings
from pathlib import Path

import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.data import LN10, DstData, MTData, SqData
from bayesjoint.data.real import (REAL_FILES, mt_metadata_file, real_data_path)
from bayesjoint.io.csv_files import read_conductivity_model_csv, read_mt_csv
from bayesjoint.io.datasets import load_dataset
from bayesjoint.io.geomag_files import read_dst_csv, read_sq_csv
from bayesjoint.io.mt_files import read_mt_transfer_function

DATA = Path(__file__).resolve().parents[1] / "data"


def _with_row(src, tmp_path, edit):
    """A copy of ``src`` whose first data row is changed by ``edit(cells) -> cells``."""
    lines = src.read_text().splitlines()
    first = next(i for i, ln in enumerate(lines) if not ln.startswith("#")) + 1
    lines[first] = ",".join(edit(lines[first].split(",")))
    out = tmp_path / src.name
    out.write_text("\n".join(lines) + "\n")
    return out


def test_tucson_mt_rows():
    d = read_mt_csv(DATA / "real_tuc_mt_rows.csv")
    assert isinstance(d, MTData) and d.kind == "rho_phase"
    np.testing.assert_allclose(d.period_s, [16416.0, 19008.0, 25056.0, 31968.0])
    np.testing.assert_allclose(d.log10_rho_a, [1.405005, 1.395501, 1.384712, 1.364551],
                               rtol=1e-14)
    np.testing.assert_allclose(d.log10_rho_a_std, 0.043429)
    np.testing.assert_allclose(d.phase_deg, [54.0, 55.8, 58.0, 59.5])
    np.testing.assert_allclose(d.phase_std_deg, 2.0)
    extra = d.meta["companion_columns"]
    assert extra["log10_rho_a_std_original"] == [0.004615, 0.004891, 0.004835, 0.004502]
    assert extra["phase_std_deg_original"] == [0.3, 0.3, 0.3, 0.3]


def test_kakioka_c_rows_and_colatitude_from_the_header():
    d = read_dst_csv(DATA / "real_kak_c_rows.csv")
    assert isinstance(d, DstData) and d.kind == "c" and d.degree == 1
    np.testing.assert_allclose(d.c_km, [348.02 - 789.16j, 460.75 - 686.12j, 562.96 - 614.14j,
                                        636.35 - 551.70j])
    np.testing.assert_allclose(d.c_std_km, [15.51, 16.13, 16.23, 16.63])
    assert d.meta["geomagnetic_colat_deg"] == 63.010224
    assert d.meta["companion_columns"]["semenov2011_c_re_km"] == [343, 485, 565, 666]
    # An explicit colatitude wins over the header's.
    assert read_dst_csv(DATA / "real_kak_c_rows.csv",
                        geomagnetic_colat_deg=60.0).meta["geomagnetic_colat_deg"] == 60.0


def test_tucson_c_rows_degree_column_and_approximate_colatitude():
    d = read_dst_csv(DATA / "real_tuc_c_rows.csv")
    np.testing.assert_allclose(d.c_km, [726.97 - 294.3j, 745.4 - 290.75j, 767.81 - 292.87j])
    assert d.meta["geomagnetic_colat_deg"] == 49.6
    with pytest.raises(ValueError, match="sh_degree_n holds 1, but the responses are read as "
                                         "degree 2"):
        read_dst_csv(DATA / "real_tuc_c_rows.csv", degree=2)


def test_beijing_sq_rows_and_site_from_the_header():
    d = read_sq_csv(DATA / "real_bmt_sq_rows.csv")
    assert isinstance(d, SqData)
    assert (d.colat_deg, d.lon_deg) == (49.7, 116.2)
    np.testing.assert_array_equal(d.degree, [5, 4, 3, 2])
    np.testing.assert_array_equal(d.order, [4, 3, 2, 1])
    np.testing.assert_allclose(d.transfer_function[0], 0.302090 + 1.395020j)
    np.testing.assert_allclose(d.transfer_function_std, [0.079769, 0.046271, 0.040349, 0.037677])
    # Arguments win over the header.
    assert read_sq_csv(DATA / "real_bmt_sq_rows.csv", colat_deg=50.0, lon_deg=0.0).colat_deg == 50.0


def test_sq_site_neither_given_nor_stated(tmp_path):
    path = tmp_path / "sq.csv"
    path.write_text("period_s,n,m,t_re,t_im,t_std\n86400,2,1,0.1,0.5,0.04\n")
    with pytest.raises(ValueError, match="missing colat_deg"):
        read_sq_csv(path)
    with pytest.raises(ValueError, match="missing key 'colat_deg'"):
        load_dataset({"type": "sq", "file": str(path), "name": "s", "lon_deg": 1.0})


def test_comment_lines_that_disagree_are_refused(tmp_path):
    src = (DATA / "real_kak_c_rows.csv").read_text()
    path = tmp_path / "kak.csv"
    path.write_text("# Geomagnetic colatitude used for C: 50 deg\n" + src)
    with pytest.raises(ValueError, match="2 different geomagnetic colatitudes"):
        read_dst_csv(path)


@pytest.mark.parametrize("name", [n for n in REAL_FILES if n != "grayver2017_conductivity.csv"])
def test_every_shipped_file_reads(name):
    path = real_data_path(name)
    if name.startswith("tuc_mt"):
        d = read_mt_csv(path)
    elif "c_response" in name:
        d = read_dst_csv(path)
        assert 0 < d.meta["geomagnetic_colat_deg"] < 180
    else:
        d = read_sq_csv(path)
        assert (d.colat_deg, d.lon_deg) == (49.7, 116.2)
    assert d.n_data == 2 * d.period_s.size
    assert path.read_text().startswith("#")  # the citation header is kept


def test_shipped_global_model_reads():
    top, sigma = read_conductivity_model_csv(real_data_path("grayver2017_conductivity.csv"))
    assert top[0] == 0.0 and top[-1] == 2900.0 and sigma[-1] == 1e5
    assert sigma[np.searchsorted(top, 660.0)] == pytest.approx(1.026451136)


def test_unknown_real_file_is_named():
    with pytest.raises(ValueError, match="shipped files: tuc_mt.csv"):
        real_data_path("nope.csv")


@pytest.mark.parametrize("src, column, value, match", [
    ("real_tuc_mt_rows.csv", 2, "-0.04", r"log10_rho_a_std\[0\] = -0.04: values must be > 0"),
    ("real_tuc_mt_rows.csv", 1, "nan", r"log10_rho_a_ohm_m\[0\] = nan: values must be finite"),
    ("real_tuc_mt_rows.csv", 5, "inf", r"log10_rho_a_std_original\[0\] = inf"),
    ("real_kak_c_rows.csv", 4, "-15.51", r"c_std_km\[0\] = -15.51: values must be > 0"),
    ("real_kak_c_rows.csv", 2, "", "holds a value that is not a number"),
    ("real_kak_c_rows.csv", 12, "nan", r"semenov2011_c_std_km\[0\] = nan"),
    ("real_bmt_sq_rows.csv", 5, "-0.08",
     r"transfer_function_std\[0\] = -0.08: values must be > 0"),
    ("real_bmt_sq_rows.csv", 3, "inf", r"t_re\[0\] = inf: values must be finite"),
])
def test_bad_values_in_real_files(tmp_path, src, column, value, match):
    def edit(cells):
        cells[column] = value
        return cells

    path = _with_row(DATA / src, tmp_path, edit)
    reader = {"real_tuc_mt_rows.csv": read_mt_csv, "real_kak_c_rows.csv": read_dst_csv,
              "real_bmt_sq_rows.csv": read_sq_csv}[src]
    with pytest.raises(ValueError, match=match):
        reader(path)


@pytest.mark.parametrize("src, reader", [("real_tuc_mt_rows.csv", read_mt_csv),
                                         ("real_kak_c_rows.csv", read_dst_csv),
                                         ("real_bmt_sq_rows.csv", read_sq_csv)])
def test_unknown_column_in_a_real_file(tmp_path, src, reader):
    text = (DATA / src).read_text().splitlines()
    i = next(i for i, ln in enumerate(text) if not ln.startswith("#"))
    text[i] += ",quality"
    text[i + 1:] = [ln + ",1" for ln in text[i + 1:]]
    path = tmp_path / src
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(ValueError, match="unknown column 'quality'; allowed column sets: .*"
                                         "each may be accompanied by"):
        reader(path)


def test_kakioka_transfer_function_drops_its_nan_period_by_name():
    path = mt_metadata_file()
    with pytest.warns(UserWarning, match=r"dropped 1 of 40 periods .*\[76800\.0\] s"):
        d = read_mt_transfer_function(path)
    assert d.period_s.size == 39 and 76800.0 not in d.period_s
    assert d.meta["dropped_period_s"] == [76800.0]
    assert d.meta["site"] == "KAK"
    assert (d.meta["latitude_deg"], d.meta["longitude_deg"]) == (36.232, 140.186)
    assert np.all(np.diff(d.period_s) > 0)
    rho = 10**d.log10_rho_a
    assert 270 < rho.min() and rho.max() < 1400  # the file's rho_a range, 277-1385 ohm m
    assert np.all((d.phase_deg > 0) & (d.phase_deg < 90))


def test_error_floor_on_csv_data_and_through_the_configuration(tmp_path):
    d = read_mt_csv(DATA / "real_tuc_mt_rows.csv", rel_error_floor=0.05)
    np.testing.assert_allclose(d.log10_rho_a_std, 0.1 / LN10)  # 0.043429 < 0.0434294
    np.testing.assert_allclose(d.phase_std_deg, np.degrees(0.05))
    assert d.meta["rel_error_floor"] == 0.05
    small = read_mt_csv(DATA / "real_tuc_mt_rows.csv", rel_error_floor=0.001)
    np.testing.assert_allclose(small.log10_rho_a_std, 0.043429)  # the file's errors are larger
    np.testing.assert_allclose(small.phase_std_deg, 2.0)
    entry = {"type": "mt", "file": str(DATA / "real_tuc_mt_rows.csv"), "name": "tuc",
             "rel_error_floor": 0.05, "static_shift_std_log10": 0.3}
    loaded = load_dataset(entry)
    np.testing.assert_allclose(loaded.phase_std_deg, np.degrees(0.05))
    assert loaded.static_shift_std_log10 == 0.3
    with pytest.raises(ValueError, match="rel_error_floor = -1: must be a number > 0"):
        load_dataset({**entry, "rel_error_floor": -1})
    with pytest.raises(ValueError, match="static_shift_std_log10 = 0: must be a number > 0"):
        load_dataset({**entry, "static_shift_std_log10": 0})


def test_error_floor_has_one_meaning_for_every_format():
    # Floored while reading the EMTF-XML file (on |Z|, before conversion), or
    # afterwards on the apparent resistivity and phase: the same errors.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        at_read = read_mt_transfer_function(mt_metadata_file(), rel_error_floor=0.05)
        after = read_mt_transfer_function(mt_metadata_file()).with_error_floor(0.05)
    np.testing.assert_allclose(at_read.log10_rho_a_std, after.log10_rho_a_std, rtol=1e-12)
    np.testing.assert_allclose(at_read.phase_std_deg, after.phase_std_deg, rtol=1e-12)
    assert np.any(after.phase_std_deg > np.degrees(0.05))  # some file errors exceed the floor


def test_error_floor_on_impedance_data():
    d = MTData.from_impedance([10.0, 100.0], [1 + 1j, 2 + 2j], [0.01, 1.0])
    floored = d.with_error_floor(0.05)
    np.testing.assert_allclose(floored.z_std_ohm, [0.05 * np.sqrt(2), 1.0])


def test_static_shift_needs_apparent_resistivity_data():
    d = MTData.from_impedance([10.0, 100.0], [1 + 1j, 2 + 2j], [0.1, 0.1])
    with pytest.raises(ValueError, match="applies to apparent-resistivity data"):
        d.with_static_shift(0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = mt_metadata_file()
        with pytest.raises(ValueError, match="applies to apparent-resistivity data"):
            load_dataset({"type": "mt", "file": str(path), "name": "kak", "kind": "impedance",
                          "static_shift_std_log10": 0.3})
