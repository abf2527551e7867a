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
as ``colat_deg`` and ``lon_deg`` in the run configuration), or state them in
a comment line as ``colatitude 49.7 deg`` and ``longitude 116.2 E``.

Published files carry further columns (coherences, comparison values from
other studies, the raw Z/H transfer function): those of
:data:`DST_COMPANION_COLUMNS` and :data:`SQ_COMPANION_COLUMNS` are read,
checked and kept in ``meta["companion_columns"]``, not inverted; any other
column is an error. A Dst file may state the geomagnetic colatitude at which
its C-responses were formed from Z/H (``C = -(a/2) tan(theta) Z/H``) in a
comment line, as ``geomagnetic colatitude ... : 63.01 deg``; the reader
keeps it in ``meta["geomagnetic_colat_deg"]`` (the local C of a P10 source
does not depend on it).

The spherical-model settings (degree of Dst data, shell law, core depth and
conductivity) are arguments of the readers and keys of the configuration.
"""

import csv
import pathlib

import numpy as np

from bayesjoint.data import DstData, SqData
from bayesjoint.data.geomag import (DEFAULT_CORE_DEPTH_KM, DEFAULT_CORE_SIGMA_S_PER_M,
                                    DEFAULT_SHELL_LAW, check_colatitude)
from bayesjoint.io.csv_files import _read_table, companion_meta, number_in_comments

DST_COLUMN_SETS = {
    "q": ("period_s", "q_re", "q_im", "q_std"),
    "c": ("period_s", "c_re_km", "c_im_km", "c_std_km"),
}
"""Allowed column sets of a Dst CSV file, by :attr:`DstData.kind`."""

SQ_COLUMNS = ("period_s", "n", "m", "t_re", "t_im", "t_std")
"""Columns of an Sq CSV file."""

DST_COMPANION_COLUMNS = (
    "sh_degree_n", "period_days", "coh2", "tf_zh_re", "tf_zh_im", "tf_zh_std", "tf_coh2_raw",
    "semenov2011_c_re_km", "semenov2011_c_im_km", "semenov2011_c_std_km", "semenov2011_coh2")
"""Further columns a Dst CSV file may carry, read but not inverted:
``sh_degree_n`` (must equal the reader's ``degree``), the period in days,
the squared coherence, the raw Z/H transfer function, and comparison values
(the files of :mod:`bayesjoint.data.real`)."""

SQ_COMPANION_COLUMNS = ("period_id", "coh2", "coh2_term", "coh2_mult", "guzavina2019_t_re",
                        "guzavina2019_t_im", "guzavina2019_t_std")
"""Further columns an Sq CSV file may carry, read but not inverted: a period
index, coherences and comparison values."""

GEOMAGNETIC_COLATITUDE_PATTERN = (r"geomagnetic (?:\(dipole\) )?colatitude[^0-9~]*~?\s*"
                                  r"([0-9][0-9.]*(?:e[+-]?[0-9]+)?)\s*deg")
"""How a comment line of a Dst file states the geomagnetic colatitude, degrees."""

SITE_COLATITUDE_PATTERN = r"(?<![a-z] )\bcolatitude\s+([0-9][0-9.]*)\s*deg"
"""How a comment line of an Sq file states the site's geographic colatitude, degrees."""

SITE_LONGITUDE_PATTERN = r"\blongitude\s+(-?[0-9][0-9.]*)\s*e\b"
"""How a comment line of an Sq file states the site's east longitude, degrees."""

SPHERE_KEYS = ("shell_law", "core_depth_km", "core_sigma_s_per_m")
"""Optional settings of the spherical model, as reader arguments and as keys of
a ``[[data]]`` table (the allowed keys of each type are listed in
:data:`bayesjoint.io.datasets.CONFIG_KEYS`)."""


def read_dst_csv(path, name=None, *, degree=1, shell_law=DEFAULT_SHELL_LAW,
                 core_depth_km=DEFAULT_CORE_DEPTH_KM,
                 core_sigma_s_per_m=DEFAULT_CORE_SIGMA_S_PER_M, geomagnetic_colat_deg=None):
    """Read Dst Q- or C-responses from a CSV file.

    Parameters
    ----------
    path : str or path-like
        CSV file with one of the column sets of :data:`DST_COLUMN_SETS`,
        and optionally companion columns (:data:`DST_COMPANION_COLUMNS`).
    name : str, optional
        Dataset name (default: the file name without extension).
    degree : int
        Spherical-harmonic degree of the responses (1 for Dst).
    shell_law, core_depth_km, core_sigma_s_per_m
        Spherical-model settings (see :class:`~bayesjoint.data.DstData`).
    geomagnetic_colat_deg : float, optional
        Geomagnetic colatitude of the site, degrees, in (0, 180). Default:
        the value a comment line of the file states
        (:data:`GEOMAGNETIC_COLATITUDE_PATTERN`), if any.

    Returns
    -------
    DstData
        ``kind="q"`` or ``"c"`` according to the columns; rows keep the
        file's order. ``meta`` holds ``source_path``,
        ``geomagnetic_colat_deg`` (None when neither given nor stated) and
        ``companion_columns`` (when the file has some).

    Raises
    ------
    ValueError
        Naming the file and the offending column or value (unknown or
        incomplete columns with the allowed sets, non-numeric or non-finite
        values, periods outside 1 hour to 1 year, non-positive std, a
        ``sh_degree_n`` column other than ``degree``, a colatitude outside
        (0, 180) or stated twice with different values).
    """
    path = pathlib.Path(path)
    columns, v = _read_table(path, tuple(DST_COLUMN_SETS.values()), DST_COMPANION_COLUMNS)
    if "sh_degree_n" in v and np.any(v["sh_degree_n"] != degree):
        bad = v["sh_degree_n"][v["sh_degree_n"] != degree][0]
        raise ValueError(f"{path}: column sh_degree_n holds {bad:g}, but the responses are read "
                         f"as degree {degree}; give degree={bad:g} or check the file")
    if geomagnetic_colat_deg is None:
        geomagnetic_colat_deg = number_in_comments(path, GEOMAGNETIC_COLATITUDE_PATTERN,
                                                   "geomagnetic colatitudes")
    if geomagnetic_colat_deg is not None:
        try:
            check_colatitude(geomagnetic_colat_deg)
        except ValueError as err:
            raise ValueError(f"{path}: geomagnetic {err}") from err
        geomagnetic_colat_deg = float(geomagnetic_colat_deg)
    settings = {"degree": degree, "shell_law": shell_law, "core_depth_km": core_depth_km,
                "core_sigma_s_per_m": core_sigma_s_per_m,
                "name": path.stem if name is None else name,
                "meta": {"source_path": str(path.resolve()),
                         "geomagnetic_colat_deg": geomagnetic_colat_deg,
                         **companion_meta(v, columns)}}
    try:
        if columns == DST_COLUMN_SETS["q"]:
            return DstData.from_q(v["period_s"], v["q_re"] + 1j * v["q_im"], v["q_std"],
                                  **settings)
        return DstData.from_c(v["period_s"], v["c_re_km"] + 1j * v["c_im_km"], v["c_std_km"],
                              **settings)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err


def read_sq_csv(path, *, colat_deg=None, lon_deg=None, name=None, shell_law=DEFAULT_SHELL_LAW,
                core_depth_km=DEFAULT_CORE_DEPTH_KM,
                core_sigma_s_per_m=DEFAULT_CORE_SIGMA_S_PER_M):
    """Read Sq transfer functions of one site from a CSV file.

    Parameters
    ----------
    path : str or path-like
        CSV file with the columns :data:`SQ_COLUMNS`, and optionally
        companion columns (:data:`SQ_COMPANION_COLUMNS`).
    colat_deg, lon_deg : float, optional
        Geographic colatitude in (0, 180) and east longitude of the site,
        degrees. Default: the values a comment line of the file states
        (:data:`SITE_COLATITUDE_PATTERN`, :data:`SITE_LONGITUDE_PATTERN`);
        an error if neither gives them.
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
        colatitude outside (0, 180), a site neither given nor stated in the
        file).
    """
    path = pathlib.Path(path)
    columns, v = _read_table(path, (SQ_COLUMNS,), SQ_COMPANION_COLUMNS)
    site = {"colat_deg": colat_deg, "lon_deg": lon_deg}
    for key, pattern, what in (("colat_deg", SITE_COLATITUDE_PATTERN, "colatitudes"),
                               ("lon_deg", SITE_LONGITUDE_PATTERN, "longitudes")):
        if site[key] is None:
            site[key] = number_in_comments(path, pattern, what)
        if site[key] is None:
            raise ValueError(f"{path}: missing {key}; give the site's geographic colatitude "
                             "and east longitude, degrees (the file's comment lines do not "
                             "state it)")
    try:
        return SqData.from_transfer_function(
            v["period_s"], v["n"], v["m"], v["t_re"] + 1j * v["t_im"], v["t_std"],
            **site, shell_law=shell_law,
            core_depth_km=core_depth_km, core_sigma_s_per_m=core_sigma_s_per_m,
            name=path.stem if name is None else name,
            meta={"source_path": str(path.resolve()), **companion_meta(v, columns)})
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

    The table gives the site's ``colat_deg`` and ``lon_deg``, unless the
    file's comment lines state them (:func:`read_sq_csv`).
    """
    for key, pattern, what in (("colat_deg", SITE_COLATITUDE_PATTERN, "colatitudes"),
                               ("lon_deg", SITE_LONGITUDE_PATTERN, "longitudes")):
        if key not in entry and number_in_comments(entry["file"], pattern, what) is None:
            raise ValueError(f"data table {entry['name']!r} of type sq: missing key {key!r}; give "
                             "the site's geographic colatitude and east longitude in degrees "
                             "(the file's comment lines do not state it)")
    return read_sq_csv(entry["file"], colat_deg=entry.get("colat_deg"),
                       lon_deg=entry.get("lon_deg"), name=entry["name"],
                       **_sphere_settings(entry))
