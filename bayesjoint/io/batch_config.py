"""Batch configuration: one run configuration per station, validated before any station runs.

A batch file is a run configuration (:mod:`bayesjoint.io.config`) whose
``[[data]]``, ``[prior]``, ``[sampler]``, ``[summary]`` and ``[joint]``
tables are shared by every station, plus the stations (see
``docs/batch.md``)::

    [output]   dir = "batch"             # stations/<name>/ holds each station's run
    [[data]]   type = "dst", file = "{station}.csv", ...
    [batch]    files = "data/*.csv"      # or [stations.<name>] tables, or both
               coordinates = "sites.csv" # name,lat_deg,lon_deg
               depths_km = [400, 800]    # log10 conductivity reported at these depths
               map = "log10_sigma_800km_median"
               section = ["FRD", "KAK"]  # stations along the cross-section, in order
               cache_dir = "/shared/jax-cache"
    [stations.KAK]
               lat_deg = 36.2, lon_deg = 140.2
               file = "kak.csv"          # one [[data]] table; several: files = {dst = "..."}
               [stations.KAK.prior]      # overrides of the shared tables, key by key
               [stations.KAK.data.dst]   # overrides of one [[data]] table, by dataset name

Each station's table is merged into the shared tables and validated by
:func:`bayesjoint.io.config.parse_config`, so a station takes exactly the
keys a run takes; an error names the station (``stations.KAK.prior.k_max:
...``). A missing data file, two stations with one name, an unknown key
and data types that the shared prior and sampler cannot serve are refused
here, before any station starts.
"""

import copy
import csv
import glob
import re
from dataclasses import dataclass
from pathlib import Path

from bayesjoint.datatypes import DATA_TYPES
from bayesjoint.io.config import RunConfig, parse_config, read_toml
from bayesjoint.samplers.config import RJMCMCConfig, rjmcmc_run_arguments
from bayesjoint.samplers.rjmcmc import check_move_probs

STATION_PLACEHOLDER = "{station}"
"""Written in a shared ``[[data]]`` file path, replaced by each station's name."""

STATION_KEYS = ("lat_deg", "lon_deg", "file", "files", "data", "prior", "sampler", "summary")
"""Keys a ``[stations.<name>]`` table may hold."""

BATCH_KEYS = ("files", "coordinates", "depths_km", "map", "section", "cache_dir")
"""Keys of the ``[batch]`` table."""

COORDINATE_COLUMNS = ("name", "lat_deg", "lon_deg")
"""Columns a coordinates CSV must have (others are ignored)."""

STATION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
"""A station name: it names the station's folder."""

STATIONS_FOLDER = "stations"
"""Sub-folder of the batch output folder holding one run folder per station."""


@dataclass(frozen=True)
class Station:
    """One station of a batch.

    Attributes
    ----------
    name : str
    config : RunConfig
        The station's run configuration; its ``output_dir`` is
        ``<batch output>/stations/<name>``.
    lat_deg, lon_deg : float or None
        Geographic latitude and east longitude, degrees (None when not given).
    """

    name: str
    config: RunConfig
    lat_deg: float | None = None
    lon_deg: float | None = None

    @property
    def data_types(self):
        """Data types of the station's datasets, in table order, each once."""
        return tuple(dict.fromkeys(entry["type"] for entry in self.config.data))


@dataclass(frozen=True)
class BatchConfig:
    """A validated batch configuration.

    Attributes
    ----------
    file : Path
        The batch configuration file.
    output_dir : Path
        Batch output folder: ``stations/<name>/`` per station, the
        cross-station results beside it.
    stations : tuple of Station
    depths_km : tuple of float
        Depths at which ``stations.csv`` gives the posterior median and
        90 % interval of each profile field.
    map_quantity : str or None
        Column of ``stations.csv`` that colours the map (None: the first
        depth's median, or the mean number of layers without depths).
    section : tuple of str
        Stations along the cross-section, in order (empty: every station,
        in the order of the configuration).
    cache_dir : str or None
        JAX persistent compilation cache shared by the workers (None: the
        package's default, ``$BAYESJOINT_CACHE_DIR`` or
        ``~/.cache/bayesjoint/jax``).
    """

    file: Path
    output_dir: Path
    stations: tuple
    depths_km: tuple = ()
    map_quantity: str | None = None
    section: tuple = ()
    cache_dir: str | None = None


