"""The pieces of benchmarks/xdisc.py: its data set, options, scores and resumable results."""

import json
import os
import sys

import numpy as np
import pytest

from bayesjoint.data import RFSurvey
from bayesjoint.model.xdisc_models import XdiscModel
from bayesjoint.model.xdisc_prior import DEFAULT_BOUNDS
from bayesjoint.samplers.xdisc_comparison import check_record_length
from bayesjoint.samplers.xdisc_settings import ComparisonSettings

pytest.importorskip("optax")
BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "benchmarks")
sys.path.insert(0, BENCHMARKS)
try:
    import xdisc as bench
finally:
    sys.path.remove(BENCHMARKS)

TINY = {"n_train": 12, "n_validation": 6, "n_test": 12, "n_ood": 4}


@pytest.fixture(scope="module")
def data():
    return bench.build_dataset(3, TINY)


def test_dataset_is_deterministic_from_its_seed(data):
    again = bench.build_dataset(3, TINY)
    for split in ("train", "test", "low_velocity_layer", "heavy_tailed_noise"):
        for key, value in data[split].items():
            np.testing.assert_array_equal(value, again[split][key], err_msg=f"{split} {key}")
    other = bench.build_dataset(4, dict(TINY, n_train=0, n_validation=0, n_ood=0))
    assert not np.allclose(other["test"]["rf"], data["test"]["rf"])


def test_splits_are_balanced_labelled_and_cut(data):
    test = data["test"]
    assert test["label"].sum() == 6 and np.bincount(test["reference"]).tolist() == [4, 4, 4]
    x = test["label"] == 1
    b = DEFAULT_BOUNDS
    assert np.all((test["params"][:, 0] >= b["depth_410_km"][0])
                  & (test["params"][:, 0] <= b["depth_410_km"][1]))
    assert np.all((test["params"][x, 5] >= 0.01) & (test["params"][x, 5] <= 0.05))
    assert np.all(test["params"][~x, 5] == 0.0)
    assert np.all((test["npts"] >= data["min_npts"]) & (test["npts"] <= bench.NPTS))
    for row, n in zip(test["rf"], test["npts"]):
        assert np.all(row[n:] == 0.0) and np.any(row[:n] != 0.0)
    np.testing.assert_array_equal(test["noise_std"], np.asarray(bench.NOISE_STD)[
        test["noise_level"]])
    lvl = data["low_velocity_layer"]
    assert np.all(lvl["label"] == 0) and np.all(lvl["params"][:, 5] == 0.0)
    assert np.all((lvl["lvl"][:, 0] >= 300) & (lvl["lvl"][:, 1] <= 400) & (lvl["lvl"][:, 2] > 0))
    mtz = data["mtz_outside_prior"]["params"]
    assert np.all((mtz[:, 0] < b["depth_410_km"][0]) | (mtz[:, 0] > b["depth_410_km"][1]))
    assert np.all((mtz[:, 2] < b["depth_660_km"][0]) | (mtz[:, 2] > b["depth_660_km"][1]))
    smooth = data["perturbed_reference"]["smooth"]
    assert np.all(np.abs(smooth).sum(axis=1) >= 0.02)
    assert not np.any(data["test"]["smooth"]) and not np.any(data["test"]["lvl"])


def test_clean_traces_are_the_detectors_forward_model(data):
    """The detector's model on the generation length reproduces a record without noise."""
    test = data["test"]
    ids, records = bench.evaluation_records(data)
    assert ids[0] == "test/00000" and len(ids) == 12 + 4 * len(bench.OOD_KINDS)
    for i in (0, 1):
        rf = bench.rf_data(records, i)
        xmodel = XdiscModel.build(bench.REFERENCES[test["reference"][i]])
        check_record_length(rf, xmodel, 700.0)
        long = RFSurvey(rf.ray_parameter_s_km, rf.gauss_rad_s, rf.dt_s, bench.GENERATION_NPTS,
                        rf.shift_s)
        predicted = xmodel.predict(dict(zip(bench.PARAMETERS, test["params"][i])),
                                   long)[0, :rf.npts]
        np.testing.assert_allclose(predicted, test["clean"][i, :rf.npts], atol=1e-6)
        residual = (rf.rf[0] - predicted) / test["noise_std"][i]
        assert 0.3 < np.std(residual) < 3.0


