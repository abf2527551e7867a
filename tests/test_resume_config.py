"""A resume must match the stored configuration (prior, data, settings); only the length grows."""

import json

import numpy as np
import pytest

import bayesjoint  # noqa: F401
from bayesjoint.cli import main
from bayesjoint.datasets import synthetic_mt
from bayesjoint.earth import LayeredEarth
from bayesjoint.io.config import load_config
from bayesjoint.io.csv_files import write_mt_csv
from bayesjoint.io.datasets import load_dataset
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers.config import RJMCMCConfig
from bayesjoint.samplers.nuts import NUTSConfig
from bayesjoint.workflow import (RUN_CONFIG, configuration_differences, dataset_sha256,
                                 invert, run_configuration)

TRUTH = LayeredEarth.from_layers([0.0, 20.0, 80.0], [0.001, 0.05, 0.005])

NUTS_CONFIG = """
[output]
dir = "out"
[[data]]
type = "mt"
file = "{file}"
[prior]
n_layers = {n_layers}
depth_max_km = 200.0
first_interface_km = 5.0
log10_sigma_min = {sigma_min}
[sampler]
method = "nuts"
n_chains = 1
n_burn = 15
n_iterations = 25
progress_bar = false
"""


def _mt(period_s, seed=0):
    return synthetic_mt(TRUTH, period_s, seed=seed)


@pytest.fixture()
def folder(tmp_path):
    write_mt_csv(tmp_path / "mt.csv", _mt(np.logspace(0, 3, 8)))
    return tmp_path


def _write(folder, file="mt.csv", n_layers=3, sigma_min=-4.0):
    cfg = folder / "run.toml"
    cfg.write_text(NUTS_CONFIG.format(file=file, n_layers=n_layers, sigma_min=sigma_min))
    return str(cfg)


def _store_configuration(folder, cfg_path):
    """Leave in the output folder the configuration that ``bayesjoint run`` stores."""
    config = load_config(cfg_path)
    stored = run_configuration([load_dataset(e) for e in config.data], config.prior,
                               config.sampler, sources=config.data,
                               depth_max_km=config.summary.depth_max_km,
                               n_depths=config.summary.n_depths)
    chains = config.output_dir / "chains"
    chains.mkdir(parents=True)
    (chains / RUN_CONFIG).write_text(json.dumps(stored))


def test_cli_resume_refuses_a_changed_prior(folder, capsys):
    _store_configuration(folder, _write(folder))
    assert main(["run", _write(folder, n_layers=12, sigma_min=-3.0), "--resume",
                 "--no-report"]) == 2
    err = capsys.readouterr().err
    assert "prior.n_layers: 3 -> 12" in err and "prior.log10_sigma_min: -4.0 -> -3.0" in err
    assert "np.float64" not in err
    assert not (folder / "out" / "summary.json").exists()


@pytest.mark.slow
def test_nuts_resume_refuses_a_changed_prior_or_data(folder, capsys):
    assert main(["run", _write(folder), "--no-report"]) == 0
    stored = json.loads((folder / "out" / "chains" / "run_config.json").read_text())
    assert stored["prior"]["n_layers"] == 3
    assert stored["datasets"][0]["source"]["file"] == str(folder / "mt.csv")
    summary_before = (folder / "out" / "summary.json").read_text()
    capsys.readouterr()

    # a changed prior
    assert main(["run", _write(folder, n_layers=4, sigma_min=-3.0), "--resume",
                 "--no-report"]) == 2
    err = capsys.readouterr().err
    assert "prior.n_layers: 3 -> 4" in err and "prior.log10_sigma_min: -4.0 -> -3.0" in err
    assert "np.float64" not in err and "resume=True" not in err
    # a data file with other content under the same name
    write_mt_csv(folder / "mt.csv", _mt(np.logspace(0, 3, 8), seed=1))
    assert main(["run", _write(folder), "--resume", "--no-report"]) == 2
    assert "datasets[0].sha256: the content differs" in capsys.readouterr().err
    # the same content read from another path
    write_mt_csv(folder / "mt.csv", _mt(np.logspace(0, 3, 8)))
    write_mt_csv(folder / "copy.csv", _mt(np.logspace(0, 3, 8)))
    assert main(["run", _write(folder, file="copy.csv"), "--resume", "--no-report"]) == 2
    err = capsys.readouterr().err
    assert "datasets[0].source.file" in err and "copy.csv" in err and "sha256" not in err
    # nothing was rewritten by the refused runs
    assert (folder / "out" / "summary.json").read_text() == summary_before
    # the unchanged configuration resumes
    assert main(["run", _write(folder), "--resume", "--no-report"]) == 0


