"""Reversible-jump MCMC with parallel tempering, written to disk in chunks, resumable.

:func:`run` advances ``n_chains`` independent chains, each with one replica
per temperature, chunk by chunk with the compiled driver of
:mod:`~bayesjoint.samplers.driver` (on every device, compiled once per
:func:`run` call and cached across calls), and writes each chunk to disk.

Random stream
    The key of iteration ``t`` is ``fold_in(run_key, t)`` and chain ``c``
    uses ``fold_in(that, c)``, so the stream depends only on the seed and
    the iteration: a run stopped and resumed equals the uninterrupted run
    draw for draw.
Adaptation
    During the first ``n_burn`` iterations the step sizes of the interface
    move and of the perturbations (one per depth bin) and of the noise move
    adapt per replica (:mod:`~bayesjoint.samplers.adaptation`), and with
    several temperatures each chain's ladder adapts towards equal swap
    rates (:mod:`~bayesjoint.samplers.tempering`); from iteration
    ``n_burn`` on both are frozen (the chain is then a fixed Markov
    kernel). The birth/death proposals are not adapted.
Run until converged
    With ``until_converged`` (a
    :class:`~bayesjoint.summaries.stopping.ConvergenceCriterion`) the run
    stops after the first chunk at whose end the kept draws meet the
    criterion, or when ``n_iterations`` or ``time_budget_s`` is spent;
    the manifest records which (``stop``).
Files in ``out_dir`` (a :class:`~bayesjoint.samplers.store.RunFolder`)
    ``chunk_NNNNN.npz``: the kept draws of the chunk (T = 1 only, every
    ``thin``-th iteration at or after ``n_burn``), the acceptance counts of
    the chunk and the complete sampler state at its end.
    ``manifest.json``: the configuration, the PRNG key, the list of
    complete chunks and how the run stopped. Both are written atomically,
    chunk first, so an interrupted run loses at most the chunk in progress;
    calling :func:`run` again with the same configuration resumes after
    the last complete chunk (``n_iterations`` may be raised to extend a
    finished run).
Kept draws
    ``n_layers`` (chain, draw), ``interface_depth_km`` (chain, draw,
    K_max - 1), ``log10_sigma`` (chain, draw, K_max), and for a seismic run
    ``vs_km_s`` and ``vp_vs`` (chain, draw, K_max), ``noise_scale``
    (chain, draw, D), ``log_likelihood`` and ``log_prior`` (chain, draw);
    inactive interface and layer slots are NaN.
"""

import functools
import json
import os
import time
from dataclasses import asdict, dataclass

import jax
import jax.numpy as jnp
import numpy as np
from tqdm.auto import tqdm

from bayesjoint.earth import PROPERTY_FIELDS, LayeredEarth, property_fields
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers import adaptation, driver, rjmcmc, store, tempering
from bayesjoint.samplers import moves as mv
from bayesjoint.samplers.config import BINNED_SCALES
from bayesjoint.summaries import stopping

FORMAT = "bayesjoint-rjmcmc-3"
MANIFEST = "manifest.json"
CHUNK_PREFIX = "chunk_"


def _folder(out_dir):
    return store.RunFolder(out_dir, FORMAT, manifest=MANIFEST, chunk_prefix=CHUNK_PREFIX)


@dataclass(frozen=True)
class RunResult:
    """A finished (or resumed-and-finished) run on disk.

    Attributes
    ----------
    out_dir : str
    """

    out_dir: str

    def draws(self):
        """Kept draws, see :func:`load_draws`."""
        return load_draws(self.out_dir)

    def stats(self):
        """Acceptance statistics, see :func:`load_stats`."""
        return load_stats(self.out_dir)

    def to_datatree(self):
        """The draws as an ArviZ DataTree, see :func:`to_datatree`."""
        return to_datatree(self.out_dir)


# ---------------------------------------------------------------- validation

def _positive_int(name, value):
    if isinstance(value, bool) or int(value) != value or value <= 0:
        raise ValueError(f"{name} = {value!r}: must be an integer > 0")
    return int(value)


