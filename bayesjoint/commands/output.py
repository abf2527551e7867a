"""Output of the commands: CSV columns, and the output folder of a run."""

import csv
import shutil
import sys
from pathlib import Path

import numpy as np


def write_columns(cols: dict, out=None):
    """Write equal-length columns with a header line; ``out=None`` is stdout.

    Values are written with ``repr`` of a Python float (17 significant
    digits), so they read back bit for bit. A file that cannot be opened
    for writing (missing folder, no permission, a folder) raises
    ``ValueError`` naming it.
    """
    names = list(cols)
    rows = np.column_stack([np.asarray(cols[n], dtype=float) for n in names])
    try:
        f = open(out, "w", newline="") if out else sys.stdout
    except OSError as err:
        raise ValueError(f"{out}: cannot write the output file ({err.strerror or err})") from None
    try:
        w = csv.writer(f)
        w.writerow(names)
        for r in rows:
            w.writerow([repr(float(v)) for v in r])
    finally:
        if out:
            f.close()


def periods_argument(text):
    """argparse type: comma-separated positive periods in s."""
    import argparse

    try:
        vals = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected comma-separated numbers, e.g. 1,10,100") from None
    if not vals:
        raise argparse.ArgumentTypeError("give at least one period")
    return np.asarray(vals)


def _is_run_output(path):
    """Whether ``path`` is a file or folder that a run or its report writes."""
    from bayesjoint.report import REPORT_FILES
    from bayesjoint.workflow import OUTPUT_FILES, SEPARATE_GROUPS

    if path.name in OUTPUT_FILES + REPORT_FILES:
        return path.is_file()
    if path.name == "chains":
        return path.is_dir()
    if path.name in SEPARATE_GROUPS and path.is_dir():
        return all(_is_run_output(p) for p in path.iterdir())
    return False


def prepare_output_folder(out_dir, *, overwrite=False, resume=None):
    """Check that a run may write into ``out_dir``; clear it for ``--overwrite``.

    An absent or empty folder is used as it is. A non-empty folder is
    refused unless ``overwrite`` is set, which removes the outputs of the
    earlier run first (results, reports, ``chains/`` and group sub-folders;
    a folder holding anything else is refused), or ``resume`` is set, which
    leaves the folder to the run's own check of its stored configuration.

    Parameters
    ----------
    out_dir : path-like
    overwrite : bool
    resume : bool or None
        None for a command without ``--resume``.

    Raises
    ------
    ValueError
        Naming the folder and the option that would proceed.
    """
    out = Path(out_dir)
    if not out.exists():
        return
    if not out.is_dir():
        raise ValueError(f"output folder {out}: exists and is not a folder")
    entries = sorted(out.iterdir())
    if not entries or resume:
        return
    if not overwrite:
        shown = ", ".join(p.name for p in entries[:4]) + (", ..." if len(entries) > 4 else "")
        options = ("--resume to continue the run in it, --overwrite to replace it"
                   if resume is not None else "--overwrite to replace its contents")
        raise ValueError(f"output folder {out} is not empty ({shown}); pass {options}, or "
                         "choose another folder")
    other = [p.name for p in entries if not _is_run_output(p)]
    if other:
        raise ValueError(f"output folder {out}: --overwrite replaces the outputs of an earlier "
                         f"run, but the folder also holds {', '.join(other[:4])}"
                         f"{', ...' if len(other) > 4 else ''}; choose another folder")
    for p in entries:
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()
