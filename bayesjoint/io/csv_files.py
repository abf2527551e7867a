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
  log10_rho_a_std, phase_std_deg``, or the same with ``log10_rho_a_ohm_m``
  (log10 of the apparent resistivity) in place of ``rho_a_ohm_m``.

Beside one of these sets, a file may carry the companion columns of
:data:`MT_COMPANION_COLUMNS` (e.g. the original errors of a published data
set): they are read, checked like the others and kept in
``meta["companion_columns"]``, and not inverted. Any other column is an
error.

Conductivity model (:func:`read_conductivity_model_csv`): ``top_depth_km,
sigma_s_per_m``, one row per layer from the surface down; the first row is at
0 km, depths increase strictly, and the last row is the bottom half-space.
"""

import csv
import io
import pathlib
import re

import numpy as np

from bayesjoint.data import MTData, check_finite
from bayesjoint.earth import LayeredEarth
from bayesjoint.io.files import read_text

MT_COLUMN_SETS = {
    "impedance": ("period_s", "z_re_ohm", "z_im_ohm", "z_std_ohm"),
    "rho_phase": ("period_s", "rho_a_ohm_m", "phase_deg", "log10_rho_a_std", "phase_std_deg"),
    "log10_rho_phase": ("period_s", "log10_rho_a_ohm_m", "phase_deg", "log10_rho_a_std",
                        "phase_std_deg"),
}
"""Allowed column sets of an MT CSV file: impedance (``kind="impedance"``), or
apparent resistivity (in ohm m or as its log10) and phase (``kind="rho_phase"``)."""

MT_COMPANION_COLUMNS = ("log10_rho_a_std_original", "phase_std_deg_original")
"""Further columns an MT CSV file may carry, read but not inverted: the
original errors of a data set inverted with larger ones (the Tucson file of
:mod:`bayesjoint.data.real`)."""

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


def _read_table(path, column_sets, companions=()):
    """Parse a CSV file whose header must be one of ``column_sets``, plus companions.

    Parameters
    ----------
    path : pathlib.Path
    column_sets : tuple of tuple of str
        The allowed sets of inverted columns.
    companions : tuple of str
        Further columns the file may hold besides one set (read and checked,
        not inverted).

    Returns
    -------
    columns : tuple of str
        The matching allowed set, in its canonical order.
    values : dict of str -> ndarray, shape (N,)
        One float array per column of the set and per companion column the
        file holds.
    """
    allowed = _describe_sets(column_sets)
    if companions:
        allowed += f" (each may be accompanied by {', '.join(companions)})"
    header, rows = read_numeric_rows(path)
    if header is None:
        raise ValueError(f"{path}: no header line; allowed column sets: {allowed}")
    known = {c for cols in column_sets for c in cols} | set(companions)
    for col in header:
        if col not in known:
            raise ValueError(f"{path}: unknown column {col!r}; allowed column sets: {allowed}")
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise ValueError(f"{path}: column {dup!r} appears more than once")
    inverted = set(header) - set(companions)
    match = [cols for cols in column_sets if set(cols) == inverted]
    if not match:
        raise ValueError(f"{path}: columns {header} do not form an allowed set; "
                         f"allowed column sets: {allowed}")
    if not rows:
        raise ValueError(f"{path}: no data rows")
    table = np.array(rows, dtype=float)
    present = [c for c in companions if c in header]
    values = {col: table[:, header.index(col)] for col in (*match[0], *present)}
    try:
        for col, v in values.items():
            check_finite(col, v)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err
    return match[0], values


def companion_meta(values, columns):
    """``{"companion_columns": {name: list}}`` of the columns read beside ``columns``.

    Empty when the file held none.
    """
    extra = {k: v.tolist() for k, v in values.items() if k not in columns}
    return {"companion_columns": extra} if extra else {}


def comment_lines(path):
    """The ``#`` comment lines of a text file, without the ``#`` and surrounding blanks.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    list of str
    """
    return [line.lstrip()[1:].strip() for line in read_text(path, "a CSV file").splitlines()
            if line.lstrip().startswith("#")]


def number_in_comments(path, pattern, what):
    """The number that ``pattern`` captures in the ``#`` lines of a file, or None.

    Parameters
    ----------
    path : str or path-like
    pattern : str
        Regular expression (case-insensitive) with one group capturing a
        number.
    what : str
        What the number is, for the message.

    Raises
    ------
    ValueError
        If the comment lines give two different numbers.
    """
    found = {float(m.group(1)) for line in comment_lines(path)
             for m in re.finditer(pattern, line, flags=re.IGNORECASE)}
    if len(found) > 1:
        raise ValueError(f"{path}: the comment lines give {len(found)} different {what}: "
                         f"{sorted(found)}; give the value to the reader")
    return found.pop() if found else None


def read_mt_csv(path, name=None, *, rel_error_floor=None, static_shift_std_log10=None):
    """Read MT data of one site from a CSV file.

    Parameters
    ----------
    path : str or path-like
        CSV file with one of the column sets of :data:`MT_COLUMN_SETS`
        (see the module docstring), and optionally companion columns.
    name : str, optional
        Dataset name (default: the file name without extension).
    rel_error_floor : float, optional
        Error floor relative to |Z| (:meth:`MTData.with_error_floor`),
        as for EDI and EMTF-XML files. Default: the errors as given.
    static_shift_std_log10 : float, optional
        Prior std of the site's static shift of log10 apparent resistivity
        (:attr:`MTData.static_shift_std_log10`; apparent-resistivity data
        only). Default: no static shift.

    Returns
    -------
    MTData
        ``kind="impedance"`` or ``"rho_phase"`` according to the columns;
        rows keep the file's order. ``meta["source_path"]`` holds the path,
        ``meta["companion_columns"]`` the companion columns' values.

    Raises
    ------
    ValueError
        Naming the file and the offending column or value: unknown or
        incomplete columns, non-numeric, NaN or infinite values, periods that
        are not positive or repeat, standard deviations or apparent
        resistivities that are not positive.
    """
    path = pathlib.Path(path)
    columns, v = _read_table(path, tuple(MT_COLUMN_SETS.values()), MT_COMPANION_COLUMNS)
    name = path.stem if name is None else name
    meta = {"source_path": str(path.resolve()), **companion_meta(v, columns)}
    try:
        if columns == MT_COLUMN_SETS["impedance"]:
            data = MTData.from_impedance(v["period_s"], v["z_re_ohm"] + 1j * v["z_im_ohm"],
                                         v["z_std_ohm"], name=name, meta=meta)
        else:
            rho = (v["rho_a_ohm_m"] if columns == MT_COLUMN_SETS["rho_phase"]
                   else 10.0 ** v["log10_rho_a_ohm_m"])
            data = MTData.from_rho_phase(v["period_s"], rho, v["phase_deg"],
                                         log10_rho_a_std=v["log10_rho_a_std"],
                                         phase_std_deg=v["phase_std_deg"], name=name, meta=meta)
        if rel_error_floor is not None:
            data = data.with_error_floor(rel_error_floor)
        if static_shift_std_log10 is not None:
            data = data.with_static_shift(static_shift_std_log10)
        return data
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
