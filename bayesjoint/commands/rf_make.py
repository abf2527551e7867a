"""``bayesjoint rf make``: P receiver functions of one station from its event records.

Writes into ``--out``:

``rf.csv``
    The stacks, ``time_s,rf_0,rf_1,...`` (one column per bin), the form
    :func:`bayesjoint.io.seismic_files.read_rf_csv` reads.
``rf_std.csv``
    The standard error of each stack at every sample (the variance pooled
    over ``--error-window-s``), same header.
``rf_make.json``
    Ray parameter of each column (s/km), ``gauss_rad_s``, ``dt_s``,
    ``shift_s``, normalisation, the settings, the bins, the records kept and
    rejected (counted by reason), and a ``[[data]]`` table for a run
    configuration (``data_table``; its ``std`` is the RMS standard error of
    each column, and ``wrap_free = true``: the stacks are windows of longer
    receiver functions).
``records.csv``
    One row per record: name, ray parameter, back-azimuth, SNR, fit,
    status, reason, bin.
``rf_make.png``
    The receiver function of every record and the stacks.
"""

import argparse
import json
import math

from bayesjoint.commands.output import write_columns
from bayesjoint.io.rf_make import BIN_MODES, METHODS, ROTATIONS, RFSettings

DEFAULTS = RFSettings()
"""The defaults of the options."""


def bins_argument(text):
    """argparse type of ``--bins``: a count, comma-separated edges in s/km, ``moveout`` or
    ``piercing``."""
    text = text.strip()
    if text in BIN_MODES:
        return text
    try:
        if "," not in text:
            n = int(text)
            if n < 1:
                raise ValueError
            return n
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected a number of bins (e.g. 3), increasing edges in s/km "
            "(e.g. 0.04,0.06,0.08), 'moveout' or 'piercing'") from None


