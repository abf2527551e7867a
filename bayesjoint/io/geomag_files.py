"""CSV tables of Dst and Sq geomagnetic depth-sounding data.

Format as in :mod:`bayesjoint.io.csv_files`: comma-separated text, lines that
are empty or start with ``#`` skipped, a header naming the columns (any
order, units in the names), one number per column on every further line.

Dst (:func:`read_dst_csv`, :func:`write_dst_csv`), one of two column sets:

* ``period_s, q_re, q_im, q_std`` -- Q-response (internal over external
  coefficient, ``exp(+i omega t)``, Im Q > 0) and the std of each part;
* ``period_s, c_re_km, c_im_km, c_std_km`` -- C-response in km (Re C > 0,
  Im C < 0) and the std of each part, km.

Sq (:func:`read_sq_csv`, :func:`write_sq_csv`): ``period_s, n, m, t_re, t_im,
t_std`` -- one source term per row (degree n, order m) with its complex
transfer function (:class:`~bayesjoint.data.SqData`). The site's geographic
colatitude and east longitude are not columns: give them to the reader (or
as ``colat_deg`` and ``lon_deg`` in the run configuration).

The spherical-model settings (degree of Dst data, shell law, core depth and
conductivity) are arguments of the readers and keys of the configuration.
"""

import csv
import pathlib

from bayesjoint.data import DstData, SqData
from bayesjoint.data.geomag import (DEFAULT_CORE_DEPTH_KM, DEFAULT_CORE_SIGMA_S_PER_M,
                                    DEFAULT_SHELL_LAW)
from bayesjoint.io.csv_files import _read_table

DST_COLUMN_SETS = {
    "q": ("period_s", "q_re", "q_im", "q_std"),
    "c": ("period_s", "c_re_km", "c_im_km", "c_std_km"),
}
"""Allowed column sets of a Dst CSV file, by :attr:`DstData.kind`."""

SQ_COLUMNS = ("period_s", "n", "m", "t_re", "t_im", "t_std")
"""Columns of an Sq CSV file."""

SPHERE_KEYS = ("shell_law", "core_depth_km", "core_sigma_s_per_m")
"""Optional settings of the spherical model, as reader arguments and as keys of
a ``[[data]]`` table (the allowed keys of each type are listed in
:data:`bayesjoint.io.datasets.CONFIG_KEYS`)."""


def read_dst_csv(path, name=None, *, degree=1, shell_law=DEFAULT_SHELL_LAW,
                 core_depth_km=DEFAULT_CORE_DEPTH_KM,
                 core_sigma_s_per_m=DEFAULT_CORE_SIGMA_S_PER_M):
    """Read Dst Q- or C-responses from a CSV file.

    Parameters
    ----------
    path : str or path-like
        CSV file with one of the column sets of :data:`DST_COLUMN_SETS`.
    name : str, optional
        Dataset name (default: the file name without extension).
    degree : int
        Spherical-harmonic degree of the responses (1 for Dst).
    shell_law, core_depth_km, core_sigma_s_per_m
        Spherical-model settings (see :class:`~bayesjoint.data.DstData`).

    Returns
    -------
    DstData
        ``kind="q"`` or ``"c"`` according to the columns; rows keep the
        file's order; ``meta["source_path"]`` holds the path.

    Raises
    ------
    ValueError
        Naming the file and the offending column or value (unknown or
        incomplete columns with the allowed sets, non-numeric or non-finite
        values, periods outside 1 hour to 1 year, non-positive std).
    """
    path = pathlib.Path(path)
    columns, v = _read_table(path, tuple(DST_COLUMN_SETS.values()))
    settings = {"degree": degree, "shell_law": shell_law, "core_depth_km": core_depth_km,
                "core_sigma_s_per_m": core_sigma_s_per_m,
                "name": path.stem if name is None else name,
                "meta": {"source_path": str(path.resolve())}}
    try:
        if columns == DST_COLUMN_SETS["q"]:
            return DstData.from_q(v["period_s"], v["q_re"] + 1j * v["q_im"], v["q_std"],
                                  **settings)
        return DstData.from_c(v["period_s"], v["c_re_km"] + 1j * v["c_im_km"], v["c_std_km"],
                              **settings)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err


