"""Settings of the X-discontinuity model comparison (no JAX: the command line reads them)."""

from dataclasses import dataclass

FORWARDS = ("linearised", "exact")
"""Forward models of :class:`ComparisonSettings`."""


@dataclass(frozen=True)
class ComparisonSettings:
    """Settings of the model comparison.

    Attributes
    ----------
    reference : {"ak135", "iasp91", "prem"}
        Reference Earth of both models.
    layer_km : float
        Sub-layer thickness of the reference, km.
    evidence : {"stepping_stone", "thermodynamic_integration"}
    n_betas : int
        Rungs of the tempering ladder (:func:`power_ladder`).
    n_chains, n_iterations, n_burn, thin : int
        Of :func:`sample_power_posteriors`, per model.
    prior_odds : float
        ``P(X) / P(no X)`` before the data (1: even odds, P(X) = 1/2).
    window_s : (float, float or None)
        Time window after the direct P that enters the likelihood, s (None:
        to the end of the record).
    forward : {"linearised", "exact"}
        Forward model of the samplers: the Born approximation around the
        posterior median, re-linearised ``n_linearisations`` times and
        corrected to the exact forward by importance sampling from
        ``n_importance`` posterior draws (:mod:`bayesjoint.model.xdisc_likelihood`),
        or the exact forward throughout (about 100 times slower).
    n_linearisations : int
        Linearisation points, >= 1: the prior's centre, then the posterior
        median of a run of a quarter of the iterations, and so on; the
        last run is the full one.
    n_importance : int
        Posterior draws per model whose exact likelihood corrects the
        evidence and weights the posterior.
    seed : int
    """

    reference: str = "ak135"
    layer_km: float = 10.0
    evidence: str = "stepping_stone"
    n_betas: int = 12
    n_chains: int = 8
    n_iterations: int = 2000
    n_burn: int = 1000
    thin: int = 1
    prior_odds: float = 1.0
    window_s: tuple = (20.0, None)
    forward: str = "linearised"
    n_linearisations: int = 2
    n_importance: int = 100
    seed: int = 0
