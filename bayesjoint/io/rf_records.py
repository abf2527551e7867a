"""Three-component teleseismic P records for ``bayesjoint rf make``.

Two inputs give :class:`EventRecord` lists, each checked in full before any
processing (every problem is a ``ValueError`` naming the file, the record and
the field, and what is allowed):

npz + CSV (:func:`read_npz_records`)
    An npz file (read with ``allow_pickle=False``) whose array ``data`` has
    shape (R, 3, npts): components Z (up), N, E of R records, displacement
    (any unit: receiver functions are ratios); an optional array
    ``components`` must read ``Z, N, E``, and an optional ``sampling_rate_hz``
    (shape (R,), or (R, 3) for one rate per component, which must then be
    equal) must agree with the CSV. The CSV holds one row per record, in the same
    order (lines starting with ``#`` are skipped), with the columns of
    :data:`NPZ_META_COLUMNS` and optionally those of
    :data:`NPZ_OPTIONAL_COLUMNS`; a record whose ``flag`` is not ``ok`` is
    kept with that flag, and processing skips it and counts the reason.

SAC or miniSEED files (:func:`read_stream_records`, through obspy)
    Traces are grouped into records by station, location, band and
    instrument code and overlapping time; each record needs Z, N and E at one
    sampling rate. The event and the station come from the SAC headers
    ``evla, evlo, evdp`` (km), ``o`` (origin, s after the reference time),
    ``stla, stlo`` or, for files without them (miniSEED), from a QuakeML
    catalogue (the latest event that began at most :data:`CATALOG_LEAD_S`
    before the record) and a StationXML inventory. The P arrival, its ray
    parameter and incidence come from TauP (:data:`TAUP_MODEL`). A record with no direct P (the
    shadow, Pdiff) is kept with the flag ``no_direct_p``.
"""

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from bayesjoint.data import ray_parameter_s_km_from_s_deg
from bayesjoint.io.files import read_text, readable_file

COMPONENTS = ("Z", "N", "E")
"""Component order of every record: vertical (up), north, east."""

NPZ_META_COLUMNS = ("station", "event_time_utc", "baz_deg", "p_slowness_s_per_deg",
                    "t0_rel_p_s", "sampling_rate_hz")
"""Required columns of the metadata CSV of an npz file: station code, event
origin time, back-azimuth (deg), P ray parameter (s/deg), time of the first
sample relative to P (s), sampling rate (Hz)."""

NPZ_OPTIONAL_COLUMNS = ("network", "flag", "p_incidence_deg")
"""Optional columns of the metadata CSV: network code, ``ok`` or the reason
to skip the record, P incidence angle at the surface (deg, for LQT)."""

TAUP_MODEL = "iasp91"
"""Earth model of the P arrival times and ray parameters of SAC/miniSEED records."""

CATALOG_LEAD_S = 1500.0
"""A record read with a catalogue belongs to the latest event that began at most this
long (s) before the record starts (teleseismic P arrives 5-14 min after the origin)."""

SAC_EVENT_HEADERS = ("evla", "evlo", "evdp", "o")
SAC_STATION_HEADERS = ("stla", "stlo")


@dataclass(frozen=True)
class EventRecord:
    """One event recorded at one station: Z, N, E around the direct P.

    Attributes
    ----------
    name : str
        Station and event origin time, e.g. ``SA70 1997-05-10T07:57:29``.
    station : str
    zne : ndarray, shape (3, npts)
        Z (up), N, E ground motion, any unit shared by the three.
    dt_s : float
        Sample interval, s.
    t0_rel_p_s : float
        Time of the first sample relative to the direct P, s.
    back_azimuth_deg : float
        Direction from the station to the event, deg clockwise from north.
    ray_parameter_s_km : float
        Ray parameter of the direct P, s/km.
    incidence_deg : float or None
        Incidence angle of P at the surface, deg (for LQT rotation).
    flag : str
        ``ok``, or the reason the record is skipped.
    """

    name: str
    station: str
    zne: np.ndarray
    dt_s: float
    t0_rel_p_s: float
    back_azimuth_deg: float
    ray_parameter_s_km: float
    incidence_deg: float | None = None
    flag: str = "ok"

    @property
    def end_rel_p_s(self):
        """Time of the last sample relative to the direct P, s."""
        return self.t0_rel_p_s + (self.zne.shape[1] - 1) * self.dt_s


