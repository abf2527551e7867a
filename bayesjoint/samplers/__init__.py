"""Samplers: reversible-jump MCMC with parallel tempering (``moves``, ``rjmcmc``,
``tempering``, ``run``), BlackJAX style, pure JAX, vectorised over chains and
temperatures."""
