"""MT forward model on the shared layered Earth."""

import jax.numpy as jnp

from bayesjoint.data import MTSurvey
from bayesjoint.earth import LayeredEarth
from bayesjoint.physics import mt as mt_physics


def predict_mt(earth: LayeredEarth, survey: MTSurvey, active_only=False):
    """Predicted MT data vector of a survey, shape (2P,) (layout of ``MTData.observed()``).

    ``[Re Z, Im Z]`` in ohm for ``survey.kind == "impedance"``, else
    ``[log10 rho_a, phase_deg]``.

    With ``active_only`` the recursion visits only the model's active
    layers (same values, cost following the layer count; no reverse-mode
    gradient), see :func:`bayesjoint.physics.mt.impedance`.
    """
    thickness_m, sigma = earth.sigma_stack()
    period = jnp.asarray(survey.period_s)
    z = mt_physics.impedance(period, thickness_m, sigma,
                             n_active=earth.n_layers if active_only else None)
    if survey.kind == "impedance":
        return jnp.concatenate([z.real, z.imag])
    rho_a, phase = mt_physics.apparent_resistivity_phase(period, z)
    return jnp.concatenate([jnp.log10(rho_a), phase])
