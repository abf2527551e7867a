"""bayesjoint: Bayesian joint inversion of geophysical data for a 1-D layered Earth.

Importing the package switches JAX to 64-bit floating point
(``jax_enable_x64``). Every forward model and likelihood in bayesjoint is
written for float64: electromagnetic responses span many decades and the
propagator recursions lose accuracy in float32. The switch is global to the
JAX process; it is made here, once, so that no module needs to repeat it.
"""

import jax as _jax

_jax.config.update("jax_enable_x64", True)

from bayesjoint.earth import LayeredEarth  # noqa: E402

__version__ = "0.1.0"

__all__ = ["LayeredEarth", "__version__"]
