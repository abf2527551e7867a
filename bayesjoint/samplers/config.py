"""Settings of both samplers, in one vocabulary.

Both samplers name their shared settings alike: ``n_chains`` chains,
``n_iterations`` iterations per chain with the ``n_burn`` burn-in (warm-up)
iterations included, every ``thin``-th kept, ``chunk_size`` iterations per
file on disk, ``target_acceptance`` for the step-size adaptation, ``seed``
and ``progress_bar``. :data:`RENAMED` lists the names these replaced; a
settings object, a configuration file or a call given one of them raises a
ValueError naming the replacement.
"""

import functools
from dataclasses import dataclass

import numpy as np

from bayesjoint.data.checks import refuse_renamed
from bayesjoint.earth import LayeredEarth
from bayesjoint.samplers import adaptation, driver, rjmcmc
from bayesjoint.samplers import moves as mv
from bayesjoint.samplers.rjmcmc import BIRTH_MODES, N_DEPTH_BINS, ProposalScales
from bayesjoint.samplers.tempering import geometric_ladder
from bayesjoint.summaries.stopping import ConvergenceCriterion

RENAMED = {
    "num_chains": "n_chains",
    "num_warmup": "n_burn",
    "num_samples": "n_iterations",
    "thinning": "thin",
    "target_accept_prob": "target_acceptance",
    "segment_size": "chunk_size",
}
"""Former sampler setting names and the names that replaced them."""

RENAMED_NOTES = {"num_samples": " (iterations per chain, burn-in included: "
                                 "n_iterations = n_burn + num_samples)"}
"""Text appended to the message of a former name."""

BINNED_SCALES = tuple(name for name, move in zip(ProposalScales._fields,
                                                 adaptation.ADAPTED_MOVES)
                      if move in adaptation.BINNED_MOVES)
"""Fields of :class:`~bayesjoint.samplers.rjmcmc.ProposalScales` that take one
value per depth bin (or one for all bins); the others take one value."""


def _refusing_renamed(cls):
    """Make ``cls(former_name=...)`` (and ``dataclasses.replace``) raise ValueError."""
    init = cls.__init__

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        refuse_renamed(kwargs, RENAMED, notes=RENAMED_NOTES)
        init(self, *args, **kwargs)

    cls.__init__ = __init__
    return cls


def _check_int(name, value, low):
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} = {value!r}: must be an integer >= {low}")


