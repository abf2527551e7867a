"""Validation helpers shared by the dataset containers.

Each raises :class:`ValueError` naming the field, the offending value and
what is allowed.
"""

import numpy as np

LN10 = np.log(10.0)


def as_1d(name, x, dtype=float):
    """A 1-D NumPy array (a scalar becomes length 1); raise if more dimensions."""
    arr = np.asarray(x, dtype=dtype)
    if arr.ndim == 0:
        arr = arr[None]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def check_finite(name, x):
    """Raise if ``x`` has NaN or infinite entries (naming the first one)."""
    bad = ~np.isfinite(x)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}[{i}] = {float(x[i])!r}: values must be finite (no NaN or inf)")


def check_positive(name, x):
    """Raise if ``x`` has entries that are not finite and > 0."""
    check_finite(name, x)
    bad = x <= 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}[{i}] = {float(x[i])!r}: values must be > 0")


def check_periods(name, period_s):
    """Positive, finite and without duplicates."""
    check_positive(name, period_s)
    uniq, counts = np.unique(period_s, return_counts=True)
    if (counts > 1).any():
        dup = uniq[counts > 1][0]
        raise ValueError(f"{name} has the period {float(dup)!r} s more than once; periods must be distinct")


def check_same_length(**arrays):
    """Raise if the named 1-D arrays do not all have the same length."""
    sizes = {k: np.asarray(v).shape[0] for k, v in arrays.items()}
    if len(set(sizes.values())) > 1:
        desc = ", ".join(f"{k} has {n}" for k, n in sizes.items())
        raise ValueError(f"arrays of different lengths: {desc}; they must be equal")


def error_from_relative(value, rel_error, floor):
    """Standard deviation ``max(rel_error * |value|, floor)``."""
    if rel_error is not None and not (np.isfinite(rel_error) and rel_error > 0):
        raise ValueError(f"rel_error = {rel_error!r}: must be > 0")
    if floor is not None and not (np.isfinite(floor) and floor >= 0):
        raise ValueError(f"floor = {floor!r}: must be >= 0")
    rel = 0.0 if rel_error is None else rel_error
    return np.maximum(rel * np.abs(value), 0.0 if floor is None else floor)


