"""``bayesjoint forward dst | sq`` and ``bayesjoint run`` on Dst data."""

import json
import re

import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.cli import main
from bayesjoint.datasets import (REFERENCE_CORE_DEPTH_KM, REFERENCE_CORE_SIGMA_S_PER_M,
                                 REFERENCE_SIGMA_S_PER_M, REFERENCE_TOP_DEPTH_KM, synthetic_dst)
from bayesjoint.earth import LayeredEarth
from bayesjoint.io.geomag_files import write_dst_csv
from bayesjoint.physics import geomag, sphere

DAY_S = 86400.0


def _read(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    return header, np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


@pytest.fixture
def model_csv(tmp_path):
    """The reference mantle with the core as the last row."""
    path = tmp_path / "model.csv"
    rows = zip(np.append(REFERENCE_TOP_DEPTH_KM, REFERENCE_CORE_DEPTH_KM),
               np.append(REFERENCE_SIGMA_S_PER_M, REFERENCE_CORE_SIGMA_S_PER_M))
    lines = "".join(f"{float(z)!r},{float(s)!r}\n" for z, s in rows)
    path.write_text("top_depth_km,sigma_s_per_m\n" + lines)
    return path


def _stack():
    tops = np.append(REFERENCE_TOP_DEPTH_KM, REFERENCE_CORE_DEPTH_KM)
    return np.diff(tops) * 1e3, np.append(REFERENCE_SIGMA_S_PER_M, REFERENCE_CORE_SIGMA_S_PER_M)


def test_forward_dst(model_csv, tmp_path):
    out = tmp_path / "dst.csv"
    periods = DAY_S * np.array([2.0, 10.0, 100.0])
    rc = main(["forward", "dst", "--model", str(model_csv), "--periods-s",
               ",".join(repr(float(p)) for p in periods), "--shell-law", "constant", "--out", str(out)])
    assert rc == 0
    header, v = _read(out)
    assert header == ["period_s", "q_re", "q_im", "c_re_km", "c_im_km"]
    q = sphere.q_response(periods, *_stack(), degree=1, shell_law="constant")
    c = sphere.c_response_km(periods, *_stack(), degree=1, shell_law="constant")
    np.testing.assert_allclose(v[:, 1] + 1j * v[:, 2], q, rtol=1e-12)
    np.testing.assert_allclose(v[:, 3] + 1j * v[:, 4], c, rtol=1e-10)
    assert np.all(v[:, 2] > 0) and np.all(v[:, 4] < 0)


def test_forward_sq(model_csv, tmp_path):
    out = tmp_path / "sq.csv"
    rc = main(["forward", "sq", "--model", str(model_csv), "--periods-s", "43200,28800",
               "--n", "3", "--m", "2", "--colat-deg", "57.923", "--lon-deg", "249.167",
               "--out", str(out)])
    assert rc == 0
    header, v = _read(out)
    assert header == ["period_s", "t_re", "t_im"]
    t = geomag.sq_transfer_function(np.array([43200.0, 28800.0]), *_stack(), 3, 2, 57.923,
                                    249.167)
    np.testing.assert_allclose(v[:, 1] + 1j * v[:, 2], t, rtol=1e-12)


def test_forward_dst_to_stdout(model_csv, capsys):
    assert main(["forward", "dst", "--model", str(model_csv), "--periods-s", "86400"]) == 0
    assert capsys.readouterr().out.startswith("period_s,q_re,q_im,c_re_km,c_im_km")


SQ_ARGS = ["--n", "3", "--m", "2", "--colat-deg", "57.923", "--lon-deg", "249.167"]


@pytest.mark.parametrize("physics, extra, message", [
    ("dst", ["--periods-s", "60,86400"], r"--periods-s\[0\] = 60.0 s: outside the stable range"),
    ("dst", ["--periods-s", "1e9"], "1 year"),
    ("dst", ["--periods-s", "0,86400"], r"--periods-s\[0\] = 0.0: values must be > 0"),
    ("dst", ["--periods-s", "86400", "--degree", "0"], "degree = 0"),
    ("sq", ["--periods-s", "-43200"] + SQ_ARGS, r"--periods-s\[0\] = -43200.0"),
    ("sq", ["--periods-s", "600"] + SQ_ARGS, "1 hour"),
    ("sq", ["--periods-s", "43200", "--n", "2", "--m", "3", "--colat-deg", "50",
            "--lon-deg", "0"], r"m\[0\] = 3 with n = 2: order must satisfy \|m\| <= n"),
    ("sq", ["--periods-s", "43200", "--n", "0", "--m", "0", "--colat-deg", "50",
            "--lon-deg", "0"], r"n\[0\] = 0: degree must satisfy"),
    ("sq", ["--periods-s", "43200", "--n", "3", "--m", "2", "--colat-deg", "180",
            "--lon-deg", "0"], r"colat_deg = 180.0: colatitude must lie in \(0, 180\)"),
])
def test_forward_bad_input(model_csv, capsys, physics, extra, message):
    assert main(["forward", physics, "--model", str(model_csv)] + extra) == 2
    err = capsys.readouterr().err
    assert err.startswith("bayesjoint: error:")
    assert re.search(message, err), err


def test_forward_negative_conductivity(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("top_depth_km,sigma_s_per_m\n0,0.01\n400,-0.1\n2890,5e5\n")
    assert main(["forward", "dst", "--model", str(path), "--periods-s", "86400"]) == 2
    assert "sigma_s_per_m[1] = -0.1: conductivity must be finite and > 0" in capsys.readouterr().err


def test_forward_model_needs_a_core_row(tmp_path, capsys):
    path = tmp_path / "one.csv"
    path.write_text("top_depth_km,sigma_s_per_m\n0,0.01\n")
    assert main(["forward", "sq", "--model", str(path), "--periods-s", "43200"] + SQ_ARGS) == 2
    assert "needs at least two rows, the shells and the core (last row)" in capsys.readouterr().err


def test_run_config_on_dst_csv(tmp_path, capsys):
    truth = LayeredEarth.from_layers([0.0, 400.0, 700.0], [0.01, 0.1, 1.0])
    data = synthetic_dst(truth, DAY_S * np.logspace(np.log10(2.0), 2.0, 8), seed=3)
    write_dst_csv(tmp_path / "dst.csv", data)
    (tmp_path / "truth.csv").write_text("top_depth_km,sigma_s_per_m\n0,0.01\n400,0.1\n700,1\n")
    (tmp_path / "run.toml").write_text(
        '[output]\ndir = "out"\n\n'
        '[[data]]\ntype = "dst"\nfile = "dst.csv"\nname = "dst"\nshell_law = "quadratic"\n'
        'core_depth_km = 2890.0\n\n'
        '[prior]\nn_layers = 4\ndepth_max_km = 1500.0\nfirst_interface_km = 200.0\n\n'
        '[sampler]\nn_chains = 1\nn_burn = 30\nn_iterations = 60\nprogress_bar = false\n\n'
        '[summary]\nn_depths = 30\n\n[truth]\nmodel = "truth.csv"\n')
    assert main(["run", str(tmp_path / "run.toml")]) == 0
    out = tmp_path / "out"
    for name in ("posterior.nc", "summary.json", "profile.png", "datafit.png"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["coverage_of_truth_90"] is not None
    assert "wrote posterior.nc" in capsys.readouterr().out


def test_run_config_rejects_unknown_dst_key(tmp_path, capsys):
    (tmp_path / "run.toml").write_text('[[data]]\ntype = "dst"\nfile = "d.csv"\ncolat_deg = 5\n')
    assert main(["run", str(tmp_path / "run.toml")]) == 2
    assert "data[0].colat_deg: unknown key" in capsys.readouterr().err
