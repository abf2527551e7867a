"""Posterior of each MT site's static shift, from the draws of a run.

The likelihood integrates the shift out (:mod:`bayesjoint.model.mt`), so no
sampler draws it; given each posterior draw (model and noise scale) it is
Gaussian (:func:`bayesjoint.model.mt.static_shift_posterior`). One shift is
drawn from that conditional per posterior draw, which gives draws from the
shift's marginal posterior; their quantiles are reported.
"""

import numpy as np

from bayesjoint.model.mt import static_shift_posterior

STATIC_SHIFT_SEED = 0
"""Seed of the draws from each conditional posterior (summaries are reproducible)."""


def evenly_spaced_draws(n_draws, max_draws):
    """Indices of at most ``max_draws`` evenly spaced draws out of ``n_draws``.

    Returns
    -------
    ndarray of int, shape (min(n_draws, max_draws),)
    """
    return np.unique(np.linspace(0, n_draws - 1, min(max_draws, n_draws)).astype(int))


def static_shift_draws(data, predictions, noise_scale=None, seed=STATIC_SHIFT_SEED):
    """Draws of a site's static shift, one per posterior draw with a prediction.

    Parameters
    ----------
    data : MTData
        With ``kind="rho_phase"`` and ``static_shift_std_log10`` set.
    predictions : ndarray, shape (C, S', 2P)
        Predicted data of ``S'`` draws per chain (layout of
        ``data.observed()``).
    noise_scale : ndarray, shape (C, S), optional
        The dataset's noise scale of every draw (1 when not sampled). When
        ``S' < S``, the predictions are of :func:`evenly_spaced_draws`.
    seed : int

    Returns
    -------
    draws : ndarray, shape (C, S')
        Static shift of log10 rho_a, log10 units.
    conditional_mean, conditional_std : ndarray, shape (C, S')
        Its conditional posterior given each draw.
    """
    p = data.period_s.size
    pred = np.asarray(predictions)
    residual = data.log10_rho_a - pred[..., :p]
    if noise_scale is None:
        scale = np.ones(pred.shape[:2])
    else:
        scale = np.asarray(noise_scale)
        scale = scale[:, evenly_spaced_draws(scale.shape[1], pred.shape[1])]
    mean, std = static_shift_posterior(residual, data.log10_rho_a_std,
                                       data.static_shift_std_log10, scale)
    rng = np.random.default_rng(seed)
    return mean + std * rng.standard_normal(mean.shape), mean, std


def static_shift_summary(datasets, predictions, noise_scale=None):
    """Posterior of the static shift of every MT dataset that has one.

    Parameters
    ----------
    datasets : sequence of dataset containers
    predictions : dict name -> ndarray (C, S', N)
    noise_scale : dict name -> ndarray (C, S), optional

    Returns
    -------
    summary : dict name -> dict
        ``prior_std_log10``, ``median``, ``q05``, ``q95``, ``mean`` and
        ``std`` of the shift (log10 units), and ``median_in_prior_std``
        (``|median| / prior_std_log10``).
    per_draw : dict name -> dict of ndarray (C, S')
        ``draws``, ``conditional_mean`` and ``conditional_std`` of
        :func:`static_shift_draws`.
    """
    summary, per_draw = {}, {}
    for d in datasets:
        if getattr(d, "static_shift_std_log10", None) is None or d.name not in predictions:
            continue
        draws, mean, std = static_shift_draws(d, predictions[d.name],
                                              (noise_scale or {}).get(d.name))
        per_draw[d.name] = {"draws": draws, "conditional_mean": mean, "conditional_std": std}
        q05, q50, q95 = np.quantile(draws, [0.05, 0.5, 0.95])
        summary[d.name] = {"prior_std_log10": d.static_shift_std_log10, "median": float(q50),
                           "q05": float(q05), "q95": float(q95), "mean": float(np.mean(draws)),
                           "std": float(np.std(draws)),
                           "median_in_prior_std": float(abs(q50) / d.static_shift_std_log10)}
    return summary, per_draw
