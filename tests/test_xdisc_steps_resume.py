"""The step inversion writes its chains as it runs and resumes exactly.

An interrupted run is imitated by cutting the manifest of a finished run
after a chunk (what a run killed after writing that chunk leaves: the
chunks are written before the manifest lists them). Resumed, it must give
the draws of the uninterrupted run, bit for bit, wherever the cut falls:
in the pilot stage or in the final stage (and, for the sampler itself,
in the burn-in or after it).
"""

import dataclasses
import json
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bayesjoint.samplers import xdisc_steps as xs
from bayesjoint.samplers.xdisc_settings import StepsSettings
from bayesjoint.samplers.xdisc_steps_inversion import invert_steps
from bayesjoint.samplers.xdisc_steps_store import data_digest

PRIOR = xs.StepPrior(depth_km=(200.0, 720.0), jump=(-0.06, 0.10),
                     log_noise_scale=(float(np.log(0.5)), float(np.log(2.0))), k_max=3,
                     n_references=2)

SETTINGS = StepsSettings(references=("ak135", "prem"), n_chains=2,
                         n_temperatures=2, n_iterations=1500, n_burn=500, chunk_size=250,
                         thin=5, n_pilot=500, n_importance=8)
"""Tiny: 2 pilot chunks, then 2 burn-in and 4 kept chunks."""


def _k_likelihood(state, data):
    """A likelihood of the number of steps and the reference only."""
    return 0.7 * state.active.sum() - 0.4 * state.reference


def test_sampler_continued_after_any_chunk_draws_what_the_whole_run_draws():
    states = xs.fill_log_likelihood(xs.initial_states(jax.random.PRNGKey(0), 2, 2, PRIOR),
                                    None, _k_likelihood)
    settings = dict(n_iterations=1000, n_burn=250, thin=5, chunk_size=250)
    temperatures = jnp.asarray([1.0, 3.0])
    after = []
    whole, stats = xs.run(jax.random.PRNGKey(1), states, temperatures, None, _k_likelihood,
                          PRIOR, **settings,
                          on_chunk=lambda *a: after.append(a))
    assert [a[0] for a in after] == [250, 500, 750, 1000]
    assert after[0][3] is None and all(a[3] is not None for a in after[1:])
    for cut in (1, 2):  # in the burn-in, after it
        kept = [a[3] for a in after[:cut] if a[3] is not None]
        totals = None
        for a in after[:cut]:
            totals = xs.count_totals(totals, a[2])
        resumed, rstats = xs.run(
            jax.random.PRNGKey(1), jax.tree.map(jnp.asarray, after[cut - 1][1]), temperatures,
            None, _k_likelihood, PRIOR, **settings, done=after[cut - 1][0],
            kept=jax.tree.map(lambda *x: np.concatenate(x, axis=1), *kept) if kept else None,
            totals=totals)
        for name in xs.StepState._fields:
            np.testing.assert_array_equal(getattr(resumed, name), getattr(whole, name))
        assert rstats["acceptance"] == stats["acceptance"]
        assert rstats["swap_acceptance"] == stats["swap_acceptance"]
        assert rstats["iterations"] == 1000
    with pytest.raises(ValueError, match="multiple of chunk_size"):
        xs.run(jax.random.PRNGKey(1), states, temperatures, None, _k_likelihood, PRIOR,
               **settings, done=100)


@pytest.fixture(scope="module")
def station():
    from bayesjoint.datasets import synthetic_rf
    from bayesjoint.model.xdisc_models import XdiscModel

    earth = XdiscModel.build("ak135", layer_km=20.0).earth(
        {"depth_410_km": 410.0, "jump_410": 0.04, "depth_660_km": 660.0, "jump_660": 0.06,
         "depth_x_km": 300.0, "jump_x": 0.03})
    return synthetic_rf(earth, np.array([0.05, 0.07]), dt_s=0.5, npts=200, shift_s=5.0,
                        wrap_free=True, gauss_rad_s=1.0, noise_std=0.005, seed=0)


@pytest.fixture(scope="module")
def whole(station, tmp_path_factory):
    folder = tmp_path_factory.mktemp("whole") / "chains"
    result, draws, _ = invert_steps(station, SETTINGS, work_dir=folder)
    return folder, result, draws


def _cut(folder, target, n_chunks):
    """A copy of the run in ``folder`` as a run killed after ``n_chunks`` chunks leaves it."""
    shutil.copytree(folder, target)
    path = target / "xdisc_steps_manifest.json"
    manifest = json.loads(path.read_text())
    manifest["chunks"], manifest["stop"] = manifest["chunks"][:n_chunks], None
    path.write_text(json.dumps(manifest))
    return target


