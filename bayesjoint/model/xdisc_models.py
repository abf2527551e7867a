"""Reference-model parameterisations for the X-discontinuity model comparison.

Two models of the upper mantle beneath one station, each a reference Earth
(AK135, IASP91 or PREM, :mod:`bayesjoint.physics.reference`) with a handful
of free parameters:

``"no_x"``
    ``depth_410_km``, ``jump_410``, ``depth_660_km``, ``jump_660``,
    ``log_noise_scale`` (natural log of the factor multiplying the data's
    standard deviations), and a step at 250-350 km, ``depth_x_km`` and
    ``jump_x``, whose relative jump lies *below*
    :data:`~bayesjoint.model.xdisc_prior.X_MIN_JUMP`
    (:data:`~bayesjoint.model.xdisc_prior.NO_X_JUMP`: nothing, a small
    step or a velocity drop).
``"x"``
    The same parameters with the jump of the step *above* ``X_MIN_JUMP``:
    an X. The two models split one range of jumps at +1 %, so a
    low-velocity layer, which neither model's background holds, is
    explained inside the no-X model and cannot pose as an X.

The parameters and their uniform priors are those of
:mod:`bayesjoint.model.xdisc_prior`.

Velocity profile
----------------
The reference table is cut into layers no thicker than ``layer_km``
(:func:`~bayesjoint.physics.reference.reference_layers`) and its 410 and 660
are replaced by linear gradients over +-25 km
(:func:`~bayesjoint.physics.reference.remove_discontinuity`): the smooth
background ``v_bg``. Each discontinuity ``j`` at depth ``d_j`` with relative
jump ``a_j`` is then the perturbation of
:func:`~bayesjoint.physics.reference.insert_discontinuity` in relative form,
``g(z - d) = sign(z - d) max(0, 1 - |z - d| / taper_km) / 2``, and every
layer takes its depth average over the layer::

    v_i = v_bg,i (1 + sum_j a_j <g(z - d_j)>_i)

for Vp and Vs alike (Vp/Vs of the background kept). The depth average makes
the prediction continuous in ``d_j`` although the layer boundaries are
fixed. Density follows Vp through Brocher's relation, as in
:func:`bayesjoint.model.rf.predict_rf`, which makes the prediction.
"""

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from bayesjoint.earth import LayeredEarth
from bayesjoint.model.rf import predict_rf
from bayesjoint.physics.reference import reference_layers, remove_discontinuity

TAPER_KM = 50.0
"""Distance over which each discontinuity's perturbation returns to zero, km."""


def _layer_average_step(top_km, bottom_km, depth_km, taper_km):
    """Depth average of ``g(z - depth)`` over each layer ``[top, bottom]`` (module docstring).

    Uses the antiderivative ``F(u) = (m - m^2 / (2 taper)) / 2`` with
    ``m = min(|u|, taper)``; zero-thickness layers take ``g`` at their top.
    """
    def antiderivative(u):
        m = jnp.minimum(jnp.abs(u), taper_km)
        return 0.5 * (m - m * m / (2.0 * taper_km))

    h = bottom_km - top_km
    safe = jnp.where(h > 0, h, 1.0)
    avg = (antiderivative(bottom_km - depth_km) - antiderivative(top_km - depth_km)) / safe
    u = top_km - depth_km
    point = 0.5 * jnp.sign(u) * jnp.maximum(0.0, 1.0 - jnp.abs(u) / taper_km)
    return jnp.where(h > 0, avg, point)


def layer_factor(top_depth_km, params, taper_km):
    """The factor ``1 + sum_j a_j <g(z - d_j)>_i`` of every layer (module docstring; JAX).

    Parameters
    ----------
    top_depth_km : array, shape (K,)
        Layer tops, the last the half-space's.
    params : dict name -> scalar
        ``depth_410_km``, ``jump_410``, ``depth_660_km``, ``jump_660``,
        ``depth_x_km`` and ``jump_x`` (those absent are left out).
    taper_km : float

    Returns
    -------
    array, shape (K,)
    """
    names = [name for name in ("410", "660", "x") if f"depth_{name}_km" in params]
    if not names:
        return jnp.ones_like(top_depth_km)
    return steps_factor(top_depth_km, jnp.stack([params[f"depth_{n}_km"] for n in names]),
                        jnp.stack([params[f"jump_{n}"] for n in names]), taper_km)


def steps_factor(top_depth_km, depth_km, jump, taper_km):
    """The factor ``1 + sum_j a_j <g(z - d_j)>_i`` of any number of steps (JAX).

    Parameters
    ----------
    top_depth_km : array, shape (K,)
        Layer tops, the last the half-space's.
    depth_km, jump : arrays, shape (J,)
        Depth ``d_j`` (km) and relative jump ``a_j`` of every step; a step
        of jump 0 changes nothing (how absent steps are left out).
    taper_km : float

    Returns
    -------
    array, shape (K,)
    """
    bottoms = jnp.concatenate([top_depth_km[1:], top_depth_km[-1:]])
    steps = jax.vmap(lambda d: _layer_average_step(top_depth_km, bottoms, d, taper_km))(
        jnp.asarray(depth_km))
    return 1.0 + jnp.asarray(jump) @ steps


@dataclass(frozen=True, eq=False)
class XdiscModel:
    """Background layers of a reference Earth and the perturbation rule.

    Attributes
    ----------
    reference : {"ak135", "iasp91", "prem"}
    top_depth_km : ndarray, shape (K,)
        Layer tops, the last the half-space (at ``max_depth_km``).
    vs_km_s, vp_vs : ndarray, shape (K,)
        The smooth background (410 and 660 removed).
    taper_km : float
    """

    reference: str
    top_depth_km: np.ndarray
    vs_km_s: np.ndarray
    vp_vs: np.ndarray
    taper_km: float = TAPER_KM

    @classmethod
    def build(cls, reference="ak135", *, max_depth_km=800.0, layer_km=10.0,
              taper_km=TAPER_KM):
        """The background of ``reference`` down to ``max_depth_km`` in layers of ``layer_km``."""
        top, vp, vs, rho = reference_layers(reference, max_depth_km, layer_km)
        for depth in (410.0, 660.0):
            nearest = top[np.argmin(np.abs(top - depth))]  # PREM's 400 and 670
            top, vp, vs, rho = remove_discontinuity(top, vp, vs, rho, float(nearest),
                                                    half_width_km=25.0)
        return cls(reference, top, vs, vp / vs, float(taper_km))

    def factor(self, params):
        """The factor of every layer, shape (K,) (:func:`layer_factor`; JAX)."""
        return layer_factor(jnp.asarray(self.top_depth_km), params, self.taper_km)

    def earth_from_factor(self, factor):
        """The background with its Vs and Vp multiplied by ``factor`` (shape (K,)), a
        :class:`LayeredEarth`."""
        k = self.top_depth_km.size
        return LayeredEarth(jnp.asarray(self.top_depth_km[1:]), jnp.zeros(k),
                            jnp.asarray(k, dtype=jnp.int32),
                            jnp.asarray(self.vs_km_s) * factor, jnp.asarray(self.vp_vs))

    def earth(self, params):
        """The perturbed model as a :class:`LayeredEarth` (JAX, differentiable).

        Parameters
        ----------
        params : dict name -> scalar
            As in :meth:`factor`.
        """
        return self.earth_from_factor(self.factor(params))

    def predict(self, params, survey):
        """Predicted receiver functions, shape (R, npts) (wrap-free as the survey says)."""
        return predict_rf(self.earth(params), survey,
                          wrap_free=survey.wrap_free).reshape(survey.n_traces, survey.npts)
