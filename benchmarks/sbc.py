"""Simulation-based calibration of the reversible-jump sampler on a small MT problem.

Simulation-based calibration (Talts et al. 2018, arXiv:1804.06788): draw a
model and a noise scale from the prior, simulate noisy data from them,
sample the posterior given those data, and rank each true quantity among
``L`` posterior draws. If the sampler draws from the exact posterior, every
rank is uniform on ``0 .. L``, whatever the prior, the data or the problem.
A U-shaped rank histogram means over-confident posteriors, a hump
under-dispersed (or not yet converged, prior-like) draws, a slope a bias.

Problem
-------
Prior (:func:`prior_spec`): k in 1..4 layers, interfaces sampled in
(0, 30] km with a 1 km minimum thickness, log10 sigma in [-3, 0] with the
Gaussian smoothness prior (std 0.5), one hierarchical noise scale
log-uniform on [0.5, 2]. Data: log10 apparent resistivity (std 0.05) and
phase (std 1.5 deg) at 10 periods log-spaced 0.01-100 s, each value with
Gaussian noise of standard deviation ``noise_scale * std``.

Ranked quantities: the layer count k, log10 sigma at 2, 8 and 20 km, and
the noise scale. Ties (k is discrete; a continuous quantity never ties) are
broken uniformly at random, the standard treatment.

All replicates are inverted as one vmapped, jitted batch: each replicate
has its own data vector and a reversible-jump chain started from an
independent prior draw (not from the truth), with fixed proposal scales
(:func:`proposal_scales`), iterated with :func:`jax.lax.scan`; after
``warmup`` iterations, ``L = draws`` states ``thin`` iterations apart are
kept. The ESS of these thinned draws (bulk ESS, ArviZ) is reported per
quantity to show they are close to independent.

Uniformity: ranks ``0 .. L`` in ``bins`` equal bins (``L + 1`` divisible by
``bins``), chi-square test against equal counts (``scipy.stats.chisquare``);
the check passes when every p-value exceeds 0.01.

Usage::

    python benchmarks/sbc.py                        # 400 replicates, full length
    python benchmarks/sbc.py --replicates 8 --iterations 2000 --out /tmp/s.json   # a smoke run
    python benchmarks/sbc.py --pilot                # iterations per effective draw, acceptance
    python benchmarks/sbc.py --birth prior --out /tmp/p.json   # births from the prior bounds
    python benchmarks/sbc.py --temperature 4 --out /tmp/t.json # a wrong posterior: must fail

Output: ``benchmarks/results/sbc_<backend>.json``, a Markdown table
``.md`` and the rank histograms ``.png`` beside it.
"""

import argparse
import json
import os
import platform
import sys
import time
from functools import partial

import arviz as az
import jax
import jax.numpy as jnp
import numpy as np
from scipy import stats

import bayesjoint
from bayesjoint.model.likelihoods import gaussian_log_likelihood
from bayesjoint.model.prior import PriorSpec
from bayesjoint.physics import mt
from bayesjoint.samplers import rjmcmc
from bayesjoint.samplers.moves import MOVES

HERE = os.path.dirname(os.path.abspath(__file__))

PERIOD_S = np.geomspace(0.01, 100.0, 10)
"""MT periods, s."""
LOG10_RHO_STD = 0.05
"""Standard deviation of log10 apparent resistivity (ohm m)."""
PHASE_STD_DEG = 1.5
"""Standard deviation of the impedance phase, degrees."""
RANK_DEPTH_KM = (2.0, 8.0, 20.0)
"""Depths at which log10 conductivity is ranked, km."""
QUANTITIES = ("n_layers", "log10_sigma_2km", "log10_sigma_8km", "log10_sigma_20km",
              "noise_scale")
"""Names of the ranked quantities, in the order of :func:`quantities`."""
SEED = 20180406
P_THRESHOLD = 0.01
"""Every chi-square p-value must exceed this for the check to pass."""

DEFAULTS = {"replicates": 400, "warmup": 20_000, "draws": 99, "thin": 1000, "bins": 20}
"""Full settings: the committed result uses these."""
PILOT = {"replicates": 64, "warmup": 5000, "iterations": 5000}
"""Settings of ``--pilot`` (unthinned chains, every iteration kept)."""