def _validate(spec, n_iterations, n_burn, n_chains, thin, chunk_size, n_datasets,
              target_acceptance):
    rjmcmc.check_spec(spec)
    thin = _positive_int("thin", thin)
    chunk_size = _positive_int("chunk_size", chunk_size)
    n_chains = _positive_int("n_chains", n_chains)
    n_datasets = _positive_int("n_datasets", n_datasets)
    n_iterations = _positive_int("n_iterations", n_iterations)
    if chunk_size % thin:
        raise ValueError(f"chunk_size = {chunk_size}: must be a multiple of thin = {thin}")
    if n_iterations % chunk_size:
        raise ValueError(f"n_iterations = {n_iterations}: must be a multiple of "
                         f"chunk_size = {chunk_size}")
    if isinstance(n_burn, bool) or int(n_burn) != n_burn or n_burn < 0:
        raise ValueError(f"n_burn = {n_burn!r}: must be an integer >= 0")
    if not 0.0 < target_acceptance < 1.0:
        raise ValueError(f"target_acceptance = {target_acceptance!r}: must lie in (0, 1)")
    return n_iterations, int(n_burn), n_chains, thin, chunk_size, n_datasets


def _config(spec, n_burn, n_chains, temps, thin, chunk_size, seed, n_datasets, initial,
            initial_noise_scale, probs, scales, birth, target_acceptance, seismic, n_depth_bins,
            adapt_ladder):
    if isinstance(initial, LayeredEarth):  # the active slots (inactive ones are ignored)
        k = int(initial.n_layers)
        init_cfg = {"n_layers": k,
                    "interface_depth_km": np.asarray(initial.interface_depth_km)[:k - 1].tolist()}
        init_cfg.update({name: np.asarray(getattr(initial, name))[:k].tolist()
                         for name in property_fields(seismic)})
    else:
        init_cfg = initial
    cfg = {
        "spec": asdict(spec), "n_burn": n_burn, "n_chains": n_chains,
        "temperatures": [float(t) for t in temps], "thin": thin, "chunk_size": chunk_size,
        "seed": int(seed), "n_datasets": n_datasets, "initial": init_cfg,
        "initial_noise_scale": (None if initial_noise_scale is None
                                else np.asarray(initial_noise_scale, float).tolist()),
        "move_probs": dict(zip(mv.MOVES, (float(p) for p in probs))),
        "proposal_scales": {k: np.asarray(v, dtype=float).tolist()
                            for k, v in scales._asdict().items()},
        "birth": birth, "target_acceptance": float(target_acceptance), "seismic": bool(seismic),
        "n_depth_bins": int(n_depth_bins), "adapt_ladder": bool(adapt_ladder),
    }
    return json.loads(json.dumps(cfg))


# ---------------------------------------------------------------- compiled pieces

def _stack_states(cs: driver.ChainState):
    out = {f"state_{k}": v for k, v in driver.earth_arrays(cs.replicas.earth).items()}
    out.update({"state_noise_scale": cs.replicas.noise_scale,
                "state_log_likelihood": cs.replicas.log_likelihood,
                "state_log_prior": cs.replicas.log_prior,
                "state_misfit": cs.replicas.misfit,
                "state_log_scales": cs.adapt.log_scales,
                "state_n_proposed": cs.adapt.n_proposed,
                "state_ladder_log_t_max": cs.ladder.log_t_max,
                "state_ladder_weights": cs.ladder.weights})
    return {k: np.asarray(v) for k, v in out.items()}


