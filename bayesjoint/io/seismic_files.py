"""Receiver functions from SAC, miniSEED and CSV files; seismic velocity models from CSV.

SAC and miniSEED (through obspy, ``pip install bayesjoint[seismic]``)
-----------------------------------------------------------------------
Every trace in the files becomes one receiver function; all must share the
sample interval (``delta``) and length (``npts``). Header conventions of
the SAC files:

``user0``
    Ray parameter in **s/km** (:data:`RAY_PARAMETER_HEADER`). A value in
    s/deg converts with :func:`bayesjoint.data.ray_parameter_s_km_from_s_deg`.
``b``
    Begin time relative to the direct P (P at time 0), s: the direct P lies
    at record time ``shift_s = -b``.

Either can be given instead (``ray_parameter_s_km``, ``shift_s``); miniSEED
has no such headers, so both are required there. SAC stores these values
in single precision; they are rounded to 7 significant digits (so a
``delta`` of 0.1 s reads back as 0.1).

CSV
---
Header ``time_s,rf`` (one trace) or ``time_s,rf_0,rf_1,...`` (several),
then one row per sample; ``time_s`` is the time after the direct P, evenly
spaced, so ``dt_s`` is its step and ``shift_s = -time_s[0]``. Ray
parameters and the Gaussian are given as arguments. Lines that are empty or
start with ``#`` are skipped.

Velocity model CSV
------------------
Header ``top_depth_km,vp_km_s,vs_km_s,rho_g_cm3``, one row per layer from
the surface down, the last row the half-space (:func:`read_velocity_model_csv`).
"""

import glob
import pathlib

import numpy as np

from bayesjoint.data import RFData, check_finite, check_positive
from bayesjoint.earth import LayeredEarth
from bayesjoint.io.csv_files import _read_table, read_numeric_rows
from bayesjoint.io.files import readable_file, refuse_keys_for_csv

RAY_PARAMETER_HEADER = "user0"
"""SAC header holding the ray parameter in s/km."""

VELOCITY_MODEL_COLUMNS = ("top_depth_km", "vp_km_s", "vs_km_s", "rho_g_cm3")
"""Columns of a seismic velocity-model CSV file."""

RF_OPTIONS = ("gauss_rad_s", "std", "normalize", "correlation", "correlation_s",
              "correlation_s_bounds", "earth_flattening", "wrap_free")
"""Keyword arguments passed on to :meth:`bayesjoint.data.RFData.from_traces`."""


def _obspy_read():
    try:
        from obspy import read
    except ImportError as err:
        raise ImportError("reading SAC and miniSEED files needs obspy: "
                          "pip install bayesjoint[seismic]") from err
    return read


def _single(value):
    """A single-precision header value rounded to 7 significant digits."""
    return float(f"{float(value):.7g}")


def _per_trace(name, value, n):
    arr = np.atleast_1d(np.asarray(value, dtype=float))
    if arr.size == 1:
        return np.full(n, float(arr[0]))
    if arr.size != n:
        raise ValueError(f"{name} has {arr.size} values for {n} traces; give one value or one "
                         "per trace")
    return arr


def expand_paths(paths):
    """Paths from a path, a glob pattern or a list of them, sorted within each pattern.

    Raises
    ------
    ValueError
        If a pattern matches no file, or matches a folder.
    """
    if isinstance(paths, (str, pathlib.Path)):
        paths = [paths]
    out = []
    for p in paths:
        matches = sorted(glob.glob(str(p)))
        if not matches:
            raise ValueError(f"{p}: no such file")
        out.extend(readable_file(m) for m in matches)
    return out


