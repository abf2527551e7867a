"""Write the README's benchmark table from the JSON files in benchmarks/results/.

Usage::

    python benchmarks/readme_table.py            # print the table
    python benchmarks/readme_table.py --write    # replace it in README.md

The table sits in README.md between the markers ``<!-- benchmark-table -->``
and ``<!-- /benchmark-table -->``; ``tests/test_benchmarks_smoke.py`` checks
that it matches what this script makes of the committed JSON. Rows come from
``forward_<backend>.json`` (the value-only case of each forward model at its
best batch, against the peer timed in the same run), ``rjmcmc_mt_<backend>.json``,
``samplers_<backend>.json`` (joint MT + Sq + Dst set), ``convergence_<backend>.json``
(effective samples per CPU-second, published prior), ``sbc_<backend>.json``
(calibration check), ``batch_<backend>.json`` (stations per minute of
``bayesjoint batch``), ``xdisc_<backend>.json`` (the X-discontinuity
detector against a CNN), ``xdisc_transd_<backend>.json`` (the
trans-dimensional X method's convergence per synthetic station) and
``xdisc_kaapvaal_transd_steps_<backend>.json`` (the same on real stations),
for every backend with results.
"""

import argparse
import glob
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
README = os.path.join(os.path.dirname(HERE), "README.md")
BEGIN, END = "<!-- benchmark-table -->", "<!-- /benchmark-table -->"

FORWARD_LABELS = {
    "mt": "MT forward, 50 layers x 40 periods",
    "dst_quadratic": "Dst Q_1, 38 shells + core, 20 periods (r^-2 law)",
    "dst_constant": "Dst Q_1, 38 shells + core, 20 periods (constant law)",
    "rf_4": "Receiver function, 4-layer crust, 600 samples",
    "rf_20": "Receiver function, 20-layer crust, 600 samples",
}
RJ_MT_TARGET = 26_000
"""Chain-iterations per second on 2 cores for MT alone: half the joint target of 52,000."""
RJ_JOINT_TARGET = 52_000
"""Joint MT + Sq + Dst chain-iterations per second on the 2-core CPU (the issue's target)."""


def _time(seconds):
    return f"{seconds * 1e6:.0f} us" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def _ratio(speedup):
    return f"{speedup:.1f}x faster" if speedup >= 1 else f"{1 / speedup:.1f}x slower"


