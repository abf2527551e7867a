"""``bayesjoint rf make``: npz + CSV and SAC input, the output files, and bad input."""

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("obspy")
pytest.importorskip("rf")

from bayesjoint.cli import main  # noqa: E402
from bayesjoint.io.rf_records import read_npz_records, read_stream_records  # noqa: E402
from bayesjoint.io.seismic_files import read_rf_csv  # noqa: E402
from tests.test_rf_make import synthetic_record  # noqa: E402

DATA = Path(__file__).parent / "data"
NPZ = DATA / "kaapvaal_sa70_subset.npz"
META = DATA / "kaapvaal_sa70_subset_meta.csv"
SHORT = ["--shift-s", "5", "--length-s", "15"]
"""Windows that the three 55 s Kaapvaal records cover."""


def _make(tmp_path, *extra, records=(str(NPZ),), meta=str(META)):
    argv = ["rf", "make", "--records", *records, "--out", str(tmp_path / "out"), *SHORT, *extra]
    return main(argv + (["--meta", meta] if meta else []))


def _error(capsys):
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    return err


def test_npz_records_and_their_metadata():
    records = read_npz_records(NPZ, META)
    assert len(records) == 3 and {r.station for r in records} == {"SA70"}
    assert [r.flag for r in records] == ["ok", "ok", "low_snr_z"]
    assert records[0].zne.shape == (3, 1100) and records[0].dt_s == 0.05
    assert records[0].t0_rel_p_s == pytest.approx(-30.007706)
    assert records[0].ray_parameter_s_km == pytest.approx(6.610456 / 111.19492664, rel=1e-6)
    assert records[0].back_azimuth_deg == pytest.approx(30.925333)


def test_cli_end_to_end_on_kaapvaal_records(tmp_path, capsys):
    assert _make(tmp_path, "--gauss-rad-s", "2.0") == 0
    out = tmp_path / "out"
    assert "2 of 3 records used (rejected: low_snr_z 1)" in capsys.readouterr().out
    summary = json.loads((out / "rf_make.json").read_text())
    assert summary["n_used"] == 2 and summary["rejected"] == {"low_snr_z": 1}
    assert summary["gauss_rad_s"] == 2.0 and summary["dt_s"] == 0.1
    assert summary["shift_s"] == 5.0 and summary["normalize"] == "peak"
    records = read_npz_records(NPZ, META)
    assert summary["ray_parameter_s_km"] == pytest.approx(
        [np.mean([r.ray_parameter_s_km for r in records[:2]])])
    data = read_rf_csv(out / "rf.csv", ray_parameter_s_km=summary["ray_parameter_s_km"],
                       gauss_rad_s=summary["gauss_rad_s"], std=summary["rms_standard_error"])
    assert data.npts == 201 and data.dt_s == 0.1 and data.shift_s == 5.0
    assert abs(data.time_s()[np.argmax(data.rf[0])]) < 0.5  # the direct P
    std = np.genfromtxt(out / "rf_std.csv", delimiter=",", names=True)
    assert np.all(std["rf_0"] > 0)
    rows = (out / "records.csv").read_text().splitlines()
    assert rows[0].startswith("name,ray_parameter_s_km") and len(rows) == 4
    assert rows[3].endswith("rejected,low_snr_z,")
    assert (out / "rf_make.png").stat().st_size > 10_000
    # the data table runs as written in a configuration
    from bayesjoint.io.datasets import load_dataset

    loaded = load_dataset(summary["data_table"])
    np.testing.assert_array_equal(loaded.rf, data.rf)
    assert summary["data_table"]["wrap_free"] is True and loaded.wrap_free  # windows of longer RFs
    assert _make(tmp_path) == 2
    assert "pass --overwrite" in _error(capsys)
    assert _make(tmp_path, "--overwrite", "--method", "water-level", "--rotation", "lqt",
                 "--outlier-mad", "inf") == 0
    assert json.loads((out / "rf_make.json").read_text())["settings"]["outlier_mad"] == "inf"


