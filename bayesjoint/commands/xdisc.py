"""``bayesjoint xdisc``: is there an X-discontinuity beneath a station?

Reads one station's P receiver functions (a CSV of the forms of
:func:`bayesjoint.io.seismic_files.read_rf_csv`, the output folder of
``bayesjoint rf make``, or the ``type = "rf"`` ``[[data]]`` table of a run
configuration, read as ``bayesjoint run`` reads it) and answers by one of
two methods: ``--method model_comparison`` (default) compares a reference
upper mantle with and without an X by their evidences, averaged over the
reference Earths of ``--reference`` (default AK135, IASP91 and PREM;
:mod:`bayesjoint.samplers.xdisc_comparison`); ``--method transd_steps``
inverts them for any number of velocity steps on those reference Earths
(:mod:`bayesjoint.samplers.xdisc_steps_inversion`) and ``--method transd``
for a free layered Earth (:mod:`bayesjoint.samplers.xdisc_transd`), and
both count the X in the posterior draws. Each writes
``xdisc.json`` into ``--out``: ``p_x``, ``bayes_factor``, the method, the 410
and 660 depths and the transition-zone thickness, posterior quantiles, and
the ``decision`` (``x``, ``no_x`` or ``undecided``) with its ``reason`` and
``n_events``, the usable records behind the stacks (from ``rf_make.json``;
None when unknown), as :func:`bayesjoint.samplers.xdisc_decision.decision`
gives them; ``xdisc.png``; and, unless ``--no-report``, ``xdisc_report.md``
and ``xdisc_report.html`` (:mod:`bayesjoint.xdisc_report`). The
trans-dimensional methods write their chains into ``--out``'s
:data:`CHAINS_DIR` as they run, and ``--resume`` continues a run from them.
"""

import argparse

from bayesjoint.samplers.xdisc_settings import TRANSD_METHODS

OUTPUT_FILES = ("xdisc.json", "xdisc.png")
"""Files that ``bayesjoint xdisc`` writes."""

CHAINS_DIR = "chains"
"""Folder of ``--out`` that holds a trans-dimensional run's chains."""

PRE_P_MIN_SAMPLES = 10
"""Samples before the direct P needed to estimate ``--std`` when it is not given."""

METHODS = ("model_comparison",) + TRANSD_METHODS
"""Methods of ``--method``."""

METHOD_OPTIONS = {
    "model_comparison": ("evidence", "prior_odds", "n_betas", "forward"),
    "transd_steps": ("prior_odds", "n_temperatures", "thin", "chunk_size", "k_max",
                     "time_budget_s"),
    "transd": ("n_temperatures", "thin", "chunk_size", "k_max", "prior_iterations",
               "time_budget_s"),
}
"""Options (argparse destinations) that only some methods take; the others refuse them."""


def _floats(text):
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected comma-separated numbers") from None
    return values


def _references(text):
    from bayesjoint.physics.reference import MODELS

    names = tuple(v.strip().lower() for v in text.split(","))
    if any(n not in MODELS for n in names) or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected distinct comma-separated names from {', '.join(MODELS)}")
    return names


