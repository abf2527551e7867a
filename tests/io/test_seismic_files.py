"""Receiver functions from SAC, miniSEED and CSV files; velocity-model CSV files."""

import numpy as np
import pytest

from bayesjoint.io.config import parse_config
from bayesjoint.io.datasets import load_dataset
from bayesjoint.io.seismic_files import (read_rf_csv, read_rf_traces, read_velocity_model_csv)

obspy = pytest.importorskip("obspy")
from obspy.core import AttribDict  # noqa: E402

DT, NPTS, SHIFT = 0.1, 120, 5.0


def _trace(seed, header=None):
    tr = obspy.Trace(np.random.default_rng(seed).normal(size=NPTS))
    tr.stats.delta = DT
    tr.stats.station = f"S{seed}"
    if header is not None:
        tr.stats.sac = AttribDict(header)
    return tr


def test_sac_round_trip_with_header_ray_parameter_and_shift(tmp_path):
    for i, p in enumerate((0.055, 0.07)):
        _trace(i, {"user0": p, "b": -SHIFT}).write(str(tmp_path / f"rf{i}.sac"), format="SAC")
    d = read_rf_traces(tmp_path / "rf*.sac", gauss_rad_s=2.5, std=0.02, correlation="exponential",
                       correlation_s=0.3, name="st")
    assert d.rf.shape == (2, NPTS) and d.dt_s == DT and d.shift_s == SHIFT
    np.testing.assert_allclose(d.ray_parameter_s_km, [0.055, 0.07])
    np.testing.assert_allclose(d.rf[1], _trace(1).data.astype(np.float32), rtol=0, atol=0)
    assert d.correlation == "exponential" and d.name == "st"
    assert len(d.meta["source_paths"]) == 2


def test_sac_without_user0_names_the_field_unless_given(tmp_path):
    _trace(0).write(str(tmp_path / "a.sac"), format="SAC")
    with pytest.raises(ValueError, match="user0"):
        read_rf_traces(tmp_path / "a.sac", gauss_rad_s=2.5, std=0.02)
    d = read_rf_traces(tmp_path / "a.sac", gauss_rad_s=2.5, std=0.02, ray_parameter_s_km=0.06,
                       shift_s=3.0)
    assert d.ray_parameter_s_km[0] == 0.06 and d.shift_s == 3.0


def test_sac_traces_with_different_sampling_raise(tmp_path):
    _trace(0, {"user0": 0.06, "b": -SHIFT}).write(str(tmp_path / "a.sac"), format="SAC")
    tr = _trace(1, {"user0": 0.06, "b": -SHIFT})
    tr.stats.delta = 0.05
    tr.write(str(tmp_path / "b.sac"), format="SAC")
    with pytest.raises(ValueError, match="share sampling"):
        read_rf_traces([tmp_path / "a.sac", tmp_path / "b.sac"], gauss_rad_s=2.5, std=0.02)


def test_miniseed_needs_ray_parameter_and_shift(tmp_path):
    st = obspy.Stream([_trace(0), _trace(1)])
    st.write(str(tmp_path / "rf.mseed"), format="MSEED")
    with pytest.raises(ValueError, match="user0, b"):
        read_rf_traces(tmp_path / "rf.mseed", gauss_rad_s=2.5, std=0.02)
    d = read_rf_traces(tmp_path / "rf.mseed", gauss_rad_s=2.5, std=[0.02, 0.03],
                       ray_parameter_s_km=[0.05, 0.06], shift_s=SHIFT, format="MSEED")
    assert d.rf.shape == (2, NPTS)
    np.testing.assert_allclose(d.rf[0], _trace(0).data)
    np.testing.assert_allclose(d.rf_std[:, 0], [0.02, 0.03])