def _rj_config(**changes):
    return RJMCMCConfig(**{**dict(n_iterations=2000, n_burn=1000, chunk_size=500, thin=10,
                                  progress_bar=False), **changes})


def test_rjmcmc_configuration_differences():
    data = [_mt(np.logspace(0, 3, 8))]
    spec = PriorSpec(interfaces="sampled", k_min=1, k_max=8, depth_max_km=300.0)
    stored = run_configuration(data, spec, _rj_config(), sources=[{"file": "/d/mt.csv"}])
    same = run_configuration(data, spec, _rj_config(n_iterations=4000, progress_bar=True),
                             sources=[{"file": "/d/mt.csv"}])
    assert configuration_differences(stored, same) == []
    shorter = run_configuration(data, spec, _rj_config(n_iterations=1500),
                                sources=[{"file": "/d/mt.csv"}])
    assert configuration_differences(stored, shorter) == [
        "sampler.n_iterations: 2000 -> 1500 (the run length may grow, not shrink)"]
    changed = run_configuration(
        [_mt(np.logspace(0, 3, 9))], PriorSpec(interfaces="sampled", k_min=1, k_max=12,
                                               depth_max_km=300.0),
        _rj_config(n_burn=500, seed=3), sources=[{"file": "/d/other.csv"}])
    diff = configuration_differences(stored, changed)
    joined = "; ".join(diff)
    for text in ("prior.k_max: 8 -> 12", "sampler.n_burn: 1000 -> 500", "sampler.seed: 0 -> 3",
                 'datasets[0].source.file: "/d/mt.csv" -> "/d/other.csv"',
                 "datasets[0].n_data: 16 -> 18", "datasets[0].sha256: the content differs"):
        assert text in joined
    assert len(diff) == 6


def test_dataset_hash_sees_values_std_and_survey():
    base = _mt(np.logspace(0, 3, 8))
    assert dataset_sha256(base) == dataset_sha256(_mt(np.logspace(0, 3, 8)))
    assert dataset_sha256(base) != dataset_sha256(_mt(np.logspace(0, 3, 8), seed=2))
    assert dataset_sha256(base) != dataset_sha256(synthetic_mt(TRUTH, np.logspace(0, 3, 8),
                                                               rel_error=0.05))
    assert dataset_sha256(base) != dataset_sha256(_mt(np.logspace(0.1, 3, 8)))


def test_workflow_resume_refused_before_sampling(tmp_path):
    """A mismatched resume stops before any sampling, with both samplers."""
    data = [_mt(np.logspace(0, 3, 8))]
    spec = PriorSpec(interfaces="sampled", k_min=1, k_max=8, depth_max_km=300.0)
    chains = tmp_path / "chains"
    chains.mkdir()
    stored = run_configuration(data, spec, _rj_config())
    (chains / "run_config.json").write_text(json.dumps(stored))
    with pytest.raises(ValueError, match=r"prior.k_max: 8 -> 9"):
        invert(data, PriorSpec(interfaces="sampled", k_min=1, k_max=9, depth_max_km=300.0),
               _rj_config(), tmp_path, resume=True)
    with pytest.raises(ValueError, match=r'sampler_method: "rjmcmc" -> "nuts"'):
        invert(data, spec, NUTSConfig(progress_bar=False), tmp_path, resume=True)
    with pytest.raises(ValueError, match="already holds a run"):
        invert(data, spec, _rj_config(), tmp_path)
    assert sorted(p.name for p in chains.iterdir()) == ["run_config.json"]


@pytest.mark.slow
def test_nuts_run_grows_when_resumed_with_more_samples(tmp_path):
    """The longer run the stored configuration allows is one the sampler accepts."""
    from bayesjoint.samplers.nuts import load_nuts_segments

    data = [_mt(np.logspace(0, 3, 8))]
    spec = PriorSpec(n_layers=2, depth_max_km=200.0, first_interface_km=5.0)
    short = NUTSConfig(n_chains=1, n_burn=15, n_iterations=25, progress_bar=False)
    invert(data, spec, short, tmp_path)
    first, _ = load_nuts_segments(tmp_path / "chains")
    invert(data, spec, NUTSConfig(**{**short.__dict__, "n_iterations": 35}), tmp_path,
           resume=True)
    grown, _ = load_nuts_segments(tmp_path / "chains")
    assert grown["log10_sigma"].shape[:2] == (1, 20)
    np.testing.assert_array_equal(grown["log10_sigma"][:, :10], first["log10_sigma"])
    stored = json.loads((tmp_path / "chains" / RUN_CONFIG).read_text())
    assert stored["sampler"]["n_iterations"] == 35
