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

    config = NUTSConfig(n_chains=4, n_burn=500, n_iterations=2500, seed=3,
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
    (dict(n_chains=0), "n_chains = 0"),
    (dict(n_burn=-1), "n_burn = -1"),
    (dict(n_burn=1000, n_iterations=1000), "n_burn = 1000: must be smaller than n_iterations"),
    (dict(chain_method="threads"), "chain_method = 'threads'"),
    (dict(target_acceptance=1.0), "target_acceptance = 1.0: must lie in"),
    (dict(thin=True), "thin = True: must be an integer"),
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

    config = NUTSConfig(n_chains=2, n_burn=50, n_iterations=110, chunk_size=20, seed=5,
                        progress_bar=False)
    full, full_extra = run_nuts_segments(_toy_model, config, tmp_path / "a")
    assert full["x"].shape == (2, 60, 3) and full_extra["diverging"].shape == (2, 60)

    # Stop after the first segment, then resume to the full length.
    part = tmp_path / "b"
    run_nuts_segments(_toy_model, NUTSConfig(**{**config.__dict__, "n_iterations": 70}), part)
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

    config = NUTSConfig(n_chains=2, n_burn=30, n_iterations=60, chunk_size=10, seed=2,
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

    config = NUTSConfig(n_chains=2, n_burn=10, n_iterations=20, seed=1, progress_bar=False)
    run_nuts_segments(_toy_model, config, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["nuts_manifest.json", "nuts_segment_00000.npz"]
    json.loads((tmp_path / "nuts_manifest.json").read_text())
    with np.load(tmp_path / "nuts_segment_00000.npz", allow_pickle=False) as npz:
        for name in npz.files:
            assert npz[name].dtype != object


def test_nuts_run_extends_without_chunk_size(tmp_path):
    """Raising n_iterations extends a finished run by segments of its first length."""
    from bayesjoint.samplers.nuts import run_nuts_segments

    config = NUTSConfig(n_chains=1, n_burn=20, n_iterations=50, seed=4, progress_bar=False)
    full, _ = run_nuts_segments(_toy_model, config, tmp_path / "one")
    short = NUTSConfig(**{**config.__dict__, "n_iterations": 30})
    run_nuts_segments(_toy_model, short, tmp_path / "grown")
    grown, _ = run_nuts_segments(_toy_model, config, tmp_path / "grown", resume=True)
    np.testing.assert_array_equal(grown["x"], full["x"])
    with pytest.raises(ValueError, match="n_iterations = 55: the run .* grows by whole segments "
                                         "of 10 iterations after the n_burn = 20"):
        run_nuts_segments(_toy_model, NUTSConfig(**{**config.__dict__, "n_iterations": 55}),
                          tmp_path / "grown", resume=True)


def test_bad_chunk_size():
    with pytest.raises(ValueError, match="chunk_size = 7: must be an integer >= 1 that divides "
                                         "n_iterations - n_burn = 20"):
        NUTSConfig(n_burn=10, n_iterations=30, chunk_size=7)


@pytest.mark.parametrize("old, new", [
    ("num_chains", "n_chains"), ("num_warmup", "n_burn"), ("num_samples", "n_iterations"),
    ("thinning", "thin"), ("target_accept_prob", "target_acceptance"),
    ("segment_size", "chunk_size"),
])
def test_former_names_are_refused_naming_the_replacement(old, new):
    from dataclasses import replace

    from bayesjoint.samplers.config import RJMCMCConfig

    for make in (lambda: NUTSConfig(**{old: 2}), lambda: RJMCMCConfig(**{old: 2}),
                 lambda: replace(NUTSConfig(), **{old: 2})):
        with pytest.raises(ValueError, match=f"^{old}: renamed; use {new}"):
            make()
