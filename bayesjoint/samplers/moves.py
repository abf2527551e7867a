"""Reversible-jump proposals on a fixed-capacity layered Earth.

Every move has the signature ``move(key, position, params) -> (proposal,
log_q_ratio, depth_bin)`` where ``position`` is a :class:`Position` (the
sampled parameters), ``params`` a :class:`MoveParams`, ``log_q_ratio`` is

    log q(m | m') - log q(m' | m) + log |J|

the log proposal ratio including the Jacobian of the dimension-matching map
(Green 1995, eq. 7-8), and ``depth_bin`` the depth bin whose step size the
move used (0 for moves without depth-dependent steps).

Depth-dependent steps
---------------------
The data constrain shallow layers far better than deep ones, so one step
size for the whole depth range is either too large near the surface or too
small at depth. The interface random walk and the per-layer perturbations
therefore take their standard deviation from the depth bin (log-spaced,
:func:`depth_bin_edges_km`) of the interface or of the top of the layer
they act on; the driver adapts one step per bin. A perturbation leaves the
layer's top where it is, so its proposal stays symmetric. An interface
moved into another bin is proposed back with that bin's step, so its
ratio is ``log N(z; z', s(z')) - log N(z'; z, s(z))``. The Jacobian is 1
for the prior and neighbour births, which draw the new interface depth and
value directly (the identity map of Bodin & Sambridge 2009, sec. 3); the
split birth and the delay-keeping interface move carry theirs (below and
in :func:`move_interface_delay`). A proposal that leaves the model space
(``k`` outside ``k_min .. k_max``, a layer thinner than the minimum, a
value outside its bounds) either carries ``log_q_ratio = -inf`` or has
zero prior density, so the sampler rejects it.

Moves never change array shapes: insertion and removal of an interface or a
layer value are written as :func:`jax.numpy.where` selections between the
array and its shifted copy, so the active interfaces stay sorted in the
first ``n_layers - 1`` slots.

Birth / death pairing
---------------------
Birth draws a depth ``z*`` uniform on ``(0, depth_max_km]``. It splits the
layer ``p`` that contains ``z*``; the upper part keeps its values and the
lower part becomes a new layer ``p + 1``. For every per-layer property the
model carries (``MoveParams.fields``: log10 conductivity, and Vs and Vp/Vs
when receiver functions take part) the new layer's value ``v*`` is drawn
independently, either

* from the prior bounds, uniform on ``[lo, hi]`` (``birth_std=None``), or
* around the split layer's value, ``v* ~ N(v_p, birth_std[field])``.

Death picks one of the ``k - 1`` active interfaces uniformly and removes it
together with the layer below it; the layer above extends down. Each birth
has exactly one reverse death, so for a birth from ``k`` layers::

    log_q_ratio = log(p_death / p_birth) + log(depth_max_km) - log(k) - sum_f log q_f(v*_f)

and the death ratio is its negative (evaluated at the removed interface and
value).

Split and merge (``birth_mode = "split"``)
------------------------------------------
With receiver functions a new lower part with its own Vs changes the delay
of every deeper Ps conversion by ``h_2 (1/vs* - 1/vs_p)``, so a neighbour
birth is accepted only when ``vs*`` lands within a few hundredths of km/s
of ``vs_p``. The split move keeps those delays instead (the moment-matching
split of Richardson & Green 1997, sec. 3.2, in thickness-weighted form).
In the coordinates ``a`` = log10 conductivity, S slowness ``1 / vs`` and P
slowness ``1 / (kappa vs)`` the parent layer (thickness ``h``) becomes an
upper part ``h_1`` and a lower part ``h_2`` with::

    a_1 = a + (h_2 / h) u,    a_2 = a - (h_1 / h) u,    u ~ N(0, s_u)

so ``h_1 a_1 + h_2 a_2 = h a``: the vertical S and P travel times through
the parent, and so the delays of deeper conversions, stay what they were,
and the new interface converts in proportion to ``u``. Splitting the
half-space (``h`` infinite) takes the limit: the upper part gets
``a + u`` and the half-space keeps ``a``. The merge of a death inverts
the map: ``a = (h_1 a_1 + h_2 a_2) / h`` (``a_2`` under the half-space)
and ``u = a_1 - a_2``; a merged layer always lies within the bounds of
its parts. The map ``(a, u) -> (a_1, a_2)`` has unit Jacobian; back in
the sampled coordinates the factor is
``|d(s, s_P)/d(vs, kappa)| = 1 / (kappa^2 vs^3)``, so::

    log|J| = 3 log(vs_1 vs_2 / vs) + 2 log(kappa_1 kappa_2 / kappa)

The standard deviation of ``u`` is ``birth_std`` converted at the parent:
``birth_std['vs_km_s'] / vs^2`` for S slowness and
``birth_std['vp_vs'] / (kappa^2 vs)`` for P slowness, so that the parts
differ by about ``birth_std`` in Vs and in Vp/Vs (in decades for log10
conductivity). The birth ratio is then::

    log_q_ratio = log(p_death / p_birth) + log(depth_max_km) - log(k)
                  - sum log N(u; 0, s_u) + log|J| ``p_birth`` and ``p_death`` are the fixed probabilities of picking
the move; a birth at ``k = k_max`` and a death at ``k = k_min`` are
proposed and rejected (``-inf``), which keeps these probabilities the same
for every ``k``.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bayesjoint.earth import PROPERTY_FIELDS, LayeredEarth

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
_NO_BIN = np.int32(0)


class Position(NamedTuple):
    """The parameters a trans-dimensional move acts on.

    Attributes
    ----------
    earth : LayeredEarth
        Model at fixed capacity ``K_max``.
    noise_scale : array, shape (D,)
        One factor per dataset multiplying its stated standard deviations.
    """

    earth: LayeredEarth
    noise_scale: jnp.ndarray


class MoveParams(NamedTuple):
    """Constants and step sizes of the moves.

    Attributes
    ----------
    k_min, k_max : int
        Allowed range of the layer count (the half-space counts).
    depth_max_km : float
        Birth draws interface depths uniform on ``(0, depth_max_km]``, km.
    value_lo, value_hi : dict
        Bounds of each per-layer property, ``{field: float}`` (log10 S/m,
        km/s or the dimensionless Vp/Vs); its keys are the properties that
        birth and death add and remove, in the order of
        :data:`~bayesjoint.earth.PROPERTY_FIELDS`.
    p_birth, p_death : float
        Probabilities with which the kernel picks birth and death.
    interface_std_km : array, shape (B,)
        Standard deviation of the interface random walk in each depth bin, km.
    value_std : dict
        Standard deviation of each property's random walk in each depth
        bin, ``{field: array (B,)}``.
    noise_log_std : float or array
        Standard deviation of the random walk on log noise scale.
    birth_std : dict or None
        None: birth draws new values uniform on the bounds. Otherwise
        ``{field: std}`` of the Gaussian around the split layer's value
        (or of the difference between the two parts, ``birth_split``).
    birth_split : bool
        Split and merge (module docstring) instead of a new lower part;
        needs ``birth_std``.
    depth_edges_km : tuple of float
        Inner edges of the B depth bins, km, increasing (B - 1 values).
    delay_interface_std_km : array, shape (B,)
        Step of the delay-keeping interface move in each depth bin, km.
    """

    k_min: int
    k_max: int
    depth_max_km: float
    value_lo: dict
    value_hi: dict
    p_birth: float
    p_death: float
    interface_std_km: float
    value_std: dict
    noise_log_std: float
    birth_std: dict | None = None
    birth_split: bool = False
    depth_edges_km: tuple = ()
    delay_interface_std_km: float = 1.0

    @property
    def fields(self):
        """The per-layer properties birth and death act on."""
        return tuple(f for f in PROPERTY_FIELDS if f in self.value_lo)


def depth_bin_edges_km(depth_max_km, n_bins=8):
    """Inner edges of ``n_bins`` log-spaced depth bins, km.

    The bins are ``[0, e_0), [e_0, e_1), ..., [e_{B-2}, inf)`` with the
    edges log-spaced from ``depth_max_km / 2^(B-1)`` to ``depth_max_km / 2``
    (each bin twice as deep as the one above it).

    Returns
    -------
    tuple of float, length ``n_bins - 1``
    """
    n_bins = int(n_bins)
    if n_bins < 1:
        raise ValueError(f"n_bins = {n_bins}: need at least one depth bin")
    return tuple(float(depth_max_km) / 2.0 ** np.arange(n_bins - 1, 0, -1))


def depth_bin(depth_km, edges_km):
    """Index of the depth bin of ``depth_km`` (scalar) for inner edges ``edges_km``."""
    if len(edges_km) == 0:
        return jnp.zeros((), dtype=jnp.int32)
    return jnp.searchsorted(jnp.asarray(edges_km), depth_km, side="right").astype(jnp.int32)


# ---------------------------------------------------------------- fixed-shape array edits

def insert_at(values, index, new_value):
    """Insert ``new_value`` at ``index`` along the last axis, dropping the last entry.

    Parameters
    ----------
    values : array, shape (n,)
    index : int array, scalar, 0 <= index < n
    new_value : scalar

    Returns
    -------
    array, shape (n,)
        ``values[:index] + [new_value] + values[index:-1]``.
    """
    pos = jnp.arange(values.shape[-1])
    shifted = jnp.roll(values, 1, axis=-1)
    return jnp.where(pos < index, values, jnp.where(pos == index, new_value, shifted))


def remove_at(values, index):
    """Remove the entry at ``index`` along the last axis, repeating the last entry.

    Parameters
    ----------
    values : array, shape (n,)
    index : int array, scalar, 0 <= index < n

    Returns
    -------
    array, shape (n,)
        ``values[:index] + values[index + 1:] + [values[-1]]``.
    """
    pos = jnp.arange(values.shape[-1])
    shifted = jnp.concatenate([values[1:], values[-1:]])
    return jnp.where(pos < index, values, shifted)


def _uniform_index(key, n):
    """Uniform integer in ``0 .. n-1`` for a traced ``n >= 1``."""
    return jnp.minimum(jnp.floor(jax.random.uniform(key) * n).astype(jnp.int32), n - 1)


def _binned(stds, b, params: MoveParams):
    """Entry ``b`` of a per-bin step (a scalar step applies to every bin)."""
    n_bins = len(params.depth_edges_km) + 1
    return jnp.broadcast_to(jnp.atleast_1d(jnp.asarray(stds, dtype=float)), (n_bins,))[b]


def _normal_logpdf(x, mean, std):
    return -0.5 * ((x - mean) / std) ** 2 - jnp.log(std) - _LOG_SQRT_2PI


def _log_birth_value_density(v_new, v_split, params: MoveParams, field):
    if params.birth_std is None:
        return -jnp.log(params.value_hi[field] - params.value_lo[field])
    return _normal_logpdf(v_new, v_split, params.birth_std[field])


def _draw_birth_value(key, v_split, params: MoveParams, field):
    if params.birth_std is None:
        return jax.random.uniform(key, minval=params.value_lo[field],
                                  maxval=params.value_hi[field])
    return v_split + params.birth_std[field] * jax.random.normal(key)


def _to_split_coordinates(values):
    """Per-layer values to the coordinates the split averages (module docstring).

    Parameters
    ----------
    values : dict
        ``{field: array}`` of the fields birth and death act on.

    Returns
    -------
    dict
        ``log10_sigma`` as it is; ``vs_km_s`` as S slowness (s/km) and
        ``vp_vs`` as P slowness (s/km).
    """
    coords = dict(values)
    if "vs_km_s" in values:
        coords["vs_km_s"] = 1.0 / values["vs_km_s"]
        coords["vp_vs"] = 1.0 / (values["vs_km_s"] * values["vp_vs"])
    return coords


def _from_split_coordinates(coords):
    """Inverse of :func:`_to_split_coordinates`."""
    values = dict(coords)
    if "vs_km_s" in coords:
        values["vs_km_s"] = 1.0 / coords["vs_km_s"]
        values["vp_vs"] = coords["vs_km_s"] / coords["vp_vs"]
    return values


def _split_stds(parent, params: MoveParams):
    """Standard deviation of each split coordinate's difference ``u`` at ``parent`` values."""
    stds = dict(params.birth_std)
    if "vs_km_s" in parent:
        vs, kappa = parent["vs_km_s"], parent["vp_vs"]
        stds["vs_km_s"] = params.birth_std["vs_km_s"] / vs**2
        stds["vp_vs"] = params.birth_std["vp_vs"] / (kappa**2 * vs)
    return stds