def _check_fraction(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ValueError(f"{name} = {value!r}: must lie in (0, 1)")


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class InitialModel:
    """Starting model of every replica of a reversible-jump run.

    Attributes
    ----------
    top_depth_km : tuple of float, shape (k,)
        Top of each layer, km; the first is 0 and they increase strictly.
        ``k`` must lie in the prior's ``k_min .. k_max``.
    log10_sigma : tuple of float, shape (k,)
        log10 of the conductivity per layer, S/m.
    vs_km_s, vp_vs : tuple of float, shape (k,), or None
        Vs (km/s) and Vp/Vs per layer; required when a receiver-function
        dataset takes part.
    noise_scale : dict of str to float, or None
        Starting noise scale of the named datasets (> 0); the others start
        at 1.
    """

    top_depth_km: tuple[float, ...]
    log10_sigma: tuple[float, ...]
    vs_km_s: tuple[float, ...] | None = None
    vp_vs: tuple[float, ...] | None = None
    noise_scale: dict[str, float] | None = None

    def __post_init__(self):
        # the checks of the shared model: tops from 0 km, increasing, one value per layer
        LayeredEarth.from_layers(self.top_depth_km, log10_sigma=self.log10_sigma,
                                 vs_km_s=self.vs_km_s, vp_vs=self.vp_vs)
        if (self.vs_km_s is None) != (self.vp_vs is None):
            raise ValueError("give both vs_km_s and vp_vs, or neither")
        for name, value in (self.noise_scale or {}).items():
            if not (_is_number(value) and np.isfinite(value) and value > 0):
                raise ValueError(f"noise_scale.{name} = {value!r}: must be a number > 0")


CHAIN_METHODS = ("vectorized", "parallel", "sequential")
"""Values of :attr:`NUTSConfig.chain_method`."""


@_refusing_renamed
@dataclass(frozen=True)
class NUTSConfig:
    """Settings of a NUTS run.

    Attributes
    ----------
    n_chains : int
    n_iterations : int
        Iterations per chain, burn-in included.
    n_burn : int
        Warm-up iterations: discarded, and the only ones during which the
        step size and the mass matrix adapt.
    thin : int
        Keep every ``thin``-th iteration after the burn-in.
    chunk_size : int or None
        Iterations after the burn-in written to disk at a time (a multiple
        of ``thin`` dividing ``n_iterations - n_burn``); the burn-in runs
        with the first chunk. None writes one chunk.
    seed : int
        Seed of the PRNG key.
    target_acceptance : float
        Target acceptance of the step-size adaptation, in (0, 1).
    chain_method : {"vectorized", "parallel", "sequential"}
    max_tree_depth : int
    progress_bar : bool
    """

    n_chains: int = 4
    n_iterations: int = 1000
    n_burn: int = 500
    thin: int = 1
    chunk_size: int | None = None
    seed: int = 0
    target_acceptance: float = 0.85
    chain_method: str = "vectorized"
    max_tree_depth: int = 8
    progress_bar: bool = True

    def __post_init__(self):
        for name in ("n_chains", "n_iterations", "max_tree_depth", "thin"):
            _check_int(name, getattr(self, name), 1)
        _check_int("n_burn", self.n_burn, 0)
        if self.n_burn >= self.n_iterations:
            raise ValueError(f"n_burn = {self.n_burn}: must be smaller than "
                             f"n_iterations = {self.n_iterations}")
        if self.chain_method not in CHAIN_METHODS:
            raise ValueError(f"chain_method = {self.chain_method!r}: allowed values are "
                             f"{CHAIN_METHODS}")
        if self.chunk_size is not None:
            seg = self.chunk_size
            if not (isinstance(seg, int) and not isinstance(seg, bool) and seg >= 1
                    and self.n_sampling % seg == 0 and seg % self.thin == 0):
                raise ValueError(
                    f"chunk_size = {seg!r}: must be an integer >= 1 that divides "
                    f"n_iterations - n_burn = {self.n_sampling} and is a multiple of "
                    f"thin = {self.thin}")
        _check_fraction("target_acceptance", self.target_acceptance)
        if not isinstance(self.progress_bar, bool):
            raise ValueError(f"progress_bar = {self.progress_bar!r}: must be true or false")

    @property
    def n_sampling(self):
        """Iterations per chain after the burn-in."""
        return self.n_iterations - self.n_burn


@_refusing_renamed
@dataclass(frozen=True)
class RJMCMCConfig:
    """Settings of a reversible-jump MCMC run with parallel tempering.

    Attributes
    ----------
    n_chains : int
    n_iterations : int
        Iterations per chain, burn-in included (a multiple of ``chunk_size``);
        with ``until_converged`` the most a run may take.
    n_burn : int
        Burn-in iterations: discarded, and the only ones during which the
        proposal scales adapt.
    thin : int
        Keep every ``thin``-th iteration.
    chunk_size : int
        Iterations per compiled scan and per file written to disk.
    seed : int
    target_acceptance : float
        Acceptance rate the adaptation of each step aims at, in (0, 1).
    progress_bar : bool
    n_temperatures : int
        Replicas per chain on a geometric ladder from 1 to ``t_max`` (the
        start of the ladder adaptation); only the T = 1 replica's draws are
        kept.
    t_max : float
    birth : {"prior", "neighbour", "split"}
        Where the values of a new layer come from (the split mode keeps
        the split layer's travel times; :mod:`~bayesjoint.samplers.moves`).
    move_probs : dict of str to float, or None
        Probability of each move of
        :data:`~bayesjoint.samplers.moves.MOVES` (those not named get 0;
        the values sum to 1). None: :func:`~bayesjoint.samplers.rjmcmc.default_move_probs`.
    proposal_scales : dict of str to float or list of float, or None
        Starting steps, keyed by the fields of
        :class:`~bayesjoint.samplers.rjmcmc.ProposalScales` (each > 0; those of
        :data:`BINNED_SCALES` one value or one per depth bin); the fields not
        named take :func:`~bayesjoint.samplers.rjmcmc.default_proposal_scales`.
    initial : InitialModel or None
        Starting model of every replica; None draws each from the prior.
    max_predictive_draws : int
        Largest number of draws for which data are predicted (evenly spaced
        over the kept draws) for the predictive envelopes.
    until_converged : bool
        Stop after the first chunk at whose end the kept draws meet the
        convergence criterion (``rhat_max``, ``ess_min``).
    rhat_max, ess_min : float
        The criterion (:class:`~bayesjoint.summaries.stopping.ConvergenceCriterion`).
    time_budget_s : float or None
        Stop after the first chunk that ends past this wall time, s.
    n_depth_bins : int
        Depth bins of the depth-dependent step sizes.
    adapt_ladder : bool
        Adapt the temperature ladder to equal swap rates during burn-in.
    batch : {"map", "vmap"} or None
        How replicas share a device (:mod:`~bayesjoint.samplers.driver`);
        None: :func:`~bayesjoint.samplers.driver.default_batch`.
    n_devices : int or None
        Devices the chains are split over; None: as many as divide ``n_chains``.
    """

    n_chains: int = 4
    n_iterations: int = 20000
    n_burn: int = 10000
    thin: int = 10
    chunk_size: int = 1000
    seed: int = 0
    target_acceptance: float = 0.3
    progress_bar: bool = True
    n_temperatures: int = 1
    t_max: float = 10.0
    birth: str = "prior"
    move_probs: dict[str, float] | None = None
    proposal_scales: dict[str, float | list[float]] | None = None
    initial: InitialModel | None = None
    max_predictive_draws: int = 400
    until_converged: bool = False
    rhat_max: float = 1.01
    ess_min: float = 400.0
    time_budget_s: float | None = None
    n_depth_bins: int = N_DEPTH_BINS
    adapt_ladder: bool = True
    batch: str | None = None
    n_devices: int | None = None

    def __post_init__(self):
        for name in ("n_iterations", "n_chains", "n_temperatures", "thin", "chunk_size",
                     "max_predictive_draws", "n_depth_bins"):
            _check_int(name, getattr(self, name), 1)
        _check_int("n_burn", self.n_burn, 0)
        if self.n_burn >= self.n_iterations:
            raise ValueError(f"n_burn = {self.n_burn}: must be smaller than "
                             f"n_iterations = {self.n_iterations}")
        if self.chunk_size % self.thin:
            raise ValueError(f"chunk_size = {self.chunk_size}: must be a multiple of "
                             f"thin = {self.thin}")
        if self.n_iterations % self.chunk_size:
            raise ValueError(f"n_iterations = {self.n_iterations}: must be a multiple of "
                             f"chunk_size = {self.chunk_size}")
        if self.birth not in BIRTH_MODES:
            raise ValueError(f"birth = {self.birth!r}: allowed values are {BIRTH_MODES}")
        for name in ("until_converged", "adapt_ladder", "progress_bar"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} = {getattr(self, name)!r}: must be true or false")
        if self.time_budget_s is not None and (isinstance(self.time_budget_s, bool)
                                               or not self.time_budget_s > 0):
            raise ValueError(f"time_budget_s = {self.time_budget_s!r}: must be > 0 s")
        _check_fraction("target_acceptance", self.target_acceptance)
        if self.batch is not None and self.batch not in driver.BATCH_MODES:
            raise ValueError(f"batch = {self.batch!r}: allowed values are {driver.BATCH_MODES} "
                             "or None")
        if self.n_devices is not None:
            _check_int("n_devices", self.n_devices, 1)
            if self.n_chains % self.n_devices:
                raise ValueError(f"n_devices = {self.n_devices}: must divide "
                                 f"n_chains = {self.n_chains}")
        if self.initial is not None and not isinstance(self.initial, InitialModel):
            raise ValueError(f"initial = {self.initial!r}: give an InitialModel, or None to "
                             "draw the start from the prior")
        if self.move_probs is not None:
            check_move_probs_table(self.move_probs)
        if self.proposal_scales is not None:
            check_proposal_scales_table(self.proposal_scales, self.n_depth_bins)
        self.criterion()
        self.temperatures()

    def criterion(self):
        """The convergence criterion of ``until_converged``."""
        return ConvergenceCriterion(self.rhat_max, self.ess_min)

    def temperatures(self):
        """The temperature ladder, shape (n_temperatures,)."""
        return geometric_ladder(self.n_temperatures, self.t_max)


def check_move_probs_table(move_probs):
    """Raise ValueError unless ``move_probs`` maps move names to probabilities summing to 1.

    Checks what needs no prior: names in :data:`~bayesjoint.samplers.moves.MOVES`,
    numbers in [0, 1], a sum of 1, and birth and death both > 0 or both 0.
    (:func:`~bayesjoint.samplers.rjmcmc.check_move_probs` adds the checks
    against the prior and the data.)
    """
    if not isinstance(move_probs, dict):
        raise ValueError(f"move_probs = {move_probs!r}: give a table of move name = "
                         f"probability; moves are {', '.join(mv.MOVES)}")
    for name, p in move_probs.items():
        if name not in mv.MOVES:
            raise ValueError(f"move_probs.{name}: unknown move; allowed moves are "
                             f"{', '.join(mv.MOVES)}")
        if not (_is_number(p) and 0 <= p <= 1):
            raise ValueError(f"move_probs.{name} = {p!r}: must be a number in [0, 1]")
    total = sum(move_probs.values())
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"move_probs: the probabilities sum to {total:.6g}; they must sum "
                         "to 1 (moves not named get 0)")
    if (move_probs.get("birth", 0) > 0) != (move_probs.get("death", 0) > 0):
        raise ValueError("move_probs: birth and death must both be > 0 or both 0 (each is "
                         "the reverse of the other)")