def prior_spec() -> PriorSpec:
    """The prior of the calibration problem (see module docstring)."""
    return PriorSpec(interfaces="sampled", k_min=1, k_max=4, depth_max_km=30.0,
                     min_thickness_km=1.0, log10_sigma_min=-3.0, log10_sigma_max=0.0,
                     smoothness_std=0.5, hierarchical_noise=True, noise_scale_min=0.5,
                     noise_scale_max=2.0)


def proposal_scales(spec: PriorSpec) -> rjmcmc.ProposalScales:
    """Fixed proposal scales, the same for every replicate.

    The library defaults (:func:`~bayesjoint.samplers.rjmcmc.default_proposal_scales`)
    with the interface steps halved (per depth bin: 0.06 km in the top bin
    to 0.75 km below 3.75 km, so a move into another bin takes its
    proposal-ratio correction), the conductivity step divided by three
    (0.1) and the log noise step doubled (0.4). With neighbour
    births (standard deviation ``smoothness_std``) these mixed fastest of
    a few candidates (the defaults with prior or neighbour births, larger
    and smaller steps) in pilot runs (:data:`PILOT`, ``--pilot``) on 64
    replicates drawn with a different seed from the check's. They were
    chosen once, never per replicate.
    """
    base = rjmcmc.default_proposal_scales(spec)
    return base._replace(interface_km=tuple(0.5 * np.asarray(base.interface_km)),
                         value=base.value / 3.0, noise_log=2.0 * base.noise_log)


BIRTH = "neighbour"
"""Birth proposal of the check (see :func:`bayesjoint.samplers.rjmcmc.build_kernel`)."""


def data_std() -> np.ndarray:
    """Stated standard deviations of the data, shape (2 P,): log10 rho_a, then phase (deg)."""
    n = PERIOD_S.size
    return np.concatenate([np.full(n, LOG10_RHO_STD), np.full(n, PHASE_STD_DEG)])


def predict(earth):
    """Noise-free data vector of one model, shape (2 P,): log10 rho_a (ohm m), phase (deg)."""
    thickness_m, sigma = earth.sigma_stack()
    period = jnp.asarray(PERIOD_S)
    rho_a, phase = mt.apparent_resistivity_phase(period, mt.impedance(period, thickness_m, sigma))
    return jnp.concatenate([jnp.log10(rho_a), phase])


def log_likelihood(earth, noise_scale, observed):
    """Gaussian log-likelihood of one model given ``observed``, shape (2 P,).

    ``noise_scale`` has shape (1,) (one dataset); it multiplies :func:`data_std`.
    """
    return gaussian_log_likelihood(observed, jnp.asarray(data_std()), predict(earth),
                                   noise_scale[0])


def quantities(earth, noise_scale):
    """The ranked quantities of one model, shape (5,), in the order of :data:`QUANTITIES`."""
    logs = earth.on_depth_grid(jnp.asarray(RANK_DEPTH_KM))
    return jnp.concatenate([jnp.asarray(earth.n_layers, dtype=float)[None], logs,
                            noise_scale[:1]])


def simulate(key, spec: PriorSpec, n_replicates: int):
    """Draw true models and noise scales from the prior and simulate noisy data.

    Returns
    -------
    truth : array, shape (R, 5)
        True quantities (:func:`quantities`).
    observed : array, shape (R, 2 P)
        Noisy data vectors.
    """
    key_prior, key_noise = jax.random.split(key)
    earth, noise = jax.vmap(lambda k: rjmcmc.sample_prior(k, spec, 1))(
        jax.random.split(key_prior, n_replicates))
    clean = jax.vmap(predict)(earth)
    eps = jax.random.normal(key_noise, clean.shape)
    observed = clean + noise[:, :1] * jnp.asarray(data_std()) * eps
    return jax.vmap(quantities)(earth, noise), observed


