"""``bayesjoint xdisc``: the command end to end and its bad inputs."""

import json

import numpy as np
import pytest

from bayesjoint.cli import main
from bayesjoint.samplers.xdisc_decision import decision

pytest.importorskip("obspy")

MANTLE = {"depth_410_km": 410.0, "jump_410": 0.04, "depth_660_km": 660.0, "jump_660": 0.06}


def _write_rf_csv(path, n_traces=1, npts=180, seed=0):
    from bayesjoint.datasets import synthetic_rf
    from bayesjoint.model.xdisc_models import XdiscModel

    earth = XdiscModel.build("ak135", layer_km=20.0).earth(MANTLE)
    data = synthetic_rf(earth, np.full(n_traces, 0.06), dt_s=0.5, npts=npts, shift_s=10.0,
                        wrap_free=True,
                        gauss_rad_s=1.0, noise_std=0.005, seed=seed)
    cols = ["time_s"] + [f"rf_{i}" for i in range(n_traces)]
    rows = np.column_stack([data.time_s(), data.rf.T])
    path.write_text(",".join(cols) + "\n"
                    + "\n".join(",".join(repr(float(v)) for v in r) for r in rows) + "\n")
    return path


SMALL = ["--n-betas", "3", "--n-chains", "2", "--n-iterations", "24", "--n-burn", "12"]


def test_xdisc_writes_its_json(tmp_path, capsys):
    rf = _write_rf_csv(tmp_path / "rf.csv", n_traces=2)
    out = tmp_path / "out"
    assert main(["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06,0.06",
                 "--gauss-rad-s", "1", "--std", "0.005", "--out", str(out), *SMALL]) == 0
    result = json.loads((out / "xdisc.json").read_text())
    assert result["method"] == "model_comparison"
    assert 0.0 <= result["p_x"] <= 1.0
    assert result["bayes_factor"] == pytest.approx(np.exp(result["log_bayes_factor"]))
    assert result["prior_odds"] == 1.0 and result["prior_p_x"] == 0.5
    assert 380.0 <= result["depth_410_km"] <= 440.0
    assert 630.0 <= result["depth_660_km"] <= 700.0
    assert result["transition_zone_km"] == result["posterior"]["transition_zone_km"]["q50"]
    assert set(result["evidence"]) == {"no_x", "x"}
    assert result["evidence"]["x"]["estimator"] == "stepping_stone"
    assert result["references"] == ["ak135", "iasp91", "prem"]
    assert sum(result["reference_probability"].values()) == pytest.approx(1.0)
    assert set(result["by_reference"]) == set(result["references"])
    assert result["prior_bounds"]["x"]["jump_x"][0] == 0.01
    assert result["n_events"] is None and result["min_events"] == 10
    assert result["decision"] == decision(result, None)["decision"]
    assert "p_x = " in capsys.readouterr().out
    assert (out / "xdisc.png").stat().st_size > 0
    report = (out / "xdisc_report.md").read_text()
    assert report.startswith(f"**Decision {result['decision']}**: {result['reason']}")
    assert f"p_x = {result['p_x']:.3f}" in report and "| AK135 |" in report
    page = (out / "xdisc_report.html").read_text()
    assert "<div id='verdict'" in page and "data:image/png;base64," in page
    # a second run into the same folder needs --overwrite
    assert main(["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06,0.06",
                 "--gauss-rad-s", "1", "--std", "0.005", "--out", str(out), *SMALL]) == 2
    # with it and --no-report, the first run's report goes
    assert main(["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06,0.06",
                 "--gauss-rad-s", "1", "--std", "0.005", "--out", str(out), "--reference",
                 "ak135", "--overwrite", "--no-report", *SMALL]) == 0
    assert not (out / "xdisc_report.md").exists() and not (out / "xdisc_report.html").exists()


