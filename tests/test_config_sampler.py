"""The [sampler] table: one vocabulary for both samplers, every reversible-jump setting."""

import inspect
import json
from dataclasses import fields, replace

import numpy as np
import pytest

import bayesjoint  # noqa: F401
from bayesjoint.cli import main
from bayesjoint.datasets import synthetic_mt
from bayesjoint.earth import LayeredEarth
from bayesjoint.io.config import parse_config
from bayesjoint.io.csv_files import write_mt_csv
from bayesjoint.model.prior import PriorSpec
from bayesjoint.samplers import rjmcmc
from bayesjoint.samplers import run as rj_run
from bayesjoint.samplers.config import (RENAMED, RUN_ONLY_FIELDS, InitialModel, RJMCMCConfig,
                                        rjmcmc_run_arguments)

PRIOR = {"interfaces": "sampled", "k_min": 1, "k_max": 6, "depth_max_km": 300.0,
         "min_thickness_km": 5.0}


def _config(sampler, prior=PRIOR, names=("mt",)):
    return {"data": [{"type": "mt", "file": f"{n}.csv", "name": n} for n in names],
            "prior": dict(prior), "sampler": {"method": "rjmcmc", **sampler}}


FULL = {
    "target_acceptance": 0.4, "batch": "vmap", "n_devices": 2, "n_depth_bins": 4,
    "move_probs": {"birth": 0.2, "death": 0.2, "move": 0.1, "perturb": 0.4, "noise": 0.1},
    "proposal_scales": {"interface_km": [1.0, 2.0, 4.0, 8.0], "value": 0.3, "noise_log": 0.1,
                        "delay_interface_km": [3.0]},
    "initial": {"top_depth_km": [0.0, 20.0, 80.0], "log10_sigma": [-3.0, -1.5, -2.0],
                "noise_scale": {"sq": 2.0}},
}


def test_every_reversible_jump_setting_reaches_the_sampler_from_toml():
    cfg = parse_config(_config(FULL, names=("mt", "sq")))
    s = cfg.sampler
    assert s.target_acceptance == 0.4 and s.batch == "vmap" and s.n_devices == 2
    assert s.move_probs == FULL["move_probs"]
    assert s.initial == InitialModel((0.0, 20.0, 80.0), (-3.0, -1.5, -2.0),
                                     noise_scale={"sq": 2.0})
    spec = cfg.prior
    args = rjmcmc_run_arguments(s, spec, ["mt", "sq"], seismic=False)
    default = rjmcmc.default_proposal_scales(spec, 4)
    assert args["proposal_scales"] == default._replace(
        interface_km=[1.0, 2.0, 4.0, 8.0], value=0.3, noise_log=0.1, delay_interface_km=[3.0])
    assert args["move_probs"] == FULL["move_probs"] and args["target_acceptance"] == 0.4
    start = args["initial"]
    assert int(start.n_layers) == 3 and start.k_max == spec.k_max
    np.testing.assert_array_equal(np.asarray(start.interface_depth_km)[:2], [20.0, 80.0])
    np.testing.assert_array_equal(args["initial_noise_scale"], [1.0, 2.0])
    assert args["batch"] == "vmap" and args["n_devices"] == 2 and args["n_datasets"] == 2


def test_one_mapping_covers_every_run_argument_and_every_setting():
    """The mapping gives every argument of run() and every setting changes one of them."""
    spec = PriorSpec(**PRIOR)
    base = RJMCMCConfig()
    args = rjmcmc_run_arguments(base, spec, ["mt"], seismic=False)
    given_by_caller = {"log_likelihood_fn", "spec", "out_dir", "depth_grid_km", "resume"}
    assert set(args) == set(inspect.signature(rj_run.run).parameters) - given_by_caller
    other = {"n_chains": 2, "n_iterations": 30000, "n_burn": 5000, "thin": 5, "chunk_size": 500,
             "seed": 3, "target_acceptance": 0.25, "progress_bar": False, "n_temperatures": 3,
             "t_max": 4.0, "birth": "neighbour", "move_probs": {"perturb": 1.0},
             "proposal_scales": {"value": 0.5},
             "initial": InitialModel((0.0, 10.0), (-2.0, -1.0)), "until_converged": True,
             "rhat_max": 1.05, "ess_min": 100.0, "time_budget_s": 60.0, "n_depth_bins": 4,
             "adapt_ladder": False, "batch": "map", "n_devices": 1}
    assert set(other) == {f.name for f in fields(RJMCMCConfig)} - set(RUN_ONLY_FIELDS)

    def differs(a, b):
        try:
            return bool(np.any(np.asarray(a) != np.asarray(b)))
        except ValueError:  # different shapes
            return True

    for name, value in other.items():
        changed = rjmcmc_run_arguments(replace(base, **{name: value}), spec, ["mt"], False)
        assert any(differs(changed[k], args[k]) if not isinstance(args[k], LayeredEarth)
                   else changed[k] is not args[k] for k in args), name