def _log_split_jacobian(parent, upper, lower):
    """``log|J|`` of the split in the sampled coordinates (module docstring)."""
    if "vs_km_s" not in parent:
        return jnp.zeros(())
    parts = jnp.stack([upper["vs_km_s"], lower["vs_km_s"], upper["vp_vs"], lower["vp_vs"]])
    positive = jnp.all(parts > 0)  # a negative slowness has zero prior density anyway
    parts = jnp.where(positive, parts, 1.0)
    log_jac = (3.0 * jnp.log(parts[0] * parts[1] / parent["vs_km_s"])
               + 2.0 * jnp.log(parts[2] * parts[3] / parent["vp_vs"]))
    return jnp.where(positive, log_jac, -jnp.inf)


def _split(keys, parent, w_upper, w_lower, params: MoveParams):
    """Split one layer's values into an upper and a lower part.

    Parameters
    ----------
    keys : sequence of PRNG keys, one per field
    parent : dict
        ``{field: scalar}`` values of the layer split.
    w_upper, w_lower : scalar
        ``h_2 / h`` and ``h_1 / h`` (1 and 0 for the half-space).

    Returns
    -------
    upper, lower : dict
        Values of the two parts.
    log_q : scalar
        ``-sum log N(u; 0, s_u) + log|J|``, the part of the birth ratio
        the values contribute.
    """
    a = _to_split_coordinates(parent)
    stds = _split_stds(parent, params)
    a_up, a_low, log_q = {}, {}, jnp.zeros(())
    for field, key_f in zip(params.fields, keys):
        u = stds[field] * jax.random.normal(key_f)
        a_up[field] = a[field] + w_upper * u
        a_low[field] = a[field] - w_lower * u
        log_q = log_q - _normal_logpdf(u, 0.0, stds[field])
    upper, lower = _from_split_coordinates(a_up), _from_split_coordinates(a_low)
    return upper, lower, log_q + _log_split_jacobian(parent, upper, lower)


