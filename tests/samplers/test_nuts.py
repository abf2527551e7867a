"""NUTS on a problem with a known posterior: the MT half-space.

For a uniform half-space, log10 rho_a = -log10 sigma at every period and the
phase is 45 deg whatever sigma is. With Gaussian errors on log10 rho_a and
a uniform prior much wider than the likelihood, the posterior of
m = log10 sigma is Gaussian with

    mean = -sum(w_i d_i) / sum(w_i),   std = 1 / sqrt(sum(w_i)),   w_i = 1 / s_i^2

(d_i the observed log10 rho_a, s_i their standard deviations).
"""

import numpy as np
import pytest

import bayesjoint  # noqa: F401
from bayesjoint.data import MTData
from bayesjoint.model.joint import build_model
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers.nuts import NUTSConfig, run_nuts
from bayesjoint.summaries.diagnostics import convergence


def test_half_space_posterior_matches_the_analytic_one():
    rng = np.random.default_rng(11)
    period = np.logspace(-1, 3, 12)
    true_m = -1.7
    log_std = np.full(period.size, 0.05)
    phase_std = np.full(period.size, 1.0)
    d = -true_m + rng.normal(size=period.size) * log_std
    phase = 45.0 + rng.normal(size=period.size) * phase_std
    data = MTData.from_rho_phase(period, 10.0**d, phase, log10_rho_a_std=log_std,
                                 phase_std_deg=phase_std)
    spec = PriorSpec(n_layers=1, log10_sigma_min=-4.0, log10_sigma_max=2.0,
                     hierarchical_noise=False)
    w = 1.0 / log_std**2
    mean = -np.sum(w * d) / np.sum(w)
    std = 1.0 / np.sqrt(np.sum(w))

    config = NUTSConfig(num_chains=4, num_warmup=500, num_samples=2000, seed=3,
                        chain_method="vectorized", progress_bar=False)
    mcmc = run_nuts(build_model([data], spec), config)
    m = np.asarray(mcmc.get_samples(group_by_chain=True)["log10_sigma"])[..., 0]
    table = convergence({"m": m, "m2": (m - mean) ** 2})
    ess = table["m"]["ess_bulk_min"]
    assert table["m"]["rhat_max"] < 1.01
    # Monte Carlo standard errors of the mean and of the standard deviation
    # (the latter from the ESS of the squared deviation, var(s) ~ var(dev^2) / (4 s^2 n)).
    mcse_mean = m.std() / np.sqrt(ess)
    dev2 = (m - mean) ** 2
    mcse_std = dev2.std() / (2 * std * np.sqrt(table["m2"]["ess_bulk_min"]))
    assert abs(m.mean() - mean) < 4 * mcse_mean
    assert abs(m.std() - std) < 4 * mcse_std


@pytest.mark.parametrize("kwargs, match", [
    (dict(num_chains=0), "num_chains = 0"),
    (dict(num_warmup=-1), "num_warmup = -1"),
    (dict(chain_method="threads"), "chain_method = 'threads'"),
    (dict(target_accept_prob=1.0), "target_accept_prob"),
])
def test_bad_nuts_config(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NUTSConfig(**kwargs)


def _toy_model():
    import numpyro
    import numpyro.distributions as dist

    numpyro.sample("x", dist.Normal(1.0, 2.0).expand([3]))


def test_segments_resume_equals_uninterrupted_run(tmp_path):
    from bayesjoint.samplers.nuts import run_nuts_segments

    config = NUTSConfig(num_chains=2, num_warmup=50, num_samples=60, segment_size=20, seed=5,
                        progress_bar=False)
    full, full_extra = run_nuts_segments(_toy_model, config, tmp_path / "a")
    assert full["x"].shape == (2, 60, 3) and full_extra["diverging"].shape == (2, 60)

    # Stop after the first segment, then resume to the full length.
    part = tmp_path / "b"
    run_nuts_segments(_toy_model, NUTSConfig(**{**config.__dict__, "num_samples": 20}), part)
    resumed, resumed_extra = run_nuts_segments(_toy_model, config, part, resume=True)
    np.testing.assert_array_equal(resumed["x"], full["x"])
    np.testing.assert_array_equal(resumed_extra["num_steps"], full_extra["num_steps"])

    with pytest.raises(ValueError, match="already holds a run"):
        run_nuts_segments(_toy_model, config, part)
    other = NUTSConfig(**{**config.__dict__, "seed": 6, "max_tree_depth": 5})
    with pytest.raises(ValueError, match="max_tree_depth: stored 8, given 5; seed: stored 5, "
                                         "given 6"):
        run_nuts_segments(_toy_model, other, part, resume=True)


def test_nuts_run_killed_between_segment_and_manifest_resumes_exactly(tmp_path, monkeypatch):
    """A segment on disk that the manifest does not list yet is written again, identically."""
    from bayesjoint.samplers import store
    from bayesjoint.samplers.nuts import run_nuts_segments

    config = NUTSConfig(num_chains=2, num_warmup=30, num_samples=30, segment_size=10, seed=2,
                        chain_method="sequential", progress_bar=False)
    full, _ = run_nuts_segments(_toy_model, config, tmp_path / "full")
    write_manifest = store.RunFolder.write_manifest
    calls = []

    def killed_on_second(folder, manifest):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        write_manifest(folder, manifest)

    monkeypatch.setattr(store.RunFolder, "write_manifest", killed_on_second)
    with pytest.raises(KeyboardInterrupt):
        run_nuts_segments(_toy_model, config, tmp_path / "killed")
    monkeypatch.undo()
    assert (tmp_path / "killed" / "nuts_segment_00001.npz").exists()
    resumed, _ = run_nuts_segments(_toy_model, config, tmp_path / "killed", resume=True)
    np.testing.assert_array_equal(resumed["x"], full["x"])


def test_nuts_run_folder_holds_no_pickle(tmp_path):
    """Every file loads without pickle: npz archives of plain arrays and JSON."""
    import json

    from bayesjoint.samplers.nuts import run_nuts_segments

    config = NUTSConfig(num_chains=2, num_warmup=10, num_samples=10, seed=1, progress_bar=False)
    run_nuts_segments(_toy_model, config, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["nuts_manifest.json", "nuts_segment_00000.npz"]
    json.loads((tmp_path / "nuts_manifest.json").read_text())
    with np.load(tmp_path / "nuts_segment_00000.npz", allow_pickle=False) as npz:
        for name in npz.files:
            assert npz[name].dtype != object


def test_nuts_run_extends_without_segment_size(tmp_path):
    """Raising num_samples extends a finished run by segments of its first length."""
    from bayesjoint.samplers.nuts import run_nuts_segments

    config = NUTSConfig(num_chains=1, num_warmup=20, num_samples=30, seed=4, progress_bar=False)
    full, _ = run_nuts_segments(_toy_model, config, tmp_path / "one")
    short = NUTSConfig(**{**config.__dict__, "num_samples": 10})
    run_nuts_segments(_toy_model, short, tmp_path / "grown")
    grown, _ = run_nuts_segments(_toy_model, config, tmp_path / "grown", resume=True)
    np.testing.assert_array_equal(grown["x"], full["x"])
    with pytest.raises(ValueError, match="num_samples = 35: the run .* grows by whole segments "
                                         "of 10 draws"):
        run_nuts_segments(_toy_model, NUTSConfig(**{**config.__dict__, "num_samples": 35}),
                          tmp_path / "grown", resume=True)


def test_bad_segment_size():
    with pytest.raises(ValueError, match="segment_size = 7"):
        NUTSConfig(num_samples=20, segment_size=7)