def _error(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("extra, message", [
    (["--gauss-rad-s", "1"], "--ray-parameter-s-km missing"),
    (["--ray-parameter-s-km", "0.06"], "--gauss-rad-s missing"),
    (["--ray-parameter-s-km", "0.06,0.07,0.05", "--gauss-rad-s", "1"], "3 values for 2 traces"),
    (["--ray-parameter-s-km", "0.06", "--gauss-rad-s", "-1"], "gauss_rad_s = -1.0"),
    (["--ray-parameter-s-km", "0.06", "--gauss-rad-s", "nan"], "gauss_rad_s = nan"),
    (["--ray-parameter-s-km", "0.2", "--gauss-rad-s", "1"], "outside the teleseismic range"),
    (["--ray-parameter-s-km", "0.06", "--gauss-rad-s", "1", "--prior-odds", "0"],
     "--prior-odds = 0"),
    (["--ray-parameter-s-km", "0.06", "--gauss-rad-s", "1", "--n-betas", "1"], "n_betas = 1"),
    (["--ray-parameter-s-km", "0.06", "--gauss-rad-s", "1", "--window-start-s", "200"],
     "window_s = (200.0, None): holds fewer than two samples of the record (-10 to 79.5 s "
     "after P)"),
    (["--ray-parameter-s-km", "0.06", "--gauss-rad-s", "1", "--reference", "ak135,prem2"],
     "'ak135,prem2': expected distinct comma-separated names from ak135, iasp91, prem"),
    (["--ray-parameter-s-km", "0.06", "--gauss-rad-s", "1", "--reference", "prem,prem"],
     "'prem,prem': expected distinct"),
    (["--ray-parameter-s-km", "0.06", "--gauss-rad-s", "1", "--method", "transd",
      "--reference", "ak135,prem"], "--method transd takes one reference"),
    (["--ray-parameter-s-km", "0.06", "--gauss-rad-s", "1", "--dt-s", "0.75"],
     "--dt-s: dt_s = 0.75: must be a positive integer multiple of the data's 0.5 s"),
    (["--ray-parameter-s-km", "0.06", "--gauss-rad-s", "1", "--dt-s", "1.0"],
     "--dt-s: dt_s = 1.0: the Gaussian of 1 rad/s is 0.085 at its Nyquist frequency"),
])
def test_bad_input_is_one_line_before_any_work(tmp_path, capsys, extra, message):
    rf = _write_rf_csv(tmp_path / "rf.csv", n_traces=2)
    out = tmp_path / "out"
    err = _error(capsys, ["xdisc", "--rf", str(rf), "--std", "0.01", "--out", str(out), *extra])
    assert message in err
    assert not out.exists()


def test_a_record_too_short_for_the_660_is_refused(tmp_path, capsys):
    rf = _write_rf_csv(tmp_path / "rf.csv", npts=120)
    err = _error(capsys, ["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06",
                          "--gauss-rad-s", "1", "--std", "0.01", "--out", str(tmp_path / "o")])
    assert "too short" in err and "700 km" in err


def test_default_std_needs_samples_before_p(tmp_path, capsys):
    rf = _write_rf_csv(tmp_path / "rf.csv")
    lines = rf.read_text().splitlines()
    rf.write_text("\n".join(lines[:1] + lines[18:]) + "\n")  # starts 1.5 s before P
    err = _error(capsys, ["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06",
                          "--gauss-rad-s", "1", "--out", str(tmp_path / "o")])
    assert "give --std" in err


def test_from_rf_make_needs_its_summary(tmp_path, capsys):
    folder = tmp_path / "rfmake"
    folder.mkdir()
    _write_rf_csv(folder / "rf.csv")
    err = _error(capsys, ["xdisc", "--from-rf-make", str(folder), "--out", str(tmp_path / "o")])
    assert "rf_make.json: missing" in err
    err = _error(capsys, ["xdisc", "--from-rf-make", str(folder), "--gauss-rad-s", "1",
                          "--out", str(tmp_path / "o")])
    assert "--gauss-rad-s: not with --from-rf-make" in err


def _rf_make_folder(folder, ray_parameter_s_km=(0.055, 0.07), **summary):
    """A folder as ``bayesjoint rf make`` writes it: two stacks, their errors, the summary."""
    folder.mkdir()
    _write_rf_csv(folder / "rf.csv", n_traces=2)
    lines = (folder / "rf.csv").read_text().splitlines()
    (folder / "rf_std.csv").write_text(lines[0] + "\n" + "\n".join(
        f"{line.split(',')[0]},0.01,0.02" for line in lines[1:]) + "\n")
    (folder / "rf_make.json").write_text(json.dumps(
        {"station": "XA.SA01", "ray_parameter_s_km": list(ray_parameter_s_km),
         "gauss_rad_s": 1.0, "rf_file": "rf.csv", "rf_std_file": "rf_std.csv", **summary}))
    return folder


def test_from_rf_make_outside_the_teleseismic_range_is_refused(tmp_path, capsys):
    folder = _rf_make_folder(tmp_path / "rfmake", ray_parameter_s_km=(0.06, 0.1))
    err = _error(capsys, ["xdisc", "--from-rf-make", str(folder), "--out", str(tmp_path / "o"),
                          *SMALL])
    assert "ray parameter 0.1 s/km (column 1): outside the teleseismic range 0.04-0.09" in err
    assert not (tmp_path / "o").exists()


def test_from_rf_make_reads_rays_gaussian_and_errors(tmp_path):
    from bayesjoint.commands.xdisc import _from_rf_make

    data, n_events = _from_rf_make(_rf_make_folder(tmp_path / "rfmake", n_used=12))
    assert n_events == 12
    assert data.name == "XA.SA01" and data.gauss_rad_s == 1.0
    np.testing.assert_allclose(data.ray_parameter_s_km, [0.055, 0.07])
    np.testing.assert_allclose(data.rf_std[:, 0], [0.01, 0.02])


def _fake_compare(monkeypatch, p_x, interval):
    """Replace the sampler by a fixed result: the decision is the command's own work."""
    import bayesjoint.commands.xdisc as command
    import bayesjoint.samplers.xdisc_comparison as comparison
    import bayesjoint.xdisc_report as report

    seen = {}

    def compare(data, settings):
        seen["data"] = data
        return ({"p_x": p_x, "p_x_interval": interval, "bayes_factor": p_x / (1 - p_x),
                 "log_bayes_factor": float(np.log(p_x / (1 - p_x))), "prior_odds": 1.0,
                 "depth_410_km": 410.0, "depth_660_km": 660.0,
                 "reference_probability": {"ak135": 1.0}}, None)

    monkeypatch.setattr(comparison, "compare", compare)
    monkeypatch.setattr(command, "_figure", lambda *args: None)
    monkeypatch.setattr(report, "build_xdisc_report", lambda out: None)  # needs a full result
    return seen


def test_dt_s_hands_the_detector_every_kth_sample(tmp_path, capsys, monkeypatch):
    seen = _fake_compare(monkeypatch, 0.9, [0.85, 0.94])
    rf = _write_rf_csv(tmp_path / "rf.csv", n_traces=1, npts=180)
    out = tmp_path / "out"
    assert main(["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06", "--gauss-rad-s",
                 "0.5", "--std", "0.01", "--dt-s", "1.0", "--out", str(out)]) == 0
    data = seen["data"]
    full = np.loadtxt(rf, delimiter=",", skiprows=1)
    assert data.dt_s == 1.0 and data.npts == 90
    np.testing.assert_allclose(data.rf[0], full[::2, 1])
    np.testing.assert_allclose(data.time_s(), full[::2, 0])
    result = json.loads((out / "xdisc.json").read_text())
    assert (result["dt_s"], result["npts"]) == (1.0, 90)


@pytest.mark.parametrize("n_used, extra, expected, words", [
    (4, [], "undecided", "4 usable record(s), fewer than the 10 needed"),
    (4, ["--min-events", "3"], "x", "lies above 0.5 from 4 usable records"),
    (25, [], "x", "p_x = 0.900, interval 0.850-0.940 lies above 0.5 from 25 usable records"),
])
def test_decision_from_rf_make_counts(tmp_path, capsys, monkeypatch, n_used, extra, expected,
                                      words):
    _fake_compare(monkeypatch, 0.9, [0.85, 0.94])
    folder = _rf_make_folder(tmp_path / "rfmake", n_used=n_used)
    out = tmp_path / "out"
    assert main(["xdisc", "--from-rf-make", str(folder), "--out", str(out), *extra]) == 0
    result = json.loads((out / "xdisc.json").read_text())
    assert result["decision"] == expected and words in result["reason"]
    assert result["n_events"] == n_used
    assert result["min_events"] == (3 if extra else 10)
    assert f"decision: {expected} ({result['reason']})" in capsys.readouterr().out


def test_decision_without_a_record_count_rests_on_the_monte_carlo_error(tmp_path, capsys,
                                                                          monkeypatch):
    _fake_compare(monkeypatch, 0.6, [0.45, 0.72])
    rf = _write_rf_csv(tmp_path / "rf.csv")
    out = tmp_path / "out"
    assert main(["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06", "--gauss-rad-s",
                 "1", "--std", "0.01", "--out", str(out)]) == 0
    result = json.loads((out / "xdisc.json").read_text())
    assert result["n_events"] is None and result["decision"] == "undecided"
    assert "contains 0.5: the Monte Carlo error is too large" in result["reason"]
    assert "decision: undecided" in capsys.readouterr().out


@pytest.mark.parametrize("summary, extra, message", [
    ({}, ["--min-events", "1"], "--min-events = 1: must be an integer >= 2"),
    ({"n_used": -3}, [], "n_used = -3; must be a count of records"),
])
def test_bad_record_counts_are_refused(tmp_path, capsys, summary, extra, message):
    folder = _rf_make_folder(tmp_path / "rfmake", **summary)
    err = _error(capsys, ["xdisc", "--from-rf-make", str(folder), "--out", str(tmp_path / "o"),
                          *extra])
    assert message in err


def _config(tmp_path, tables):
    """A run configuration with the given ``[[data]]`` tables (TOML text each)."""
    path = tmp_path / "run.toml"
    path.write_text("[output]\ndir = \"results\"\n\n"
                    + "\n".join(f"[[data]]\n{t}\n" for t in tables))
    return path


def _rf_table(name, file="rf.csv"):
    return (f'type = "rf"\nname = "{name}"\nfile = "{file}"\nray_parameter_s_km = 0.06\n'
            'gauss_rad_s = 1.0\nstd = 0.01')


@pytest.mark.parametrize("tables, extra, name", [
    ([_rf_table("SA01")], [], "SA01"),
    ([_rf_table("SA01"), _rf_table("SA02", "rf2.csv")], ["--dataset", "SA02"], "SA02"),
])
def test_config_gives_the_receiver_functions(tmp_path, capsys, monkeypatch, tables, extra,
                                             name):
    """The rf table of a run configuration, read as ``bayesjoint run`` reads it."""
    seen = _fake_compare(monkeypatch, 0.9, [0.85, 0.94])
    _write_rf_csv(tmp_path / "rf.csv")
    _write_rf_csv(tmp_path / "rf2.csv", seed=1)
    config = _config(tmp_path, tables)
    out = tmp_path / "out"
    assert main(["xdisc", "--config", str(config), "--out", str(out), *extra]) == 0
    data = seen["data"]
    assert data.name == name and data.ray_parameter_s_km.tolist() == [0.06]
    np.testing.assert_allclose(data.rf_std, 0.01)
    file = tmp_path / ("rf.csv" if name == "SA01" else "rf2.csv")
    np.testing.assert_allclose(data.rf[0], np.loadtxt(file, delimiter=",", skiprows=1)[:, 1])
    result = json.loads((out / "xdisc.json").read_text())
    assert result["station"] == name and result["n_events"] is None


def test_config_of_an_rf_make_table_counts_its_records(tmp_path, capsys, monkeypatch):
    """rf make's data_table in a configuration: the records come from its rf_make.json."""
    _fake_compare(monkeypatch, 0.9, [0.85, 0.94])
    _rf_make_folder(tmp_path / "rfmake", ray_parameter_s_km=(0.06, 0.06), n_used=7)
    config = _config(tmp_path, [
        'type = "rf"\nname = "SA01"\nfile = "rfmake/rf.csv"\nray_parameter_s_km = [0.06, 0.06]'
        '\ngauss_rad_s = 1.0\nstd = [0.01, 0.02]'])
    out = tmp_path / "out"
    assert main(["xdisc", "--config", str(config), "--out", str(out)]) == 0
    result = json.loads((out / "xdisc.json").read_text())
    assert result["n_events"] == 7 and result["decision"] == "undecided"


@pytest.mark.parametrize("tables, extra, message", [
    (['type = "mt"\nfile = "mt.csv"'], [],
     "no [[data]] table of type rf (types present: mt); xdisc needs receiver functions"),
    ([_rf_table("SA01"), _rf_table("SA02")], [],
     "2 rf [[data]] tables (SA01, SA02); choose one with --dataset"),
    ([_rf_table("SA01"), _rf_table("SA02")], ["--dataset", "SA03"],
     "--dataset SA03: no rf [[data]] table of that name in"),
    ([_rf_table("SA01")], ["--std", "0.1"], "--std: not with --config"),
    ([_rf_table("SA01", "missing.csv")], [], "missing.csv"),
    ([_rf_table("SA01").replace("0.06", "0.12")], [],
     "ray parameter 0.12 s/km (column 0): outside the teleseismic range"),
])
def test_bad_configs_are_refused(tmp_path, capsys, tables, extra, message):
    _write_rf_csv(tmp_path / "rf.csv")
    config = _config(tmp_path, tables)
    err = _error(capsys, ["xdisc", "--config", str(config), "--out", str(tmp_path / "o"),
                          *extra])
    assert message in err, err
    assert not (tmp_path / "o").exists()


def test_dataset_needs_a_config(tmp_path, capsys):
    rf = _write_rf_csv(tmp_path / "rf.csv")
    err = _error(capsys, ["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06",
                          "--gauss-rad-s", "1", "--dataset", "SA01", "--out", str(tmp_path / "o")])
    assert "--dataset: only with --config" in err


TINY_TRANSD = ["--method", "transd", "--n-chains", "2", "--n-temperatures", "1",
               "--n-iterations", "200", "--n-burn", "100", "--chunk-size", "100", "--thin", "1",
               "--prior-iterations", "200", "--k-max", "5"]


def test_xdisc_transd_writes_its_json(tmp_path, capsys):
    rf = _write_rf_csv(tmp_path / "rf.csv", n_traces=2)
    out = tmp_path / "out"
    assert main(["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06,0.06",
                 "--gauss-rad-s", "1", "--std", "0.005", "--out", str(out), *TINY_TRANSD]) == 0
    result = json.loads((out / "xdisc.json").read_text())
    assert list(result)[:2] == ["converged", "verdict"]
    assert result["method"] == "transd"
    assert result["converged"] is False and result["verdict"].startswith("NOT converged")
    assert 0.0 <= result["p_x"] <= 1.0 and 0.0 <= result["prior_p_x"] <= 1.0
    assert result["bayes_factor"] == pytest.approx(np.exp(result["log_bayes_factor"]))
    if not result["bayes_factor_is_bound"]:
        odds = result["p_x"] / (1 - result["p_x"])
        prior_odds = result["prior_p_x"] / (1 - result["prior_p_x"])
        assert result["bayes_factor"] == pytest.approx(odds / prior_odds)
    assert result["sampler"]["n_draws"] == 2 * 100 and result["sampler"]["prior_run_draws"] == 3200
    settings = result["settings"]
    assert settings["n_chains"] == 2 and settings["k_max"] == 5 and settings["window_s"][0] == 20
    assert {"has_x", "largest_jump_410", "n_layers"} <= set(result["convergence"]["per_quantity"])
    for name in ("depth_410_km", "depth_660_km"):
        assert result[name] is None or 380.0 <= result[name] <= 700.0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].split(": ", 1)[1].startswith("NOT converged")
    assert "p_x = " in printed and "prior" in printed
    assert (out / "xdisc.png").stat().st_size > 0
    # an unconverged run decides nothing
    assert result["decision"] == "undecided" and "not converged" in result["reason"]
    report = (out / "xdisc_report.md").read_text().splitlines()
    assert report[0].startswith("**Decision undecided**") and report[2] == f"- {result['verdict']}"
    assert "## Answer of this run (NOT converged: not that of the posterior)" in report
    assert "| has_x |" in "\n".join(report)
    assert "class='verdict bad'" in (out / "xdisc_report.html").read_text()
    assert 0.0 <= result["p_x_interval"][0] <= result["p_x"] <= result["p_x_interval"][1] <= 1.0


