"""Reversible-jump sampler with parallel tempering over discontinuities on a reference.

The model (:mod:`bayesjoint.samplers.xdisc_steps_inversion` gives its use):
one of ``n_references`` smooth reference Earths ``r``, and ``k`` steps of
the velocities below 200 km, step ``j`` at depth ``d_j`` with relative jump
``a_j`` (:func:`~bayesjoint.model.xdisc_models.steps_factor`), and a noise
scale ``s``. The prior is uniform on ``r``, on ``k`` in ``0..k_max`` and on
every ``d_j``, ``a_j`` and ``log s`` inside its bounds
(:class:`StepPrior`). The steps sit in ``k_max`` slots, of which ``k`` are
active, every choice of slots equally probable::

    p(r, slots, d, a, s) = 1/n_r  1/(k_max + 1)  1/C(k_max, k)  prod_j 1/(|D| |A|)  1/|log S|

Moves (one per iteration and replica, with fixed probabilities
:data:`MOVE_PROBABILITIES`): a birth (an empty slot, depth from the prior,
jump from the mixture ``q(a) = p_A(a) / 2 + N(a; 0, birth_jump_std) / 2``
of the prior and a narrow Gaussian: often a small step, which the data
accept more readily, while any step can die), a death (an active slot), a
Gaussian step of one active slot's depth or jump, of ``log s``, and a new
reference (uniform among the others). With births and deaths chosen
equally often, the Green (1995) ratio of a birth is, after the slot counts
cancel against ``C(k_max, k)``::

    log alpha = (log L' - log L) / T + log p_A(a) - log q(a)

and that of a death its inverse; every other move is symmetric and takes
the tempered likelihood ratio alone. Proposal widths grow with the
replica's temperature ``T`` as ``sqrt(T)`` (at most half the prior width),
which keeps every replica's kernel fixed and reversible.

Replicas at the temperatures of each chain swap states between
neighbours after every iteration (even pairs, then odd pairs), accepted
with ``min(1, exp((1/T_i - 1/T_j)(log L_j - log L_i)))`` (parallel
tempering; Sambridge 2014, GJI 196, 357, eq. 8). Chains run one
per JAX device when the devices divide them (:func:`jax.pmap`), else
vmapped on one.
"""

import time
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

MOVES = ("birth", "death", "depth", "jump", "noise", "reference")
"""The moves, in the order of :data:`MOVE_PROBABILITIES`."""

MOVE_PROBABILITIES = (0.15, 0.15, 0.25, 0.25, 0.1, 0.1)
"""Probability of each move of :data:`MOVES` per iteration (births and deaths
equally often, as the acceptance ratio assumes)."""


class StepPrior(NamedTuple):
    """Uniform prior bounds and the number of slots and references.

    Attributes
    ----------
    depth_km, jump, log_noise_scale : (float, float)
        Bounds of every step's depth (km), relative jump, and of the log
        noise scale.
    k_max : int
        Most steps.
    n_references : int
    """

    depth_km: tuple
    jump: tuple
    log_noise_scale: tuple
    k_max: int
    n_references: int


class Proposal(NamedTuple):
    """Proposal scales at temperature 1.

    Attributes
    ----------
    depth_km, jump, log_noise_scale : float
        Standard deviations of the Gaussian steps.
    birth_jump_std : float
        Standard deviation of the Gaussian half of a new step's jump.
    """

    depth_km: float = 10.0
    jump: float = 0.003
    log_noise_scale: float = 0.03
    birth_jump_std: float = 0.01


class StepState(NamedTuple):
    """State of one replica (add leading axes for chains and temperatures).

    ``reference`` (int), ``active`` (bool, (k_max,)), ``depth_km`` and
    ``jump`` ((k_max,); values of inactive slots are ignored and their
    jump is counted as 0), ``log_noise_scale`` and the untempered
    ``log_likelihood``.
    """

    reference: jax.Array
    active: jax.Array
    depth_km: jax.Array
    jump: jax.Array
    log_noise_scale: jax.Array
    log_likelihood: jax.Array