def _metadata_rows(path):
    """Header and rows (strings) of a CSV file, skipping ``#`` and empty lines."""
    rows = [r for r in csv.reader(io.StringIO(read_text(path, "a CSV file"), newline=""))
            if r and any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
    if not rows:
        raise ValueError(f"{path}: no header line; required columns: "
                         f"{', '.join(NPZ_META_COLUMNS)}")
    header = [c.strip() for c in rows[0]]
    missing = [c for c in NPZ_META_COLUMNS if c not in header]
    if missing:
        raise ValueError(f"{path}: column(s) {', '.join(missing)} missing; required columns: "
                         f"{', '.join(NPZ_META_COLUMNS)} (optional: "
                         f"{', '.join(NPZ_OPTIONAL_COLUMNS)})")
    body = rows[1:]
    for i, r in enumerate(body):
        if len(r) != len(header):
            raise ValueError(f"{path}: record {i} has {len(r)} values for {len(header)} columns")
    return header, body


def _number(path, i, column, text):
    """A finite float from a metadata cell, or a ``ValueError`` naming record and column."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"{path}: record {i}, column {column} = {text.strip()!r}: event and "
                         "station metadata must be finite numbers")
    return value


def read_npz_records(npz_path, meta_path):
    """Records from an npz array of Z, N, E data and its metadata CSV.

    Parameters
    ----------
    npz_path, meta_path : str or path-like
        See the module docstring for their content.

    Returns
    -------
    list of EventRecord
        In the order of the files.

    Raises
    ------
    ValueError
        Naming the file and field: a missing array or column, a component
        axis that is not Z, N, E (missing components), a component that is
        all NaN, metadata that are empty or not finite (records without
        event or station metadata), sampling rates that differ between the
        components of a record or between the CSV and the npz, row counts
        that differ.
    """
    npz_path, meta_path = readable_file(npz_path), readable_file(meta_path)
    try:
        archive = np.load(npz_path, allow_pickle=False)
    except (ValueError, OSError) as err:
        raise ValueError(f"{npz_path}: cannot read as an npz file ({err})") from None
    with archive:
        if "data" not in archive.files:
            raise ValueError(f"{npz_path}: no array 'data'; expected data of shape "
                             "(records, 3, samples) with components Z, N, E")
        data = archive["data"]
        components = archive["components"] if "components" in archive.files else None
        rates = archive["sampling_rate_hz"] if "sampling_rate_hz" in archive.files else None
    if data.ndim != 3 or data.shape[1] != len(COMPONENTS):
        raise ValueError(f"{npz_path}: data has shape {data.shape}; expected (records, 3, "
                         "samples) with the three components Z, N, E")
    if components is not None and [str(c) for c in components] != list(COMPONENTS):
        raise ValueError(f"{npz_path}: components {[str(c) for c in components]}; expected "
                         f"{list(COMPONENTS)} (Z up, N, E) in that order")
    if rates is not None:
        rates = np.asarray(rates, dtype=float)
        if rates.shape not in ((data.shape[0],), (data.shape[0], len(COMPONENTS))):
            raise ValueError(f"{npz_path}: sampling_rate_hz has shape {rates.shape}; expected "
                             f"({data.shape[0]},), one rate per record, or ({data.shape[0]}, 3),"
                             " one per component")
        if rates.ndim == 2:
            for i, r in enumerate(rates):
                if not np.allclose(r, r[0], rtol=1e-6, atol=0.0):
                    raise ValueError(
                        f"{npz_path}: record {i}: sampling rates differ between components ("
                        + ", ".join(f"{c} {v:g} Hz" for c, v in zip(COMPONENTS, r))
                        + "); resample them to one rate first")
            rates = rates[:, 0]
    header, body = _metadata_rows(meta_path)
    if len(body) != data.shape[0]:
        raise ValueError(f"{meta_path}: {len(body)} records for the {data.shape[0]} of "
                         f"{npz_path}; one metadata row per record, in the same order")
    col = {c: header.index(c) for c in header}
    records = []
    for i, row in enumerate(body):
        station = row[col["station"]].strip()
        event = row[col["event_time_utc"]].strip()
        if not station or not event:
            raise ValueError(f"{meta_path}: record {i}: station and event_time_utc must not "
                             "be empty (records need event and station metadata)")
        baz, p_deg, t0, rate = (_number(meta_path, i, c, row[col[c]]) for c in
                                ("baz_deg", "p_slowness_s_per_deg", "t0_rel_p_s",
                                 "sampling_rate_hz"))
        if rate <= 0:
            raise ValueError(f"{meta_path}: record {i}: sampling_rate_hz = {rate!r}; must be > 0")
        if rates is not None and not math.isclose(float(rates[i]), rate, rel_tol=1e-6):
            raise ValueError(f"record {i}: sampling rate {rate!r} Hz in {meta_path} but "
                             f"{float(rates[i])!r} Hz in {npz_path}; they must agree")
        incidence = None
        if "p_incidence_deg" in col:
            incidence = _number(meta_path, i, "p_incidence_deg", row[col["p_incidence_deg"]])
        zne = np.asarray(data[i], dtype=float)
        for c, trace in zip(COMPONENTS, zne):
            if not np.isfinite(trace).any():
                raise ValueError(f"{npz_path}: record {i} ({station} {event}): component {c} "
                                 "holds no finite sample (missing component); each record "
                                 "needs Z, N and E")
        flag = row[col["flag"]].strip() if "flag" in col else "ok"
        name = (f"{row[col['network']].strip()}." if "network" in col else "") + station
        records.append(EventRecord(f"{name} {event[:19]}", station, zne, 1.0 / rate, t0, baz,
                                   float(ray_parameter_s_km_from_s_deg(p_deg)), incidence,
                                   flag or "ok"))
    return records


def _obspy():
    try:
        import obspy
    except ImportError as err:
        raise ImportError("reading SAC and miniSEED records needs obspy: "
                          "pip install bayesjoint[seismic]") from err
    return obspy


def _group_traces(traces):
    """Traces grouped into records: same station, location, band and time window."""
    groups = []
    for tr in sorted(traces, key=lambda t: (t.id, t.stats.starttime)):
        key = (tr.stats.network, tr.stats.station, tr.stats.location, tr.stats.channel[:-1])
        for g in groups:
            first = g["traces"][0].stats
            if (g["key"] == key and tr.stats.starttime < first.endtime
                    and first.starttime < tr.stats.endtime):
                g["traces"].append(tr)
                break
        else:
            groups.append({"key": key, "traces": [tr]})
    return groups


def _event_from_sac(tr):
    """``(origin, lat, lon, depth_km)`` from SAC headers, or None when absent."""
    sac = tr.stats.get("sac", {})
    if not all(k in sac for k in SAC_EVENT_HEADERS):
        return None
    origin = tr.stats.starttime - float(sac.get("b", 0.0)) + float(sac["o"])
    return origin, float(sac["evla"]), float(sac["evlo"]), float(sac["evdp"])


def read_stream_records(paths, *, events=None, inventory=None, format=None):
    """Records from SAC or miniSEED files (through obspy).

    Parameters
    ----------
    paths : list of str or path-like
        Files (glob patterns allowed); together they hold Z, N and E of
        each record.
    events : str or path-like, optional
        QuakeML catalogue, for files without SAC event headers.
    inventory : str or path-like, optional
        StationXML inventory, for files without SAC station headers.
    format : str, optional
        obspy format name; default: detected.

    Returns
    -------
    list of EventRecord
        Sorted by station and time.

    Raises
    ------
    ImportError
        If obspy is not installed.
    ValueError
        Naming the file and record: a record without Z, N or E (missing
        components), components at different sampling rates, a record with
        no event or station metadata (SAC headers absent and no catalogue
        or inventory that covers it), an event depth outside 0-800 km.
    """
    from bayesjoint.io.seismic_files import expand_paths

    obspy = _obspy()
    from obspy.geodetics import gps2dist_azimuth, locations2degrees
    from obspy.taup import TauPyModel

    files = expand_paths(paths)
    traces, origin = [], {}
    for path in files:
        try:
            stream = obspy.read(str(path), format=format)
        except Exception as err:  # obspy raises TypeError/ValueError/IOError by format
            raise ValueError(f"{path}: cannot read as a seismic trace file: {err}") from err
        for tr in stream:
            origin[id(tr)] = path
        traces.extend(stream)
    catalog = None if events is None else obspy.read_events(str(readable_file(events)))
    inv = None if inventory is None else obspy.read_inventory(str(readable_file(inventory)))
    taup = TauPyModel(TAUP_MODEL)
    records = []
    for g in _group_traces(traces):
        by_comp = {tr.stats.channel[-1]: tr for tr in g["traces"]}
        where = f"{origin[id(g['traces'][0])]}: record {g['traces'][0].id[:-1]}? starting " \
                f"{g['traces'][0].stats.starttime}"
        missing = [c for c in COMPONENTS if c not in by_comp]
        if missing:
            raise ValueError(f"{where}: component(s) {', '.join(missing)} missing (found "
                             f"{', '.join(sorted(by_comp))}); each record needs Z, N and E "
                             "(rotate 1/2 horizontals to N/E first)")
        rates = {c: float(by_comp[c].stats.sampling_rate) for c in COMPONENTS}
        if len({round(r, 6) for r in rates.values()}) > 1:
            raise ValueError(f"{where}: sampling rates differ between components ("
                             + ", ".join(f"{c} {r:g} Hz" for c, r in rates.items())
                             + "); resample them to one rate first")
        z = by_comp["Z"]
        sac = z.stats.get("sac", {})
        event = _event_from_sac(z)
        if event is None and catalog is not None:
            event = _event_from_catalog(catalog, z.stats.starttime)
        if all(k in sac for k in SAC_STATION_HEADERS):
            stla, stlo = float(sac["stla"]), float(sac["stlo"])
        elif inv is not None:
            try:
                coords = inv.get_coordinates(z.id, z.stats.starttime)
            except Exception:
                coords = None
            stla, stlo = (None, None) if coords is None else (coords["latitude"],
                                                               coords["longitude"])
        else:
            stla = stlo = None
        if event is None or stla is None:
            what = "event" if event is None else "station"
            raise ValueError(f"{where}: no {what} metadata; give SAC headers "
                             f"{', '.join(SAC_EVENT_HEADERS + SAC_STATION_HEADERS)} or "
                             "--events (QuakeML) and --inventory (StationXML) that cover it")
        t_origin, evla, evlo, evdp = event
        if not 0.0 <= evdp <= 800.0:
            raise ValueError(f"{where}: event depth {evdp!r} km outside 0-800 km (SAC evdp "
                             "is in km)")
        _, _, baz = gps2dist_azimuth(evla, evlo, stla, stlo)
        dist_deg = locations2degrees(evla, evlo, stla, stlo)  # great circle, as TauP
        arrivals = taup.get_travel_times(evdp, dist_deg, phase_list=["P"])
        start = max(tr.stats.starttime for tr in by_comp.values())
        npts = min(int((tr.stats.endtime - start) * rates["Z"] + 1e-6) + 1
                   for tr in by_comp.values())
        zne = np.stack([np.asarray(by_comp[c].slice(start).data[:npts], dtype=float)
                        for c in COMPONENTS])
        name = f"{g['key'][0]}.{g['key'][1]} {str(t_origin)[:19]}"
        if not arrivals:
            records.append(EventRecord(name, g["key"][1], zne, 1.0 / rates["Z"], math.nan,
                                       baz, math.nan, None, "no_direct_p"))
            continue
        p_arrival = arrivals[0]
        records.append(EventRecord(
            name, g["key"][1], zne, 1.0 / rates["Z"],
            float(start - (t_origin + p_arrival.time)), baz,
            float(ray_parameter_s_km_from_s_deg(p_arrival.ray_param_sec_degree)),
            float(p_arrival.incident_angle)))
    return records


def _event_from_catalog(catalog, start):
    """``(origin, lat, lon, depth_km)`` of the latest catalogue event that began at most
    :data:`CATALOG_LEAD_S` before ``start``, or None."""
    found = None
    for ev in catalog:
        o = ev.preferred_origin() or ev.origins[0]
        if o.time <= start <= o.time + CATALOG_LEAD_S and (found is None or o.time > found[0]):
            found = (o.time, o.latitude, o.longitude, (o.depth or 0.0) / 1000.0)
    return found