def read_sq_csv(path, *, colat_deg, lon_deg, name=None, shell_law=DEFAULT_SHELL_LAW,
                core_depth_km=DEFAULT_CORE_DEPTH_KM,
                core_sigma_s_per_m=DEFAULT_CORE_SIGMA_S_PER_M):
    """Read Sq transfer functions of one site from a CSV file.

    Parameters
    ----------
    path : str or path-like
        CSV file with the columns :data:`SQ_COLUMNS`.
    colat_deg, lon_deg : float
        Geographic colatitude in (0, 180) and east longitude of the site,
        degrees.
    name : str, optional
        Dataset name (default: the file name without extension).
    shell_law, core_depth_km, core_sigma_s_per_m
        Spherical-model settings (see :class:`~bayesjoint.data.SqData`).

    Returns
    -------
    SqData

    Raises
    ------
    ValueError
        Naming the file and the offending column or value (as
        :func:`read_dst_csv`, plus non-integer n or m, |m| > n, n < 1, a
        colatitude outside (0, 180)).
    """
    path = pathlib.Path(path)
    _, v = _read_table(path, (SQ_COLUMNS,))
    try:
        return SqData.from_transfer_function(
            v["period_s"], v["n"], v["m"], v["t_re"] + 1j * v["t_im"], v["t_std"],
            colat_deg=colat_deg, lon_deg=lon_deg, shell_law=shell_law,
            core_depth_km=core_depth_km, core_sigma_s_per_m=core_sigma_s_per_m,
            name=path.stem if name is None else name,
            meta={"source_path": str(path.resolve())})
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err


def _write(path, header, columns, comment=None):
    with pathlib.Path(path).open("w", newline="") as fh:
        if comment:
            fh.write(f"# {comment}\n")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in zip(*columns, strict=True):
            writer.writerow([f"{x:.17g}" for x in row])


def write_dst_csv(path, data: DstData):
    """Write Dst data to a CSV file that :func:`read_dst_csv` reads back bit for bit.

    The spherical-model settings are written in a comment line (give them to
    the reader again).
    """
    v = data.values()
    std = data.q_std if data.kind == "q" else data.c_std_km
    _write(path, DST_COLUMN_SETS[data.kind], (data.period_s, v.real, v.imag, std),
           f"degree = {data.degree}, shell_law = {data.shell_law}, core_depth_km = "
           f"{data.core_depth_km:g}, core_sigma_s_per_m = {data.core_sigma_s_per_m:g}")


def write_sq_csv(path, data: SqData):
    """Write Sq data to a CSV file that :func:`read_sq_csv` reads back bit for bit.

    The site and the spherical-model settings are written in a comment line
    (give them to the reader again).
    """
    _write(path, SQ_COLUMNS,
           (data.period_s, data.degree, data.order, data.transfer_function.real,
            data.transfer_function.imag, data.transfer_function_std),
           f"colat_deg = {data.colat_deg!r}, lon_deg = {data.lon_deg!r}, shell_law = "
           f"{data.shell_law}, core_depth_km = {data.core_depth_km:g}, core_sigma_s_per_m = "
           f"{data.core_sigma_s_per_m:g}")


def _sphere_settings(entry):
    return {k: entry[k] for k in SPHERE_KEYS if k in entry}


def load_dst(entry):
    """Dst data from the validated ``[[data]]`` table ``entry`` of a run configuration."""
    return read_dst_csv(entry["file"], name=entry["name"], degree=entry.get("degree", 1),
                        **_sphere_settings(entry))


def load_sq(entry):
    """Sq data from the validated ``[[data]]`` table ``entry`` of a run configuration.

    The table must give the site's ``colat_deg`` and ``lon_deg``.
    """
    for key in ("colat_deg", "lon_deg"):
        if key not in entry:
            raise ValueError(f"data table {entry['name']!r} of type sq: missing key {key!r}; give "
                             "the site's geographic colatitude and east longitude in degrees")
    return read_sq_csv(entry["file"], colat_deg=entry["colat_deg"], lon_deg=entry["lon_deg"],
                       name=entry["name"], **_sphere_settings(entry))
