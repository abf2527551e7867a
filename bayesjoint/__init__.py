"""bayesjoint: Bayesian joint inversion of geophysical data for a 1-D layered Earth.

Importing the package switches JAX to 64-bit floating point
(``jax_enable_x64``). Every forward model and likelihood in bayesjoint is
written for float64: electromagnetic responses span many decades and the
propagator recursions lose accuracy in float32. The switch is global to the
JAX process; it is made here, once, so that no module needs to repeat it.

JAX itself is not imported here, so that the command line answers ``--help``
and argument errors at once: if JAX is already loaded its configuration is
updated, otherwise ``JAX_ENABLE_X64=1`` in the environment makes JAX start in
float64 when it is first imported. ``LayeredEarth`` is loaded on first use.
"""

import os as _os
import sys as _sys

if "jax" in _sys.modules:
    _sys.modules["jax"].config.update("jax_enable_x64", True)
else:
    _os.environ["JAX_ENABLE_X64"] = "1"

__version__ = "0.1.0"

__all__ = ["LayeredEarth", "__version__"]


def __getattr__(name):
    if name == "LayeredEarth":
        from bayesjoint.earth import LayeredEarth

        return LayeredEarth
    raise AttributeError(f"module 'bayesjoint' has no attribute {name!r}")
