"""Results across the stations of a batch: ``stations.csv``, a map, a cross-section, a page.

Read from each station's ``summary.json`` and the ``profile`` group of its
``posterior.nc``, as ``bayesjoint run`` wrote them.
"""

import csv
import html
import json
import math

import numpy as np

from bayesjoint.commands.batch import run_folders
from bayesjoint.io.batch_config import STATIONS_FOLDER

STATIONS_CSV = "stations.csv"
MAP_FIGURE = "map.png"
SECTION_FIGURE = "section.png"
SUMMARY_PAGE = "index.html"

PROFILE_FIELDS = ("log10_sigma", "vs_km_s")
"""Depth-profile fields reported at ``batch.depths_km`` when a station has them."""


def depth_columns(field, depth_km):
    """Names of the median and 90 % interval columns of ``field`` at ``depth_km``."""
    stem = f"{field}_{depth_km:g}km"
    return f"{stem}_median", f"{stem}_q05", f"{stem}_q95"


def map_quantities(batch):
    """The ``stations.csv`` columns that may colour the map (``batch.map``)."""
    noise = {f"noise_scale_{entry['name']}" for s in batch.stations for entry in s.config.data}
    depth = [c for field in PROFILE_FIELDS for d in batch.depths_km
             for c in depth_columns(field, d)]
    return ["n_layers_mean", "rhat_max", "ess_bulk_min", *sorted(noise), *depth]


def map_quantity(batch):
    """The column that colours the map: ``batch.map``, checked, or its default.

    Raises
    ------
    ValueError
        When ``batch.map`` names no column of :func:`map_quantities`.
    """
    if batch.map_quantity is None:
        return (depth_columns("log10_sigma", batch.depths_km[0])[0] if batch.depths_km
                else "n_layers_mean")
    allowed = map_quantities(batch)
    if batch.map_quantity not in allowed:
        raise ValueError(f"batch.map = {batch.map_quantity!r}: not a column of {STATIONS_CSV}; "
                         f"allowed are {', '.join(allowed)}")
    return batch.map_quantity


def station_row(station, record, depths_km):
    """One row of ``stations.csv`` (a dict; missing values are None).

    Parameters
    ----------
    station : bayesjoint.io.batch_config.Station
    record : dict
        The station's outcome (:func:`bayesjoint.commands.batch.run_station`).
    depths_km : sequence of float

    Returns
    -------
    row : dict
        ``name``, ``lat_deg``, ``lon_deg``, ``status``, ``data_types``
        (space-separated), ``converged``, ``n_layers_mean`` (posterior mean
        of the number of layers), ``noise_scale_<dataset>`` (posterior mean),
        ``rhat_max``, ``ess_bulk_min``, the depth columns
        (:func:`depth_columns`) and ``error``.
    profiles : list of xarray.Dataset
        The depth profile of each run folder (for the cross-section).
    """
    row = {"name": station.name, "lat_deg": station.lat_deg, "lon_deg": station.lon_deg,
           "status": record["status"], "data_types": " ".join(station.data_types),
           "converged": None, "n_layers_mean": None, "rhat_max": None, "ess_bulk_min": None}
    if record["status"] == "failed":
        return dict(row, error=record["error"]), []
    try:
        return _finished_row(station, row, depths_km)
    except (OSError, ValueError, KeyError) as err:  # a run folder changed or damaged since
        return dict(row, status="unreadable", error=f"{type(err).__name__}: {err}"), []


def _finished_row(station, row, depths_km):
    import xarray as xr

    profiles = []
    rhats, esses, converged = [], [], []
    for folder in run_folders(station):
        summary = json.loads((folder / "summary.json").read_text())
        converged.append(bool(summary["converged"]))
        worst = summary["diagnostics"]["worst"]
        rhats.append(worst["rhat_max"])
        esses.append(worst["ess_bulk_min"])
        for key, stats in summary["diagnostics"]["per_chain"].items():
            if key.startswith("noise_scale_"):
                row[key] = float(np.mean(stats["mean"]))
        with xr.open_dataset(folder / "posterior.nc", group="profile",
                             engine="h5netcdf") as ds:
            profile = ds.load()
        profiles.append(profile)
        if row["n_layers_mean"] is None and "n_layers_probability" in profile:
            k = profile["n_layers"].values
            p = profile["n_layers_probability"].values
            row["n_layers_mean"] = float(np.sum(k * p) / np.sum(p))
        for field in PROFILE_FIELDS:
            if f"{field}_median" not in profile:
                continue
            z = profile["depth_km"].values
            for depth in depths_km:
                inside = z[0] <= depth <= z[-1]
                for col, stat in zip(depth_columns(field, depth), ("median", "q05", "q95")):
                    row[col] = (float(np.interp(depth, z, profile[f"{field}_{stat}"].values))
                                if inside else None)
    finite = [r for r in rhats if r is not None and math.isfinite(r)]
    row["rhat_max"] = max(finite) if finite else None
    row["ess_bulk_min"] = min(e for e in esses if e is not None) if any(
        e is not None for e in esses) else None
    row["converged"] = all(converged)
    row["error"] = None
    return row, profiles


