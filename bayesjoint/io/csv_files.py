"""Plain CSV tables of MT data and layered conductivity models.

Format
------
Comma-separated text. Lines that are empty or start with ``#`` are skipped;
the first other line is the header, naming the columns (in any order); every
further line holds one number per column. Column names carry their units.

MT data (:func:`read_mt_csv`, :func:`write_mt_csv`), one of two column sets:

* impedance: ``period_s, z_re_ohm, z_im_ohm, z_std_ohm`` -- complex
  impedance Z = E/H in ohm, ``exp(+i omega t)`` (phase near +45 deg), and the
  standard deviation of each of its real and imaginary parts;
* apparent resistivity and phase: ``period_s, rho_a_ohm_m, phase_deg,
  log10_rho_a_std, phase_std_deg``.

Conductivity model (:func:`read_conductivity_model_csv`): ``top_depth_km,
sigma_s_per_m``, one row per layer from the surface down; the first row is at
0 km, depths increase strictly, and the last row is the bottom half-space.
"""

import csv
import io
import pathlib

import numpy as np

from bayesjoint.data import MTData, check_finite
from bayesjoint.earth import LayeredEarth
from bayesjoint.io.files import read_text

MT_COLUMN_SETS = {
    "impedance": ("period_s", "z_re_ohm", "z_im_ohm", "z_std_ohm"),
    "rho_phase": ("period_s", "rho_a_ohm_m", "phase_deg", "log10_rho_a_std", "phase_std_deg"),
}
"""Allowed column sets of an MT CSV file, by :attr:`MTData.kind`."""

MODEL_COLUMNS = ("top_depth_km", "sigma_s_per_m")
"""Columns of a conductivity-model CSV file."""


def _describe_sets(sets):
    return "; ".join(", ".join(cols) for cols in sets)


