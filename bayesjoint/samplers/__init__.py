"""Samplers: NumPyro NUTS for fixed dimension (``nuts``) and reversible-jump MCMC
with parallel tempering (``moves``, ``rjmcmc``, ``tempering``, ``run``), pure JAX,
vectorised over chains and temperatures; both write their chains through one
chain store (``store``). Their settings (``config``) share one vocabulary."""
