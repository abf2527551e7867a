"""Settings of the X-discontinuity model comparison (no JAX: the command line reads them)."""

import math
from dataclasses import dataclass

from bayesjoint.physics.reference import MODELS as REFERENCES

TRANSD_METHODS = ("transd_steps", "transd")
"""The trans-dimensional methods of ``bayesjoint xdisc`` (judged by the convergence of
their chains): steps on reference Earths (:class:`StepsSettings`) and a free layered
Earth (:class:`TransdSettings`)."""

FORWARDS = ("linearised", "exact")
"""Forward models of :class:`ComparisonSettings`."""


@dataclass(frozen=True)
class ComparisonSettings:
    """Settings of the model comparison.

    Attributes
    ----------
    references : tuple of {"ak135", "iasp91", "prem"}
        Reference Earths of both models, equally probable before the data;
        ``p_x`` and the posterior are averaged over them by their evidence
        (:func:`bayesjoint.samplers.xdisc_comparison.compare`). One name
        fixes the reference.
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
        Linearisation points, >= 1: the centre of both models' priors,
        then the posterior median of a run of a quarter of the iterations,
        and so on; the last run is the full one.
    n_importance : int
        Posterior draws per model and reference whose exact likelihood
        corrects the evidence.
    seed : int
    """

    references: tuple = ("ak135", "iasp91", "prem")
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


def check_references(refs):
    """``ValueError`` unless ``refs`` is a non-empty tuple of distinct reference names."""
    if (not isinstance(refs, tuple) or not refs or len(set(refs)) != len(refs)
            or any(r not in REFERENCES for r in refs)):
        raise ValueError(f"references = {refs!r}: a tuple of distinct names from "
                         f"{tuple(REFERENCES)}")


def check_counts(settings, names):
    """``ValueError`` naming the first of the fields ``names`` of ``settings`` that is not
    an integer >= 1."""
    for name in names:
        value = getattr(settings, name)
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{name} = {value!r}: must be an integer >= 1")


def check_chunked_run(settings, multiples):
    """``ValueError`` naming the first bad setting of a chunked tempered run: the fields
    ``multiples`` not multiples of ``chunk_size``, a ``thin`` that does not divide it, a
    ``t_max`` below 1 or a ``time_budget_s`` not above 0."""
    for name in multiples:
        if getattr(settings, name) % settings.chunk_size:
            raise ValueError(f"{name} = {getattr(settings, name)!r}: must be a multiple of "
                             f"chunk_size = {settings.chunk_size}")
    if settings.chunk_size % settings.thin:
        raise ValueError(f"thin = {settings.thin!r}: must divide chunk_size = "
                         f"{settings.chunk_size}")
    if not (math.isfinite(settings.t_max) and settings.t_max >= 1.0):
        raise ValueError(f"t_max = {settings.t_max!r}: must be >= 1")
    if not (math.isfinite(settings.time_budget_s) and settings.time_budget_s > 0):
        raise ValueError(f"time_budget_s = {settings.time_budget_s!r}: must be > 0 s")


def check_settings(settings: ComparisonSettings):
    """Raise ``ValueError`` naming the setting unless ``settings`` are usable."""
    check_references(settings.references)
    if settings.forward not in FORWARDS:
        raise ValueError(f"forward = {settings.forward!r}: allowed values are {FORWARDS}")
    if settings.n_linearisations < 1 or settings.n_importance < 2:
        raise ValueError(f"need n_linearisations >= 1 (got {settings.n_linearisations}) and "
                         f"n_importance >= 2 (got {settings.n_importance})")