def read_numeric_rows(path):
    """Header and numeric rows of a CSV file.

    Blank lines and lines starting with ``#`` are skipped; the first other
    line is the header (lower-cased), every further line must hold as many
    numbers as the header has names.

    Returns
    -------
    header : list of str or None
        None when the file has no header line.
    rows : list of list of float

    Raises
    ------
    ValueError
        Naming the file (and the line): a missing, unreadable or binary file
        (:func:`bayesjoint.io.files.read_text`), malformed CSV, a row with
        another number of values than the header, a value that is not a
        number.
    """
    path = pathlib.Path(path)
    rows = []
    header = None
    reader = csv.reader(io.StringIO(read_text(path, "a CSV file"), newline=""))
    try:
        for row in reader:
            cells = [c.strip() for c in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if header is None:
                header = [c.lower() for c in cells]
                continue
            if len(cells) != len(header):
                raise ValueError(f"{path}, line {reader.line_num}: {len(cells)} values for "
                                 f"{len(header)} columns")
            try:
                rows.append([float(c) for c in cells])
            except ValueError:
                raise ValueError(f"{path}, line {reader.line_num}: {_shorten(cells)} holds a "
                                 "value that is not a number") from None
    except csv.Error as err:
        raise ValueError(f"{path}, line {reader.line_num}: not valid CSV ({err})") from None
    return header, rows


def _shorten(cells, n_chars=80):
    """``repr`` of a row for a message, cut to ``n_chars`` characters."""
    text = repr(cells)
    return text if len(text) <= n_chars else text[: n_chars - 3] + "..."


def _read_table(path, column_sets):
    """Parse a CSV file whose header must be one of ``column_sets``.

    Returns
    -------
    columns : tuple of str
        The matching allowed set, in its canonical order.
    values : dict of str -> ndarray, shape (N,)
        One float array per column.
    """
    allowed = _describe_sets(column_sets)
    header, rows = read_numeric_rows(path)
    if header is None:
        raise ValueError(f"{path}: no header line; allowed column sets: {allowed}")
    known = {c for cols in column_sets for c in cols}
    for col in header:
        if col not in known:
            raise ValueError(f"{path}: unknown column {col!r}; allowed column sets: {allowed}")
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise ValueError(f"{path}: column {dup!r} appears more than once")
    match = [cols for cols in column_sets if set(cols) == set(header)]
    if not match:
        raise ValueError(f"{path}: columns {header} do not form an allowed set; "
                         f"allowed column sets: {allowed}")
    if not rows:
        raise ValueError(f"{path}: no data rows")
    table = np.array(rows, dtype=float)
    values = {col: table[:, header.index(col)] for col in match[0]}
    try:
        for col, v in values.items():
            check_finite(col, v)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err
    return match[0], values


def read_mt_csv(path, name=None):
    """Read MT data of one site from a CSV file.

    Parameters
    ----------
    path : str or path-like
        CSV file with one of the column sets of :data:`MT_COLUMN_SETS`
        (see the module docstring).
    name : str, optional
        Dataset name (default: the file name without extension).

    Returns
    -------
    MTData
        ``kind="impedance"`` or ``"rho_phase"`` according to the columns;
        rows keep the file's order. ``meta["source_path"]`` holds the path.

    Raises
    ------
    ValueError
        Naming the file and the offending column or value: unknown or
        incomplete columns, non-numeric, NaN or infinite values, periods that
        are not positive or repeat, standard deviations or apparent
        resistivities that are not positive.
    """
    path = pathlib.Path(path)
    columns, v = _read_table(path, tuple(MT_COLUMN_SETS.values()))
    name = path.stem if name is None else name
    meta = {"source_path": str(path.resolve())}
    try:
        if columns == MT_COLUMN_SETS["impedance"]:
            return MTData.from_impedance(v["period_s"], v["z_re_ohm"] + 1j * v["z_im_ohm"],
                                         v["z_std_ohm"], name=name, meta=meta)
        return MTData.from_rho_phase(v["period_s"], v["rho_a_ohm_m"], v["phase_deg"],
                                     log10_rho_a_std=v["log10_rho_a_std"],
                                     phase_std_deg=v["phase_std_deg"], name=name, meta=meta)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err


def write_mt_csv(path, data):
    """Write MT data to a CSV file that :func:`read_mt_csv` reads back.

    Parameters
    ----------
    path : str or path-like
        Output file (overwritten).
    data : MTData
        ``kind="impedance"`` is written as ``period_s, z_re_ohm, z_im_ohm,
        z_std_ohm``; ``kind="rho_phase"`` as ``period_s, rho_a_ohm_m,
        phase_deg, log10_rho_a_std, phase_std_deg`` with
        ``rho_a_ohm_m = 10**log10_rho_a``. Values are written with 17
        significant digits, so impedance data read back bit for bit.
    """
    if data.kind == "impedance":
        cols = (data.period_s, data.z_ohm.real, data.z_ohm.imag, data.z_std_ohm)
    else:
        cols = (data.period_s, 10.0**data.log10_rho_a, data.phase_deg, data.log10_rho_a_std,
                data.phase_std_deg)
    with pathlib.Path(path).open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(MT_COLUMN_SETS[data.kind])
        for row in zip(*cols, strict=True):
            writer.writerow([f"{x:.17g}" for x in row])


def read_conductivity_model_csv(path):
    """Read a layered conductivity model from a CSV file.

    Parameters
    ----------
    path : str or path-like
        CSV file with the columns ``top_depth_km, sigma_s_per_m``: one row
        per layer, top first; the first depth is 0 and depths increase
        strictly; the last row is the bottom half-space.

    Returns
    -------
    top_depth_km : ndarray, shape (K,)
        Depth of the top of each layer, km.
    sigma_s_per_m : ndarray, shape (K,)
        Conductivity of each layer, S/m.

    Raises
    ------
    ValueError
        Naming the file: unknown or missing columns, non-numeric, NaN or
        infinite values, a first depth other than 0 km, depths that do not
        increase, conductivities that are not positive.
    """
    path = pathlib.Path(path)
    _, v = _read_table(path, (MODEL_COLUMNS,))
    top, sigma = v["top_depth_km"], v["sigma_s_per_m"]
    try:
        LayeredEarth.from_layers(top, sigma)  # the checks of the shared model
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err
    return top, sigma