TINY_STEPS = ["--method", "transd_steps", "--n-chains", "2", "--n-temperatures", "3",
              "--n-iterations", "2000", "--n-burn", "1000", "--chunk-size", "500", "--thin", "5",
              "--reference", "ak135,prem"]


def test_xdisc_transd_steps_writes_its_json(tmp_path, capsys):
    rf = _write_rf_csv(tmp_path / "rf.csv", n_traces=2)
    out = tmp_path / "out"
    assert main(["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06,0.06",
                 "--gauss-rad-s", "1", "--std", "0.005", "--out", str(out), *TINY_STEPS,
                 "--prior-odds", "3"]) == 0
    result = json.loads((out / "xdisc.json").read_text())
    assert list(result)[:2] == ["converged", "verdict"]
    assert result["method"] == "transd_steps"
    assert result["prior_odds"] == 3.0 and result["prior_p_x"] == 0.75
    q = result["prior_p_x_draws"]
    p = result["p_x_draws"]
    if not result["bayes_factor_is_bound"]:
        assert result["bayes_factor"] == pytest.approx((p / (1 - p)) / (q / (1 - q)))
    bf = result["bayes_factor"]
    assert result["p_x"] == pytest.approx(3 * bf / (1 + 3 * bf))
    assert 0.0 <= result["p_x_interval"][0] <= result["p_x"] <= result["p_x_interval"][1] <= 1.0
    assert set(result["reference_probability"]) == {"ak135", "prem"}
    assert sum(result["reference_probability"].values()) == pytest.approx(1.0)
    assert result["sampler"]["n_draws"] == 2 * 1000 // 5
    assert result["importance"]["n_draws"] == 400
    assert {"has_x", "n_steps", "reference", "vs_400_km"} <= set(
        result["convergence"]["per_quantity"])
    assert result["settings"]["references"] == ["ak135", "prem"]
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].split(": ", 1)[1].startswith(result["verdict"][:5])
    assert (out / "xdisc.png").stat().st_size > 0
    if not result["converged"]:
        assert result["decision"] == "undecided" and "not converged" in result["reason"]
    report = (out / "xdisc_report.md").read_text()
    assert "| n_steps |" in report and "Reference Earths, fraction of draws" in report