def _merge(upper, lower, w_upper, w_lower, params: MoveParams):
    """Inverse of :func:`_split`: the merged values and the birth's value term.

    ``w_upper`` and ``w_lower`` are ``h_2 / h`` and ``h_1 / h`` of the
    merged layer, as :func:`_split` takes them.
    """
    a_up, a_low = _to_split_coordinates(upper), _to_split_coordinates(lower)
    a = {f: w_upper * a_low[f] + w_lower * a_up[f] for f in params.fields}
    parent = _from_split_coordinates(a)
    stds = _split_stds(parent, params)
    log_q = jnp.zeros(())
    for field in params.fields:
        log_q = log_q - _normal_logpdf(a_up[field] - a_low[field], 0.0, stds[field])
    return parent, log_q + _log_split_jacobian(parent, upper, lower)


def _split_weights(earth, j, z_new):
    """``(h_2 / h, h_1 / h)`` of layer ``j`` split at ``z_new`` (1, 0 for the half-space)."""
    z = earth.interface_depth_km
    top = jnp.where(j > 0, z[jnp.maximum(j - 1, 0)], 0.0)
    is_half_space = j >= jnp.asarray(earth.n_layers) - 1
    bottom = jnp.where(is_half_space, z_new + 1.0, z[jnp.minimum(j, z.shape[-1] - 1)])
    h = bottom - top
    return (jnp.where(is_half_space, 1.0, (bottom - z_new) / h),
            jnp.where(is_half_space, 0.0, (z_new - top) / h))