def _sac_records(folder, *, skip=(), rate_e=None, headers=True, distances_deg=(60.0, 70.0),
                 station_headers=True):
    """Two synthetic records written as SAC with event and station headers."""
    from obspy import Trace, UTCDateTime, read
    from obspy.taup import TauPyModel

    from bayesjoint.data import ray_parameter_s_km_from_s_deg

    paths = []
    for k, dist_deg in enumerate(distances_deg):
        arrival = TauPyModel("iasp91").get_travel_times(10.0, dist_deg, phase_list=["P"])[0]
        p = float(ray_parameter_s_km_from_s_deg(arrival.ray_param_sec_degree))
        record = synthetic_record(p, 90.0, seed=k)
        origin = UTCDateTime(2011, 3, 1 + k)
        start = origin + arrival.time + record.t0_rel_p_s
        for c, x in zip("ZNE", record.zne):
            if c in skip:
                continue
            delta = record.dt_s if c != "E" or rate_e is None else 1.0 / rate_e
            tr = Trace(x, header={"network": "XX", "station": "SYN", "channel": f"BH{c}",
                                  "delta": delta, "starttime": start})
            path = folder / f"syn{k}.{c}.sac"
            tr.write(str(path), format="SAC")
            if headers:
                tr = read(str(path))[0]
                values = {"evla": 0.0, "evlo": dist_deg, "evdp": 10.0,
                          "o": float(origin - start) + float(tr.stats.sac.b)}
                if station_headers:
                    values.update(stla=0.0, stlo=0.0)
                for key, value in values.items():
                    tr.stats.sac[key] = value
                tr.write(str(path), format="SAC")
            paths.append(path)
    return paths


def test_sac_records_with_headers(tmp_path):
    _sac_records(tmp_path)
    records = read_stream_records([str(tmp_path / "*.sac")])
    assert len(records) == 2
    for r, dist in zip(records, (60.0, 70.0)):
        assert r.back_azimuth_deg == pytest.approx(90.0, abs=0.01)
        assert r.t0_rel_p_s == pytest.approx(-40.0, abs=0.01)
        assert r.zne.shape == (3, 3000)
    assert records[0].ray_parameter_s_km > records[1].ray_parameter_s_km
    out = tmp_path / "out"
    assert main(["rf", "make", "--records", str(tmp_path / "*.sac"), "--out", str(out),
                 "--gauss-rad-s", "2.5", "--length-s", "30", "--freqmax-hz", "3"]) == 0
    summary = json.loads((out / "rf_make.json").read_text())
    assert summary["n_used"] == 2


@pytest.mark.parametrize("case, pattern", [
    ("missing", r"component\(s\) E missing .*needs Z, N and E"),
    ("rate", r"sampling rates differ between components \(Z 20 Hz, N 20 Hz, E 10 Hz\)"),
    ("headers", r"no event metadata; give SAC headers evla, evlo, evdp, o, stla, stlo or "
                r"--events"),
    ("station", r"no station metadata; give SAC headers .* --inventory \(StationXML\)"),
])
def test_bad_sac_records(tmp_path, capsys, case, pattern):
    _sac_records(tmp_path, skip="E" if case == "missing" else (),
                 rate_e=10.0 if case == "rate" else None, headers=case != "headers",
                 station_headers=case != "station")
    assert main(["rf", "make", "--records", str(tmp_path / "*.sac"), "--out",
                 str(tmp_path / "out")]) == 2
    err = _error(capsys)
    assert err.startswith("bayesjoint: error: ") and "syn0" in err
    assert re.search(pattern, err), err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("distances_deg, extra, pattern", [
    ((60.0, 20.0), (), r"1 of 2 record\(s\) usable before processing \(skipped: "
                       r"ray_parameter_outside_teleseismic_range 1\); a stack with a standard "
                       r"error needs at least 2; their ray parameters are 0\.06\d\d-0\.09\d\d "
                       r"s/km, teleseismic P needs 0\.04-0\.09 s/km"),
    ((60.0, 70.0), ("--length-s", "120"),
     r"0 of 2 record\(s\) usable before processing \(skipped: window_not_covered 2\); .*need "
     r"-25 to 120 s about P; the records span at most -40\.0 to 110\.0 s \(shorten "
     r"--length-s or --shift-s\)"),
])
def test_sac_records_outside_the_teleseismic_range_or_window(tmp_path, capsys, monkeypatch,
                                                             distances_deg, extra, pattern):
    """Too few usable records stop before any record is filtered or deconvolved."""
    import bayesjoint.io.rf_make as rf_make

    _sac_records(tmp_path, distances_deg=distances_deg)
    monkeypatch.setattr(rf_make, "_prepare", None)  # any processing would fail loudly
    assert main(["rf", "make", "--records", str(tmp_path / "*.sac"), "--out",
                 str(tmp_path / "out"), *extra]) == 2
    err = _error(capsys)
    assert re.search(pattern, err), err
    assert not (tmp_path / "out").exists()


