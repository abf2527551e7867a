"""Throughput of the reversible-jump sampler on an MT-only trans-dimensional problem.

Problem: 20 periods log-spaced 1-7200 s, log10 apparent resistivity and phase
with 3 % errors, from a 3-layer model; prior k in 1..30, interfaces in
(0, 400] km with a 1 km minimum thickness, log10 sigma in [-4, 2] with the
Gaussian smoothness prior (std 0.5), one hierarchical noise scale; one
temperature.

For each chain count the jitted chunk function of
:func:`bayesjoint.samplers.driver.build_chunk` (chains split over every
device, mapped or vmapped on each as the backend suits) is compiled (timed
separately) and then run for a fixed number of iterations; the figures of
merit are chain-iterations per second (chains x iterations / seconds) and
per CPU-second. Results go to ``benchmarks/results/rjmcmc_mt_cpu.json``.

Usage::

    python benchmarks/rjmcmc_mt.py            # 1, 64 and 1024 chains
    python benchmarks/rjmcmc_mt.py --quick    # a tiny smoke run (not written to results/)
"""

import argparse
import json
import os
import platform
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

import bayesjoint
from bayesjoint.data import MTData
from bayesjoint.earth import LayeredEarth
from bayesjoint.model.joint import make_log_likelihood
from bayesjoint.model.prior import PriorSpec
from bayesjoint.physics import mt
from bayesjoint.samplers import driver, rjmcmc
from bayesjoint.samplers.moves import MOVES
from bayesjoint.samplers.run import initial_chain_state

HERE = os.path.dirname(os.path.abspath(__file__))


def problem():
    """MT data, log-likelihood and prior of the benchmark."""
    periods = np.geomspace(1.0, 7200.0, 20)
    truth = LayeredEarth.from_layers([0.0, 15.0, 60.0], sigma_s_per_m=[0.01, 0.1, 1.0])
    thickness_m, sigma = truth.sigma_stack()
    z = mt.impedance(jnp.asarray(periods), thickness_m, sigma)
    rho, phase = mt.apparent_resistivity_phase(jnp.asarray(periods), z)
    rng = np.random.default_rng(0)
    rho = np.asarray(rho) * (1 + 0.03 * rng.standard_normal(periods.size))
    phase = np.asarray(phase) * (1 + 0.03 * rng.standard_normal(periods.size))
    data = MTData.from_rho_phase(periods, rho, phase, rel_error=0.03)
    spec = PriorSpec(n_layers=3, k_min=1, k_max=30, interfaces="sampled", depth_max_km=400.0,
                     min_thickness_km=1.0, smoothness_std=0.5, hierarchical_noise=True)
    return make_log_likelihood([data], active_only=True), spec


def measure(loglik, spec, n_chains, n_iterations, repeats):
    """Compile time and chain-iterations per (CPU-)second for one chain count."""
    probs = tuple(float(p) for p in rjmcmc.default_move_probs(spec))
    scales = rjmcmc.default_proposal_scales(spec)
    chunk = driver.build_chunk(loglik, spec, probs=probs, scales=scales, n_chains=n_chains,
                               n_temps=1, thin=1, chunk_size=n_iterations, n_burn=0,
                               target_acceptance=0.3)
    init = jax.jit(jax.vmap(jax.vmap(lambda k: rjmcmc.init(
        *rjmcmc.sample_prior(k, spec, 1), loglik, spec))))
    states = init(jax.random.split(jax.random.PRNGKey(0), n_chains).reshape(n_chains, 1, -1))
    cs = initial_chain_state(states, scales, np.ones(1), rjmcmc.N_DEPTH_BINS)
    key = jax.random.PRNGKey(1)
    t0 = time.perf_counter()
    chunk.lower(key, cs, np.int64(0)).compile()
    compile_s = time.perf_counter() - t0
    cs = jax.block_until_ready(chunk(key, cs, np.int64(0))[0])  # loads the compiled code
    times, cpu = [], []
    for r in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = chunk(key, cs, np.int64((r + 1) * n_iterations))
        jax.block_until_ready(out)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        cs = out[0]
    best = int(np.argmin(times))
    return {"n_chains": n_chains, "iterations_per_call": n_iterations, "repeats": repeats,
            "devices": driver.device_count_for(n_chains), "batch": driver.default_batch(),
            "compile_s": round(compile_s, 3), "run_s": [round(t, 4) for t in times],
            "cpu_s": [round(t, 4) for t in cpu],
            "chain_iterations_per_s": round(n_chains * n_iterations / times[best], 1),
            "chain_iterations_per_cpu_s": round(n_chains * n_iterations / cpu[best], 1),
            "iterations_per_s": round(n_iterations / times[best], 2)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run, nothing written")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "rjmcmc_mt_cpu.json"))
    args = parser.parse_args(argv)
    loglik, spec = problem()
    if args.quick:
        plan = [(1, 20, 1), (4, 20, 1)]
    else:
        plan = [(1, 2000, 3), (64, 500, 3), (1024, 100, 3)]
    results = []
    for n_chains, n_iterations, repeats in plan:
        res = measure(loglik, spec, n_chains, n_iterations, repeats)
        print(json.dumps(res))
        results.append(res)
    report = {
        "benchmark": "rjmcmc_mt",
        "machine": {"platform": platform.platform(), "processor": platform.processor(),
                    "cpu_count": os.cpu_count(), "jax_backend": jax.default_backend(),
                    "devices": [str(d) for d in jax.devices()]},
        "versions": {"python": sys.version.split()[0], "jax": jax.__version__,
                     "jaxlib": jax.lib.__version__ if hasattr(jax.lib, "__version__") else None,
                     "numpy": np.__version__, "bayesjoint": bayesjoint.__version__},
        "settings": {"periods": 20, "period_range_s": [1.0, 7200.0], "k_min": spec.k_min,
                     "k_max": spec.k_max, "depth_max_km": spec.depth_max_km,
                     "min_thickness_km": spec.min_thickness_km,
                     "smoothness_std": spec.smoothness_std,
                     "hierarchical_noise": spec.hierarchical_noise, "temperatures": [1.0],
                     "move_probs": dict(zip(MOVES, rjmcmc.default_move_probs(spec))),
                     "timing": "best of repeats, after compile; one call = one jitted scan"},
        "results": results,
    }
    if not args.quick:
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)
        print(f"wrote {args.out}")
    return report


if __name__ == "__main__":
    main()
