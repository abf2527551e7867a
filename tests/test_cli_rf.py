"""``bayesjoint forward rf`` and ``bayesjoint run`` with receiver functions."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from bayesjoint.cli import main

DATA = Path(__file__).parent / "data"


def _model_csv(path, top, vp, vs, rho):
    rows = [",".join(repr(float(x)) for x in r) for r in zip(top, vp, vs, rho)]
    path.write_text("top_depth_km,vp_km_s,vs_km_s,rho_g_cm3\n" + "\n".join(rows) + "\n")
    return path


CRUST = ([0.0, 35.0], [6.3, 8.1], [3.6, 4.5], [2.8, 3.3])


def _forward(model, *extra):
    return main(["forward", "rf", "--model", str(model), "--gauss-rad-s", "2.5", "--dt-s", "0.1",
                 "--npts", "300", "--shift-s", "5", *extra])


def test_forward_rf_ak135_shows_p410s_and_p660s(tmp_path):
    pytest.importorskip("obspy")
    from bayesjoint.physics.reference import reference_layers

    model = _model_csv(tmp_path / "ak135.csv", *reference_layers("ak135", 800.0))
    stored = json.loads((DATA / "taup_pds_times.json").read_text())
    row = stored["models"]["ak135"][1]  # 60 degrees
    p_s_deg = row["P"]["ray_param_s_rad"] * np.pi / 180.0
    out = tmp_path / "rf.csv"
    assert main(["forward", "rf", "--model", str(model), "--slowness-s-deg", repr(p_s_deg),
                 "--gauss-rad-s", "1.0", "--dt-s", "0.1", "--npts", "1200", "--shift-s", "10",
                 "--out", str(out)]) == 0
    t = np.genfromtxt(out, delimiter=",", names=True)
    assert list(t.dtype.names) == ["time_s", "rf"]
    time, trace = t["time_s"], t["rf"]
    np.testing.assert_allclose(time[[0, 100]], [-10.0, 0.0], atol=1e-12)
    assert abs(time[np.argmax(trace)]) < 0.05 and trace.max() > 0  # the direct P
    for phase in ("P410s", "P660s"):
        expected = row[phase]["time_s"] - row["P"]["time_s"]
        window = np.abs(time - expected) < 4.0
        picked = time[window][np.argmax(trace[window])]
        # P's ray parameter instead of the mean of P's and Pds's costs up to ~0.3 s.
        assert abs(picked - expected) < 0.6, (phase, picked, expected)
        assert trace[window].max() > 0.02  # a clear positive conversion


def test_forward_rf_units_and_options(tmp_path, capsys):
    model = _model_csv(tmp_path / "m.csv", *CRUST)
    p_s_km = 0.06
    p_s_deg = p_s_km * np.pi * 6371.0 / 180.0
    assert _forward(model, "--ray-parameter-s-km", repr(p_s_km)) == 0
    a = capsys.readouterr().out
    assert _forward(model, "--slowness-s-deg", repr(p_s_deg)) == 0
    b = capsys.readouterr().out
    ra = np.loadtxt(a.splitlines()[1:], delimiter=",")
    rb = np.loadtxt(b.splitlines()[1:], delimiter=",")
    np.testing.assert_allclose(ra, rb, rtol=0, atol=1e-12)
    assert _forward(model, "--ray-parameter-s-km", "0.06", "--no-flatten") == 0
    flat_peak = np.loadtxt(capsys.readouterr().out.splitlines()[1:], delimiter=",")
    assert np.max(np.abs(flat_peak[:, 1] - ra[:, 1])) > 1e-4  # flattening changes the trace
    assert _forward(model, "--ray-parameter-s-km", "0.06", "--no-flatten", "--normalize",
                    "area") == 0
    flat_area = np.loadtxt(capsys.readouterr().out.splitlines()[1:], delimiter=",")
    # A unit-peak pulse is the unit-area pulse times sqrt(pi) / gauss_rad_s.
    np.testing.assert_allclose(flat_area[:, 1], flat_peak[:, 1] * 2.5 / np.sqrt(np.pi),
                               rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("model, args, match", [
    (([0.0, 35.0], [6.3, 8.1], [6.5, 4.5], [2.8, 3.3]), [], "vs_km_s = 6.5 >= vp_km_s"),
    (([0.0, 35.0], [6.3, 8.1], [3.6, 4.5], [2.8, -3.3]), [], "rho_g_cm3"),
    (([0.0, 35.0], [6.3, -8.1], [3.6, 4.5], [2.8, 3.3]), [], "vp_km_s"),
    (CRUST, ["--ray-parameter-s-km", "0.13"], "evanescent"),
    (CRUST, ["--gauss-rad-s", "0"], "--gauss-rad-s"),
    (CRUST, ["--npts", "60"], r"npts >= \d+"),
])
def test_forward_rf_bad_input_exits_2(tmp_path, capsys, model, args, match):
    path = _model_csv(tmp_path / "m.csv", *model)
    argv = ["forward", "rf", "--model", str(path), "--gauss-rad-s", "2.5", "--dt-s", "0.1",
            "--npts", "300", "--shift-s", "5"]
    if not any(a.startswith("--ray") or a.startswith("--slow") for a in args):
        argv += ["--ray-parameter-s-km", "0.06"]
    assert main(argv + args) == 2
    assert re.search(match, capsys.readouterr().err)


@pytest.mark.parametrize("old, new", [("--gauss", "--gauss-rad-s"), ("--dt", "--dt-s")])
def test_forward_rf_refuses_a_former_option_naming_its_replacement(tmp_path, capsys, old, new):
    path = _model_csv(tmp_path / "m.csv", *CRUST)
    argv = ["forward", "rf", "--model", str(path), "--gauss-rad-s", "2.5", "--dt-s", "0.1",
            "--npts", "300", "--shift-s", "5", "--ray-parameter-s-km", "0.06",
            "--out", str(tmp_path / "rf.csv")]
    argv[argv.index(new)] = old
    assert main(argv) == 2
    assert f"{old}: renamed; use {new}" in capsys.readouterr().err
    assert not (tmp_path / "rf.csv").exists()


def test_forward_rf_names_the_needed_length(tmp_path, capsys):
    from bayesjoint.physics.rf import ps_delay_s, required_npts

    path = _model_csv(tmp_path / "m.csv", *CRUST)
    need = required_npts(0.1, 5.0, ps_delay_s([35.0], CRUST[1], CRUST[2], 0.06), 2.5)
    assert _forward(path, "--ray-parameter-s-km", "0.06", "--npts", str(need - 1)) != 0
    assert f"npts >= {need}" in capsys.readouterr().err
    argv = ["forward", "rf", "--model", str(path), "--gauss-rad-s", "2.5", "--dt-s", "0.1",
            "--npts", str(need), "--shift-s", "5", "--ray-parameter-s-km", "0.06"]
    assert main(argv) == 0


def test_run_config_with_rf_csv(tmp_path):
    out = tmp_path / "synthetic.csv"
    model = _model_csv(tmp_path / "m.csv", [0.0, 10.0, 30.0], [5.5, 6.5, 8.0],
                       [3.2, 3.7, 4.5], [2.6, 2.9, 3.3])
    assert main(["forward", "rf", "--model", str(model), "--ray-parameter-s-km", "0.06",
                 "--gauss-rad-s", "2.5", "--dt-s", "0.2", "--npts", "100", "--shift-s", "4",
                 "--out", str(out)]) == 0
    (tmp_path / "run.toml").write_text(
        '[output]\ndir = "res"\n'
        '[[data]]\ntype = "rf"\nfile = "synthetic.csv"\nray_parameter_s_km = 0.06\n'
        'gauss_rad_s = 2.5\nstd = 0.02\ncorrelation = "exponential"\n'
        'correlation_s_bounds = [0.1, 1.0]\n'
        '[prior]\nn_layers = 4\ndepth_max_km = 40.0\nfirst_interface_km = 5.0\n'
        'vs_km_s_min = 2.8\nvs_km_s_max = 5.0\n'
        '[sampler]\nn_chains = 1\nn_burn = 20\nn_iterations = 40\nprogress_bar = false\n'
        'max_tree_depth = 4\n'
        '[summary]\nn_depths = 20\n')
    assert main(["run", str(tmp_path / "run.toml")]) == 0
    for name in ("summary.json", "posterior.nc", "profile.png", "datafit.png", "report.md",
                 "report.html"):
        assert (tmp_path / "res" / name).exists(), name
