"""``bayesjoint xdisc``: the command end to end and its bad inputs."""

import json

import numpy as np
import pytest

from bayesjoint.cli import main

pytest.importorskip("obspy")

MANTLE = {"depth_410_km": 410.0, "jump_410": 0.04, "depth_660_km": 660.0, "jump_660": 0.06}


def _write_rf_csv(path, n_traces=1, npts=170, seed=0):
    from bayesjoint.datasets import synthetic_rf
    from bayesjoint.model.xdisc_models import XdiscModel

    earth = XdiscModel.build("ak135", layer_km=20.0).earth(MANTLE)
    data = synthetic_rf(earth, np.full(n_traces, 0.06), dt_s=0.5, npts=npts, shift_s=10.0,
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
    assert result["prior_bounds"]["x"]["jump_x"][0] == 0.01
    assert "p_x = " in capsys.readouterr().out
    assert (out / "xdisc.png").stat().st_size > 0
    # a second run into the same folder needs --overwrite
    assert main(["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06,0.06",
                 "--gauss-rad-s", "1", "--std", "0.005", "--out", str(out), *SMALL]) == 2


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


def test_from_rf_make_reads_rays_gaussian_and_errors(tmp_path):
    from bayesjoint.commands.xdisc import _from_rf_make

    folder = tmp_path / "rfmake"
    folder.mkdir()
    _write_rf_csv(folder / "rf.csv", n_traces=2)
    std = folder / "rf_std.csv"
    lines = (folder / "rf.csv").read_text().splitlines()
    std.write_text(lines[0] + "\n" + "\n".join(
        f"{line.split(',')[0]},0.01,0.02" for line in lines[1:]) + "\n")
    (folder / "rf_make.json").write_text(json.dumps(
        {"station": "XA.SA01", "ray_parameter_s_km": [0.055, 0.07], "gauss_rad_s": 1.0,
         "rf_file": "rf.csv", "rf_std_file": "rf_std.csv"}))
    data = _from_rf_make(folder)
    assert data.name == "XA.SA01" and data.gauss_rad_s == 1.0
    np.testing.assert_allclose(data.ray_parameter_s_km, [0.055, 0.07])
    np.testing.assert_allclose(data.rf_std[:, 0], [0.01, 0.02])


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


@pytest.mark.parametrize("extra, message", [
    (["--method", "transd", "--prior-odds", "2"], "--prior-odds: not with --method transd"),
    (["--method", "transd", "--n-betas", "4"], "--n-betas: not with --method transd"),
    (["--time-budget-s", "60"], "--time-budget-s: not with --method model_comparison"),
    (["--method", "transd", "--time-budget-s", "0"], "--time-budget-s = 0.0"),
    (["--method", "transd", "--n-burn", "5000", "--n-iterations", "5000"], "--n-burn = 5000"),
    (["--method", "transd", "--thin", "7"], "--thin = 7"),
    (["--method", "transd", "--k-max", "0"], "--k-max = 0"),
    (["--method", "bayes"], "invalid choice"),
])
def test_bad_transd_options_are_one_line_before_any_work(tmp_path, capsys, extra, message):
    rf = _write_rf_csv(tmp_path / "rf.csv", n_traces=2)
    out = tmp_path / "out"
    argv = ["xdisc", "--rf", str(rf), "--ray-parameter-s-km", "0.06,0.06", "--gauss-rad-s", "1",
            "--std", "0.01", "--out", str(out), *extra]
    assert message in _error(capsys, argv)
    assert not out.exists()