def load_batch_config(path) -> BatchConfig:
    """Read and validate a batch configuration file.

    Raises
    ------
    ValueError
        Naming the file, the station and the key: a missing data file, two
        stations with one name, an unknown key, data types that the shared
        prior and sampler cannot serve, or any invalid run setting.
    """
    path = Path(path)
    raw = read_toml(path)
    try:
        return parse_batch_config(raw, path)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None


def parse_batch_config(raw: dict, path) -> BatchConfig:
    """Validate a batch configuration dictionary (as read from ``path``)."""
    path = Path(path)
    base = path.parent.resolve()  # workers may run in another folder
    raw = copy.deepcopy(raw)
    batch = raw.pop("batch", {})
    station_tables = raw.pop("stations", {})
    for name, table in (("batch", batch), ("stations", station_tables)):
        if not isinstance(table, dict):
            raise ValueError(f"{name}: expected a table, got {type(table).__name__}")
    for key in batch:
        if key not in BATCH_KEYS:
            raise ValueError(f"batch.{key}: unknown key; allowed keys are "
                             f"{', '.join(BATCH_KEYS)}")
    output = raw.get("output", {})
    if not isinstance(output, dict) or not isinstance(output.get("dir", ""), str):
        raise ValueError("output.dir: must be a string (the batch output folder)")
    out_dir = base / output.get("dir", "batch")
    shared_data = raw.get("data")
    if isinstance(shared_data, dict):
        shared_data = [shared_data]
    if not shared_data or not all(isinstance(e, dict) for e in shared_data):
        raise ValueError("data: at least one [[data]] table is required")
    data_names = _data_names(shared_data)

    found = _stations_from_files(batch.get("files"), base, data_names)
    for name in station_tables:
        found.setdefault(name, {})
    if not found:
        raise ValueError("stations: no station; give [stations.<name>] tables or "
                         "batch.files (a glob of data files, one station each)")
    _check_names(found)
    coordinates = _read_coordinates(base / batch["coordinates"]) if "coordinates" in batch \
        else {}

    stations = []
    for name, from_file in found.items():
        table = station_tables.get(name, {})
        if not isinstance(table, dict):
            raise ValueError(f"stations.{name}: expected a table")
        for key in table:
            if key not in STATION_KEYS:
                raise ValueError(f"stations.{name}.{key}: unknown key; allowed keys are "
                                 f"{', '.join(STATION_KEYS)}")
        files = dict(from_file, **_station_files(name, table, data_names))
        config = _station_run_config(name, raw, shared_data, data_names, files, table,
                                     out_dir / STATIONS_FOLDER / name, base)
        lat, lon = coordinates.get(name, (None, None))
        lat = _coordinate(name, table, "lat_deg", lat, -90.0, 90.0)
        lon = _coordinate(name, table, "lon_deg", lon, -360.0, 360.0)
        stations.append(Station(name, config, lat, lon))

    depths = batch.get("depths_km", [])
    if (not isinstance(depths, list) or not all(isinstance(d, (int, float))
                                                and not isinstance(d, bool) and d >= 0
                                                for d in depths)):
        raise ValueError(f"batch.depths_km = {depths!r}: must be a list of depths >= 0 (km)")
    section = batch.get("section", [])
    if not isinstance(section, list) or not all(isinstance(s, str) for s in section):
        raise ValueError(f"batch.section = {section!r}: must be a list of station names")
    for s in section:
        if s not in found:
            raise ValueError(f"batch.section: no station is named {s!r}")
    for key in ("map", "cache_dir"):
        if key in batch and not isinstance(batch[key], str):
            raise ValueError(f"batch.{key} = {batch[key]!r}: must be a string")
    cache_dir = batch.get("cache_dir")
    if cache_dir is not None and cache_dir.lower() != "off":
        cache_dir = str((base / cache_dir).resolve())
    return BatchConfig(path, out_dir, tuple(stations), tuple(float(d) for d in depths),
                       batch.get("map"), tuple(section), cache_dir)


