"""The trans-dimensional inversion for steps on reference Earths (``--method transd_steps``).

The sampler is checked by statistics: with no data it must return its prior
(the number of steps, the reference, the depths and the probability of an
X, against :func:`steps_prior_p_x` and a direct simulation), and with a
likelihood of the number of steps and the reference alone it must return
their exact posterior, at temperature 1 of a tempered ladder. Each
comparison allows four Monte Carlo standard errors, from the effective
sample size of the chains.
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bayesjoint.model.xdisc_likelihood import (exact_predict_factors, linear_predict_factors,
                                               linearise_factor, station_arrays)
from bayesjoint.model.xdisc_models import XdiscModel, steps_factor
from bayesjoint.model.xdisc_prior import union_centre
from bayesjoint.samplers import xdisc_steps as xs
from bayesjoint.samplers.xdisc_settings import StepsSettings
from bayesjoint.samplers.xdisc_steps_inversion import check_settings, step_prior
from bayesjoint.summaries.diagnostics import convergence
from bayesjoint.summaries.xdisc_transd import step_discontinuities, steps_prior_p_x

NAN = np.nan


def test_steps_factor_is_the_sum_of_the_steps_and_ignores_zero_jumps():
    top = jnp.asarray(XdiscModel.build("ak135").top_depth_km)
    three = steps_factor(top, jnp.array([405.0, 667.0, 301.0]), jnp.array([0.05, 0.07, 0.03]),
                         50.0)
    # against the layer averages of g(z - d) = sign(z - d) max(0, 1 - |z - d| / 50) / 2
    # by the midpoint rule on 20,000 points per layer (not the closed form of the code)
    t = np.asarray(top)
    expected = np.ones(t.size)
    for d, a in ((405.0, 0.05), (667.0, 0.07), (301.0, 0.03)):
        for i in range(t.size - 1):
            z = t[i] + (np.arange(20_000) + 0.5) / 20_000 * (t[i + 1] - t[i])
            g = 0.5 * np.sign(z - d) * np.maximum(0.0, 1.0 - np.abs(z - d) / 50.0)
            expected[i] += a * g.mean()
        expected[-1] += a * 0.5 * np.sign(t[-1] - d) * max(0.0, 1.0 - abs(t[-1] - d) / 50.0)
    np.testing.assert_allclose(three, expected, atol=1e-8)
    padded = steps_factor(top, jnp.array([405.0, 667.0, 301.0, 500.0]),
                          jnp.array([0.05, 0.07, 0.03, 0.0]), 50.0)
    np.testing.assert_allclose(padded, three, rtol=1e-14)
    sums = [steps_factor(top, jnp.array([d]), jnp.array([a]), 50.0) - 1.0
            for d, a in ((405.0, 0.05), (667.0, 0.07), (301.0, 0.03))]
    np.testing.assert_allclose(three - 1.0, sum(sums), atol=1e-15)


def _station(seed=0):
    from bayesjoint.datasets import synthetic_rf

    xmodel = XdiscModel.build("ak135", layer_km=20.0)
    earth = xmodel.earth({"depth_410_km": 410.0, "jump_410": 0.04, "depth_660_km": 660.0,
                          "jump_660": 0.06})
    data = synthetic_rf(earth, np.array([0.06]), dt_s=0.5, npts=180, shift_s=10.0,
                        wrap_free=True, gauss_rad_s=1.0, noise_std=0.005, seed=seed)
    return xmodel, data


def test_the_factor_linearisation_is_the_exact_forward_to_first_order():
    xmodel, data = _station()
    arrays, static = station_arrays(xmodel, data, slice(40, 180), (250.0, 700.0))
    centre = jnp.asarray(union_centre())
    factor = xmodel.factor({"depth_410_km": centre[0], "jump_410": centre[1],
                            "depth_660_km": centre[2], "jump_660": centre[3],
                            "depth_x_km": centre[5], "jump_x": centre[6]})
    lin = linearise_factor(factor, arrays, static)
    # at its own point the linearisation is the exact prediction
    np.testing.assert_allclose(linear_predict_factors(factor[None], lin)[0], lin.predicted,
                               atol=1e-15)
    np.testing.assert_allclose(exact_predict_factors(factor[None], arrays, static)[0],
                               lin.predicted, atol=1e-15)
    # a 3 % X: the linearised error is second order in its size (a quarter at half the size)
    top = arrays.top_depth_km
    errors = []
    for jump in (0.03, 0.015):
        f = factor + steps_factor(top, jnp.array([300.0]), jnp.array([jump]), 50.0) - 1.0
        exact = exact_predict_factors(f[None], arrays, static)[0]
        errors.append(float(jnp.max(jnp.abs(linear_predict_factors(f[None], lin)[0] - exact))))
        assert errors[-1] < 0.1 * float(jnp.max(jnp.abs(exact - lin.predicted)))
    assert 3.0 < errors[0] / errors[1] < 5.0


def test_step_discontinuities_of_hand_made_draws():
    active = np.array([[True, True, True, False],
                       [True, True, False, False],
                       [True, True, True, True]])
    depth = np.array([[300.0, 410.0, 660.0, 320.0],     # X +4 %; inactive slot ignored
                      [300.0, 420.0, 300.0, 0.0],        # a drop at 300 km: no X
                      [260.0, 340.0, 390.0, 430.0]])    # two X (the larger), two 410s
    jump = np.array([[0.04, 0.05, 0.06, 0.09],
                     [-0.04, 0.05, 0.09, 0.0],
                     [0.01, 0.03, 0.017, 0.043]])
    d = step_discontinuities(active, depth, jump)
    np.testing.assert_array_equal(d["has_x"], [True, False, True])
    np.testing.assert_allclose(d["depth_x_km"], [300.0, NAN, 340.0])
    np.testing.assert_allclose(d["jump_x"], [0.04, NAN, 0.03])
    np.testing.assert_allclose(d["depth_410_km"], [410.0, 420.0, 430.0])
    np.testing.assert_allclose(d["depth_660_km"], [660.0, NAN, NAN])
    np.testing.assert_allclose(d["transition_zone_km"], [250.0, NAN, NAN])


def test_steps_prior_p_x_matches_a_direct_simulation():
    rng = np.random.default_rng(1)
    n, k_max, depth, jump = 200_000, 6, (200.0, 720.0), (-0.06, 0.10)
    k = rng.integers(0, k_max + 1, n)
    active = np.arange(k_max) < k[:, None]
    d = rng.uniform(*depth, (n, k_max))
    a = rng.uniform(*jump, (n, k_max))
    p_sim = step_discontinuities(active, d, a)["has_x"].mean()
    p = steps_prior_p_x(k_max, depth, jump)
    assert abs(p_sim - p) < 4 * np.sqrt(p * (1 - p) / n)
    assert steps_prior_p_x(0, depth, jump) == 0.0
    assert steps_prior_p_x(3, (400.0, 720.0), jump) == 0.0  # no depth in the X window


def _sample(log_likelihood, prior, temperatures, n_chains=4, n_iterations=60_000, seed=0):
    states = xs.initial_states(jax.random.PRNGKey(seed), n_chains, len(temperatures), prior)
    states = xs.fill_log_likelihood(states, None, log_likelihood)
    draws, stats = xs.run(jax.random.PRNGKey(seed + 1), states, jnp.asarray(temperatures), None,
                          log_likelihood, prior, n_iterations=n_iterations, n_burn=10_000,
                          thin=10, chunk_size=10_000)
    return draws, stats


def _within(samples, expected, label):
    """Each element of ``samples`` (C, S) is an indicator; its mean must be within four
    Monte Carlo standard errors of ``expected``."""
    ess = convergence({"x": samples})["x"]["ess_bulk_min"]
    error = np.sqrt(expected * (1 - expected) / ess)
    assert abs(samples.mean() - expected) < 4 * error + 1e-12, (label, samples.mean(),
                                                                 expected, ess)


PRIOR = xs.StepPrior(depth_km=(200.0, 720.0), jump=(-0.06, 0.10),
                     log_noise_scale=(float(np.log(0.5)), float(np.log(2.0))), k_max=4,
                     n_references=3)


def test_with_no_data_the_sampler_returns_its_prior():
    draws, stats = _sample(lambda state, data: jnp.zeros(()), PRIOR, [1.0])
    k = draws.active.sum(axis=-1)
    for value in range(PRIOR.k_max + 1):
        _within((k == value).astype(float), 1 / (PRIOR.k_max + 1), f"k = {value}")
    for r in range(PRIOR.n_references):
        _within((draws.reference == r).astype(float), 1 / PRIOR.n_references, f"ref {r}")
    found = step_discontinuities(draws.active, draws.depth_km, draws.jump)
    _within(found["has_x"].astype(float), steps_prior_p_x(PRIOR.k_max, PRIOR.depth_km,
                                                          PRIOR.jump), "X")
    shallow = np.where(draws.active, draws.depth_km < 330.0, False).sum(axis=-1) > 0
    p_shallow = 1 - np.mean([(1 - 130 / 520) ** m for m in range(PRIOR.k_max + 1)])
    _within(shallow.astype(float), p_shallow, "a step above 330 km")
    big = np.where(draws.active, draws.jump > 0.06, False).sum(axis=-1) > 0
    p_big = 1 - np.mean([(1 - 0.04 / 0.16) ** m for m in range(PRIOR.k_max + 1)])
    _within(big.astype(float), p_big, "a jump above 6 %")
    low = draws.log_noise_scale < 0.0
    _within(low.astype(float), 0.5, "noise scale below 1")
    assert stats["stop_reason"] == "n_iterations"
    assert all(0.0 < stats["acceptance"][m][0] <= 1.0 for m in xs.MOVES)


def test_tempered_chains_return_the_exact_posterior_of_k_and_the_reference():
    weights = jnp.log(jnp.array([0.2, 0.5, 0.3]))

    def log_likelihood(state, data):
        k = jnp.sum(state.active)
        return -1.5 * (k - 2.0) ** 2 + weights[state.reference]

    draws, stats = _sample(log_likelihood, PRIOR, [1.0, 2.5, 6.0], seed=3)
    post_k = np.exp(-1.5 * (np.arange(PRIOR.k_max + 1) - 2.0) ** 2)
    post_k /= post_k.sum()
    k = draws.active.sum(axis=-1)
    for value in range(PRIOR.k_max + 1):
        _within((k == value).astype(float), post_k[value], f"k = {value}")
    for r, w in enumerate([0.2, 0.5, 0.3]):
        _within((draws.reference == r).astype(float), w, f"ref {r}")
    assert all(0.0 < s < 1.0 for s in stats["swap_acceptance"])


def test_bad_settings_are_named():
    good = StepsSettings()
    check_settings(good)
    for change, message in [({"k_max": 0}, "k_max = 0"),
                            ({"references": ("ak135", "ak135")}, "references"),
                            ({"references": ("mars",)}, "references"),
                            ({"n_burn": 2_000_000}, "n_burn"),
                            ({"n_pilot": 7000}, "n_pilot = 7000"),
                            ({"thin": 7}, "thin = 7"),
                            ({"t_max": 0.5}, "t_max"),
                            ({"depth_km": (260.0, 720.0)}, "depth_km"),
                            ({"jump": (-0.06, 0.005)}, "jump"),
                            ({"noise_scale": (2.0, 1.0)}, "noise_scale"),
                            ({"n_importance": 1}, "n_importance"),
                            ({"time_budget_s": 0.0}, "time_budget_s")]:
        with pytest.raises(ValueError, match=message):
            check_settings(dataclasses.replace(good, **change))
    prior = step_prior(good)
    assert prior.k_max == 8 and prior.n_references == 3
    assert prior.log_noise_scale == pytest.approx((np.log(0.5), np.log(2.0)))


@pytest.mark.slow  # two inversions to convergence, about a minute each on two cores
def test_the_inversion_finds_an_x_where_there_is_one_and_none_where_there_is_none():
    from bayesjoint.datasets import synthetic_rf
    from bayesjoint.samplers.xdisc_steps_inversion import invert_steps

    xmodel = XdiscModel.build("ak135")
    mantle = {"depth_410_km": 405.0, "jump_410": 0.045, "depth_660_km": 665.0,
              "jump_660": 0.065}
    settings = StepsSettings(references=("ak135", "prem"))
    results = {}
    for jump_x in (0.0, 0.04):
        earth = xmodel.earth({**mantle, "depth_x_km": 300.0, "jump_x": jump_x})
        data = synthetic_rf(earth, np.array([0.05, 0.07]), dt_s=0.5, npts=240, shift_s=5.0,
                            wrap_free=True, gauss_rad_s=1.0, noise_std=0.005, seed=0)
        results[jump_x], _, _ = invert_steps(data, settings)
    for result in results.values():
        assert result["converged"], result["verdict"]
        assert result["reference_probability"]["ak135"] > 0.9
        assert 385.0 < result["depth_410_km"] < 425.0 and 645.0 < result["depth_660_km"] < 685.0
        assert result["importance"]["ess_fraction"] > 0.5
    assert results[0.04]["p_x"] > 0.95 and results[0.0]["p_x"] < 0.05
    x = results[0.04]["posterior"]  # coarse recovery of the X: median depth and jump
    assert abs(x["depth_x_km"]["q50"] - 300.0) < 25.0 and 0.025 < x["jump_x"]["q50"] < 0.055


def test_a_spent_time_budget_still_keeps_one_chunk_after_the_burn_in():
    prior = PRIOR._replace(n_references=1)
    zero = lambda state, data: jnp.zeros(())  # noqa: E731
    states = xs.fill_log_likelihood(
        xs.initial_states(jax.random.PRNGKey(0), 2, 1, prior), None, zero)
    draws, stats = xs.run(jax.random.PRNGKey(1), states, jnp.ones(1), None, zero, prior,
                          n_iterations=400, n_burn=100, thin=10, chunk_size=100,
                          time_budget_s=0.0)
    assert stats["stop_reason"] == "time_budget" and stats["iterations"] == 200
    assert draws.active.shape[:2] == (2, 10)
