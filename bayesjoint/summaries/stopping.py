"""The convergence criterion that ends a run-until-converged sampling.

A run has converged when, over every quantity that exists in every
dimension the sampler visits (log10 conductivity, and Vs for a seismic
run, on a depth grid; the number of layers; the noise scale of every
dataset), the largest split R-hat is at most ``rhat_max`` and the smallest
bulk and tail effective sample sizes are at least ``ess_min`` (Vehtari et
al. 2021). The same quantities enter the diagnostics of the saved summary,
so the verdict there and the decision to stop agree.
"""

from dataclasses import dataclass

import numpy as np

from bayesjoint.earth import LayeredEarth
from bayesjoint.summaries.diagnostics import convergence

STOP_REASONS = ("converged", "iterations", "time_budget")


@dataclass(frozen=True)
class ConvergenceCriterion:
    """Targets of the convergence criterion.

    Attributes
    ----------
    rhat_max : float
        Largest allowed split R-hat (> 1).
    ess_min : float
        Smallest allowed bulk and tail ESS (> 0).
    """

    rhat_max: float = 1.01
    ess_min: float = 400.0

    def __post_init__(self):
        if isinstance(self.rhat_max, bool) or not (np.isfinite(self.rhat_max)
                                                   and self.rhat_max > 1.0):
            raise ValueError(f"rhat_max = {self.rhat_max!r}: must be a number > 1")
        if isinstance(self.ess_min, bool) or not (np.isfinite(self.ess_min) and self.ess_min > 0):
            raise ValueError(f"ess_min = {self.ess_min!r}: must be a number > 0")


def criterion_quantities(draws, depth_km, fields=("log10_sigma",)):
    """The quantities the criterion is evaluated on, from a run's kept draws.

    Parameters
    ----------
    draws : dict
        As :func:`bayesjoint.samplers.run.load_draws` returns: ``n_layers``
        (C, S), ``interface_depth_km`` (C, S, K-1), the per-layer fields
        (C, S, K) with NaN in inactive slots, ``noise_scale`` (C, S, D).
    depth_km : array, shape (G,)
    fields : sequence of str
        Per-layer fields projected onto the grid.

    Returns
    -------
    dict of str -> ndarray, shape (C, S, ...)
    """
    k = np.asarray(draws["n_layers"])
    iface = np.nan_to_num(np.asarray(draws["interface_depth_km"]), nan=np.inf)
    out = {}
    for field in fields:
        values = np.nan_to_num(np.asarray(draws[field]), nan=0.0)
        earth = LayeredEarth(iface, values, k)
        out[f"{field}_on_grid"] = np.asarray(earth.on_depth_grid(np.asarray(depth_km)))
    if np.unique(k).size > 1:
        out["n_layers"] = k.astype(float)
    noise = np.asarray(draws["noise_scale"])
    for i in range(noise.shape[-1]):
        if np.ptp(noise[..., i]) > 0:
            out[f"noise_scale_{i}"] = noise[..., i]
    return out


def assess(quantities, criterion: ConvergenceCriterion):
    """Evaluate the criterion.

    Parameters
    ----------
    quantities : dict of str -> ndarray (C, S, ...)
    criterion : ConvergenceCriterion

    Returns
    -------
    dict
        ``met`` (bool), ``rhat_max``, ``ess_bulk_min``, ``ess_tail_min``
        (floats, NaN where undefined) and ``worst`` (the name of the
        quantity furthest from its target).
    """
    table = convergence(quantities)
    rhat = {k: v["rhat_max"] for k, v in table.items()}
    bulk = {k: v["ess_bulk_min"] for k, v in table.items()}
    tail = {k: v["ess_tail_min"] for k, v in table.items()}

    def extreme(d, f):
        vals = [v for v in d.values() if np.isfinite(v)]
        return float(f(vals)) if vals else float("nan")

    r, b, t = extreme(rhat, max), extreme(bulk, min), extreme(tail, min)
    met = bool(np.isfinite(r) and r <= criterion.rhat_max and np.isfinite(b)
               and b >= criterion.ess_min and np.isfinite(t) and t >= criterion.ess_min)
    score = {k: max(rhat[k] / criterion.rhat_max, criterion.ess_min / max(bulk[k], 1e-9),
                    criterion.ess_min / max(tail[k], 1e-9))
             for k in table if np.isfinite(rhat[k])}
    return {"met": met, "rhat_max": r, "ess_bulk_min": b, "ess_tail_min": t,
            "worst": max(score, key=score.get) if score else None}