def add_parsers(subparsers):
    p = subparsers.add_parser(
        "make", help="P receiver functions of one station from three-component records",
        description="Detrend, band-pass, rotate, deconvolve, check and stack teleseismic P "
                    "records of one station into receiver functions (radial over vertical, "
                    "unit-peak Gaussian). Needs obspy and rf: pip install bayesjoint[seismic].")
    p.add_argument("--records", required=True, nargs="+",
                   help="an npz file (with --meta), or SAC/miniSEED files or glob patterns")
    p.add_argument("--meta", help="metadata CSV of an npz file, one row per record")
    p.add_argument("--events", help="QuakeML catalogue for files without SAC event headers")
    p.add_argument("--inventory", help="StationXML for files without SAC station headers")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--station", help="station code to process (required with several)")
    p.add_argument("--gauss-rad-s", type=float, default=DEFAULTS.gauss_rad_s,
                   help="Gaussian parameter a in rad/s, G = exp(-omega^2 / (4 a^2)) "
                        f"(default {DEFAULTS.gauss_rad_s:g})")
    p.add_argument("--dt-s", type=float, default=DEFAULTS.dt_s,
                   help=f"sample interval of the output, s (default {DEFAULTS.dt_s:g})")
    p.add_argument("--shift-s", type=float, default=DEFAULTS.shift_s,
                   help=f"time kept before the direct P, s (default {DEFAULTS.shift_s:g})")
    p.add_argument("--length-s", type=float, default=DEFAULTS.length_s,
                   help=f"time kept after the direct P, s (default {DEFAULTS.length_s:g})")
    p.add_argument("--method", choices=METHODS, default=DEFAULTS.method,
                   help="time-domain iterative (Ligorria & Ammon 1999, default) or "
                        "frequency-domain water-level deconvolution")
    p.add_argument("--rotation", choices=ROTATIONS, default=DEFAULTS.rotation,
                   help="R/Z (default) or Q/L")
    p.add_argument("--bins", type=bins_argument, default=DEFAULTS.bins,
                   help="ray-parameter bins: a number of equal-width bins "
                        f"(default {DEFAULTS.bins}), "
                        "edges in s/km (0.04,0.06,0.08), 'moveout' (one stack after a Ps "
                        "moveout correction to the mean ray parameter) or 'piercing' (after "
                        "that correction, one stack per back-azimuth sector of the Ps "
                        "conversion points at --piercing-depth-km)")
    p.add_argument("--freqmin-hz", type=float, default=DEFAULTS.freqmin_hz,
                   help=f"band-pass low corner, Hz (default {DEFAULTS.freqmin_hz:g})")
    p.add_argument("--freqmax-hz", type=float, default=DEFAULTS.freqmax_hz,
                   help=f"band-pass high corner, Hz (default {DEFAULTS.freqmax_hz:g})")
    p.add_argument("--water-level", type=float, default=DEFAULTS.water_level,
                   help="water level, fraction of the maximum source power "
                        f"(default {DEFAULTS.water_level:g})")
    p.add_argument("--snr-min", type=float, default=DEFAULTS.snr_min,
                   help="reject records whose SNR on Z (or L) is lower "
                        f"(default {DEFAULTS.snr_min:g})")
    p.add_argument("--max-iterations", type=int, default=DEFAULTS.max_iterations,
                   help="spikes of the iterative deconvolution at most "
                        f"(default {DEFAULTS.max_iterations})")
    p.add_argument("--fit-min-percent", type=float, default=DEFAULTS.fit_min_percent,
                   help="reject iterative deconvolutions that fit less, %% "
                        f"(default {DEFAULTS.fit_min_percent:g})")
    p.add_argument("--outlier-mad", type=float, default=DEFAULTS.outlier_mad,
                   help="reject records farther from the median receiver function than this "
                        f"many scaled MADs (default {DEFAULTS.outlier_mad:g}; inf keeps all)")
    p.add_argument("--piercing-depth-km", type=float, default=DEFAULTS.piercing_depth_km,
                   help="with --bins piercing: the conversion depth of the piercing points, km "
                        f"(default {DEFAULTS.piercing_depth_km:g})")
    p.add_argument("--piercing-sectors", type=int, default=DEFAULTS.piercing_sectors,
                   help="with --bins piercing: equal back-azimuth sectors of the piercing "
                        f"points, the first from north (default {DEFAULTS.piercing_sectors})")
    p.add_argument("--error-window-s", type=float, default=DEFAULTS.error_window_s,
                   help="average the records' variance about the stack over a running window "
                        "of this many seconds before the standard error is taken (default "
                        f"{DEFAULTS.error_window_s:g}; 0: sample by sample)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the files of an earlier rf make in the output folder")
    p.set_defaults(func=run)


OUTPUT_FILES = ("rf.csv", "rf_std.csv", "rf_make.json", "records.csv", "rf_make.png")
"""Files that ``bayesjoint rf make`` writes."""


def _check_out(out, overwrite):
    """Refuse an output folder holding other files, or these without ``--overwrite``."""
    if not out.exists():
        return
    if not out.is_dir():
        raise ValueError(f"--out {out}: exists and is not a folder")
    present = sorted(p.name for p in out.iterdir())
    others = [n for n in present if n not in OUTPUT_FILES]
    if others or (present and not overwrite):
        raise ValueError(f"--out {out}: not empty ({', '.join(present[:4])}"
                         f"{', ...' if len(present) > 4 else ''}); choose another folder"
                         + ("" if others else " or pass --overwrite"))