def add_parser(subparsers):
    from bayesjoint.model.xdisc_prior import DEFAULT_BOUNDS
    from bayesjoint.physics.reference import MODELS
    from bayesjoint.samplers.evidence import METHODS as EVIDENCE_METHODS
    from bayesjoint.samplers.xdisc_decision import MIN_EVENTS
    from bayesjoint.samplers.xdisc_settings import (FORWARDS, ComparisonSettings, StepsSettings,
                                                    TransdSettings)

    d, t, st = ComparisonSettings(), TransdSettings(), StepsSettings()
    lo, hi = DEFAULT_BOUNDS["depth_x_km"]
    p = subparsers.add_parser(
        "xdisc", help="posterior probability of an X-discontinuity beneath one station",
        description=f"Posterior probability of an X (a positive Vs jump of at least 1 % "
                    f"between {lo:g} and {hi:g} km) beneath one station. model_comparison: "
                    f"compare a reference upper mantle (free 410 and 660 depths and jumps, "
                    f"free noise scale) with and without an X by their evidences from a "
                    f"tempering ladder, averaged over the reference Earths. transd_steps: "
                    f"invert the receiver functions for any number of velocity steps on those "
                    f"reference Earths (trans-dimensional, stops when converged) and count the "
                    f"X in the posterior draws. transd: the same on a free layered Earth "
                    f"(slow to converge). "
                    f"Writes xdisc.json, xdisc.png, xdisc_report.md and xdisc_report.html.")
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
    p.add_argument("--method", choices=METHODS, default=METHODS[0],
                   help="model_comparison (default), transd_steps (trans-dimensional: steps on "
                        "reference Earths) or transd (trans-dimensional: free layers)")
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
    p.add_argument("--dt-s", type=float,
                   help="sample interval the detector takes, s: every k-th sample of the "
                        "receiver functions, k = dt_s / theirs, refused where the Gaussian "
                        "would alias (default theirs; 0.5 for a Gaussian of 1 rad/s costs a "
                        "fifth of 0.1)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--reference", type=_references, metavar="NAME[,NAME...]",
                   help=f"model_comparison: reference Earths of both models, from "
                        f"{', '.join(sorted(MODELS))}, equally probable before the data and "
                        f"averaged by their evidence (default {','.join(d.references)}); "
                        f"transd_steps: the reference Earths the sampler moves between (same "
                        f"default); transd: one name, of the record-length check only (default "
                        f"{t.reference})")
    p.add_argument("--evidence", choices=EVIDENCE_METHODS,
                   help=f"model_comparison: evidence estimator (default {d.evidence})")
    p.add_argument("--forward", choices=FORWARDS,
                   help=f"model_comparison: forward model of the samplers (default "
                        f"{d.forward}: linearised at the posterior median and corrected to the "
                        "exact forward by importance sampling; exact: about 100 times slower)")
    p.add_argument("--prior-odds", type=float,
                   help=f"model_comparison and transd_steps: prior odds P(X) / P(no X) "
                        f"(default {d.prior_odds:g}: P(X) = 1/2)")
    p.add_argument("--window-start-s", type=float, default=d.window_s[0],
                   help="first time after the direct P that enters the likelihood, s "
                        f"(default {d.window_s[0]:g}: after the crust's reverberations)")
    p.add_argument("--n-betas", type=int,
                   help=f"model_comparison: rungs of the tempering ladder (default {d.n_betas})")
    p.add_argument("--n-chains", type=int,
                   help=f"chains (default {d.n_chains} per model; transd_steps "
                        f"{st.n_chains}; transd {t.n_chains})")
    p.add_argument("--n-iterations", type=int,
                   help=f"iterations per chain, burn-in included (default {d.n_iterations}; "
                        f"transd_steps: the most, {st.n_iterations}, usually ended by "
                        f"convergence; transd: the most, {t.n_iterations}, usually ended by the "
                        "time budget)")
    p.add_argument("--n-burn", type=int,
                   help=f"iterations per chain not kept (model_comparison adapts its "
                        f"proposals in them; default {d.n_burn}; transd_steps "
                        f"{st.n_burn}; transd {t.n_burn})")
    p.add_argument("--n-temperatures", type=int,
                   help=f"transd_steps and transd: tempered replicas per chain (default "
                        f"{st.n_temperatures} and {t.n_temperatures})")
    p.add_argument("--thin", type=int,
                   help=f"transd_steps and transd: keep every thin-th iteration (default "
                        f"{st.thin} and {t.thin})")
    p.add_argument("--chunk-size", type=int,
                   help=f"transd_steps and transd: iterations per compiled scan (default "
                        f"{st.chunk_size} and {t.chunk_size})")
    p.add_argument("--k-max", type=int,
                   help=f"transd_steps: most steps (default {st.k_max}); transd: most layers, "
                        f"the half-space included (default {t.k_max})")
    p.add_argument("--prior-iterations", type=int,
                   help=f"transd: iterations per chain of the prior-only run that gives the "
                        f"prior probability of an X (default {t.prior_iterations})")
    p.add_argument("--time-budget-s", type=float,
                   help=f"transd_steps and transd: wall time of the sampling, compilation "
                        f"included, s (default {st.time_budget_s:g} and {t.time_budget_s:g})")
    p.add_argument("--seed", type=int, default=d.seed, help="random seed")
    p.add_argument("--min-events", type=int, default=MIN_EVENTS,
                   help="usable records a station needs for a decision; with fewer it is "
                        f"'undecided' (default {MIN_EVENTS})")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the results and chains of an earlier run in the output "
                        "folder")
    p.add_argument("--resume", action="store_true",
                   help="transd_steps and transd: continue the run whose chains are in the "
                        f"output folder ({CHAINS_DIR}/), with the same data and settings; "
                        "--time-budget-s and --n-iterations may change")
    p.add_argument("--no-report", action="store_true",
                   help="do not write xdisc_report.md and xdisc_report.html")
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

    from bayesjoint.io.rf_make import with_stack_noise_correlation
    from bayesjoint.io.seismic_files import read_rf_csv

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
            data = with_stack_noise_correlation(data)
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
    if args.dt_s is not None:
        try:
            data = data.decimated(args.dt_s)
        except ValueError as err:
            raise ValueError(f"--dt-s: {err}") from None
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


