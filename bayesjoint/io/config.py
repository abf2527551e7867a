"""Run configuration from TOML, validated before anything runs.

A configuration file has these tables (see ``docs/configuration.md``)::

    [output]   dir = "results"            # relative to the file's folder
    [[data]]   type = "mt", file = "...", name = "mt", ...
    [prior]    fields of bayesjoint.model.prior.PriorSpec
    [sampler]  method = "nuts" | "rjmcmc", then the sampler's settings
    [summary]  depth_max_km = ..., n_depths = ...
    [joint]    interfaces = "shared" | "separate"
    [truth]    model = "true_model.csv"   # optional, for synthetic tests

An unknown key or an invalid value raises ``ValueError`` naming the key's
path (for example ``prior.log10_sigma_min``) and what is allowed.
"""

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from bayesjoint.io.datasets import CONFIG_KEYS
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers.config import RJMCMCConfig
from bayesjoint.samplers.nuts import NUTSConfig

SAMPLERS = {"nuts": NUTSConfig, "rjmcmc": RJMCMCConfig}
"""Settings class of each ``sampler.method``."""

INTERFACE_COUPLINGS = ("shared", "separate")
"""Values of ``joint.interfaces`` (see :func:`bayesjoint.workflow.coupling_groups`)."""


@dataclass(frozen=True)
class SummaryConfig:
    """Depth grid of the summaries: ``n_depths`` points from 0 to ``depth_max_km``."""

    depth_max_km: float | None = None
    n_depths: int = 200

    def __post_init__(self):
        if self.depth_max_km is not None and not self.depth_max_km > 0:
            raise ValueError(f"depth_max_km = {self.depth_max_km!r}: must be > 0")
        if not (isinstance(self.n_depths, int) and self.n_depths >= 2):
            raise ValueError(f"n_depths = {self.n_depths!r}: must be an integer >= 2")


@dataclass(frozen=True)
class RunConfig:
    """A validated run configuration."""

    output_dir: Path
    data: tuple
    prior: PriorSpec = field(default_factory=PriorSpec)
    sampler_method: str = "nuts"
    sampler: NUTSConfig | RJMCMCConfig = field(default_factory=NUTSConfig)
    summary: SummaryConfig = field(default_factory=SummaryConfig)
    truth_model: Path | None = None
    interfaces: str = "shared"


def _fields(cls):
    return {f.name for f in fields(cls)}


def _check_keys(table, allowed, path):
    if not isinstance(table, dict):
        raise ValueError(f"{path}: expected a table, got {type(table).__name__}")
    for key in table:
        if key not in allowed:
            raise ValueError(
                f"{path}.{key}: unknown key; allowed keys are {', '.join(sorted(allowed))}")


def _build(cls, table, path, allowed=None):
    allowed = _fields(cls) if allowed is None else allowed
    _check_keys(table, allowed, path)
    try:
        return cls(**{k: v for k, v in table.items() if k in _fields(cls)})
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path}: {err}") from None


def parse_config(raw: dict, base_dir=".") -> RunConfig:
    """Validate a configuration dictionary (as read from TOML).

    Parameters
    ----------
    raw : dict
    base_dir : path-like
        Folder that relative paths in the configuration refer to.
    """
    base = Path(base_dir)
    _check_keys(raw, {"output", "data", "prior", "sampler", "summary", "truth", "joint"},
                "config")

    output = raw.get("output", {})
    _check_keys(output, {"dir"}, "output")
    out_dir = base / output.get("dir", "results")

    data = raw.get("data")
    if not data:
        raise ValueError("data: at least one [[data]] table is required")
    if isinstance(data, dict):
        data = [data]
    checked = []
    for i, entry in enumerate(data):
        path = f"data[{i}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: expected a table")
        dtype = entry.get("type")
        if dtype not in CONFIG_KEYS:
            raise ValueError(f"{path}.type = {dtype!r}: allowed values are {tuple(CONFIG_KEYS)}")
        _check_keys(entry, CONFIG_KEYS[dtype], path)
        if "file" not in entry:
            raise ValueError(f"{path}.file: missing; give the path of the data file")
        resolved = dict(entry, file=str(base / entry["file"]))
        resolved.setdefault("name", f"{dtype}{i}" if len(data) > 1 else dtype)
        checked.append(resolved)

    prior = _build(PriorSpec, raw.get("prior", {}), "prior")

    sampler_raw = dict(raw.get("sampler", {}))
    method = sampler_raw.pop("method", "nuts")
    if method not in SAMPLERS:
        raise ValueError(f"sampler.method = {method!r}: allowed values are {tuple(SAMPLERS)}")
    sampler = _build(SAMPLERS[method], sampler_raw, "sampler")

    summary = _build(SummaryConfig, raw.get("summary", {}), "summary")

    truth = raw.get("truth", {})
    _check_keys(truth, {"model"}, "truth")
    truth_model = base / truth["model"] if "model" in truth else None

    joint = raw.get("joint", {})
    _check_keys(joint, {"interfaces"}, "joint")
    interfaces = joint.get("interfaces", "shared")
    if interfaces not in INTERFACE_COUPLINGS:
        raise ValueError(f"joint.interfaces = {interfaces!r}: allowed values are "
                         f"{INTERFACE_COUPLINGS}")

    return RunConfig(out_dir, tuple(checked), prior, method, sampler, summary, truth_model,
                     interfaces)


def load_config(path) -> RunConfig:
    """Read and validate a TOML configuration file."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not valid TOML: {err}") from None
    return parse_config(raw, path.parent)