# ---------------------------------------------------------------- moves

def birth(key, position: Position, params: MoveParams):
    """Add an interface and a layer (see module docstring).

    Parameters
    ----------
    key : PRNG key
    position : Position
    params : MoveParams

    Returns
    -------
    proposal : Position
    log_q_ratio : scalar
        ``-inf`` when the model already has ``k_max`` layers.
    depth_bin : int scalar
        0.
    """
    earth = position.earth
    if earth.k_max < 2:  # a half-space only: no interface to add, remove or move
        return position, jnp.asarray(-jnp.inf), _NO_BIN
    k = jnp.asarray(earth.n_layers)
    key_z, *key_v = jax.random.split(key, 1 + len(params.fields))
    z_new = params.depth_max_km * (1.0 - jax.random.uniform(key_z))  # in (0, depth_max]
    active = earth.active_interfaces()
    split = jnp.sum(active & (earth.interface_depth_km < z_new))  # layer containing z_new
    log_q = (jnp.log(params.p_death) - jnp.log(params.p_birth) + jnp.log(params.depth_max_km)
             - jnp.log(k.astype(float)))
    changes = {}
    if params.birth_split:
        parent = {f: getattr(earth, f)[split] for f in params.fields}
        w_upper, w_lower = _split_weights(earth, split, z_new)
        upper, lower, log_q_values = _split(key_v, parent, w_upper, w_lower, params)
        log_q = log_q + log_q_values
        for field in params.fields:
            values = getattr(earth, field).at[split].set(upper[field])
            changes[field] = insert_at(values, split + 1, lower[field])
    else:
        for field, key_f in zip(params.fields, key_v):
            values = getattr(earth, field)
            v_new = _draw_birth_value(key_f, values[split], params, field)
            changes[field] = insert_at(values, split + 1, v_new)
            log_q = log_q - _log_birth_value_density(v_new, values[split], params, field)
    new_earth = earth._replace(
        interface_depth_km=insert_at(earth.interface_depth_km, split, z_new),
        n_layers=(k + 1).astype(jnp.asarray(earth.n_layers).dtype), **changes)
    possible = k < min(params.k_max, earth.k_max)
    new_earth = jax.tree.map(lambda a, b: jnp.where(possible, a, b), new_earth, earth)
    return (Position(new_earth, position.noise_scale), jnp.where(possible, log_q, -jnp.inf),
            _NO_BIN)


