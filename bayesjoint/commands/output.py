"""Write named columns as CSV to a file or to standard output."""

import csv
import sys

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
