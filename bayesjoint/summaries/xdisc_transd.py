"""The X-discontinuity, the 410 and the 660 in the draws of a trans-dimensional run.

Each draw is a stack of layers with a Vs per layer. Interface ``j`` (at
``interface_depth_km[j]``) separates layer ``j`` above from layer ``j + 1``
below; its relative Vs jump is ``vs_below / vs_above - 1``.

X-discontinuity
    A draw has an X when at least one of its interfaces between
    ``X_DEPTH_KM`` (250-350 km, both ends included) has a jump of at
    least ``X_MIN_JUMP`` (+1 %). Each interface counts on its own: a
    staircase of smaller steps does not make an X, however large their
    sum, because an X is one sharp conversion; a drop (negative jump)
    never counts. The X's depth and jump are those of the largest such
    jump of the draw (NaN without an X).
410 and 660
    The depth and jump of the largest positive jump between 380 and 440 km
    (410) and between 630 and 700 km (660); NaN in a draw without a
    positive jump there. The transition-zone thickness is
    ``depth_660_km - depth_410_km`` where both exist.
"""

import numpy as np

from bayesjoint.model.xdisc_prior import DEFAULT_BOUNDS, X_MIN_JUMP

X_DEPTH_KM = DEFAULT_BOUNDS["depth_x_km"]
"""Depth range of an X, km (the same as the model comparison's)."""

WINDOWS_KM = {"410": DEFAULT_BOUNDS["depth_410_km"], "660": DEFAULT_BOUNDS["depth_660_km"]}
"""Depth range searched for the 410 and the 660, km."""

ANY_POSITIVE = float(np.finfo(float).tiny)
"""Smallest jump that counts for the 410 and 660: any positive one."""


def interface_jumps(interface_depth_km, vs_km_s):
    """Relative Vs jump across every interface of every draw.

    Parameters
    ----------
    interface_depth_km : ndarray, shape (..., K - 1)
        Interface depths, km, in increasing order; NaN in inactive slots.
    vs_km_s : ndarray, shape (..., K)
        Vs per layer, top first, km/s; NaN in inactive slots.

    Returns
    -------
    ndarray, shape (..., K - 1)
        ``vs[j + 1] / vs[j] - 1``; NaN for inactive interfaces.
    """
    z = np.asarray(interface_depth_km, dtype=float)
    vs = np.asarray(vs_km_s, dtype=float)
    jump = vs[..., 1:] / vs[..., :-1] - 1.0
    return np.where(np.isfinite(z), jump, np.nan)


def _largest(z, jump, lo_km, hi_km, min_jump):
    """Depth and jump of the largest jump >= ``min_jump`` in ``[lo, hi]`` (NaN if none)."""
    inside = np.isfinite(z) & (z >= lo_km) & (z <= hi_km) & (jump >= min_jump)
    masked = np.where(inside, jump, -np.inf)
    j = np.argmax(masked, axis=-1)[..., None]
    found = inside.any(axis=-1)
    depth = np.where(found, np.take_along_axis(z, j, axis=-1)[..., 0], np.nan)
    size = np.where(found, np.take_along_axis(jump, j, axis=-1)[..., 0], np.nan)
    return depth, size


def discontinuity_draws(interface_depth_km, vs_km_s):
    """The X, 410 and 660 of every draw (module docstring).

    Parameters
    ----------
    interface_depth_km : ndarray, shape (..., K - 1)
    vs_km_s : ndarray, shape (..., K)
        As :func:`interface_jumps`.

    Returns
    -------
    dict of str -> ndarray, shape (...)
        ``has_x`` (bool), ``depth_x_km``, ``jump_x`` (NaN without an X),
        ``depth_410_km``, ``jump_410``, ``depth_660_km``, ``jump_660`` (NaN
        without a positive jump in the window) and ``transition_zone_km``.
    """
    z = np.asarray(interface_depth_km, dtype=float)
    return discontinuities(z, interface_jumps(z, vs_km_s))


def discontinuities(depth_km, jump):
    """The X, 410 and 660 of draws given as discontinuities (module docstring).

    Parameters
    ----------
    depth_km : ndarray, shape (..., J)
        Depth of every discontinuity of every draw, km; NaN for none.
    jump : ndarray, shape (..., J)
        Their relative Vs jumps.

    Returns
    -------
    dict
        As :func:`discontinuity_draws`.
    """
    z, jump = np.asarray(depth_km, dtype=float), np.asarray(jump, dtype=float)
    depth_x, jump_x = _largest(z, jump, *X_DEPTH_KM, X_MIN_JUMP)
    out = {"has_x": np.isfinite(depth_x), "depth_x_km": depth_x, "jump_x": jump_x}
    for name, (lo, hi) in WINDOWS_KM.items():
        out[f"depth_{name}_km"], out[f"jump_{name}"] = _largest(z, jump, lo, hi, ANY_POSITIVE)
    out["transition_zone_km"] = out["depth_660_km"] - out["depth_410_km"]
    return out


def largest_jump(interface_depth_km, vs_km_s, lo_km, hi_km):
    """The largest relative Vs jump in ``[lo_km, hi_km]``, 0 without a positive one.

    Defined in every draw (unlike a depth), so its R-hat and ESS can be
    computed in any run. Shapes as :func:`interface_jumps`; returns shape (...).
    """
    z = np.asarray(interface_depth_km, dtype=float)
    _, size = _largest(z, interface_jumps(z, vs_km_s), lo_km, hi_km, ANY_POSITIVE)
    return np.nan_to_num(size, nan=0.0)


def p_x_depth_profile(depth_x_km, depth_edges_km):
    """Posterior probability of an X per km of depth in each bin, shape (D,).

    ``depth_x_km`` holds the X depth of every draw (NaN without an X); the
    fraction of all draws with their X in a bin, over the bin width: the
    profile integrates to ``p_x``.
    """
    depth = np.asarray(depth_x_km, dtype=float).ravel()
    counts, _ = np.histogram(depth[np.isfinite(depth)], bins=depth_edges_km)
    return counts / depth.size / np.diff(depth_edges_km)


def step_discontinuities(active, depth_km, jump):
    """:func:`discontinuities` of draws of steps (:mod:`bayesjoint.samplers.xdisc_steps`):
    the active slots of ``depth_km`` and ``jump`` (all shape (..., J))."""
    return discontinuities(np.where(active, depth_km, np.nan), jump)


def steps_prior_p_x(k_max, depth_km, jump):
    """Probability of an X under the prior of :mod:`bayesjoint.samplers.xdisc_steps`.

    With ``k`` uniform on ``0..k_max`` and every step's depth and jump
    uniform and independent, a step is an X with probability
    ``q = P(d in X_DEPTH_KM) P(a >= X_MIN_JUMP)``, so
    ``P(X) = 1 - mean_k (1 - q)^k``.

    Parameters
    ----------
    k_max : int
    depth_km, jump : (float, float)
        Prior bounds of every step's depth (km) and relative jump.
    """
    def fraction(lo, hi, a, b):
        return max(0.0, min(hi, b) - max(lo, a)) / (b - a)

    q = fraction(*X_DEPTH_KM, *depth_km) * fraction(X_MIN_JUMP, np.inf, *jump)
    return float(1.0 - np.mean((1.0 - q) ** np.arange(k_max + 1)))