def test_missing_file_raises(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        read_rf_traces(tmp_path / "none*.sac", gauss_rad_s=2.5, std=0.02)


def _write_rf_csv(path, n_traces):
    t = np.arange(NPTS) * DT - SHIFT
    traces = np.random.default_rng(0).normal(size=(n_traces, NPTS))
    names = ["rf"] if n_traces == 1 else [f"rf_{i}" for i in range(n_traces)]
    lines = ["# receiver functions", "time_s," + ",".join(names)]
    lines += [",".join(repr(float(v)) for v in row) for row in np.column_stack([t, traces.T])]
    path.write_text("\n".join(lines) + "\n")
    return traces


@pytest.mark.parametrize("n_traces", [1, 3])
def test_csv_reader(tmp_path, n_traces):
    traces = _write_rf_csv(tmp_path / "rf.csv", n_traces)
    d = read_rf_csv(tmp_path / "rf.csv", ray_parameter_s_km=0.06, gauss_rad_s=1.0, std=0.05)
    np.testing.assert_array_equal(d.rf, traces)
    assert d.dt_s == DT and d.npts == NPTS and d.name == "rf"
    np.testing.assert_allclose(d.shift_s, SHIFT, rtol=1e-12)
    np.testing.assert_array_equal(d.ray_parameter_s_km, 0.06)


@pytest.mark.parametrize("text, match", [
    ("time_s,amp\n0,1\n0.1,2\n", "header"),
    ("time_s,rf_1\n0,1\n0.1,2\n", "header"),
    ("time_s,rf\n0,1\n0.1,2\n0.3,1\n", "evenly spaced"),
    ("time_s,rf\n0,1\n0.1,x\n", "not a number"),
    ("time_s,rf\n0,1\n0.1,nan\n", "finite"),
    ("time_s,rf\n1,1\n1.1,2\n", "shift_s"),
])
def test_csv_reader_errors(tmp_path, text, match):
    (tmp_path / "bad.csv").write_text(text)
    with pytest.raises(ValueError, match=match):
        read_rf_csv(tmp_path / "bad.csv", ray_parameter_s_km=0.06, gauss_rad_s=1.0, std=0.05)


def test_load_rf_from_config_tables(tmp_path):
    _write_rf_csv(tmp_path / "rf.csv", 2)
    for i in range(2):
        _trace(i, {"user0": 0.06, "b": -SHIFT}).write(str(tmp_path / f"s{i}.sac"), format="SAC")
    raw = {"data": [
        {"type": "rf", "file": "rf.csv", "ray_parameter_s_km": [0.05, 0.07], "gauss_rad_s": 2.5,
         "std": 0.02, "correlation": "gaussian", "correlation_s_bounds": [0.1, 1.0]},
        {"type": "rf", "file": "s*.sac", "gauss_rad_s": 2.5, "std": 0.01, "normalize": "area"}]}
    config = parse_config(raw, tmp_path)
    csv_data, sac_data = (load_dataset(e) for e in config.data)
    assert csv_data.name == "rf0" and csv_data.correlation_s_bounds == (0.1, 1.0)
    assert sac_data.n_traces == 2 and sac_data.normalize == "area"
    with pytest.raises(ValueError, match="ray_parameter_s_km missing"):
        load_dataset({k: v for k, v in config.data[0].items() if k != "ray_parameter_s_km"})
    with pytest.raises(ValueError, match="unknown key"):
        parse_config({"data": [{"type": "rf", "file": "rf.csv", "gauss_hz": 1}]}, tmp_path)


def test_config_refuses_the_former_gaussian_key_naming_its_replacement(tmp_path):
    _write_rf_csv(tmp_path / "rf.csv", 1)
    table = {"type": "rf", "file": "rf.csv", "ray_parameter_s_km": 0.06, "gauss": 2.5,
             "std": 0.02}
    with pytest.raises(ValueError, match=r"^data\[0\]\.gauss: renamed; "
                                         r"use data\[0\]\.gauss_rad_s$"):
        parse_config({"data": [table]}, tmp_path)


def _model(path, rows, header="top_depth_km,vp_km_s,vs_km_s,rho_g_cm3"):
    path.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    return path


def test_velocity_model_reader(tmp_path):
    top, vp, vs, rho = read_velocity_model_csv(
        _model(tmp_path / "m.csv", [(0, 6.0, 3.5, 2.7), (35, 8.1, 4.5, 3.3)]))
    np.testing.assert_array_equal(top, [0, 35])
    np.testing.assert_array_equal(vs, [3.5, 4.5])


@pytest.mark.parametrize("rows, header, match", [
    ([(5, 6.0, 3.5, 2.7)], None, "must start at 0 km"),
    ([(0, 6.0, 3.5, 2.7), (0, 8.0, 4.5, 3.3)], None, "increase strictly"),
    ([(0, 6.0, 6.5, 2.7)], None, "vs_km_s = 6.5 >= vp_km_s"),
    ([(0, 6.0, -1.0, 2.7)], None, "vs_km_s"),
    ([(0, 6.0, 3.5, 0.0)], None, "rho_g_cm3"),
    ([(0, 6.0, 3.5, 2.7)], "top_depth_km,vp_km_s,vs_km_s,density", "unknown column 'density'"),
])
def test_velocity_model_errors(tmp_path, rows, header, match):
    path = _model(tmp_path / "m.csv", rows, header or "top_depth_km,vp_km_s,vs_km_s,rho_g_cm3")
    with pytest.raises(ValueError, match=match):
        read_velocity_model_csv(path)
