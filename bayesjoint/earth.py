"""The layered-Earth model shared by every data type.

A :class:`LayeredEarth` has a fixed capacity of ``K_max`` layers, of which the
first ``n_layers`` are active; the last active layer is the bottom half-space
(for the electromagnetic sphere responses it extends down to the core). Fixed
capacity keeps array shapes static, so one compiled function serves every
number of layers a trans-dimensional sampler visits.

Storage (all arrays may carry leading batch axes)
-------------------------------------------------
``interface_depth_km`` : (..., K_max - 1)
    Depth of the top of layers 1 .. K_max-1, km. Entries ``>= n_layers - 1``
    are inactive and ignored; the active ones increase strictly.
``log10_sigma`` : (..., K_max)
    log10 of the conductivity in S/m of each layer, top first.
``n_layers`` : (...,) int
    Active-layer count k, 1 <= k <= K_max (the half-space counts as a layer).
``vs_km_s``, ``vp_vs`` : (..., K_max) or None
    Shear-wave speed in km/s and Vp/Vs ratio per layer, present when seismic
    data take part.

Inactive slots (interfaces ``>= n_layers - 1``, layers ``>= n_layers``) are
NaN in every model and every draw bayesjoint builds, writes or returns
(:meth:`LayeredEarth.from_layers`, the draws of both samplers, ``posterior.nc``);
every computation ignores them, so a sampler's internal state may hold any
value there.

For the physics, :meth:`LayeredEarth.layer_stack` turns a model into a stack
of ``K_max`` layers in which the inactive layers become zero-thickness layers
at the surface. A zero-thickness layer leaves every response in bayesjoint
unchanged (the tests prove this for each physics), so the padded stack has
exactly the response of the k-layer model.
"""

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

PROPERTY_FIELDS = ("log10_sigma", "vs_km_s", "vp_vs")
"""The per-layer properties of :class:`LayeredEarth`; the last two only in a seismic model."""


def property_fields(seismic=False):
    """The per-layer properties a model carries: all of them if ``seismic``, else log10 sigma."""
    return PROPERTY_FIELDS if seismic else PROPERTY_FIELDS[:1]