@partial(jax.jit, static_argnames=("spec", "scales", "n_warmup", "n_draws", "thin", "birth"))
def invert(key, observed, spec: PriorSpec, scales, n_warmup: int, n_draws: int, thin: int,
           birth: str = BIRTH, temperature=1.0):
    """Run one reversible-jump chain per replicate, all replicates in one vmapped scan.

    Parameters
    ----------
    key : PRNG key
    observed : array, shape (R, 2 P)
        Data vector of each replicate.
    spec : PriorSpec
    scales : ProposalScales
        Fixed proposal scales (every replicate the same).
    n_warmup : int
        Iterations discarded before the first kept draw.
    n_draws : int
        Number of kept draws ``L``.
    thin : int
        Iterations between kept draws (the first is kept after
        ``n_warmup + thin`` iterations).
    birth : {"prior", "neighbour"}
    temperature : float
        1 samples the posterior. Above 1 the likelihood is tempered: a
        deliberately wrong, too wide posterior that the check must reject.

    Returns
    -------
    draws : array, shape (R, L, 5)
        Ranked quantities of the kept states.
    acceptance : array, shape (R, n_moves)
        Accepted fraction of each move (of :data:`bayesjoint.samplers.moves.MOVES`)
        over all iterations.
    proposed : array, shape (R, n_moves)
        Number of proposals of each move.
    """
    n_rep = observed.shape[0]
    n_moves = len(rjmcmc.default_move_probs(spec))
    key_init, key_run = jax.random.split(key)

    def start(k, obs):
        earth, noise = rjmcmc.sample_prior(k, spec, 1)
        return rjmcmc.init(earth, noise, partial(log_likelihood, observed=obs), spec)

    states = jax.vmap(start)(jax.random.split(key_init, n_rep), observed)

    def one_step(obs, k, state):
        kernel = rjmcmc.build_kernel(partial(log_likelihood, observed=obs), spec,
                                     proposal_scales=scales, birth=birth)
        return kernel(k, state, temperature)

    step_all = jax.vmap(one_step)

    def step(carry, k):
        state, accepted, proposed = carry
        state, info = step_all(observed, jax.random.split(k, n_rep), state)
        onehot = jax.nn.one_hot(info.move, n_moves)
        return (state, accepted + onehot * info.accepted[:, None], proposed + onehot), None

    def run(carry, k, n):
        carry, _ = jax.lax.scan(step, carry, jax.random.split(k, n))
        return carry

    def keep(carry, k):
        carry = run(carry, k, thin)
        state = carry[0]
        return carry, jax.vmap(quantities)(state.earth, state.noise_scale)

    zeros = jnp.zeros((n_rep, n_moves))
    key_warm, key_draws = jax.random.split(key_run)
    carry = run((states, zeros, zeros), key_warm, n_warmup) if n_warmup else (states, zeros, zeros)
    carry, draws = jax.lax.scan(keep, carry, jax.random.split(key_draws, n_draws))
    _, accepted, proposed = carry
    return jnp.swapaxes(draws, 0, 1), accepted / jnp.maximum(proposed, 1), proposed


def sbc_ranks(key, truth, draws):
    """Rank of each true value among its posterior draws, ties broken uniformly at random.

    Parameters
    ----------
    key : PRNG key
    truth : array, shape (R, Q)
    draws : array, shape (R, L, Q)

    Returns
    -------
    ranks : int ndarray, shape (R, Q), values in ``0 .. L``
        ``#{draws < truth} + U``, ``U`` uniform on ``0 .. #{draws == truth}``.
    """
    truth = np.asarray(truth)[:, None, :]
    draws = np.asarray(draws)
    below = np.sum(draws < truth, axis=1)
    ties = np.sum(draws == truth, axis=1)
    u = np.asarray(jax.random.uniform(key, below.shape))
    return below + np.floor(u * (ties + 1)).astype(int)


