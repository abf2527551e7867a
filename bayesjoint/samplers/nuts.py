"""NUTS for fixed-dimension models, through NumPyro.

Chains run ``"vectorized"`` (one batched computation), ``"parallel"`` (one
XLA device each; on a CPU set the device count first with
:func:`set_host_device_count`) or ``"sequential"``. On a 2-core CPU the
vectorized form is about as fast as sequential chains and ``"parallel"`` is
about twice as fast; on a GPU vectorized chains are the fast choice.
"""

from dataclasses import dataclass

import jax
from numpyro.infer import MCMC, NUTS

CHAIN_METHODS = ("vectorized", "parallel", "sequential")


@dataclass(frozen=True)
class NUTSConfig:
    """Settings of a NUTS run.

    Attributes
    ----------
    num_chains, num_warmup, num_samples : int
        Chains, warm-up (adaptation) iterations and kept draws per chain.
    seed : int
        Seed of the PRNG key.
    chain_method : {"vectorized", "parallel", "sequential"}
    target_accept_prob : float
        Target acceptance of step-size adaptation, in (0, 1).
    max_tree_depth : int
    thinning : int
    progress_bar : bool
    """

    num_chains: int = 4
    num_warmup: int = 500
    num_samples: int = 500
    seed: int = 0
    chain_method: str = "vectorized"
    target_accept_prob: float = 0.85
    max_tree_depth: int = 8
    thinning: int = 1
    progress_bar: bool = True

    def __post_init__(self):
        for name in ("num_chains", "num_samples", "max_tree_depth", "thinning"):
            v = getattr(self, name)
            if not (isinstance(v, int) and v >= 1):
                raise ValueError(f"{name} = {v!r}: must be an integer >= 1")
        if not (isinstance(self.num_warmup, int) and self.num_warmup >= 0):
            raise ValueError(f"num_warmup = {self.num_warmup!r}: must be an integer >= 0")
        if self.chain_method not in CHAIN_METHODS:
            raise ValueError(f"chain_method = {self.chain_method!r}: allowed values are {CHAIN_METHODS}")
        if not 0 < self.target_accept_prob < 1:
            raise ValueError(f"target_accept_prob = {self.target_accept_prob!r}: must lie in (0, 1)")


def set_host_device_count(n: int) -> bool:
    """Ask XLA for ``n`` CPU devices so ``"parallel"`` chains can run.

    Must be called before JAX first computes anything; returns False (and
    changes nothing) when the backend is already initialised.
    """
    try:
        jax.config.update("jax_num_cpu_devices", int(n))
    except RuntimeError:
        return False
    return True


def run_nuts(model, config: NUTSConfig, *, init_params=None, extra_fields=()):
    """Run NUTS on a NumPyro model.

    Parameters
    ----------
    model : callable
        NumPyro model without arguments (see :func:`bayesjoint.model.joint.build_model`).
    config : NUTSConfig
    init_params : dict, optional
        Initial values in the constrained space.
    extra_fields : tuple of str
        Extra per-draw fields to collect (e.g. ``("diverging",)``).

    Returns
    -------
    numpyro.infer.MCMC
        The finished run; ``get_samples(group_by_chain=True)`` gives draws of
        shape (chains, draws, ...).
    """
    chain_method = config.chain_method
    if chain_method == "parallel" and jax.local_device_count() < config.num_chains:
        chain_method = "vectorized"
    kernel = NUTS(model, target_accept_prob=config.target_accept_prob,
                  max_tree_depth=config.max_tree_depth)
    mcmc = MCMC(kernel, num_warmup=config.num_warmup, num_samples=config.num_samples,
                num_chains=config.num_chains, thinning=config.thinning,
                chain_method=chain_method, progress_bar=config.progress_bar)
    fields = tuple(sorted(set(("diverging", "num_steps", "accept_prob") + tuple(extra_fields))))
    mcmc.run(jax.random.PRNGKey(config.seed), init_params=init_params, extra_fields=fields)
    return mcmc
