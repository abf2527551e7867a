"""docs/configuration.md gives every [[data]] key, CSV header and allowed value of the loaders."""

import pathlib
import re

import pytest

from bayesjoint.data.geomag import SHELL_LAWS
from bayesjoint.data.mt import MT_KINDS
from bayesjoint.data.rf import CORRELATION_LAWS, RF_NORMALIZATIONS
from bayesjoint.io.csv_files import MT_COLUMN_SETS, MT_COMPANION_COLUMNS
from bayesjoint.io.datasets import CONFIG_KEYS
from bayesjoint.io.geomag_files import (DST_COLUMN_SETS, DST_COMPANION_COLUMNS, SQ_COLUMNS,
                                       SQ_COMPANION_COLUMNS)
from bayesjoint.io.mt_files import COMPONENTS

DOC = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "configuration.md").read_text()

HEADING = re.compile(r'^### .*\(`type = "(\w+)"`\)$', re.MULTILINE)
ROW = re.compile(r"^\| `(\w+)` \|", re.MULTILINE)


def _data_tables_chapter():
    start = DOC.index("## Data tables")
    end = DOC.index("\n## ", start + 1)
    return DOC[start:end]


def _sections():
    """Text of each ``### ... (`type = "..."`)`` section, by type."""
    chapter = _data_tables_chapter()
    heads = list(HEADING.finditer(chapter))
    return {m.group(1): chapter[m.start():heads[i + 1].start() if i + 1 < len(heads) else None]
            for i, m in enumerate(heads)}


def _rows(text):
    """Key of each table row in ``text``."""
    return ROW.findall(text)


def _row(section, key):
    (line,) = [ln for ln in section.splitlines() if ln.startswith(f"| `{key}` |")]
    return line


def test_every_data_type_has_a_section():
    assert sorted(_sections()) == sorted(CONFIG_KEYS)


@pytest.mark.parametrize("dtype", sorted(CONFIG_KEYS))
def test_section_documents_exactly_the_keys_the_loader_accepts(dtype):
    chapter = _data_tables_chapter()
    common = _rows(chapter[:HEADING.search(chapter).start()])
    rows = _rows(_sections()[dtype])
    assert len(rows) == len(set(rows)), f"{dtype}: a key is documented twice"
    assert set(common) | set(rows) == CONFIG_KEYS[dtype]


@pytest.mark.parametrize("dtype, headers", [
    ("mt", MT_COLUMN_SETS.values()),
    ("dst", DST_COLUMN_SETS.values()),
    ("sq", [SQ_COLUMNS]),
])
def test_section_gives_the_csv_headers(dtype, headers):
    section = _sections()[dtype]
    for columns in headers:
        assert f"`{','.join(columns)}`" in section


@pytest.mark.parametrize("dtype, columns", [
    ("mt", MT_COMPANION_COLUMNS),
    ("dst", DST_COMPANION_COLUMNS),
    ("sq", SQ_COMPANION_COLUMNS),
])
def test_section_names_the_companion_columns(dtype, columns):
    section = _sections()[dtype]
    for col in columns:
        assert f"`{col}`" in section, col


@pytest.mark.parametrize("dtype, key, allowed", [
    ("mt", "component", COMPONENTS),
    ("mt", "kind", MT_KINDS),
    ("dst", "shell_law", SHELL_LAWS),
    ("sq", "shell_law", SHELL_LAWS),
    ("rf", "normalize", RF_NORMALIZATIONS),
    ("rf", "correlation", CORRELATION_LAWS),
])
def test_rows_list_the_allowed_values(dtype, key, allowed):
    row = _row(_sections()[dtype], key)
    value_column = row.split(" | ")[1]
    assert sorted(re.findall(r'`"(\w+)"`', value_column)) == sorted(allowed)


def _sampler_chapter():
    start = DOC.index("## Sampler settings")
    return DOC[start:DOC.index("\n## ", start + 1)]


def test_sampler_chapter_documents_every_setting_of_both_samplers():
    from dataclasses import fields

    from bayesjoint.samplers.config import NUTSConfig, RJMCMCConfig

    chapter = _sampler_chapter()
    table = chapter[:chapter.index("former name")]
    keys = {f.name for cls in (NUTSConfig, RJMCMCConfig) for f in fields(cls)}
    assert sorted(_rows(table)) == sorted(keys)


def test_sampler_chapter_lists_every_former_name():
    from bayesjoint.samplers.config import RENAMED

    chapter = _sampler_chapter()
    for old, new in RENAMED.items():
        assert f"| `{old}` | `{new}`" in chapter


def test_move_and_step_names_are_documented():
    from bayesjoint.samplers.moves import MOVES
    from bayesjoint.samplers.rjmcmc import ProposalScales

    chapter = _sampler_chapter()
    for name in MOVES + ProposalScales._fields:
        assert f"`{name}`" in chapter, name
