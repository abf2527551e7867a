"""The trans-dimensional X-discontinuity methods per station: time and convergence.

The issue's target for a trans-dimensional run of ``bayesjoint xdisc`` is
one station under 10 minutes on 2 CPU cores. A run always stops within its
time budget (480 s by default), so what is measured is whether it has
*converged* by then (the project's criterion: R-hat <= 1.01, bulk and tail
ESS >= 400 on every quantity the method judges itself on), with its wall
time, iterations and answer. ``--method transd_steps`` (default: steps on
reference Earths, :class:`~bayesjoint.samplers.xdisc_settings.StepsSettings`,
which stops as soon as it has converged) or ``--method transd`` (a free
layered Earth, :class:`~bayesjoint.samplers.xdisc_settings.TransdSettings`).

Records: those of ``benchmarks/xdisc.py`` (same seed, so the same records
the detector and the CNN are scored on), from its test split at each
level of ``--noise-std`` (default the lowest, where the answer is
clearest): the first record with an X of at least 3 % and the first
without an X, then alternately the next of each, ``--records`` per level.
Each record is inverted with the default
settings (or ``--time-budget-s``), its chains one per CPU core (as
``bayesjoint xdisc --method transd`` runs them), one record after the
other. The model comparison's ``p_x`` on the same record is copied from
``--detector-json`` when that file holds it.

Usage::

    python benchmarks/xdisc_transd.py                  # transd_steps, 2 records
    python benchmarks/xdisc_transd.py --method transd  # the layered method
    python benchmarks/xdisc_transd.py --records 6 --noise-std 0.0025,0.01
    python benchmarks/xdisc_transd.py --quick --out /tmp/t.json   # tiny settings, seconds

The default output is ``benchmarks/results/xdisc_<method>_cpu.json``.
"""

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

QUICK = {"transd": {"k_max": 5, "n_chains": 2, "n_temperatures": 1, "n_iterations": 2000,
                    "n_burn": 100, "thin": 10, "chunk_size": 100, "prior_iterations": 300,
                    "prior_chains": 4, "time_budget_s": 60.0},
         "transd_steps": {"n_chains": 2, "n_temperatures": 3, "n_iterations": 2000,
                          "n_burn": 1000, "thin": 5, "chunk_size": 500, "n_pilot": 1000,
                          "n_importance": 20, "time_budget_s": 60.0}}
"""Settings of ``--quick`` per method (every step at a tiny size)."""

MIN_X_JUMP = 0.03
"""Smallest jump of the records with an X that are picked (a clear case)."""


def pick_records(records, ids, n, min_x_jump=MIN_X_JUMP, noise_std=None):
    """Indices of ``n`` test records at the noise level ``noise_std`` (default the lowest):
    alternately one with an X of at least ``min_x_jump`` and one without, in the order of
    the split."""
    test = records["split"] == "test"
    level = records["noise_std"][test].min() if noise_std is None else noise_std
    low = np.isclose(records["noise_std"], level, rtol=1e-9, atol=0.0)
    with_x = [i for i in range(len(ids))
              if test[i] and low[i] and records["label"][i] == 1
              and records["x_jump"][i] >= min_x_jump]
    without = [i for i in range(len(ids)) if test[i] and low[i] and records["label"][i] == 0]
    out = []
    for a, b in zip(with_x, without):
        out += [a, b]
    if len(out) < n:
        raise ValueError(f"--records {n}: the test split holds only {len(out)} such records "
                         f"at noise {level:g}")
    return out[:n]


def invert(data, settings, method):
    """One station's trans-dimensional run; the result and the fields of its report row.

    ``method``: ``"transd_steps"`` or ``"transd"``, with ``settings`` of
    its kind. Wall and CPU time include the compilation.
    """
    from bayesjoint.samplers import xdisc_steps_inversion, xdisc_transd

    t0 = time.perf_counter()
    cpu0 = time.process_time()
    if method == "transd_steps":
        result = xdisc_steps_inversion.invert_steps(data, settings)[0]
        extra = {key: result[key] for key in ("p_x_interval", "p_x_draws",
                                              "p_x_draws_linearised", "prior_p_x_draws",
                                              "reference_probability", "depth_410_km",
                                              "depth_660_km")}
        extra["importance_ess_fraction"] = result["importance"]["ess_fraction"]
        extra["seconds_by_stage"] = result["sampler"]["seconds_by_stage"]
        extra["n_steps_posterior"] = result["sampler"]["n_steps_posterior"]
    else:
        result = xdisc_transd.invert_transd(data, settings)[0]
        # this method gives p_x with its Monte Carlo error; its interval, as transd_steps's,
        # is two errors either side
        error = result["p_x_mc_error"]
        extra = {"p_x_mc_error": error,
                 "p_x_interval": [max(0.0, result["p_x"] - 2 * error),
                                  min(1.0, result["p_x"] + 2 * error)]}
    row = {"converged": result["converged"], "verdict": result["verdict"],
           "rhat_max": result["convergence"]["rhat_max"],
           "ess_bulk_min": result["convergence"]["ess_bulk_min"],
           "ess_tail_min": result["convergence"]["ess_tail_min"],
           "worst": result["convergence"]["worst"],
           "p_x": result["p_x"], "prior_p_x": result["prior_p_x"],
           "iterations_per_chain": result["sampler"]["iterations"],
           "stop_reason": result["sampler"]["stop_reason"],
           "swap_acceptance": result["sampler"]["swap_acceptance"],
           "acceptance_T1": result["sampler"]["acceptance_T1"],
           "wall_s": round(time.perf_counter() - t0, 1),
           "cpu_s": round(time.process_time() - cpu0, 1), **extra}
    return result, row