def run(args):
    """Make the receiver functions; ``ValueError``/``ImportError`` (exit code 2) on bad input."""
    from pathlib import Path

    import numpy as np

    from bayesjoint.io.rf_make import make_receiver_functions, seismic_libraries
    from bayesjoint.io.rf_records import read_npz_records, read_stream_records

    seismic_libraries()
    out = Path(args.out)
    _check_out(out, args.overwrite)
    settings = RFSettings(
        gauss_rad_s=args.gauss_rad_s, dt_s=args.dt_s, shift_s=args.shift_s,
        length_s=args.length_s, method=args.method, rotation=args.rotation,
        freqmin_hz=args.freqmin_hz, freqmax_hz=args.freqmax_hz, water_level=args.water_level,
        max_iterations=args.max_iterations, snr_min=args.snr_min,
        fit_min_percent=args.fit_min_percent,
        outlier_mad=args.outlier_mad, bins=args.bins, error_window_s=args.error_window_s,
        piercing_depth_km=args.piercing_depth_km, piercing_sectors=args.piercing_sectors)
    try:
        settings.check()
    except ValueError as err:
        raise ValueError(f"options: {err}") from None
    npz = [r for r in args.records if r.lower().endswith(".npz")]
    if npz:
        if args.events is not None or args.inventory is not None:
            raise ValueError("--events, --inventory: only for SAC and miniSEED records; the "
                             "metadata of an npz file are in --meta")
        if len(args.records) != 1 or args.meta is None:
            raise ValueError("--records: an npz file goes alone, with its metadata CSV in "
                             "--meta")
        records = read_npz_records(npz[0], args.meta)
    else:
        if args.meta is not None:
            raise ValueError("--meta: only for an npz file; SAC and miniSEED records carry "
                             "their metadata in headers or --events/--inventory")
        records = read_stream_records(args.records, events=args.events,
                                      inventory=args.inventory)
    result = make_receiver_functions(records, settings, station=args.station)
    out.mkdir(parents=True, exist_ok=True)
    data = result.data
    cols = [f"rf_{i}" for i in range(data.n_traces)]
    write_columns({"time_s": result.time_s, **dict(zip(cols, data.rf))}, out / "rf.csv")
    write_columns({"time_s": result.time_s, **dict(zip(cols, data.rf_std))}, out / "rf_std.csv")
    p = [float(v) for v in data.ray_parameter_s_km]
    std = [float(math.sqrt(np.mean(s ** 2))) for s in data.rf_std]
    summary = {
        "station": data.name, "ray_parameter_s_km": p, "gauss_rad_s": settings.gauss_rad_s,
        "dt_s": settings.dt_s, "shift_s": settings.shift_s, "npts": settings.npts,
        "normalize": "peak", "rf_file": "rf.csv", "rf_std_file": "rf_std.csv",
        "rms_standard_error": std, "bins": result.bins,
        "n_records": len(result.records),
        "n_used": sum(r["status"] == "used" for r in result.records),
        "rejected": result.rejected_counts(),
        "settings": {k: _json_value(v) for k, v in vars(settings).items()},
        "data_table": {"type": "rf", "name": data.name, "file": str((out / "rf.csv").resolve()),
                       "ray_parameter_s_km": p, "gauss_rad_s": settings.gauss_rad_s,
                       "std": std, "normalize": "peak", "wrap_free": True},
    }
    (out / "rf_make.json").write_text(json.dumps(summary, indent=2, allow_nan=False) + "\n")
    _write_records(result.records, out / "records.csv")
    from bayesjoint.plotting.rf_make import plot_rf_make

    used = np.array([r["status"] == "used" for r in result.records])
    fig = plot_rf_make(result.time_s, result.traces,
                       np.array([r["ray_parameter_s_km"] for r in result.records]), used,
                       data.rf, data.rf_std, data.ray_parameter_s_km,
                       title=f"{data.name}: {settings.method}, {settings.rotation.upper()}, "
                             f"a = {settings.gauss_rad_s:g} rad/s")
    fig.savefig(out / "rf_make.png", dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    rejected = ", ".join(f"{k} {v}" for k, v in summary["rejected"].items()) or "none"
    print(f"{data.name}: {summary['n_used']} of {summary['n_records']} records used "
          f"(rejected: {rejected}); {data.n_traces} stack(s) at ray parameters "
          f"{', '.join(f'{v:.4f}' for v in p)} s/km")
    print(f"wrote {', '.join(OUTPUT_FILES)} to {out}")
    return 0


def _json_value(value):
    """A setting as JSON: tuples as lists, an infinite threshold as the text ``inf``."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _write_records(rows, path):
    """``records.csv``: one row per record."""
    import csv

    keys = ("name", "ray_parameter_s_km", "back_azimuth_deg", "snr", "fit_percent", "status",
            "reason", "bin")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(keys)
        for r in rows:
            w.writerow(["" if r[k] is None else (f"{r[k]:.6g}" if isinstance(r[k], float)
                                                  else r[k]) for k in keys])