def death(key, position: Position, params: MoveParams):
    """Remove an interface and the layer below it (see module docstring).

    Returns
    -------
    proposal : Position
    log_q_ratio : scalar
        ``-inf`` when the model has ``k_min`` layers (or one layer).
    depth_bin : int scalar
        0.
    """
    earth = position.earth
    if earth.k_max < 2:  # a half-space only: no interface to add, remove or move
        return position, jnp.asarray(-jnp.inf), _NO_BIN
    k = jnp.asarray(earth.n_layers)
    n_iface = jnp.maximum(k - 1, 1)
    j = _uniform_index(key, n_iface)
    log_q = (jnp.log(params.p_birth) - jnp.log(params.p_death) - jnp.log(params.depth_max_km)
             + jnp.log((k - 1).astype(float)))
    changes = {}
    if params.birth_split:
        upper = {f: getattr(earth, f)[j] for f in params.fields}
        lower = {f: getattr(earth, f)[j + 1] for f in params.fields}
        merged_earth = earth._replace(interface_depth_km=remove_at(earth.interface_depth_km, j),
                                      n_layers=k - 1)
        w_upper, w_lower = _split_weights(merged_earth, j, earth.interface_depth_km[j])
        parent, log_q_values = _merge(upper, lower, w_upper, w_lower, params)
        log_q = log_q - log_q_values
        for field in params.fields:
            changes[field] = remove_at(getattr(earth, field).at[j].set(parent[field]), j + 1)
    else:
        for field in params.fields:
            values = getattr(earth, field)
            changes[field] = remove_at(values, j + 1)
            log_q = log_q + _log_birth_value_density(values[j + 1], values[j], params, field)
    new_earth = earth._replace(
        interface_depth_km=remove_at(earth.interface_depth_km, j),
        n_layers=(k - 1).astype(jnp.asarray(earth.n_layers).dtype), **changes)
    possible = (k > max(params.k_min, 1))
    new_earth = jax.tree.map(lambda a, b: jnp.where(possible, a, b), new_earth, earth)
    return (Position(new_earth, position.noise_scale), jnp.where(possible, log_q, -jnp.inf),
            _NO_BIN)


