"""``bayesjoint xdisc``: is there an X-discontinuity beneath a station?

Reads one station's P receiver functions (a CSV of the forms of
:func:`bayesjoint.io.seismic_files.read_rf_csv`, the output folder of
``bayesjoint rf make``, or the ``type = "rf"`` ``[[data]]`` table of a run
configuration, read as ``bayesjoint run`` reads it), compares a reference
upper mantle with and without an X by their evidences
(:mod:`bayesjoint.samplers.xdisc_comparison`) and writes ``xdisc.json`` into
``--out``: ``p_x``, ``bayes_factor``, the method, the 410 and 660 depths and
the transition-zone thickness, the posterior of every parameter, and the
``decision`` (``x``, ``no_x`` or ``undecided``) with its ``reason`` and
``n_events``, the usable records behind the stacks (from ``rf_make.json``;
None when unknown), as :func:`bayesjoint.samplers.xdisc_decision.decision`
gives them.
"""

import argparse

OUTPUT_FILES = ("xdisc.json", "xdisc.png")
"""Files that ``bayesjoint xdisc`` writes."""

PRE_P_MIN_SAMPLES = 10
"""Samples before the direct P needed to estimate ``--std`` when it is not given."""


def _floats(text):
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected comma-separated numbers") from None
    return values


def add_parser(subparsers):
    from bayesjoint.model.xdisc_prior import DEFAULT_BOUNDS
    from bayesjoint.physics.reference import MODELS
    from bayesjoint.samplers.evidence import METHODS
    from bayesjoint.samplers.xdisc_decision import MIN_EVENTS
    from bayesjoint.samplers.xdisc_settings import FORWARDS, ComparisonSettings

    d = ComparisonSettings()
    lo, hi = DEFAULT_BOUNDS["depth_x_km"]
    p = subparsers.add_parser(
        "xdisc", help="posterior probability of an X-discontinuity beneath one station",
        description=f"Compare a reference upper mantle (free 410 and 660 depths and jumps, "
                    f"free noise scale) with and without an X (a positive Vs jump of at "
                    f"least 1 % between {lo:g} and {hi:g} km) by their evidences from a "
                    f"tempering ladder; write xdisc.json.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--rf", help="CSV with header time_s,rf or time_s,rf_0,rf_1,...")
    src.add_argument("--from-rf-make", metavar="DIR",
                     help="output folder of 'bayesjoint rf make' (rf.csv, rf_std.csv, "
                          "rf_make.json)")
    src.add_argument("--config", metavar="RUN.toml",
                     help="run configuration whose [[data]] table of type rf holds the receiver "
                          "functions (choose one of several with --dataset)")
    p.add_argument("--dataset", metavar="NAME",
                   help="with --config: the name of the rf [[data]] table to use")
    p.add_argument("--ray-parameter-s-km", type=_floats,
                   help="ray parameter of each column of --rf, s/km, comma-separated")
    p.add_argument("--gauss-rad-s", type=float,
                   help="Gaussian parameter a of --rf in rad/s, G = exp(-omega^2 / (4 a^2))")
    p.add_argument("--std", type=float,
                   help="noise standard deviation of --rf (default: the RMS before the "
                        "direct P)")
    p.add_argument("--correlation-s", type=float,
                   help="noise correlation length, s (exponential law; default: white noise "
                        "for --rf and --config, 1 / gauss-rad-s for --from-rf-make, whose "
                        "stacks carry Gaussian-filtered noise)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--reference", choices=sorted(MODELS), default=d.reference,
                   help=f"reference Earth of both models (default {d.reference})")
    p.add_argument("--evidence", choices=METHODS, default=d.evidence,
                   help=f"evidence estimator (default {d.evidence})")
    p.add_argument("--forward", choices=FORWARDS, default=d.forward,
                   help=f"forward model of the samplers (default {d.forward}: linearised at the "
                        "posterior median and corrected to the exact forward by importance "
                        "sampling; exact: about 100 times slower)")
    p.add_argument("--prior-odds", type=float, default=d.prior_odds,
                   help=f"prior odds P(X) / P(no X) (default {d.prior_odds:g}: P(X) = 1/2)")
    p.add_argument("--window-start-s", type=float, default=d.window_s[0],
                   help="first time after the direct P that enters the likelihood, s "
                        f"(default {d.window_s[0]:g}: after the crust's reverberations)")
    p.add_argument("--n-betas", type=int, default=d.n_betas,
                   help=f"rungs of the tempering ladder (default {d.n_betas})")
    p.add_argument("--n-chains", type=int, default=d.n_chains,
                   help=f"chains per model (default {d.n_chains})")
    p.add_argument("--n-iterations", type=int, default=d.n_iterations,
                   help=f"iterations per chain, burn-in included (default {d.n_iterations})")
    p.add_argument("--n-burn", type=int, default=d.n_burn,
                   help=f"adapting iterations not kept (default {d.n_burn})")
    p.add_argument("--seed", type=int, default=d.seed, help="random seed")
    p.add_argument("--min-events", type=int, default=MIN_EVENTS,
                   help="usable records a station needs for a decision; with fewer it is "
                        f"'undecided' (default {MIN_EVENTS})")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the xdisc.json of an earlier run in the output folder")
    p.set_defaults(func=run)


