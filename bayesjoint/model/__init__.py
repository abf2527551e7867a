"""Probability: the shared layered-Earth prior, likelihoods and joint models.

NumPyro is allowed here; no sampler code is. Which forward model and
likelihood belong to which dataset type is in :mod:`bayesjoint.datatypes`.
"""