def _data_names(shared_data):
    """The dataset name of each shared ``[[data]]`` table (as :func:`parse_config` names it)."""
    names = []
    for i, entry in enumerate(shared_data):
        name = entry.get("name")
        if name is None:
            dtype = entry.get("type")
            name = f"{dtype}{i}" if len(shared_data) > 1 else str(dtype)
        names.append(name)
    return names


def _stations_from_files(pattern, base, data_names):
    """Stations named after the files matching ``batch.files``: ``{name: {dataset: file}}``."""
    if pattern is None:
        return {}
    if not isinstance(pattern, str):
        raise ValueError(f"batch.files = {pattern!r}: must be a string (a glob pattern)")
    if len(data_names) != 1:
        raise ValueError(f"batch.files: one station per file needs exactly one [[data]] "
                         f"table; there are {len(data_names)} ({', '.join(data_names)})")
    matches = sorted(glob.glob(str(base / pattern)))
    if not matches:
        raise ValueError(f"batch.files = {pattern!r}: no file matches")
    found = {}
    for match in matches:
        name = Path(match).stem
        if name in found:
            raise ValueError(f"batch.files: two stations are named {name!r} "
                             f"({found[name][data_names[0]]} and {match}); station names "
                             "come from the file names without their extension")
        found[name] = {data_names[0]: match}
    return found


def _check_names(found):
    folded = {}
    for name in found:
        if not STATION_NAME.match(name):
            raise ValueError(f"stations.{name}: a station name holds letters, digits, '_', "
                             "'.' and '-' only and starts with a letter or digit (it names "
                             "the station's folder)")
        key = name.lower()
        if key in folded:
            raise ValueError(f"stations.{name}: two stations are named {folded[key]!r} and "
                             f"{name!r}; their folders would be one on a case-insensitive "
                             "file system")
        folded[key] = name


def _station_files(name, table, data_names):
    """``{dataset: file}`` from a station's ``file`` or ``files`` key."""
    if "file" in table and "files" in table:
        raise ValueError(f"stations.{name}: give file or files, not both")
    if "file" in table:
        if not isinstance(table["file"], str):
            raise ValueError(f"stations.{name}.file = {table['file']!r}: must be a string")
        if len(data_names) != 1:
            raise ValueError(f"stations.{name}.file: the shared configuration has "
                             f"{len(data_names)} [[data]] tables ({', '.join(data_names)}); "
                             "give files = {<dataset> = <file>, ...}")
        return {data_names[0]: table["file"]}
    files = table.get("files", {})
    if not isinstance(files, dict):
        raise ValueError(f"stations.{name}.files: must be a table of dataset = file")
    for dataset, file in files.items():
        if dataset not in data_names:
            raise ValueError(f"stations.{name}.files.{dataset}: no [[data]] table is named "
                             f"{dataset!r}; the datasets are {', '.join(data_names)}")
        if not isinstance(file, str):
            raise ValueError(f"stations.{name}.files.{dataset} = {file!r}: must be a string")
    return files


