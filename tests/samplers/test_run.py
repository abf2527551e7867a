"""Tests of the chunked driver: resume, crash safety, tracing, validation, output."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from types import SimpleNamespace

import jax.numpy as jnp
import numpy as np
import pytest

import bayesjoint  # noqa: F401  (float64)
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers import rjmcmc
from bayesjoint.samplers.run import load_draws, run

SPEC = PriorSpec(n_layers=2, k_min=1, k_max=6, interfaces="sampled", depth_max_km=100.0,
                 min_thickness_km=2.0, smoothness_std=0.5, hierarchical_noise=True)
SETTINGS = dict(n_burn=300, n_chains=8, temperatures=(1.0, 2.0, 4.0), thin=5, chunk_size=200,
                seed=11, n_datasets=2, progress=False)


def loglik(earth, noise_scale):
    v = earth.on_depth_grid(jnp.asarray([5.0, 40.0, 90.0]))
    r = (v - jnp.asarray([-1.0, 0.5, -2.0])) / (0.3 * noise_scale[0])
    return -0.5 * jnp.sum(r * r) - 3.0 * jnp.log(noise_scale[0]) - 0.1 * noise_scale[1]


def assert_same_draws(a, b):
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_resumed_run_equals_uninterrupted_run(tmp_path):
    full = run(loglik, SPEC, tmp_path / "full", n_iterations=1200, **SETTINGS)
    part = run(loglik, SPEC, tmp_path / "part", n_iterations=600, **SETTINGS)
    assert len(json.loads((tmp_path / "part" / "manifest.json").read_text())["chunks"]) == 3
    resumed = run(loglik, SPEC, tmp_path / "part", n_iterations=1200, **SETTINGS)
    a, b = full.draws(), resumed.draws()
    assert a["n_layers"].shape == (8, (1200 - 300) // 5)
    assert_same_draws(a, b)
    sa, sb = full.stats(), resumed.stats()
    for move in sa["acceptance"]:
        np.testing.assert_array_equal(sa["acceptance"][move], sb["acceptance"][move])
    np.testing.assert_array_equal(sa["swap_acceptance"], sb["swap_acceptance"])
    # adaptation froze at the end of burn-in: the final scales equal those after chunk 2
    with np.load(tmp_path / "part" / "chunk_00001.npz") as first, \
            np.load(tmp_path / "part" / "chunk_00005.npz") as last:
        np.testing.assert_array_equal(first["state_log_scales"], last["state_log_scales"])
        np.testing.assert_array_equal(first["state_ladder_weights"], last["state_ladder_weights"])
    assert np.all(np.asarray(a["noise_scale"]) > 0)

    with pytest.raises(ValueError, match="thin: stored 5, given 10"):
        run(loglik, SPEC, tmp_path / "full", n_iterations=1200, **{**SETTINGS, "thin": 10})
    with pytest.raises(ValueError, match="seed: stored 11, given 12"):
        run(loglik, SPEC, tmp_path / "full", n_iterations=1200, **{**SETTINGS, "seed": 12})
    with pytest.raises(ValueError, match=r"spec.k_max: stored 6, given 7"):
        run(loglik, PriorSpec(**{**SPEC.__dict__, "k_max": 7}), tmp_path / "full",
            n_iterations=1200, **SETTINGS)
    with pytest.raises(ValueError, match="log_likelihood_fn gives different values"):
        run(lambda e, s: loglik(e, s) + 1.0, SPEC, tmp_path / "full", n_iterations=1400,
            **SETTINGS)
    with pytest.raises(ValueError, match="already holds a run"):
        run(loglik, SPEC, tmp_path / "full", n_iterations=1200, resume=False, **SETTINGS)

    tree = full.to_datatree()
    post = tree["posterior"]
    assert post["log10_sigma"].dims == ("chain", "draw", "layer")
    assert post["interface_depth_km"].dims == ("chain", "draw", "interface")
    assert post["noise_scale"].sizes["dataset"] == 2
    assert "log_likelihood" in tree["sample_stats"]
    assert set(tree.attrs) >= {"acceptance_birth", "acceptance_perturb", "swap_acceptance"}
    assert len(tree.attrs["swap_acceptance"]) == 2


SCRIPT = textwrap.dedent("""
    import sys
    import jax.numpy as jnp
    import bayesjoint
    from bayesjoint.model.prior import PriorSpec
    from bayesjoint.samplers.run import run
    SPEC = {spec}
    SETTINGS = {settings}
    def loglik(earth, noise_scale):
        v = earth.on_depth_grid(jnp.asarray([5.0, 40.0, 90.0]))
        r = (v - jnp.asarray([-1.0, 0.5, -2.0])) / (0.3 * noise_scale[0])
        return -0.5 * jnp.sum(r * r) - 3.0 * jnp.log(noise_scale[0]) - 0.1 * noise_scale[1]
    run(loglik, SPEC, sys.argv[1], n_iterations={n_iterations}, **SETTINGS)
