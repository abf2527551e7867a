"""Command-line interface: ``bayesjoint demo | run | batch | report | forward | rf make | xdisc``.

Run ``bayesjoint COMMAND --help`` for the options of each command.
"""

import argparse
import os
import re
import sys
import warnings

class UsageError(Exception):
    """A command line that the parser rejects; its text is the one-line message."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse parser whose errors are one line, ``PROG: error: ...``, without the usage."""

    def error(self, message):
        raise UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")


DEBUG_FLAG = "--debug"
"""Option of ``bayesjoint``, accepted anywhere on the line: show the traceback of an error."""


def _parser():
    p = ArgumentParser(prog="bayesjoint",
                       description="Bayesian joint inversion for a 1-D layered Earth.")
    p.add_argument(DEBUG_FLAG, action="store_true",
                   help="on an error, show the full traceback instead of one line")
    sub = p.add_subparsers(dest="command", required=True)

    demo = sub.add_parser(
        "demo", help="invert the built-in reference experiment (MT + Sq + Dst, Yao et al. 2023)")
    demo.add_argument("--quick", action="store_true",
                      help="small settings that finish in about a minute on 2 CPU cores")
    demo.add_argument("--out", default="demo_out", help="output folder (default demo_out)")
    demo.add_argument("--seed", type=int, default=0, help="seed of noise and sampler")
    demo.add_argument("--data", choices=DEMO_DATA, default="joint",
                      help="which synthetic datasets to invert (default joint = mt + sq + dst)")
    demo.add_argument("--no-report", action="store_true",
                      help="do not write report.md and report.html")
    demo.add_argument("--overwrite", action="store_true",
                      help="replace the outputs of an earlier run in the output folder")
    demo.add_argument("--sampler", choices=("rjmcmc", "nuts"), default="rjmcmc",
                      help="trans-dimensional reversible-jump MCMC (default) or NUTS on fixed "
                           "log-spaced layers")

    run = sub.add_parser("run", help="run an inversion described by a TOML file")
    run.add_argument("config", help="configuration file (TOML)")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--resume", action="store_true",
                      help="continue the run found in the output folder")
    mode.add_argument("--overwrite", action="store_true",
                      help="replace the outputs of an earlier run in the output folder")
    run.add_argument("--no-report", action="store_true",
                     help="do not write report.md and report.html")

    bat = sub.add_parser(
        "batch", help="run one inversion per station of a batch file, in parallel with Dask",
        description="Run one inversion per station (docs/batch.md). Each station writes "
                    "stations/<name>/ as 'bayesjoint run' would; finished stations are "
                    "skipped on a rerun and partial ones resumed. Exit status 3 when any "
                    "station failed.")
    bat.add_argument("config", help="batch configuration file (TOML)")
    where = bat.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="address of a running Dask scheduler (tcp://host:8786) to join "
                            "instead of starting a local cluster")
    where.add_argument("--workers", type=_positive_int, default=None,
                       help="workers of the local cluster (default: one per core)")
    bat.add_argument("--connect-timeout-s", type=float, default=10.0,
                     help="how long to wait for the scheduler, s (default 10)")
    bat.add_argument("--no-report", action="store_true",
                     help="do not write each station's report.md and report.html")

    rep = sub.add_parser("report", help="write the uncertainty report of a finished run")
    rep.add_argument("run_dir", help="output folder of a run")

    fwd = sub.add_parser("forward", help="compute a forward response")
    fsub = fwd.add_subparsers(dest="physics", required=True)
    from bayesjoint.datatypes import DATA_TYPES

    for data_type in DATA_TYPES.values():
        if data_type.add_forward_parser is not None:
            data_type.add_forward_parser(fsub)
    rf = sub.add_parser("rf", help="receiver functions from seismic records")
    rsub = rf.add_subparsers(dest="action", required=True)
    from bayesjoint.commands.rf_make import add_parsers as add_rf_make

    add_rf_make(rsub)
    from bayesjoint.commands.xdisc import add_parser as add_xdisc

    add_xdisc(sub)
    return p


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be an integer >= 1")
    return value


def _use_host_devices(n_chains):
    """Give XLA one CPU device per chain (up to the core count) for parallel chains."""
    from bayesjoint.samplers.nuts import set_host_device_count

    n = max(1, min(int(n_chains), os.cpu_count() or 1))
    return n > 1 and set_host_device_count(n)