def test_the_run_is_written_as_it_goes(whole):
    folder, result, draws = whole
    manifest = json.loads((folder / "xdisc_steps_manifest.json").read_text())
    assert [(c["stage"], c["iterations"], c["has_draws"]) for c in manifest["chunks"]] == [
        (0, 250, False), (0, 500, True), (1, 250, False), (1, 500, False), (1, 750, True),
        (1, 1000, True), (1, 1250, True), (1, 1500, True)]
    assert manifest["stop"] == {"iterations": 1500, "reason": "n_iterations"}
    with np.load(folder / manifest["chunks"][-1]["file"]) as npz:
        np.testing.assert_array_equal(npz["draw_depth_km"], draws.depth_km[:, -50:])
        assert npz["state_active"].shape == (2, 2, SETTINGS.k_max)  # chains, temperatures
    assert result["sampler"]["chunks_resumed"] == 0


@pytest.mark.parametrize("n_chunks", [1, 5])  # in the pilot stage; in the final, draws kept
def test_a_run_resumed_after_any_chunk_equals_the_uninterrupted_run(whole, tmp_path, station,
                                                                    n_chunks):
    folder, result, draws = whole
    cut = _cut(folder, tmp_path / "cut", n_chunks)
    resumed, rdraws, _ = invert_steps(station, SETTINGS, work_dir=cut, resume=True)
    for name in xs.StepState._fields:
        np.testing.assert_array_equal(getattr(rdraws, name), getattr(draws, name))
    for key in ("p_x", "p_x_interval", "bayes_factor", "depth_410_km", "posterior",
                "convergence", "importance"):
        assert resumed[key] == result[key], key
    assert resumed["sampler"]["chunks_resumed"] == n_chunks
    assert ({k: v for k, v in resumed["sampler"].items() if "seconds" not in k
             and k != "chunks_resumed"}
            == {k: v for k, v in result["sampler"].items() if "seconds" not in k
                and k != "chunks_resumed"})


def test_a_finished_run_resumed_with_more_iterations_continues_it(whole, tmp_path, station):
    folder, result, draws = whole
    longer = dataclasses.replace(SETTINGS, n_iterations=2000)
    resumed, rdraws, _ = invert_steps(station, longer, work_dir=shutil.copytree(
        folder, tmp_path / "more"), resume=True)
    assert resumed["sampler"]["iterations"] == 2000
    assert rdraws.depth_km.shape[1] == draws.depth_km.shape[1] + 100
    np.testing.assert_array_equal(rdraws.depth_km[:, :draws.depth_km.shape[1]], draws.depth_km)


def test_a_run_that_ended_converged_is_only_read_again(whole, tmp_path, station):
    folder, result, draws = whole
    copy = shutil.copytree(folder, tmp_path / "converged")
    path = copy / "xdisc_steps_manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "stop": {"iterations": 1500,
                                                     "reason": "converged"}}))
    longer = dataclasses.replace(SETTINGS, n_iterations=2000)
    again, adraws, _ = invert_steps(station, longer, work_dir=copy, resume=True)
    assert again["sampler"]["iterations"] == 1500
    assert again["sampler"]["stop_reason"] == "converged"
    np.testing.assert_array_equal(adraws.depth_km, draws.depth_km)
    assert again["p_x"] == result["p_x"]
    assert len(json.loads(path.read_text())["chunks"]) == len(manifest["chunks"])


def test_a_resume_with_other_data_or_settings_is_refused(whole, tmp_path, station):
    folder, _, _ = whole
    copy = shutil.copytree(folder, tmp_path / "copy")
    with pytest.raises(ValueError, match="already holds a run"):
        invert_steps(station, SETTINGS, work_dir=copy)
    with pytest.raises(ValueError, match="k_max: stored 8, given 5"):
        invert_steps(station, dataclasses.replace(SETTINGS, k_max=5), work_dir=copy,
                     resume=True)
    other = dataclasses.replace(station, rf=station.rf * 1.01)
    assert data_digest(other) != data_digest(station)
    with pytest.raises(ValueError, match="data_sha256"):
        invert_steps(other, SETTINGS, work_dir=copy, resume=True)
    with pytest.raises(ValueError, match="needs the work_dir"):
        invert_steps(station, SETTINGS, resume=True)