def prior_draw(key, prior: StepPrior):
    """One state drawn from the prior, its ``log_likelihood`` NaN (fill it in)."""
    kr, kk, kp, kd, ka, ks = jax.random.split(key, 6)
    k = jax.random.randint(kk, (), 0, prior.k_max + 1)
    order = jax.random.permutation(kp, prior.k_max)
    return StepState(
        jax.random.randint(kr, (), 0, prior.n_references),
        order < k,
        jax.random.uniform(kd, (prior.k_max,), minval=prior.depth_km[0],
                           maxval=prior.depth_km[1]),
        jax.random.uniform(ka, (prior.k_max,), minval=prior.jump[0], maxval=prior.jump[1]),
        jax.random.uniform(ks, (), minval=prior.log_noise_scale[0],
                           maxval=prior.log_noise_scale[1]),
        jnp.asarray(jnp.nan))


def _inside(x, bounds):
    return (x >= bounds[0]) & (x <= bounds[1])


def _normal_logpdf(x, std):
    return -0.5 * (x / std) ** 2 - jnp.log(std * jnp.sqrt(2.0 * jnp.pi))


def _pick(key, mask):
    """A uniformly chosen index where ``mask`` is true (0 when none is)."""
    return jnp.argmax(jnp.where(mask, jax.random.uniform(key, mask.shape), -1.0))


def propose(key, state: StepState, temperature, prior: StepPrior, scales: Proposal):
    """A proposal from ``state`` at ``temperature``.

    Returns
    -------
    move : int scalar
        Index into :data:`MOVES`.
    proposed : StepState
        Its ``log_likelihood`` is that of ``state`` (to be recomputed).
    valid : bool scalar
        Inside the prior support and possible (no birth with every slot
        full, no death, depth or jump move without a step).
    log_ratio : scalar
        Prior and proposal terms of ``log alpha`` (module docstring).
    """
    keys = jax.random.split(key, 6)
    move = jax.random.choice(keys[0], len(MOVES), p=jnp.asarray(MOVE_PROBABILITIES))
    k = jnp.sum(state.active)
    widen = jnp.sqrt(temperature)
    empty = _pick(keys[1], ~state.active)
    chosen = _pick(keys[1], state.active)
    z = jax.random.normal(keys[2])
    a_width = prior.jump[1] - prior.jump[0]
    log_p_a = -jnp.log(a_width)
    std_b = scales.birth_jump_std

    def log_q_birth(a):  # the mixture of the prior and N(0, std_b), inside the prior
        return jnp.logaddexp(log_p_a, _normal_logpdf(a, std_b)) - jnp.log(2.0)

    # birth
    new_depth = jax.random.uniform(keys[3], minval=prior.depth_km[0], maxval=prior.depth_km[1])
    u_jump, u_which = jax.random.uniform(keys[5], (2,))
    new_jump = jnp.where(u_which < 0.5, prior.jump[0] + a_width * u_jump, std_b * z)
    birth = state._replace(active=state.active.at[empty].set(True),
                           depth_km=state.depth_km.at[empty].set(new_depth),
                           jump=state.jump.at[empty].set(new_jump))
    birth_ok = (k < prior.k_max) & _inside(new_jump, prior.jump)
    birth_ratio = log_p_a - log_q_birth(new_jump)
    # death
    death = state._replace(active=state.active.at[chosen].set(False))
    death_ratio = log_q_birth(state.jump[chosen]) - log_p_a
    # depth and jump of one step
    d_new = state.depth_km[chosen] + jnp.minimum(
        scales.depth_km * widen, 0.5 * (prior.depth_km[1] - prior.depth_km[0])) * z
    a_new = state.jump[chosen] + jnp.minimum(scales.jump * widen, 0.5 * a_width) * z
    depth = state._replace(depth_km=state.depth_km.at[chosen].set(d_new))
    jump = state._replace(jump=state.jump.at[chosen].set(a_new))
    # noise scale
    s_width = prior.log_noise_scale[1] - prior.log_noise_scale[0]
    s_new = state.log_noise_scale + jnp.minimum(scales.log_noise_scale * widen,
                                                0.5 * s_width) * z
    noise = state._replace(log_noise_scale=s_new)
    # reference
    shift = jax.random.randint(keys[4], (), 1, max(prior.n_references, 2))
    reference = state._replace(reference=(state.reference + shift) % prior.n_references)

    candidates = (birth, death, depth, jump, noise, reference)
    proposed = jax.tree.map(lambda *xs: jnp.choose(move, xs, mode="clip"), *candidates)
    valid = jnp.stack([birth_ok, k > 0, (k > 0) & _inside(d_new, prior.depth_km),
                       (k > 0) & _inside(a_new, prior.jump),
                       _inside(s_new, prior.log_noise_scale),
                       jnp.asarray(prior.n_references > 1)])[move]
    log_ratio = jnp.stack([birth_ratio, death_ratio, 0.0, 0.0, 0.0, 0.0])[move]
    return move, proposed, valid, log_ratio