def _unstack_states(npz) -> driver.ChainState:
    if "state_misfit" not in npz.files:
        raise ValueError("the run's chunk files were written by an older version of bayesjoint "
                         "that did not store the misfits; start the run again (--overwrite)")
    earth = LayeredEarth(**{n: jnp.asarray(npz[f"state_{n}"])
                            for n in ("interface_depth_km", "n_layers") + PROPERTY_FIELDS
                            if f"state_{n}" in npz.files})
    replicas = rjmcmc.State(earth, jnp.asarray(npz["state_noise_scale"]),
                            jnp.asarray(npz["state_log_likelihood"]),
                            jnp.asarray(npz["state_log_prior"]),
                            jnp.asarray(npz["state_misfit"]))
    adapt = adaptation.AdaptState(jnp.asarray(npz["state_log_scales"]),
                                  jnp.asarray(npz["state_n_proposed"]))
    ladder = tempering.LadderState(jnp.asarray(npz["state_ladder_log_t_max"]),
                                   jnp.asarray(npz["state_ladder_weights"]))
    return driver.ChainState(replicas, adapt, ladder)


def initial_states(log_likelihood_fn, spec, key, *, n_chains, n_temps, n_datasets,
                   initial="prior", initial_noise_scale=None, seismic=False):
    """The replicas a run starts from, as :func:`run` makes them.

    Parameters
    ----------
    log_likelihood_fn, spec, n_chains, n_datasets, initial, initial_noise_scale, seismic
        As for :func:`run`.
    key : jax.random.PRNGKey
        Key of the prior draws (unused with a given ``initial``).
    n_temps : int
        Replicas per chain (temperatures).

    Returns
    -------
    rjmcmc.State
        Leading axes (n_chains, n_temps).
    """
    def one(key):
        if isinstance(initial, LayeredEarth):
            earth = LayeredEarth(
                jnp.asarray(initial.interface_depth_km, dtype=float),
                n_layers=jnp.asarray(initial.n_layers, dtype=jnp.int32),
                **{f: jnp.asarray(getattr(initial, f), dtype=float) for f in property_fields(seismic)})
            noise = (jnp.ones(n_datasets) if initial_noise_scale is None
                     else jnp.asarray(initial_noise_scale, dtype=float))
        else:
            earth, noise = rjmcmc.sample_prior(key, spec, n_datasets, seismic)
        return rjmcmc.init(earth, noise, log_likelihood_fn, spec)

    @jax.jit
    def init_all(key):
        keys = jax.random.split(key, n_chains * n_temps).reshape(n_chains, n_temps, -1)
        return jax.vmap(jax.vmap(one))(keys)

    return init_all(key)


def initial_chain_state(replicas, scales, temps, n_depth_bins):
    """The :class:`~bayesjoint.samplers.driver.ChainState` at the start of a run.

    Parameters
    ----------
    replicas : rjmcmc.State
        Leading axes (n_chains, n_temps).
    scales : rjmcmc.ProposalScales
        Starting steps.
    temps : array, shape (n_temps,)
    n_depth_bins : int
    """
    n_chains, n_temps = np.shape(replicas.log_likelihood)
    layout = adaptation.Layout(n_depth_bins)
    adapt0 = layout.initial(scales[:rjmcmc.N_ADAPTED])
    ladder0 = tempering.ladder_state(temps)

    def tile(x, lead):
        return jnp.broadcast_to(x, lead + x.shape)

    adapt = jax.tree.map(lambda x: tile(x, (n_chains, n_temps)), adapt0)
    ladder = jax.tree.map(lambda x: tile(x, (n_chains,)), ladder0)
    return driver.ChainState(replicas, adapt, ladder)


@functools.lru_cache(maxsize=8)
def _make_loglik_check(log_likelihood_fn):
    return jax.jit(jax.vmap(jax.vmap(log_likelihood_fn)))


def chunk_function(log_likelihood_fn, spec, *, probs, scales, birth, n_temps, n_chains, thin,
                   chunk_size, n_burn, target_acceptance, seismic, n_depth_bins, adapt_ladder,
                   batch, n_devices):
    """The jitted chunk function (:func:`~bayesjoint.samplers.driver.build_chunk`) of :func:`run`.

    Cached by the identity of ``log_likelihood_fn`` and the settings, so
    that a later :func:`run` with the same settings in the same process
    (resuming or extending a run, or after compiling it ahead of time)
    reuses the compiled code.

    Parameters
    ----------
    log_likelihood_fn, spec, birth, n_chains, thin, chunk_size, n_burn, target_acceptance, \
seismic, n_depth_bins, adapt_ladder, batch, n_devices
        As for :func:`run`.
    probs : sequence of float, shape (n_moves,)
        Move probabilities.
    scales : rjmcmc.ProposalScales
        Starting proposal scales (scalars or arrays).
    n_temps : int
        Replicas per chain (temperatures).
    """
    return _cached_chunk_fn(log_likelihood_fn, spec, tuple(float(p) for p in probs),
                            _hashable_scales(scales), birth, n_temps, n_chains, thin, chunk_size,
                            n_burn, float(target_acceptance), bool(seismic), int(n_depth_bins),
                            bool(adapt_ladder), batch, n_devices)


