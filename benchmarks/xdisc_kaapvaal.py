"""The X-discontinuity methods on real stations: Kaapvaal (network XA, 1997).

For each station of ``--stations``, its receiver functions are made as
notebook 04 makes them (``bayesjoint rf make`` defaults, one
moveout-corrected stack, from the records in ``notebooks/data``; see
notebooks/data/README.md for their provenance), taken every fifth sample
(0.5 s, ``bayesjoint xdisc --dt-s 0.5``) with the noise correlation of
Gaussian-filtered noise (as ``--from-rf-make`` sets it), and given to

* the trans-dimensional method ``--method`` (default ``transd_steps``,
  default settings, its chains one per CPU core): convergence, wall time,
  iterations, ``p_x`` and the posterior of the number of steps;
* the model comparison (:class:`~bayesjoint.samplers.xdisc_settings.ComparisonSettings`
  defaults, notebook 04's settings): ``p_x`` and wall time;

and both get the decision of :func:`~bayesjoint.samplers.xdisc_decision.decision`
from the stack's record count (an unconverged trans-dimensional run is
undecided). Stations run one after the other.

By default it runs every station whose stack holds the 10 records a
decision needs (:data:`~bayesjoint.samplers.xdisc_decision.MIN_EVENTS`):
the stations notebook 04 can decide.

Usage::

    python benchmarks/xdisc_kaapvaal.py                           # every decidable station
    python benchmarks/xdisc_kaapvaal.py --stations SA37 --out /tmp/k.json
    python benchmarks/xdisc_kaapvaal.py --quick --stations SA70   # tiny settings, seconds

The default output is ``benchmarks/results/xdisc_kaapvaal_<method>_cpu.json``.
"""

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = Path(HERE).parent / "notebooks" / "data"
NPZ = DATA / "kaapvaal_xa1997_p_zne_10hz.npz"
META = DATA / "kaapvaal_xa1997_p_zne_10hz_meta.csv"

DETECTOR_DT_S = 0.5
"""Sample interval the detectors take, s (notebook 04's)."""

QUICK_COMPARISON = {"layer_km": 20.0, "n_betas": 3, "n_chains": 2, "n_iterations": 30,
                    "n_burn": 15}
"""Model-comparison settings of ``--quick`` (notebook 04's small size)."""


def station_data(records, name):
    """Receiver functions of station ``name`` for the detectors and the records behind them.

    Returns ``(RFData, n_used)``: notebook 04's stack at :data:`DETECTOR_DT_S`,
    with the exponential noise correlation of length ``1 / gauss_rad_s``.
    """
    from bayesjoint.io.rf_make import (RFSettings, make_receiver_functions,
                                       with_stack_noise_correlation)

    made = make_receiver_functions(records, RFSettings(bins="moveout"), station=name)
    n_used = sum(r["status"] == "used" for r in made.records)
    data = with_stack_noise_correlation(dataclasses.replace(made.data, name=name))
    return data.decimated(DETECTOR_DT_S), n_used


def main(argv=None):
    """Run both methods on every station and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=("transd_steps", "transd"), default="transd_steps",
                        help="the trans-dimensional method (default transd_steps)")
    parser.add_argument("--stations", type=lambda t: t.split(","),
                        help="comma-separated station codes (default: every station with the "
                             "records a decision needs)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny settings of both methods (a smoke test)")
    parser.add_argument("--out", help="output JSON (default "
                                      "benchmarks/results/xdisc_kaapvaal_<method>_cpu.json)")
    args = parser.parse_args(argv)
    out = Path(args.out or os.path.join(HERE, "results",
                                        f"xdisc_kaapvaal_{args.method}_cpu.json"))

    from bayesjoint.samplers.nuts import set_host_device_count
    from bayesjoint.samplers.xdisc_settings import (ComparisonSettings, StepsSettings,
                                                    TransdSettings)

    sys.path.insert(0, HERE)
    import xdisc_transd

    cls = StepsSettings if args.method == "transd_steps" else TransdSettings
    settings = cls(**(xdisc_transd.QUICK[args.method] if args.quick else {}))
    comparison = ComparisonSettings(**(QUICK_COMPARISON if args.quick else {}))
    set_host_device_count(max(1, min(settings.n_chains, os.cpu_count() or 1)))

    import xdisc  # imports JAX: after the device count

    from bayesjoint.io.rf_records import read_npz_records
    from bayesjoint.samplers.xdisc_comparison import compare
    from bayesjoint.samplers.xdisc_decision import MIN_EVENTS, decision

    load_start = [round(x, 2) for x in os.getloadavg()]
    records = read_npz_records(NPZ, META)
    stations = {}
    for name in args.stations or sorted({r.station for r in records}):
        try:
            stations[name] = station_data(records, name)
        except ValueError:  # fewer than 2 usable records: no stack
            if args.stations:
                raise
    if not args.stations:
        stations = {k: v for k, v in stations.items() if v[1] >= MIN_EVENTS}
    rows = []
    for name, (data, n_used) in stations.items():
        t0 = time.perf_counter()
        mc = compare(data, comparison)[0]
        mc_wall_s = round(time.perf_counter() - t0, 1)
        result, row = xdisc_transd.invert(data, settings, args.method)
        rows.append({"station": name, "n_used": n_used, "npts": data.npts,
                     "dt_s": data.dt_s, **row,
                     "decision": decision(result, n_used, MIN_EVENTS)["decision"],
                     "model_comparison": {"p_x": mc["p_x"], "p_x_interval": mc["p_x_interval"],
                                          "decision": decision(mc, n_used,
                                                               MIN_EVENTS)["decision"],
                                          "wall_s": mc_wall_s}})
        print(json.dumps(rows[-1]), flush=True)
    report = {
        "benchmark": "xdisc_kaapvaal",
        "machine": xdisc.machine(),
        "versions": xdisc.versions(),
        "load_average": {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()],
                         "note": "1, 5 and 15 min; the machine may be shared"},
        "settings": {"method": args.method, "size": "quick" if args.quick else "full",
                     "stations": list(stations),
                     "stations_chosen": "given" if args.stations else
                                        f"every station with >= {MIN_EVENTS} records",
                     "dt_s": DETECTOR_DT_S,
                     "min_events": MIN_EVENTS, "data": NPZ.name,
                     "transd": {k: (list(v) if isinstance(v, tuple) else v)
                                for k, v in dataclasses.asdict(settings).items()},
                     "model_comparison": {k: (list(v) if isinstance(v, tuple) else v)
                                          for k, v in dataclasses.asdict(comparison).items()}},
        "summary": {"converged": sum(r["converged"] for r in rows), "stations": len(rows),
                    "wall_s_max": max(r["wall_s"] for r in rows),
                    "same_decision": sum(r["decision"] == r["model_comparison"]["decision"]
                                         for r in rows)},
        "stations": rows,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
