"""The compiled core of a reversible-jump run: one chunk of iterations of every chain.

:func:`build_chunk` returns a pure jitted function that advances ``n_chains``
chains, each with one replica per temperature, through ``chunk_size``
iterations and returns the kept draws of the T = 1 replicas. One iteration
is one kernel step (:mod:`~bayesjoint.samplers.rjmcmc`) of every replica,
with adaptation of the step sizes during burn-in
(:mod:`~bayesjoint.samplers.adaptation`), then one round of neighbour swaps
and, during burn-in, one step of the temperature-ladder adaptation
(:mod:`~bayesjoint.samplers.tempering`). Nothing leaves the device inside a
chunk. :mod:`~bayesjoint.samplers.run` drives it, writes the draws to disk
and resumes; benchmarks call it directly.

Devices and batching
    The chains are split over ``n_devices`` devices with
    :func:`jax.shard_map` (on a CPU, one XLA host device per core: see
    :func:`bayesjoint.set_cpu_devices`), and on each device the replicas
    are either mapped one after another (``batch="map"``: real control
    flow, so a proposal outside the prior support costs no forward model
    and the forward recursions stop at the active layers; the fast choice
    on a CPU) or vmapped (``batch="vmap"``: one wide computation; the fast
    choice on a GPU, where every replica then pays for the deepest one).
Random stream
    The key of iteration ``t`` is ``fold_in(run_key, t)`` and chain ``c``
    uses ``fold_in(that, c)``, whatever the device count or batching, so
    the draws depend only on the seed.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from bayesjoint.earth import PROPERTY_FIELDS
from bayesjoint.samplers import adaptation, rjmcmc, tempering
from bayesjoint.samplers import moves as mv

BATCH_MODES = ("map", "vmap")
COUNT_NAMES = ("proposed", "accepted", "non_finite", "swap_attempted", "swap_accepted")


class ChainState(NamedTuple):
    """Everything a run carries from one chunk to the next.

    Attributes
    ----------
    replicas : rjmcmc.State
        Leading axes (n_chains, n_temps).
    adapt : adaptation.AdaptState
        Leading axes (n_chains, n_temps).
    ladder : tempering.LadderState
        Leading axis (n_chains,).
    """

    replicas: rjmcmc.State
    adapt: adaptation.AdaptState
    ladder: tempering.LadderState


def default_batch():
    """``"vmap"`` on an accelerator, ``"map"`` on a CPU."""
    return "map" if jax.default_backend() == "cpu" else "vmap"


def device_count_for(n_chains, devices=None):
    """The largest number of devices, at most those available, that divides ``n_chains``."""
    n_avail = len(jax.devices() if devices is None else devices)
    return max(d for d in range(1, min(n_avail, n_chains) + 1) if n_chains % d == 0)


def earth_arrays(earth):
    """The arrays of a model that a run stores, by name (absent properties left out)."""
    names = ("interface_depth_km", "n_layers") + PROPERTY_FIELDS
    return {n: getattr(earth, n) for n in names if getattr(earth, n) is not None}


def _batched(f, batch):
    """Apply ``f`` over the leading axis of its arguments, mapped or vmapped."""
    if batch == "vmap":
        return jax.vmap(f)
    return lambda *args: jax.lax.map(lambda a: f(*a), args)


def build_chunk(log_likelihood_fn, spec, *, probs, scales, birth="prior", seismic=False,
                n_chains, n_temps, thin, chunk_size, n_burn, target_acceptance,
                n_depth_bins=rjmcmc.N_DEPTH_BINS, adapt_ladder=True, batch=None, n_devices=None):
    """Build the jitted chunk function.

    Parameters
    ----------
    log_likelihood_fn : callable ``f(earth, noise_scale) -> scalar``
    spec : PriorSpec
    probs : tuple of float
        Move probabilities, one per :data:`~bayesjoint.samplers.moves.MOVES`.
    scales : rjmcmc.ProposalScales
        Birth scales (the adapted steps come from the :class:`ChainState`).
    birth : {"prior", "neighbour", "split"}
    seismic : bool
    n_chains, n_temps : int
    thin : int
        Keep every ``thin``-th iteration.
    chunk_size : int
        Iterations per call, a multiple of ``thin``.
    n_burn : int
        Iterations (counted from the start of the run) during which steps
        and ladder adapt.
    target_acceptance : float
    n_depth_bins : int
    adapt_ladder : bool
        Adapt the temperature ladder during burn-in.
    batch : {"map", "vmap"}, optional
        Default :func:`default_batch`.
    n_devices : int, optional
        Devices to split the chains over; default :func:`device_count_for`.

    Returns
    -------
    run_chunk : ChunkFunction
        ``run_chunk(run_key, chain_state, t0) -> (chain_state, counts, draws)``;
        ``counts``: dict of int arrays summed over chains, first axis
        (burn-in, sampling): ``proposed`` and ``accepted`` (2, n_temps,
        n_moves), ``non_finite`` (2, n_temps), ``swap_attempted`` and
        ``swap_accepted`` (2, n_temps - 1). ``draws``: dict of arrays
        (chunk_size // thin, n_chains, ...) of the T = 1 replicas: the
        model arrays, ``noise_scale``, ``log_likelihood``, ``log_prior``.
    """
    batch = default_batch() if batch is None else batch
    if batch not in BATCH_MODES:
        raise ValueError(f"batch = {batch!r}: allowed values are {BATCH_MODES}")
    n_devices = device_count_for(n_chains) if n_devices is None else int(n_devices)
    if n_chains % n_devices:
        raise ValueError(f"n_devices = {n_devices}: must divide n_chains = {n_chains}")
    kernel = rjmcmc.build_kernel(log_likelihood_fn, spec, probs, scales, birth, seismic,
                                 n_depth_bins)
    layout = adaptation.Layout(n_depth_bins)
    n_moves = len(mv.MOVES)
    n_local = n_chains // n_devices

    def replica_step(key, state, temperature, adapt, t):
        steps = layout.steps(adapt.log_scales)
        sc = rjmcmc.ProposalScales(*(steps[m] for m in adaptation.ADAPTED_MOVES),
                                   *scales[rjmcmc.N_ADAPTED:])
        new_state, info = kernel(key, state, temperature, scales=sc)
        adapt = adaptation.update(adapt, layout, info.move, info.depth_bin,
                                  info.log_acceptance, t < n_burn, target_acceptance)
        return new_state, adapt, info

    def chain_step(key, replicas, adapt, ladder, t):
        keys = jax.random.split(key, n_temps + 1)
        temps = tempering.ladder_temperatures(ladder)
        ts = jnp.full(n_temps, t)
        replicas, adapt, info = _batched(replica_step, batch)(keys[:n_temps], replicas, temps,
                                                              adapt, ts)
        if n_temps > 1:
            replicas, attempted, accepted, prob = tempering.swap(
                keys[n_temps], replicas, replicas.log_likelihood, temps, t % 2)
            if adapt_ladder:
                ladder = tempering.adapt_ladder(ladder, prob, t, t < n_burn)
        else:
            attempted = accepted = jnp.zeros(0, dtype=bool)
        return replicas, adapt, ladder, info, attempted, accepted

    def zero_counts():
        return {"proposed": jnp.zeros((2, n_temps, n_moves), dtype=jnp.int64),
                "accepted": jnp.zeros((2, n_temps, n_moves), dtype=jnp.int64),
                "non_finite": jnp.zeros((2, n_temps), dtype=jnp.int64),
                "swap_attempted": jnp.zeros((2, n_temps - 1), dtype=jnp.int64),
                "swap_accepted": jnp.zeros((2, n_temps - 1), dtype=jnp.int64)}

    def local_chunk(run_key, cs: ChainState, t0, first_chain):
        chain_ids = first_chain + jnp.arange(n_local)

        def iteration(carry, t):
            cs, counts = carry
            key_t = jax.random.fold_in(run_key, t)
            keys = jax.vmap(lambda c: jax.random.fold_in(key_t, c))(chain_ids)
            tt = jnp.full(n_local, t)
            replicas, adapt, ladder, info, attempted, accepted = _batched(chain_step, batch)(
                keys, cs.replicas, cs.adapt, cs.ladder, tt)
            phase = (t >= n_burn).astype(jnp.int32)
            onehot = jax.nn.one_hot(info.move, n_moves, dtype=jnp.int64)  # (C, T, moves)
            counts = {
                "proposed": counts["proposed"].at[phase].add(onehot.sum(0)),
                "accepted": counts["accepted"].at[phase].add(
                    (onehot * info.accepted[..., None]).sum(0)),
                "non_finite": counts["non_finite"].at[phase].add(info.non_finite.sum(0)),
                "swap_attempted": counts["swap_attempted"].at[phase].add(attempted.sum(0)),
                "swap_accepted": counts["swap_accepted"].at[phase].add(accepted.sum(0)),
            }
            return (ChainState(replicas, adapt, ladder), counts), None

        def block(carry, j):
            ts = t0 + j * thin + jnp.arange(thin)
            carry, _ = jax.lax.scan(iteration, carry, ts)
            cold = jax.tree.map(lambda x: x[:, 0], carry[0].replicas)
            draw = earth_arrays(cold.earth)
            draw.update({"noise_scale": cold.noise_scale, "log_likelihood": cold.log_likelihood,
                         "log_prior": cold.log_prior})
            return carry, draw

        (cs, counts), draws = jax.lax.scan(block, (cs, zero_counts()),
                                           jnp.arange(chunk_size // thin))
        return cs, jax.tree.map(lambda x: x[None], counts), draws

    if n_devices == 1:
        def all_chunk(run_key, cs, t0):
            return local_chunk(run_key, cs, t0, 0)

        placement = None
    else:
        mesh = Mesh(np.array(jax.devices()[:n_devices]), ("chain",))
        chain = PartitionSpec("chain")

        def sharded(run_key, cs, t0):
            first = jax.lax.axis_index("chain") * n_local
            return local_chunk(run_key, cs, t0, first)

        all_chunk = jax.shard_map(
            sharded, mesh=mesh, in_specs=(PartitionSpec(), chain, PartitionSpec()),
            out_specs=(chain, chain, PartitionSpec(None, "chain")), check_vma=False)
        placement = NamedSharding(mesh, chain)

    @jax.jit
    def run_chunk(run_key, cs, t0):
        cs, counts, draws = all_chunk(run_key, cs, t0)
        return cs, jax.tree.map(lambda x: x.sum(0), counts), draws

    return ChunkFunction(run_chunk, placement)


class ChunkFunction:
    """The jitted chunk function, called with the chain state placed on its devices.

    Placing the state first (a no-op from the second chunk on) keeps the
    argument shardings the same on every call, so the function compiles
    once.
    """

    def __init__(self, jitted, placement):
        self._jitted = jitted
        self._placement = placement

    def place(self, cs):
        """``cs`` with its chain axis split over the devices."""
        return cs if self._placement is None else jax.device_put(cs, self._placement)

    def __call__(self, run_key, cs, t0):
        return self._jitted(run_key, self.place(cs), t0)

    def lower(self, run_key, cs, t0):
        """Lower for ahead-of-time compilation (see :meth:`jax.jit` ``lower``)."""
        return self._jitted.lower(run_key, self.place(cs), t0)
