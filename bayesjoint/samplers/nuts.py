"""NUTS for fixed-dimension models, through NumPyro.

:func:`run_nuts_segments` runs the draws in segments and writes each to disk
as it finishes, with the sampler state after it, in a
:class:`~bayesjoint.samplers.store.RunFolder`, so an interrupted run loses
at most one segment and resumes with the same random stream: a resumed run
equals the uninterrupted one draw for draw, and a finished run may be
extended by raising ``n_iterations``. The settings
(:class:`~bayesjoint.samplers.config.NUTSConfig`) use the vocabulary of both
samplers: ``n_burn`` warm-up iterations, ``n_iterations`` in all, every
``thin``-th kept, ``chunk_size`` iterations per segment file.

Chains run ``"vectorized"`` (one batched computation), ``"parallel"`` (one
XLA device each; on a CPU set the device count first with
:func:`set_host_device_count`) or ``"sequential"``. On a 2-core CPU the
vectorized form is about as fast as sequential chains and ``"parallel"`` is
about twice as fast; on a GPU vectorized chains are the fast choice.
"""

from dataclasses import asdict

import jax
import numpy as np
from numpyro.infer import MCMC, NUTS

from bayesjoint.samplers import store
from bayesjoint.samplers.config import NUTSConfig

EXTRA_FIELDS = ("diverging", "num_steps", "accept_prob")
"""Per-draw fields of the sampler that are always kept."""
FORMAT = "bayesjoint-nuts-3"
MANIFEST = "nuts_manifest.json"
CHUNK_PREFIX = "nuts_segment_"


def set_host_device_count(n: int) -> bool:
    """Ask XLA for ``n`` CPU devices so ``"parallel"`` chains can run.

    Must be called before JAX first computes anything; returns False (and
    changes nothing) when the backend is already initialised.
    """
    try:
        jax.config.update("jax_num_cpu_devices", int(n))
    except RuntimeError:
        return False
    return True


def run_nuts(model, config: NUTSConfig, *, init_params=None, extra_fields=()):
    """Run NUTS on a NumPyro model.

    Parameters
    ----------
    model : callable
        NumPyro model without arguments (see :func:`bayesjoint.model.joint.build_model`).
    config : NUTSConfig
    init_params : dict, optional
        Initial values in the constrained space.
    extra_fields : tuple of str
        Per-draw fields to collect besides :data:`EXTRA_FIELDS` (e.g.
        ``("adapt_state.step_size",)``).

    Returns
    -------
    numpyro.infer.MCMC
        The finished run; ``get_samples(group_by_chain=True)`` gives draws of
        shape (chains, draws, ...).
    """
    kernel, chain_method = _kernel(model, config)
    mcmc = MCMC(kernel, num_warmup=config.n_burn, num_samples=config.n_sampling,
                num_chains=config.n_chains, thinning=config.thin,
                chain_method=chain_method, progress_bar=config.progress_bar)
    fields = tuple(sorted(set(EXTRA_FIELDS + tuple(extra_fields))))
    mcmc.run(jax.random.PRNGKey(config.seed), init_params=init_params, extra_fields=fields)
    return mcmc


def _kernel(model, config):
    """The NUTS kernel of ``config`` and the chain method the devices allow."""
    chain_method = config.chain_method
    if chain_method == "parallel" and jax.local_device_count() < config.n_chains:
        chain_method = "vectorized"
    kernel = NUTS(model, target_accept_prob=config.target_acceptance,
                  max_tree_depth=config.max_tree_depth)
    return kernel, chain_method


def _folder(out_dir):
    return store.RunFolder(out_dir, FORMAT, manifest=MANIFEST, chunk_prefix=CHUNK_PREFIX)


def _state_arrays(state):
    """The sampler state as plain arrays: ``state_NNN`` per leaf, ``state_paths`` naming them."""
    with_paths, _ = jax.tree_util.tree_flatten_with_path(state)
    out = {f"state_{i:03d}": np.asarray(leaf) for i, (_, leaf) in enumerate(with_paths)}
    out["state_paths"] = np.array([jax.tree_util.keystr(path) for path, _ in with_paths])
    return out


