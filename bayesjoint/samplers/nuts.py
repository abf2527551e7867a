"""NUTS for fixed-dimension models, through NumPyro.

:func:`run_nuts_segments` runs the draws in segments and writes each to disk
as it finishes, with the sampler state after it, so an interrupted run
loses at most one segment and resumes with the same random stream: a
resumed run equals the uninterrupted one draw for draw.

Chains run ``"vectorized"`` (one batched computation), ``"parallel"`` (one
XLA device each; on a CPU set the device count first with
:func:`set_host_device_count`) or ``"sequential"``. On a 2-core CPU the
vectorized form is about as fast as sequential chains and ``"parallel"`` is
about twice as fast; on a GPU vectorized chains are the fast choice.
"""

import json
import os
import pickle
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import jax
import numpy as np
from numpyro.infer import MCMC, NUTS

CHAIN_METHODS = ("vectorized", "parallel", "sequential")


@dataclass(frozen=True)
class NUTSConfig:
    """Settings of a NUTS run.

    Attributes
    ----------
    num_chains, num_warmup, num_samples : int
        Chains, warm-up (adaptation) iterations and kept draws per chain.
    seed : int
        Seed of the PRNG key.
    chain_method : {"vectorized", "parallel", "sequential"}
    target_accept_prob : float
        Target acceptance of step-size adaptation, in (0, 1).
    max_tree_depth : int
    thinning : int
    progress_bar : bool
    segment_size : int or None
        Draws per chain written to disk at a time (a multiple of
        ``thinning`` dividing ``num_samples``); None writes one segment.
    """

    num_chains: int = 4
    num_warmup: int = 500
    num_samples: int = 500
    seed: int = 0
    chain_method: str = "vectorized"
    target_accept_prob: float = 0.85
    max_tree_depth: int = 8
    thinning: int = 1
    progress_bar: bool = True
    segment_size: int | None = None

    def __post_init__(self):
        for name in ("num_chains", "num_samples", "max_tree_depth", "thinning"):
            v = getattr(self, name)
            if not (isinstance(v, int) and v >= 1):
                raise ValueError(f"{name} = {v!r}: must be an integer >= 1")
        if not (isinstance(self.num_warmup, int) and self.num_warmup >= 0):
            raise ValueError(f"num_warmup = {self.num_warmup!r}: must be an integer >= 0")
        if self.chain_method not in CHAIN_METHODS:
            raise ValueError(f"chain_method = {self.chain_method!r}: allowed values are {CHAIN_METHODS}")
        if self.segment_size is not None:
            seg = self.segment_size
            if not (isinstance(seg, int) and seg >= 1 and self.num_samples % seg == 0
                    and seg % self.thinning == 0):
                raise ValueError(
                    f"segment_size = {seg!r}: must be an integer >= 1 that divides num_samples = "
                    f"{self.num_samples} and is a multiple of thinning = {self.thinning}")
        if not 0 < self.target_accept_prob < 1:
            raise ValueError(f"target_accept_prob = {self.target_accept_prob!r}: must lie in (0, 1)")


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
        Extra per-draw fields to collect (e.g. ``("diverging",)``).

    Returns
    -------
    numpyro.infer.MCMC
        The finished run; ``get_samples(group_by_chain=True)`` gives draws of
        shape (chains, draws, ...).
    """
    chain_method = config.chain_method
    if chain_method == "parallel" and jax.local_device_count() < config.num_chains:
        chain_method = "vectorized"
    kernel = NUTS(model, target_accept_prob=config.target_accept_prob,
                  max_tree_depth=config.max_tree_depth)
    mcmc = MCMC(kernel, num_warmup=config.num_warmup, num_samples=config.num_samples,
                num_chains=config.num_chains, thinning=config.thinning,
                chain_method=chain_method, progress_bar=config.progress_bar)
    fields = tuple(sorted(set(("diverging", "num_steps", "accept_prob") + tuple(extra_fields))))
    mcmc.run(jax.random.PRNGKey(config.seed), init_params=init_params, extra_fields=fields)
    return mcmc


_NUTS_MANIFEST = "nuts_manifest.json"
_EXTRA = ("diverging", "num_steps", "accept_prob")


def _atomic(path, write):
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def run_nuts_segments(model, config: NUTSConfig, out_dir, *, resume=False):
    """Run NUTS with the draws written to ``out_dir`` segment by segment.

    Files: ``nuts_segment_NNNNN.npz`` (draws of every site and the extra
    fields ``diverging``, ``num_steps``, ``accept_prob``, shape (chains,
    draws, ...)), ``nuts_state.pkl`` (the sampler state after the last
    complete segment, a pickle of NumPy arrays written by this function),
    and ``nuts_manifest.json`` (the settings and the number of complete
    segments). Each file is written to a temporary name and moved into
    place, the manifest last.

    Parameters
    ----------
    model : callable
        NumPyro model without arguments.
    config : NUTSConfig
    out_dir : path-like
    resume : bool
        Continue the run found in ``out_dir``; it must have the same
        settings. Without it an existing run is an error.

    Returns
    -------
    samples : dict name -> ndarray (chains, draws, ...)
    extra : dict of ``diverging``, ``num_steps``, ``accept_prob`` (chains, draws)
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / _NUTS_MANIFEST
    settings = {k: v for k, v in asdict(config).items() if k != "progress_bar"}
    seg = config.segment_size or config.num_samples
    n_segments = config.num_samples // seg
    done = 0
    state = None
    if manifest_path.exists():
        if not resume:
            raise ValueError(f"{out} already holds a NUTS run; use resume (bayesjoint run "
                             "--resume) to continue it, or choose another output folder")
        manifest = json.loads(manifest_path.read_text())
        diff = [f"{k}: {manifest['settings'].get(k)!r} -> {v!r}" for k, v in settings.items()
                if manifest["settings"].get(k) != v]
        if diff:
            raise ValueError(f"cannot resume the run in {out} with other settings: "
                             + "; ".join(diff))
        done = manifest["complete_segments"]
        with open(out / "nuts_state.pkl", "rb") as f:
            state = pickle.load(f)

    chain_method = config.chain_method
    if chain_method == "parallel" and jax.local_device_count() < config.num_chains:
        chain_method = "vectorized"
    kernel = NUTS(model, target_accept_prob=config.target_accept_prob,
                  max_tree_depth=config.max_tree_depth)
    for i in range(done, n_segments):
        mcmc = MCMC(kernel, num_warmup=config.num_warmup if state is None else 0,
                    num_samples=seg, num_chains=config.num_chains, thinning=config.thinning,
                    chain_method=chain_method, progress_bar=config.progress_bar)
        if state is None:
            mcmc.run(jax.random.PRNGKey(config.seed), extra_fields=_EXTRA)
        else:
            mcmc.post_warmup_state = state
            mcmc.run(state.rng_key, extra_fields=_EXTRA)
        state = jax.device_get(mcmc.last_state)
        arrays = {f"site_{k}": np.asarray(v)
                  for k, v in mcmc.get_samples(group_by_chain=True).items()}
        arrays.update({f"extra_{k}": np.asarray(v)
                       for k, v in mcmc.get_extra_fields(group_by_chain=True).items()})
        def write_arrays(p, arrays=arrays):
            with open(p, "wb") as f:  # a file object: np.savez would add ".npz" to a name
                np.savez(f, **arrays)

        _atomic(out / f"nuts_segment_{i:05d}.npz", write_arrays)

        def write_state(p, state=state):
            with open(p, "wb") as f:
                pickle.dump(state, f)

        _atomic(out / "nuts_state.pkl", write_state)
        _atomic(manifest_path, lambda p, i=i: Path(p).write_text(
            json.dumps({"settings": settings, "complete_segments": i + 1})))
    return load_nuts_segments(out)


def load_nuts_segments(out_dir):
    """Draws and extra fields of the complete segments in ``out_dir``.

    Returns
    -------
    samples, extra : dicts of ndarray (chains, draws, ...)
    """
    out = Path(out_dir)
    n = json.loads((out / _NUTS_MANIFEST).read_text())["complete_segments"]
    parts = {}
    for i in range(n):
        with np.load(out / f"nuts_segment_{i:05d}.npz") as npz:
            for k in npz.files:
                parts.setdefault(k, []).append(npz[k])
    merged = {k: np.concatenate(v, axis=1) for k, v in parts.items()}
    samples = {k[5:]: v for k, v in merged.items() if k.startswith("site_")}
    extra = {k[6:]: v for k, v in merged.items() if k.startswith("extra_")}
    return samples, extra