def _with(options, name, value):
    """``options`` with the value of ``name`` replaced."""
    i = options.index(name)
    return options[:i + 1] + [value] + options[i + 2:]


@pytest.mark.parametrize("method, options", [("transd_steps", TINY_STEPS),
                                             ("transd", TINY_TRANSD)])
def test_a_transd_run_resumes_from_its_chains(tmp_path, capsys, method, options):
    rf = _write_rf_csv(tmp_path / "rf.csv", n_traces=2)
    out = tmp_path / "out"
    argv = ["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06,0.06", "--gauss-rad-s", "1",
            "--std", "0.005", "--out", str(out), "--no-report"]
    assert main(argv + options) == 0
    first = json.loads((out / "xdisc.json").read_text())
    assert (out / "chains").is_dir()
    err = _error(capsys, argv + options)
    assert "holds an xdisc.json" in err and "--overwrite" in err and "--resume" in err
    n_iterations = int(options[options.index("--n-iterations") + 1])
    chunk = int(options[options.index("--chunk-size") + 1])
    draws_per_chunk = chunk // int(options[options.index("--thin") + 1])
    longer = _with(options, "--n-iterations", str(n_iterations + 2 * chunk))
    assert main(argv + longer + ["--resume"]) == 0
    second = json.loads((out / "xdisc.json").read_text())
    assert second["sampler"]["n_draws"] == first["sampler"]["n_draws"] + 2 * 2 * draws_per_chunk
    if method == "transd_steps":
        assert second["sampler"]["iterations"] == n_iterations + 2 * chunk
        assert second["sampler"]["chunks_resumed"] > 0
    # other settings cannot continue these chains
    err = _error(capsys, argv + longer + ["--k-max", "3", "--resume"])
    assert "cannot resume" in err and "k_max" in err
    # --overwrite starts again
    assert main(argv + options + ["--overwrite"]) == 0
    third = json.loads((out / "xdisc.json").read_text())
    assert third["p_x"] == first["p_x"]