@pytest.mark.parametrize("method", ["nuts", "rjmcmc"])
@pytest.mark.parametrize("old, new", sorted(RENAMED.items()))
def test_former_names_are_refused_in_toml(method, old, new):
    raw = {"data": [{"type": "mt", "file": "x.csv"}], "sampler": {"method": method, old: 1}}
    with pytest.raises(ValueError, match=rf"^sampler\.{old}: renamed; use sampler\.{new}"):
        parse_config(raw)


@pytest.mark.parametrize("sampler, match", [
    ({"move_probs": {"birthh": 0.5, "death": 0.5}},
     r"move_probs\.birthh: unknown move; allowed moves are birth, death, move, perturb"),
    ({"move_probs": {"birth": 0.5, "death": 0.7}}, r"move_probs: the probabilities sum to 1\.2"),
    ({"move_probs": {"birth": -0.5, "death": 0.5, "perturb": 1.0}},
     r"move_probs\.birth = -0\.5: must be a number in \[0, 1\]"),
    ({"move_probs": {"birth": 0.5, "perturb": 0.5}}, "birth and death must both be > 0 or both 0"),
    ({"move_probs": 0.5}, r"\[sampler\] move_probs = 0\.5: must be a table of numbers"),
    ({"move_probs": {"perturb": "all"}},
     r'\[sampler\] move_probs = \{perturb = "all"\}: must be a table of numbers'),
    ({"proposal_scales": {"valu": 0.1}},
     r"proposal_scales\.valu: unknown step; allowed names are interface_km, value, vs"),
    ({"proposal_scales": {"value": 0.0}}, r"proposal_scales\.value = 0\.0: must be finite and > 0"),
    ({"proposal_scales": {"interface_km": [1.0, -2.0]}, "n_depth_bins": 2},
     r"proposal_scales\.interface_km = \[1\.0, -2\.0\]: must be finite and > 0"),
    ({"proposal_scales": {"value": [0.1, 0.2, 0.3]}},
     r"proposal_scales\.value has 3 values: give one, or one per depth bin \(n_depth_bins = 8\)"),
    ({"proposal_scales": {"noise_log": [0.1]}},
     r"proposal_scales\.noise_log = \[0\.1\]: must be one number \(only interface_km, value, "
     r"vs, vp_vs, delay_interface_km take one value per depth bin\)"),
    ({"proposal_scales": {"value": "big"}},
     r"\[sampler\] proposal_scales = \{value = \"big\"\}: must be a table of numbers or lists "
     "of numbers"),
    ({"target_acceptance": 0.0}, r"target_acceptance = 0\.0: must lie in \(0, 1\)"),
    ({"target_acceptance": 1.5}, r"target_acceptance = 1\.5: must lie in \(0, 1\)"),
    ({"target_acceptance": "high"}, r"\[sampler\] target_acceptance = \"high\": must be a number"),
    ({"batch": "threads"}, r"batch = 'threads': allowed values are \('map', 'vmap'\)"),
    ({"n_devices": 3}, r"n_devices = 3: must divide n_chains = 4"),
    ({"initial": {"top_depth_km": [0.0, 20.0], "log10_sigma": [-2.0]}},
     r"sampler\.initial: log10_sigma has 1 values but top_depth_km has 2"),
    ({"initial": {"top_depth_km": [0.0, 20.0, 20.0], "log10_sigma": [-2.0] * 3}},
     r"sampler\.initial: top_depth_km\[2\] = 20\.0 does not exceed top_depth_km\[1\]"),
    ({"initial": {"top_depth_km": [5.0], "log10_sigma": [-2.0]}},
     r"sampler\.initial: top_depth_km\[0\] = 5\.0: the first layer must start at 0 km"),
    ({"initial": {"top_depth_km": [0.0], "log10_sigma": [-2.0], "vs_km_s": [3.0]}},
     r"sampler\.initial: give both vs_km_s and vp_vs, or neither"),
    ({"initial": {"top_depth_km": [0.0], "log10_sigma": [-2.0], "colour": 1}},
     r"sampler\.initial\.colour: unknown key; allowed keys are log10_sigma, noise_scale"),
    ({"initial": {"top_depth_km": [0.0, 10, 20, 30, 40, 50, 60],
                  "log10_sigma": [-2.0] * 7}},
     r"sampler\.initial\.top_depth_km has 7 layers: need k_min = 1 to k_max = 6"),
    ({"initial": {"top_depth_km": [0.0, 400.0], "log10_sigma": [-2.0, -1.0]}},
     r"every layer top must lie above prior\.depth_max_km = 300\.0"),
    ({"initial": {"top_depth_km": [0.0], "log10_sigma": [-2.0], "noise_scale": {"sq": 1.0}}},
     r"sampler\.initial\.noise_scale\.sq: no dataset has this name; the datasets are mt"),
    ({"initial": {"top_depth_km": [0.0], "log10_sigma": [-2.0], "noise_scale": {"mt": 0.0}}},
     r"noise_scale\.mt = 0\.0: must be a number > 0"),
    ({"initial": "start.csv"}, r'\[sampler\] initial = "start.csv": must be a table or "none"'),
])
def test_bad_sampler_settings_name_the_key(sampler, match):
    with pytest.raises(ValueError, match=match):
        parse_config(_config(sampler))