def kernel_step(key, state: StepState, temperature, log_likelihood_fn, prior: StepPrior,
                scales: Proposal):
    """One Metropolis-Hastings-Green step of one replica.

    ``log_likelihood_fn(state) -> scalar``. Returns the new state, the move
    and whether it was accepted.
    """
    k_prop, k_acc = jax.random.split(key)
    move, proposed, valid, log_ratio = propose(k_prop, state, temperature, prior, scales)
    ll = log_likelihood_fn(proposed)
    log_alpha = (ll - state.log_likelihood) / temperature + log_ratio
    accept = valid & jnp.isfinite(ll) & (jnp.log(jax.random.uniform(k_acc)) < log_alpha)
    new = jax.tree.map(lambda a, b: jnp.where(accept, a, b),
                       proposed._replace(log_likelihood=ll), state)
    return new, move, accept


def swap_step(key, states: StepState, temperatures, parity):
    """Replica swaps between neighbouring temperatures of one chain.

    ``states`` with a leading axis of ``T`` replicas, ``temperatures``
    increasing; pairs ``(i, i + 1)`` with ``i % 2 == parity`` are proposed.
    Returns the states and whether each pair ``(i, i + 1)`` swapped, shape (T - 1,).
    """
    n = temperatures.shape[0]
    i = jnp.arange(n - 1)
    ll = states.log_likelihood
    log_alpha = (1.0 / temperatures[:-1] - 1.0 / temperatures[1:]) * (ll[1:] - ll[:-1])
    accept = ((i % 2 == parity) & (jnp.log(jax.random.uniform(key, (n - 1,))) < log_alpha))
    # partner of every replica after the swaps (pairs do not overlap)
    up = jnp.concatenate([accept, jnp.zeros(1, bool)])
    down = jnp.concatenate([jnp.zeros(1, bool), accept])
    idx = jnp.arange(n)
    partner = jnp.where(up, idx + 1, jnp.where(down, idx - 1, idx))
    return jax.tree.map(lambda x: x[partner], states), accept


class Chunk(NamedTuple):
    """What one chunk of iterations kept and counted (leading axis: chains).

    ``draws``: the temperature-1 states every ``thin`` iterations, leading
    axes (chains, draws); ``proposed`` and ``accepted``: counts per
    temperature and move, shape (chains, T, len(MOVES)); ``swaps_proposed``
    and ``swaps_accepted``: per neighbouring pair, shape (chains, T - 1).
    """

    draws: StepState
    proposed: jax.Array
    accepted: jax.Array
    swaps_proposed: jax.Array
    swaps_accepted: jax.Array