def test_overwrite_keeps_the_earlier_chains_when_the_input_is_bad(tmp_path, capsys):
    rf = _write_rf_csv(tmp_path / "rf.csv", n_traces=2)
    out = tmp_path / "out"
    (out / "chains").mkdir(parents=True)
    (out / "chains" / "kept").write_text("")
    err = _error(capsys, ["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.2,0.2",
                          "--gauss-rad-s", "1", "--std", "0.01", "--out", str(out),
                          "--method", "transd_steps", "--overwrite"])
    assert "0.2" in err and (out / "chains" / "kept").exists()


@pytest.mark.parametrize("extra, message", [
    (["--method", "transd_steps", "--forward", "exact"],
     "--forward: not with --method transd_steps"),
    (["--method", "transd_steps", "--prior-iterations", "10"],
     "--prior-iterations: not with --method transd_steps"),
    (["--method", "transd_steps", "--k-max", "0"], "--k-max = 0"),
    (["--method", "transd_steps", "--thin", "7"], "--thin = 7"),
    (["--method", "transd", "--prior-odds", "2"], "--prior-odds: not with --method transd"),
    (["--method", "transd", "--forward", "exact"], "--forward: not with --method transd"),
    (["--method", "transd", "--n-betas", "4"], "--n-betas: not with --method transd"),
    (["--time-budget-s", "60"], "--time-budget-s: not with --method model_comparison"),
    (["--method", "transd", "--time-budget-s", "0"], "--time-budget-s = 0.0"),
    (["--method", "transd", "--n-burn", "5000", "--n-iterations", "5000"], "--n-burn = 5000"),
    (["--method", "transd", "--thin", "7"], "--thin = 7"),
    (["--method", "transd", "--k-max", "0"], "--k-max = 0"),
    (["--method", "bayes"], "invalid choice"),
    (["--resume"], "--resume: --method model_comparison keeps no chains"),
    (["--method", "transd_steps", "--resume"], "holds no chains (chains/) to continue"),
    (["--method", "transd_steps", "--resume", "--overwrite"], "--resume and --overwrite"),
])
def test_bad_transd_options_are_one_line_before_any_work(tmp_path, capsys, extra, message):
    rf = _write_rf_csv(tmp_path / "rf.csv", n_traces=2)
    out = tmp_path / "out"
    argv = ["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06,0.06", "--gauss-rad-s", "1",
            "--std", "0.01", "--out", str(out), *extra]
    assert message in _error(capsys, argv)
    assert not out.exists()


@pytest.mark.parametrize("method", ["transd", "transd_steps"])
@pytest.mark.parametrize("extra, devices", [([], [4]), (["--n-chains", "2"], [2])])
def test_transd_asks_for_one_cpu_device_per_chain(tmp_path, capsys, monkeypatch, extra, devices,
                                                  method):
    import bayesjoint.cli as cli

    asked = []
    monkeypatch.setattr(cli, "_use_host_devices", asked.append)
    rf = _write_rf_csv(tmp_path / "rf.csv", n_traces=2)
    _error(capsys, ["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06,0.06",
                    "--gauss-rad-s", "1", "--std", "0.005", "--out", str(tmp_path / "out"),
                    "--method", method, "--k-max", "0", *extra])
    assert asked == devices
    _error(capsys, ["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06,0.06",
                    "--gauss-rad-s", "1", "--std", "0.005", "--out", str(tmp_path / "out"),
                    "--prior-odds", "0"])
    assert asked == devices  # the model comparison runs in one process on one device
