"""The run path of ``bayesjoint run``: a validated configuration in, run folder(s) out.

``bayesjoint batch`` calls :func:`run_configured` once per station, so that
every station's folder is exactly what ``bayesjoint run`` writes.
"""

import math
from pathlib import Path


def run_configured(config, config_file, *, resume=False, overwrite=False, report=True):
    """Read the datasets of a run configuration, invert them and write the outputs.

    Parameters
    ----------
    config : bayesjoint.io.config.RunConfig
    config_file : path-like
        The configuration file, recorded in ``summary.json``.
    resume : bool
        Continue the run found in the output folder.
    overwrite : bool
        Replace the outputs of an earlier run in the output folder.
    report : bool
        Write ``report.md`` and ``report.html``.

    Returns
    -------
    int
        0.
    """
    from bayesjoint.commands.output import prepare_output_folder
    from bayesjoint.earth import LayeredEarth
    from bayesjoint.io.datasets import load_dataset
    from bayesjoint.workflow import coupling_groups, invert

    datasets = [load_dataset(entry) for entry in config.data]
    truth = None
    if config.truth_model is not None:
        from bayesjoint.io.csv_files import read_conductivity_model_csv

        top, sigma = read_conductivity_model_csv(config.truth_model)
        truth = LayeredEarth.from_layers(top, sigma)
    prepare_output_folder(config.output_dir, overwrite=overwrite, resume=resume)
    groups = coupling_groups(datasets, config.interfaces)
    entries = {entry["name"]: entry for entry in config.data}
    for name, group in groups.items():
        # separate interfaces: one run per group, in a sub-folder named after it
        out = config.output_dir if len(groups) == 1 else config.output_dir / name
        result = invert(group, config.prior, config.sampler, out, truth=truth,
                        depth_max_km=config.summary.depth_max_km,
                        n_depths=config.summary.n_depths,
                        settings={"config_file": str(Path(config_file).resolve()),
                                  "interfaces": config.interfaces, "group": name},
                        resume=resume, sources=[entries[d.name] for d in group])
        print_result(result, out, write=report)
    return 0


def print_result(result, out, write=True):
    """Print the run's verdict, warnings and headline numbers; write the uncertainty report."""
    from bayesjoint.summaries.verdict import UNCONVERGED_LABEL

    judged = result["verdict"]
    print(judged["headline"])
    for line in judged["lines"]:
        print(f"  - {line}")
    label = "" if judged["converged"] else f" [{UNCONVERGED_LABEL}]"
    w = result["diagnostics"]["worst"]
    files = list(result["files"])
    if write:
        from bayesjoint.report import REPORT_FILES, build_report

        build_report(out)
        files += list(REPORT_FILES)
    print(f"wrote {', '.join(files)} to {out}")
    rhat = w["rhat_max"]
    rhat = f"{rhat:.3f}" if rhat is not None and math.isfinite(rhat) else "n/a"
    print(f"sampling time {result['timings_s']['sampling']:.1f} s; "
          f"max R-hat {rhat}; min bulk ESS {w['ess_bulk_min']:.0f}")
    for field, rng in (result.get("resolved_depth_range_km") or {}).items():
        if rng:
            print(f"{field}: resolved depths (narrow 90 % interval) {rng[0]:.0f}-{rng[1]:.0f} km"
                  f"{label}")
    for field, cov in (result.get("coverage_of_truth_90") or {}).items():
        print(f"{field}: true model inside the 90 % interval at "
              f"{100 * cov['resolved_depths']:.0f} % of resolved depths "
              f"({100 * cov['all_depths']:.0f} % of all){label}")
    for name, shift in (result.get("static_shift_log10") or {}).items():
        print(f"{name}: static shift of log10 rho_a {shift['median']:+.3f} (90 % interval "
              f"{shift['q05']:+.3f} to {shift['q95']:+.3f}){label}")