def test_move_probabilities_are_checked_against_the_prior_and_the_data():
    no_noise = dict(PRIOR, hierarchical_noise=False)
    with pytest.raises(ValueError, match=r"sampler\.move_probs\['noise'\] = 0\.5: must be 0"):
        parse_config(_config({"move_probs": {"perturb": 0.5, "noise": 0.5}}, prior=no_noise))
    from bayesjoint.workflow import _rjmcmc_arguments

    data = [synthetic_mt(LayeredEarth.from_layers([0.0], [0.01]), np.logspace(0, 3, 5))]
    config = RJMCMCConfig(move_probs={"perturb": 0.5, "perturb_vs": 0.5})
    with pytest.raises(ValueError, match=r"sampler\.move_probs\['perturb_vs'\] = 0\.5: must "
                                         "be 0 for a model without Vs"):
        _rjmcmc_arguments(data, PriorSpec(**PRIOR), config)
    config = RJMCMCConfig(initial=InitialModel((0.0,), (-2.0,), vs_km_s=(3.5,), vp_vs=(1.8,)))
    with pytest.raises(ValueError, match="sampler.initial: vs_km_s and vp_vs are sampled only"):
        _rjmcmc_arguments(data, PriorSpec(**PRIOR), config)


RUN = """
[output]
dir = "out"
[[data]]
type = "mt"
file = "mt.csv"
[prior]
interfaces = "sampled"
k_min = 1
k_max = 6
depth_max_km = 300.0
min_thickness_km = 5.0
[sampler]
method = "rjmcmc"
n_iterations = 1000
n_burn = 500
n_chains = 1
thin = 10
chunk_size = 500
target_acceptance = 0.4
progress_bar = false
[sampler.move_probs]
birth = 0.25
death = 0.25
perturb = 0.5
[sampler.proposal_scales]
value = 0.2
interface_km = [5.0]
[sampler.initial]
top_depth_km = [0.0, 15.0, 60.0]
log10_sigma = [-3.0, -1.3, -2.3]
"""


def test_a_run_uses_the_settings_of_its_file(tmp_path):
    truth = LayeredEarth.from_layers([0.0, 15.0, 60.0], [0.001, 0.05, 0.005])
    write_mt_csv(tmp_path / "mt.csv", synthetic_mt(truth, np.logspace(0, 3.5, 12)))
    (tmp_path / "run.toml").write_text(RUN)
    assert main(["run", str(tmp_path / "run.toml"), "--no-report"]) == 0
    out = tmp_path / "out"
    stored = json.loads((out / "chains" / "manifest.json").read_text())["config"]
    assert stored["target_acceptance"] == 0.4
    assert stored["move_probs"] == {"birth": 0.25, "death": 0.25, "move": 0.0, "perturb": 0.5,
                                    "perturb_vs": 0.0, "perturb_vp_vs": 0.0, "noise": 0.0,
                                    "move_delay": 0.0}
    assert stored["proposal_scales"]["value"] == 0.2
    assert stored["proposal_scales"]["interface_km"] == [5.0]
    assert stored["initial"]["n_layers"] == 3
    summary = json.loads((out / "summary.json").read_text())
    # only the moves the file names are proposed
    assert set(summary["diagnostics"]["acceptance_T1"]) == {"birth", "death", "perturb"}
