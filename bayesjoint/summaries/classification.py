"""Scores of a binary classifier that states probabilities (NumPy only).

For predicted probabilities ``p`` of the positive class and true labels
``y`` in {0, 1}, both of shape (N,):

* accuracy at a threshold: the fraction with ``(p >= threshold) == y``;
* ROC curve and its area (AUC): the AUC is the probability that a random
  positive scores above a random negative, ties counting one half (the
  Mann-Whitney statistic over ``n_pos n_neg``); undefined (``nan``) when
  one class is absent;
* expected accuracy: ``mean(max(p, 1 - p))``, the accuracy at 0.5 that
  the classifier expects of itself. If ``p`` is the probability of the
  positive class given what the classifier saw (calibrated), the achieved
  accuracy scatters around it; if ``p`` is the true posterior, it is the
  Bayes accuracy (one minus the Bayes error rate), the highest expected
  accuracy of any classifier given the same input;
* Brier score: ``mean((p - y)^2)``, 0 for perfect and confident, 0.25 for
  ``p = 1/2`` everywhere;
* reliability diagram: ``n_bins`` equal bins of ``p`` on [0, 1] (bin
  ``floor(n_bins p)``, the last one closed), per bin the count, the mean predicted probability and the
  observed frequency of positives (``nan`` in empty bins).
"""

import numpy as np


def _check_p(p):
    p = np.asarray(p, dtype=float).ravel()
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError("probabilities p must lie in [0, 1]")
    return p


def _check(p, y):
    p = _check_p(p)
    y = np.asarray(y).ravel()
    if p.shape != y.shape:
        raise ValueError(f"p has {p.size} values but y has {y.size}")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("labels y must be 0 or 1")
    return p, y.astype(int)


def accuracy(p, y, threshold=0.5):
    """Fraction of correct decisions ``p >= threshold``, a float in [0, 1]."""
    p, y = _check(p, y)
    return float(np.mean((p >= threshold).astype(int) == y))


def roc_auc(p, y):
    """Area under the ROC curve, ties counting one half; ``nan`` with one class only."""
    p, y = _check(p, y)
    pos, neg = p[y == 1], p[y == 0]
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    order = np.sort(neg)
    below = np.searchsorted(order, pos, side="left")
    not_above = np.searchsorted(order, pos, side="right")
    return float((below.sum() + 0.5 * (not_above - below).sum()) / (pos.size * neg.size))


def roc_curve(p, y):
    """False- and true-positive rates over all thresholds, arrays of shape (T + 1,).

    Thresholds are the distinct values of ``p`` in decreasing order; the
    curve starts at (0, 0) and ends at (1, 1). Its trapezoid area is
    :func:`roc_auc`. ``nan`` rates when one class is absent.
    """
    p, y = _check(p, y)
    order = np.argsort(-p, kind="stable")
    p, y = p[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(p)), p.size - 1]
    tp = np.r_[0, np.cumsum(y)[last]]
    fp = np.r_[0, np.cumsum(1 - y)[last]]
    with np.errstate(invalid="ignore", divide="ignore"):
        return fp / fp[-1], tp / tp[-1]


def expected_accuracy(p):
    """Accuracy at 0.5 that probabilities ``p`` expect, ``mean(max(p, 1 - p))`` (module
    docstring), a float in [0.5, 1]."""
    p = _check_p(p)
    return float(np.mean(np.maximum(p, 1.0 - p)))


def brier_score(p, y):
    """Mean squared difference between probability and label, a float in [0, 1]."""
    p, y = _check(p, y)
    return float(np.mean((p - y) ** 2))


def reliability(p, y, n_bins=10):
    """Reliability diagram on ``n_bins`` equal bins of [0, 1].

    Returns
    -------
    dict
        ``bin_edges`` (n_bins + 1,), and per bin ``count``,
        ``mean_predicted`` and ``observed_frequency`` (lists of length
        n_bins; ``nan`` in empty bins).
    """
    p, y = _check(p, y)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.minimum(np.floor(n_bins * p).astype(int), n_bins - 1)
    count = np.bincount(index, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.bincount(index, weights=p, minlength=n_bins) / count
        freq = np.bincount(index, weights=y, minlength=n_bins) / count
    return {"bin_edges": edges.tolist(), "count": count.tolist(),
            "mean_predicted": mean_p.tolist(), "observed_frequency": freq.tolist()}
