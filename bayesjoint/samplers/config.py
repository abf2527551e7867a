"""Settings of the reversible-jump sampler as used by runs and configuration files."""

from dataclasses import dataclass

from bayesjoint.samplers.rjmcmc import BIRTH_MODES
from bayesjoint.samplers.tempering import geometric_ladder


@dataclass(frozen=True)
class RJMCMCConfig:
    """Settings of a reversible-jump MCMC run with parallel tempering.

    Attributes
    ----------
    n_iterations : int
        Iterations per chain, burn-in included (a multiple of ``chunk_size``).
    n_burn : int
        Burn-in iterations: discarded, and the only ones during which the
        proposal scales adapt.
    n_chains : int
    n_temperatures : int
        Replicas per chain on a geometric ladder from 1 to ``t_max``; only
        the T = 1 replica's draws are kept.
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

    def __post_init__(self):
        for name in ("n_iterations", "n_chains", "n_temperatures", "thin", "chunk_size",
                     "max_predictive_draws"):
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
        self.temperatures()

    def temperatures(self):
        """The temperature ladder, shape (n_temperatures,)."""
        return geometric_ladder(self.n_temperatures, self.t_max)
