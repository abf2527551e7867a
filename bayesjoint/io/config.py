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
path (for example ``prior.log10_sigma_min``) and what is allowed. Every
value is first checked against the type of its key (the dataclass field
types of the prior, sampler and summary settings; :data:`DATA_KEY_TYPES`
for ``[[data]]`` tables): ``true`` is not an integer, ``8.5`` is not an
integer (``8.0`` is), an integer is a number, a string is not a number.
An optional setting (type ``X | None``) is switched off with the string
``"none"``, since TOML has no null value. A sampler setting under a former
name (:data:`bayesjoint.samplers.config.RENAMED`, for example
``num_chains``), or a ``[[data]]`` key under a former name
(:data:`bayesjoint.io.datasets.RENAMED_KEYS`, for example ``gauss`` of
receiver functions, now ``gauss_rad_s``), is refused with a message naming
its replacement.

The reversible-jump settings ``move_probs``, ``proposal_scales`` and
``initial`` are tables inside ``[sampler]`` (``[sampler.move_probs]``, ...),
checked key by key: move names, step names, layer counts, dataset names.
"""

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path

from bayesjoint.data.checks import refuse_renamed
from bayesjoint.io.datasets import CONFIG_KEYS, RENAMED_KEYS
from bayesjoint.model.prior import PriorSpec
from bayesjoint.resources import check_sampler_size
from bayesjoint.samplers.config import (RENAMED, RENAMED_NOTES, InitialModel, NUTSConfig,
                                       RJMCMCConfig)
from bayesjoint.samplers.rjmcmc import check_move_probs

SAMPLERS = {"nuts": NUTSConfig, "rjmcmc": RJMCMCConfig}
"""Settings class of each ``sampler.method``."""

DATA_KEY_TYPES = {
    "type": str, "file": str, "name": str, "component": str, "kind": str,
    "rel_error_floor": float, "static_shift_std_log10": float, "degree": int, "shell_law": str,
    "core_depth_km": float, "core_sigma_s_per_m": float, "colat_deg": float, "lon_deg": float,
    "format": str, "gauss_rad_s": float, "std": float | list[float],
    "ray_parameter_s_km": float | list[float],
    "shift_s": float, "normalize": str, "correlation": str, "correlation_s": float,
    "correlation_s_bounds": list[float], "earth_flattening": bool, "wrap_free": bool,
}
"""Type of every key a ``[[data]]`` table may hold (the keys of
:data:`bayesjoint.io.datasets.CONFIG_KEYS`)."""

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


def _toml(value):
    """A value written as in TOML (``true``, ``"eight"``, ``8.5``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return repr(value)


_TYPE_WORDS = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
_PLURAL_WORDS = {int: "integers", float: "numbers", str: "strings"}


def _describe(annotation):
    """Words for a type annotation: ``"an integer"``, ``"a number or a list of numbers"``."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        words = [_describe(a) for a in args if a is not type(None)]
        return " or ".join(words) + (' or "none"' if type(None) in args else "")
    if typing.get_origin(annotation) in (list, tuple) or annotation in (list, tuple):
        item = args[0] if args else float
        return "a list of " + _PLURAL_WORDS[item]
    if typing.get_origin(annotation) is dict:
        return "a table of " + " or ".join(_plural(a) for a in _union_args(args[1]))
    if dataclasses.is_dataclass(annotation):
        return "a table"
    return _TYPE_WORDS[annotation]


def _union_args(annotation):
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def _plural(annotation):
    """``"numbers"``, ``"lists of numbers"``."""
    if typing.get_origin(annotation) in (list, tuple):
        return "lists of " + _PLURAL_WORDS[typing.get_args(annotation)[0]]
    return _PLURAL_WORDS[annotation]


def _convert(value, annotation):
    """``value`` as ``annotation``, or raise ``TypeError``.

    bool is not an int; an integral float is an int; an int is a float;
    the string ``"none"`` is None where None is allowed; a list stays a list
    (a tuple field gets a tuple).
    """
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        if type(None) in args and isinstance(value, str) and value.lower() == "none":
            return None
        for a in args:
            if a is type(None):
                continue
            try:
                return _convert(value, a)
            except TypeError:
                pass
        raise TypeError
    if origin is dict:
        if not isinstance(value, dict):
            raise TypeError
        return {k: _convert(v, args[1]) for k, v in value.items()}
    if dataclasses.is_dataclass(annotation):  # built by _build before
        if isinstance(value, annotation):
            return value
        raise TypeError
    if origin in (list, tuple) or annotation in (list, tuple):
        if not isinstance(value, list):
            raise TypeError
        item = args[0] if args else float
        items = [_convert(v, item) for v in value]
        return tuple(items) if tuple in (origin, annotation) else items
    if annotation is bool:
        if isinstance(value, bool):
            return value
        raise TypeError
    if isinstance(value, bool):
        raise TypeError
    if annotation is int:
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise TypeError
    if annotation is float:
        if isinstance(value, (int, float)):
            return float(value)
        raise TypeError
    if annotation is str:
        if isinstance(value, str):
            return value
        raise TypeError
    if annotation is Path:  # paths are written as strings
        if isinstance(value, str):
            return value
        raise TypeError
    raise TypeError


def _typed(table, key_types, where):
    """The table with every value converted to its key's type.

    Raises
    ------
    ValueError
        ``[where] key = value: must be ...`` for the first value of the wrong type.
    """
    out = {}
    for key, value in table.items():
        if key not in key_types:
            out[key] = value
            continue
        try:
            out[key] = _convert(value, key_types[key])
        except TypeError:
            raise ValueError(f"[{where}] {key} = {_toml(value)}: must be "
                             f"{_describe(key_types[key])}") from None
    return out


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
    table = _typed(table, typing.get_type_hints(cls), path)
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
    output = _typed(output, {"dir": str}, "output")
    out_dir = base / output.get("dir", "results")

    data = raw.get("data")
    if not data:
        raise ValueError("data: at least one [[data]] table is required")
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise ValueError(f"data = {data!r}: must be one or more [[data]] tables")
    checked = []
    for i, entry in enumerate(data):
        path = f"data[{i}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: expected a table")
        entry = _typed(entry, DATA_KEY_TYPES, path)
        dtype = entry.get("type")
        if dtype not in CONFIG_KEYS:
            raise ValueError(f"{path}.type = {dtype!r}: allowed values are {tuple(CONFIG_KEYS)}")
        refuse_renamed(entry, RENAMED_KEYS[dtype], prefix=f"{path}.")
        _check_keys(entry, CONFIG_KEYS[dtype], path)
        if "file" not in entry:
            raise ValueError(f"{path}.file: missing; give the path of the data file")
        resolved = dict(entry, file=str(base / entry["file"]))
        resolved.setdefault("name", f"{dtype}{i}" if len(data) > 1 else dtype)
        checked.append(resolved)

    prior = _build(PriorSpec, raw.get("prior", {}), "prior")

    sampler_raw = raw.get("sampler", {})
    if not isinstance(sampler_raw, dict):
        raise ValueError(f"sampler: expected a table, got {type(sampler_raw).__name__}")
    sampler_raw = _typed(sampler_raw, {"method": str}, "sampler")
    method = sampler_raw.pop("method", "nuts")
    if method not in SAMPLERS:
        raise ValueError(f"sampler.method = {method!r}: allowed values are {tuple(SAMPLERS)}")
    refuse_renamed(sampler_raw, RENAMED, prefix="sampler.", notes=RENAMED_NOTES)
    if method == "rjmcmc" and isinstance(sampler_raw.get("initial"), dict):
        sampler_raw["initial"] = _build(InitialModel, sampler_raw["initial"], "sampler.initial")
    sampler = _build(SAMPLERS[method], sampler_raw, "sampler")
    if method == "rjmcmc":
        _check_rjmcmc_against(sampler, prior, [entry["name"] for entry in checked])

    summary = _build(SummaryConfig, raw.get("summary", {}), "summary")

    truth = raw.get("truth", {})
    _check_keys(truth, {"model"}, "truth")
    truth = _typed(truth, {"model": str}, "truth")
    truth_model = base / truth["model"] if "model" in truth else None

    joint = raw.get("joint", {})
    _check_keys(joint, {"interfaces"}, "joint")
    joint = _typed(joint, {"interfaces": str}, "joint")
    interfaces = joint.get("interfaces", "shared")
    if interfaces not in INTERFACE_COUPLINGS:
        raise ValueError(f"joint.interfaces = {interfaces!r}: allowed values are "
                         f"{INTERFACE_COUPLINGS}")

    _check_draws_fit(prior, sampler)
    return RunConfig(out_dir, tuple(checked), prior, method, sampler, summary, truth_model,
                     interfaces)


def _check_rjmcmc_against(sampler, prior, dataset_names):
    """The reversible-jump settings that depend on the prior or on the datasets.

    The seismic moves are checked when the datasets are loaded (the
    sampler then knows whether Vs and Vp/Vs are sampled).
    """
    if sampler.move_probs is not None:
        try:
            check_move_probs(sampler.move_probs, prior, seismic=True)
        except ValueError as err:
            raise ValueError(f"sampler.{err}") from None
    start = sampler.initial
    if start is None:
        return
    k = len(start.top_depth_km)
    if not prior.k_min <= k <= prior.k_max:
        raise ValueError(f"sampler.initial.top_depth_km has {k} layers: need k_min = "
                         f"{prior.k_min} to k_max = {prior.k_max}")
    if start.top_depth_km[-1] >= prior.depth_max_km:
        raise ValueError(f"sampler.initial.top_depth_km = {list(start.top_depth_km)}: every "
                         f"layer top must lie above prior.depth_max_km = {prior.depth_max_km}")
    for name in start.noise_scale or {}:
        if name not in dataset_names:
            raise ValueError(f"sampler.initial.noise_scale.{name}: no dataset has this name; "
                             f"the datasets are {', '.join(dataset_names)}")


def _check_draws_fit(prior, sampler):
    """Refuse a run whose kept draws would not fit in memory, before anything runs.

    Per kept draw: every per-layer property (log10 conductivity, Vs, Vp/Vs)
    and the interfaces at full capacity, plus a few scalars.
    """
    if isinstance(sampler, NUTSConfig):
        chains, draws, layers = (sampler.n_chains, sampler.n_sampling // sampler.thin,
                                 prior.n_layers)
    else:
        chains = sampler.n_chains
        draws = (sampler.n_iterations - sampler.n_burn) // sampler.thin
        layers = prior.k_max
    check_sampler_size(chains, max(draws, 1), 4 * layers + 8)


def read_toml(path) -> dict:
    """The tables of a TOML file, or a ValueError naming the file and what is wrong."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not valid TOML: {err}") from None
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not a UTF-8 text file (TOML): {err.reason} at byte "
                         f"{err.start}") from None
    except OSError as err:
        raise ValueError(f"{path}: cannot read the configuration file: "
                         f"{err.strerror or err}") from None


def load_config(path) -> RunConfig:
    """Read and validate a TOML configuration file."""
    path = Path(path)
    raw = read_toml(path)
    try:
        return parse_config(raw, path.parent)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None
