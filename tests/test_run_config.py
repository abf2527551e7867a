"""`bayesjoint run` with both samplers, configuration validation, resume."""

import json

import numpy as np
import pytest

import bayesjoint  # noqa: F401
from bayesjoint.cli import main
from bayesjoint.datasets import synthetic_mt
from bayesjoint.earth import LayeredEarth
from bayesjoint.io.config import parse_config
from bayesjoint.io.csv_files import write_mt_csv

TRUE_TOP_KM = [0.0, 15.0, 60.0]
TRUE_SIGMA = [0.001, 0.05, 0.005]


@pytest.fixture()
def mt_files(tmp_path):
    truth = LayeredEarth.from_layers(TRUE_TOP_KM, TRUE_SIGMA)
    write_mt_csv(tmp_path / "mt.csv", synthetic_mt(truth, np.logspace(0, np.log10(7200), 20)))
    rows = "\n".join(f"{a},{b}" for a, b in zip(TRUE_TOP_KM, TRUE_SIGMA))
    (tmp_path / "truth.csv").write_text("top_depth_km,sigma_s_per_m\n" + rows + "\n")
    return tmp_path


RJ_CONFIG = """
[output]
dir = "out"
[[data]]
type = "mt"
file = "mt.csv"
[prior]
interfaces = "sampled"
k_min = 1
k_max = 8
depth_max_km = 300.0
min_thickness_km = 5.0
[sampler]
method = "rjmcmc"
n_iterations = {n_iterations}
n_burn = 2000
n_chains = 2
thin = 10
chunk_size = 1000
progress_bar = false
[truth]
model = "truth.csv"
"""


def test_rjmcmc_run_writes_results_and_resumes(mt_files, capsys):
    cfg = mt_files / "run.toml"
    cfg.write_text(RJ_CONFIG.format(n_iterations=4000))
    assert main(["run", str(cfg)]) == 0
    out = mt_files / "out"
    for name in ("posterior.nc", "profile.png", "datafit.png", "summary.json"):
        assert (out / name).stat().st_size > 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sampler"] == "rjmcmc"
    p_k = summary["diagnostics"]["n_layers_posterior"]
    assert abs(sum(p_k.values()) - 1.0) < 1e-9
    assert set(summary["diagnostics"]["acceptance_T1"]) == {"birth", "death", "move", "perturb",
                                                            "noise"}
    # Running again into the same folder without --resume is refused...
    assert main(["run", str(cfg)]) == 2
    assert "resume" in capsys.readouterr().err
    # ...and with --resume and more iterations the same chains go on.
    cfg.write_text(RJ_CONFIG.format(n_iterations=5000))
    assert main(["run", str(cfg), "--resume"]) == 0
    summary2 = json.loads((out / "summary.json").read_text())
    assert summary2["settings"]["sampler"]["n_iterations"] == 5000


def _config(**tables):
    raw = {"data": [{"type": "mt", "file": "x.csv"}]}
    raw.update(tables)
    return raw


@pytest.mark.parametrize("raw, match", [
    (_config(prior={"log10_sigma_min": 2.0, "log10_sigma_max": 1.0}),
     r"prior: prior bounds log10_sigma_min = 2.0 and log10_sigma_max = 1.0"),
    (_config(prior={"bogus": 1}), r"prior.bogus: unknown key; allowed keys are"),
    (_config(sampler={"method": "slice"}), r"sampler.method = 'slice': allowed values"),
    (_config(sampler={"method": "rjmcmc", "thin": 0}), r"sampler: thin = 0"),
    (_config(sampler={"method": "rjmcmc", "n_iterations": 1500, "n_burn": 500,
                      "chunk_size": 1000}),
     "must be a multiple of chunk_size"),
    (_config(sampler={"method": "rjmcmc", "n_temperatures": 3, "t_max": 0.5}), "t_max = 0.5"),
    (_config(sampler={"n_chains": 2, "nonsense": True}), "sampler.nonsense: unknown key"),
    (_config(summary={"n_depths": 1}), "summary: n_depths = 1"),
    (_config(output={"folder": "x"}), "output.folder: unknown key"),
    ({"data": [{"type": "gravity", "file": "x"}]}, r"data\[0\].type = 'gravity'"),
    ({"data": [{"type": "mt", "file": "x", "colour": 1}]}, r"data\[0\].colour: unknown key"),
    ({"data": [{"type": "mt"}]}, r"data\[0\].file: missing"),
    ({}, "at least one"),
    ({"data": [{"type": "mt", "file": "x"}], "extra": {}}, "config.extra: unknown key"),
])
def test_bad_configuration(raw, match):
    with pytest.raises(ValueError, match=match):
        parse_config(raw)


def test_configuration_resolves_paths(tmp_path):
    cfg = parse_config(_config(output={"dir": "res"}, sampler={"method": "rjmcmc"}), tmp_path)
    assert cfg.output_dir == tmp_path / "res"
    assert cfg.data[0]["file"] == str(tmp_path / "x.csv")
    assert cfg.sampler_method == "rjmcmc" and cfg.sampler.n_chains == 4


SEPARATE_CONFIG = """
[output]
dir = "out"
[[data]]
type = "mt"
file = "mt.csv"
name = "mt"
[[data]]
type = "rf"
file = "rf.csv"
name = "rf"
ray_parameter_s_km = 0.06
gauss_rad_s = 2.5
std = 0.02
[prior]
interfaces = "sampled"
k_min = 1
k_max = 4
depth_max_km = 60.0
min_thickness_km = 2.0
vs_km_s_min = 2.5
vs_km_s_max = 5.0
[sampler]
method = "rjmcmc"
n_iterations = 600
n_burn = 300
n_chains = 2
thin = 10
chunk_size = 300
progress_bar = false
[joint]
interfaces = "{interfaces}"
"""


def test_separate_interfaces_run_each_group_on_its_own_earth(mt_files):
    from bayesjoint.datasets import synthetic_rf

    truth = LayeredEarth.from_layers([0.0, 35.0], log10_sigma=[-2.0, -2.0], vs_km_s=[3.6, 4.5],
                                     vp_vs=[1.75, 1.8])
    rf = synthetic_rf(truth, [0.06], dt_s=0.1, npts=300, shift_s=5.0, gauss_rad_s=2.5,
                      noise_std=0.02)
    t = np.arange(rf.npts) * rf.dt_s - rf.shift_s
    rows = "\n".join(f"{a:.6f},{b:.10g}" for a, b in zip(t, rf.rf[0]))
    (mt_files / "rf.csv").write_text("time_s,rf\n" + rows + "\n")
    cfg = mt_files / "run.toml"
    cfg.write_text(SEPARATE_CONFIG.format(interfaces="separate"))
    assert main(["run", str(cfg), "--no-report"]) == 0
    for group, names in (("electromagnetic", ["mt"]), ("seismic", ["rf"])):
        summary = json.loads((mt_files / "out" / group / "summary.json").read_text())
        assert [d["name"] for d in summary["datasets"]] == names
        assert summary["settings"]["interfaces"] == "separate"
    assert "perturb_vs" not in json.loads(
        (mt_files / "out" / "electromagnetic" / "summary.json").read_text()
    )["diagnostics"]["acceptance_T1"]
    cfg.write_text(SEPARATE_CONFIG.format(interfaces="sideways"))
    assert main(["run", str(cfg)]) == 2