def main(argv=None):
    """Invert the picked records and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=("transd_steps", "transd"), default="transd_steps",
                        help="the trans-dimensional method (default transd_steps)")
    parser.add_argument("--records", type=int, default=2,
                        help="records to invert per noise level (default 2)")
    parser.add_argument("--noise-std", type=lambda t: [float(v) for v in t.split(",")],
                        help="noise levels of the records, comma-separated (default the "
                             "lowest of the test split)")
    parser.add_argument("--time-budget-s", type=float,
                        help="wall time of each record's runs (default that of TransdSettings)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data set")
    parser.add_argument("--quick", action="store_true", help="tiny settings and data set")
    parser.add_argument("--detector-json", default=os.path.join(HERE, "results",
                                                                "xdisc_cpu.json"),
                        help="xdisc.py's report, for the model comparison's p_x on the same "
                             "records")
    parser.add_argument("--out", help="output JSON (default "
                                      "benchmarks/results/xdisc_<method>_cpu.json)")
    args = parser.parse_args(argv)
    args.out = args.out or os.path.join(HERE, "results", f"xdisc_{args.method}_cpu.json")
    if args.records < 1:
        parser.error(f"--records {args.records}: must be >= 1")

    from bayesjoint.samplers.nuts import set_host_device_count
    from bayesjoint.samplers.xdisc_settings import StepsSettings, TransdSettings

    cls = StepsSettings if args.method == "transd_steps" else TransdSettings
    settings = cls(**(QUICK[args.method] if args.quick else {}))
    if args.time_budget_s is not None:
        settings = dataclasses.replace(settings, time_budget_s=args.time_budget_s)
    devices = max(1, min(settings.n_chains, os.cpu_count() or 1))
    set_host_device_count(devices)  # before JAX computes anything

    from bayesjoint.samplers import xdisc_steps_inversion, xdisc_transd

    sys.path.insert(0, HERE)
    import xdisc

    if args.method == "transd_steps":
        xdisc_steps_inversion.check_settings(settings)
    else:
        xdisc_transd.check_settings(settings)
    # The whole data set (its training split too) is built, as xdisc.py builds it, so that
    # the random draws and hence the test records are exactly those of that benchmark.
    load_start = [round(x, 2) for x in os.getloadavg()]
    data = xdisc.build_dataset(args.seed, xdisc.SIZES["quick" if args.quick else "full"])
    ids, records = xdisc.evaluation_records(data)
    detector = {}
    if Path(args.detector_json).is_file() and not args.quick:
        report = json.loads(Path(args.detector_json).read_text())
        same = (report["settings"]["seed"] == args.seed
                and report["settings"]["size"] == "full"
                and report["settings"]["noise_std"] == list(xdisc.NOISE_STD))
        if same:
            predictions = report["predictions"]
            detector = {name: predictions["detector"][k] for name, k in
                        xdisc.same_records(predictions, records, ids).items()}
    rows = []
    min_jump = 0.0 if args.quick else MIN_X_JUMP
    picked = [i for level in (args.noise_std or [None])
              for i in pick_records(records, ids, args.records, min_jump, level)]
    for i in picked:
        rows.append({
            "id": ids[i], "label": int(records["label"][i]),
            "x_jump": float(records["x_jump"][i]), "noise_std": float(records["noise_std"][i]),
            "reference": xdisc.REFERENCES[int(records["reference"][i])],
            **invert(xdisc.rf_data(records, i), settings, args.method)[1],
            "model_comparison_p_x": detector.get(ids[i])})
        print(json.dumps(rows[-1]), flush=True)
    report = {
        "benchmark": "xdisc_transd",
        "machine": xdisc.machine(),
        "versions": xdisc.versions(),
        "load_average": {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()],
                         "note": "1, 5 and 15 min; the machine may be shared"},
        "settings": {"method": args.method, "size": "quick" if args.quick else "full",
                     "seed": args.seed, "records": len(picked), "min_x_jump": min_jump,
                     "noise_std": sorted({float(records["noise_std"][i]) for i in picked}),
                     "transd": {k: (list(v) if isinstance(v, tuple) else v)
                                for k, v in dataclasses.asdict(settings).items()}},
        "summary": {"converged": sum(r["converged"] for r in rows), "records": len(rows),
                    "wall_s_max": max(r["wall_s"] for r in rows),
                    "rhat_max": max((r["rhat_max"] for r in rows if r["rhat_max"] is not None),
                                    default=None)},
        "records": rows,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