def _station_run_config(name, raw, shared_data, data_names, files, table, out_dir, base):
    """The station's run configuration, checked as ``bayesjoint run`` checks one."""
    where = f"stations.{name}"
    overrides = table.get("data", {})
    if not isinstance(overrides, dict):
        raise ValueError(f"{where}.data: must be a table of dataset name = table")
    for dataset, keys in overrides.items():
        if dataset not in data_names:
            raise ValueError(f"{where}.data.{dataset}: no [[data]] table is named {dataset!r}; "
                             f"the datasets are {', '.join(data_names)}")
        if not isinstance(keys, dict):
            raise ValueError(f"{where}.data.{dataset}: must be a table")
    # a station that names its files uses only those datasets (the types may differ by station)
    chosen = ([i for i, n in enumerate(data_names) if n in files] if "files" in table
              else list(range(len(data_names))))
    data = []
    for i in chosen:
        entry = dict(shared_data[i], name=data_names[i], **overrides.get(data_names[i], {}))
        file = files.get(data_names[i], entry.get("file"))
        if file is None:
            raise ValueError(f"{where}: no file for dataset {data_names[i]!r}; give it in "
                             f"[[data]] (with {STATION_PLACEHOLDER}) or as the station's file")
        entry["file"] = str(base / str(file).replace(STATION_PLACEHOLDER, name))
        data.append(entry)
    station_raw = dict(raw, data=data, output={"dir": str(out_dir.resolve())})
    for key in ("prior", "sampler", "summary"):
        override = table.get(key, {})
        if not isinstance(override, dict):
            raise ValueError(f"{where}.{key}: must be a table")
        shared = raw.get(key, {})
        if override:
            if not isinstance(shared, dict):
                raise ValueError(f"{key}: expected a table")
            station_raw[key] = {**shared, **override}
    sampler = dict(station_raw.get("sampler", {}))
    sampler.setdefault("progress_bar", False)  # one line per station instead
    station_raw["sampler"] = sampler
    try:
        config = parse_config(station_raw, base)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None
    for i, entry in zip(chosen, config.data):
        if not Path(entry["file"]).exists() and not glob.glob(entry["file"]):
            raise ValueError(f"{where}: data file {entry['file']} (dataset "
                             f"{data_names[i]!r}) not found")
    _check_data_types_served(where, config)
    return config


def _check_data_types_served(where, config):
    """Refuse data types that the shared prior and sampler settings cannot serve."""
    types = [entry["type"] for entry in config.data]
    seismic = any(DATA_TYPES[t].needs_seismic for t in types)
    if not isinstance(config.sampler, RJMCMCConfig):
        return
    try:
        if config.sampler.move_probs is not None:
            check_move_probs(config.sampler.move_probs, config.prior, seismic)
        rjmcmc_run_arguments(config.sampler, config.prior,
                             [entry["name"] for entry in config.data], seismic)
    except ValueError as err:
        raise ValueError(f"{where}: data types {', '.join(dict.fromkeys(types))}: the shared "
                         f"settings cannot serve them: sampler.{err}") from None


def _coordinate(name, table, key, default, lo, hi):
    value = table.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise ValueError(f"stations.{name}.{key} = {value!r}: must be a number in "
                         f"[{lo:g}, {hi:g}] (degrees)")
    return float(value)


def _read_coordinates(path):
    """``{name: (lat_deg, lon_deg)}`` from a CSV with :data:`COORDINATE_COLUMNS`."""
    try:
        text = path.read_text()
    except OSError as err:
        raise ValueError(f"batch.coordinates: {path}: {err.strerror or err}") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    if not lines or not set(COORDINATE_COLUMNS) <= set(reader.fieldnames or ()):
        raise ValueError(f"batch.coordinates: {path}: needs the columns "
                         f"{','.join(COORDINATE_COLUMNS)}")
    out = {}
    for i, row in enumerate(reader, start=2):
        name = row["name"].strip()
        if name in out:
            raise ValueError(f"batch.coordinates: {path}: two rows for station {name!r}")
        try:
            out[name] = (float(row["lat_deg"]), float(row["lon_deg"]))
        except (TypeError, ValueError):
            raise ValueError(f"batch.coordinates: {path}: row {i} (station {name!r}): "
                             "lat_deg and lon_deg must be numbers") from None
    return out