DEMO_DATA = ("joint", "mt", "sq", "dst")


def demo_settings(data, sampler, quick, seed):
    """Prior and sampler settings of ``bayesjoint demo``.

    Trans-dimensional runs use the model space of the reference experiment
    (2-30 layers, interfaces 0-2000 km at least 33 km apart, log10 sigma in
    [-4, 2], smoothness step 0.5) with the layer-count prior of Yao et al.
    (2023) (``k_prior = "rejection"``), and sample until converged: the full
    run by the default criterion (max R-hat <= 1.01, bulk and tail ESS >=
    400) or until nine minutes are spent, the quick run by max R-hat <= 1.05
    and ESS >= 100 or until its 1,000,000 iterations per chain are spent.
    NUTS uses fixed log-spaced layers, with the shallowest interface and the
    bottom chosen for what each dataset can see.
    """
    from bayesjoint.model.prior import PriorSpec
    from bayesjoint.samplers.config import RJMCMCConfig
    from bayesjoint.samplers.nuts import NUTSConfig

    if sampler == "rjmcmc":
        spec = PriorSpec(interfaces="sampled", k_min=2, k_max=30, depth_max_km=2000.0,
                         min_thickness_km=33.0, smoothness_std=0.5, k_prior="rejection")
        if quick:
            config = RJMCMCConfig(n_iterations=1_000_000, n_burn=125_000, n_chains=4,
                                  n_temperatures=1, thin=125, chunk_size=125_000, seed=seed,
                                  until_converged=True, rhat_max=1.05, ess_min=100.0)
        else:
            config = RJMCMCConfig(n_iterations=8_000_000, n_burn=250_000, n_chains=4,
                                  n_temperatures=1, thin=250, chunk_size=250_000, seed=seed,
                                  until_converged=True, time_budget_s=540.0)
        return spec, config, 2000.0
    first, bottom = {"mt": (5.0, 600.0), "sq": (30.0, 2000.0), "dst": (100.0, 2000.0),
                     "joint": (5.0, 2000.0)}[data]
    spec = PriorSpec(n_layers=24 if data in ("mt", "joint") else 16, depth_max_km=bottom,
                     first_interface_km=first, smoothness_std=0.5)
    chains = 2 if quick else 4
    method = "parallel" if _use_host_devices(chains) else "vectorized"
    n_burn = 300 if quick else 1000
    config = NUTSConfig(n_chains=chains, n_burn=n_burn, n_iterations=2 * n_burn, seed=seed,
                        chain_method=method)
    return spec, config, bottom


def cmd_demo(args):
    from bayesjoint.commands.output import prepare_output_folder
    from bayesjoint.commands.run import print_result
    from bayesjoint.datasets import reference_experiment
    from bayesjoint.workflow import invert

    prepare_output_folder(args.out, overwrite=args.overwrite)
    exp = reference_experiment(seed=args.seed)
    datasets = {"joint": [exp.mt, exp.sq, exp.dst], "mt": [exp.mt], "sq": [exp.sq],
                "dst": [exp.dst]}[args.data]
    spec, sampler, bottom = demo_settings(args.data, args.sampler, args.quick, args.seed)
    settings = {"demo": {"quick": bool(args.quick), "data": args.data,
                         "experiment": "Yao et al. (2023) synthetic reference model",
                         "core_depth_km": exp.core_depth_km,
                         "core_sigma_s_per_m": exp.core_sigma_s_per_m,
                         "shell_law": exp.shell_law}}
    result = invert(datasets, spec, sampler, args.out, truth=exp.truth, depth_max_km=bottom,
                    settings=settings)
    print_result(result, args.out, write=not args.no_report)
    return 0


def cmd_run(args):
    from bayesjoint.commands.run import run_configured
    from bayesjoint.io.config import load_config

    config = load_config(args.config)
    if getattr(config.sampler, "chain_method", None) == "parallel":
        _use_host_devices(config.sampler.n_chains)
    return run_configured(config, args.config, resume=args.resume, overwrite=args.overwrite,
                          report=not args.no_report)


def cmd_batch(args):
    from bayesjoint.commands.batch import cmd_batch as run_batch

    return run_batch(args)


def cmd_report(args):
    from bayesjoint.report import build_report

    md, page = build_report(args.run_dir)
    print(f"wrote {md} and {page}")
    return 0


