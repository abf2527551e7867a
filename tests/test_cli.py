import json
import re

import numpy as np
import pytest

from bayesjoint.cli import main


def _model_csv(path, rows):
    path.write_text("top_depth_km,sigma_s_per_m\n" + "\n".join(f"{a},{b}" for a, b in rows) + "\n")
    return path


def _read_csv(path):
    return np.genfromtxt(path, delimiter=",", names=True)


def test_forward_mt_half_space_is_exact(tmp_path):
    model = _model_csv(tmp_path / "m.csv", [(0, 0.02)])
    out = tmp_path / "out.csv"
    assert main(["forward", "mt", "--model", str(model), "--periods-s", "0.01,1,100,1e4",
                 "--out", str(out)]) == 0
    t = _read_csv(out)
    assert list(t.dtype.names) == ["period_s", "z_re_ohm", "z_im_ohm", "rho_a_ohm_m", "phase_deg"]
    np.testing.assert_allclose(t["rho_a_ohm_m"], 50.0, rtol=1e-9)
    np.testing.assert_allclose(t["phase_deg"], 45.0, rtol=0, atol=1e-9)


def test_forward_mt_to_stdout(tmp_path, capsys):
    model = _model_csv(tmp_path / "m.csv", [(0, 0.01), (10, 1.0), (50, 0.1)])
    assert main(["forward", "mt", "--model", str(model), "--periods-s", "1,10"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "period_s,z_re_ohm,z_im_ohm,rho_a_ohm_m,phase_deg" and len(lines) == 3


@pytest.mark.parametrize("rows, match", [
    ([(5, 0.1), (10, 0.1)], "must start at 0 km"),
    ([(0, 0.1), (10, 0.1), (10, 1.0)], "increase strictly"),
    ([(0, 0.1), (10, -1.0)], "sigma_s_per_m"),
])
def test_forward_mt_bad_model(tmp_path, capsys, rows, match):
    model = _model_csv(tmp_path / "m.csv", rows)
    assert main(["forward", "mt", "--model", str(model), "--periods-s", "1"]) == 2
    assert re.search(match, capsys.readouterr().err)


def test_forward_mt_bad_periods(tmp_path, capsys):
    model = _model_csv(tmp_path / "m.csv", [(0, 0.1)])
    assert main(["forward", "mt", "--model", str(model), "--periods-s", "1,-2"]) == 2
    assert "--periods-s[1] = -2.0: values must be > 0" in capsys.readouterr().err


def test_run_rejects_unknown_keys(tmp_path, capsys):
    cfg = tmp_path / "run.toml"
    cfg.write_text('[[data]]\ntype = "mt"\nfile = "x.csv"\n[prior]\nn_layer = 3\n')
    assert main(["run", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "prior.n_layer: unknown key" in err and "n_layers" in err


def test_mt_demo_quick_recovers_the_truth(tmp_path):
    """The quick MT demo (NUTS) writes its files and covers the true model.

    Criterion: at the depth-grid points that the data resolve (90 % interval
    narrower than one decade of conductivity), the true model lies inside
    the 90 % interval at >= 80 % of them, and the resolved range reaches at
    least 200 km (MT periods up to 7200 s).
    """
    out = tmp_path / "demo"
    assert main(["demo", "--quick", "--data", "mt", "--sampler", "nuts", "--out", str(out)]) == 0
    for name in ("posterior.nc", "profile.png", "datafit.png", "summary.json"):
        assert (out / name).stat().st_size > 0
    summary = json.loads((out / "summary.json").read_text())
    cov = summary["coverage_of_truth_90"]["log10_sigma"]
    assert cov["resolved_depths"] >= 0.8
    assert summary["resolved_depth_range_km"]["log10_sigma"][1] >= 200.0
    # A quick run is short of the criterion on any machine; its summary must say so with
    # the R-hat it measured (no threshold on that R-hat: its value follows the machine's
    # floating point through NUTS's trajectories)
    rhat = summary["diagnostics"]["worst"]["rhat_max"]
    assert np.isfinite(rhat)
    if rhat > 1.01:
        assert not summary["converged"]
        assert f"max R-hat {rhat:.3f}" in summary["verdict"]["headline"]

    import arviz as az

    tree = az.from_netcdf(out / "posterior.nc")
    assert {"posterior", "profile", "observed_data"} <= set(tree.children)


@pytest.mark.slow
def test_joint_demo_quick(tmp_path):
    """The main job: joint MT + Sq + Dst, trans-dimensional, quick settings
    (about two minutes on two idle cores: slow; the run-configuration tests
    cover the same path with small runs).

    Criterion: the files exist, p(k) is a distribution over 2-30 layers,
    the resolved range reaches below 600 km (Sq and Dst see deeper than MT),
    and the truth lies inside the 90 % interval at >= 85 % of the resolved
    depths.
    """
    out = tmp_path / "joint"
    assert main(["demo", "--quick", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sampler"] == "rjmcmc"
    assert [d["type"] for d in summary["datasets"]] == ["MTData", "SqData", "DstData"]
    p_k = {int(k): v for k, v in summary["diagnostics"]["n_layers_posterior"].items()}
    assert abs(sum(p_k.values()) - 1) < 1e-9 and min(p_k) >= 2 and max(p_k) <= 30
    assert summary["resolved_depth_range_km"]["log10_sigma"][1] > 600.0
    assert summary["coverage_of_truth_90"]["log10_sigma"]["resolved_depths"] >= 0.85