def check_proposal_scales_table(proposal_scales, n_depth_bins):
    """Raise ValueError unless ``proposal_scales`` maps step names to valid steps.

    Names are the fields of :class:`~bayesjoint.samplers.rjmcmc.ProposalScales`;
    every value is finite and > 0; those of :data:`BINNED_SCALES` may be a
    list of one value or of ``n_depth_bins`` values (shallowest bin first).
    """
    fields = ProposalScales._fields
    if not isinstance(proposal_scales, dict):
        raise ValueError(f"proposal_scales = {proposal_scales!r}: give a table of step name = "
                         f"value; names are {', '.join(fields)}")
    for name, value in proposal_scales.items():
        if name not in fields:
            raise ValueError(f"proposal_scales.{name}: unknown step; allowed names are "
                             f"{', '.join(fields)}")
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        if isinstance(value, (list, tuple)):
            if name not in BINNED_SCALES:
                raise ValueError(f"proposal_scales.{name} = {value!r}: must be one number "
                                 f"(only {', '.join(BINNED_SCALES)} take one value per "
                                 "depth bin)")
            if len(values) not in (1, n_depth_bins):
                raise ValueError(f"proposal_scales.{name} has {len(values)} values: give one, "
                                 f"or one per depth bin (n_depth_bins = {n_depth_bins})")
        if not all(_is_number(v) and np.isfinite(v) and v > 0 for v in values):
            raise ValueError(f"proposal_scales.{name} = {value!r}: must be finite and > 0")


