"""Read the dataset named by one ``[[data]]`` table of a run configuration.

Each data type lists the keys its table may hold (:data:`CONFIG_KEYS`) and
has a loader taking the validated table (with ``file`` already resolved
against the configuration's folder).
"""

import importlib
from pathlib import Path

from bayesjoint.io.files import refuse_keys_for_csv

CONFIG_KEYS = {
    "mt": {"type", "file", "name", "component", "kind", "rel_error_floor"},
    "dst": {"type", "file", "name", "degree", "shell_law", "core_depth_km", "core_sigma_s_per_m"},
    "sq": {"type", "file", "name", "colat_deg", "lon_deg", "shell_law", "core_depth_km",
           "core_sigma_s_per_m"},
    "rf": {"type", "file", "name", "format", "gauss", "std", "ray_parameter_s_km", "shift_s",
           "normalize", "correlation", "correlation_s", "correlation_s_bounds",
           "earth_flattening"},
}
"""Allowed keys of a ``[[data]]`` table, per data type."""

LOADERS = {
    "mt": "bayesjoint.io.datasets:load_mt",
    "dst": "bayesjoint.io.geomag_files:load_dst",
    "sq": "bayesjoint.io.geomag_files:load_sq",
    "rf": "bayesjoint.io.seismic_files:load_rf",
}
"""``module:function`` loading each data type from its table."""


def load_mt(entry):
    """MT data from CSV (by extension) or EDI / EMTF-XML (through mt-metadata)."""
    path = Path(entry["file"])
    if path.suffix.lower() == ".csv":
        from bayesjoint.io.csv_files import read_mt_csv

        refuse_keys_for_csv(entry, ("component", "kind", "rel_error_floor"),
                            "EDI and EMTF-XML files")

        return read_mt_csv(path, name=entry["name"])
    from bayesjoint.io.mt_files import read_mt_transfer_function

    kwargs = {k: entry[k] for k in ("component", "kind", "rel_error_floor") if k in entry}
    return read_mt_transfer_function(path, name=entry["name"], **kwargs)


def load_dataset(entry):
    """Load one validated ``[[data]]`` table into its dataset container.

    Raises
    ------
    ValueError
        For every problem with the file or the table's values; a value of
        the wrong type (a list where a number belongs, say) is named with
        the table and its file.
    """
    module, func = LOADERS[entry["type"]].split(":")
    try:
        return getattr(importlib.import_module(module), func)(entry)
    except TypeError as err:
        raise ValueError(f"data table {entry.get('name')!r} (file {entry['file']}): a value has "
                         f"the wrong type ({err}); see docs/configuration.md") from err
