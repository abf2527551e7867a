"""Checks for the problems real data bring, in plain words.

Three signs that a model does not explain real data the way its errors
say, each turned into a sentence by :func:`real_data_flags`:

* normalised residuals that trend with period (:func:`residual_trend`): the
  layered Earth misses a systematic feature (3-D structure such as an ocean
  or a coast, a source effect, or errors that grow with period);
* a noise scale far from 1: the stated errors are too small (or too large)
  by that factor;
* a static shift near the bound of its prior: the apparent resistivity
  needs a shift that the prior hardly allows.
"""

import numpy as np

TREND_SIGMA_MIN = 3.0
"""A slope of the normalised residuals against log10 period more than this many
standard errors from 0 is a trend (p < 0.003 for independent unit-variance
residuals)."""

NOISE_SCALE_FACTOR_MAX = 2.0
"""A posterior-mean noise scale above this factor, or below its inverse, is far from 1."""

STATIC_SHIFT_PRIOR_STD_MAX = 2.0
"""A static-shift posterior median beyond this many prior standard deviations
is near the bound of its prior."""


def residual_trend(period_s, normalised_residual):
    """Least-squares slope of normalised residuals against log10 period.

    Parameters
    ----------
    period_s : array_like, shape (P,)
        Periods, s (> 0; a period may repeat).
    normalised_residual : array_like, shape (P,)
        ``(observed - predicted) / std``.

    Returns
    -------
    slope_per_decade : float
        Change of the normalised residual per decade of period.
    n_sigma : float
        ``|slope|`` in standard errors, for independent residuals of unit
        variance (``1 / sqrt(sum((x - mean x)^2))``); 0 when every period is
        the same.
    """
    x = np.log10(np.asarray(period_s, dtype=float))
    r = np.asarray(normalised_residual, dtype=float)
    sxx = np.sum((x - x.mean()) ** 2)
    if sxx == 0:
        return 0.0, 0.0
    slope = float(np.sum((x - x.mean()) * (r - r.mean())) / sxx)
    return slope, abs(slope) * float(np.sqrt(sxx))


def real_data_flags(summary: dict, residual_blocks=None):
    """Plain-language warnings about the real-data problems of a run.

    Parameters
    ----------
    summary : dict
        Content of ``summary.json`` (its per-chain noise-scale means and
        ``static_shift_log10`` are read).
    residual_blocks : dict name -> list of (label, period_s, normalised_residual), optional
        Normalised residuals of each dataset's median prediction, one entry
        per block of its data vector (``data.labels()``), with the period of
        each datum.

    Returns
    -------
    list of str
    """
    out = []
    for name, blocks in (residual_blocks or {}).items():
        for label, period_s, r in blocks:
            slope, n_sigma = residual_trend(period_s, r)
            if n_sigma > TREND_SIGMA_MIN:
                direction = "rise" if slope > 0 else "fall"
                out.append(
                    f"Dataset {name}: the normalised residuals of {label} {direction} with "
                    f"period ({slope:+.2f} per decade, {n_sigma:.1f} standard errors from "
                    "flat): the layered model misses something systematic in these data "
                    "(3-D structure such as an ocean or coast, a source effect, or errors "
                    "that change with period).")
    per_chain = summary.get("diagnostics", {}).get("per_chain", {})
    for key, stats in per_chain.items():
        if not key.startswith("noise_scale_"):
            continue
        s = float(np.mean(stats["mean"]))
        if s > NOISE_SCALE_FACTOR_MAX or s < 1.0 / NOISE_SCALE_FACTOR_MAX:
            name = key[len("noise_scale_"):]
            what = ("the stated errors are too small, or the model cannot fit these data"
                    if s > 1 else "the stated errors are larger than the misfit needs")
            out.append(f"Dataset {name}: noise scale {s:.2f}, far from 1: {what} (the fit "
                       f"needs errors {s:.2f} times those stated).")
    for name, shift in (summary.get("static_shift_log10") or {}).items():
        if shift["median_in_prior_std"] > STATIC_SHIFT_PRIOR_STD_MAX:
            factor = 10 ** shift["median"]
            out.append(
                f"Dataset {name}: static shift of log10 rho_a {shift['median']:+.2f} (apparent "
                f"resistivity x {factor:.2f}), {shift['median_in_prior_std']:.1f} prior "
                f"standard deviations from 0 (prior std {shift['prior_std_log10']:g}): near "
                "the bound of its prior; the data want a shift the prior hardly allows "
                "(distortion, or a model that does not fit the apparent resistivity).")
    return out
