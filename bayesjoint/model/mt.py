"""MT forward model on the shared layered Earth."""

import jax.numpy as jnp

from bayesjoint.data import MTData
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.registry import register
from bayesjoint.physics import mt as mt_physics


def predict_mt(earth: LayeredEarth, data: MTData):
    """Predicted MT data vector for ``data`` (layout of ``data.observed()``)."""
    thickness_m, sigma = earth.sigma_stack()
    period = jnp.asarray(data.period_s)
    z = mt_physics.impedance(period, thickness_m, sigma)
    if data.kind == "impedance":
        return jnp.concatenate([z.real, z.imag])
    rho_a, phase = mt_physics.apparent_resistivity_phase(period, z)
    return jnp.concatenate([jnp.log10(rho_a), phase])


register(MTData, predict_mt)
