"""Read the dataset named by one ``[[data]]`` table of a run configuration.

Each data type's descriptor (:mod:`bayesjoint.datatypes`) lists the keys
its table may hold and has a loader taking the validated table (with
``file`` already resolved against the configuration's folder).
"""

from pathlib import Path

from bayesjoint.datatypes import DATA_TYPES
from bayesjoint.io.files import refuse_keys_for_csv

CONFIG_KEYS = {name: set(t.config_keys) for name, t in DATA_TYPES.items()}
"""Allowed keys of a ``[[data]]`` table, per data type (from each descriptor)."""

RENAMED_KEYS = {name: dict(t.renamed_keys) for name, t in DATA_TYPES.items()}
"""Former keys of a ``[[data]]`` table and their replacements, per data type."""


def load_mt(entry):
    """MT data from CSV (by extension) or EDI / EMTF-XML (through mt-metadata).

    ``rel_error_floor`` and ``static_shift_std_log10`` apply to every format;
    ``component`` and ``kind`` to EDI and EMTF-XML files only.
    """
    path = Path(entry["file"])
    shift = entry.get("static_shift_std_log10")
    if path.suffix.lower() == ".csv":
        from bayesjoint.io.csv_files import read_mt_csv

        refuse_keys_for_csv(entry, ("component", "kind"), "EDI and EMTF-XML files")
        return read_mt_csv(path, name=entry["name"], rel_error_floor=entry.get("rel_error_floor"),
                           static_shift_std_log10=shift)
    from bayesjoint.io.mt_files import read_mt_transfer_function

    kwargs = {k: entry[k] for k in ("component", "kind", "rel_error_floor") if k in entry}
    data = read_mt_transfer_function(path, name=entry["name"], **kwargs)
    try:
        return data.with_static_shift(shift)
    except ValueError as err:
        raise ValueError(f"data table {entry['name']!r} (file {path}): {err}") from err


def load_dataset(entry):
    """Load one validated ``[[data]]`` table into its dataset container.

    Raises
    ------
    ValueError
        For every problem with the file or the table's values; a value of
        the wrong type (a list where a number belongs, say) is named with
        the table and its file.
    """
    try:
        return DATA_TYPES[entry["type"]].load(entry)
    except TypeError as err:
        raise ValueError(f"data table {entry.get('name')!r} (file {entry['file']}): a value has "
                         f"the wrong type ({err}); see docs/configuration.md") from err
