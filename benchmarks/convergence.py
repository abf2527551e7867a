"""Effective samples per CPU-second of the reversible-jump sampler on the joint reference problem.

Problem: the synthetic MT + Sq + Dst experiment of Yao et al. (2023)
(:func:`bayesjoint.datasets.reference_experiment`) with the published model
space and layer-count prior: 2-30 layers, interfaces in (0, 2000] km at
least 33 km apart, log10 sigma in [-4, 2] with the smoothness prior (std
0.5), ``k_prior = "rejection"``, hierarchical noise. Four chains, one
temperature (or ``--temperatures``), the default moves, depth-binned step
sizes adapted during burn-in, chains split over every CPU device.

Measured, each separately:

- compilation of the chunk function (ahead of time, ``lower().compile()``);
- sampling: wall seconds and CPU-seconds of the process (all threads), from
  which chain-iterations per wall-second and per CPU-second;
- minimum bulk ESS over log10 conductivity at the 20 depths 50, 150, ...,
  1950 km, per CPU-second of sampling; max R-hat at those depths; the full
  convergence criterion (R-hat, bulk and tail ESS over the 200-point depth
  grid, k and noise scales) as the run itself evaluates it.

The figures of the C++ reference code (BayesMTGDS) on the same problem,
measured on the same machine class: 13,460 chain-iterations and 2.4 min-ESS
per CPU-second. Targets: 27,000 and 5.

Usage::

    python benchmarks/convergence.py                  # 1,000,000 iterations per chain
    python benchmarks/convergence.py --iterations 40000 --out /tmp/c.json   # a quick check
    python benchmarks/convergence.py --birth split --seed 1 \
        --move-probs '{"birth": 0.3, "death": 0.3, "move": 0.1, "perturb": 0.2,
                       "noise": 0.1}'                                       # compare moves
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time

import jax
import numpy as np

import bayesjoint
from bayesjoint.datasets import reference_experiment
from bayesjoint.model.joint import make_log_likelihood
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers import driver, moves, rjmcmc, tempering
from bayesjoint.samplers import run as rj_run
from bayesjoint.summaries import stopping
from bayesjoint.summaries.diagnostics import convergence

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = {"chain_iterations_per_cpu_s": 13460.0, "min_ess_per_cpu_s": 2.4}
TARGETS = {"chain_iterations_per_cpu_s": 27000.0, "min_ess_per_cpu_s": 5.0}
ESS_DEPTHS_KM = np.arange(50.0, 2000.0, 100.0)


def published_prior():
    """Model space and layer-count prior of Yao et al. (2023)."""
    return PriorSpec(interfaces="sampled", k_min=2, k_max=30, depth_max_km=2000.0,
                     min_thickness_km=33.0, smoothness_std=0.5, k_prior="rejection")


def measure(n_iterations, n_chains=4, n_temps=1, t_max=20.0, seed=0, chunk_size=None,
            birth="prior", move_probs=None):
    """One run: compile time, throughput and ESS per CPU-second (see module docstring)."""
    exp = reference_experiment(seed=0)
    datasets = [exp.mt, exp.sq, exp.dst]
    spec = published_prior()
    loglik = make_log_likelihood(datasets, spec, active_only=True)
    chunk_size = chunk_size or n_iterations // 8
    n_burn = n_iterations // 4
    temps = tuple(tempering.geometric_ladder(n_temps, t_max))
    scales = rjmcmc.default_proposal_scales(spec)
    probs = tuple(rjmcmc.check_move_probs(move_probs, spec)) if move_probs else \
        rjmcmc.default_move_probs(spec)
    chunk = rj_run.chunk_function(
        loglik, spec, probs=probs, scales=scales, birth=birth,
        n_temps=n_temps, n_chains=n_chains, thin=50, chunk_size=chunk_size, n_burn=n_burn,
        target_acceptance=0.3, seismic=False, n_depth_bins=rjmcmc.N_DEPTH_BINS,
        adapt_ladder=True, batch=driver.default_batch(),
        n_devices=driver.device_count_for(n_chains))
    with tempfile.TemporaryDirectory() as tmp:
        # compile the chunk function ahead of time (the run below then reuses it)
        states = rj_run.initial_states(loglik, spec, jax.random.PRNGKey(0), n_chains=n_chains,
                                       n_temps=n_temps, n_datasets=3)
        cs = rj_run.initial_chain_state(states, scales, np.asarray(temps), rjmcmc.N_DEPTH_BINS)
        t0 = time.perf_counter()
        chunk.lower(jax.random.PRNGKey(0), cs, np.int64(0)).compile()
        compile_s = time.perf_counter() - t0
        load_before = os.getloadavg()
        t0, c0 = time.perf_counter(), time.process_time()
        result = rj_run.run(loglik, spec, tmp, n_iterations=n_iterations, n_burn=n_burn,
                            n_chains=n_chains, temperatures=temps, thin=50,
                            chunk_size=chunk_size, seed=seed, n_datasets=3, progress=False,
                            birth=birth, move_probs=dict(zip(moves.MOVES, probs)))
        wall_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
        load_after = os.getloadavg()
        draws = result.draws()
        stats = result.stats()
    fields_on_grid = stopping.criterion_quantities(draws, ESS_DEPTHS_KM)
    table = convergence({"log10_sigma": fields_on_grid["log10_sigma_on_grid"]})["log10_sigma"]
    full = stopping.assess(stopping.criterion_quantities(draws, np.linspace(0, 2000, 200)),
                           stopping.ConvergenceCriterion())
    total_it = n_chains * n_iterations
    return {
        "n_chains": n_chains, "n_temperatures": n_temps, "n_iterations": n_iterations,
        "n_burn": n_burn, "thin": 50, "seed": seed, "birth": birth,
        "move_probs": {m: round(p, 4) for m, p in zip(moves.MOVES, probs) if p > 0},
        "chunk_size": chunk_size,
        "devices": driver.device_count_for(n_chains), "batch": driver.default_batch(),
        "compile_s": round(compile_s, 2),
        "sampling_wall_s": round(wall_s, 2), "sampling_cpu_s": round(cpu_s, 2),
        "chain_iterations_per_s": round(total_it / wall_s, 1),
        "chain_iterations_per_cpu_s": round(total_it / cpu_s, 1),
        "min_bulk_ess_20_depths": round(table["ess_bulk_min"], 1),
        "max_rhat_20_depths": round(table["rhat_max"], 4),
        "min_ess_per_cpu_s": round(table["ess_bulk_min"] / cpu_s, 3),
        "criterion": {k: full[k] for k in ("met", "rhat_max", "ess_bulk_min", "ess_tail_min",
                                           "worst")},
        "mean_n_layers": round(float(np.mean(draws["n_layers"])), 2),
        "acceptance_T1": {m: round(float(v[0]), 3) for m, v in stats["acceptance"].items()
                          if np.isfinite(v[0])},
        "swap_acceptance": np.round(stats["swap_acceptance"], 3).tolist(),
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1_000_000)
    parser.add_argument("--temperatures", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0, help="sampler seed (default 0)")
    parser.add_argument("--birth", choices=rjmcmc.BIRTH_MODES, default="prior",
                        help="birth proposal (default prior)")
    parser.add_argument("--move-probs", type=json.loads, default=None,
                        help='move probabilities as JSON, e.g. \'{"birth": 0.2, ...}\' '
                             "(default: the sampler's defaults)")
    parser.add_argument("--out", default=os.path.join(
        HERE, "results", f"convergence_{jax.default_backend()}.json"))
    args = parser.parse_args(argv)
    res = measure(args.iterations, n_temps=args.temperatures, birth=args.birth,
                  move_probs=args.move_probs, seed=args.seed)
    verdicts = {k: {"value": res[k], "target": TARGETS[k], "reference_cpp": REFERENCE[k],
                    "met": res[k] >= TARGETS[k], "ratio_to_target": round(res[k] / TARGETS[k], 3)}
                for k in TARGETS}
    report = {
        "benchmark": "convergence",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                    "jax_backend": jax.default_backend(),
                    "devices": [str(d) for d in jax.devices()]},
        "versions": {"python": sys.version.split()[0], "jax": jax.__version__,
                     "numpy": np.__version__, "bayesjoint": bayesjoint.__version__},
        "settings": {"problem": "joint MT + Sq + Dst reference experiment (Yao et al. 2023)",
                     "prior": "published: k_prior = rejection, 2-30 layers, 0-2000 km, "
                              "min thickness 33 km, smoothness 0.5",
                     "ess_depths_km": ESS_DEPTHS_KM.tolist(),
                     "timing": "compilation ahead of time, then sampling wall and process CPU "
                               "time (all threads)"},
        "result": res,
        "targets": verdicts,
    }
    print(json.dumps(report, indent=1))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    print(f"wrote {args.out}")
    return report


if __name__ == "__main__":
    main()