def _example_mseed(folder, *, drop=None, decimate=None, n_records=2):
    """The first ``n_records`` records of the ``rf`` package's CX.PB01 example as miniSEED.

    ``drop``: a component to leave out; ``decimate``: a component to keep
    at half the sampling rate.
    """
    from importlib import resources

    import obspy

    example = resources.files("rf") / "example"
    stream = obspy.read(str(example / "example_data.mseed"))
    starts = sorted({tr.stats.starttime.timestamp // 60 for tr in stream})[:n_records]
    keep = obspy.Stream([tr for tr in stream if tr.stats.starttime.timestamp // 60 in starts
                         and tr.stats.channel[-1] != drop])
    for tr in keep:
        if tr.stats.channel[-1] == decimate:
            tr.decimate(2, no_filter=True)
    path = folder / "pb01.mseed"
    keep.write(str(path), format="MSEED")
    return path, example / "example_events.xml", example / "example_inventory.xml"


@pytest.mark.parametrize("case, pattern", [
    ("missing", r"component\(s\) N missing \(found E, Z\); each record needs Z, N and E"),
    ("rate", r"sampling rates differ between components \(Z 5 Hz, N 5 Hz, E 2\.5 Hz\)"),
    ("no_events", r"no event metadata; give SAC headers .* or --events \(QuakeML\)"),
    ("no_inventory", r"no station metadata; give SAC headers .* --inventory \(StationXML\)"),
])
def test_bad_miniseed_records(tmp_path, capsys, case, pattern):
    """miniSEED with a QuakeML catalogue and a StationXML inventory: the same one-line errors."""
    path, events, inventory = _example_mseed(tmp_path, drop="N" if case == "missing" else None,
                                             decimate="E" if case == "rate" else None)
    argv = ["rf", "make", "--records", str(path), "--out", str(tmp_path / "out")]
    if case != "no_events":
        argv += ["--events", str(events)]
    if case != "no_inventory":
        argv += ["--inventory", str(inventory)]
    assert main(argv) == 2
    err = _error(capsys)
    assert err.startswith("bayesjoint: error: ") and "pb01.mseed" in err
    assert re.search(pattern, err), err
    assert not (tmp_path / "out").exists()


def _write_npz(tmp_path, data=None, **arrays):
    source = np.load(NPZ, allow_pickle=False)
    path = tmp_path / "bad.npz"
    np.savez(path, data=source["data"] if data is None else data,
             **{"components": source["components"],
                "sampling_rate_hz": source["sampling_rate_hz"], **arrays})
    return path


def _with_nan_component(component):
    """The Kaapvaal data with one component of record 0 missing (all NaN)."""
    data = np.load(NPZ, allow_pickle=False)["data"].astype(float)
    data[0, component] = np.nan
    return data


def _edit_meta(tmp_path, column, value, row=0):
    import csv
    import io

    lines = META.read_text().splitlines()
    rows = list(csv.reader(io.StringIO("\n".join(lines[1:]))))
    rows[row + 1][rows[0].index(column)] = value
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    path = tmp_path / "bad_meta.csv"
    path.write_text(text.getvalue())
    return path


@pytest.mark.parametrize("build, extra, message", [
    (lambda d: dict(records=(str(_write_npz(d, data=np.load(NPZ)["data"][:, :2])),)), (),
     "data has shape (3, 2, 1100); expected (records, 3, samples) with the three components"),
    (lambda d: dict(meta=str(_edit_meta(d, "sampling_rate_hz", "40.0"))), (),
     "sampling rate 40.0 Hz in"),
    (lambda d: dict(meta=str(_edit_meta(d, "baz_deg", ""))), (),
     "record 0, column baz_deg = '': event and station metadata must be finite numbers"),
    (lambda d: dict(meta=str(_edit_meta(d, "station", ""))), (),
     "record 0: station and event_time_utc must not be empty"),
    (lambda d: {}, ("--bins", "0.02,0.03"),
     "bin 0 (0.02-0.03 s/km) holds 0 usable record(s); each bin needs at least 2"),
    (lambda d: {}, ("--gauss-rad-s", "0"), "gauss_rad_s = 0.0: must be finite and > 0"),
    (lambda d: {}, ("--gauss-rad-s", "-1"), "gauss_rad_s = -1.0: must be finite and > 0"),
    (lambda d: {}, ("--gauss-rad-s", "40"), "passes frequencies above the Nyquist frequency"),
    (lambda d: {}, ("--snr-min", "nan"), "snr_min = nan: must be finite and >= 0"),
    (lambda d: {}, ("--error-window-s", "-1"), "error_window_s = -1.0: must lie in 0 to the "
                                               "receiver function's shift_s + length_s = 20 s"),
    (lambda d: {}, ("--events", "ev.xml"), "--events, --inventory: only for SAC and miniSEED"),
    (lambda d: {}, ("--station", "SA01"), "--station SA01: no record of it; stations "
                                          "present: SA70"),
    (lambda d: {}, ("--length-s", "40"), "0 of 3 record(s) usable before processing "
                                         "(skipped: low_snr_z 1, window_not_covered 2)"),
    (lambda d: dict(meta=str(_edit_meta(d, "p_slowness_s_per_deg", "12.5"))), (),
     "1 of 3 record(s) usable before processing (skipped: low_snr_z 1, "
     "ray_parameter_outside_teleseismic_range 1)"),
    (lambda d: dict(records=(str(_write_npz(d, sampling_rate_hz=np.array(
        [[20.0, 20.0, 10.0]] * 3))),)), (),
     "record 0: sampling rates differ between components (Z 20 Hz, N 20 Hz, E 10 Hz)"),
    (lambda d: dict(records=(str(_write_npz(d, data=_with_nan_component(2))),)), (),
     "record 0 (SA70 1997-05-10T07:57:29.580000Z): component E holds no finite sample (missing "
     "component)"),
])
def test_bad_input_is_one_line_before_any_work(tmp_path, capsys, build, extra, message):
    assert _make(tmp_path, *extra, **build(tmp_path)) == 2
    err = _error(capsys)
    assert err.startswith("bayesjoint: error: ") and message in err, err
    assert not (tmp_path / "out").exists()


def test_piercing_bins_from_the_command_line(tmp_path, capsys):
    # the two records that pass quality control come from back-azimuths 30.9 and 36.8 deg
    assert _make(tmp_path, "--bins", "piercing", "--piercing-sectors", "2",
                 "--piercing-depth-km", "410") == 0
    summary = json.loads((tmp_path / "out" / "rf_make.json").read_text())
    (info,) = summary["bins"]
    assert info["back_azimuth_deg"] == [0.0, 180.0] and info["n_records"] == 2
    assert info["piercing_depth_km"] == 410.0
    assert 90.0 < info["piercing_offset_km"][0] < info["piercing_offset_km"][1] < 180.0
    assert summary["settings"]["bins"] == "piercing"
    # sectors of 5 degrees put them apart: no sector holds two
    assert _make(tmp_path, "--overwrite", "--bins", "piercing", "--piercing-sectors", "72") == 2
    assert ("no back-azimuth sector of the piercing points at 300 km holds 2 of the 2 records "
            "left after quality control; choose fewer piercing_sectors (now 72)") in _error(capsys)


def test_without_obspy_or_rf_the_error_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "rf.deconvolve", None)
    assert _make(tmp_path) == 2
    assert "needs obspy and rf: pip install bayesjoint[seismic]" in _error(capsys)


def test_bins_option_is_checked_by_the_parser(tmp_path, capsys):
    assert _make(tmp_path, "--bins", "many") == 2
    assert "expected a number of bins" in _error(capsys)


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["rf", "make", "--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    for option in ("--records", "--meta", "--gauss-rad-s", "--method", "--rotation", "--bins",
                   "--station", "--fit-min-percent", "--error-window-s"):
        assert option in text


def test_worked_example_of_the_docs(tmp_path, capsys):
    """docs/receiver_functions.md: SA70 keeps 13 of its 14 records, in bins of 8 and 5."""
    folder = Path(__file__).resolve().parents[1] / "docs" / "examples"
    out = tmp_path / "sa70_rf"
    assert main(["rf", "make", "--records", str(folder / "kaapvaal_sa70_p_zne.npz"), "--meta",
                 str(folder / "kaapvaal_sa70_p_zne_meta.csv"), "--out", str(out),
                 "--bins", "2"]) == 0
    summary = json.loads((out / "rf_make.json").read_text())
    assert (summary["n_records"], summary["n_used"]) == (14, 13)
    assert summary["rejected"] == {"low_snr_z": 1}
    assert [b["n_records"] for b in summary["bins"]] == [8, 5]
    assert summary["ray_parameter_s_km"] == pytest.approx([0.0468, 0.0636], abs=5e-5)


def test_rf_package_example_from_records_to_a_decision(tmp_path, capsys):
    """A fresh install: rf make on the rf package's CX.PB01 files, then xdisc on its output.

    The commands of docs/receiver_functions.md and docs/xdisc.md, with tiny
    sampler settings: 3 of 13 records reach the stack (too few for a
    decision), and every output is there and sane.
    """
    import os

    import rf

    example = Path(os.path.dirname(rf.__file__)) / "example"
    made, compared = tmp_path / "pb01_rf", tmp_path / "pb01_xdisc"
    assert main(["rf", "make", "--records", str(example / "example_data.mseed"),
                 "--events", str(example / "example_events.xml"),
                 "--inventory", str(example / "example_inventory.xml"),
                 "--out", str(made)]) == 0
    summary = json.loads((made / "rf_make.json").read_text())
    assert (summary["n_records"], summary["n_used"]) == (13, 3)
    assert summary["rejected"] == {"low_snr": 4, "no_direct_p": 2, "window_not_covered": 4}
    assert [b["n_records"] for b in summary["bins"]] == [3]
    assert summary["ray_parameter_s_km"] == pytest.approx([0.0727], abs=5e-5)
    rf_trace = np.genfromtxt(made / "rf.csv", delimiter=",", names=True)
    t, trace = rf_trace["time_s"], rf_trace["rf_0"]
    assert t[0] == -10.0 and t[-1] == pytest.approx(100.0)
    assert abs(t[np.argmax(trace)]) < 0.5 and 0.1 < trace.max() < 1.0  # the direct P
    capsys.readouterr()
    assert main(["xdisc", "--from-rf-make", str(made), "--out", str(compared),
                 "--n-betas", "3", "--n-chains", "2", "--n-iterations", "24",
                 "--n-burn", "12"]) == 0
    printed = capsys.readouterr().out
    result = json.loads((compared / "xdisc.json").read_text())
    assert result["station"] == "PB01" and result["n_events"] == 3
    assert result["decision"] == "undecided" and result["reason"].startswith(
        "3 usable record(s), fewer than the 10 needed")
    assert f"decision: undecided ({result['reason']})" in printed
    assert 0.0 <= result["p_x_interval"][0] <= result["p_x"] <= result["p_x_interval"][1] <= 1.0
    assert 380.0 <= result["depth_410_km"] <= 440.0 and 630.0 <= result["depth_660_km"] <= 700.0
    assert (compared / "xdisc.png").stat().st_size > 10_000
