"""Figures across stations: a map coloured by one quantity, and a cross-section of profiles."""

import math

import matplotlib.pyplot as plt
import numpy as np

from bayesjoint.physics.constants import MEAN_EARTH_RADIUS_KM

FIELD_LABELS = {"log10_sigma": "log10 conductivity (S/m)", "vs_km_s": "Vs (km/s)"}


def plot_station_map(lon_deg, lat_deg, values, names, *, label, path):
    """Stations on a longitude-latitude plot, coloured by ``values``.

    Parameters
    ----------
    lon_deg, lat_deg : sequence of float, shape (n,)
        East longitude and latitude of each station, degrees.
    values : sequence of float, shape (n,)
        The quantity of each station; NaN (a failed station, a value not
        available) draws an open marker.
    names : sequence of str, shape (n,)
    label : str
        Name of the quantity (colour-bar label).
    path : path-like
        PNG file written.
    """
    lon, lat, v = (np.asarray(a, dtype=float) for a in (lon_deg, lat_deg, values))
    fig, ax = plt.subplots(figsize=(7, 5))
    ok = np.isfinite(v)
    if ok.any():
        points = ax.scatter(lon[ok], lat[ok], c=v[ok], s=70, cmap="viridis",
                            edgecolors="k", zorder=3)
        fig.colorbar(points, ax=ax, label=label, shrink=0.8)
    if (~ok).any():
        ax.scatter(lon[~ok], lat[~ok], s=70, facecolors="none", edgecolors="k", zorder=3,
                   label="no value")
        ax.legend(loc="best")
    for x, y, name in zip(lon, lat, names):
        ax.annotate(name, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=8)
    pad_x = max(1.0, 0.1 * np.ptp(lon))
    pad_y = max(1.0, 0.1 * np.ptp(lat))
    ax.set_xlim(lon.min() - pad_x, lon.max() + pad_x)
    ax.set_ylim(max(-90.0, lat.min() - pad_y), min(90.0, lat.max() + pad_y))
    if np.ptp(lon) <= 60.0 and np.ptp(lat) <= 60.0:
        # a regional array: a degree of longitude drawn cos(latitude) times a degree of
        # latitude; the latitude range widens to fit (a wider array keeps plain degrees)
        ax.set_aspect(1.0 / max(math.cos(math.radians(float(np.mean(lat)))), 0.1),
                      adjustable="datalim")
    ax.set_xlabel("longitude (deg E)")
    ax.set_ylabel("latitude (deg N)")
    ax.grid(alpha=0.3)
    ax.set_title(label)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def section_distance_km(coordinates):
    """Cumulative great-circle distance along a line of stations, km.

    Parameters
    ----------
    coordinates : sequence of (lat_deg, lon_deg)
        Degrees; None in either places the stations at their index (1 km
        apart) instead.

    Returns
    -------
    distance_km : ndarray, shape (n,)
        0 at the first station; None as described above gives ``arange(n)``.
    has_distances : bool
    """
    if any(lat is None or lon is None for lat, lon in coordinates):
        return np.arange(len(coordinates), dtype=float), False
    lat, lon = (np.radians(np.asarray(c, dtype=float)) for c in zip(*coordinates))
    cos_angle = (np.sin(lat[:-1]) * np.sin(lat[1:])
                 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.cos(np.diff(lon)))
    steps = MEAN_EARTH_RADIUS_KM * np.arccos(np.clip(cos_angle, -1.0, 1.0))
    return np.concatenate([[0.0], np.cumsum(steps)]), True


def plot_cross_section(coordinates, depth_km, median, width, names, *, field, path):
    """Posterior medians and 90 % interval widths of 1-D profiles, stitched along a line.

    Each station's profile fills a column centred on its distance along the
    line (half-way to its neighbours); the top panel shows the median, the
    bottom one the width of the 90 % interval (95th minus 5th percentile).

    Parameters
    ----------
    coordinates : sequence of (lat_deg, lon_deg), shape (n,)
    depth_km : sequence of ndarray, each shape (m_i,)
        Depth grid of each station's profile, km.
    median, width : sequence of ndarray, each shape (m_i,)
        Median and 90 % interval width of ``field`` on that grid.
    names : sequence of str, shape (n,)
    field : str
        ``"log10_sigma"`` or ``"vs_km_s"``.
    path : path-like
        PNG file written.
    """
    x, has_distances = section_distance_km(coordinates)
    n = len(names)
    if np.any(np.diff(x) <= 0):  # two stations at one place: space them evenly
        x, has_distances = np.arange(n, dtype=float), False
    mids = (x[1:] + x[:-1]) / 2
    half = (x[-1] - x[0]) / (2 * (n - 1)) if n > 1 else 0.5
    edges = np.concatenate([[x[0] - half], mids, [x[-1] + half]])
    zmax = max(float(np.max(z)) for z in depth_km)
    label = FIELD_LABELS.get(field, field)
    fig, axes = plt.subplots(2, 1, figsize=(max(6.0, 1.2 * n + 3), 7), sharex=True)
    for ax, columns, title, cmap in ((axes[0], median, f"median {label}", "viridis"),
                                     (axes[1], width, "90 % interval width", "magma_r")):
        lo = min(float(np.nanmin(c)) for c in columns)
        hi = max(float(np.nanmax(c)) for c in columns)
        for i in range(n):
            z = np.asarray(depth_km[i], dtype=float)
            zedges = np.concatenate([[z[0]], (z[1:] + z[:-1]) / 2, [z[-1]]])
            image = ax.pcolormesh(edges[i:i + 2], zedges,
                                  np.asarray(columns[i], dtype=float)[:, None],
                                  vmin=lo, vmax=hi, cmap=cmap, shading="flat")
        fig.colorbar(image, ax=ax, label=title)
        ax.set_ylim(zmax, 0.0)
        ax.set_ylabel("depth (km)")
        for xi in x:
            ax.axvline(xi, color="w", lw=0.5, alpha=0.6)
    crowded = n > 1 and float(np.min(np.diff(x))) < 0.06 * float(x[-1] - x[0])
    rotation = 45 if crowded or n > 8 else 0
    axes[1].set_xticks(x, names, rotation=rotation)
    axes[1].set_xlabel("distance along the line (km)" if has_distances else "station")
    if has_distances:
        top = axes[0].secondary_xaxis("top")
        top.set_xticks(x, [f"{v:.0f}" for v in x], fontsize=7, rotation=rotation)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
