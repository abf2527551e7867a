"""Dst and Sq forward models on the shared layered Earth.

The layered Earth becomes a radially layered sphere (Banks 1969; Kuvshinov
2008): the padded layer stack of :meth:`~bayesjoint.earth.LayeredEarth.sigma_stack`
from the surface down, its last active layer extending to the core at
``core_depth_km``, then the core. Zero-thickness padding leaves the sphere
responses unchanged, so one compiled function serves every layer count.
"""

import jax.numpy as jnp
import numpy as np

from bayesjoint.data import DstSurvey, SqSurvey
from bayesjoint.earth import LayeredEarth
from bayesjoint.physics import geomag as geomag_physics
from bayesjoint.physics import sphere


def sphere_stack(earth: LayeredEarth, core_depth_km, core_sigma_s_per_m):
    """Shells and core of the sphere for a layered Earth.

    Parameters
    ----------
    earth : LayeredEarth (unbatched)
        Its deepest interface must lie above ``core_depth_km``.
    core_depth_km : float
        Depth of the core, km.
    core_sigma_s_per_m : float
        Core conductivity, S/m.

    Returns
    -------
    thickness_m : array, shape (K_max,)
        The padded stack's K_max - 1 thicknesses and the thickness of its
        last layer down to the core, m.
    sigma_s_per_m : array, shape (K_max + 1,)
        Conductivity of each shell, then of the core, S/m (the input of
        :func:`bayesjoint.physics.sphere.q_response`).
    """
    thickness_m, sigma = earth.sigma_stack()
    bottom_m = core_depth_km * 1e3 - jnp.sum(thickness_m)
    return (jnp.concatenate([thickness_m, bottom_m[None]]),
            jnp.concatenate([sigma, jnp.full((1,), core_sigma_s_per_m, dtype=sigma.dtype)]))


def _n_active(earth: LayeredEarth, active_only):
    """Shells and core the sphere recursion visits: the k layers and the core."""
    return earth.n_layers + 1 if active_only else None


def predict_dst(earth: LayeredEarth, survey: DstSurvey, active_only=False):
    """Predicted Dst data vector ``[Re, Im]`` of Q_n or C_n (km), shape (2P,).

    With ``active_only`` the recursion visits only the active layers (same
    values, no reverse-mode gradient), see
    :func:`bayesjoint.physics.sphere.q_response`.
    """
    thickness_m, sigma = sphere_stack(earth, survey.core_depth_km, survey.core_sigma_s_per_m)
    response = sphere.q_response if survey.kind == "q" else sphere.c_response_km
    v = response(jnp.asarray(survey.period_s), thickness_m, sigma, degree=int(survey.degree),
                 shell_law=survey.shell_law, n_active=_n_active(earth, active_only))
    return jnp.concatenate([v.real, v.imag])


def predict_sq(earth: LayeredEarth, survey: SqSurvey, active_only=False):
    """Predicted Sq data vector ``[Re T, Im T]``, shape (2P,).

    One Q_n recursion for all terms (sigma ~ r^-2 shells), or one per
    distinct degree (constant shells); each term's transfer function is
    ``T = [n - (n+1) Q_n] P_n^|m|(cos theta) exp(i m phi)`` (Olsen 1999,
    :func:`bayesjoint.physics.geomag.transfer_function_from_q`). ``active_only`` as in
    :func:`predict_dst`.
    """
    thickness_m, sigma = sphere_stack(earth, survey.core_depth_km, survey.core_sigma_s_per_m)
    period = np.asarray(survey.period_s)
    n_active = _n_active(earth, active_only)
    if survey.shell_law == "quadratic":  # every term in one recursion
        q_all = sphere.q_response(jnp.asarray(period), thickness_m, sigma,
                                  degree=np.asarray(survey.degree), shell_law="quadratic",
                                  n_active=n_active)
    t = jnp.zeros(period.shape, dtype=jnp.complex128)
    for n in np.unique(survey.degree):
        in_n = survey.degree == n
        if survey.shell_law == "quadratic":
            q = q_all[np.flatnonzero(in_n)]
        else:
            q = sphere.q_response(jnp.asarray(period[in_n]), thickness_m, sigma, degree=int(n),
                                  shell_law=survey.shell_law, n_active=n_active)
        t_n = jnp.zeros(q.shape, dtype=jnp.complex128)
        for m in np.unique(survey.order[in_n]):
            sel = survey.order[in_n] == m
            t_m = geomag_physics.transfer_function_from_q(q, int(n), int(m), survey.colat_deg,
                                                          survey.lon_deg)
            t_n = jnp.where(sel, t_m, t_n)
        t = t.at[np.flatnonzero(in_n)].set(t_n)
    return jnp.concatenate([t.real, t.imag])


def check_core_below_prior(data, spec):
    """Raise ``ValueError`` if interfaces of the prior may reach the core.

    The deepest layer of every model must extend down to the core, so the
    prior's deepest interface (``spec.depth_max_km``) must lie above
    ``data.core_depth_km``.
    """
    if spec.depth_max_km >= data.core_depth_km:
        raise ValueError(
            f"dataset {data.name!r}: core_depth_km = {data.core_depth_km!r} but the prior allows "
            f"interfaces down to depth_max_km = {spec.depth_max_km!r}: a core shallower than the "
            "deepest interface; lower depth_max_km below the core depth")
