"""Probability: the shared layered-Earth prior, likelihoods and joint models.

NumPyro is allowed here; no sampler code is.
"""