RUN_ONLY_FIELDS = ("max_predictive_draws",)
"""Fields of :class:`RJMCMCConfig` that the sampler does not use (they shape
the predictive envelopes of a finished run)."""


def rjmcmc_run_arguments(config: RJMCMCConfig, spec, dataset_names, seismic):
    """The keyword arguments of :func:`bayesjoint.samplers.run.run` for ``config``.

    Every field of ``config`` but :data:`RUN_ONLY_FIELDS` maps onto one
    argument: most by name, the others resolved against the prior and the
    datasets (the temperature ladder, the convergence criterion, the
    starting proposal scales completed by the defaults, the starting model
    and noise scales).

    Parameters
    ----------
    config : RJMCMCConfig
    spec : PriorSpec
    dataset_names : sequence of str
        Names of the datasets in the order of the log-likelihood's noise scales.
    seismic : bool
        Whether Vs and Vp/Vs are sampled.

    Returns
    -------
    dict
        All arguments of ``run`` except ``log_likelihood_fn``, ``spec``,
        ``out_dir``, ``depth_grid_km`` and ``resume``.
    """
    same = ("n_iterations", "n_burn", "n_chains", "thin", "chunk_size", "seed", "birth",
            "target_acceptance", "move_probs", "n_depth_bins", "adapt_ladder", "time_budget_s",
            "batch", "n_devices")
    out = {name: getattr(config, name) for name in same}
    scales = rjmcmc.default_proposal_scales(spec, config.n_depth_bins)
    initial, noise = "prior", None
    if config.initial is not None:
        start = config.initial
        if not seismic and (start.vs_km_s is not None or start.vp_vs is not None):
            raise ValueError("initial: vs_km_s and vp_vs are sampled only with a "
                             "receiver-function dataset; this run has none")
        seismic_values = {"vs_km_s": start.vs_km_s, "vp_vs": start.vp_vs} if seismic else {}
        initial = LayeredEarth.from_layers(start.top_depth_km, log10_sigma=start.log10_sigma,
                                           k_max=spec.k_max, **seismic_values)
        named = start.noise_scale or {}
        noise = np.array([float(named.get(name, 1.0)) for name in dataset_names])
    out.update(
        temperatures=tuple(float(t) for t in config.temperatures()),
        until_converged=config.criterion() if config.until_converged else None,
        progress=config.progress_bar,
        proposal_scales=scales._replace(**(config.proposal_scales or {})),
        initial=initial, initial_noise_scale=noise,
        n_datasets=len(dataset_names), seismic=bool(seismic))
    return out
