"""Parallel tempering: temperature ladder and replica swaps.

Each chain carries ``n_temps`` replicas, one per temperature, stacked on a
leading axis; replica ``i`` targets ``p(m) L(m)^(1/T_i)`` (only the
likelihood is tempered; Sambridge 2014, eq. 6). The ladder is geometric,
``T_i = t_max^(i / (n_temps - 1))``, and starts at ``T_0 = 1``: the draws
kept are those of ``T = 1``.

Swaps (Sambridge 2014, eq. 8-9) are proposed between neighbouring
temperatures in alternating sets of disjoint pairs: at even steps the pairs
(0, 1), (2, 3), ...; at odd steps (1, 2), (3, 4), .... A pair ``(i, i+1)``
exchanges its states with probability ``min(1, a)``::

    log a = (log L_{i+1} - log L_i) (1/T_i - 1/T_{i+1})

Under a flat likelihood every swap is accepted. The proposal scales adapted
by the driver stay with their temperature, the states move.

Ladder adaptation
-----------------
A fixed geometric ladder swaps well only if ``t_max`` and the number of
temperatures happen to suit the posterior. During burn-in the driver
adapts each chain's ladder towards equal swap acceptance between all
neighbouring pairs (the aim of Vousden, Farr & Mandel 2016), keeping
``T_0 = 1`` and ``T_max`` fixed: the log-temperature gaps are
``log(T_max) softmax(w)`` and each iteration moves
``w_i += kappa(t) (A_i - mean(A))``, with ``A_i`` the swap acceptance
probability of pair ``(i, i+1)`` and ``kappa(t) = 0.1 * 1000 / (t + 1000)``
(the schedule of Vousden et al. 2016, applied to the log-gaps). A gap whose pair swaps
more often than the others widens, one that swaps less narrows. The ladder
is frozen after burn-in.
"""

from typing import NamedTuple


import jax
import jax.numpy as jnp
import numpy as np

LADDER_GAIN = 0.1
LADDER_LAG = 1000.0


class LadderState(NamedTuple):
    """Temperature ladder of one chain, parameterised for adaptation.

    Attributes
    ----------
    log_t_max : scalar
        ``log T_max`` (fixed).
    weights : array, shape (n_temps - 1,)
        The log-temperature gaps are ``log_t_max * softmax(weights)``
        (``-inf`` for a gap of zero).
    """

    log_t_max: jnp.ndarray
    weights: jnp.ndarray


def ladder_state(temperatures):
    """:class:`LadderState` of a ladder (:func:`check_ladder`)."""
    t = check_ladder(temperatures)
    log_t = np.log(t)
    if t.size == 1:
        return LadderState(jnp.zeros(()), jnp.zeros(0))
    with np.errstate(divide="ignore"):
        weights = np.log(np.diff(log_t))
    return LadderState(jnp.asarray(log_t[-1]), jnp.asarray(weights))


def ladder_temperatures(ladder: LadderState):
    """Temperatures of a ladder state, shape (n_temps,), starting at exactly 1."""
    if ladder.weights.shape[-1] == 0:
        return jnp.ones(1)
    gaps = ladder.log_t_max * jax.nn.softmax(ladder.weights)
    return jnp.exp(jnp.concatenate([jnp.zeros(1), jnp.cumsum(gaps)]))


def adapt_ladder(ladder: LadderState, swap_probability, t, adapting):
    """One adaptation step of a chain's ladder (module docstring).

    Parameters
    ----------
    ladder : LadderState
    swap_probability : array, shape (n_temps - 1,)
        Acceptance probability of a swap of each neighbouring pair at the
        current states.
    t : int scalar
        Iteration.
    adapting : bool scalar
        Whether burn-in is still on.
    """
    kappa = LADDER_GAIN * LADDER_LAG / (t + LADDER_LAG)
    finite = jnp.isfinite(ladder.weights)
    step = kappa * (swap_probability - jnp.mean(swap_probability))
    new = jnp.where(finite & adapting, ladder.weights + step, ladder.weights)
    return LadderState(ladder.log_t_max, new)


def geometric_ladder(n_temps: int, t_max: float):
    """Geometric temperature ladder from 1 to ``t_max``.

    Parameters
    ----------
    n_temps : int
        Number of temperatures (>= 1). With 1 the ladder is ``[1.0]``.
    t_max : float
        Hottest temperature (>= 1; ignored when ``n_temps == 1``).

    Returns
    -------
    ndarray, shape (n_temps,)
    """
    n_temps = int(n_temps)
    if n_temps < 1:
        raise ValueError(f"n_temps = {n_temps}: need at least 1 temperature")
    if n_temps == 1:
        return np.ones(1)
    if not (np.isfinite(t_max) and t_max >= 1.0):
        raise ValueError(f"t_max = {t_max!r}: need a finite t_max >= 1")
    return t_max ** (np.arange(n_temps) / (n_temps - 1.0))


def check_ladder(temperatures):
    """Validate a ladder and return it as a float array of shape (n_temps,).

    Raises
    ------
    ValueError
        Unless the ladder is a non-empty 1-D array of finite values, starting
        at exactly 1 and non-decreasing.
    """
    t = np.atleast_1d(np.asarray(temperatures, dtype=float))
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"temperatures = {temperatures!r}: need a non-empty 1-D sequence")
    if t[0] != 1.0:
        raise ValueError(f"temperatures[0] = {float(t[0])!r}: the ladder must start at 1 "
                         "(the draws kept are those of T = 1)")
    if not np.all(np.isfinite(t)) or np.any(np.diff(t) < 0):
        raise ValueError(f"temperatures = {t.tolist()}: need finite values, non-decreasing from 1")
    return t


def swap(key, states, log_likelihood, temperatures, parity):
    """One round of neighbour swaps for a single chain.

    Parameters
    ----------
    key : PRNG key
    states : pytree
        Replica states with a leading axis of length ``n_temps``.
    log_likelihood : array, shape (n_temps,)
        Untempered log-likelihood of each replica.
    temperatures : array, shape (n_temps,)
    parity : int scalar
        0: pairs (0, 1), (2, 3), ...; 1: pairs (1, 2), (3, 4), ...

    Returns
    -------
    states : pytree
        After the accepted swaps.
    attempted, accepted : bool arrays, shape (n_temps - 1,)
        Per pair ``(i, i+1)``: whether it was proposed this round and
        whether the exchange was accepted.
    probability : array, shape (n_temps - 1,)
        ``min(1, a)`` of every pair at the current states (whether proposed
        or not), for the ladder adaptation.
    """
    n = temperatures.shape[0]
    lower = jnp.arange(n - 1)
    attempted = (lower % 2) == parity
    beta = 1.0 / temperatures
    log_a = (log_likelihood[1:] - log_likelihood[:-1]) * (beta[:-1] - beta[1:])
    log_a = jnp.where(jnp.isnan(log_a), -jnp.inf, log_a)
    u = jax.random.uniform(key, (n - 1,))
    accepted = attempted & (jnp.log(u) < log_a)
    false = jnp.zeros(1, dtype=bool)
    is_lower = jnp.concatenate([accepted, false])
    is_upper = jnp.concatenate([false, accepted])
    perm = jnp.arange(n) + is_lower.astype(int) - is_upper.astype(int)
    new_states = jax.tree.map(lambda x: jnp.take(x, perm, axis=0), states)
    return new_states, attempted, accepted, jnp.exp(jnp.minimum(log_a, 0.0))