@dataclass(frozen=True)
class TransdSettings:
    """Settings of the trans-dimensional X-discontinuity inversion.

    Attributes
    ----------
    reference : {"ak135", "iasp91", "prem"}
        Reference Earth of the record-length check only (the prior has no
        reference model).
    window_s : (float, float or None)
        Time window after the direct P that enters the likelihood, s.
    k_min, k_max : int
        Range of the number of layers (the half-space included).
    depth_max_km : float
        Deepest interface, km.
    min_thickness_km : float
        Thinnest layer, km.
    vs_km_s : (float, float)
        Uniform prior bounds of Vs in every layer, km/s.
    vp_vs : (float, float)
        Uniform prior bounds of Vp/Vs in every layer.
    noise_scale : (float, float)
        Log-uniform prior bounds of the factor on the stated standard
        deviations.
    n_chains, n_temperatures : int
        Independent chains, and tempered replicas per chain.
    t_max : float
        Hottest temperature of the starting ladder (adapted during burn-in).
    n_iterations : int
        Most iterations per chain, burn-in included (a multiple of
        ``chunk_size``); the time budget usually ends the run first.
    n_burn, thin, chunk_size : int
        Of :func:`bayesjoint.samplers.run.run`.
    prior_iterations, prior_chains : int
        Iterations per chain (the first ``chunk_size`` of them not kept)
        and chains of the prior-only run that estimates the prior
        probability of an X. Without a likelihood an iteration is cheap,
        but the number of layers changes slowly from draw to draw: many
        chains make the estimate precise.
    time_budget_s : float
        Wall time of both runs together, compilation included, s.
    seed : int
    """

    reference: str = "ak135"
    window_s: tuple = (20.0, None)
    k_min: int = 2
    k_max: int = 20
    depth_max_km: float = 800.0
    min_thickness_km: float = 20.0
    vs_km_s: tuple = (3.0, 6.5)
    vp_vs: tuple = (1.65, 1.95)
    noise_scale: tuple = (0.5, 2.0)
    n_chains: int = 4
    n_temperatures: int = 4
    t_max: float = 10.0
    n_iterations: int = 1_000_000
    n_burn: int = 10_000
    thin: int = 10
    chunk_size: int = 1000
    prior_iterations: int = 20_000
    prior_chains: int = 32
    time_budget_s: float = 480.0
    seed: int = 0


@dataclass(frozen=True)
class StepsSettings:
    """Settings of the trans-dimensional inversion for discontinuities on a reference.

    Attributes
    ----------
    references : tuple of {"ak135", "iasp91", "prem"}
        Reference Earths, equally probable before the data; the sampler
        moves between them.
    layer_km : float
        Sub-layer thickness of the references, km.
    window_s : (float, float or None)
        Time window after the direct P that enters the likelihood, s.
    k_max : int
        Most steps (the number is uniform on ``0..k_max``).
    depth_km : (float, float)
        Uniform prior bounds of every step's depth, km.
    jump : (float, float)
        Uniform prior bounds of every step's relative Vs jump.
    noise_scale : (float, float)
        Log-uniform prior bounds of the factor on the stated standard
        deviations.
    n_chains, n_temperatures : int
        Independent chains, and tempered replicas per chain.
    t_max : float
        Hottest temperature (geometric ladder from 1).
    n_iterations, n_burn, thin, chunk_size : int
        Iterations per chain of the final run (burn-in included), of which
        the first ``n_burn`` are not kept; every ``thin``-th is kept;
        iterations per compiled chunk.
    n_linearisations : int
        Linearisation points of the forward model, >= 1: the references
        with the 410 and 660 at the centres of the windows, then the
        posterior median of a run of ``n_pilot`` iterations, and so on.
    n_pilot : int
        Iterations per chain of each run before the final one (its first
        half not kept).
    n_importance : int
        Posterior draws whose exact likelihood corrects the linearised
        posterior by importance sampling.
    time_budget_s : float
        The final run starts no new chunk after this much wall time since
        the inversion began (its burn-in always ends), s.
    seed : int
    """

    references: tuple = ("ak135", "iasp91", "prem")
    layer_km: float = 10.0
    window_s: tuple = (20.0, None)
    k_max: int = 8
    depth_km: tuple = (200.0, 720.0)
    jump: tuple = (-0.06, 0.10)
    noise_scale: tuple = (0.5, 2.0)
    n_chains: int = 4
    n_temperatures: int = 10
    t_max: float = 3000.0
    n_iterations: int = 2_000_000
    n_burn: int = 20_000
    thin: int = 20
    chunk_size: int = 5000
    n_linearisations: int = 2
    n_pilot: int = 20_000
    n_importance: int = 1000
    time_budget_s: float = 480.0
    seed: int = 0