def _interface_step(key, earth, stds, params: MoveParams):
    """Pick an active interface uniformly and step it with its depth bin's step.

    Parameters
    ----------
    key : PRNG key
    earth : LayeredEarth
        With at least one interface slot.
    stds : float or array, shape (B,)
        Step standard deviation per depth bin, km.
    params : MoveParams

    Returns
    -------
    j : int scalar
        Index of the interface.
    z_new : scalar
        Its proposed depth, km.
    log_q_ratio : scalar
        ``log N(z; z', s(z')) - log N(z'; z, s(z))``, the correction for a
        move into a bin with another step (module docstring).
    depth_bin : int scalar
        Bin of the interface before the move.
    """
    key_j, key_step = jax.random.split(key)
    j = _uniform_index(key_j, jnp.maximum(jnp.asarray(earth.n_layers) - 1, 1))
    z = earth.interface_depth_km
    b = depth_bin(z[j], params.depth_edges_km)
    std = _binned(stds, b, params)
    z_new = z[j] + std * jax.random.normal(key_step)
    std_back = _binned(stds, depth_bin(z_new, params.depth_edges_km), params)
    return j, z_new, _normal_logpdf(z[j], z_new, std_back) - _normal_logpdf(z_new, z[j], std), b


def move_interface(key, position: Position, params: MoveParams):
    """Gaussian random walk of one active interface, chosen uniformly.

    The step's standard deviation is ``params.interface_std_km`` of the
    interface's depth bin; the proposal ratio accounts for a move into a
    bin with another step (module docstring). An interface moved past a
    neighbour, above the minimum thickness or below ``depth_max_km`` has
    zero prior density and is rejected. With one layer there is nothing to
    move and the ratio is ``-inf``.

    Returns
    -------
    proposal : Position
    log_q_ratio : scalar
    depth_bin : int scalar
        Bin of the interface before the move.
    """
    earth = position.earth
    if earth.k_max < 2:  # a half-space only: no interface to add, remove or move
        return position, jnp.asarray(-jnp.inf), _NO_BIN
    k = jnp.asarray(earth.n_layers)
    j, z_new, log_q, b = _interface_step(key, earth, params.interface_std_km, params)
    z = earth.interface_depth_km
    new_earth = earth._replace(interface_depth_km=z.at[j].set(z_new))
    return (Position(new_earth, position.noise_scale), jnp.where(k >= 2, log_q, -jnp.inf), b)


def perturb_value(key, position: Position, params: MoveParams, field="log10_sigma"):
    """Gaussian random walk of a per-layer property in one active layer.

    Parameters
    ----------
    key : PRNG key
    position : Position
    params : MoveParams
        ``params.value_std[field][b]`` is the step standard deviation for a
        layer whose top lies in depth bin ``b``.
    field : str
        Name of the per-layer array of :class:`~bayesjoint.earth.LayeredEarth`
        to perturb (``log10_sigma``, ``vs_km_s``, ...), shape (K_max,).

    Returns
    -------
    proposal : Position
    log_q_ratio : scalar
        0 (symmetric proposal, uniform choice of the layer); ``-inf`` when
        the model does not carry ``field``.
    depth_bin : int scalar
        Bin of the top of the perturbed layer.
    """
    earth = position.earth
    values = getattr(earth, field)
    if values is None:  # a property the model does not carry: never proposed
        return position, jnp.asarray(-jnp.inf), _NO_BIN
    key_i, key_step = jax.random.split(key)
    i = _uniform_index(key_i, jnp.asarray(earth.n_layers))
    top_km = jnp.concatenate([jnp.zeros(1), earth.interface_depth_km])[i]
    b = depth_bin(top_km, params.depth_edges_km)
    std = _binned(params.value_std[field], b, params)
    new_values = values.at[i].add(std * jax.random.normal(key_step))
    return (Position(earth._replace(**{field: new_values}), position.noise_scale),
            jnp.zeros(()), b)


def update_noise(key, position: Position, params: MoveParams):
    """Random walk on the log noise scale of one dataset, chosen uniformly.

    With ``s' = s exp(e)``, ``e ~ N(0, noise_log_std)``, the proposal
    density in ``s`` is ``N(log s'; log s, std) / s'``, so
    ``log_q_ratio = log s' - log s``.
    """
    s = position.noise_scale
    key_d, key_step = jax.random.split(key)
    d = _uniform_index(key_d, s.shape[-1])
    step = params.noise_log_std * jax.random.normal(key_step)
    new_s = s.at[d].multiply(jnp.exp(step))
    return Position(position.earth, new_s), step, _NO_BIN


