"""Power posteriors of a low-dimensional model on a tempering ladder.

For a uniform prior on a box ``[lower, upper]`` and a log-likelihood ``L``,
replica ``k`` of every chain targets the power posterior
``p_k(m) ~ prior(m) exp(beta_k L(m))`` for a ladder of inverse temperatures
``1 = beta_0 > beta_1 > ... > beta_last = 0`` (the last one the prior). The
draws of every replica feed the evidence estimators of
:mod:`bayesjoint.samplers.evidence`; those of ``beta = 1`` are the
posterior.

Each iteration moves every replica of every chain by a Gaussian
random-walk Metropolis step (proposals outside the box are rejected) and
then proposes swaps between neighbouring replicas with
:func:`bayesjoint.samplers.tempering.swap` (temperatures ``1 / beta``), so
the cold replicas escape from local modes of ``L``. The likelihood of all
``n_chains x n_betas`` replicas is one batched call per iteration, with no
gradients: for a handful of parameters and an expensive forward model this
is cheaper than Hamiltonian moves, whose gradients cost several
likelihoods each and compile slowly. The data reach the log-likelihood as an
argument (``args``), so one compilation serves every dataset of the same
shapes.

Adaptation (burn-in only)
-------------------------
The proposal std of parameter ``j`` at rung ``k`` is ``s_k`` times the
spread of that parameter across the chains at that rung (the population of
chains estimates the target's scale) and ``s_k`` follows a Robbins-Monro
rule towards an acceptance rate of 0.3. Both are frozen after ``n_burn``,
so the kept draws come from a fixed Markov kernel.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import functools

import numpy as np

from bayesjoint.samplers.tempering import swap

TARGET_ACCEPTANCE = 0.3
"""Acceptance rate the proposal scale adapts towards during burn-in."""


class PowerPosteriorDraws(NamedTuple):
    """Kept draws of every replica.

    Attributes
    ----------
    betas : ndarray, shape (B,)
        Inverse temperatures, decreasing from 1 to 0.
    params : ndarray, shape (C, N, B, P)
        Chains, kept draws, rungs, parameters.
    log_likelihood : ndarray, shape (C, N, B)
        Untempered log-likelihood of each draw.
    acceptance : ndarray, shape (B,)
        Random-walk acceptance rate after burn-in per rung.
    swap_acceptance : ndarray, shape (B - 1,)
        Swap acceptance rate after burn-in per neighbouring pair.
    """

    betas: np.ndarray
    params: np.ndarray
    log_likelihood: np.ndarray
    acceptance: np.ndarray
    swap_acceptance: np.ndarray


def power_ladder(n_betas, alpha=0.3):
    """Inverse temperatures ``(i / (n - 1))^(1 / alpha)``, decreasing from 1 to 0.

    Quantiles of a Beta(alpha, 1) distribution (Xie et al. 2011, Syst.
    Biol. 60, 150): most rungs sit near the prior, where the mean
    log-likelihood changes fastest.

    Parameters
    ----------
    n_betas : int
        Number of rungs, >= 2.
    alpha : float
        In (0, 1].
    """
    if int(n_betas) < 2:
        raise ValueError(f"n_betas = {n_betas}: need at least 2 (the prior and the posterior)")
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha = {alpha!r}: need 0 < alpha <= 1")
    u = np.arange(int(n_betas))[::-1] / (int(n_betas) - 1.0)
    return u ** (1.0 / alpha)


def sample_power_posteriors(log_likelihood, lower, upper, betas, *, args=None, n_chains=8,
                            n_iterations=2000, n_burn=1000, thin=1, seed=0):
    """Sample every power posterior of the ladder (module docstring).

    Parameters
    ----------
    log_likelihood : callable
        Batched JAX function, ``log_likelihood(params, args)`` with params of
        shape (M, P) -> shape (M,); ``args`` is any pytree of arrays. The
        compiled sampler is cached per function object and sizes, so pass
        the same function object for every dataset.
    lower, upper : array_like, shape (P,)
        The uniform prior's box.
    betas : array_like, shape (B,)
        Inverse temperatures, decreasing, ``betas[0] = 1``, ``betas[-1] = 0``.
    args : pytree, optional
        The data ``log_likelihood`` takes.
    n_chains : int
        Independent chains, >= 2 (their spread sets the proposal scale).
    n_iterations, n_burn, thin : int
        Iterations in all, the first ``n_burn`` of them adapting and not
        kept, every ``thin``-th after them kept.
    seed : int

    Returns
    -------
    PowerPosteriorDraws
    """
    lo = jnp.asarray(lower, dtype=jnp.float64)
    hi = jnp.asarray(upper, dtype=jnp.float64)
    b = np.asarray(betas, dtype=float)
    if b.ndim != 1 or b.size < 2 or b[0] != 1.0 or b[-1] != 0.0 or np.any(np.diff(b) >= 0):
        raise ValueError(f"betas = {b.tolist()}: need a decreasing ladder from 1 to 0")
    if n_chains < 2 or not 0 <= n_burn < n_iterations or thin < 1:
        raise ValueError(f"need n_chains >= 2 (got {n_chains}), 0 <= n_burn < n_iterations "
                         f"(got {n_burn}, {n_iterations}) and thin >= 1 (got {thin})")
    with np.errstate(divide="ignore"):
        temperatures = jnp.asarray(1.0 / b)
    run = _sampler(log_likelihood, int(n_chains), b.size, int(lo.size), int(n_iterations),
                   int(n_burn))
    trace = run(jax.random.PRNGKey(seed), lo, hi, jnp.asarray(b), temperatures, args)
    xs, lls, accepted, attempted, swapped = (a[n_burn:] for a in trace)
    keep = slice(thin - 1, None, thin)
    attempts = np.maximum(np.asarray(attempted).sum(axis=(0, 1)), 1)
    return PowerPosteriorDraws(
        b, np.swapaxes(np.asarray(xs[keep]), 0, 1), np.swapaxes(np.asarray(lls[keep]), 0, 1),
        np.asarray(accepted).mean(axis=(0, 1)),
        np.asarray(swapped).sum(axis=(0, 1)) / attempts)


@functools.lru_cache(maxsize=64)
def _sampler(log_likelihood, n_chains, n_b, n_p, n_iterations, n_burn):
    """The compiled sampler of one log-likelihood and size: one scan over burn-in and kept
    iterations, a function of (key, lower, upper, betas, temperatures, args)."""

    def run(key, lo, hi, beta, temperatures, args):
        def loglik(x):
            return log_likelihood(x.reshape(-1, n_p), args).reshape(n_chains, n_b)

        def step(carry, t):
            x, ll, log_scale, spread, key = carry
            key, k_prop, k_acc, k_swap = jax.random.split(key, 4)
            adapting = t < n_burn
            spread = jnp.where(adapting, jnp.std(x, axis=0) + 1e-6 * (hi - lo), spread)  # (B, P)
            prop = x + jnp.exp(log_scale)[None, :, None] * spread[None] * jax.random.normal(
                k_prop, x.shape)
            inside = jnp.all((prop >= lo) & (prop <= hi), axis=-1)
            ll_prop = loglik(jnp.clip(prop, lo, hi))
            # beta * (ll_prop - ll) with 0 * -inf read as 0 (the prior rung)
            log_a = jnp.where(beta > 0, beta * (ll_prop - ll), 0.0)
            log_a = jnp.where(inside & ~jnp.isnan(log_a), log_a, -jnp.inf)
            accept = jnp.log(jax.random.uniform(k_acc, ll.shape)) < log_a
            x = jnp.where(accept[..., None], prop, x)
            ll = jnp.where(accept, ll_prop, ll)
            rate = jnp.mean(jnp.exp(jnp.minimum(log_a, 0.0)), axis=0)
            gain = 1.0 / jnp.sqrt(t + 1.0)
            log_scale = jnp.where(adapting, log_scale + gain * (rate - TARGET_ACCEPTANCE),
                                  log_scale)
            parity = t % 2
            keys = jax.random.split(k_swap, n_chains)
            (x, ll), attempted, swapped, _ = jax.vmap(
                lambda k, xc, lc: swap(k, (xc, lc), lc, temperatures, parity))(keys, x, ll)
            return (x, ll, log_scale, spread, key), (x, ll, accept, attempted, swapped)

        key, sub = jax.random.split(key)
        x = lo + (hi - lo) * jax.random.uniform(sub, (n_chains, n_b, n_p))
        carry = (x, loglik(x), jnp.full(n_b, np.log(2.38 / np.sqrt(n_p))), jnp.std(x, axis=0),
                 key)
        return jax.lax.scan(step, carry, jnp.arange(n_iterations))[1]

    return jax.jit(run)