def test_noise_laws_have_unit_variance_and_their_correlation():
    rng = np.random.default_rng(0)
    length = np.full(100, 2.0)
    lag = int(2.0 / bench.DT_S)
    for law in ("exponential", "gaussian", "student_t"):
        noise = bench.correlated_noise(rng, length, law)
        assert abs(noise.var() - 1.0) < 0.1, law
        corr = np.mean(noise[:, :-lag] * noise[:, lag:])
        expected = np.exp(-0.5) if law == "gaussian" else np.exp(-1.0)
        assert abs(corr - expected) < 0.06, law
    assert abs(np.mean(noise[:, :-lag] * noise[:, lag:])) > 0.3


def test_detector_options_default_to_the_comparison_settings():
    import argparse
    parser = argparse.ArgumentParser()
    bench.add_detector_options(parser)
    assert bench.detector_settings(parser.parse_args([]), False) == ComparisonSettings()
    quick = bench.detector_settings(parser.parse_args([]), True)
    assert quick.n_betas == bench.QUICK_DETECTOR["n_betas"]
    assert quick.references == ComparisonSettings().references
    args = parser.parse_args(["--detector-n-betas", "5", "--detector-window-s", "10", "none",
                              "--detector-references", "prem", "ak135",
                              "--detector-layer-km", "20"])
    assert bench.detector_settings(args, True) == ComparisonSettings(
        **dict(bench.QUICK_DETECTOR, n_betas=5, window_s=(10.0, None),
               references=("prem", "ak135"), layer_km=20.0))


def test_method_scores_per_split_and_accuracy_drop():
    splits = ["test"] * 4 + ["low_velocity_layer"] * 2
    records = {"split": np.array(splits), "label": np.array([1, 0, 1, 0, 0, 0]),
               "noise_std": np.array([0.005, 0.005, 0.04, 0.04, 0.01, 0.01]),
               "x_jump": np.array([0.015, 0.0, 0.045, 0.0, 0.0, 0.0])}
    p = np.array([0.9, 0.2, 0.3, 0.1, 0.7, 0.4])
    s = bench.method_scores(p, records)
    test = s["splits"]["test"]
    assert (test["n"], test["n_x"], test["accuracy"], test["roc_auc"]) == (4, 2, 0.75, 1.0)
    assert test["accuracy_by_noise_std"] == {"0.005": 1.0, "0.04": 0.5}
    assert test["expected_accuracy_by_noise_std"] == pytest.approx({"0.005": 0.85,
                                                                    "0.04": 0.8})
    # the X at noise 0.005 (jump 1.5 %) is found, the one at 0.04 (4.5 %) missed
    assert test["detection_by_noise_std_and_jump_percent"] == {
        "0.005": {"1-2": {"rate": 1.0, "n": 1}}, "0.04": {"4-5": {"rate": 0.0, "n": 1}}}
    assert test["brier"] == pytest.approx((0.01 + 0.04 + 0.49 + 0.01) / 4)
    assert sum(test["reliability"]["count"]) == 4 and len(test["reliability"]["count"]) == 10
    assert test["reliability"]["mean_predicted"][5] is None  # empty bin, JSON null
    lvl = s["splits"]["low_velocity_layer"]
    assert lvl["roc_auc"] is None and lvl["accuracy"] == 0.5
    assert s["accuracy_drop_test_to_ood"]["low_velocity_layer"] == pytest.approx(0.25)
    json.dumps(s, allow_nan=False)


def test_detector_results_resume_from_the_work_folder(tmp_path):
    (tmp_path / "detector_0.jsonl").write_text(
        json.dumps({"id": "test/00000", "p_x": 0.2}) + "\n")
    (tmp_path / "detector_1.jsonl").write_text(
        json.dumps({"id": "test/00001", "p_x": 0.7}) + "\n\n")
    done = bench.done_results(tmp_path)
    assert {k: v["p_x"] for k, v in done.items()} == {"test/00000": 0.2, "test/00001": 0.7}
    procs = bench.start_detector(tmp_path, ["test/00000", "test/00001"], {}, {}, "given", 2)
    assert procs == []  # nothing left: no worker started
    rows = bench.finish_detector(tmp_path, procs)
    assert set(rows) == {"test/00000", "test/00001"}
    assert not (tmp_path / "records.npz").exists()


def test_cnn_shapes_and_probabilities():
    import jax
    params = bench.init_cnn(jax.random.key(0))
    x = np.random.default_rng(0).normal(size=(5, bench.NPTS)) * 0.1
    p = bench.cnn_probability(params, x)
    assert p.shape == (5,) and np.all((p > 0) & (p < 1))
    assert params["dense"]["w"].shape == (64 * (bench.NPTS // 8), bench.HIDDEN)
