"""Marginal likelihood (evidence) from draws of power posteriors.

With ``p_beta(m) ~ prior(m) L(m)^beta`` on a ladder ``0 = beta_0 < ... <
beta_K = 1`` and draws ``m`` of each rung:

Stepping-stone (Xie et al. 2011, Syst. Biol. 60, 150, eq. 9)::

    log Z = sum_k log mean_{m ~ p_{beta_(k-1)}} L(m)^(beta_k - beta_(k-1))

Thermodynamic integration (Gelman & Meng 1998; Lartillot & Philippe
2006)::

    log Z = int_0^1 E_beta[log L] d beta      (trapezoid rule over the rungs)

Monte Carlo error
-----------------
Each rung's draws (chains, draws) are cut into batches: each chain in
:data:`BATCHES_PER_CHAIN` consecutive pieces. The standard error of a
rung's mean is the spread of the batch means over the square root of their
number, which accounts for the autocorrelation within chains; rungs are
independent given their draws, so the variances add (through the
logarithm's derivative for the stepping-stone ratios, through the trapezoid
weights for thermodynamic integration). The trapezoid rule's own
discretisation error is not part of that number; the stepping-stone
estimate has none.
"""

from typing import NamedTuple

import numpy as np

METHODS = ("stepping_stone", "thermodynamic_integration")
"""Evidence estimators of :func:`log_evidence`."""

BATCHES_PER_CHAIN = 4
"""Consecutive batches each chain's draws are cut into for the Monte Carlo error."""


class Evidence(NamedTuple):
    """A log-evidence estimate.

    Attributes
    ----------
    log_evidence : float
        Natural log of the marginal likelihood.
    mc_error : float
        Its Monte Carlo standard error.
    method : str
        One of :data:`METHODS`.
    """

    log_evidence: float
    mc_error: float
    method: str


def _batch_means(values):
    """Batch means of (chains, draws) values: shape (chains * BATCHES_PER_CHAIN,)."""
    n = values.shape[1] // BATCHES_PER_CHAIN * BATCHES_PER_CHAIN
    if n == 0:
        raise ValueError(f"need at least {BATCHES_PER_CHAIN} draws per chain, got "
                         f"{values.shape[1]}")
    return values[:, :n].reshape(values.shape[0], BATCHES_PER_CHAIN, -1).mean(axis=2).ravel()


def _standard_error(values):
    """Standard error of the mean of (chains, draws) values from batch means."""
    means = _batch_means(values)
    return float(np.std(means, ddof=1) / np.sqrt(means.size))


def _ascending(betas, log_likelihood):
    """The ladder and log-likelihoods ordered by increasing beta, checked."""
    b = np.asarray(betas, dtype=float)
    ll = np.asarray(log_likelihood, dtype=float)
    if ll.ndim != 3 or ll.shape[2] != b.size:
        raise ValueError(f"log_likelihood must have shape (chains, draws, {b.size}), "
                         f"got {ll.shape}")
    order = np.argsort(b)
    b, ll = b[order], ll[:, :, order]
    if b[0] != 0.0 or b[-1] != 1.0 or np.any(np.diff(b) <= 0):
        raise ValueError(f"betas = {np.asarray(betas).tolist()}: need distinct values from 0 "
                         "to 1, both included")
    if not np.all(np.isfinite(ll)):
        raise ValueError("log_likelihood holds values that are not finite")
    return b, ll


def stepping_stone(betas, log_likelihood):
    """Stepping-stone estimate of the log-evidence (module docstring).

    Parameters
    ----------
    betas : array_like, shape (B,)
        Inverse temperatures, 0 and 1 included, in any order.
    log_likelihood : array_like, shape (C, N, B)
        Untempered log-likelihood of draws of each rung (chains, draws, rungs).

    Returns
    -------
    Evidence
    """
    b, ll = _ascending(betas, log_likelihood)
    total, var = 0.0, 0.0
    for k in range(1, b.size):
        x = (b[k] - b[k - 1]) * ll[:, :, k - 1]
        shift = np.max(x)
        w = np.exp(x - shift)
        mean = np.mean(w)
        total += shift + np.log(mean)
        var += (_standard_error(w) / mean) ** 2
    return Evidence(float(total), float(np.sqrt(var)), "stepping_stone")


def thermodynamic_integration(betas, log_likelihood):
    """Thermodynamic-integration estimate of the log-evidence (module docstring).

    Parameters and return value as in :func:`stepping_stone`.
    """
    b, ll = _ascending(betas, log_likelihood)
    means = ll.mean(axis=(0, 1))
    errors = np.array([_standard_error(ll[:, :, k]) for k in range(b.size)])
    gaps = np.diff(b)
    weights = np.zeros(b.size)
    weights[:-1] += gaps / 2.0
    weights[1:] += gaps / 2.0
    return Evidence(float(np.sum(weights * means)), float(np.sqrt(np.sum((weights * errors) ** 2))),
                    "thermodynamic_integration")


def log_evidence(betas, log_likelihood, method="stepping_stone"):
    """The log-evidence by ``method`` (one of :data:`METHODS`)."""
    if method == "stepping_stone":
        return stepping_stone(betas, log_likelihood)
    if method == "thermodynamic_integration":
        return thermodynamic_integration(betas, log_likelihood)
    raise ValueError(f"method = {method!r}: allowed values are {METHODS}")


def posterior_model_probability(log_evidence_x, log_evidence_0, prior_odds=1.0):
    """Posterior probability of model 1 and the Bayes factor, from two log-evidences.

    ``BF = Z_1 / Z_0`` and ``P(1 | d) = BF q / (1 + BF q)`` for prior odds
    ``q = P(1) / P(0)``.

    Returns
    -------
    probability, log_bayes_factor : float
    """
    if not (np.isfinite(prior_odds) and prior_odds > 0):
        raise ValueError(f"prior_odds = {prior_odds!r}: must be finite and > 0")
    log_bf = float(log_evidence_x - log_evidence_0)
    log_post_odds = log_bf + np.log(prior_odds)
    # the logistic function as exp(-log(1 + e^-x)): no overflow at any odds
    return float(np.exp(-np.logaddexp(0.0, -log_post_odds))), log_bf