def cmd_subcommand(args):
    """``bayesjoint forward ...`` and ``rf ...``: the sub-command's own function."""
    return args.func(args)


def cmd_xdisc(args):
    """``bayesjoint xdisc``; for the trans-dimensional method, XLA gets one CPU device per
    chain, up to the core count (the chains are split over as many as divide their number)."""
    if args.method in ("transd", "transd_steps"):
        from bayesjoint.samplers.xdisc_settings import StepsSettings, TransdSettings

        default = (TransdSettings if args.method == "transd" else StepsSettings)().n_chains
        _use_host_devices(args.n_chains or default)
    return args.func(args)


COMMANDS = {"demo": cmd_demo, "run": cmd_run, "batch": cmd_batch, "forward": cmd_subcommand,
            "report": cmd_report, "rf": cmd_subcommand, "xdisc": cmd_xdisc}


_NEGATIVE_VALUE = re.compile(r"-(\d|\.\d|inf|nan)", re.IGNORECASE)
"""Start of a value that argparse would take for an option: ``-1,10``, ``-.5``, ``-inf``."""


def _value_options(parser):
    """Option strings, of the parser and all its sub-parsers, that take exactly one value."""
    found, stack = set(), [parser]
    while stack:
        for action in stack.pop()._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())
            elif action.option_strings and action.nargs is None:
                found.update(action.option_strings)
    return found


def attach_negative_values(parser, argv):
    """Write ``--opt -1,10`` as ``--opt=-1,10`` for options that take one value.

    argparse reads a token that starts with ``-`` and is not a plain number
    (a list such as ``-1,10``, ``-1e3``, ``-inf``) as an option and reports
    that the option before it lacks its value; joined with ``=``, the value
    reaches the option and its own check.
    """
    options = _value_options(parser)
    out, i = [], 0
    while i < len(argv):
        if (argv[i] in options and i + 1 < len(argv)
                and _NEGATIVE_VALUE.match(argv[i + 1])):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    """``warnings.showwarning`` of the command line: ``bayesjoint: warning: ...``."""
    text = " ".join(str(message).split())
    print(f"bayesjoint: warning: {text}", file=sys.stderr if file is None else file)


def describe_error(err):
    """One line for an exception raised by a command: what went wrong, and where.

    ``ValueError`` messages of the readers and containers already name the
    file or field; an ``OSError`` is given its file name and reason; a
    ``UnicodeDecodeError`` (a binary file read as text) says so.
    """
    if isinstance(err, UnicodeDecodeError):
        text = (f"a file is not text in UTF-8 ({err.reason} at byte {err.start}); "
                "expected a text file")
    elif isinstance(err, OSError) and err.filename is not None:
        text = f"{err.filename}: {err.strerror or err}"
    elif isinstance(err, MemoryError):
        text = "out of memory; choose smaller sizes (periods, samples, layers, draws)"
    else:
        text = str(err) or type(err).__name__
    return " ".join(text.split())


INPUT_ERRORS = (ValueError, OSError, ImportError, MemoryError)
"""Exceptions that a bad input or a missing resource raises (exit status 2);
``UnicodeDecodeError`` is a ``ValueError``. Any other exception is a fault of
bayesjoint itself (exit status 1)."""


def main(argv=None):
    """Entry point of the ``bayesjoint`` command.

    Returns the exit status: 0 on success, 2 for a bad command line or bad
    input (one line on standard error: what is wrong, where, what is
    allowed), 1 for an unexpected fault. Warnings print as one line each.
    With ``--debug`` (anywhere on the line) errors show their traceback.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = DEBUG_FLAG in argv
    argv = [a for a in argv if a != DEBUG_FLAG]
    parser = _parser()
    try:
        args = parser.parse_args(attach_negative_values(parser, argv))
    except UsageError as err:
        print(err, file=sys.stderr)
        return 2
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warning
        try:
            return COMMANDS[args.command](args)
        except KeyboardInterrupt:
            if debug:
                raise
            print("bayesjoint: interrupted", file=sys.stderr)
            return 130
        except INPUT_ERRORS as err:
            if debug:
                raise
            print(f"bayesjoint: error: {describe_error(err)}", file=sys.stderr)
            return 2
        except Exception as err:
            if debug:
                raise
            print(f"bayesjoint: internal error: {type(err).__name__}: {describe_error(err)} "
                  f"(run again with {DEBUG_FLAG} for the traceback)", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