def read_rf_traces(paths, *, gauss_rad_s, std, ray_parameter_s_km=None, shift_s=None, format=None,
                   name="rf", **options):
    """Receiver functions from SAC or miniSEED files (through obspy).

    Parameters
    ----------
    paths : str, path-like, glob pattern or list of them
        Files to read; each may hold several traces.
    gauss_rad_s : float
        Gaussian parameter in rad/s.
    std : float or array_like
        Standard deviation: one value, one per trace, or shape (R, npts).
    ray_parameter_s_km : float or array_like, shape (R,), optional
        Ray parameters, s/km; default: SAC header ``user0`` of each trace.
    shift_s : float, optional
        Record time of the direct P, s; default: ``-b`` of the SAC header.
    format : str, optional
        obspy format name (``"SAC"``, ``"MSEED"``); default: detected.
    name : str
    **options
        ``normalize``, ``correlation``, ``correlation_s``,
        ``correlation_s_bounds``, ``earth_flattening``, ``wrap_free`` of
        :meth:`RFData.from_traces`.

    Returns
    -------
    RFData
        ``meta["source_paths"]`` lists the files.

    Raises
    ------
    ImportError
        If obspy is not installed.
    ValueError
        Naming the file: missing header fields (``user0``, ``b``) when no
        value is given, traces of different ``delta`` or ``npts``, and every
        error of :meth:`RFData.from_traces`.
    """
    read = _obspy_read()
    files = expand_paths(paths)
    traces, origin = [], []
    for path in files:
        try:
            stream = read(str(path), format=format)
        except Exception as err:  # obspy raises TypeError/ValueError/IOError by format
            raise ValueError(f"{path}: cannot read as a seismic trace file: {err}") from err
        if len(stream) == 0:
            raise ValueError(f"{path}: holds no trace")
        traces.extend(stream)
        origin.extend([path] * len(stream))
    first = traces[0]
    dt = _single(first.stats.delta)
    npts = int(first.stats.npts)
    for tr, path in zip(traces, origin):
        if _single(tr.stats.delta) != dt or int(tr.stats.npts) != npts:
            raise ValueError(f"{path}: trace {tr.id} has delta = {tr.stats.delta} s and npts = "
                             f"{tr.stats.npts}, but {origin[0]} has {dt} s and {npts}; all "
                             "traces must share sampling and length")
    n = len(traces)
    if ray_parameter_s_km is None or shift_s is None:
        needed = [key for key, given in ((RAY_PARAMETER_HEADER, ray_parameter_s_km),
                                         ("b", shift_s)) if given is None]
        for tr, path in zip(traces, origin):
            header = tr.stats.get("sac", {})
            missing = [k for k in needed if k not in header]
            if missing:
                raise ValueError(
                    f"{path}: header field(s) {', '.join(missing)} missing ({RAY_PARAMETER_HEADER}"
                    " = ray parameter in s/km, b = begin time relative to P in s); write them "
                    "into the SAC header or give ray_parameter_s_km / shift_s")
    if ray_parameter_s_km is None:
        p = np.array([_single(tr.stats.sac[RAY_PARAMETER_HEADER]) for tr in traces])
    else:
        p = _per_trace("ray_parameter_s_km", ray_parameter_s_km, n)
    if shift_s is None:
        shifts = {_single(-tr.stats.sac["b"]) for tr in traces}
        if len(shifts) > 1:
            raise ValueError(f"{origin[0]} ...: the traces begin at different times relative to "
                             f"P (-b = {sorted(shifts)} s); they must share one time axis")
        shift_s = shifts.pop()
    data = np.stack([np.asarray(tr.data, dtype=float) for tr in traces])
    meta = {"source_paths": [str(p_.resolve()) for p_ in files]}
    try:
        return RFData.from_traces(data, p, dt_s=dt, shift_s=shift_s, gauss_rad_s=gauss_rad_s,
                                  std=std, name=name, meta=meta, **options)
    except ValueError as err:
        raise ValueError(f"{files[0]}: {err}") from err