def _state_from_arrays(npz, template):
    """The sampler state stored by :func:`_state_arrays`, in the structure of ``template``."""
    with_paths, treedef = jax.tree_util.tree_flatten_with_path(template)
    paths = [jax.tree_util.keystr(path) for path, _ in with_paths]
    stored = npz["state_paths"].tolist()
    if stored != paths:
        raise ValueError("cannot resume: the stored sampler state has the fields "
                         f"{stored}, the model's sampler state has {paths}")
    return jax.tree_util.tree_unflatten(treedef, [npz[f"state_{i:03d}"]
                                                  for i in range(len(paths))])


def run_nuts_segments(model, config: NUTSConfig, out_dir, *, resume=False):
    """Run NUTS with the draws written to ``out_dir`` segment by segment.

    Files (see :mod:`~bayesjoint.samplers.store`): ``nuts_segment_NNNNN.npz``
    with the draws of every site (``site_<name>``) and the fields
    :data:`EXTRA_FIELDS` (``extra_<name>``), shape (chains, draws, ...), and
    the sampler state after the segment (``state_NNN``, one array per leaf
    of NumPyro's state, named in ``state_paths``); ``nuts_manifest.json``
    with the settings, the draws per segment and the complete segments.

    Parameters
    ----------
    model : callable
        NumPyro model without arguments.
    config : NUTSConfig
    out_dir : path-like
    resume : bool
        Continue the run found in ``out_dir``; it must have the same
        settings, except that ``n_iterations`` may grow by whole segments
        (of the stored run's ``chunk_size``) to extend it. Without it an
        existing run is an error.

    Returns
    -------
    samples : dict name -> ndarray (chains, draws, ...)
    extra : dict of ``diverging``, ``num_steps``, ``accept_prob`` (chains, draws)
    """
    folder = _folder(out_dir)
    settings = {k: v for k, v in asdict(config).items()
                if k not in ("progress_bar", "n_iterations")}
    manifest = folder.open(settings, resume=resume, new_manifest={
        "n_iterations": config.n_iterations,
        "chunk_iterations": config.chunk_size or config.n_sampling})
    seg = manifest["chunk_iterations"]
    if config.n_sampling % seg:
        raise ValueError(f"n_iterations = {config.n_iterations}: the run in {folder.path!r} "
                         f"grows by whole segments of {seg} iterations after the "
                         f"n_burn = {config.n_burn}")
    manifest["n_iterations"] = max(config.n_iterations, manifest["n_iterations"])
    kernel, chain_method = _kernel(model, config)
    done, n_segments = len(manifest["chunks"]), config.n_sampling // seg
    state = None
    if 0 < done < n_segments:
        # the structure of the state, from a separate kernel so that the run's own
        # kernel is set up by MCMC as in an uninterrupted run
        template = _kernel(model, config)[0].init(jax.random.PRNGKey(config.seed), 0, None,
                                                  (), {})
        with np.load(folder.complete_chunks(manifest)[-1]) as npz:
            state = _state_from_arrays(npz, template)
    for i in range(done, n_segments):
        mcmc = MCMC(kernel, num_warmup=config.n_burn if state is None else 0,
                    num_samples=seg, num_chains=config.n_chains, thinning=config.thin,
                    chain_method=chain_method, progress_bar=config.progress_bar)
        if state is None:
            mcmc.run(jax.random.PRNGKey(config.seed), extra_fields=EXTRA_FIELDS)
        else:
            mcmc.post_warmup_state = state
            mcmc.run(state.rng_key, extra_fields=EXTRA_FIELDS)
        state = jax.device_get(mcmc.last_state)
        arrays = {f"site_{k}": v for k, v in mcmc.get_samples(group_by_chain=True).items()}
        arrays.update({f"extra_{k}": v
                       for k, v in mcmc.get_extra_fields(group_by_chain=True).items()})
        arrays.update(_state_arrays(state))
        manifest["chunks"].append({"file": folder.write_chunk(i, arrays)})
        folder.write_manifest(manifest)
    return load_nuts_segments(out_dir)


def load_nuts_segments(out_dir):
    """Draws and extra fields of the complete segments in ``out_dir``.

    Returns
    -------
    samples, extra : dicts of ndarray (chains, draws, ...)
    """
    folder = _folder(out_dir)
    return folder.concatenate("site_", axis=1), folder.concatenate("extra_", axis=1)