class LayeredEarth(NamedTuple):
    """A 1-D layered Earth at fixed capacity (a JAX pytree).

    See the module docstring for the meaning and shapes of the fields.
    """

    interface_depth_km: jnp.ndarray
    log10_sigma: jnp.ndarray
    n_layers: jnp.ndarray
    vs_km_s: jnp.ndarray | None = None
    vp_vs: jnp.ndarray | None = None

    @property
    def k_max(self) -> int:
        """Capacity: the largest number of layers this model can hold."""
        return self.log10_sigma.shape[-1]

    @classmethod
    def from_layers(cls, top_depth_km, sigma_s_per_m=None, *, log10_sigma=None,
                    k_max=None, vs_km_s=None, vp_vs=None):
        """Build a model from layer tops and conductivities.

        Parameters
        ----------
        top_depth_km : array_like, shape (k,)
            Depth of the top of each layer in km; the first is 0 and they
            increase strictly. The last layer is the half-space.
        sigma_s_per_m : array_like, shape (k,), optional
            Conductivity in S/m (> 0). Give this or ``log10_sigma``.
        log10_sigma : array_like, shape (k,), optional
        k_max : int, optional
            Capacity (default k). Extra layers are inactive: their interface
            and property slots are NaN.
        vs_km_s, vp_vs : array_like, shape (k,), optional
            Seismic properties per layer.

        Raises
        ------
        ValueError
            If the depths do not start at 0 or do not increase, if a
            conductivity is not positive, or if the lengths differ.
        """
        top = np.asarray(top_depth_km, dtype=float)
        if (sigma_s_per_m is None) == (log10_sigma is None):
            raise ValueError("give exactly one of sigma_s_per_m and log10_sigma")
        if sigma_s_per_m is not None:
            sigma = np.asarray(sigma_s_per_m, dtype=float)
            if sigma.shape != top.shape:
                raise ValueError(
                    f"sigma_s_per_m has {sigma.size} values but top_depth_km has {top.size}; "
                    "they must have the same length")
            bad = ~(np.isfinite(sigma) & (sigma > 0))
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValueError(
                    f"sigma_s_per_m[{i}] = {float(sigma[i])!r}: conductivity must be finite and > 0 S/m")
            log_sigma = np.log10(sigma)
        else:
            log_sigma = np.asarray(log10_sigma, dtype=float)
            if log_sigma.shape != top.shape:
                raise ValueError(
                    f"log10_sigma has {log_sigma.size} values but top_depth_km has {top.size}")
        _check_tops(top)
        k = top.size
        k_max = k if k_max is None else int(k_max)
        if k_max < k:
            raise ValueError(f"k_max = {k_max} is smaller than the {k} layers given")
        pad = k_max - k
        iface = np.concatenate([top[1:], np.full(pad, np.nan)])
        logs = np.concatenate([log_sigma, np.full(pad, np.nan)])

        def _pad(x, name):
            if x is None:
                return None
            x = np.asarray(x, dtype=float)
            if x.shape != top.shape:
                raise ValueError(f"{name} has {x.size} values but top_depth_km has {top.size}")
            return jnp.asarray(np.concatenate([x, np.full(pad, np.nan)]))

        return cls(jnp.asarray(iface), jnp.asarray(logs), jnp.asarray(k, dtype=jnp.int32),
                   _pad(vs_km_s, "vs_km_s"), _pad(vp_vs, "vp_vs"))

    def active_interfaces(self):
        """Boolean mask of the active interfaces, shape (..., K_max - 1)."""
        idx = jnp.arange(self.k_max - 1)
        return idx < (jnp.asarray(self.n_layers)[..., None] - 1)

    def layer_stack(self):
        """The model as a padded stack of K_max layers for the physics.

        Inactive layers become zero-thickness layers at the top of the stack,
        followed by the k active layers in depth order.

        Returns
        -------
        thickness_km : array, shape (K_max - 1,)
            Thickness of each layer above the half-space, km (>= 0).
        order : int array, shape (K_max,)
            Index into the per-layer property arrays (``log10_sigma``,
            ``vs_km_s``, ...) giving the property of each stack layer:
            ``log10_sigma[order]``.
        """
        kmax = self.k_max
        k = jnp.asarray(self.n_layers)
        n_pad = kmax - k
        pos = jnp.arange(kmax)
        # Stack position p holds model layer p - n_pad (pads take layer 0).
        order = jnp.clip(pos - n_pad, 0, kmax - 1)
        # Tops of the stack layers: pads and the first active layer at 0 km.
        tops_model = jnp.concatenate([jnp.zeros(1), self.interface_depth_km])
        tops = jnp.where(pos >= n_pad, tops_model[order], 0.0)
        thickness = jnp.diff(tops)
        return jnp.maximum(thickness, 0.0), order

    def sigma_stack(self):
        """Thickness in m and conductivity in S/m of the padded layer stack.

        Returns
        -------
        thickness_m : array, shape (K_max - 1,)
        sigma_s_per_m : array, shape (K_max,)
        """
        thickness_km, order = self.layer_stack()
        return thickness_km * 1e3, 10.0 ** self.log10_sigma[order]

    def layer_index_at(self, depth_km):
        """Index of the layer containing each depth, shape (..., D)."""
        depth_km = jnp.asarray(depth_km, dtype=jnp.float64)
        active = self.active_interfaces()
        iface = self.interface_depth_km
        below = (iface[..., None, :] <= depth_km[:, None]) & active[..., None, :]
        return jnp.sum(below, axis=-1)

    def on_depth_grid(self, depth_km, field="log10_sigma"):
        """Project a per-layer property onto a depth grid.

        Parameters
        ----------
        depth_km : array, shape (D,)
            Grid depths in km. A depth equal to an interface takes the value
            of the layer below it.
        field : str
            Name of a per-layer field (``log10_sigma``, ``vs_km_s``, ``vp_vs``).

        Returns
        -------
        array, shape (..., D)
        """
        values = getattr(self, field)
        if values is None:
            raise ValueError(f"this model has no {field!r}")
        idx = self.layer_index_at(depth_km)
        return jnp.take_along_axis(values, idx, axis=-1)

    def to_numpy_layers(self):
        """Active layers as NumPy arrays: (top_depth_km, log10_sigma), unbatched."""
        k = int(self.n_layers)
        top = np.concatenate([[0.0], np.asarray(self.interface_depth_km)[: k - 1]])
        return top, np.asarray(self.log10_sigma)[:k]


def _check_tops(top):
    if top.ndim != 1 or top.size == 0:
        raise ValueError("top_depth_km must be a non-empty 1-D array")
    if not np.all(np.isfinite(top)):
        raise ValueError("top_depth_km must be finite")
    if top[0] != 0.0:
        raise ValueError(f"top_depth_km[0] = {float(top[0])!r}: the first layer must start at 0 km")
    d = np.diff(top)
    if np.any(d <= 0):
        i = int(np.flatnonzero(d <= 0)[0]) + 1
        raise ValueError(
            f"top_depth_km[{i}] = {float(top[i])!r} does not exceed top_depth_km[{i - 1}] = {float(top[i - 1])!r}: "
            "layer tops must increase strictly")