def rank_histogram(ranks, n_draws: int, n_bins: int):
    """Counts of ranks ``0 .. n_draws`` in ``n_bins`` equal bins, shape (n_bins, Q)."""
    if (n_draws + 1) % n_bins:
        raise ValueError(f"n_draws + 1 = {n_draws + 1} ranks do not split into {n_bins} "
                         "equal bins")
    width = (n_draws + 1) // n_bins
    ranks = np.asarray(ranks)
    return np.stack([np.bincount(ranks[:, q] // width, minlength=n_bins)
                     for q in range(ranks.shape[1])], axis=1)


def uniformity(counts):
    """Chi-square test of equal bin counts per quantity.

    Parameters
    ----------
    counts : array, shape (n_bins, Q)

    Returns
    -------
    statistic, p_value : arrays, shape (Q,)
    """
    res = stats.chisquare(np.asarray(counts), axis=0)
    return np.asarray(res.statistic), np.asarray(res.pvalue)


def uniform_band(n_replicates: int, n_bins: int, level=0.99):
    """Central ``level`` interval of one bin's count under uniform ranks (binomial)."""
    lo, hi = stats.binom.interval(level, n_replicates, 1.0 / n_bins)
    return int(lo), int(hi)


def ess_of_draws(draws):
    """Bulk ESS of each replicate's thinned draws of each quantity, shape (R, Q).

    NaN where a replicate's draws of a quantity are all equal (e.g. one k).
    """
    x = np.moveaxis(np.asarray(draws), -1, 0)[:, :, None, :]  # (Q, R, 1 chain, L)
    with np.errstate(invalid="ignore", divide="ignore"):
        ess = np.asarray(az.ess(x, chain_axis=-2, draw_axis=-1, method="bulk"), dtype=float)
    constant = np.ptp(x, axis=(-2, -1)) == 0
    return np.where(constant, np.nan, ess).T


def ess_summary(ess):
    """Per quantity: quantiles over replicates of the ESS and how many were constant."""
    out = {}
    for q, name in enumerate(QUANTITIES):
        e = ess[:, q]
        ok = np.isfinite(e)
        out[name] = {"min": float(np.min(e[ok])), "q05": float(np.quantile(e[ok], 0.05)),
                     "median": float(np.median(e[ok])),
                     "constant_replicates": int(np.sum(~ok))} if ok.any() else {
            "constant_replicates": int(np.sum(~ok))}
    return out


def run_check(n_replicates, n_warmup, n_draws, thin, n_bins, seed=SEED, birth=BIRTH,
              temperature=1.0):
    """Simulate, invert and rank: the whole calibration check.

    ``temperature`` above 1 tempers the likelihood (see :func:`invert`).

    Returns
    -------
    dict with ``ranks`` (R, Q), ``counts`` (n_bins, Q), ``statistic`` and
    ``p_value`` (Q,), ``ess`` (R, Q), ``acceptance`` (R, n_moves),
    ``truth`` (R, Q) and ``draws`` (R, L, Q).
    """
    spec = prior_spec()
    key_sim, key_inv, key_rank = jax.random.split(jax.random.PRNGKey(seed), 3)
    truth, observed = simulate(key_sim, spec, n_replicates)
    draws, acceptance, _ = invert(key_inv, observed, spec, proposal_scales(spec),
                                  n_warmup, n_draws, thin, birth, temperature)
    draws = np.asarray(draws)
    ranks = sbc_ranks(key_rank, truth, draws)
    counts = rank_histogram(ranks, n_draws, n_bins)
    statistic, p_value = uniformity(counts)
    return {"truth": np.asarray(truth), "draws": draws, "ranks": ranks, "counts": counts,
            "statistic": statistic, "p_value": p_value, "ess": ess_of_draws(draws),
            "acceptance": np.asarray(acceptance)}


def pilot(n_replicates, n_warmup, n_iterations, seed=SEED + 1, birth=BIRTH):
    """ESS per iteration of unthinned chains after warm-up, and move acceptance.

    Used once to choose the thinning and the proposal scales (never per
    replicate).
    """
    spec = prior_spec()
    key_sim, key_inv = jax.random.split(jax.random.PRNGKey(seed))
    _, observed = simulate(key_sim, spec, n_replicates)
    draws, acceptance, _ = invert(key_inv, observed, spec, proposal_scales(spec),
                                  n_warmup, n_iterations, 1, birth)
    ess = ess_of_draws(np.asarray(draws))
    iters_per_ess = n_iterations / ess
    return {"iterations_per_effective_draw": {
                name: {"median": float(np.nanmedian(iters_per_ess[:, q])),
                       "q95": float(np.nanquantile(iters_per_ess[:, q], 0.95))}
                for q, name in enumerate(QUANTITIES)},
            "acceptance_median": dict(zip(MOVES, np.median(np.asarray(acceptance), axis=0)
                                          .round(3).tolist()))}


def plot_histograms(counts, n_replicates, p_value, path, level=0.99):
    """Rank histograms of every quantity with the ``level`` band of a uniform histogram."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n_bins, n_q = counts.shape
    lo, hi = uniform_band(n_replicates, n_bins, level)
    n_cols = 3
    fig, axes = plt.subplots(-(-(n_q + 1) // n_cols), n_cols, figsize=(10, 5.6), sharey=True)
    axes = axes.ravel()
    for q in range(n_q):
        ax = axes[q]
        ax.axhspan(lo, hi, color="0.85")
        ax.axhline(n_replicates / n_bins, color="0.5", lw=0.8)
        ax.bar(np.arange(n_bins), counts[:, q], width=0.9, color="tab:blue")
        ax.set_title(f"{QUANTITIES[q]}: chi-square p = {p_value[q]:.3f}", fontsize=9)
        ax.set_xlabel(f"rank bin (of {n_bins})")
        if q % n_cols == 0:
            ax.set_ylabel(f"replicates (of {n_replicates})")
    for ax in axes[n_q:]:
        ax.axis("off")
    axes[n_q].text(0.05, 0.5, f"grey: {level:.0%} band of one bin's count\nunder uniform "
                   f"ranks ({lo}-{hi})\nline: expected count {n_replicates / n_bins:g}",
                   transform=axes[n_q].transAxes, fontsize=9, va="center")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown(report):
    """Markdown table of one report."""
    s = report["settings"]
    lines = [
        "# Simulation-based calibration of the reversible-jump sampler (MT)", "",
        f"{s['replicates']} replicates, {s['draws']} draws each ({s['thin']} iterations apart "
        f"after {s['warmup']} warm-up iterations), {s['birth']} births, {s['bins']} rank "
        f"bins; wall time "
        f"{report['wall_time_s']:.0f} s on {report['machine']['cpu_count']} cores "
        f"({report['machine']['jax_backend']}), load average "
        f"{report['load_average']['start']} (start) / {report['load_average']['end']} (end).", "",
        "| quantity | chi-square | p-value | ESS of the draws: min / 5 % / median | passes |",
        "| --- | --- | --- | --- | --- |"]
    for name, r in report["results"].items():
        e = r["ess"]
        ess = (f"{e['min']:.0f} / {e['q05']:.0f} / {e['median']:.0f}" if "min" in e else "-")
        if e["constant_replicates"]:
            ess += f" ({e['constant_replicates']} replicates constant)"
        lines.append(f"| {name} | {r['chi_square']:.1f} | {r['p_value']:.3f} | {ess} | "
                     f"{'yes' if r['p_value'] > P_THRESHOLD else 'NO'} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    """Run the check (or the pilot), print a table, write the JSON, Markdown and figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=None,
                        help=f"default {DEFAULTS['replicates']} "
                             f"({PILOT['replicates']} with --pilot)")
    parser.add_argument("--iterations", type=int, default=None,
                        help="iterations per chain after warm-up, draws x thin (default "
                             f"{DEFAULTS['draws'] * DEFAULTS['thin']}; {PILOT['iterations']} "
                             "with --pilot)")
    parser.add_argument("--warmup", type=int, default=None,
                        help=f"default {DEFAULTS['warmup']} ({PILOT['warmup']} with --pilot)")
    parser.add_argument("--draws", type=int, default=DEFAULTS["draws"],
                        help="posterior draws kept per replicate (L)")
    parser.add_argument("--bins", type=int, default=DEFAULTS["bins"])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--birth", choices=rjmcmc.BIRTH_MODES, default=BIRTH,
                        help="birth proposal (default %(default)s)")
    parser.add_argument("--temperature", type=float, default=1.0,
                        help="temper the likelihood (> 1: a deliberately too wide posterior, "
                             "to see the check fail)")
    parser.add_argument("--pilot", action="store_true",
                        help="report iterations per effective draw of unthinned chains "
                             "(--iterations of them) and the move acceptance; nothing written")
    parser.add_argument("--out", default=None,
                        help="JSON path (default benchmarks/results/sbc_<backend>.json)")
    args = parser.parse_args(argv)
    defaults = PILOT if args.pilot else {**DEFAULTS,
                                         "iterations": DEFAULTS["draws"] * DEFAULTS["thin"]}
    for name in ("replicates", "iterations", "warmup"):
        if getattr(args, name) is None:
            setattr(args, name, defaults[name])
    if args.pilot:
        res = pilot(args.replicates, args.warmup, args.iterations, birth=args.birth)
        print(json.dumps(res, indent=1))
        return res
    thin = args.iterations // args.draws
    if thin < 1:
        parser.error(f"--iterations {args.iterations} is less than --draws {args.draws}")
    backend = jax.default_backend()
    out = args.out or os.path.join(HERE, "results", f"sbc_{backend}.json")
    load_start = [round(x, 2) for x in os.getloadavg()]
    t0 = time.perf_counter()
    res = run_check(args.replicates, args.warmup, args.draws, thin, args.bins, args.seed,
                    birth=args.birth, temperature=args.temperature)
    wall_s = time.perf_counter() - t0
    load_end = [round(x, 2) for x in os.getloadavg()]
    spec = prior_spec()
    ess = ess_summary(res["ess"])
    report = {
        "benchmark": "sbc",
        "machine": {"platform": platform.platform(), "processor": platform.processor(),
                    "cpu_count": os.cpu_count(), "jax_backend": backend,
                    "devices": [str(d) for d in jax.devices()]},
        "versions": {"python": sys.version.split()[0], "jax": jax.__version__,
                     "numpy": np.__version__, "arviz": az.__version__,
                     "bayesjoint": bayesjoint.__version__},
        "load_average": {"start": load_start, "end": load_end,
                         "note": "1, 5 and 15 min; the machine may be shared"},
        "wall_time_s": round(wall_s, 1),
        "settings": {
            "replicates": args.replicates, "warmup": args.warmup, "draws": args.draws,
            "thin": thin, "iterations_per_chain": args.warmup + args.draws * thin,
            "bins": args.bins, "seed": args.seed, "p_threshold": P_THRESHOLD,
            "temperature": args.temperature,
            "prior": {f: getattr(spec, f) for f in ("k_min", "k_max", "k_prior", "depth_max_km",
                                                    "min_thickness_km", "log10_sigma_min",
                                                    "log10_sigma_max", "smoothness_std",
                                                    "noise_scale_min", "noise_scale_max")},
            "period_s": PERIOD_S.round(6).tolist(), "log10_rho_std": LOG10_RHO_STD,
            "phase_std_deg": PHASE_STD_DEG, "rank_depth_km": list(RANK_DEPTH_KM),
            "birth": args.birth, "proposal_scales": proposal_scales(spec)._asdict(),
            "move_probs": dict(zip(MOVES, rjmcmc.default_move_probs(spec))),
            "start": "each chain from an independent prior draw",
            "ties": "broken uniformly at random",
            "ess": "bulk ESS (ArviZ) of each replicate's thinned draws, one chain",
        },
        "acceptance_median": dict(zip(MOVES, np.median(res["acceptance"], axis=0)
                                      .round(3).tolist())),
        "results": {name: {"chi_square": round(float(res["statistic"][q]), 3),
                           "p_value": float(res["p_value"][q]),
                           "rank_counts": res["counts"][:, q].tolist(),
                           "ess": ess[name]}
                    for q, name in enumerate(QUANTITIES)},
        "uniform_band_99": list(uniform_band(args.replicates, args.bins)),
        "passed": bool(np.all(res["p_value"] > P_THRESHOLD)),
        "ranks": {name: res["ranks"][:, q].tolist() for q, name in enumerate(QUANTITIES)},
    }
    table = markdown(report)
    print(table)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
    stem = os.path.splitext(out)[0]
    with open(stem + ".md", "w") as f:
        f.write(table)
    plot_histograms(res["counts"], args.replicates, res["p_value"], stem + ".png")
    print(f"wrote {out}, {stem}.md and {stem}.png")
    return report


if __name__ == "__main__":
    main()
