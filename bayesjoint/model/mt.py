"""MT forward model on the shared layered Earth."""

import functools

import jax.numpy as jnp

from bayesjoint.data import MTData
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.registry import register
from bayesjoint.physics import mt as mt_physics


def predict_mt(earth: LayeredEarth, data: MTData, active_only=False):
    """Predicted MT data vector for ``data`` (layout of ``data.observed()``).

    With ``active_only`` the recursion visits only the model's active
    layers (same values, cost following the layer count; no reverse-mode
    gradient), see :func:`bayesjoint.physics.mt.impedance`.
    """
    thickness_m, sigma = earth.sigma_stack()
    period = jnp.asarray(data.period_s)
    z = mt_physics.impedance(period, thickness_m, sigma,
                             n_active=earth.n_layers if active_only else None)
    if data.kind == "impedance":
        return jnp.concatenate([z.real, z.imag])
    rho_a, phase = mt_physics.apparent_resistivity_phase(period, z)
    return jnp.concatenate([jnp.log10(rho_a), phase])


register(MTData, predict_mt, predict_active=functools.partial(predict_mt, active_only=True))