""")


def test_killed_run_resumes_from_last_complete_chunk(tmp_path):
    n_iterations = 200 * 60
    script = SCRIPT.format(spec=repr(SPEC), settings=repr(SETTINGS), n_iterations=n_iterations)
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", script, str(out)])
    manifest = out / "manifest.json"
    n_chunks = 0
    try:
        while proc.poll() is None:  # until two chunks are on disk, however long that takes
            if manifest.exists():
                n_chunks = len(json.loads(manifest.read_text())["chunks"])
                if n_chunks >= 2:
                    break
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    done = len(json.loads(manifest.read_text())["chunks"])
    assert 2 <= done < n_iterations // 200
    resumed = run(loglik, SPEC, out, n_iterations=n_iterations, **SETTINGS)
    full = run(loglik, SPEC, tmp_path / "full", n_iterations=n_iterations, **SETTINGS)
    assert_same_draws(full.draws(), resumed.draws())
    assert not [p for p in os.listdir(out) if p.startswith(".tmp-")]  # removed on resume


def test_tracing_is_bounded(tmp_path):
    calls = []

    def counted(earth, noise_scale):
        calls.append(1)
        return loglik(earth, noise_scale)

    settings = {**SETTINGS, "n_chains": 2}
    run(counted, SPEC, tmp_path, n_iterations=1000, **settings)  # 5 chunks
    assert len(calls) <= 2  # one trace for the initial states, one for the chunk scan
    run(counted, SPEC, tmp_path, n_iterations=2000, **settings)  # 5 more, same process
    assert len(calls) <= 3  # plus one for the check of the stored log-likelihoods
    assert load_draws(tmp_path)["n_layers"].shape == (2, (2000 - 300) // 5)


def test_start_from_a_given_earth(tmp_path):
    earth = LayeredEarth.from_layers([0.0, 30.0], log10_sigma=[-1.0, 0.0], k_max=6)
    res = run(loglik, SPEC, tmp_path, n_iterations=400,
              **SETTINGS, initial=earth,
              initial_noise_scale=[1.0, 2.0])
    d = res.draws()
    assert d["n_layers"].shape == (8, (400 - 300) // 5)
    bad = LayeredEarth.from_layers([0.0, 1.0], log10_sigma=[-1.0, 0.0], k_max=6)  # too thin
    with pytest.raises(ValueError, match="zero prior density"):
        run(loglik, SPEC, tmp_path / "bad", n_iterations=400, **SETTINGS, initial=bad)


@pytest.mark.parametrize("change, message", [
    ({"temperatures": (2.0, 4.0)}, r"temperatures\[0\] = 2.0: the ladder must start at 1"),
    ({"chunk_size": 0}, "chunk_size = 0: must be an integer > 0"),
    ({"thin": -1}, "thin = -1: must be an integer > 0"),
    ({"thin": 3}, "chunk_size = 200: must be a multiple of thin = 3"),
    ({"n_chains": 0}, "n_chains = 0: must be an integer > 0"),
    ({"n_iterations": 300}, "n_iterations = 300: must be a multiple of chunk_size = 200"),
    ({"n_burn": -5}, "n_burn = -5: must be an integer >= 0"),
    ({"birth": "random"}, r"birth = 'random': allowed values are \('prior', 'neighbour', 'split'\)"),
    ({"initial": "zeros"}, "initial = 'zeros': allowed values are 'prior' or a LayeredEarth"),
    ({"target_acceptance": 1.5}, r"target_acceptance = 1.5: must lie in \(0, 1\)"),
    ({"proposal_scales": rjmcmc.default_proposal_scales(SPEC)._replace(noise_log=(0.1, 0.2))},
     r"proposal_scales.noise_log = \(0.1, 0.2\): must be one number"),
    ({"proposal_scales": rjmcmc.default_proposal_scales(SPEC)._replace(
        delay_interface_km=(1.0, 2.0, 3.0))},
     r"proposal_scales.delay_interface_km has 3 values: give one, or one per depth bin"),
])
def test_bad_settings_raise_with_field_value_and_allowed(tmp_path, change, message):
    kwargs = {**SETTINGS, "n_iterations": 400, **change}
    with pytest.raises(ValueError, match=message):
        run(loglik, SPEC, tmp_path, **kwargs)
    assert not (tmp_path / "manifest.json").exists()


def test_bad_layer_count_range_and_thickness():
    with pytest.raises(ValueError, match="k_min = 0, k_max = 5: need 1 <= k_min <= k_max"):
        PriorSpec(k_min=0, k_max=5, interfaces="sampled")
    with pytest.raises(ValueError, match="k_min = 6, k_max = 5: need 1 <= k_min <= k_max"):
        PriorSpec(k_min=6, k_max=5, interfaces="sampled")
    with pytest.raises(ValueError, match="k_max = 30 layers of at least min_thickness_km = 10"):
        PriorSpec(n_layers=2, k_min=1, k_max=30, min_thickness_km=10.0, depth_max_km=100.0,
                  interfaces="sampled")
    # the sampler's own check, for specification objects built without PriorSpec's validation
    base = dict(interfaces="sampled", k_min=1, k_max=5, min_thickness_km=0.0, depth_max_km=100.0)
    with pytest.raises(ValueError, match=r"spec.k_min = 0: need 1 <= k_min <= k_max = 5"):
        rjmcmc.check_spec(SimpleNamespace(**{**base, "k_min": 0}))
    with pytest.raises(ValueError, match=r"spec.k_min = 7: need 1 <= k_min <= k_max = 5"):
        rjmcmc.check_spec(SimpleNamespace(**{**base, "k_min": 7}))
    with pytest.raises(ValueError, match=r"spec.min_thickness_km = 30.0: k_max = 5 layers need"):
        rjmcmc.check_spec(SimpleNamespace(**{**base, "min_thickness_km": 30.0}))


def test_chains_split_over_devices_give_the_same_draws(tmp_path):
    """The random stream depends on the chain, not on the device it runs on."""
    import jax

    from bayesjoint.samplers import driver

    if len(jax.devices()) < 2:
        pytest.skip("needs two JAX devices (BAYESJOINT_CPU_DEVICES >= 2)")
    settings = {**SETTINGS, "n_chains": 4}
    one = run(loglik, SPEC, tmp_path / "one", n_iterations=400, n_devices=1, **settings)
    two = run(loglik, SPEC, tmp_path / "two", n_iterations=400, n_devices=2, **settings)
    assert driver.device_count_for(4) == 2
    assert_same_draws(one.draws(), two.draws())


def test_run_until_converged_stops_and_says_why(tmp_path):
    from bayesjoint.summaries.stopping import ConvergenceCriterion

    loose = ConvergenceCriterion(rhat_max=1.5, ess_min=5.0)
    res = run(loglik, SPEC, tmp_path / "a", n_iterations=20000, until_converged=loose,
              **{**SETTINGS, "n_burn": 200})
    stop = json.loads((tmp_path / "a" / "manifest.json").read_text())["stop"]
    assert stop["reason"] == "converged" and stop["iterations"] < 20000
    assert res.stats()["stop"]["reason"] == "converged"
    strict = ConvergenceCriterion(rhat_max=1.0001, ess_min=1e9)
    run(loglik, SPEC, tmp_path / "b", n_iterations=600, until_converged=strict, **SETTINGS)
    stop = json.loads((tmp_path / "b" / "manifest.json").read_text())["stop"]
    assert stop["reason"] == "iterations" and stop["iterations"] == 600 and not stop["met"]
