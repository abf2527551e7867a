"""Parameters and priors of the X-discontinuity models (NumPy only).

The models are those of :mod:`bayesjoint.model.xdisc_models`; every prior is
uniform on the box of :data:`DEFAULT_BOUNDS` (proper and normalised, as the
evidence needs).
"""

import numpy as np

MODELS = ("no_x", "x")
"""The two compared models."""

X_MIN_JUMP = 0.01
"""Smallest relative Vs jump that counts as an X (1 %)."""

NO_X_JUMP = (-0.06, X_MIN_JUMP)
"""Prior bounds of the step at 250-350 km in the no-X model: any relative
jump below +1 %, negative ones (a low-velocity layer) included, so that a
structure at X depths that is not an X is explained within the no-X model
instead of being left to the X model's extra freedom."""

DEFAULT_BOUNDS = {
    "depth_410_km": (380.0, 440.0),
    "jump_410": (0.02, 0.07),
    "depth_660_km": (630.0, 700.0),
    "jump_660": (0.03, 0.10),
    "log_noise_scale": (float(np.log(0.5)), float(np.log(2.0))),
    "depth_x_km": (250.0, 350.0),
    "jump_x": (X_MIN_JUMP, 0.06),
}
"""Uniform prior bounds of every parameter (depths in km, jumps relative)."""

def parameter_names(model):
    """Names of the free parameters of ``model`` (one of :data:`MODELS`), in order."""
    if model not in MODELS:
        raise ValueError(f"model = {model!r}: allowed values are {MODELS}")
    return ("depth_410_km", "jump_410", "depth_660_km", "jump_660", "log_noise_scale",
            "depth_x_km", "jump_x")


def as_params(model, vector):
    """A parameter vector of shape (P,) as a dict in :func:`parameter_names` order."""
    return {name: vector[..., i] for i, name in enumerate(parameter_names(model))}


def prior_bounds(model, bounds=None):
    """Lower and upper prior bounds of ``model``'s parameters, arrays of shape (P,)."""
    bounds = dict(bounds or {})
    no_x_jump = bounds.pop("jump_no_x", NO_X_JUMP)
    table = dict(DEFAULT_BOUNDS, **bounds)
    if model == "no_x":
        table["jump_x"] = tuple(no_x_jump)
    lo, hi = np.array([table[n] for n in parameter_names(model)], dtype=float).T
    if not np.all(hi > lo):
        raise ValueError(f"prior bounds of {model!r} need lower < upper: {table}")
    if model == "x" and table["jump_x"][0] < X_MIN_JUMP:
        raise ValueError(f"jump_x lower bound {table['jump_x'][0]!r} < {X_MIN_JUMP}: an X is a "
                         "positive jump of at least 1 %")
    if model == "no_x" and table["jump_x"][1] > X_MIN_JUMP:
        raise ValueError(f"jump_no_x upper bound {table['jump_x'][1]!r} > {X_MIN_JUMP}: the "
                         "no-X model's step must stay below an X's smallest jump")
    return lo, hi


def depth_range_km(bounds=None):
    """Shallowest and deepest discontinuity depth that the priors allow, km."""
    names = parameter_names("x")
    lo, hi = prior_bounds("x", bounds)
    idx = [names.index(n) for n in ("depth_410_km", "depth_660_km", "depth_x_km")]
    return float(lo[idx].min()), float(hi[idx].max())


def union_centre(bounds=None):
    """Centre of the box that holds both models' priors, shape (P,): a step of jump
    ``(NO_X_JUMP[0] + X jump upper bound) / 2`` (0 by default) at 250-350 km."""
    (lo0, hi0), (lo1, hi1) = (prior_bounds(m, bounds) for m in MODELS)
    return 0.5 * (np.minimum(lo0, lo1) + np.maximum(hi0, hi1))
