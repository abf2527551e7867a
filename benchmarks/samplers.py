"""Compare bayesjoint's samplers on the reference experiment (Yao et al. 2023).

For each dataset combination (MT, Sq, Dst alone and jointly) and each
sampler, one run is made with :func:`bayesjoint.workflow.invert` (or, for the
gradient-free NumPyro sampler, the same model and summaries) and these
figures are recorded:

- wall time of sampling (compilation included) and chain-iterations per
  second (chains x iterations / sampling time);
- ESS per second: the smallest bulk ESS over the quantities that exist in
  every dimension (log10 sigma at each grid depth, the noise scales, and for
  trans-dimensional runs k and the log-likelihood) over the sampling time;
- the largest R-hat over the same quantities;
- coverage: the fraction of depth-grid points (0 to 1500 km) where the true
  model lies inside the 90 % interval;
- the number of chains.

Samplers: ``nuts`` (fixed log-spaced grid), ``rjmcmc`` (one temperature),
``rjmcmc_pt`` (parallel tempering, 4 temperatures), ``sa`` (NumPyro's
gradient-free sample-adaptive MCMC on the fixed grid), and, when bayesbay is
installed (it is not a dependency), ``bayesbay``: bayesbay's chain driver on
exactly the ``rjmcmc`` target and proposals (:func:`run_bayesbay`).

Usage::

    python benchmarks/samplers.py --quick      # joint set only, small runs (< 5 min on 2 cores)
    python benchmarks/samplers.py              # all sets, full runs
    python benchmarks/samplers.py --smoke --out /tmp/s.json   # MT only, tiny runs (a check)

Output: ``benchmarks/results/samplers_<backend>.json``, ``.md`` and a figure
``.png`` (chain-iterations and ESS per second of every sampler).
"""

import argparse
import json
import os
import platform
import tempfile
import time

import jax
import numpy as np
import xarray as xr

import bayesjoint
from bayesjoint.datasets import reference_experiment
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.joint import build_model
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers.config import RJMCMCConfig
from bayesjoint.samplers.nuts import NUTSConfig
from bayesjoint.summaries import posterior as post
from bayesjoint.summaries.diagnostics import convergence, worst
from bayesjoint.workflow import invert

HERE = os.path.dirname(os.path.abspath(__file__))
COVERAGE_DEPTH_KM = (0.0, 1500.0)


def fixed_grid_prior():
    """Fixed log-spaced grid of 30 layers down to 2000 km, smoothness 0.5."""
    return PriorSpec(n_layers=30, depth_max_km=2000.0, first_interface_km=5.0, smoothness_std=0.5)


def trans_d_prior():
    """The model space of the reference experiment (design guide, section 4)."""
    return PriorSpec(interfaces="sampled", k_min=2, k_max=30, depth_max_km=2000.0,
                     min_thickness_km=33.0, smoothness_std=0.5)


def coverage(profile, truth, depth_km):
    """Truth inside the 90 % interval over ``COVERAGE_DEPTH_KM``."""
    true = np.asarray(truth.on_depth_grid(depth_km))
    mask = (depth_km >= COVERAGE_DEPTH_KM[0]) & (depth_km <= COVERAGE_DEPTH_KM[1])
    return post.interval_coverage(profile["log10_sigma_q05"].values,
                                  profile["log10_sigma_q95"].values, true, mask)


def result_row(seconds, n_chains, n_iter_per_chain, wst, profile, truth, depth_km):
    """One benchmark row: timing, throughput, ESS per second, R-hat and coverage."""
    return {
        "wall_time_s": seconds,
        "n_chains": n_chains,
        "chain_iterations_per_s": n_chains * n_iter_per_chain / seconds,
        "min_bulk_ess": wst["ess_bulk_min"],
        "ess_per_s": wst["ess_bulk_min"] / seconds,
        "max_rhat": wst["rhat_max"],
        "coverage_0_1500_km": coverage(profile, truth, depth_km),
    }