def _chain_chunk(key, states, temperatures, data, log_likelihood, prior, scales, n_steps,
                 thin):
    """``n_steps`` iterations of one chain's replicas (leading axis T)."""
    n_t = temperatures.shape[0]

    def one_iteration(carry, key_i):
        states, counts = carry
        k_moves, k_swap = jax.random.split(key_i)
        keys = jax.random.split(k_moves, n_t)
        fn = lambda s: log_likelihood(s, data)  # noqa: E731
        states, moves, accepted = jax.vmap(
            lambda k, s, t: kernel_step(k, s, t, fn, prior, scales))(keys, states,
                                                                     temperatures)
        parity = counts[4] % 2
        states, swapped = swap_step(k_swap, states, temperatures, parity)
        one_hot = jax.nn.one_hot(moves, len(MOVES))
        pairs = (jnp.arange(n_t - 1) % 2 == parity).astype(float)
        counts = (counts[0] + one_hot, counts[1] + one_hot * accepted[:, None],
                  counts[2] + pairs, counts[3] + swapped, counts[4] + 1)
        return (states, counts), jax.tree.map(lambda x: x[0], states)

    def thinned(carry, key_t):
        carry, kept = jax.lax.scan(one_iteration, carry, jax.random.split(key_t, thin))
        return carry, jax.tree.map(lambda x: x[-1], kept)

    zeros = (jnp.zeros((n_t, len(MOVES))), jnp.zeros((n_t, len(MOVES))),
             jnp.zeros(n_t - 1), jnp.zeros(n_t - 1), jnp.asarray(0))
    (states, counts), draws = jax.lax.scan(thinned, (states, zeros),
                                           jax.random.split(key, n_steps // thin))
    return states, Chunk(draws, *counts[:4])


def fill_log_likelihood(states, data, log_likelihood):
    """``states`` (any leading axes) with their log-likelihoods under ``data``."""
    flat = jax.tree.map(lambda x: x.reshape((-1,) + x.shape[states.active.ndim - 1:]), states)
    ll = jax.jit(jax.vmap(lambda s: log_likelihood(s, data)))(flat)
    return states._replace(log_likelihood=ll.reshape(states.active.shape[:-1]))


def initial_states(key, n_chains, n_temperatures, prior: StepPrior):
    """Prior draws for every replica, leading axes (chains, temperatures)."""
    keys = jax.random.split(key, n_chains * n_temperatures)
    flat = jax.vmap(lambda k: prior_draw(k, prior))(keys)
    return jax.tree.map(lambda x: x.reshape((n_chains, n_temperatures) + x.shape[1:]), flat)


def join_draws(kept):
    """Draws (StepState, leading axes (chains, draws)) of several chunks, joined along
    the draws."""
    return jax.tree.map(lambda *xs: np.concatenate(xs, axis=1), *kept)


def run(key, states, temperatures, data, log_likelihood, prior: StepPrior,
        scales: Proposal = Proposal(), *, n_iterations, n_burn, thin, chunk_size,
        time_budget_s=np.inf, converged=None, check_every=4, done=0, kept=None, totals=None,
        on_chunk=None):
    """Run (or continue) every chain's tempered replicas; keep the temperature-1 draws
    after burn-in.

    Parameters
    ----------
    key : PRNG key
    states : StepState
        Leading axes (chains, temperatures), log-likelihoods filled in
        (:func:`fill_log_likelihood`).
    temperatures : array, shape (T,)
        Increasing, the first 1.
    data : pytree
        Second argument of ``log_likelihood(state, data) -> scalar``.
    log_likelihood : callable
    prior : StepPrior
    scales : Proposal
    n_iterations, n_burn, thin, chunk_size : int
        Iterations per chain (burn-in included), of which the first
        ``n_burn`` are not kept; every ``thin``-th is kept; iterations per
        compiled chunk. ``n_burn`` and ``n_iterations`` multiples of
        ``chunk_size``, ``chunk_size`` of ``thin``.
    time_budget_s : float
        No new chunk starts once this much wall time has passed (the
        burn-in and one chunk after it always run).
    converged : callable, optional
        ``converged(draws) -> bool`` on the draws kept so far; the run
        stops when it returns True, asked after every ``check_every``-th
        chunk past the burn-in.
    check_every : int
    done : int
        Iterations per chain already run (a multiple of ``chunk_size``): the
        run continues from there, ``states`` being those after them, with
        the random numbers the uninterrupted run would draw next.
    kept : StepState, optional
        NumPy draws kept by those iterations, leading axes (chains, draws).
    totals : list of 4 arrays, optional
        Their move and swap counts, as :func:`count_totals` adds them.
    on_chunk : callable, optional
        ``on_chunk(done, states, chunk, draws)`` after every chunk: the
        iterations run so far, the states after them, the chunk's
        :class:`Chunk` (NumPy) and its kept draws (None within the burn-in);
        for a caller that writes the run as it goes.

    Returns
    -------
    draws : StepState
        NumPy arrays, leading axes (chains, draws).
    stats : dict
        As :func:`run_stats` makes it.
    """
    n_chains = states.active.shape[0]
    n_dev = jax.local_device_count()
    use_pmap = n_dev > 1 and n_chains % n_dev == 0
    temperatures = jnp.asarray(temperatures, dtype=float)

    def chain(k, s):
        return _chain_chunk(k, s, temperatures, data, log_likelihood, prior, scales,
                            chunk_size, thin)

    if use_pmap:
        per = n_chains // n_dev
        step = jax.pmap(jax.vmap(chain))

        def split(x):
            return x.reshape((n_dev, per) + x.shape[1:])

        def join(x):
            return x.reshape((n_chains,) + x.shape[2:])
    else:
        step = jax.jit(jax.vmap(chain))
        split = join = lambda x: x  # noqa: E731

    if done % chunk_size:
        raise ValueError(f"done = {done}: must be a multiple of chunk_size = {chunk_size}")
    for _ in range(done // chunk_size):  # the keys the iterations done have used
        key, _ = jax.random.split(key)
    t0 = time.perf_counter()
    kept = [] if kept is None else [kept]
    n_kept, reason = max(0, done - n_burn) // chunk_size, "n_iterations"
    while done < n_iterations:
        if done > n_burn and time.perf_counter() - t0 > time_budget_s:  # one chunk kept
            reason = "time_budget"
            break
        key, sub = jax.random.split(key)
        keys = jax.random.split(sub, n_chains)
        states, chunk = step(split(keys), jax.tree.map(split, states))
        states, chunk = jax.tree.map(join, states), jax.tree.map(join, chunk)
        done += chunk_size
        chunk = jax.tree.map(np.asarray, chunk)
        totals = count_totals(totals, chunk)
        draws = chunk.draws if done > n_burn else None
        if on_chunk is not None:
            on_chunk(done, jax.tree.map(np.asarray, states), chunk, draws)
        if draws is not None:
            kept.append(draws)
            n_kept += 1
            if converged is not None and n_kept % check_every == 0 and done < n_iterations:
                kept = [join_draws(kept)]
                if converged(kept[0]):
                    reason = "converged"
                    break
    return join_draws(kept), run_stats(totals, done, reason, states)


def count_totals(totals, chunk: Chunk):
    """``totals`` (None at the start) plus the move and swap counts of ``chunk``.

    Returns
    -------
    list of 4 ndarray
        ``proposed``, ``accepted``, ``swaps_proposed``, ``swaps_accepted``,
        shaped as in :class:`Chunk`.
    """
    counts = [np.asarray(c) for c in chunk[1:]]
    return counts if totals is None else [a + b for a, b in zip(totals, counts)]


def run_stats(totals, iterations, reason, states):
    """What :func:`run` reports besides its draws.

    Parameters
    ----------
    totals : list of 4 arrays
        :func:`count_totals` over the whole run.
    iterations : int
        Per chain, burn-in included.
    reason : str
        ``"n_iterations"``, ``"time_budget"`` or ``"converged"``.
    states : StepState
        The final states.

    Returns
    -------
    dict
        ``iterations``, ``stop_reason``, ``acceptance`` (move -> per
        temperature, over the whole run), ``swap_acceptance`` (per
        neighbouring pair, mean over chains) and ``states``.
    """
    proposed, accepted, swaps_proposed, swaps_accepted = (t.sum(axis=0) for t in totals)
    with np.errstate(invalid="ignore", divide="ignore"):
        acceptance = accepted / proposed
        swap = swaps_accepted / swaps_proposed
    return {"iterations": iterations, "stop_reason": reason,
            "acceptance": {m: acceptance[:, i].tolist() for i, m in enumerate(MOVES)},
            "swap_acceptance": swap.tolist(), "states": states}
