"""Convergence diagnostics (split R-hat, bulk and tail ESS) through ArviZ."""

import arviz as az
import numpy as np


def convergence(draws: dict):
    """R-hat and ESS of each variable.

    Parameters
    ----------
    draws : dict of str -> ndarray, shape (C, S, ...)
        Chains first, draws second.

    Returns
    -------
    dict
        ``{name: {"rhat_max", "ess_bulk_min", "ess_tail_min"}}`` over the
        elements of each variable; constant elements (R-hat undefined) are
        skipped.
    """
    tree = az.from_dict({"posterior": {k: np.asarray(v) for k, v in draws.items()}})
    rhat = az.rhat(tree)
    ess_bulk = az.ess(tree, method="bulk")
    ess_tail = az.ess(tree, method="tail")
    out = {}
    for name in draws:
        r = np.asarray(rhat[name])
        out[name] = {
            "rhat_max": _nanmax(r),
            "ess_bulk_min": _nanmin(np.asarray(ess_bulk[name])),
            "ess_tail_min": _nanmin(np.asarray(ess_tail[name])),
        }
    return out


def _nanmax(x):
    x = np.asarray(x, dtype=float)
    return float(np.nanmax(x)) if np.isfinite(x).any() else float("nan")


def _nanmin(x):
    x = np.asarray(x, dtype=float)
    return float(np.nanmin(x)) if np.isfinite(x).any() else float("nan")


def worst(table: dict):
    """Largest R-hat and smallest bulk ESS over a :func:`convergence` table."""
    return {
        "rhat_max": _nanmax([v["rhat_max"] for v in table.values()]),
        "ess_bulk_min": _nanmin([v["ess_bulk_min"] for v in table.values()]),
    }


def chain_statistics(draws: dict):
    """Mean and standard deviation of each scalar quantity in each chain.

    Parameters
    ----------
    draws : dict of str -> ndarray, shape (C, S)

    Returns
    -------
    dict
        ``{name: {"mean": [C floats], "std": [C floats]}}``.
    """
    out = {}
    for name, x in draws.items():
        x = np.asarray(x, dtype=float)
        out[name] = {"mean": np.nanmean(x, axis=1).tolist(), "std": np.nanstd(x, axis=1).tolist()}
    return out


def mass_near_bounds(x, lower, upper, fraction=0.05):
    """Share of draws of a positive scale within ``fraction`` of its log range of each bound.

    Parameters
    ----------
    x : array_like, any shape
        Draws, > 0.
    lower, upper : float
        Bounds of the prior, ``0 < lower < upper``.
    fraction : float
        Width of the band next to each bound, as a share of
        ``log(upper) - log(lower)``.

    Returns
    -------
    dict
        ``{"lower": float, "upper": float}``, each in [0, 1].
    """
    logx = np.log(np.asarray(x, dtype=float))
    lo, hi = np.log(lower), np.log(upper)
    band = fraction * (hi - lo)
    return {"lower": float(np.mean(logx < lo + band)), "upper": float(np.mean(logx > hi - band))}
