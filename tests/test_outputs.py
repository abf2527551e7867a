"""Output folders: no silent overwriting, no stale files beside newer ones."""

import json

import numpy as np
import pytest

import bayesjoint  # noqa: F401
from bayesjoint.cli import main
from bayesjoint.commands.output import prepare_output_folder
from bayesjoint.datasets import synthetic_mt
from bayesjoint.earth import LayeredEarth
from bayesjoint.io.csv_files import write_mt_csv

CONFIG = """
[output]
dir = "out"
[[data]]
type = "mt"
file = "mt.csv"
[prior]
n_layers = 3
depth_max_km = 200.0
first_interface_km = 5.0
[sampler]
method = "nuts"
n_chains = 1
n_burn = 15
n_iterations = 25
progress_bar = false
"""


def _earlier_run(folder):
    """A folder with the files an earlier run and its report leave."""
    for name in ("summary.json", "posterior.nc", "profile.png", "datafit.png", "report.md",
                 "report.html", "residuals.png", "chains/run_config.json",
                 "seismic/summary.json", "seismic/chains/manifest.json"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("earlier")
    return folder


def test_demo_refuses_a_non_empty_folder(tmp_path, capsys):
    out = _earlier_run(tmp_path / "demo")
    assert main(["demo", "--quick", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "is not empty" in err and "--overwrite" in err and "--resume" not in err
    assert (out / "summary.json").read_text() == "earlier"


def test_overwrite_clears_the_earlier_outputs(tmp_path):
    out = _earlier_run(tmp_path / "out")
    prepare_output_folder(out, overwrite=True)
    assert list(out.iterdir()) == []


def test_overwrite_leaves_other_files_alone(tmp_path, capsys):
    out = _earlier_run(tmp_path / "out")
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="also holds notes.txt"):
        prepare_output_folder(out, overwrite=True)
    assert (out / "notes.txt").exists() and (out / "summary.json").exists()
    assert main(["demo", "--quick", "--out", str(out), "--overwrite"]) == 2
    assert "also holds notes.txt" in capsys.readouterr().err


@pytest.fixture()
def config(tmp_path):
    truth = LayeredEarth.from_layers([0.0, 20.0, 80.0], [0.001, 0.05, 0.005])
    write_mt_csv(tmp_path / "mt.csv", synthetic_mt(truth, np.logspace(0, 3, 8)))
    cfg = tmp_path / "run.toml"
    cfg.write_text(CONFIG)
    return cfg


def test_run_refuses_a_non_empty_folder(config, capsys):
    out = _earlier_run(config.parent / "out")
    assert main(["run", str(config)]) == 2
    err = capsys.readouterr().err
    assert "is not empty" in err and "--resume" in err and "--overwrite" in err
    assert "resume=True" not in err
    assert (out / "summary.json").read_text() == "earlier"
    assert main(["run", str(config), "--resume", "--overwrite"]) == 2  # not allowed together
    assert "--overwrite: not allowed with argument --resume" in capsys.readouterr().err


@pytest.mark.slow
def test_resume_without_report_leaves_no_stale_report(config, capsys):
    out = config.parent / "out"
    assert main(["run", str(config)]) == 0
    assert (out / "report.md").exists() and (out / "report.html").exists()
    (out / "summary.json").write_text(json.dumps({"earlier": True}))
    assert main(["run", str(config), "--resume", "--no-report"]) == 0
    assert "earlier" not in json.loads((out / "summary.json").read_text())
    assert not any((out / name).exists() for name in ("report.md", "report.html",
                                                       "residuals.png"))