@functools.lru_cache(maxsize=8)
def _cached_chunk_fn(log_likelihood_fn, spec, probs, scales, birth, n_temps, n_chains, thin,
                     chunk_size, n_burn, target, seismic, n_depth_bins, adapt_ladder, batch,
                     n_devices):
    return driver.build_chunk(
        log_likelihood_fn, spec, probs=probs, scales=scales, birth=birth, seismic=seismic,
        n_chains=n_chains, n_temps=n_temps, thin=thin, chunk_size=chunk_size, n_burn=n_burn,
        target_acceptance=target, n_depth_bins=n_depth_bins, adapt_ladder=adapt_ladder,
        batch=batch, n_devices=n_devices)


def _hashable_scales(scales):
    return rjmcmc.ProposalScales(*(tuple(np.atleast_1d(np.asarray(s, dtype=float)).tolist())
                                   if np.ndim(s) else float(s) for s in scales))


# ---------------------------------------------------------------- driver

def run(log_likelihood_fn, spec: PriorSpec, out_dir, *, n_iterations, n_burn=0, n_chains=4,
        temperatures=(1.0,), thin=1, chunk_size=1000, seed=0, n_datasets=1, initial="prior",
        initial_noise_scale=None, move_probs=None, proposal_scales=None, birth="prior",
        target_acceptance=0.3, seismic=False, n_depth_bins=rjmcmc.N_DEPTH_BINS,
        adapt_ladder=True, until_converged=None, depth_grid_km=None, time_budget_s=None,
        batch=None, n_devices=None, resume=True, progress=True) -> RunResult:
    """Run (or resume) reversible-jump MCMC with parallel tempering.

    Parameters
    ----------
    log_likelihood_fn : callable ``f(earth, noise_scale) -> scalar``
        Pure JAX, e.g. :func:`bayesjoint.model.joint.make_log_likelihood`.
    spec : PriorSpec
        ``interfaces="sampled"``; ``k_min .. k_max`` is the layer-count range.
    out_dir : str or path
        Directory for the chunk files and the manifest (created if absent).
    n_iterations : int
        Total iterations, burn-in included; a multiple of ``chunk_size``.
        With ``until_converged``, the most the run may take.
    n_burn : int
        Iterations whose draws are discarded and during which the proposal
        scales (and the ladder) adapt.
    n_chains : int
    temperatures : sequence of float
        Ladder starting at 1 (see :func:`~bayesjoint.samplers.tempering.geometric_ladder`);
        with ``adapt_ladder`` its starting point.
    thin : int
        Keep every ``thin``-th iteration; ``chunk_size`` must be a multiple.
    chunk_size : int
        Iterations per jitted scan and per file.
    seed : int
    n_datasets : int
        Length D of ``noise_scale``.
    initial : "prior" or LayeredEarth
        Draw every replica's start from the prior, or start all from this
        (unbatched) model of capacity ``spec.k_max``.
    initial_noise_scale : array, shape (D,), optional
        Start of the noise scales with a given ``initial`` (default ones).
    move_probs, proposal_scales, birth, n_depth_bins
        See :func:`bayesjoint.samplers.rjmcmc.build_kernel`;
        ``proposal_scales`` are the starting step sizes of the adaptation.
    target_acceptance : float
        Acceptance rate the adaptation aims at, per adapted move.
    seismic : bool
        Sample Vs and Vp/Vs per layer as well (a receiver-function dataset
        takes part); ``initial`` must then carry them.
    adapt_ladder : bool
        Adapt each chain's temperature ladder during burn-in (between 1 and
        the largest of ``temperatures``).
    until_converged : ConvergenceCriterion, optional
        Stop after the first chunk whose kept draws meet it.
    depth_grid_km : array, optional
        Depth grid of the criterion (default 200 points from 0 to
        ``spec.depth_max_km``).
    time_budget_s : float, optional
        Stop after the first chunk that ends past this wall time (s,
        counted from the start of this call).
    batch : {"map", "vmap"}, optional
        How replicas share a device (:mod:`~bayesjoint.samplers.driver`).
    n_devices : int, optional
        Devices the chains are split over (default: as many as divide
        ``n_chains``).
    resume : bool
        Continue a run found in ``out_dir``. With False an existing run
        raises ValueError.
    progress : bool
        Show a tqdm bar with the T = 1 acceptance rate per move (and the
        current R-hat and ESS when running until converged).

    Returns
    -------
    RunResult

    Raises
    ------
    ValueError
        For invalid settings (naming the field, its value and what is
        allowed), or when ``out_dir`` holds a run with another
        configuration or another log-likelihood.
    """
    n_iterations, n_burn, n_chains, thin, chunk_size, n_datasets = _validate(
        spec, n_iterations, n_burn, n_chains, thin, chunk_size, n_datasets, target_acceptance)
    temps = tempering.check_ladder(temperatures)
    if birth not in rjmcmc.BIRTH_MODES:
        raise ValueError(f"birth = {birth!r}: allowed values are {rjmcmc.BIRTH_MODES}")
    seismic = bool(seismic)
    n_depth_bins = _positive_int("n_depth_bins", n_depth_bins)
    probs = rjmcmc.check_move_probs(
        rjmcmc.default_move_probs(spec, seismic) if move_probs is None else move_probs, spec,
        seismic)
    scales = (rjmcmc.default_proposal_scales(spec, n_depth_bins) if proposal_scales is None
              else proposal_scales)
    scales = _hashable_scales(scales)
    rjmcmc.check_scales(scales)
    for name, value in zip(rjmcmc.ProposalScales._fields, scales):
        if np.ndim(value) and name not in BINNED_SCALES:
            raise ValueError(f"proposal_scales.{name} = {value!r}: must be one number (only "
                             f"{', '.join(BINNED_SCALES)} take one value per depth bin)")
        if np.ndim(value) and np.size(value) not in (1, n_depth_bins):
            raise ValueError(f"proposal_scales.{name} has {np.size(value)} values: give one, "
                             f"or one per depth bin (n_depth_bins = {n_depth_bins})")
    if not (isinstance(initial, LayeredEarth) or initial == "prior"):
        raise ValueError(f"initial = {initial!r}: allowed values are 'prior' or a LayeredEarth")
    if isinstance(initial, LayeredEarth) and seismic and initial.vs_km_s is None:
        raise ValueError("initial: a seismic run needs a starting model with vs_km_s and vp_vs")
    if initial_noise_scale is not None and np.shape(initial_noise_scale) != (n_datasets,):
        raise ValueError(f"initial_noise_scale has shape {np.shape(initial_noise_scale)}: "
                         f"need ({n_datasets},)")
    if until_converged is not None and not isinstance(until_converged,
                                                      stopping.ConvergenceCriterion):
        raise ValueError(f"until_converged = {until_converged!r}: give a ConvergenceCriterion "
                         "or None")
    if time_budget_s is not None and not (float(time_budget_s) > 0):
        raise ValueError(f"time_budget_s = {time_budget_s!r}: must be > 0 s")
    batch = driver.default_batch() if batch is None else batch
    if batch not in driver.BATCH_MODES:
        raise ValueError(f"batch = {batch!r}: allowed values are {driver.BATCH_MODES}")
    n_devices = driver.device_count_for(n_chains) if n_devices is None else int(n_devices)
    config = _config(spec, n_burn, n_chains, temps, thin, chunk_size, seed, n_datasets, initial,
                     initial_noise_scale, probs, scales, birth, target_acceptance, seismic,
                     n_depth_bins, adapt_ladder)
    n_temps = temps.size
    out_dir = os.fspath(out_dir)
    init_key, run_key = jax.random.split(jax.random.PRNGKey(int(seed)))
    t_start = time.perf_counter()

    folder = _folder(out_dir)
    manifest = folder.open(config, resume=resume, new_manifest={
        "n_iterations": n_iterations,
        "prng_key": np.asarray(jax.random.key_data(run_key)).tolist()})
    n_done = len(manifest["chunks"])
    manifest["n_iterations"] = max(n_iterations, manifest["n_iterations"])

    if n_done > 0:
        with np.load(folder.complete_chunks(manifest)[-1]) as npz:
            cs = _unstack_states(npz)
        states = cs.replicas
        recomputed = np.asarray(_make_loglik_check(log_likelihood_fn)(states.earth,
                                                                      states.noise_scale))
        stored = np.asarray(states.log_likelihood)
        if not np.allclose(recomputed, stored, rtol=1e-9, atol=1e-9, equal_nan=True):
            raise ValueError(f"cannot resume the run in {out_dir!r}: log_likelihood_fn gives "
                             "different values on the stored states than the run that wrote them")
    else:
        states = initial_states(log_likelihood_fn, spec, init_key, n_chains=n_chains,
                                n_temps=n_temps, n_datasets=n_datasets, initial=initial,
                                initial_noise_scale=initial_noise_scale, seismic=seismic)
        if not np.all(np.isfinite(np.asarray(states.log_prior))):
            raise ValueError("initial: the starting model has zero prior density under spec "
                             "(check k, interface spacing and value bounds)")
        cs = initial_chain_state(states, scales, temps, n_depth_bins)
        folder.write_manifest(manifest)

    n_total_chunks = n_iterations // chunk_size
    run_chunk = chunk_function(log_likelihood_fn, spec, probs=probs, scales=scales, birth=birth,
                               n_temps=n_temps, n_chains=n_chains, thin=thin,
                               chunk_size=chunk_size, n_burn=n_burn,
                               target_acceptance=target_acceptance, seismic=seismic,
                               n_depth_bins=n_depth_bins, adapt_ladder=adapt_ladder, batch=batch,
                               n_devices=n_devices)
    grid = (np.linspace(0.0, spec.depth_max_km, 200) if depth_grid_km is None
            else np.asarray(depth_grid_km, dtype=float))
    fields = ("log10_sigma", "vs_km_s") if seismic else ("log10_sigma",)
    stop = {"reason": "iterations"}
    if until_converged is not None and n_done > 0 and _has_draws(manifest):
        stop = _assess(out_dir, until_converged, grid, fields)
    bar = tqdm(total=n_iterations, initial=min(n_done, n_total_chunks) * chunk_size,
               disable=not progress, unit="it", desc="rjmcmc")
    if n_done < n_total_chunks and not stop.get("met"):
        bar.set_postfix_str("compiling (first chunk)")
    try:
        for index in range(n_done, n_total_chunks):
            if stop.get("met"):
                break
            if time_budget_s is not None and time.perf_counter() - t_start > time_budget_s:
                stop = {**stop, "reason": "time_budget"}
                break
            t0 = index * chunk_size
            cs, counts, draws = run_chunk(run_key, cs, np.int64(t0))
            draw_iter = t0 + np.arange(1, chunk_size // thin + 1) * thin - 1
            keep = draw_iter >= n_burn
            arrays = {"draw_iteration": draw_iter[keep]}
            arrays.update({f"draw_{k}": np.asarray(v)[keep] for k, v in draws.items()})
            arrays.update({f"count_{k}": np.asarray(v) for k, v in counts.items()})
            arrays.update(_stack_states(cs))
            manifest["chunks"].append({"file": folder.write_chunk(index, arrays),
                                       "first_iteration": t0, "n_draws": int(keep.sum())})
            folder.write_manifest(manifest)
            bar.update(chunk_size)
            prop = arrays["count_proposed"].sum(0)[0]
            acc = arrays["count_accepted"].sum(0)[0]
            postfix = {name: f"{a / p:.2f}" for name, a, p in zip(mv.MOVES, acc, prop) if p > 0}
            last = index == n_total_chunks - 1
            if (until_converged is not None and _has_draws(manifest)
                    and (last or _is_checkpoint(_n_sampling_chunks(manifest)))):
                stop = _assess(out_dir, until_converged, grid, fields)
                postfix.update({"R-hat": f"{stop['rhat_max']:.3f}",
                                "ESS": f"{min(stop['ess_bulk_min'], stop['ess_tail_min']):.0f}"})
            bar.set_postfix(postfix)
    finally:
        bar.close()
    stop["reason"] = "converged" if stop.get("met") else stop.get("reason", "iterations")
    stop["iterations"] = len(manifest["chunks"]) * chunk_size
    stop["criterion"] = None if until_converged is None else asdict(until_converged)
    manifest["stop"] = {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                        for k, v in stop.items()}
    folder.write_manifest(manifest)
    return RunResult(out_dir)


def _has_draws(manifest):
    return any(c["n_draws"] > 0 for c in manifest["chunks"])


def _n_sampling_chunks(manifest):
    return sum(c["n_draws"] > 0 for c in manifest["chunks"])


def _is_checkpoint(n):
    """Whether the criterion is evaluated after the ``n``-th chunk with kept draws.

    After chunks 1-10, 12, 14, 16, 19, 22, 26, 31, 37, ...: each
    evaluation costs time in proportion to the draws kept, so they are
    spaced to let the draws grow by about a fifth in between, which keeps
    their total cost a fixed fraction of the sampling. The schedule depends
    only on the chunk count, so a resumed run stops where the uninterrupted
    one would.
    """
    point = 1
    while point < n:
        point = max(point + 1, int(point * 1.2))
    return point == n


def _assess(out_dir, criterion, grid, fields):
    """The convergence criterion on the draws kept so far."""
    quantities = stopping.criterion_quantities(load_draws(out_dir), grid, fields)
    return stopping.assess(quantities, criterion)


# ---------------------------------------------------------------- reading results

def load_draws(out_dir):
    """Kept T = 1 draws of a run, concatenated over its complete chunks.

    Returns
    -------
    dict of ndarray
        ``n_layers`` (chain, draw) int; ``interface_depth_km`` (chain, draw,
        K_max - 1) km; ``log10_sigma`` (chain, draw, K_max) log10 S/m; for a
        seismic run ``vs_km_s`` (km/s) and ``vp_vs`` (chain, draw, K_max);
        ``noise_scale`` (chain, draw, D); ``log_likelihood``, ``log_prior``
        (chain, draw); ``iteration`` (draw,). Inactive slots are NaN.
    """
    parts = _folder(out_dir).concatenate("draw_", axis=0)
    if not parts:
        raise ValueError(f"{out_dir}: no draws kept yet (all complete chunks are burn-in)")
    out = {"iteration": parts.pop("iteration")}
    out.update({name: np.moveaxis(value, 0, 1) for name, value in parts.items()})
    k = out["n_layers"]
    kmax = out["log10_sigma"].shape[-1]
    out["interface_depth_km"] = np.where(np.arange(kmax - 1) < (k[..., None] - 1),
                                         out["interface_depth_km"], np.nan)
    for name in PROPERTY_FIELDS:
        if name in out:
            out[name] = np.where(np.arange(kmax) < k[..., None], out[name], np.nan)
    return out


def load_stats(out_dir):
    """Acceptance statistics of a run, split into burn-in and sampling.

    Returns
    -------
    dict
        ``acceptance`` and ``acceptance_burn_in``: {move: array (n_temps,)}
        (NaN where never proposed); ``proposed``: {move: array (n_temps,)}
        counts after burn-in; ``swap_acceptance``, ``swap_acceptance_burn_in``:
        array (n_temps - 1,) per pair (i, i+1); ``non_finite``: array
        (n_temps,) count after burn-in; ``proposal_scales``: final adapted
        {move: array (chain, n_temps, slots)} (one slot per depth bin for
        the interface move and the perturbations); ``temperatures``: the
        starting ladder; ``adapted_temperatures``: each chain's ladder at
        the end (n_chains, n_temps); ``stop``: how the run stopped (the
        manifest's record, or None).
    """
    folder = _folder(out_dir)
    manifest = folder.read_manifest()
    totals = {}
    log_scales = ladder = None
    for path in folder.complete_chunks(manifest):
        with np.load(path) as npz:
            for name in driver.COUNT_NAMES:
                totals[name] = totals.get(name, 0) + npz[f"count_{name}"]
            log_scales = npz["state_log_scales"]
            ladder = tempering.LadderState(npz["state_ladder_log_t_max"],
                                           npz["state_ladder_weights"])

    def rate(num, den):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.maximum(den, 1), np.nan)

    out = {"temperatures": np.asarray(manifest["config"]["temperatures"]),
           "stop": manifest.get("stop")}
    if not totals:
        return out
    for phase, suffix in ((1, ""), (0, "_burn_in")):
        r = rate(totals["accepted"][phase], totals["proposed"][phase])
        out["acceptance" + suffix] = {m: r[:, i] for i, m in enumerate(mv.MOVES)}
        out["swap_acceptance" + suffix] = rate(totals["swap_accepted"][phase],
                                               totals["swap_attempted"][phase])
    out["proposed"] = {m: totals["proposed"][1][:, i] for i, m in enumerate(mv.MOVES)}
    out["non_finite"] = totals["non_finite"][1]
    layout = adaptation.Layout(manifest["config"]["n_depth_bins"])
    out["proposal_scales"] = {m: np.exp(log_scales[..., layout.start(m):layout.start(m)
                                                   + layout.size(m)])
                              for m in adaptation.ADAPTED_MOVES}
    out["adapted_temperatures"] = np.stack([
        np.asarray(tempering.ladder_temperatures(jax.tree.map(lambda x: x[c], ladder)))
        for c in range(np.shape(ladder.log_t_max)[0])])
    return out


