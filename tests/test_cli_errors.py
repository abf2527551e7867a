"""Bad input ends in one line on stderr and exit status 2; ``--debug`` shows the traceback."""

import os
import subprocess
import sys

import pytest

from bayesjoint.cli import main

CRUST = "top_depth_km,vp_km_s,vs_km_s,rho_g_cm3\n0,6.3,3.6,2.8\n35,8.1,4.5,3.3\n"


def _model_csv(path, text="top_depth_km,sigma_s_per_m\n0,0.01\n100,0.1\n"):
    path.write_text(text)
    return path


def _fails_in_one_line(capsys, argv, *needles, status=2):
    """Run ``main(argv)``; assert the exit status and ONE line on stderr holding every needle."""
    assert main(argv) == status
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "np.float64" not in err, err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


# --- argument errors --------------------------------------------------------

def test_negative_period_list_reaches_the_period_check(tmp_path, capsys):
    model = _model_csv(tmp_path / "m.csv")
    _fails_in_one_line(capsys, ["forward", "mt", "--model", str(model), "--periods-s", "-1,10"],
                       "--periods-s[0] = -1.0: values must be > 0")


def test_negative_scalar_in_scientific_notation_reaches_its_check(tmp_path, capsys):
    model = _model_csv(tmp_path / "m.csv", CRUST)
    _fails_in_one_line(capsys, ["forward", "rf", "--model", str(model),
                                "--gauss-rad-s", "-2.5e0", "--dt-s", "0.1", "--npts", "300",
                                "--shift-s", "5", "--ray-parameter-s-km", "0.06"],
                       "--gauss-rad-s = -2.5: must be")


def test_argument_errors_are_one_line_without_usage(capsys):
    line = _fails_in_one_line(capsys, ["forward", "mt", "--periods-s", "1"],
                              "bayesjoint forward mt: error:", "--model")
    assert "usage" not in line
    _fails_in_one_line(capsys, ["forward", "mt", "--model", "m.csv", "--periods-s", "a,b"],
                       "--periods-s", "expected comma-separated numbers")
    _fails_in_one_line(capsys, ["nonsense"], "invalid choice")


def test_help_still_exits_zero(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    assert "--debug" in capsys.readouterr().out


# --- file and resource problems ---------------------------------------------

def test_missing_model_file(tmp_path, capsys):
    missing = tmp_path / "absent.csv"
    _fails_in_one_line(capsys, ["forward", "mt", "--model", str(missing), "--periods-s", "1"],
                       f"{missing}: no such file")


def test_folder_given_as_model_file(tmp_path, capsys):
    _fails_in_one_line(capsys, ["forward", "mt", "--model", str(tmp_path), "--periods-s", "1"],
                       f"{tmp_path}: is a folder, expected a file")


def test_binary_model_file(tmp_path, capsys):
    model = tmp_path / "m.csv"
    model.write_bytes(bytes(range(256)) * 4)
    _fails_in_one_line(capsys, ["forward", "mt", "--model", str(model), "--periods-s", "1"],
                       f"{model}: not UTF-8 text")


def test_unwritable_output(tmp_path, capsys):
    model = _model_csv(tmp_path / "m.csv")
    out = tmp_path / "no" / "such" / "folder" / "out.csv"
    _fails_in_one_line(capsys, ["forward", "mt", "--model", str(model), "--periods-s", "1",
                                "--out", str(out)], f"{out}: cannot write the output file")
    _fails_in_one_line(capsys, ["forward", "mt", "--model", str(model), "--periods-s", "1",
                                "--out", str(tmp_path)], f"{tmp_path}: cannot write")


def test_rf_npts_beyond_memory_is_refused_before_allocating(tmp_path, capsys):
    model = _model_csv(tmp_path / "m.csv", CRUST)
    line = _fails_in_one_line(capsys, ["forward", "rf", "--model", str(model),
                                       "--gauss-rad-s", "2.5", "--dt-s", "0.1",
                                       "--npts", "2000000000", "--shift-s", "5",
                                       "--ray-parameter-s-km", "0.06"],
                              "--npts = 2000000000 samples", "would need about")
    assert "TiB" in line or "GiB" in line


@pytest.mark.parametrize("name, content, needle", [
    ("site.edi", b">HEAD\n  DATAID=x\n>END\n", "cannot read as an EDI or EMTF-XML"),
    ("site.edi", b"", "cannot read as an EDI or EMTF-XML"),
    ("site.xml", b"<EM_TF><Site>", "cannot read as an EDI or EMTF-XML"),
    ("site.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8 text"),
])
def test_run_with_a_broken_data_file(tmp_path, capsys, name, content, needle):
    (tmp_path / name).write_bytes(content)
    cfg = tmp_path / "run.toml"
    cfg.write_text(f'[[data]]\ntype = "mt"\nfile = "{name}"\n')
    _fails_in_one_line(capsys, ["run", str(cfg)], str(tmp_path / name), needle)


def test_run_with_a_missing_config(tmp_path, capsys):
    _fails_in_one_line(capsys, ["run", str(tmp_path / "absent.toml")],
                       str(tmp_path / "absent.toml"))


# --- warnings and --debug ---------------------------------------------------

def test_implausible_core_warns_in_one_line_per_value(tmp_path, capsys):
    model = _model_csv(tmp_path / "m.csv")  # its last row, the core: 100 km, 0.1 S/m
    assert main(["forward", "dst", "--model", str(model), "--periods-s", "86400,864000"]) == 0
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 2, captured.err
    assert lines[0].startswith("bayesjoint: warning: core_depth_km = 100 km")
    assert lines[1].startswith("bayesjoint: warning: core_sigma_s_per_m = 0.1 S/m")
    assert captured.out.startswith("period_s,q_re")


def test_debug_shows_the_traceback(tmp_path):
    missing = str(tmp_path / "absent.csv")
    argv = [sys.executable, "-m", "bayesjoint.cli", "forward", "mt", "--model", missing,
            "--periods-s", "1"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    quiet = subprocess.run(argv, capture_output=True, text=True, env=env)
    assert quiet.returncode == 2 and quiet.stderr.count("\n") == 1
    loud = subprocess.run(argv + ["--debug"], capture_output=True, text=True, env=env)
    assert loud.returncode != 0
    assert "Traceback" in loud.stderr and "no such file" in loud.stderr


# --- start-up time ----------------------------------------------------------

def test_cli_and_its_parser_import_no_jax():
    code = ("import sys, bayesjoint.cli as c; c._parser(); "
            "heavy = sorted(m for m in ('jax', 'scipy', 'numpyro', 'matplotlib', 'mt_metadata') "
            "if m in sys.modules); print(heavy)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout
    assert out.strip() == "[]"


def test_importing_the_package_keeps_float64():
    code = ("import bayesjoint, sys; assert 'jax' not in sys.modules; "
            "import jax.numpy as jnp; print(jnp.ones(1).dtype)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    env.pop("JAX_ENABLE_X64", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout
    assert out.strip() == "float64"


def test_run_with_a_value_of_the_wrong_type(tmp_path, capsys):
    (tmp_path / "rf.csv").write_text("time_s,rf\n0,1\n0.1,0.5\n")
    cfg = tmp_path / "run.toml"
    cfg.write_text('[[data]]\ntype = "rf"\nfile = "rf.csv"\ngauss_rad_s = [2.5]\nstd = 0.01\n'
                   'ray_parameter_s_km = 0.06\n')
    _fails_in_one_line(capsys, ["run", str(cfg)], str(cfg), "gauss_rad_s = [2.5]",
                       "must be a number")
