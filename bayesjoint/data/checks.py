"""Validation helpers shared by the dataset containers.

Each raises :class:`ValueError` naming the field, the offending value and
what is allowed. Values that are possible but implausible give a
:class:`UserWarning` naming the value instead (:func:`warn_implausible`).
"""

import warnings

import numpy as np

LN10 = np.log(10.0)

N_STD_BEYOND_BOUND = 3.0
"""How far, in standard deviations, an observed value may lie beyond a physical
bound before it is an error: noise can carry a value just past a bound (a
phase of 89 deg +- 2 deg observed as 91 deg), but not by several of its
standard deviations."""


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


def check_within_bounds(name, x, std, *, lower=None, upper=None, unit="", why=""):
    """Raise if a value lies beyond a physical bound by more than its errors allow.

    Parameters
    ----------
    name : str
        Name of the field for the message.
    x, std : ndarray, shape (N,)
        Values and their standard deviations, in ``unit``.
    lower, upper : float, optional
        The bounds that every exact value obeys.
    unit : str
        Unit written after the numbers (e.g. ``" deg"``).
    why : str
        Why the bounds hold, appended to the message.

    Raises
    ------
    ValueError
        If some ``x < lower - k std`` or ``x > upper + k std`` with
        ``k =`` :data:`N_STD_BEYOND_BOUND`, naming the first such entry.
    """
    k = N_STD_BEYOND_BOUND
    bad = np.zeros(np.shape(x), dtype=bool)
    if lower is not None:
        bad |= x < lower - k * std
    if upper is not None:
        bad |= x > upper + k * std
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        lo = "-inf" if lower is None else f"{lower:g}"
        hi = "inf" if upper is None else f"{upper:g}"
        raise ValueError(
            f"{name}[{i}] = {float(x[i]):g}{unit} (std {float(std[i]):g}{unit}) lies outside "
            f"[{lo}, {hi}]{unit} by more than {k:g} std: physically impossible"
            + (f"; {why}" if why else ""))


def warn_implausible(message):
    """Warn (``UserWarning``) about a value that is possible but implausible."""
    warnings.warn(message, UserWarning, stacklevel=3)


def check_periods(name, period_s):
    """Positive, finite, at least one, and without duplicates."""
    if np.size(period_s) == 0:
        raise ValueError(f"{name} is empty: give at least one period")
    check_positive(name, period_s)
    uniq, counts = np.unique(period_s, return_counts=True)
    if (counts > 1).any():
        dup = uniq[counts > 1][0]
        raise ValueError(f"{name} has the period {float(dup)!r} s more than once; periods must "
                         "be distinct")


def check_same_length(**arrays):
    """Raise if the named 1-D arrays do not all have the same length."""
    sizes = {k: np.asarray(v).shape[0] for k, v in arrays.items()}
    if len(set(sizes.values())) > 1:
        desc = ", ".join(f"{k} has {n}" for k, n in sizes.items())
        raise ValueError(f"arrays of different lengths: {desc}; they must be equal")


def error_from_relative(value, rel_error, floor):
    """Standard deviation ``max(rel_error * |value|, floor)``."""
    if rel_error is not None and not (np.isfinite(rel_error) and rel_error > 0):
        raise ValueError(f"rel_error = {float(rel_error)!r}: must be > 0")
    if floor is not None and not (np.isfinite(floor) and floor >= 0):
        raise ValueError(f"floor = {float(floor)!r}: must be >= 0")
    rel = 0.0 if rel_error is None else rel_error
    return np.maximum(rel * np.abs(value), 0.0 if floor is None else floor)




def complex_from_parts(parts):
    """Complex values of a real vector laid out ``[real parts, imaginary parts]``.

    The layout of every complex dataset's ``observed()`` and of its
    prediction.

    Parameters
    ----------
    parts : array_like, shape (2P,)

    Returns
    -------
    complex ndarray, shape (P,)
    """
    parts = np.asarray(parts)
    half = parts.size // 2
    return parts[:half] + 1j * parts[half:]


def renamed_message(key, renamed, prefix="", notes=None):
    """``"num_chains: renamed; use n_chains"`` for a former name ``key``.

    Parameters
    ----------
    key : str
        The former name.
    renamed : dict
        Former names -> the names that replaced them.
    prefix : str
        Goes before both names (a table path, ``"sampler."``).
    notes : dict, optional
        Former names -> text appended to their message.
    """
    return f"{prefix}{key}: renamed; use {prefix}{renamed[key]}{(notes or {}).get(key, '')}"


def refuse_renamed(names, renamed, prefix="", notes=None):
    """Raise ValueError (:func:`renamed_message`) for the first of ``names`` in ``renamed``."""
    for key in names:
        if key in renamed:
            raise ValueError(renamed_message(key, renamed, prefix, notes))