def to_datatree(out_dir):
    """The kept draws of a run as an ArviZ DataTree.

    Groups: ``posterior`` with ``n_layers`` (chain, draw),
    ``interface_depth_km`` (chain, draw, interface), ``log10_sigma`` (and for
    a seismic run ``vs_km_s``, ``vp_vs``) (chain, draw, layer), ``noise_scale`` (chain, draw, dataset); ``sample_stats``
    with ``log_likelihood`` and ``log_prior`` (chain, draw). Inactive slots
    are NaN. Attributes of the root and of ``sample_stats``: ``acceptance_<move>``
    at T = 1 after burn-in,
    ``swap_acceptance`` per pair, ``temperatures``, ``non_finite``.
    """
    from arviz_base import from_dict

    d = load_draws(out_dir)
    s = load_stats(out_dir)
    attrs = {"sampler": "bayesjoint reversible-jump MCMC with parallel tempering",
             "temperatures": s["temperatures"].tolist()}
    if "acceptance" in s:
        attrs.update({f"acceptance_{m}": float(v[0]) for m, v in s["acceptance"].items()})
        attrs["swap_acceptance"] = s["swap_acceptance"].tolist()
        attrs["non_finite"] = int(s["non_finite"].sum())
    names = ("n_layers", "interface_depth_km") + PROPERTY_FIELDS + ("noise_scale",)
    dims = {"interface_depth_km": ["interface"], "noise_scale": ["dataset"],
            **{f: ["layer"] for f in PROPERTY_FIELDS}}
    tree = from_dict(
        {"posterior": {k: d[k] for k in names if k in d},
         "sample_stats": {"log_likelihood": d["log_likelihood"], "log_prior": d["log_prior"]}},
        dims=dims, coords={"draw": d["iteration"]})
    tree.attrs.update(attrs)
    tree["sample_stats"].attrs.update(attrs)
    return tree