def run_workflow(datasets, spec, sampler, truth, n_iter_per_chain, n_chains):
    with tempfile.TemporaryDirectory() as tmp:
        r = invert(datasets, spec, sampler, tmp, truth=truth, depth_max_km=2000.0)
        tree = xr.load_datatree(os.path.join(tmp, "posterior.nc"), engine="h5netcdf")
        profile = tree["profile"].to_dataset()
    return result_row(r["timings_s"]["sampling"], n_chains, n_iter_per_chain,
                      r["diagnostics"]["worst"], profile, truth, profile["depth_km"].values)


def run_sa(datasets, spec, truth, n_chains, n_warmup, n_samples, seed=0):
    """NumPyro's SA kernel on the fixed grid, summarised like the other runs."""
    from numpyro.infer import MCMC, SA

    t0 = time.perf_counter()
    mcmc = MCMC(SA(build_model(datasets, spec)), num_warmup=n_warmup, num_samples=n_samples,
                num_chains=n_chains, chain_method="sequential", progress_bar=False)
    mcmc.run(jax.random.PRNGKey(seed))
    s = {k: np.asarray(v) for k, v in mcmc.get_samples(group_by_chain=True).items()}
    t = time.perf_counter() - t0
    shape = s["log10_sigma"].shape[:2]
    earths = LayeredEarth(s["interface_depth_km"], s["log10_sigma"],
                          np.full(shape, spec.n_layers, dtype=np.int32))
    depth = post.default_depth_grid_km(2000.0)
    values = post.grid_values(earths, depth)
    draws = {"log10_sigma_on_grid": values}
    draws.update({k: v for k, v in s.items() if k.startswith("noise_scale_")})
    wst = worst(convergence(draws))
    profile = post.profile_summary(values, depth, post.value_bins(-4, 2))
    return result_row(t, n_chains, n_warmup + n_samples, wst, profile, truth, depth)