def _figure(data, result, draws, path):
    """``xdisc.png``: the stacks with the X model's predictions and the P(X) depth profile."""
    import matplotlib.pyplot as plt
    import numpy as np

    from bayesjoint.model.xdisc_prior import DEFAULT_BOUNDS
    from bayesjoint.plotting.xdisc import plot_xdisc
    edges = np.linspace(*DEFAULT_BOUNDS["depth_x_km"], 21)
    if result["method"] == "transd_steps":
        from bayesjoint.samplers.xdisc_steps_inversion import p_x_profile, predicted_envelope

        envelope = predicted_envelope(*draws, data)
        profile = p_x_profile(result, draws[0], edges)
        label = "posterior draws, 5-95 %"
        title = f"{data.name}: trans-dimensional steps"
        if not result["converged"]:
            title += " (NOT converged)"
    elif result["method"] == "transd":
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

        envelope = predicted_envelope(result, draws, data)
        profile = p_x_depth_profile(result, draws, edges)
        label, title = "X model, 5-95 %", f"{data.name}: model comparison"
    fig = plot_xdisc(data.time_s(), data.rf, data.rf_std, envelope, data.ray_parameter_s_km,
                     edges, profile, p_x=result["p_x"], title=title, envelope_label=label)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _method_options(args):
    """Refuse the options that ``--method`` does not take."""
    for name in sorted({n for names in METHOD_OPTIONS.values() for n in names}):
        if name not in METHOD_OPTIONS[args.method] and getattr(args, name) is not None:
            raise ValueError(f"--{name.replace('_', '-')}: not with --method {args.method}")


def _comparison(args, data):
    from bayesjoint.samplers.xdisc_comparison import compare
    from bayesjoint.samplers.xdisc_settings import ComparisonSettings

    given = {k: getattr(args, k) for k in ("evidence", "prior_odds", "n_betas", "n_chains",
                                           "n_iterations", "n_burn", "forward")
             if getattr(args, k) is not None}
    if args.reference is not None:
        given["references"] = args.reference
    settings = ComparisonSettings(window_s=(args.window_start_s, None), seed=args.seed, **given)
    if not (settings.prior_odds > 0 and settings.prior_odds < float("inf")):
        raise ValueError(f"--prior-odds = {settings.prior_odds:g}: must be finite and > 0")
    result, fits = compare(data, settings)
    result = {"station": data.name, "method": "model_comparison",
              "ray_parameter_s_km": data.ray_parameter_s_km.tolist(),
              "gauss_rad_s": data.gauss_rad_s, **result}
    return result, fits


def _transd_settings(args):
    """The settings of a trans-dimensional method from the command line, checked."""
    from bayesjoint.samplers import xdisc_steps_inversion, xdisc_transd
    from bayesjoint.samplers.xdisc_settings import StepsSettings, TransdSettings

    names = [n for n in METHOD_OPTIONS[args.method] if n != "prior_odds"]
    given = {k: getattr(args, k) for k in names + ["n_chains", "n_iterations", "n_burn"]
             if getattr(args, k) is not None}
    if args.method == "transd_steps":
        cls, check = StepsSettings, xdisc_steps_inversion.check_settings
        if args.reference is not None:
            given["references"] = args.reference
    else:
        cls, check = TransdSettings, xdisc_transd.check_settings
        if args.reference is not None:
            if len(args.reference) != 1:
                raise ValueError(f"--reference {','.join(args.reference)}: --method transd "
                                 "takes one reference (of its record-length check)")
            given["reference"] = args.reference[0]
    settings = cls(window_s=(args.window_start_s, None), seed=args.seed, **given)
    try:
        check(settings)
    except ValueError as err:
        name, rest = str(err).split(" ", 1)
        if name in given:  # a setting of the command line: name it as its option
            raise ValueError(f"--{name.replace('_', '-')} {rest}") from None
        raise
    return settings


def _check_output_folder(args):
    """Refuse an output folder that would mix runs, before any work; clear it for
    ``--overwrite``."""
    import shutil
    from pathlib import Path

    out = Path(args.out)
    chains = out / CHAINS_DIR
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out}: exists and is not a folder")
    if args.resume:
        if args.overwrite:
            raise ValueError("--resume and --overwrite: choose one (continue the run in "
                             "--out, or replace it)")
        if args.method not in TRANSD_METHODS:
            raise ValueError(f"--resume: --method {args.method} keeps no chains to continue; "
                             f"only {' and '.join(TRANSD_METHODS)} do")
        if not chains.is_dir():
            raise ValueError(f"--resume: --out {out} holds no chains ({CHAINS_DIR}/) to "
                             "continue")
        return
    if (out / OUTPUT_FILES[0]).exists() or chains.exists():
        if not args.overwrite:
            held = "an xdisc.json" if (out / OUTPUT_FILES[0]).exists() else "the chains"
            raise ValueError(f"--out {out}: holds {held} of an earlier run; choose another "
                             "folder, pass --overwrite to replace it"
                             + (", or --resume to continue its chains"
                                if chains.exists() and args.method in TRANSD_METHODS else ""))
        shutil.rmtree(chains, ignore_errors=True)


