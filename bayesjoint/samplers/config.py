"""Settings of the reversible-jump sampler as used by runs and configuration files."""

from dataclasses import dataclass

from bayesjoint.samplers.rjmcmc import BIRTH_MODES, N_DEPTH_BINS
from bayesjoint.samplers.tempering import geometric_ladder
from bayesjoint.summaries.stopping import ConvergenceCriterion


@dataclass(frozen=True)
class RJMCMCConfig:
    """Settings of a reversible-jump MCMC run with parallel tempering.

    Attributes
    ----------
    n_iterations : int
        Iterations per chain, burn-in included (a multiple of ``chunk_size``);
        with ``until_converged`` the most a run may take.
    n_burn : int
        Burn-in iterations: discarded, and the only ones during which the
        proposal scales adapt.
    n_chains : int
    n_temperatures : int
        Replicas per chain on a geometric ladder from 1 to ``t_max`` (the
        start of the ladder adaptation); only the T = 1 replica's draws are
        kept.
    t_max : float
    thin : int
        Keep every ``thin``-th iteration.
    chunk_size : int
        Iterations per compiled scan and per file written to disk.
    seed : int
    birth : {"prior", "neighbour"}
        Where the value of a new layer is drawn from.
    progress_bar : bool
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
    """

    n_iterations: int = 20000
    n_burn: int = 10000
    n_chains: int = 4
    n_temperatures: int = 1
    t_max: float = 10.0
    thin: int = 10
    chunk_size: int = 1000
    seed: int = 0
    birth: str = "prior"
    progress_bar: bool = True
    max_predictive_draws: int = 400
    until_converged: bool = False
    rhat_max: float = 1.01
    ess_min: float = 400.0
    time_budget_s: float | None = None
    n_depth_bins: int = N_DEPTH_BINS
    adapt_ladder: bool = True

    def __post_init__(self):
        for name in ("n_iterations", "n_chains", "n_temperatures", "thin", "chunk_size",
                     "max_predictive_draws", "n_depth_bins"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} = {v!r}: must be an integer >= 1")
        if isinstance(self.n_burn, bool) or not isinstance(self.n_burn, int) or self.n_burn < 0:
            raise ValueError(f"n_burn = {self.n_burn!r}: must be an integer >= 0")
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
        self.criterion()
        self.temperatures()

    def criterion(self):
        """The convergence criterion of ``until_converged``."""
        return ConvergenceCriterion(self.rhat_max, self.ess_min)

    def temperatures(self):
        """The temperature ladder, shape (n_temperatures,)."""
        return geometric_ladder(self.n_temperatures, self.t_max)