def write_stations_csv(path, rows):
    """Write the rows; columns in a fixed order, the union over stations."""
    first = ["name", "lat_deg", "lon_deg", "status", "data_types", "converged",
             "n_layers_mean", "rhat_max", "ess_bulk_min"]
    rest = []
    for row in rows:
        rest += [k for k in row if k not in first and k != "error" and k not in rest]
    noise = sorted(k for k in rest if k.startswith("noise_scale_"))
    columns = first + noise + [k for k in rest if k not in noise] + ["error"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for row in rows:
            w.writerow(["" if row.get(c) is None else _cell(row[c]) for c in columns])
    return columns


def _cell(value):
    if isinstance(value, float):
        return f"{value:.6g}"
    return value


def write_results(batch, records):
    """Write ``stations.csv``, the map, the cross-section and ``index.html``.

    Returns
    -------
    list of str
        Names of the files written in the batch output folder.
    """
    from bayesjoint.plotting.stations import plot_cross_section, plot_station_map

    by_name = {r["name"]: r for r in records}
    rows, profiles = [], {}
    for station in batch.stations:
        row, station_profiles = station_row(station, by_name[station.name], batch.depths_km)
        rows.append(row)
        if station_profiles:
            profiles[station.name] = station_profiles[0]
    out = batch.output_dir
    columns = write_stations_csv(out / STATIONS_CSV, rows)
    files = [STATIONS_CSV]

    quantity = map_quantity(batch)
    placed = [r for r in rows if r["lat_deg"] is not None and r["lon_deg"] is not None]
    if placed:
        plot_station_map([r["lon_deg"] for r in placed], [r["lat_deg"] for r in placed],
                         [_number(r.get(quantity)) for r in placed],
                         [r["name"] for r in placed], label=quantity, path=out / MAP_FIGURE)
        files.append(MAP_FIGURE)

    line = list(batch.section) or [s.name for s in batch.stations]
    line = [name for name in line if name in profiles]
    if line:
        coords = {s.name: (s.lat_deg, s.lon_deg) for s in batch.stations}
        field = "log10_sigma" if "log10_sigma_median" in profiles[line[0]] else "vs_km_s"
        plot_cross_section(
            [coords[n] for n in line], [profiles[n]["depth_km"].values for n in line],
            [profiles[n][f"{field}_median"].values for n in line],
            [profiles[n][f"{field}_q95"].values - profiles[n][f"{field}_q05"].values
             for n in line], line, field=field, path=out / SECTION_FIGURE)
        files.append(SECTION_FIGURE)
    write_summary_page(out / SUMMARY_PAGE, rows, columns, files)
    files.append(SUMMARY_PAGE)
    return files


def _number(value):
    return math.nan if value is None else float(value)


def write_summary_page(path, rows, columns, figures):
    """An HTML page: the figures, then the table of stations linking each station's report."""
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c)
            text = "" if value is None else e(str(_cell(value)))
            if c == "name" and row["status"] != "failed":
                text = (f'<a href="{STATIONS_FOLDER}/{e(row["name"])}/report.html">'
                        f"{text}</a>")
            cells.append(f"<td>{text}</td>")
        body.append(f'<tr class="{e(row["status"])}">{"".join(cells)}</tr>')
    images = "".join(f'<p><img src="{e(f)}" alt="{e(f)}" style="max-width:100%"></p>'
                     for f in figures if f.endswith(".png"))
    counts = {k: sum(r["status"] == k for r in rows) for k in ("done", "failed", "skipped")}
    path.write_text(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>bayesjoint batch"
        "</title><style>body{font-family:sans-serif} td,th{padding:2px 6px;"
        "border-bottom:1px solid #ccc;font-size:90%} tr.failed{background:#fdd}</style>"
        f"</head><body><h1>bayesjoint batch: {len(rows)} stations</h1>"
        f"<p>{', '.join(f'{v} {k}' for k, v in counts.items())}. Each station's name links "
        "to its report; the table is <a href=\"stations.csv\">stations.csv</a>.</p>"
        f"{images}<table><tr>{head}</tr>{''.join(body)}</table></body></html>\n")