def _from_rf_make(folder):
    """Receiver functions with their per-sample standard errors, and the number of usable
    records behind them (``n_used``, None when absent), from ``rf make``."""
    import json
    from pathlib import Path

    import numpy as np

    from bayesjoint.io.seismic_files import read_rf_csv

    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"--from-rf-make {folder}: no such folder")
    summary_path = folder / "rf_make.json"
    try:
        summary = json.loads(summary_path.read_text())
        p, gauss = summary["ray_parameter_s_km"], summary["gauss_rad_s"]
    except OSError:
        raise ValueError(f"{summary_path}: missing; --from-rf-make takes the output folder of "
                         "'bayesjoint rf make'") from None
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"{summary_path}: not the summary of 'bayesjoint rf make' ({err})") \
            from None
    std = read_rf_csv(folder / summary.get("rf_std_file", "rf_std.csv"), ray_parameter_s_km=p,
                      gauss_rad_s=gauss, std=1.0).rf
    if np.any(std <= 0):
        std = np.maximum(std, np.max(std) * 1e-3)  # single-record bins have a zero error
    data = read_rf_csv(folder / summary.get("rf_file", "rf.csv"), ray_parameter_s_km=p,
                       gauss_rad_s=gauss, std=std, name=summary.get("station"))
    return data, _n_used(summary, summary_path)


def _from_config(path, dataset):
    """The receiver functions of the ``type = "rf"`` table of a run configuration, and the
    usable records behind them when its file is the ``rf.csv`` of ``rf make`` (else None)."""
    import json
    from pathlib import Path

    from bayesjoint.io.config import load_config
    from bayesjoint.io.datasets import load_dataset

    config = load_config(path)
    tables = [e for e in config.data if e["type"] == "rf"]
    names = [e["name"] for e in tables]
    if not tables:
        types = sorted({e["type"] for e in config.data})
        raise ValueError(f"--config {path}: no [[data]] table of type rf (types present: "
                         f"{', '.join(types)}); xdisc needs receiver functions")
    if dataset is not None:
        if dataset not in names:
            raise ValueError(f"--dataset {dataset}: no rf [[data]] table of that name in "
                             f"{path}; rf tables: {', '.join(names)}")
        tables = [tables[names.index(dataset)]]
    elif len(tables) > 1:
        raise ValueError(f"--config {path}: {len(tables)} rf [[data]] tables ("
                         f"{', '.join(names)}); choose one with --dataset")
    (entry,) = tables
    data = load_dataset(entry)
    file = Path(entry["file"])
    summary_path = file.parent / "rf_make.json"
    n_used = None
    if summary_path.is_file():
        try:
            summary = json.loads(summary_path.read_text())
        except ValueError as err:
            raise ValueError(f"{summary_path}: beside {file.name} but not the summary of "
                             f"'bayesjoint rf make' ({err})") from None
        if isinstance(summary, dict) and summary.get("rf_file") == file.name:
            n_used = _n_used(summary, summary_path)
    return data, n_used


def _n_used(summary, summary_path):
    """``n_used`` of an ``rf_make.json`` (None when absent), checked."""
    n_used = summary.get("n_used")
    if n_used is not None and (not isinstance(n_used, int) or n_used < 0):
        raise ValueError(f"{summary_path}: n_used = {n_used!r}; must be a count of records")
    return n_used


def _pre_p_std(path, ray_parameter_s_km, gauss_rad_s):
    """The RMS of every trace before the direct P's pulse, the default ``--std``."""
    import numpy as np

    from bayesjoint.io.seismic_files import read_rf_csv
    from bayesjoint.physics.rf import PULSE_HALF_WIDTH

    data = read_rf_csv(path, ray_parameter_s_km=ray_parameter_s_km, gauss_rad_s=gauss_rad_s,
                       std=1.0)
    before = data.time_s() < -PULSE_HALF_WIDTH / gauss_rad_s
    if before.sum() < PRE_P_MIN_SAMPLES:
        raise ValueError(f"--rf {path}: only {int(before.sum())} samples before the direct P's "
                         f"pulse, fewer than {PRE_P_MIN_SAMPLES} to estimate the noise; give "
                         "--std")
    rms = np.sqrt(np.mean(data.rf[:, before] ** 2, axis=1))
    if np.any(rms <= 0):
        raise ValueError(f"--rf {path}: the record is zero before the direct P; give --std")
    return rms