def _load(kind, backend):
    path = os.path.join(RESULTS, f"{kind}_{backend}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def forward_rows(report):
    rows = []
    for r in report["ratios"]:
        if r["mode"] != "value" or "peer" not in r:
            continue
        ratio = _ratio(r["speedup_per_model"])
        target = r.get("target")
        if target:
            verdict = "met" if target["met"] else "missed"
            ratio += (f" ({_ratio(r['speedup_per_core'])} per core); target "
                      f"{target['required_speedup']:g}x faster than the fastest compiled peer "
                      f"per core: {verdict}, {_ratio(target['achieved_speedup'])}")
        peer = r["peer"].split(" ")[0].split(".")[0]
        rows.append((FORWARD_LABELS.get(r["case"], r["case"]),
                     f"{_time(r['bayesjoint_s_per_model'])} / model (batch {r['best_batch']})",
                     f"{peer} {_time(r['peer_s_per_model'])}", ratio))
    return rows


def rjmcmc_rows(report):
    rates = [r["chain_iterations_per_s"] for r in report["results"]]
    chains = [r["n_chains"] for r in report["results"]]
    best = max(rates)
    verdict = "met" if best >= RJ_MT_TARGET else f"missed ({best / RJ_MT_TARGET:.2f}x)"
    return [(f"Reversible-jump MCMC, MT only, k <= {report['settings']['k_max']}",
             f"{min(rates):,.0f}-{best:,.0f} chain-iterations/s at {min(chains)}-{max(chains)} "
             "chains (compilation excluded)", "", f"target {RJ_MT_TARGET:,}: {verdict}")]


def sampler_rows(report):
    rows = []
    size = report["settings"].get("size", "quick" if report["settings"].get("quick") else "full")
    for data, by_sampler in report["results"].items():
        for sampler, r in by_sampler.items():
            if "wall_time_s" not in r:
                continue
            note = ""
            if data == "joint" and sampler == "rjmcmc":
                rate = r["chain_iterations_per_s"]
                verdict = "met" if rate >= RJ_JOINT_TARGET else \
                    f"missed ({rate / RJ_JOINT_TARGET:.2f}x)"
                note = f"target {RJ_JOINT_TARGET:,}: {verdict}"
            if sampler == "bayesbay" and "wall_time_s" in by_sampler.get("rjmcmc", {}):
                ratio = by_sampler["rjmcmc"]["chain_iterations_per_s"] / r["chain_iterations_per_s"]
                note = (f"same target and moves as `rjmcmc`, bayesbay's driver: `rjmcmc` "
                        f"{_ratio(ratio)}")
            rows.append((f"Sampler `{sampler}`, {data} set, {r['n_chains']} chains ({size} run)",
                         f"{r['chain_iterations_per_s']:,.0f} chain-it/s incl. compilation; "
                         f"min ESS/s {r['ess_per_s']:.2f}; max R-hat {r['max_rhat']:.2f}",
                         "", note))
    return rows


def convergence_rows(report):
    r, t = report["result"], report["targets"]

    def verdict(key):
        v = t[key]
        return ("met" if v["met"] else f"missed ({v['ratio_to_target']:.2f}x)")

    crit = r["criterion"]
    return [
        (f"Reversible-jump MCMC, joint MT + Sq + Dst, published prior, {r['n_chains']} chains "
         f"x {r['n_iterations']:,} iterations on {r['devices']} devices",
         f"{r['chain_iterations_per_cpu_s']:,.0f} chain-it per CPU-s "
         f"({r['chain_iterations_per_s']:,.0f} per s); compilation {r['compile_s']:.0f} s",
         f"C++ reference {t['chain_iterations_per_cpu_s']['reference_cpp']:,.0f} per CPU-s",
         f"target {t['chain_iterations_per_cpu_s']['target']:,.0f}: "
         f"{verdict('chain_iterations_per_cpu_s')}"),
        ("Same run: min bulk ESS (log10 sigma, 20 depths 50-1950 km) per CPU-s",
         f"{r['min_ess_per_cpu_s']:.2f} (min ESS {r['min_bulk_ess_20_depths']:.0f}, max R-hat "
         f"{r['max_rhat_20_depths']:.3f}; full criterion max R-hat {crit['rhat_max']:.3f})",
         f"C++ reference {t['min_ess_per_cpu_s']['reference_cpp']}",
         f"target {t['min_ess_per_cpu_s']['target']}: {verdict('min_ess_per_cpu_s')}"),
    ]


def sbc_rows(report):
    p = {k: v["p_value"] for k, v in report["results"].items()}
    return [(f"Simulation-based calibration, MT, k <= {report['settings']['prior']['k_max']}, "
             f"{report['settings']['replicates']} replicates",
             f"chi-square p {min(p.values()):.2f}-{max(p.values()):.2f} over "
             f"{', '.join(p)}", "", "passed (every p > 0.01)" if report["passed"] else
             "FAILED")]


def batch_rows(report):
    """Stations per minute, parallel efficiency and scheduling overhead of ``bayesjoint batch``."""
    rows = []
    for r in report["results"]:
        eff = r["parallel_efficiency"]
        overhead = r["scheduling_overhead_fraction"]
        rows.append((f"`bayesjoint batch`, {r['stations']} small Dst stations (NUTS), "
                     f"{r['workers']} worker{'s' if r['workers'] > 1 else ''}",
                     f"{r['stations_per_minute']:.2f} stations/min; parallel efficiency "
                     f"{100 * eff:.0f} %; scheduling overhead {100 * overhead:.2f} % of a "
                     f"station's time", "",
                     "targets: efficiency >= 85 % on 2 cores "
                     f"{'met' if eff >= 0.85 else 'missed'}; overhead < 1 % "
                     f"{'met' if overhead < 0.01 else 'missed'}" if r["workers"] == 2 else ""))
    return rows


def xdisc_targets(report):
    """The issue's three targets, met or missed, from the scores in ``report``.

    Accuracy: the detector's at the noise level where the CNN's accuracy is
    nearest 90 % (>= 95 %, where the CNN reaches about 90 %); Brier: the detector's test
    score below the CNN's; out of distribution: the detector's mean accuracy
    drop smaller than the CNN's.
    """
    test = {m: report["methods"][m]["splits"]["test"] for m in ("detector", "cnn")}
    by_noise = {m: test[m]["accuracy_by_noise_std"] for m in test}
    level = min(by_noise["cnn"], key=lambda v: abs(by_noise["cnn"][v] - 0.9))
    cnn_at, det = by_noise["cnn"][level], by_noise["detector"][level]
    drop = {m: sum(report["methods"][m]["accuracy_drop_test_to_ood"].values())
            / len(report["methods"][m]["accuracy_drop_test_to_ood"]) for m in test}

    def verdict(ok):
        return "met" if ok else "missed"

    return (f"targets: detector >= 95 % where the CNN is nearest 90 % ({cnn_at:.0%} at noise "
            f"{level}): {det:.0%}, {verdict(det >= 0.95)}; a better Brier "
            f"score: {verdict(test['detector']['brier'] < test['cnn']['brier'])}; less accuracy "
            f"lost out of distribution (mean drop {drop['detector']:+.3f} against "
            f"{drop['cnn']:+.3f}): {verdict(drop['detector'] < drop['cnn'])}")


def xdisc_rows(report):
    """Accuracy, AUC and Brier score of the X-discontinuity detector and the CNN, test and OOD."""
    def summary(method):
        s = report["methods"][method]["splits"]["test"]
        auc = "n/a" if s["roc_auc"] is None else f"{s['roc_auc']:.3f}"
        return f"accuracy {s['accuracy']:.3f}, AUC {auc}, Brier {s['brier']:.3f}"

    def drops(method):
        d = report["methods"][method]["accuracy_drop_test_to_ood"]
        return ", ".join(f"{k.replace('_', ' ')} {v:+.3f}" for k, v in d.items())

    t = report["timing"]
    n = report["methods"]["detector"]["splits"]["test"]["n"]
    return [(f"X-discontinuity detection, {n} synthetic receiver functions "
             f"({report['settings']['size']} run)",
             f"detector: {summary('detector')}; "
             f"{t['detector_s_per_record']['median']:.0f} s per record (median; "
             f"{report['settings']['workers']} workers on a {report['machine']['cpu_count']}-core "
             f"CPU, with the CNN's {t['cnn_training_s']:.0f} s of training beside them; the "
             f"machine may be shared)",
             f"CNN: {summary('cnn')}; training {t['cnn_training_s']:.0f} s",
             xdisc_targets(report)),
            ("Same run: accuracy drop from the test set to each out-of-distribution kind",
             f"detector: {drops('detector')}", f"CNN: {drops('cnn')}", "")]


TRANSD_TARGET_S = 600.0
"""The issue's per-station target for the trans-dimensional X method on 2 CPU cores, s."""


def xdisc_transd_rows(report):
    """The trans-dimensional X method per station: converged runs, the inversion's wall time
    (both runs and compilation; not the figure or report), worst R-hat."""
    s, t = report["summary"], report["settings"]["transd"]
    method = report["settings"].get("method", "transd")
    what = {"transd": "free layers", "transd_steps": "steps on reference Earths"}[method]
    rhat = "n/a" if s["rhat_max"] is None else f"{s['rhat_max']:.2f}"
    ok = s["converged"] == s["records"] and s["wall_s_max"] < TRANSD_TARGET_S
    levels = report["settings"].get("noise_std")
    noise = f" at noise {', '.join(f'{x:g}' for x in levels)}" if levels else ""
    return [(f"X-discontinuity, trans-dimensional method `{method}` ({what}), "
             f"{s['records']} synthetic stations{noise} ({report['settings']['size']} run)",
             f"{s['converged']} of {s['records']} converged within the {t['time_budget_s']:.0f} s "
             f"budget; inversion up to {s['wall_s_max']:.0f} s per station; worst R-hat "
             f"{rhat}", "",
             f"target: a converged run under {TRANSD_TARGET_S / 60:.0f} minutes per station: "
             f"{'met' if ok else 'missed'}")]


def xdisc_kaapvaal_rows(report):
    """The trans-dimensional X method on real stations: converged runs, wall time, and the
    decisions it shares with the model comparison of the same run."""
    s, t = report["summary"], report["settings"]
    method = t["method"]
    rows = report["stations"]
    worst = max((r["rhat_max"] for r in rows if r["rhat_max"] is not None), default=None)
    rhat = "n/a" if worst is None else f"{worst:.2f}"
    ok = s["converged"] == s["stations"] and s["wall_s_max"] < TRANSD_TARGET_S
    return [(f"X-discontinuity, `{method}` on {s['stations']} real Kaapvaal stations "
             f"({', '.join(t['stations'])}; {t['size']} run)",
             f"{s['converged']} of {s['stations']} converged within the "
             f"{t['transd']['time_budget_s']:.0f} s budget; up to {s['wall_s_max']:.0f} s per "
             f"station; worst R-hat {rhat}",
             f"model comparison, same stacks: the same decision at {s['same_decision']} of "
             f"{s['stations']} (an unconverged run is undecided)",
             f"target: a converged run under {TRANSD_TARGET_S / 60:.0f} minutes per station: "
             f"{'met' if ok else 'missed'}")]


def table():
    lines = []
    backends = sorted({re.sub(r"^\w+?_(\w+)\.json$", r"\1", os.path.basename(p))
                       for p in glob.glob(os.path.join(RESULTS, "forward_*.json"))})
    for backend in backends:
        forward = _load("forward", backend)
        rj = _load("rjmcmc_mt", backend)
        samplers = _load("samplers", backend)
        m, v = forward["machine"], forward["versions"]
        lines += [f"**{backend.upper()}**: {m['platform']}, {m['cpu_count']} cores, devices "
                  f"{', '.join(m['devices'])}; Python {v['python']}, JAX {v['jax']}.", "",
                  "| what | bayesjoint | peer (same run) | ratio / target |",
                  "| --- | --- | --- | --- |"]
        rows = forward_rows(forward)
        rows += rjmcmc_rows(rj) if rj else []
        rows += sampler_rows(samplers) if samplers else []
        conv = _load("convergence", backend)
        rows += convergence_rows(conv) if conv else []
        sbc = _load("sbc", backend)
        rows += sbc_rows(sbc) if sbc else []
        batch = _load("batch", backend)
        rows += batch_rows(batch) if batch else []
        xdisc = _load("xdisc", backend)
        rows += xdisc_rows(xdisc) if xdisc else []
        for name in ("xdisc_transd_steps", "xdisc_transd"):
            transd = _load(name, backend)
            rows += xdisc_transd_rows(transd) if transd else []
        kaapvaal = _load("xdisc_kaapvaal_transd_steps", backend)
        rows += xdisc_kaapvaal_rows(kaapvaal) if kaapvaal else []
        lines += [f"| {' | '.join(row)} |" for row in rows]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def replace_in_readme(text, block):
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + block + text[stop:]


def readme_block(text):
    """The table now in the README, between the markers."""
    return text[text.index(BEGIN) + len(BEGIN): text.index(END)].lstrip("\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the table in README.md")
    args = parser.parse_args(argv)
    block = table()
    if args.write:
        with open(README) as f:
            text = f.read()
        with open(README, "w") as f:
            f.write(replace_in_readme(text, block))
    else:
        print(block, end="")


if __name__ == "__main__":
    main()