def read_rf_csv(path, *, ray_parameter_s_km, gauss_rad_s, std, name=None, **options):
    """Receiver functions from a CSV file (``time_s,rf`` or ``time_s,rf_0,rf_1,...``).

    Parameters
    ----------
    path : str or path-like
    ray_parameter_s_km : float or array_like, shape (R,)
        s/km; one value is used for every trace.
    gauss_rad_s : float
        Gaussian parameter in rad/s.
    std : float or array_like
        One value, one per trace, or shape (R, npts).
    name : str, optional
        Dataset name (default: the file name without extension).
    **options
        As in :func:`read_rf_traces`.

    Returns
    -------
    RFData

    Raises
    ------
    ValueError
        Naming the file: a header other than the two forms, values that are
        not numbers or not finite, unevenly spaced ``time_s``, a time axis
        that does not contain the direct P (``time_s[0] > 0``).
    """
    path = pathlib.Path(path)
    header, rows = read_numeric_rows(path)
    n_rf = 0 if header is None else len(header) - 1
    allowed = [["time_s", "rf"], ["time_s"] + [f"rf_{i}" for i in range(n_rf)]]
    if header is None or n_rf < 1 or header not in allowed:
        raise ValueError(f"{path}: header {header} is not 'time_s,rf' or "
                         "'time_s,rf_0,rf_1,...' (in that order)")
    if len(rows) < 2:
        raise ValueError(f"{path}: needs at least two rows of samples")
    table = np.array(rows)
    time = table[:, 0]
    try:
        check_finite("time_s", time)
        step = np.diff(time)
        check_positive("diff(time_s)", step)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err
    dt = float(np.mean(step))
    if np.max(np.abs(step - dt)) > 1e-6 * dt:
        raise ValueError(f"{path}: time_s is not evenly spaced (steps from {float(step.min())!r} "
                         f"to {float(step.max())!r} s)")
    dt = float(f"{dt:.12g}")
    meta = {"source_path": str(path.resolve())}
    try:
        return RFData.from_traces(table[:, 1:].T, _per_trace("ray_parameter_s_km",
                                                               ray_parameter_s_km, n_rf),
                                  dt_s=dt, shift_s=-float(time[0]), gauss_rad_s=gauss_rad_s,
                                  std=std, name=path.stem if name is None else name, meta=meta,
                                  **options)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err


def read_velocity_model_csv(path):
    """Read a layered seismic model from a CSV file.

    Parameters
    ----------
    path : str or path-like
        CSV file with the columns ``top_depth_km, vp_km_s, vs_km_s,
        rho_g_cm3`` (any order): one row per layer, top first; the first
        depth is 0 and depths increase strictly; the last row is the
        half-space.

    Returns
    -------
    top_depth_km, vp_km_s, vs_km_s, rho_g_cm3 : ndarrays, shape (K,)

    Raises
    ------
    ValueError
        Naming the file: unknown or missing columns, non-numeric or
        non-finite values, depths not starting at 0 or not increasing,
        non-positive velocities or densities, ``vs >= vp``.
    """
    path = pathlib.Path(path)
    _, v = _read_table(path, (VELOCITY_MODEL_COLUMNS,))
    top, vp, vs, rho = (v[c] for c in VELOCITY_MODEL_COLUMNS)
    try:
        for col in ("vp_km_s", "vs_km_s", "rho_g_cm3"):
            check_positive(col, v[col])
        bad = vs >= vp
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"row {i}: vs_km_s = {float(vs[i])!r} >= vp_km_s = "
                             f"{float(vp[i])!r}; need Vs < Vp (no fluid layers)")
        LayeredEarth.from_layers(top, np.ones_like(top))  # the depth checks of the shared model
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err
    return top, vp, vs, rho


def load_rf(entry):
    """Receiver functions from a validated ``[[data]]`` table (``type = "rf"``).

    Keys: ``file`` (CSV by extension, otherwise SAC/miniSEED through obspy;
    a glob pattern reads several files), ``name``, ``gauss_rad_s`` (rad/s,
    required), ``std`` (required: one value, or one per trace),
    ``ray_parameter_s_km`` (required for CSV and miniSEED; default for SAC:
    header ``user0``), ``shift_s`` (SAC default: ``-b``), ``format``,
    ``normalize``, ``correlation``, ``correlation_s``,
    ``correlation_s_bounds`` (two numbers), ``earth_flattening`` and
    ``wrap_free``.
    """
    for key in ("gauss_rad_s", "std"):
        if key not in entry:
            raise ValueError(f"data table {entry.get('name', 'rf')!r}: {key} missing; receiver "
                             "functions need gauss_rad_s (rad/s) and std")
    options = {k: entry[k] for k in RF_OPTIONS if k in entry}
    path = pathlib.Path(entry["file"])
    if path.suffix.lower() == ".csv":
        refuse_keys_for_csv(entry, ("shift_s", "format"), "SAC and miniSEED files")
        if "ray_parameter_s_km" not in entry:
            raise ValueError(f"{path}: ray_parameter_s_km missing; a CSV file carries no ray "
                             "parameter")
        return read_rf_csv(path, ray_parameter_s_km=entry["ray_parameter_s_km"],
                           name=entry["name"], **options)
    return read_rf_traces(path, ray_parameter_s_km=entry.get("ray_parameter_s_km"),
                          shift_s=entry.get("shift_s"), format=entry.get("format"),
                          name=entry["name"], **options)
