"""Forward models: pure JAX functions, arrays in and arrays out.

Modules here import only ``jax`` and ``numpy``-like constants; they know
nothing of datasets, priors or samplers. Every function works under
``jax.jit``, ``jax.vmap`` and ``jax.grad``.
"""
