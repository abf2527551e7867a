"""``bayesjoint xdisc``: is there an X-discontinuity beneath a station?

Reads one station's P receiver functions (a CSV of the forms of
:func:`bayesjoint.io.seismic_files.read_rf_csv`, or the output folder of
``bayesjoint rf make``) and answers by one of two methods: ``--method
model_comparison`` (default) compares a reference upper mantle with and
without an X by their evidences (:mod:`bayesjoint.samplers.xdisc_comparison`);
``--method transd`` inverts the receiver functions trans-dimensionally and
counts the X in the posterior draws (:mod:`bayesjoint.samplers.xdisc_transd`).
Either writes ``xdisc.json`` into ``--out``: ``p_x``, ``bayes_factor``, the
method, the 410 and 660 depths and the transition-zone thickness, and
posterior quantiles.
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


METHODS = ("model_comparison", "transd")
"""Methods of ``--method``."""

COMPARISON_ONLY = ("evidence", "prior_odds", "n_betas")
TRANSD_ONLY = ("n_temperatures", "thin", "chunk_size", "k_max", "prior_iterations",
               "time_budget_s")
"""Options of one method only (argparse destinations); the other refuses them."""


def add_parser(subparsers):
    from bayesjoint.model.xdisc_prior import DEFAULT_BOUNDS
    from bayesjoint.physics.reference import MODELS
    from bayesjoint.samplers.evidence import METHODS as EVIDENCE_METHODS
    from bayesjoint.samplers.xdisc_settings import ComparisonSettings, TransdSettings

    d, t = ComparisonSettings(), TransdSettings()
    lo, hi = DEFAULT_BOUNDS["depth_x_km"]
    p = subparsers.add_parser(
        "xdisc", help="posterior probability of an X-discontinuity beneath one station",
        description=f"Posterior probability of an X (a positive Vs jump of at least 1 % "
                    f"between {lo:g} and {hi:g} km) beneath one station. model_comparison: "
                    f"compare a reference upper mantle (free 410 and 660 depths and jumps, "
                    f"free noise scale) with and without an X by their evidences from a "
                    f"tempering ladder. transd: invert the receiver functions with the "
                    f"trans-dimensional sampler and count the X in the posterior draws. "
                    f"Writes xdisc.json and xdisc.png.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--rf", help="CSV with header time_s,rf or time_s,rf_0,rf_1,...")
    src.add_argument("--from-rf-make", metavar="DIR",
                     help="output folder of 'bayesjoint rf make' (rf.csv, rf_std.csv, "
                          "rf_make.json)")
    p.add_argument("--ray-parameter-s-km", type=_floats,
                   help="ray parameter of each column of --rf, s/km, comma-separated")
    p.add_argument("--gauss-rad-s", type=float,
                   help="Gaussian parameter a of --rf in rad/s, G = exp(-omega^2 / (4 a^2))")
    p.add_argument("--std", type=float,
                   help="noise standard deviation of --rf (default: the RMS before the "
                        "direct P)")
    p.add_argument("--correlation-s", type=float,
                   help="noise correlation length, s (exponential law; default: white noise)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--method", choices=METHODS, default=METHODS[0],
                   help="model_comparison (default) or transd (trans-dimensional inversion)")
    p.add_argument("--reference", choices=sorted(MODELS), default=d.reference,
                   help=f"reference Earth of both models (default {d.reference}); transd: of "
                        "the record-length check only")
    p.add_argument("--evidence", choices=EVIDENCE_METHODS,
                   help=f"model_comparison: evidence estimator (default {d.evidence})")
    p.add_argument("--prior-odds", type=float,
                   help=f"model_comparison: prior odds P(X) / P(no X) (default "
                        f"{d.prior_odds:g}: P(X) = 1/2)")
    p.add_argument("--window-start-s", type=float, default=d.window_s[0],
                   help="first time after the direct P that enters the likelihood, s "
                        f"(default {d.window_s[0]:g}: after the crust's reverberations)")
    p.add_argument("--n-betas", type=int,
                   help=f"model_comparison: rungs of the tempering ladder (default {d.n_betas})")
    p.add_argument("--n-chains", type=int,
                   help=f"chains (default {d.n_chains} per model; transd {t.n_chains})")
    p.add_argument("--n-iterations", type=int,
                   help=f"iterations per chain, burn-in included (default {d.n_iterations}; "
                        f"transd: the most, {t.n_iterations}, usually ended by the time "
                        "budget)")
    p.add_argument("--n-burn", type=int,
                   help=f"adapting iterations not kept (default {d.n_burn}; transd "
                        f"{t.n_burn})")
    p.add_argument("--n-temperatures", type=int,
                   help=f"transd: tempered replicas per chain (default {t.n_temperatures})")
    p.add_argument("--thin", type=int,
                   help=f"transd: keep every thin-th iteration (default {t.thin})")
    p.add_argument("--chunk-size", type=int,
                   help=f"transd: iterations per compiled scan (default {t.chunk_size})")
    p.add_argument("--k-max", type=int,
                   help=f"transd: most layers, the half-space included (default {t.k_max})")
    p.add_argument("--prior-iterations", type=int,
                   help=f"transd: iterations per chain of the prior-only run that gives the "
                        f"prior probability of an X (default {t.prior_iterations})")
    p.add_argument("--time-budget-s", type=float,
                   help=f"transd: wall time of the sampling, compilation included, s "
                        f"(default {t.time_budget_s:g})")
    p.add_argument("--seed", type=int, default=d.seed, help="random seed")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the xdisc.json of an earlier run in the output folder")
    p.set_defaults(func=run)


def _from_rf_make(folder):
    """Receiver functions, per-sample standard errors and their source, from ``rf make``."""
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
    return read_rf_csv(folder / summary.get("rf_file", "rf.csv"), ray_parameter_s_km=p,
                       gauss_rad_s=gauss, std=std, name=summary.get("station"))


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
    """The receiver functions of the command line, checked."""
    from dataclasses import replace

    from bayesjoint.io.seismic_files import read_rf_csv

    if args.from_rf_make is not None:
        for flag in ("ray_parameter_s_km", "gauss_rad_s", "std"):
            if getattr(args, flag) is not None:
                raise ValueError(f"--{flag.replace('_', '-')}: not with --from-rf-make, whose "
                                 "rf_make.json and rf_std.csv give it")
        data = _from_rf_make(args.from_rf_make)
    else:
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
    return data


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

    edges = np.linspace(*DEFAULT_BOUNDS["depth_x_km"], 21)
    if result["method"] == "transd":
        from bayesjoint.samplers.xdisc_transd import predicted_envelope
        from bayesjoint.summaries.xdisc_transd import discontinuity_draws, p_x_depth_profile

        envelope = predicted_envelope(draws, data.survey)
        depth_x = discontinuity_draws(draws["interface_depth_km"], draws["vs_km_s"])["depth_x_km"]
        profile = p_x_depth_profile(depth_x, edges)
        label = "posterior draws, 5-95 %"
        title = f"{data.name}: trans-dimensional inversion"
        if not result["converged"]:
            title += " (NOT converged)"
    else:
        from bayesjoint.samplers.xdisc_comparison import p_x_depth_profile, predicted_envelope

        envelope = predicted_envelope(xmodel, draws["x"], data.survey)
        profile = p_x_depth_profile(result, draws["x"], edges)
        label, title = "X model, 5-95 %", f"{data.name}: model comparison"
    fig = plot_xdisc(data.time_s(), data.rf, data.rf_std, envelope, data.ray_parameter_s_km,
                     edges, profile, p_x=result["p_x"], title=title, envelope_label=label)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _method_options(args):
    """Refuse the options of the other method; fill the defaults of this one."""
    other = TRANSD_ONLY if args.method == "model_comparison" else COMPARISON_ONLY
    for name in other:
        if getattr(args, name) is not None:
            raise ValueError(f"--{name.replace('_', '-')}: not with --method {args.method}")


def _comparison(args, data):
    from bayesjoint.samplers.xdisc_comparison import compare
    from bayesjoint.samplers.xdisc_settings import ComparisonSettings

    given = {k: getattr(args, k) for k in ("evidence", "prior_odds", "n_betas", "n_chains",
                                           "n_iterations", "n_burn")
             if getattr(args, k) is not None}
    settings = ComparisonSettings(reference=args.reference, window_s=(args.window_start_s, None),
                                  seed=args.seed, **given)
    if not (settings.prior_odds > 0 and settings.prior_odds < float("inf")):
        raise ValueError(f"--prior-odds = {settings.prior_odds:g}: must be finite and > 0")
    result, draws, xmodel = compare(data, settings)
    result = {"station": data.name, "method": "model_comparison",
              "ray_parameter_s_km": data.ray_parameter_s_km.tolist(),
              "gauss_rad_s": data.gauss_rad_s, **result}
    return result, draws, xmodel


def _transd_settings(args):
    from bayesjoint.samplers.xdisc_settings import TransdSettings
    from bayesjoint.samplers.xdisc_transd import check_settings

    given = {k: getattr(args, k) for k in TRANSD_ONLY + ("n_chains", "n_iterations", "n_burn")
             if getattr(args, k) is not None}
    settings = TransdSettings(reference=args.reference, window_s=(args.window_start_s, None),
                              seed=args.seed, **given)
    try:
        check_settings(settings)
    except ValueError as err:
        name, rest = str(err).split(" ", 1)
        if name in given:  # a setting of the command line: name it as its option
            raise ValueError(f"--{name.replace('_', '-')} {rest}") from None
        raise
    return settings


def run(args):
    """Write ``xdisc.json``; ``ValueError`` (exit code 2) on bad input, before any sampling."""
    import json
    from pathlib import Path

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out}: exists and is not a folder")
    if (out / OUTPUT_FILES[0]).exists() and not args.overwrite:
        raise ValueError(f"--out {out}: holds an xdisc.json; choose another folder or pass "
                         "--overwrite")
    _method_options(args)
    data = _read(args)
    _check_ray_parameters(data)
    if args.method == "transd":
        from bayesjoint.samplers.xdisc_transd import invert_transd

        settings = _transd_settings(args)
        result, draws = invert_transd(data, settings)
        result = {"converged": result.pop("converged"), "verdict": result.pop("verdict"),
                  "station": data.name, "method": "transd", **result,
                  "ray_parameter_s_km": data.ray_parameter_s_km.tolist(),
                  "gauss_rad_s": data.gauss_rad_s}
        xmodel = None
    else:
        result, draws, xmodel = _comparison(args, data)
    out.mkdir(parents=True, exist_ok=True)
    (out / "xdisc.json").write_text(json.dumps(result, indent=2, allow_nan=False) + "\n")
    _figure(data, result, draws, xmodel, out / "xdisc.png")
    if args.method == "transd":
        print(f"{data.name}: {result['verdict']}")
        bound = ""
        if result["bayes_factor_is_bound"]:
            bound = ">= " if result["p_x"] > 0.5 else "<= "
        print(f"{data.name}: p_x = {result['p_x']:.3f} +- {result['p_x_mc_error']:.3f} "
              f"(prior {result['prior_p_x']:.3f}; Bayes factor {bound}"
              f"{result['bayes_factor']:.3g}); 410 at {_km(result['depth_410_km'])}, 660 at "
              f"{_km(result['depth_660_km'])}")
    else:
        print(f"{data.name}: p_x = {result['p_x']:.3f} (Bayes factor "
              f"{result['bayes_factor']:.3g}, prior odds {result['prior_odds']:g}); 410 at "
              f"{result['depth_410_km']:.0f} km, 660 at {result['depth_660_km']:.0f} km")
    print(f"wrote {', '.join(OUTPUT_FILES)} to {out}")
    return 0


def _km(depth_km):
    return "none found" if depth_km is None else f"{depth_km:.0f} km"