def run_bayesbay(datasets, spec, truth, n_chains, n_iterations, seed=0):
    """bayesbay's Markov-chain driver on exactly bayesjoint's trans-dimensional target.

    bayesbay's base API (``BaseBayesianInversion``) runs the chains, picks the
    move and accepts or rejects; the moves, the prior and the likelihood are
    bayesjoint's (each jitted on one model), with the same move probabilities
    and the default proposal scales (not adapted). So the posterior and the
    proposals are the same as those of ``rjmcmc`` and the timing compares the
    two engines: one Python-level chain step per iteration against one
    compiled, vectorized scan.
    """
    import bayesbay

    from bayesjoint.model.joint import make_log_likelihood
    from bayesjoint.model.prior import log_prior
    from bayesjoint.samplers import moves as mv
    from bayesjoint.samplers import rjmcmc

    n_data = len(datasets)
    probs = rjmcmc.check_move_probs(rjmcmc.default_move_probs(spec), spec)
    params = rjmcmc.move_params(spec, probs, rjmcmc.default_proposal_scales(spec))
    loglik = jax.jit(make_log_likelihood(datasets, spec, active_only=True))
    logprior = jax.jit(lambda e, s: log_prior(e, s, spec))
    rng = np.random.default_rng(seed)

    def as_state(earth, noise):
        return {"earth": earth, "noise_scale": noise,
                "n_layers": int(earth.n_layers),
                "log_likelihood": float(loglik(earth, noise)),
                "log_prior": float(logprior(earth, noise))}

    def perturbation(move):
        step = jax.jit(lambda key, pos: move(key, pos, params))

        def perturb(state):
            key = jax.random.PRNGKey(int(rng.integers(2**31)))
            new, log_q, _ = step(key, mv.Position(state["earth"], state["noise_scale"]))
            proposal = as_state(new.earth, new.noise_scale)
            if not np.isfinite(proposal["log_likelihood"]):
                proposal["log_likelihood"] = -np.inf
            return proposal, proposal["log_prior"] - state["log_prior"] + float(log_q)

        return perturb

    used = [(f, p) for f, p in zip(mv.MOVE_FUNCTIONS, probs) if p > 0]
    starts = [as_state(*rjmcmc.sample_prior(jax.random.PRNGKey(seed + i), spec, n_data))
              for i in range(n_chains)]
    inversion = bayesbay.BaseBayesianInversion(
        walkers_starting_states=starts,
        perturbation_funcs=[perturbation(f) for f, _ in used],
        perturbation_weights=[p for _, p in used],
        log_like_ratio_func=lambda old, new: new["log_likelihood"] - old["log_likelihood"],
        n_chains=n_chains, save_dpred=False)
    t0 = time.perf_counter()
    inversion.run(n_iterations=n_iterations, burnin_iterations=n_iterations // 2,
                  save_every=max(1, n_iterations // 4000), verbose=False,
                  parallel_config={"n_jobs": 1})
    t = time.perf_counter() - t0
    saved = inversion.get_results(concatenate_chains=False)  # {key: [per-chain lists]}
    earths = saved["earth"]
    n_kept = min(len(e) for e in earths)
    stacked = jax.tree_util.tree_map(lambda *x: np.stack(x),
                                     *[e for chain in earths for e in chain[:n_kept]])
    earths = jax.tree_util.tree_map(lambda x: x.reshape((n_chains, n_kept) + x.shape[1:]),
                                    stacked)
    depth = post.default_depth_grid_km(2000.0)
    values = post.grid_values(earths, depth)
    draws = {"log10_sigma_on_grid": values, "n_layers": np.asarray(earths.n_layers, float),
             "log_likelihood": np.array([c[:n_kept] for c in saved["log_likelihood"]])}
    wst = worst(convergence(draws))
    profile = post.profile_summary(values, depth, post.value_bins(-4, 2))
    return {
        **result_row(t, n_chains, n_iterations, wst, profile, truth, depth),
        "engine": f"bayesbay {bayesbay.__version__} BaseBayesianInversion, sequential chains, "
                  "bayesjoint moves, prior and likelihood",
    }


def settings(size):
    """Run lengths of each sampler: (chains, iterations[, temperatures]) or
    (chains, warm-up, samples)."""
    if size == "smoke":  # checks that every sampler runs; the numbers mean nothing
        return {"nuts": (1, 20, 20), "rjmcmc": (2, 400), "rjmcmc_pt": (2, 400, 2),
                "sa": (1, 100, 100), "bayesbay": (2, 200)}
    if size == "quick":
        return {"nuts": (2, 150, 150), "rjmcmc": (4, 40_000), "rjmcmc_pt": (4, 10_000, 4),
                "sa": (4, 5_000, 5_000), "bayesbay": (4, 2_000)}
    return {"nuts": (4, 1000, 1000), "rjmcmc": (4, 400_000), "rjmcmc_pt": (4, 200_000, 4),
            "sa": (4, 50_000, 50_000), "bayesbay": (4, 40_000)}


def benchmark(name, datasets, truth, size):
    cfg = settings(size)
    out = {}
    c, w, n = cfg["nuts"]
    out["nuts"] = run_workflow(datasets, fixed_grid_prior(),
                               NUTSConfig(n_chains=c, n_burn=w, n_iterations=w + n,
                                          progress_bar=False), truth, w + n, c)
    c, n = cfg["rjmcmc"]
    out["rjmcmc"] = run_workflow(datasets, trans_d_prior(),
                                 RJMCMCConfig(n_iterations=n, n_burn=n // 2, n_chains=c,
                                              thin=max(1, n // 4000), chunk_size=n // 4,
                                              progress_bar=False), truth, n, c)
    c, n, nt = cfg["rjmcmc_pt"]
    r = run_workflow(datasets, trans_d_prior(),
                     RJMCMCConfig(n_iterations=n, n_burn=n // 2, n_chains=c, n_temperatures=nt,
                                  t_max=4.0, thin=max(1, n // 4000), chunk_size=n // 4,
                                  progress_bar=False), truth, n, c)
    r["n_temperatures"] = nt
    r["replica_iterations_per_s"] = r["chain_iterations_per_s"] * nt
    out["rjmcmc_pt"] = r
    c, w, n = cfg["sa"]
    out["sa"] = run_sa(datasets, fixed_grid_prior(), truth, c, w, n)
    try:
        import bayesbay  # noqa: F401
    except ImportError:
        out["bayesbay"] = {"note": "not installed"}
    else:
        c, n = cfg["bayesbay"]
        out["bayesbay"] = run_bayesbay(datasets, trans_d_prior(), truth, c, n)
    return out


def markdown(results, meta):
    lines = [f"Sampler benchmark on {meta['machine']['processor'] or meta['machine']['platform']}"
             f" ({meta['machine']['cpu_count']} cores, JAX {meta['versions']['jax']} on "
             f"{meta['machine']['backend']}); size = {meta['settings']['size']}.", "",
             "| data | sampler | chains | wall (s) | chain-it/s | min ESS | ESS/s | max R-hat "
             "| coverage 0-1500 km |", "|---|---|---|---|---|---|---|---|---|"]
    for data, rows in results.items():
        for sampler, r in rows.items():
            if "wall_time_s" not in r:
                lines.append(f"| {data} | {sampler} | | | | | | | {r['note']} |")
                continue
            lines.append(
                f"| {data} | {sampler} | {r['n_chains']} | {r['wall_time_s']:.1f} | "
                f"{r['chain_iterations_per_s']:.0f} | {r['min_bulk_ess']:.0f} | "
                f"{r['ess_per_s']:.2f} | {r['max_rhat']:.3f} | {r['coverage_0_1500_km']:.2f} |")
    return "\n".join(lines) + "\n"


def figure(results, meta, path):
    """Bar charts of chain-iterations per second and ESS per second, log scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(data, sampler, r) for data, by in results.items() for sampler, r in by.items()
            if "wall_time_s" in r]
    labels = [f"{data}\n{sampler}" for data, sampler, _ in rows]
    fig, axes = plt.subplots(1, 2, figsize=(max(6.0, 1.1 * len(rows) + 2), 3.8))
    for ax, key, title in ((axes[0], "chain_iterations_per_s", "chain-iterations / s"),
                           (axes[1], "ess_per_s", "min bulk ESS / s")):
        ax.bar(range(len(rows)), [max(r[key], 1e-3) for _, _, r in rows], color="0.4")
        ax.set_yscale("log")
        ax.set_xticks(range(len(rows)), labels, fontsize=7)
        ax.set_title(title)
    fig.suptitle(f"{meta['machine']['backend']}, {meta['machine']['cpu_count']} cores, "
                 f"size {meta['settings']['size']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="joint set only, small runs")
    size.add_argument("--smoke", action="store_true",
                      help="MT only, tiny runs: checks that every sampler runs")
    parser.add_argument("--sets", default=None,
                        help="comma-separated subset of mt,sq,dst,joint (default: all; joint "
                             "with --quick, mt with --smoke)")
    parser.add_argument("--out", default=None, help="JSON path (default benchmarks/results/"
                        "samplers_<backend>.json)")
    args = parser.parse_args(argv)
    exp = reference_experiment()
    all_sets = {"mt": [exp.mt], "sq": [exp.sq], "dst": [exp.dst],
                "joint": [exp.mt, exp.sq, exp.dst]}
    size = "smoke" if args.smoke else "quick" if args.quick else "full"
    default_sets = {"smoke": ["mt"], "quick": ["joint"], "full": list(all_sets)}[size]
    names = args.sets.split(",") if args.sets else default_sets
    unknown = sorted(set(names) - set(all_sets))
    if unknown:
        parser.error(f"--sets: unknown {unknown}; allowed: {sorted(all_sets)}")
    results = {n: benchmark(n, all_sets[n], exp.truth, size) for n in names}
    backend = jax.default_backend()
    meta = {
        "machine": {"platform": platform.platform(), "processor": platform.processor(),
                    "cpu_count": os.cpu_count(), "backend": backend,
                    "devices": [str(d) for d in jax.devices()],
                    "load_average": os.getloadavg()},
        "versions": {"python": platform.python_version(), "jax": jax.__version__,
                     "numpy": np.__version__, "bayesjoint": bayesjoint.__version__},
        "settings": {"size": size, "sets": names, "run_lengths": settings(size),
                     "coverage_depth_km": COVERAGE_DEPTH_KM},
    }
    out = args.out or os.path.join(HERE, "results", f"samplers_{backend}.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump({**meta, "results": results}, f, indent=2, default=float)
    with open(os.path.splitext(out)[0] + ".md", "w") as f:
        f.write(markdown(results, meta))
    figure(results, meta, os.path.splitext(out)[0] + ".png")
    print(markdown(results, meta))


if __name__ == "__main__":
    main()