def _transd(args, data, settings):
    """Run a trans-dimensional method: the result (verdict first) and what the figure needs."""
    from pathlib import Path

    chains = Path(args.out) / CHAINS_DIR
    if args.method == "transd_steps":
        from bayesjoint.samplers.xdisc_steps_inversion import invert_steps

        given = {} if args.prior_odds is None else {"prior_odds": args.prior_odds}
        result, draws, xmodels = invert_steps(data, settings, work_dir=chains,
                                              resume=args.resume, **given)
        draws = (draws, xmodels)
    else:
        from bayesjoint.samplers.xdisc_transd import invert_transd

        result, draws = invert_transd(data, settings, work_dir=chains, resume=args.resume)
        error = 2.0 * result["p_x_mc_error"]
        result["p_x_interval"] = [max(0.0, result["p_x"] - error),
                                  min(1.0, result["p_x"] + error)]
    result = {"converged": result.pop("converged"), "verdict": result.pop("verdict"),
              "station": data.name, "method": args.method, **result,
              "ray_parameter_s_km": data.ray_parameter_s_km.tolist(),
              "gauss_rad_s": data.gauss_rad_s}
    return result, draws


def run(args):
    """Write ``xdisc.json``; ``ValueError`` (exit code 2) on bad input, before any sampling."""
    import json
    from pathlib import Path

    from bayesjoint.samplers.xdisc_decision import check_min_events, decision

    out = Path(args.out)
    try:
        check_min_events(args.min_events)
    except ValueError as err:
        raise ValueError(f"--{err}".replace("_", "-", 1)) from None
    _method_options(args)
    data, n_events = _read(args)
    settings = _transd_settings(args) if args.method in TRANSD_METHODS else None
    _check_ray_parameters(data)
    _check_output_folder(args)
    if args.method in TRANSD_METHODS:
        result, draws = _transd(args, data, settings)
    else:
        result, draws = _comparison(args, data)
    verdict = decision(result, n_events, args.min_events)
    result = {**result, "n_events": n_events, "min_events": args.min_events,
              "dt_s": data.dt_s, "npts": data.npts, **verdict}
    out.mkdir(parents=True, exist_ok=True)
    (out / "xdisc.json").write_text(json.dumps(result, indent=2, allow_nan=False) + "\n")
    _figure(data, result, draws, out / "xdisc.png")
    from bayesjoint.xdisc_report import XDISC_REPORT_FILES, bayes_factor_text, build_xdisc_report

    if args.method == "transd_steps":
        lo, hi = result["p_x_interval"]
        print(f"{data.name}: {result['verdict']}")
        print(f"{data.name}: p_x = {result['p_x']:.3f} (interval {lo:.3f}-{hi:.3f}; Bayes "
              f"factor {bayes_factor_text(result)}, prior odds {result['prior_odds']:g}); "
              f"410 at {_km(result['depth_410_km'])}, 660 at {_km(result['depth_660_km'])}")
    elif args.method == "transd":
        print(f"{data.name}: {result['verdict']}")
        print(f"{data.name}: p_x = {result['p_x']:.3f} +- {result['p_x_mc_error']:.3f} "
              f"(prior {result['prior_p_x']:.3f}; Bayes factor {bayes_factor_text(result)}); "
              f"410 at {_km(result['depth_410_km'])}, 660 at {_km(result['depth_660_km'])}")
    else:
        print(f"{data.name}: p_x = {result['p_x']:.3f} (Bayes factor "
              f"{bayes_factor_text(result)}, prior odds {result['prior_odds']:g}); 410 at "
              f"{result['depth_410_km']:.0f} km, 660 at {result['depth_660_km']:.0f} km")
        print("reference probabilities: " + ", ".join(
            f"{ref} {prob:.3f}" for ref, prob in result["reference_probability"].items()))
    print(f"decision: {result['decision']} ({result['reason']})")
    files = list(OUTPUT_FILES)
    for name in XDISC_REPORT_FILES:  # an earlier run's report never outlives its result
        (out / name).unlink(missing_ok=True)
    if not args.no_report:
        build_xdisc_report(out)
        files += list(XDISC_REPORT_FILES)
    print(f"wrote {', '.join(files)} to {out}")
    return 0


def _km(depth_km):
    return "none found" if depth_km is None else f"{depth_km:.0f} km"
