"""Every configuration key is checked against its type, with the key's table in the message."""

import dataclasses
import types
import typing
from dataclasses import fields

import pytest

from bayesjoint.cli import main
from bayesjoint.io.config import (DATA_KEY_TYPES, SAMPLERS, SummaryConfig, load_config,
                                  parse_config)
from bayesjoint.io.datasets import CONFIG_KEYS
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers.config import InitialModel

WRONG = {int: [True, 8.5, "eight"], float: ["400", False], str: [1, True], bool: [1, "yes"]}
"""Values of the wrong type for each base type."""

MESSAGE = {int: "must be an integer", float: "must be a number", str: "must be a string",
           bool: "must be true or false"}


def _wrong(annotation):
    """Values of the wrong type for a key of type ``annotation``, and the message's words."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return _wrong(args[0])
    if origin is dict:
        return [1, "x", [1.0]], "must be a table of"
    if origin in (list, tuple):
        return [1.0, ["a"]], "must be a list of"
    if dataclasses.is_dataclass(annotation):
        return ["prior", 1], "must be a table"
    return WRONG[annotation], MESSAGE[annotation]


def _config(**tables):
    raw = {"data": [{"type": "mt", "file": "x.csv"}]}
    raw.update(tables)
    return raw


def _cases():
    tables = [("prior", PriorSpec, {}), ("summary", SummaryConfig, {})]
    tables += [("sampler", cls, {"method": method}) for method, cls in SAMPLERS.items()]
    for table, cls, fixed in tables:
        for f in fields(cls):
            values, message = _wrong(typing.get_type_hints(cls)[f.name])
            for value in values:
                yield pytest.param(_config(**{table: {**fixed, f.name: value}}),
                                   f"[{table}] {f.name} = ", message,
                                   id=f"{table}-{cls.__name__}-{f.name}-{value!r}")
    for f in fields(InitialModel):
        values, message = _wrong(typing.get_type_hints(InitialModel)[f.name])
        for value in values:
            start = {"top_depth_km": [0.0], "log10_sigma": [-2.0], f.name: value}
            yield pytest.param(_config(sampler={"method": "rjmcmc", "initial": start}),
                               f"[sampler.initial] {f.name} = ", message,
                               id=f"sampler-initial-{f.name}-{value!r}")


@pytest.mark.parametrize("raw, where, message", list(_cases()))
def test_every_dataclass_key_is_type_checked(raw, where, message):
    with pytest.raises(ValueError) as err:
        parse_config(raw)
    assert where in str(err.value) and message in str(err.value)


@pytest.mark.parametrize("raw, text", [
    (_config(prior={"n_layers": True}), "[prior] n_layers = true: must be an integer"),
    (_config(prior={"n_layers": 8.5}), "[prior] n_layers = 8.5: must be an integer"),
    (_config(prior={"n_layers": "eight"}), '[prior] n_layers = "eight": must be an integer'),
    (_config(summary={"depth_max_km": "400"}),
     '[summary] depth_max_km = "400": must be a number or "none"'),
    (_config(sampler={"method": 1}), "[sampler] method = 1: must be a string"),
    (_config(joint={"interfaces": True}), "[joint] interfaces = true: must be a string"),
    (_config(output={"dir": 3}), "[output] dir = 3: must be a string"),
    (_config(truth={"model": ["a"]}), '[truth] model = ["a"]: must be a string'),
    ({"data": [{"type": "mt", "file": 3}]}, "[data[0]] file = 3: must be a string"),
    ({"data": [{"type": "mt", "file": "x", "rel_error_floor": "5 %"}]},
     '[data[0]] rel_error_floor = "5 %": must be a number'),
    ({"data": [{"type": "mt", "file": "x", "static_shift_std_log10": [0.3]}]},
     '[data[0]] static_shift_std_log10 = [0.3]: must be a number'),
    ({"data": [{"type": "dst", "file": "x", "degree": 1.5}]},
     "[data[0]] degree = 1.5: must be an integer"),
    ({"data": [{"type": "rf", "file": "x", "std": [0.1, "a"]}]},
     '[data[0]] std = [0.1, "a"]: must be a number or a list of numbers'),
    ({"data": [{"type": "rf", "file": "x", "earth_flattening": "no"}]},
     '[data[0]] earth_flattening = "no": must be true or false'),
])
def test_wrong_type_names_the_key(raw, text):
    with pytest.raises(ValueError) as err:
        parse_config(raw)
    assert str(err.value) == text


def test_every_data_key_has_a_type():
    assert set().union(*CONFIG_KEYS.values()) == set(DATA_KEY_TYPES)


def test_accepted_conversions():
    cfg = parse_config(_config(prior={"n_layers": 8.0, "depth_max_km": 400,
                                      "smoothness_std": "none"},
                               sampler={"method": "rjmcmc", "t_max": 4}))
    assert cfg.prior.n_layers == 8 and type(cfg.prior.n_layers) is int
    assert cfg.prior.depth_max_km == 400.0 and type(cfg.prior.depth_max_km) is float
    assert cfg.prior.smoothness_std is None
    assert type(cfg.sampler.t_max) is float


def test_file_name_leads_the_message(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('[[data]]\ntype = "mt"\nfile = "x.csv"\n[prior]\nn_layers = true\n')
    with pytest.raises(ValueError, match=r"config.toml: \[prior\] n_layers = true: must be an "
                                         "integer"):
        load_config(path)
    assert main(["run", str(path)]) == 2
    assert "[prior] n_layers = true: must be an integer" in capsys.readouterr().err