def _read(args):
    """The receiver functions of the command line, checked, and the number of usable
    records behind them (None when unknown)."""
    from dataclasses import replace

    from bayesjoint.io.seismic_files import read_rf_csv
    from bayesjoint.physics.rf import filtered_noise_correlation_s

    if args.dataset is not None and args.config is None:
        raise ValueError("--dataset: only with --config, to choose one of its rf [[data]] "
                         "tables")
    if args.config is not None:
        for flag in ("ray_parameter_s_km", "gauss_rad_s", "std"):
            if getattr(args, flag) is not None:
                raise ValueError(f"--{flag.replace('_', '-')}: not with --config, whose rf "
                                 "[[data]] table gives it")
        data, n_events = _from_config(args.config, args.dataset)
    elif args.from_rf_make is not None:
        for flag in ("ray_parameter_s_km", "gauss_rad_s", "std"):
            if getattr(args, flag) is not None:
                raise ValueError(f"--{flag.replace('_', '-')}: not with --from-rf-make, whose "
                                 "rf_make.json and rf_std.csv give it")
        data, n_events = _from_rf_make(args.from_rf_make)
        if args.correlation_s is None:
            data = replace(data, correlation="exponential",
                           correlation_s=filtered_noise_correlation_s(data.gauss_rad_s))
    else:
        n_events = None
        for flag in ("ray_parameter_s_km", "gauss_rad_s"):
            if getattr(args, flag) is None:
                raise ValueError(f"--{flag.replace('_', '-')} missing: a CSV of receiver "
                                 "functions carries no ray parameter or Gaussian")
        std = args.std
        if std is None:
            std = _pre_p_std(args.rf, args.ray_parameter_s_km, args.gauss_rad_s)
        data = read_rf_csv(args.rf, ray_parameter_s_km=args.ray_parameter_s_km,
                           gauss_rad_s=args.gauss_rad_s, std=std)
    if args.correlation_s is not None:
        data = replace(data, correlation="exponential", correlation_s=float(args.correlation_s))
    return data, n_events


def _check_ray_parameters(data):
    import numpy as np

    from bayesjoint.io.rf_make import TELESEISMIC_P_S_KM

    lo, hi = TELESEISMIC_P_S_KM
    p = data.ray_parameter_s_km
    bad = (p < lo) | (p > hi)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"ray parameter {float(p[i])!r} s/km (column {i}): outside the "
                         f"teleseismic range {lo:g}-{hi:g} s/km")


def _figure(data, result, draws, xmodel, path):
    """``xdisc.png``: the stacks with the X model's predictions and the P(X) depth profile."""
    import matplotlib.pyplot as plt
    import numpy as np

    from bayesjoint.model.xdisc_prior import DEFAULT_BOUNDS
    from bayesjoint.plotting.xdisc import plot_xdisc
    from bayesjoint.samplers.xdisc_comparison import p_x_depth_profile, predicted_envelope

    edges = np.linspace(*DEFAULT_BOUNDS["depth_x_km"], 21)
    fig = plot_xdisc(data.time_s(), data.rf, data.rf_std,
                     predicted_envelope(xmodel, draws["x"], data),
                     data.ray_parameter_s_km, edges, p_x_depth_profile(result, draws["x"], edges),
                     p_x=result["p_x"], title=f"{data.name}: model comparison")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(args):
    """Write ``xdisc.json``; ``ValueError`` (exit code 2) on bad input, before any sampling."""
    import json
    from pathlib import Path

    from bayesjoint.samplers.xdisc_comparison import compare
    from bayesjoint.samplers.xdisc_decision import check_min_events, decision
    from bayesjoint.samplers.xdisc_settings import ComparisonSettings

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out}: exists and is not a folder")
    if (out / OUTPUT_FILES[0]).exists() and not args.overwrite:
        raise ValueError(f"--out {out}: holds an xdisc.json; choose another folder or pass "
                         "--overwrite")
    try:
        check_min_events(args.min_events)
    except ValueError as err:
        raise ValueError(f"--{err}".replace("_", "-", 1)) from None
    data, n_events = _read(args)
    _check_ray_parameters(data)
    if not (args.prior_odds > 0 and args.prior_odds < float("inf")):
        raise ValueError(f"--prior-odds = {args.prior_odds:g}: must be finite and > 0")
    settings = ComparisonSettings(
        reference=args.reference, evidence=args.evidence, n_betas=args.n_betas,
        n_chains=args.n_chains, n_iterations=args.n_iterations, n_burn=args.n_burn,
        prior_odds=args.prior_odds, window_s=(args.window_start_s, None), forward=args.forward,
        seed=args.seed)
    result, draws, xmodel = compare(data, settings)
    result = {"station": data.name, "method": "model_comparison",
              "ray_parameter_s_km": data.ray_parameter_s_km.tolist(),
              "gauss_rad_s": data.gauss_rad_s, **result, "n_events": n_events,
              "min_events": args.min_events,
              **decision(result, n_events, args.min_events)}
    out.mkdir(parents=True, exist_ok=True)
    (out / "xdisc.json").write_text(json.dumps(result, indent=2, allow_nan=False) + "\n")
    _figure(data, result, draws, xmodel, out / "xdisc.png")
    print(f"{data.name}: p_x = {result['p_x']:.3f} (Bayes factor {result['bayes_factor']:.3g}, "
          f"prior odds {args.prior_odds:g}); 410 at {result['depth_410_km']:.0f} km, 660 at "
          f"{result['depth_660_km']:.0f} km")
    print(f"decision: {result['decision']} ({result['reason']})")
    print(f"wrote {', '.join(OUTPUT_FILES)} to {out}")
    return 0
