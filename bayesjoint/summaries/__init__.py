"""Posterior summaries on a depth grid, convergence diagnostics, ArviZ output."""