def move_interface_delay(key, position: Position, params: MoveParams):
    """Interface move that keeps the S-P delay of the layers it touches.

    A receiver function fixes the delay of each Ps conversion behind the
    direct P, which at vertical incidence is ``sum_i h_i / vs_i (1 - 1 /
    kappa_i)`` over the layers above (``h`` thickness, ``kappa`` Vp/Vs;
    Zhu & Kanamori 2000, eq. 2 at ray parameter 0).
    Depth and Vs therefore trade off along a narrow ridge that
    :func:`move_interface` and :func:`perturb_value` cross only in small
    steps. This move walks along it: interface ``j`` moves by ``u`` (the
    step of its depth bin, as in :func:`move_interface`), and Vs of the
    layer above and of the layer below (unless that is the half-space) is
    scaled with its thickness, ``vs' = vs h' / h``, Vp/Vs kept, so that
    ``h / vs`` and ``h / vp`` of both layers stay what they were. The map
    ``(z_j, vs_j, vs_{j+1}, u) -> (z_j + u, vs_j h_j'/h_j, vs_{j+1}
    h_{j+1}'/h_{j+1}, -u)`` is its own inverse, with Jacobian determinant
    ``(h_j'/h_j)(h_{j+1}'/h_{j+1})`` (Green 1995, eq. 8), so

        log_q_ratio = log N(z; z', s(z')) - log N(z'; z, s(z))
                      + log(h_j'/h_j) + log(h_{j+1}'/h_{j+1}).

    A layer made thinner than the minimum, or a Vs pushed outside its
    bounds, has zero prior density and is rejected. Never proposed for a
    model without Vs (ratio ``-inf``).

    Returns
    -------
    proposal : Position
    log_q_ratio : scalar
    depth_bin : int scalar
        Bin of the interface before the move.
    """
    earth = position.earth
    if earth.k_max < 2 or earth.vs_km_s is None:
        return position, jnp.asarray(-jnp.inf), _NO_BIN
    k = jnp.asarray(earth.n_layers)
    j, z_new, log_q_step, b = _interface_step(key, earth, params.delay_interface_std_km, params)
    z = earth.interface_depth_km
    top = jnp.where(j > 0, z[jnp.maximum(j - 1, 0)], 0.0)
    below_is_layer = j + 1 < k - 1  # layer j + 1 has a bottom (not the half-space)
    bottom = jnp.where(below_is_layer, z[jnp.minimum(j + 1, z.shape[-1] - 1)], z[j] + 1.0)
    ratio_above = (z_new - top) / (z[j] - top)
    ratio_below = jnp.where(below_is_layer, (bottom - z_new) / (bottom - z[j]), 1.0)
    vs = earth.vs_km_s
    new_vs = vs.at[j].multiply(ratio_above).at[j + 1].multiply(ratio_below)
    log_jac = (jnp.log(jnp.maximum(ratio_above, 1e-300))
               + jnp.log(jnp.maximum(ratio_below, 1e-300)))
    log_q = log_q_step + log_jac
    ok = (k >= 2) & (ratio_above > 0) & (ratio_below > 0)
    new_earth = earth._replace(interface_depth_km=z.at[j].set(z_new), vs_km_s=new_vs)
    return (Position(new_earth, position.noise_scale), jnp.where(ok, log_q, -jnp.inf), b)


def perturb_vs(key, position: Position, params: MoveParams):
    """:func:`perturb_value` of the shear-wave speed ``vs_km_s``."""
    return perturb_value(key, position, params, field="vs_km_s")


def perturb_vp_vs(key, position: Position, params: MoveParams):
    """:func:`perturb_value` of the Vp/Vs ratio ``vp_vs``."""
    return perturb_value(key, position, params, field="vp_vs")


MOVES = ("birth", "death", "move", "perturb", "perturb_vs", "perturb_vp_vs", "noise",
         "move_delay")
"""Names of the moves, in the order of their integer ids (``perturb`` acts on
log10 conductivity; the seismic moves need a model with Vs and Vp/Vs)."""

SEISMIC_MOVES = ("perturb_vs", "perturb_vp_vs", "move_delay")

MOVE_FUNCTIONS = (birth, death, move_interface, perturb_value, perturb_vs, perturb_vp_vs,
                  update_noise, move_interface_delay)
